#!/usr/bin/env python
"""Search backends side by side at scale: Whoosh and tantivy on a generated corpus.

Generates `--size` documents (scripts/make_corpus.py: real titles and abstract sentences
recombined, seeded), analyzes them once with the application's own text pipeline (jieba words
and character bigrams, in `--procs` processes; cached under --workdir), then for each backend:
writes a fresh index through its rebuild sink, and reports write time, index size and memory,
search p50/p95 for short queries (the search box: concept semantics) and need-length queries
(the OR path), each with the service's visibility filters, facets and matched terms, and the
p95 of matching a need (retrieval over both channels + re-ranking).

    .venv/bin/python scripts/bench_backends.py --size 25000
    .venv/bin/python scripts/bench_backends.py --size 100000 --backends tantivy
    .venv/bin/python scripts/bench_backends.py --size 1000000 --backends tantivy --queries 100

No database is involved: rows never leave memory, so the figures are the index's own. The
analysis time is reported once (it is the same work whatever the backend; a rebuild from the
database pays it too).
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import pickle
import resource
import shutil
import sys
import time
from datetime import date
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_search import (Progress, dir_size, log, needs_queries, percentiles,  # noqa: E402
                          short_queries)
from make_corpus import generate  # noqa: E402

from matchmaker.search.documents import NO_EXPIRY, analyze_batch  # noqa: E402
from matchmaker.search.fields import PATENT  # noqa: E402

FACETS = ("patent_type", "legal_status", "owner_kind", "region", "industry", "ipc_section", "offer",
          "licence_type", "payment_mode")
REGIONS = ("乌鲁木齐市", "昌吉回族自治州", "伊犁哈萨克自治州", "阿克苏地区", "喀什地区", "哈密市")
TARGETS_1M = {"search_p95_ms": 50.0, "match_p95_ms": 300.0, "rebuild_s": 20 * 60.0}


def raw_document(n: int, rec: dict) -> dict:
    """A generated record as the index document the application would write for it."""
    codes = [c for c in (rec.get("ipc") or []) if isinstance(c, str) and len(c) >= 4]
    levels = sorted({lv for c in codes for lv in (c[:1], c[:3], c[:4])})
    year = 2005 + n % 18
    return {"id": str(n + 1), "title": rec.get("title") or "", "abstract": rec["abstract"],
            "claims": None, "ipc": " ".join(levels) or None,
            "ipc_section": " ".join(sorted({c[:1] for c in codes})) or None,
            "patent_type": ("invention", "utility", "design")[n % 3], "legal_status": "valid",
            "owner_kind": ("university", "institute")[n % 2], "region": REGIONS[n % len(REGIONS)],
            "listing_state": "listed", "owner_id": str(1 + n % 500), "industry": None,
            "expiry": NO_EXPIRY if n % 7 else 20240101, "date": year * 10000 + 101,
            "offer": "active" if n % 5 == 0 else "none", "free_months": 6 if n % 5 == 0 else -1}


def _raw_batches(size: int, seed: int, batch: int = 500) -> Iterator[list[dict]]:
    part: list[dict] = []
    for n, rec in enumerate(generate(size, seed)):
        part.append(raw_document(n, rec))
        if len(part) == batch:
            yield part
            part = []
    if part:
        yield part


def analyzed_docs(size: int, seed: int, procs: int, workdir: Path) -> tuple[Path, float]:
    """Analyze once into a cache of pickled batches, streamed: at 1M documents the analyzed
    corpus (~3 GB pickled, several times that as Python objects) must never sit in memory."""
    cache = workdir / f"analyzed-{size}-{seed}.pickles"
    stamp = cache.with_suffix(".seconds")
    if cache.exists() and stamp.exists():
        log(f"analyzed documents from {cache}")
        return cache, float(stamp.read_text())
    workdir.mkdir(parents=True, exist_ok=True)
    progress = Progress("analyze", size)
    t0 = time.perf_counter()
    partial = cache.with_suffix(".partial")
    with open(partial, "wb") as fh, mp.get_context("fork").Pool(procs) as pool:
        for part in pool.imap(analyze_batch, _raw_batches(size, seed)):
            pickle.dump(part, fh, protocol=pickle.HIGHEST_PROTOCOL)
            progress(len(part))
    seconds = time.perf_counter() - t0
    os.replace(partial, cache)
    stamp.write_text(f"{seconds:.1f}")
    return cache, seconds


def iter_docs(cache: Path) -> Iterator[dict]:
    with open(cache, "rb") as fh:
        while True:
            try:
                yield from pickle.load(fh)
            except EOFError:
                return


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return round(int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def bench_backend(name: str, cache: Path, size: int, workdir: Path, queries: int,
                  reuse: bool = False) -> dict:
    from matchmaker.matching.engine import MatchOptions, match_to_patents
    from matchmaker.matching.profile import build_profile
    from matchmaker.search.factory import make_backend
    from matchmaker.search.query import parse_text

    index_dir = workdir / f"index-{name}-{size}"
    out: dict = {"backend": name, "docs": size}
    rss0 = rss_mb()
    if reuse and (index_dir / "written.json").exists():
        backend = make_backend(name, index_dir, replica="bench")
        out["rebuild_write_s"] = json.loads((index_dir / "written.json").read_text())["seconds"]
        log(f"{name}: reusing the index written in {out['rebuild_write_s']} s")
    else:
        shutil.rmtree(index_dir, ignore_errors=True)
        backend = make_backend(name, index_dir, replica="bench")
        progress = Progress(f"{name} write", size)
        t0 = time.perf_counter()
        with backend.rebuilding(PATENT) as sink:
            for doc in iter_docs(cache):
                sink.add(doc)
                progress()
        out["rebuild_write_s"] = round(time.perf_counter() - t0, 1)
        (index_dir / "written.json").write_text(json.dumps({"seconds": out["rebuild_write_s"]}))
    out["index_mb"] = round(dir_size(index_dir) / 2**20, 1)
    backend.forget()
    today = date.today()
    filters = {"listing_state": ["listed"], "legal_status": ["valid", "unknown"]}
    ranges = {"expiry": (today.year * 10000 + today.month * 100 + today.day, None)}

    def search(q: str) -> int:
        return backend.search(PATENT, parse_text(q)[0], filters=filters, ranges=ranges,
                              facets=FACETS, limit=20, with_terms=True).total

    def timed(fn, items, label):
        for q in items[:5]:
            fn(q)
        samples = []
        progress = Progress(label, len(items))
        for q in items:
            t = time.perf_counter()
            fn(q)
            samples.append(time.perf_counter() - t)
            progress()
        return percentiles(samples)

    shorts = short_queries()[:queries]
    needs = needs_queries()[:queries]
    out["short"] = timed(search, shorts, f"{name} short queries")
    out["need"] = timed(search, needs, f"{name} need-length queries")
    options = MatchOptions()
    out["match"] = timed(lambda q: len(match_to_patents(backend, build_profile("", q), options,
                                                         today=today)), needs, f"{name} match")
    out["rss_mb"] = rss_mb()
    out["rss_growth_mb"] = round(out["rss_mb"] - rss0, 1)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    backend.close()
    return out


def bench_in_child(*args) -> dict:
    """Each backend in its own process: memory figures are then that backend's alone."""
    with mp.get_context("fork").Pool(1) as pool:
        return pool.apply(bench_backend, args)


def table(size: int, analyze_s: float, results: list[dict]) -> str:
    lines = [f"corpus: {size:,} generated patents; analysis (jieba + bigrams, shared by both): "
             f"{analyze_s:.0f} s",
             f"{'backend':<9} {'write s':>8} {'index MB':>9} {'peak RSS MB':>12} {'short p50/p95 ms':>17} "
             f"{'need p50/p95 ms':>16} {'match p95 ms':>13}"]
    for r in results:
        lines.append(f"{r['backend']:<9} {r['rebuild_write_s']:>8.1f} {r['index_mb']:>9.1f} "
                     f"{r['peak_rss_mb']:>12.0f} {r['short']['p50_ms']:>8.1f}/{r['short']['p95_ms']:<8.1f} "
                     f"{r['need']['p50_ms']:>7.1f}/{r['need']['p95_ms']:<8.1f} {r['match']['p95_ms']:>13.1f}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=25_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--backends", default="whoosh,tantivy")
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--queries", type=int, default=200, help="queries of each kind")
    ap.add_argument("--workdir", type=Path, default=ROOT / "instance" / "bench-backends")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--reuse", action="store_true",
                    help="query an index an earlier run wrote (its write time is reported again)")
    args = ap.parse_args(argv)
    cache, analyze_s = analyzed_docs(args.size, args.seed, args.procs, args.workdir)
    results = [bench_in_child(b, cache, args.size, args.workdir, args.queries, args.reuse)
               for b in args.backends.split(",") if b]
    if args.json:
        print(json.dumps({"size": args.size, "analyze_s": analyze_s, "results": results}, indent=2))
    else:
        print(table(args.size, analyze_s, results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
