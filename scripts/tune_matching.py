#!/usr/bin/env python
"""Tune the matcher's signal weights on the development sets with k-fold cross-validation.

Retrieval runs once per development need (both channels, the top 100 of each) and every
candidate's signals are cached; weights are then searched offline by coordinate ascent on
the training folds and scored on the held-out fold. Prints, per fold and on average, the
held-out figures (nDCG@10 condensed and Recall@10 on the real needs, MRR and hit@10 on the
known items) next to the training fit, and the weights fitted on all the data — the ones to
put in `scorers.DEFAULT_WEIGHTS`.

The semantic stage is part of the fit: each candidate carries its rank by meaning among the
lexical top 40 (the pool of the shipped lexical weights; vectors come from the instance's
database and are encoded there on first use, 10–15 min for the development sets), and the
`semantic` penalty weight is fitted like the others.

    .venv/bin/python scripts/tune_matching.py [--folds 5] [--fresh]
"""
from __future__ import annotations

import argparse
import json
import pickle
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corpus_instance import DATA_DIR, open_corpus_instance  # noqa: E402
from eval_matching import load_eval  # noqa: E402

from matchmaker.matching.engine import (SEMANTIC_DEPTH, SEMANTIC_OUTSIDE,  # noqa: E402
                                        MatchOptions, channel_queries, eligible_patent_filters)
from matchmaker.matching.evaluation import (condensed_ndcg, hit_at, mean, recall_at,  # noqa: E402
                                            reciprocal_rank)
from matchmaker.matching.fusion import reciprocal_rank_fusion  # noqa: E402
from matchmaker.matching.profile import build_profile, profile_from_tokens  # noqa: E402
from matchmaker.matching.scorers import DEFAULT_WEIGHTS, SCORERS, Candidate, combine  # noqa: E402
from matchmaker.search.fields import PATENT  # noqa: E402
from matchmaker.semantic.store import PATENT as VEC_PATENT, cosine  # noqa: E402

DEPTH = 100
GRID = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0)


def _features(corpus, title: str, text: str) -> list[tuple[str, dict]]:
    """(source id, signals) for every candidate of either channel; the retrieval signals are
    each channel's score relative to its best, and the fused rank score relative to its best."""
    backend = corpus.runtime.search
    profile = build_profile(title, text)
    filters, ranges = eligible_patent_filters(__import__("datetime").date.today())
    rankings, scores, hits = {}, {}, {}
    for name, query in channel_queries(profile, MatchOptions()).items():
        res = backend.search(PATENT, query, filters=filters, ranges=ranges, limit=DEPTH,
                             stored=True, count=False)
        rankings[name] = [h.id for h in res.hits]
        best = max((h.score for h in res.hits), default=0.0) or 1.0
        scores[name] = {h.id: h.score / best for h in res.hits}
        for h in res.hits:
            hits.setdefault(h.id, h)
    fused = reciprocal_rank_fusion(rankings)
    best_fused = max(fused.values(), default=0.0) or 1.0
    out = []
    for doc_id, hit in hits.items():
        f = hit.fields
        ipc = {c.upper() for c in (f.get("ipc") or "").split() if len(c) == 4}
        industries = {i for i in (f.get("industry") or "").split(",") if i}
        cand = Candidate(doc_id, profile_from_tokens("", "", f.get("title") or "", f.get("abstract") or "",
                                                     industries=industries, ipc_subclasses=ipc),
                         fused[doc_id] / best_fused,
                         channels={n: s[doc_id] for n, s in scores.items() if doc_id in s},
                         ranks={n: r.index(doc_id) for n, r in rankings.items() if doc_id in r})
        out.append((doc_id, {name: fn(profile, cand) for name, fn in SCORERS.items()}))
    _add_semantic(corpus, title, text, out)
    return [(corpus.source_ids[doc_id], signals) for doc_id, signals in out]


def _add_semantic(corpus, title: str, text: str, cands: list[tuple[int, dict]]) -> None:
    """The `semantic` signal as the engine's stage computes it (engine._semantic_stage)."""
    lexical = {k: w for k, w in DEFAULT_WEIGHTS.items() if k != "semantic"}
    order = sorted(cands, key=lambda c: (-combine(c[1], lexical)[0], c[0]))
    pool = [doc_id for doc_id, _ in order[:SEMANTIC_DEPTH]]
    rt = corpus.runtime
    with rt.session_factory() as session:
        vectors = rt.vectors.vectors(session, VEC_PATENT, pool, limit=len(pool))
        session.commit()
    sims = cosine(rt.vectors.text_vector(title, text), vectors)
    rank = {d: r for r, d in enumerate(sorted(pool, key=lambda d: (-sims[d], d)))}
    for doc_id, signals in cands:
        signals["semantic"] = 10 / (10 + rank.get(doc_id, SEMANTIC_OUTSIDE))


def build_dataset(corpus, needs, known) -> dict:
    data = {"needs": [], "known": []}
    for n in needs:
        data["needs"].append((n["need_id"], _features(corpus, n["title"], n["text"])))
    for k in known:
        targets = {k["target_app_no"], *k.get("also_relevant", [])}
        data["known"].append((targets, _features(corpus, k["need_title"], k["need_text"])))
    return data


def ranking(cands: list[tuple[str, dict]], weights: dict[str, float]) -> list[str]:
    """The top 10 as the engine orders them (scorers.combine: weighted mean and penalties)."""
    return [sid for sid, _ in sorted(cands, key=lambda c: -combine(c[1], weights)[0])][:10]


def measure(data: dict, weights: dict, qrels, need_ids=None, known_ids=None) -> dict:
    ndcg, rec, rr, hits = [], [], [], []
    for i, (need_id, cands) in enumerate(data["needs"]):
        if need_ids is None or i in need_ids:
            r = ranking(cands, weights)
            ndcg.append(condensed_ndcg(r, qrels.get(need_id, {})))
            rec.append(recall_at(r, qrels.get(need_id, {})))
    for i, (targets, cands) in enumerate(data["known"]):
        if known_ids is None or i in known_ids:
            r = ranking(cands, weights)
            rr.append(reciprocal_rank(r, targets))
            hits.append(hit_at(r, targets))
    return {"ndcg10": mean(ndcg), "recall10": mean(rec), "mrr": mean(rr), "hit10": mean(hits)}


def objective(m: dict) -> float:
    return m["ndcg10"] + m["recall10"] + m["mrr"] + 0.5 * m["hit10"]


def fit(data, qrels, start: dict, need_ids=None, known_ids=None, restarts: int = 4) -> dict:
    """Coordinate ascent from `start` and from a few random points (seeded): the best fit."""
    rng = random.Random(7)
    starts = [start] + [{name: rng.choice(GRID) for name in start} for _ in range(restarts)]
    fits = [_ascend(data, qrels, s, need_ids, known_ids) for s in starts]
    return max(fits, key=lambda w: objective(measure(data, w, qrels, need_ids, known_ids)))


def _ascend(data, qrels, start: dict, need_ids=None, known_ids=None, rounds: int = 3) -> dict:
    """Coordinate ascent over GRID, each weight in turn, a few rounds."""
    weights = dict(start)
    best = objective(measure(data, weights, qrels, need_ids, known_ids))
    for _ in range(rounds):
        improved = False
        for name in list(weights):
            for value in GRID:
                if value == weights[name]:
                    continue
                trial = dict(weights, **{name: value})
                got = objective(measure(data, trial, qrels, need_ids, known_ids))
                if got > best + 1e-9:
                    best, weights, improved = got, trial, True
        if not improved:
            break
    return weights


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instance", type=Path, default=ROOT / "instance" / "eval-corpus")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--fresh", action="store_true", help="recompute the cached candidates")
    args = ap.parse_args()
    corpus = open_corpus_instance(args.instance, data_dir=DATA_DIR)
    needs, qrels, known = load_eval(DATA_DIR)
    cache = args.instance / "match-features-semantic.pickle"
    if cache.exists() and not args.fresh:
        data = pickle.loads(cache.read_bytes())
    else:
        data = build_dataset(corpus, needs, known)
        cache.write_bytes(pickle.dumps(data))
    start = {name: DEFAULT_WEIGHTS.get(name, 0.0) for name in SCORERS}
    print("current weights:", json.dumps(measure(data, start, qrels)))
    rng = random.Random(13)
    need_order = list(range(len(data["needs"])))
    known_order = list(range(len(data["known"])))
    rng.shuffle(need_order)
    rng.shuffle(known_order)
    held, train = [], []
    for k in range(args.folds):
        test_n = set(need_order[k::args.folds])
        test_k = set(known_order[k::args.folds])
        w = fit(data, qrels, start, set(need_order) - test_n, set(known_order) - test_k)
        train.append(measure(data, w, qrels, set(need_order) - test_n, set(known_order) - test_k))
        held.append(measure(data, w, qrels, test_n, test_k))
        print(f"fold {k + 1}: held-out {json.dumps({x: round(y, 3) for x, y in held[-1].items()})}")
    for label, rows in (("training fit", train), ("held-out", held)):
        avg = {key: mean([r[key] for r in rows]) for key in rows[0]}
        print(f"{label:>12}: " + "  ".join(f"{k} {v:.3f}" for k, v in avg.items()))
    final = fit(data, qrels, start)
    print("weights fitted on all development data:",
          json.dumps({k: v for k, v in final.items() if v}, ensure_ascii=False))
    print("their fit:", json.dumps({k: round(v, 3) for k, v in measure(data, final, qrels).items()}))


if __name__ == "__main__":
    main()
