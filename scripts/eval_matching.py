#!/usr/bin/env python
"""Matching quality on the development sets in ../shared/data/eval (see its README).

For each method — (a) Whoosh default BM25F with jieba's ChineseAnalyzer, (b) rapidfuzz alone over
all patents, (c) the full engine, and its ablations — prints nDCG@10 on the condensed list
(unjudged patents removed), the share of unjudged patents in the top 10, Recall@10 (grade ≥ 2)
on the real needs; MRR and hit@10 on the known-item needs; p50/p95 time per query.

    .venv/bin/python scripts/eval_matching.py [--instance DIR] [--json]

The corpus instance (database + our index + the baseline index) is built on first use under
`instance/eval-corpus` and reused; `--fresh` rebuilds it. Our own judgments of results the
shared pool had not judged (scripts/eval_data/, see its README) are merged with the shared ones.
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
from matchmaker.matching.matches import RECOMMEND_THRESHOLD  # noqa: E402
from matchmaker.matching.evaluation import (condensed_ndcg, hit_at, mean, percentile,  # noqa: E402
                                            recall_at, reciprocal_rank, unjudged_share)
from matchmaker.matching.profile import build_profile  # noqa: E402
from matchmaker.semantic.store import PATENT  # noqa: E402

DEPTH = 100


def load_eval(data_dir: Path):
    ev = data_dir / "eval"
    needs = [json.loads(l) for l in open(ev / "dev_needs.jsonl", encoding="utf-8") if l.strip()]
    qrels: dict[str, dict[str, int]] = {}
    ours = ROOT / "scripts" / "eval_data" / "dev_qrels_matchmaker.jsonl"
    for path in [ev / "dev_qrels.jsonl"] + ([ours] if ours.exists() else []):
        for line in open(path, encoding="utf-8"):
            if line.strip():
                r = json.loads(line)
                qrels.setdefault(r["need_id"], {}).setdefault(r["patent_id"], r["grade"])
    known = [json.loads(l) for l in open(ev / "dev_known_items.jsonl", encoding="utf-8") if l.strip()]
    return needs, qrels, known


def engine_method(corpus, options: MatchOptions, *, semantic: bool = True):
    def run(title: str, text: str) -> list[str]:
        return [corpus.source_ids[m.doc_id] for m in engine_ranking(corpus, title, text, options,
                                                                    semantic=semantic)]
    return run


_QUERY_VECTORS: dict[tuple[str, str], object] = {}


def engine_ranking(corpus, title: str, text: str, options: MatchOptions, *, semantic: bool = True):
    """The engine as the application runs it; with `semantic`, the vectors it encodes on the way
    are kept in the instance's database (the first run encodes the candidates' vectors). A need
    text is encoded once per run, as the application encodes a stored need once: the abstention
    pass reuses what the evaluation pass encoded (whose timings include it)."""
    rt = corpus.runtime
    with rt.session_factory() as session:
        similarity = None
        if semantic:
            if (title, text) not in _QUERY_VECTORS:
                _QUERY_VECTORS[title, text] = rt.vectors.text_vector(title, text)
            similarity = rt.vectors.similarity(session, PATENT, _QUERY_VECTORS[title, text])
        ranked = match_to_patents(rt.search, build_profile(title, text), options,
                                  similarity=similarity)
        session.commit()
    return ranked


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


def abstention(corpus, needs, qrels, known) -> dict:
    """How the recommendation threshold behaves: on real needs without any grade >= 2 patent,
    the share where nothing passes it; on the others, the share where the best relevant
    patent (anywhere in the top 100) still passes; on known items, the share of targets that
    pass. The threshold applies to the lexical score, as in the application
    (matching.matches.recommended)."""
    def scored(title, text):
        ranked = engine_ranking(corpus, title, text, MatchOptions(top=DEPTH))
        return [(corpus.source_ids[m.doc_id], m.lexical_score) for m in ranked]
    without, with_, known_best = [], [], []   # best score; best score of a relevant patent
    for n in needs:
        grades = qrels.get(n["need_id"], {})
        ranked = scored(n["title"], n["text"])
        if any(g >= 2 for g in grades.values()):
            with_.append(max((s for d, s in ranked if grades.get(d, 0) >= 2), default=0.0))
        else:
            without.append(max((s for _d, s in ranked), default=0.0))
    for k in known:
        targets = {k["target_app_no"], *k.get("also_relevant", [])}
        known_best.append(max((s for d, s in scored(k["need_title"], k["need_text"]) if d in targets),
                              default=0.0))

    def rates(threshold: float) -> dict:
        return {"abstains_without_relevant": mean([s < threshold for s in without]),
                "keeps_best_relevant": mean([s >= threshold for s in with_]),
                "known_items_recommended": mean([s >= threshold for s in known_best])}
    return {"threshold": RECOMMEND_THRESHOLD, **rates(RECOMMEND_THRESHOLD),
            "needs_without_relevant": len(without), "needs_with_relevant": len(with_),
            "sweep": {t: rates(t) for t in range(40, 82, 2)}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instance", type=Path, default=ROOT / "instance" / "eval-corpus")
    ap.add_argument("--data-dir", type=Path, default=DATA_DIR)
    ap.add_argument("--fresh", action="store_true")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--only", help="comma-separated method names")
    ap.add_argument("--backends", default="whoosh",
                    help="comma-separated search backends to evaluate side by side (whoosh,tantivy)")
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
        "  − semantic stage": engine_method(corpus, full, semantic=False),
        "  − character channel": engine_method(corpus, replace(full, channels=("words",))),
        "  − word channel": engine_method(corpus, replace(full, channels=("chars",))),
        "  − fuzzy re-rank": engine_method(corpus, replace(full, rerank=False)),
        "  − keyword extraction": engine_method(corpus, replace(full, use_keywords=False)),
    }
    for backend in [b for b in args.backends.split(",") if b and b != "whoosh"]:
        other = open_corpus_instance(args.instance, data_dir=args.data_dir, backend=backend)
        methods[f"(c) engine, {backend} backend"] = engine_method(other, full)
    if args.only:
        wanted = args.only.split(",")
        methods = {k: v for k, v in methods.items() if any(w in k for w in wanted)}
    results = {}
    for name, method in methods.items():
        print(f"evaluating {name.strip()} ...", file=sys.stderr, flush=True)
        results[name] = evaluate(method, needs, qrels, known)
    abstain = abstention(corpus, needs, qrels, known) if not args.only or "engine" in args.only else None
    if args.json:
        print(json.dumps({"methods": results, "abstention": abstain}, ensure_ascii=False, indent=2))
        return
    print(f"corpus: {corpus.size:,} patents; real needs: {len(needs)}; known items: {len(known)}")
    print(f"{'method':<40} {'nDCG@10c':>9} {'unjudged':>9} {'R@10≥2':>7} {'MRR':>6} "
          f"{'hit@10':>7} {'p50 ms':>7} {'p95 ms':>7}")
    for name, r in results.items():
        print(f"{name:<40} {r['ndcg10']:>9.3f} {r['unjudged10']:>9.2f} {r['recall10']:>7.3f} "
              f"{r['mrr']:>6.3f} {r['hit10']:>7.2f} {r['p50_ms']:>7.1f} {r['p95_ms']:>7.1f}")
    if abstain:
        print(f"recommendation threshold {abstain['threshold']:g}: nothing recommended for "
              f"{abstain['abstains_without_relevant']:.0%} of the {abstain['needs_without_relevant']} "
              f"needs without a relevant patent; the best relevant patent recommended for "
              f"{abstain['keeps_best_relevant']:.0%} of the {abstain['needs_with_relevant']} others; "
              f"known-item targets recommended: {abstain['known_items_recommended']:.0%}")
        print("other thresholds (nothing shown / best relevant kept / known items kept): " + "; ".join(
            f"{t}: {r['abstains_without_relevant']:.0%} / {r['keeps_best_relevant']:.0%} / "
            f"{r['known_items_recommended']:.0%}" for t, r in abstain["sweep"].items()))


if __name__ == "__main__":
    main()

