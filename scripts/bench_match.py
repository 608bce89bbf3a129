#!/usr/bin/env python
"""Match latency: need → ranked patents, single process, beside the bare Whoosh query.

Prints p50/p95 of (1) the bare index query (the same candidate query, K hits, no stored
fields), (2) the full match (candidate query with stored fields + re-ranking), (3) analysing the
need (tokens, keywords) — at the shared corpus size or, with `--scale N`, at N patents (the
corpus replicated with varied ids, as in bench_search.py). Targets: full match p95 ≤ 200 ms at
25k and ≤ 500 ms at 100k; re-ranking adds ≤ 30 % over the bare query.

With `--semantic N`, the first N need texts are also matched as the application matches a stored
need with the semantic stage: (4) encoding the need's windows (once per need, by its matching
job) and (5) the full match with the stage, its candidates' vectors read from the database. An
untimed pass first encodes the candidates' missing vectors (as `matchmaker vectors sync` would
have; about 5 a second — an instance that already holds them, such as the evaluation instance,
skips most of it).

    .venv/bin/python scripts/bench_match.py [--scale 100000] [--instance DIR] [--semantic 40] [--json]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_search import (corpus_records, import_corpus, log, needs_queries,  # noqa: E402
                          percentiles, rebuild_index, scaled)

TARGETS = {25_000: 200.0, 100_000: 500.0}
MARKER = "bench-match.json"


def open_instance(directory: Path, scale: int | None):
    from matchmaker.config import Settings
    from matchmaker.migrate import upgrade
    from matchmaker.runtime import build_runtime
    rt = build_runtime(Settings(instance_dir=directory, index_on_commit=False).resolved())
    marker = directory / MARKER
    # An instance that already holds an indexed corpus (e.g. instance/eval-corpus) is reused.
    reusable = (directory / "corpus.json").exists()
    if not marker.exists() and not reusable:
        upgrade(rt.engine)
        log(f"loading {scale or 'all'} patents into {directory} ...")
        import_corpus(rt, scaled(corpus_records(), scale))
        rebuild_index(rt, procs=2)
        marker.write_text(json.dumps({"scale": scale}))
    return rt


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=None)
    ap.add_argument("--instance", type=Path, default=None,
                    help="reuse/keep the instance here (default: instance/bench-match-<size>)")
    ap.add_argument("--queries", type=int, default=200, help="how many need texts to time")
    ap.add_argument("--semantic", type=int, default=0, metavar="N",
                    help="also time N need texts with the semantic stage (vectors in the database)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    from matchmaker.matching.engine import MatchOptions, channel_queries, match_to_patents
    from matchmaker.matching.profile import build_profile
    from matchmaker.text import warm_up

    directory = args.instance or ROOT / "instance" / f"bench-match-{args.scale or 'corpus'}"
    rt = open_instance(directory, args.scale)
    warm_up()
    size = rt.search.doc_count("patent")
    texts = needs_queries()[:args.queries]
    options = MatchOptions()
    samples: dict[str, list[float]] = {"analyse": [], "bare": [], "match": []}
    for i, text in enumerate(texts):
        title, _, body = text.partition("\n")
        t0 = time.perf_counter()
        profile = build_profile(title, body)
        t1 = time.perf_counter()
        for query in channel_queries(profile, options).values():   # retrieval alone
            rt.search.search("patent", query, limit=options.candidates, count=False)
        t2 = time.perf_counter()
        match_to_patents(rt.search, profile, options)
        t3 = time.perf_counter()
        if i >= 5:  # the first queries warm caches
            samples["analyse"].append(t1 - t0)
            samples["bare"].append(t2 - t1)
            samples["match"].append(t3 - t2)
    if args.semantic:
        samples.update(semantic_samples(rt, texts[:args.semantic], options))
    result = {"patents": size, **{k: percentiles(v) for k, v in samples.items()}}
    bare, full = result["bare"]["p50_ms"], result["match"]["p50_ms"]
    result["rerank_overhead_pct"] = round(100 * (full - bare) / bare, 1) if bare else None
    target = TARGETS[100_000] if size > 50_000 else TARGETS[25_000]
    result["target_p95_ms"] = target
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"patents indexed: {size:,}; queries: {len(samples['match'])} need texts")
    print(f"{'step':<34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for key, label in (("analyse", "analyse the need (tokens, keywords)"),
                       ("bare", "bare Whoosh query (K candidates)"),
                       ("match", "full match (query + re-rank)"),
                       ("encode", "encode the need (once per need)"),
                       ("semantic", "full match with the semantic stage")):
        if key not in result:
            continue
        r = result[key]
        print(f"{label:<34} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['max_ms']:>8.1f}")
    ok = result["match"]["p95_ms"] <= target
    print(f"full match p95 {result['match']['p95_ms']:.0f} ms vs target {target:.0f} ms: "
          f"{'met' if ok else 'NOT met'}; re-ranking adds {result['rerank_overhead_pct']} % "
          f"over the bare query (p50; target ≤ 30 %)")
    if "semantic" in result:
        print(f"with the semantic stage: p95 {result['semantic']['p95_ms']:.0f} ms vs target "
              f"{target:.0f} ms: {'met' if result['semantic']['p95_ms'] <= target else 'NOT met'} "
              f"({result['semantic']['n']} need texts)")
    return 0


def semantic_samples(rt, texts: list[str], options) -> dict[str, list[float]]:
    """Times of encoding each need and of matching it with the stage, candidates' vectors read
    from the database (an untimed pass first encodes the ones missing)."""
    from matchmaker.matching.engine import match_to_patents
    from matchmaker.matching.profile import build_profile
    from matchmaker.semantic.background import SAMPLE
    from matchmaker.semantic.store import PATENT
    out: dict[str, list[float]] = {"encode": [], "semantic": []}
    with rt.session_factory() as session:
        for i, text in enumerate(texts):
            title, _, body = text.partition("\n")
            t0 = time.perf_counter()
            query = rt.vectors.text_vector(title, body)
            out["encode"].append(time.perf_counter() - t0)
            similarity = rt.vectors.similarity(session, PATENT, query,
                                               rt.vectors.background(session, top_up=SAMPLE))
            profile = build_profile(title, body)
            match_to_patents(rt.search, profile, options, similarity=similarity)   # encodes the missing
            session.commit()
            t1 = time.perf_counter()   # as a matching job: the background from the process's cache
            similarity = rt.vectors.similarity(session, PATENT, query, rt.vectors.background(session))
            match_to_patents(rt.search, profile, options, similarity=similarity)
            out["semantic"].append(time.perf_counter() - t1)
            if (i + 1) % 10 == 0:
                log(f"semantic stage: {i + 1}/{len(texts)} need texts")
    return out


if __name__ == "__main__":
    sys.exit(main())
