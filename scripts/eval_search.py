#!/usr/bin/env python
"""Search-box quality on the short-query development set in ../shared/data/eval (see its README).

Each query runs through the same path as the search page and the JSON API (`search_patents`,
anonymous visitor, first page of 10). Beside ours: (a) Whoosh's defaults with jieba's
ChineseAnalyzer (an OR of the query's tokens) and (b) a character-bigram BM25, plain and
requiring every query part. Prints nDCG@10 (unjudged results count as 0), P@5 (grade >= 2,
relative to the number of such patents when fewer than 5 exist), the share of top-10 results
graded 0, the share unjudged, the mean number of results shown, and per-query figures with
`--per-query`.

    .venv/bin/python scripts/eval_search.py [--instance DIR] [--per-query] [--json]
    .venv/bin/python scripts/eval_search.py --unjudged out.jsonl   # our unjudged top-10 to judge

Extra judgments (ours, see matchmaker/search/eval/README.md) are merged with the shared ones.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corpus_instance import DATA_DIR, open_corpus_instance  # noqa: E402

from matchmaker.matching.evaluation import (grade_share, mean, ndcg_at, percentile,  # noqa: E402
                                            precision_at)
from matchmaker.search.service import SearchRequest, search_patents  # noqa: E402

DEPTH = 10
OUR_JUDGMENTS = ROOT / "scripts" / "eval_data" / "search_qrels_matchmaker.jsonl"


def load_set(data_dir: Path) -> tuple[list[str], dict[str, dict[str, int]]]:
    ev = data_dir / "eval"
    queries = [json.loads(l)["query"] for l in open(ev / "search_dev_queries.jsonl", encoding="utf-8")
               if l.strip()]
    qrels: dict[str, dict[str, int]] = {}
    files = [ev / "search_dev_qrels.jsonl"] + ([OUR_JUDGMENTS] if OUR_JUDGMENTS.exists() else [])
    for path in files:
        for line in open(path, encoding="utf-8"):
            if line.strip():
                r = json.loads(line)
                qrels.setdefault(r["query"], {}).setdefault(r["patent_id"], r["grade"])
    return queries, qrels


def ours(corpus):
    def run(query: str) -> list[str]:
        with corpus.runtime.session_factory() as s:
            page = search_patents(s, corpus.runtime.search, None,
                                  SearchRequest(q=query, per_page=DEPTH))
        return [corpus.source_ids[h.id] for h in page.hits]
    return run


def evaluate(method, queries, qrels) -> dict:
    per_query, times = {}, []
    for q in queries:
        t0 = time.perf_counter()
        ranking = method(q)[:DEPTH]
        times.append(time.perf_counter() - t0)
        g = qrels.get(q, {})
        per_query[q] = {"ndcg10": ndcg_at(ranking, g), "p5": precision_at(ranking, g),
                        "zero10": grade_share(ranking, g, 0),
                        "unjudged10": grade_share(ranking, g, None), "shown": len(ranking),
                        "ranking": ranking}
    col = lambda key: [r[key] for r in per_query.values()]  # noqa: E731
    return {"ndcg10": mean(col("ndcg10")), "p5": mean(col("p5")), "zero10": mean(col("zero10")),
            "unjudged10": mean(col("unjudged10")), "shown": mean(col("shown")),
            "p50_ms": 1000 * percentile(times, 50), "p95_ms": 1000 * percentile(times, 95),
            "per_query": per_query}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instance", type=Path, default=ROOT / "instance" / "eval-corpus")
    ap.add_argument("--data-dir", type=Path, default=DATA_DIR)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--per-query", action="store_true")
    ap.add_argument("--only", help="comma-separated parts of method names")
    ap.add_argument("--unjudged", type=Path, help="write our unjudged top-10 results here")
    ap.add_argument("--backends", default="whoosh",
                    help="comma-separated search backends to evaluate side by side (whoosh,tantivy)")
    args = ap.parse_args()
    backends = [b for b in args.backends.split(",") if b]
    corpus = open_corpus_instance(args.instance, data_dir=args.data_dir, with_baseline=True)
    queries, qrels = load_set(args.data_dir)
    bm25 = corpus.baseline_bm25(DEPTH)
    bigram = corpus.baseline_bigram(DEPTH)
    bigram_all = corpus.baseline_bigram(DEPTH, require_parts=True)
    methods = {
        "(a) whoosh bm25 + jieba ChineseAnalyzer": lambda q: bm25(q, ""),
        "(b) char-bigram BM25": lambda q: bigram(q),
        "(b') char-bigram BM25, every part required": lambda q: bigram_all(q),
        "(c) matchmaker search": ours(corpus),
    }
    for backend in backends:
        if backend != "whoosh":
            other = open_corpus_instance(args.instance, data_dir=args.data_dir, backend=backend)
            methods[f"(c) matchmaker search, {backend} backend"] = ours(other)
    if args.only:
        methods = {k: v for k, v in methods.items() if any(w in k for w in args.only.split(","))}
    results = {name: evaluate(m, queries, qrels) for name, m in methods.items()}
    if args.unjudged:
        seen: set[tuple[str, str]] = set()   # every backend's rankings of ours, each pair once
        with open(args.unjudged, "w", encoding="utf-8") as out:
            for name, res in results.items():
                if not name.startswith("(c) matchmaker search"):
                    continue
                for q, r in res["per_query"].items():
                    for pid in r["ranking"]:
                        if pid not in qrels.get(q, {}) and (q, pid) not in seen:
                            seen.add((q, pid))
                            out.write(json.dumps({"query": q, "patent_id": pid},
                                                 ensure_ascii=False) + "\n")
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    print(f"corpus: {corpus.size:,} patents; queries: {len(queries)}; "
          f"judged pairs: {sum(len(v) for v in qrels.values())}")
    print(f"{'method':<46} {'nDCG@10':>8} {'P@5':>6} {'grade0@10':>10} {'unjudged':>9} "
          f"{'shown':>6} {'p50 ms':>7} {'p95 ms':>7}")
    for name, r in results.items():
        print(f"{name:<46} {r['ndcg10']:>8.3f} {r['p5']:>6.3f} {r['zero10']:>10.3f} "
              f"{r['unjudged10']:>9.3f} {r['shown']:>6.1f} {r['p50_ms']:>7.1f} {r['p95_ms']:>7.1f}")
    if args.per_query:
        for name, r in results.items():
            print(f"\n{name}")
            for q, pq in r["per_query"].items():
                fmt = lambda v: "   -" if v is None else f"{v:.2f}"  # noqa: E731
                print(f"  {q:<10} nDCG {fmt(pq['ndcg10'])}  P@5 {fmt(pq['p5'])}  "
                      f"grade0 {fmt(pq['zero10'])}  unjudged {fmt(pq['unjudged10'])}  "
                      f"shown {pq['shown']}")


if __name__ == "__main__":
    main()
