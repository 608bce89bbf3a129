#!/usr/bin/env python
"""Matching quality on the development sets in ../shared/data/eval (see its README).

For each method — (a) Whoosh default BM25F with jieba's ChineseAnalyzer, (b) rapidfuzz alone over
all patents, (c) the full engine, and its ablations — prints nDCG@10 on the condensed list
(unjudged patents removed), the share of unjudged patents in the top 10, Recall@10 (grade ≥ 2)
on the real needs; MRR and hit@10 on the known-item needs; p50/p95 time per query.

    .venv/bin/python scripts/eval_matching.py [--instance DIR] [--json]

The corpus instance (database + our index + the baseline index) is built on first use under
`instance/eval-corpus` and reused; `--fresh` rebuilds it.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corpus_instance import DATA_DIR, open_corpus_instance  # noqa: E402

from matchmaker.matching.engine import MatchOptions, match_to_patents  # noqa: E402
from matchmaker.matching.evaluation import (condensed_ndcg, hit_at, mean, percentile,  # noqa: E402
                                            recall_at, reciprocal_rank, unjudged_share)
from matchmaker.matching.profile import build_profile  # noqa: E402

DEPTH = 100


def load_eval(data_dir: Path):
    ev = data_dir / "eval"
    needs = [json.loads(l) for l in open(ev / "dev_needs.jsonl", encoding="utf-8") if l.strip()]
    qrels: dict[str, dict[str, int]] = {}
    for line in open(ev / "dev_qrels.jsonl", encoding="utf-8"):
        if line.strip():
            r = json.loads(line)
            qrels.setdefault(r["need_id"], {})[r["patent_id"]] = r["grade"]
    known = [json.loads(l) for l in open(ev / "dev_known_items.jsonl", encoding="utf-8") if l.strip()]
    return needs, qrels, known


def engine_method(corpus, options: MatchOptions):
    def run(title: str, text: str) -> list[str]:
        profile = build_profile(title, text)
        ranked = match_to_patents(corpus.runtime.search, profile, options)
        return [corpus.source_ids[m.doc_id] for m in ranked]
    return run


def evaluate(method, needs, qrels, known) -> dict:
    times, ndcgs, unj, recalls, rr, hits = [], [], [], [], [], []
    for n in needs:
        t0 = time.perf_counter()
        ranking = method(n["title"], n["text"])
        times.append(time.perf_counter() - t0)
        grades = qrels.get(n["need_id"], {})
        ndcgs.append(condensed_ndcg(ranking, grades))
        unj.append(unjudged_share(ranking, grades))
        recalls.append(recall_at(ranking, grades))
    for k in known:
        t0 = time.perf_counter()
        ranking = method(k["need_title"], k["need_text"])
        times.append(time.perf_counter() - t0)
        targets = {k["target_app_no"], *k.get("also_relevant", [])}
        rr.append(reciprocal_rank(ranking, targets))
        hits.append(hit_at(ranking, targets))
    return {"ndcg10": mean(ndcgs), "unjudged10": mean(unj), "recall10": mean(recalls),
            "mrr": mean(rr), "hit10": mean(hits),
            "p50_ms": 1000 * percentile(times, 50), "p95_ms": 1000 * percentile(times, 95)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instance", type=Path, default=ROOT / "instance" / "eval-corpus")
    ap.add_argument("--data-dir", type=Path, default=DATA_DIR)
    ap.add_argument("--fresh", action="store_true")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--only", help="comma-separated method names")
    args = ap.parse_args()
    corpus = open_corpus_instance(args.instance, data_dir=args.data_dir, fresh=args.fresh,
                                  with_baseline=True)
    needs, qrels, known = load_eval(args.data_dir)
    full = MatchOptions(candidates=DEPTH, top=DEPTH)
    methods = {
        "(a) whoosh bm25 + jieba ChineseAnalyzer": corpus.baseline_bm25(DEPTH),
        "(b) rapidfuzz alone": corpus.baseline_fuzzy(DEPTH),
        "(b') char-bigram BM25": corpus.baseline_bigram(DEPTH),
        "(c) engine": engine_method(corpus, full),
        "  − character channel": engine_method(corpus, replace(full, channels=("words",))),
        "  − word channel": engine_method(corpus, replace(full, channels=("chars",))),
        "  − fuzzy re-rank": engine_method(corpus, replace(full, rerank=False)),
        "  − keyword extraction": engine_method(corpus, replace(full, use_keywords=False)),
    }
    if args.only:
        wanted = args.only.split(",")
        methods = {k: v for k, v in methods.items() if any(w in k for w in wanted)}
    results = {}
    for name, method in methods.items():
        print(f"evaluating {name.strip()} ...", file=sys.stderr, flush=True)
        results[name] = evaluate(method, needs, qrels, known)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    print(f"corpus: {corpus.size:,} patents; real needs: {len(needs)}; known items: {len(known)}")
    print(f"{'method':<40} {'nDCG@10c':>9} {'unjudged':>9} {'R@10≥2':>7} {'MRR':>6} "
          f"{'hit@10':>7} {'p50 ms':>7} {'p95 ms':>7}")
    for name, r in results.items():
        print(f"{name:<40} {r['ndcg10']:>9.3f} {r['unjudged10']:>9.2f} {r['recall10']:>7.3f} "
              f"{r['mrr']:>6.3f} {r['hit10']:>7.2f} {r['p50_ms']:>7.1f} {r['p95_ms']:>7.1f}")


if __name__ == "__main__":
    main()
