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
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corpus_instance import DATA_DIR, open_corpus_instance  # noqa: E402

from matchmaker.matching.engine import MatchOptions, match_to_patents  # noqa: E402
from matchmaker.matching.matches import (CLOSENESS_POINTS, RECOMMEND_THRESHOLD,  # noqa: E402
                                         TYPICAL_CLOSENESS, confidence)
from matchmaker.matching.evaluation import (condensed_ndcg, hit_at, mean, percentile,  # noqa: E402
                                            recall_at, reciprocal_rank, unjudged_share)
from matchmaker.matching.profile import build_profile  # noqa: E402
from matchmaker.semantic.background import SAMPLE  # noqa: E402
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
            similarity = rt.vectors.similarity(session, PATENT, _QUERY_VECTORS[title, text],
                                               rt.vectors.background(session, top_up=SAMPLE))
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
    pass. The threshold applies to the confidence, as in the application
    (matching.matches.confidence); the lexical score alone is reported beside it, and the
    confidence's two constants are refitted on 5 folds of the real needs and scored on the
    held-out ones."""
    def scored(title, text):
        ranked = engine_ranking(corpus, title, text, MatchOptions(top=DEPTH))
        return [(corpus.source_ids[m.doc_id], m.lexical_score, m.closeness) for m in ranked]
    real = [(qrels.get(n["need_id"], {}), scored(n["title"], n["text"])) for n in needs]
    items = [({k["target_app_no"], *k.get("also_relevant", [])}, scored(k["need_title"], k["need_text"]))
             for k in known]
    shipped = (CLOSENESS_POINTS, TYPICAL_CLOSENESS)

    def rates(threshold=RECOMMEND_THRESHOLD, constants=shipped, subset=None) -> dict:
        def best(ranked, keep=lambda d: True):
            return max((confidence(lexical, z, points=constants[0], typical=constants[1])
                        for d, lexical, z in ranked if keep(d)), default=0.0)
        chosen = [real[i] for i in (subset if subset is not None else range(len(real)))]
        without = [best(r) for g, r in chosen if not any(v >= 2 for v in g.values())]
        with_ = [best(r, lambda d, g=g: g.get(d, 0) >= 2) for g, r in chosen if any(v >= 2 for v in g.values())]
        return {"abstains_without_relevant": mean([s < threshold for s in without]),
                "keeps_best_relevant": mean([s >= threshold for s in with_]),
                "known_items_recommended": mean([best(r, lambda d, t=t: d in t) >= threshold
                                                 for t, r in items]),
                "n": (len(without), len(with_))}
    lexical_only = (0.0, 0.0)
    # (threshold, constants) tried per fold: the confidence's constants at the shipped threshold,
    # and, for comparison, the lexical score alone at every threshold.
    grids = {"confidence": [(RECOMMEND_THRESHOLD, (w, z0 / 20)) for w in (10.0, 15.0, 20.0, 25.0, 30.0, 40.0)
                            for z0 in range(40, 120)],
             "lexical": [(float(t), lexical_only) for t in range(40, 81)]}

    def held_out(grid) -> dict:
        def worst_side(choice, subset):
            r = rates(choice[0], choice[1], subset)
            return min(r["abstains_without_relevant"], r["keeps_best_relevant"])
        order = random.Random(13).sample(range(len(real)), len(real))
        sums = {"abstains_without_relevant": [0.0, 0], "keeps_best_relevant": [0.0, 0]}
        for k in range(5):
            test = order[k::5]
            train = set(order) - set(test)
            threshold, constants = max(grid, key=lambda c: worst_side(c, train))
            r = rates(threshold, constants, test)
            for key, n in zip(sums, r["n"]):
                if n:
                    sums[key][0] += r[key] * n
                    sums[key][1] += n
        return {key: total / n for key, (total, n) in sums.items()}
    out = rates()
    return {"threshold": RECOMMEND_THRESHOLD, **out,
            "needs_without_relevant": out["n"][0], "needs_with_relevant": out["n"][1],
            "lexical_only": rates(constants=lexical_only),
            "held_out": {name: held_out(grid) for name, grid in grids.items()},
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
        lex, held = abstain["lexical_only"], abstain["held_out"]
        print(f"  on the lexical score alone: {lex['abstains_without_relevant']:.0%} / "
              f"{lex['keeps_best_relevant']:.0%} / {lex['known_items_recommended']:.0%}; refitted on "
              "5 folds of the real needs, held-out: " + "; ".join(
                  f"{name} {r['abstains_without_relevant']:.0%} / {r['keeps_best_relevant']:.0%}"
                  for name, r in held.items()))
        print("other thresholds (nothing shown / best relevant kept / known items kept): " + "; ".join(
            f"{t}: {r['abstains_without_relevant']:.0%} / {r['keeps_best_relevant']:.0%} / "
            f"{r['known_items_recommended']:.0%}" for t, r in abstain["sweep"].items()))


if __name__ == "__main__":
    main()

