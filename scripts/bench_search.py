#!/usr/bin/env python
"""Search benchmark on the shared patent corpus.

Loads the shared corpus (patents.jsonl + patents_bdci2022.jsonl, ~25.5k patents) into a fresh
SQLite instance via the importer, rebuilds the patent index with ``matchmaker.search.indexer.
rebuild``, then times every need (title + text, 371 queries) through

* ``search_patents`` — the full page path: query analysis, filters, facets, matched terms,
  loading the hits from the database and highlighting snippets;
* the bare backend query — ``WhooshBackend.search`` with the analyzed text only;
* a plain Whoosh baseline — jieba's own ``ChineseAnalyzer`` on title/abstract, default writer
  and codec, no bigram field, an ``Or`` of the query's analyzer tokens (no QueryParser);

and finally how long a patent created and committed through a runtime with
``index_on_commit=True`` takes to become findable.

    .venv/bin/python scripts/bench_search.py                 # full corpus, table
    .venv/bin/python scripts/bench_search.py --scale 100000  # corpus replicated to 100k docs
    .venv/bin/python scripts/bench_search.py --json          # machine-readable figures

Progress goes to stderr. The machine load (1-minute load average) is printed next to every
timed phase because other jobs on a shared 2-core box distort the figures; repeat noisy runs.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA = Path(os.environ.get("MATCHMAKER_SHARED_DATA", ROOT.parent / "shared" / "data"))
PATENT_FILES = (DATA / "patents" / "patents.jsonl", DATA / "patents" / "patents_bdci2022.jsonl")
NEEDS_FILE = DATA / "needs" / "needs.jsonl"
BENCH_OWNER = "基准测试专利权人（无申请人记录）"

TARGETS = {"rebuild_25k_s": 90.0, "p95_25k_ms": 150.0, "p95_100k_ms": 400.0, "freshness_s": 1.0}


# -- small helpers ---------------------------------------------------------------------------

def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.2f}] {msg}", file=sys.stderr,
          flush=True)


class Progress:
    """Counts items and logs at most every `every` seconds."""

    def __init__(self, label: str, total: int | None = None, every: float = 5.0):
        self.label, self.total, self.every = label, total, every
        self.count, self.start, self.last = 0, time.perf_counter(), time.perf_counter()

    def __call__(self, n: int = 1) -> None:
        self.count += n
        now = time.perf_counter()
        if now - self.last >= self.every:
            self.last = now
            rate = self.count / max(now - self.start, 1e-9)
            of = f"/{self.total:,}" if self.total else ""
            log(f"{self.label}: {self.count:,}{of} ({rate:,.0f}/s)")


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (rebuild workers)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


@contextmanager
def timed(out: dict, key: str) -> Iterator[None]:
    """Wall time as `key` ("..._s"), CPU time as "..._cpu_s", the higher 1-min load of start
    and end as "..._s_load" (CPU time is the figure to compare between noisy runs)."""
    load0 = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), cpu_seconds()
    yield
    out[key] = round(time.perf_counter() - t0, 3)
    out[key[:-2] + "_cpu_s"] = round(cpu_seconds() - c0, 1)
    out[key + "_load"] = round(max(load0, os.getloadavg()[0]), 2)


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def percentiles(samples: list[float]) -> dict:
    """p50/p95/max/mean in milliseconds (nearest-rank percentiles)."""
    xs = sorted(samples)

    def rank(p: float) -> float:
        return xs[min(len(xs) - 1, max(0, int(round(p / 100 * len(xs) + 0.5)) - 1))]

    return {"n": len(xs), "p50_ms": round(rank(50) * 1000, 1), "p95_ms": round(rank(95) * 1000, 1),
            "max_ms": round(xs[-1] * 1000, 1), "mean_ms": round(statistics.fmean(xs) * 1000, 1)}


# -- corpus ----------------------------------------------------------------------------------

def corpus_records(files=PATENT_FILES) -> list[dict]:
    from matchmaker.catalog.corpus import read_jsonl

    records = []
    for path in files:
        for _line, rec, error in read_jsonl(path):
            if rec is not None:
                records.append(rec)
            else:
                log(f"{path.name}: skipped a bad line: {error}")
    return records


def scaled(records: list[dict], n: int | None) -> list[dict]:
    """The corpus, replicated with varied ids (and no application number, which is unique)
    until it holds `n` records; `None` means the corpus as is."""
    if not n or n <= len(records):
        return records[:n] if n else records
    out = list(records)
    k = 1
    while len(out) < n:
        for rec in records:
            if len(out) >= n:
                break
            copy = dict(rec, id=f"{rec['id']}~r{k}")
            copy.pop("app_no", None)
            out.append(copy)
        k += 1
    return out


def needs_queries() -> list[str]:
    queries = []
    with open(NEEDS_FILE, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                queries.append("\n".join(p for p in (rec.get("title"), rec.get("text")) if p))
    return queries


def import_corpus(rt, records: list[dict]) -> dict:
    """import_records in one transaction. Records without an applicant (most of patents.jsonl)
    get one placeholder owner organization, as `matchmaker import --owner` would give them."""
    from sqlalchemy import func, select

    from matchmaker.imports.corpus import import_records
    from matchmaker.models import Organization, OrgKind, OrgStatus, Patent

    with_owner = [r for r in records if r.get("owner") or r.get("applicant")]
    without = [r for r in records if not (r.get("owner") or r.get("applicant"))]
    progress = Progress("import", len(records))
    out: dict = {}
    from matchmaker.matching.triggers import SKIP_KEY
    with timed(out, "import_s"), rt.session_factory() as session, session.begin():
        session.info[SKIP_KEY] = True  # a corpus loaded for measurement queues no match jobs
        placeholder = Organization(kind=OrgKind.UNIVERSITY, name=BENCH_OWNER,
                                   status=OrgStatus.APPROVED, source="import")
        session.add(placeholder)
        reports = [import_records(session, ((i, r, "") for i, r in enumerate(with_owner, 1)),
                                  progress=progress),
                   import_records(session, ((i, r, "") for i, r in enumerate(without, 1)),
                                  owner=placeholder, progress=progress)]
    with rt.session_factory() as session:
        out["patents"] = session.scalar(select(func.count()).select_from(Patent))
        out["listed"] = session.scalar(select(func.count()).select_from(Patent)
                                       .where(Patent.listing_state == "listed"))
    out["rejected"] = sum(len(r.rejected) for r in reports)
    out["import_docs_per_s"] = round(out["patents"] / out["import_s"], 1)
    return out


# -- our index -------------------------------------------------------------------------------

def index_stats(path: Path) -> dict:
    from whoosh import index as windex

    ix = windex.open_dir(str(path))
    with ix.reader() as r:
        segments = len(r.leaf_readers()) if hasattr(r, "leaf_readers") else 1
        out = {"docs": r.doc_count(), "segments": segments,
               "size_mb": round(dir_size(path) / 2**20, 1)}
    ix.close()
    return out


def rebuild_index(rt, procs: int) -> dict:
    from matchmaker.search.indexer import rebuild
    from matchmaker.search.fields import PATENT

    with rt.session_factory() as session:
        from matchmaker.search.indexer import total_rows
        total = total_rows(session, PATENT)
    out: dict = {"procs": procs}
    progress = Progress("rebuild", total)
    with timed(out, "rebuild_s"):
        out["docs"] = rebuild(rt.session_factory, rt.search, PATENT, procs=procs, progress=progress)
    out["docs_per_s"] = round(out["docs"] / out["rebuild_s"], 1)
    if rt.search.name == "whoosh":
        out.update({k: v for k, v in index_stats(rt.search.path(PATENT)).items() if k != "docs"})
    else:
        out["size_mb"] = round(rt.search.size_bytes(PATENT) / 2**20, 1)
    return out


def short_queries() -> list[str]:
    """What people type into the search box: the development short-query set, and each need
    title's first two content words as a two-word query (the concept path, not the OR path)."""
    from matchmaker.text.tokenize import tokenize
    queries = [json.loads(l)["query"] for l in open(DATA / "eval" / "search_dev_queries.jsonl",
                                                    encoding="utf-8") if l.strip()]
    with open(NEEDS_FILE, encoding="utf-8") as fh:
        for line in fh:
            words = tokenize(json.loads(line).get("title") or "") if line.strip() else []
            if len(words) >= 2:
                queries.append(" ".join(words[:2]))
    return list(dict.fromkeys(queries))


def time_queries(fn, queries: list[str], label: str, repeat: int = 1, warmup: int = 10) -> dict:
    for q in queries[:warmup]:
        fn(q)
    samples, totals = [], []
    progress = Progress(label, len(queries) * repeat)
    for _ in range(repeat):
        for q in queries:
            t0 = time.perf_counter()
            totals.append(fn(q))
            samples.append(time.perf_counter() - t0)
            progress()
    load = os.getloadavg()[0]
    return percentiles(samples) | {"load": round(load, 2),
                                   "mean_total_hits": round(statistics.fmean(totals), 1)}


def bench_queries(rt, queries: list[str], repeat: int) -> dict:
    from matchmaker.search.query import parse_text
    from matchmaker.search.fields import PATENT
    from matchmaker.search.service import SearchRequest, search_patents

    rt.search.forget()
    session = rt.session_factory()
    today = date.today()

    def full(q: str) -> int:
        page = search_patents(session, rt.search, None, SearchRequest(q=q), today=today)
        session.rollback()  # a page request gets a fresh session; don't let the identity map grow
        return page.total

    def bare(q: str) -> int:
        return rt.search.search(PATENT, parse_text(q)[0], limit=20).total

    try:
        out = {"service": time_queries(full, queries, "search_patents", repeat),
               "backend": time_queries(bare, queries, "backend.search", repeat),
               "short": time_queries(full, short_queries(), "search_patents, short queries", repeat)}
    finally:
        session.close()
    return out


def bench_freshness(settings, tries: int = 5, timeout: float = 10.0) -> dict:
    """Create + commit one patent through a runtime with index_on_commit=True; time until
    search_patents finds it by its (unique) title."""
    from dataclasses import replace

    from sqlalchemy import select

    from matchmaker.catalog.patents import PatentInput, create_patent
    from matchmaker.models import ListingState, Organization, Patent
    from matchmaker.runtime import build_runtime
    from matchmaker.search.service import SearchRequest, search_patents

    rt = build_runtime(replace(settings, index_on_commit=True))
    samples, commit_only, ids = [], [], []
    try:
        with rt.session_factory() as session:
            owner_id = session.scalar(select(Organization.id).where(Organization.name == BENCH_OWNER))
        for i in range(tries):
            marker = f"氦氖激光陀螺{'甲乙丙丁戊己庚辛壬癸'[i % 10]}型谐振腔"
            title = f"一种{marker}的装配方法"
            t0 = time.perf_counter()
            with rt.session_factory() as session:
                owner = session.get(Organization, owner_id)
                p = create_patent(session, None, PatentInput(
                    title=title, abstract=f"本发明公开了一种{marker}的装配方法，用于基准测试。",
                    listing_state=ListingState.LISTED.value), owner=owner)
                session.commit()  # index_on_commit: the outbox is applied right after this
                ids.append(p.id)
            commit_only.append(time.perf_counter() - t0)
            found = False
            while time.perf_counter() - t0 < timeout:
                with rt.session_factory() as session:
                    page = search_patents(session, rt.search, None, SearchRequest(q=title))
                if any(h.id == ids[-1] for h in page.hits):
                    found = True
                    break
                time.sleep(0.01)
            samples.append(time.perf_counter() - t0 if found else float("inf"))
        with rt.session_factory() as session:  # leave the corpus as it was
            for pid in ids:
                session.delete(session.get(Patent, pid))
            session.commit()
    finally:
        rt.dispose()
    finite = [s for s in samples if s != float("inf")]
    return {"tries": tries, "found": len(finite),
            "median_s": round(statistics.median(finite), 3) if finite else None,
            "max_s": round(max(samples), 3) if finite else None,
            "commit_with_index_median_s": round(statistics.median(commit_only), 3),
            "load": round(os.getloadavg()[0], 2)}


# -- plain Whoosh baseline -------------------------------------------------------------------

def baseline(rt, queries: list[str], workdir: Path, repeat: int) -> dict:
    """Whoosh defaults: jieba.analyse.ChineseAnalyzer on title and abstract, default writer
    (one process, default limitmb, default codec), plain commit; queries are an Or of the
    analyzer's tokens (of the first 500 characters) over both fields, no filters or facets."""
    import logging

    import jieba
    from jieba.analyse import ChineseAnalyzer
    from sqlalchemy import select
    from whoosh import index as windex
    from whoosh import query as Q
    from whoosh.fields import ID, TEXT, Schema

    from matchmaker.models import Patent
    from matchmaker.search.query import MAX_QUERY_CHARS

    jieba.setLogLevel(logging.WARNING)
    analyzer = ChineseAnalyzer()
    path = workdir / "baseline_index"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    ix = windex.create_in(str(path), Schema(id=ID(stored=True, unique=True),
                                            title=TEXT(analyzer=analyzer),
                                            abstract=TEXT(analyzer=analyzer)))
    with rt.session_factory() as session:
        rows = session.execute(select(Patent.id, Patent.title, Patent.abstract)
                               .order_by(Patent.id)).all()
    jieba.initialize()  # don't bill the dictionary load to the first documents
    out: dict = {}
    progress = Progress("baseline build", len(rows))
    with timed(out, "build_s"):
        w = ix.writer()
        for pid, title, abstract in rows:
            doc = {"id": str(pid), "abstract": abstract or ""}
            if title:
                doc["title"] = title
            w.add_document(**doc)
            progress()
        w.commit()
    out["docs"] = len(rows)
    out["docs_per_s"] = round(len(rows) / out["build_s"], 1)
    ix.close()
    out.update({k: v for k, v in index_stats(path).items() if k != "docs"})

    ix = windex.open_dir(str(path))
    with ix.searcher() as s:
        def search(q: str) -> int:
            # the same 500 characters our query parser keeps (untruncated, the longest needs
            # make a default Or of ~1,000 terms and take seconds each)
            words = list(dict.fromkeys(t.text for t in analyzer(q[:MAX_QUERY_CHARS])))
            if not words:
                return 0
            res = s.search(Q.Or([Q.Term(f, w) for w in words for f in ("title", "abstract")]),
                           limit=20)
            hits = [h["id"] for h in res]  # noqa: F841 - materialize the page like a caller would
            return res.estimated_length()
        out["query"] = time_queries(search, queries, "baseline query", repeat, warmup=2)
    ix.close()
    return out


# -- main ------------------------------------------------------------------------------------

def run(args) -> dict:
    from sqlalchemy import func, select

    from matchmaker.config import Settings
    from matchmaker.migrate import upgrade
    from matchmaker.models import Patent
    from matchmaker.runtime import build_runtime
    from matchmaker.text.segmenter import get_segmenter

    tmp = None
    if args.instance:
        instance = Path(args.instance)
    else:
        tmp = tempfile.mkdtemp(prefix="mm-bench-")
        instance = Path(tmp)
    result: dict = {"scale": args.scale, "instance": str(instance), "cpus": os.cpu_count(),
                    "load_at_start": [round(x, 2) for x in os.getloadavg()],
                    "targets": TARGETS}
    try:
        settings = Settings(instance_dir=instance, index_on_commit=False,
                            secret_key=secrets.token_hex(32)).resolved()
        rt = build_runtime(settings)
        upgrade(rt.engine)
        get_segmenter()  # load the dictionary once, outside every timed phase
        with rt.session_factory() as session:
            existing = session.scalar(select(func.count()).select_from(Patent))
        if existing and args.reuse_db:
            log(f"reusing the {existing:,} patents already in {instance}")
            result["import"] = {"patents": existing, "reused": True}
        elif existing:
            raise SystemExit(f"{instance} already holds {existing} patents; pass --reuse-db "
                             "or use an empty instance")
        else:
            records = scaled(corpus_records(), args.scale)
            log(f"importing {len(records):,} records")
            result["import"] = import_corpus(rt, records)
            log(f"imported: {result['import']}")
        if args.import_only:
            rt.dispose()
            return result
        queries = needs_queries()[: args.queries or None]
        result["queries"] = len(queries)

        if args.no_rebuild:
            result["rebuild"] = {"docs": rt.search.doc_count("patent"), "reused": True,
                                 **index_stats(rt.search.path("patent"))}
        else:
            log("rebuilding the patent index")
            result["rebuild"] = rebuild_index(rt, args.procs)
            log(f"rebuilt: {result['rebuild']}")
        result["search"] = bench_queries(rt, queries, args.repeat)
        log(f"search: {result['search']}")
        if not args.no_freshness:
            result["freshness"] = bench_freshness(settings)
            log(f"freshness: {result['freshness']}")
        if not args.no_baseline:
            step = max(1, -(-len(queries) // args.baseline_queries))
            result["baseline"] = baseline(rt, queries[::step], instance, args.repeat)
            log(f"baseline: {result['baseline']}")
        rt.dispose()
    finally:
        if tmp and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    result["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return result


def verdicts(r: dict) -> list[tuple[str, str, str]]:
    rb = r["rebuild"]
    docs = rb["docs"]
    rows = []
    if "rebuild_s" in rb and docs <= 30_000:
        rows.append((f"full rebuild ({docs:,} docs) ≤ {TARGETS['rebuild_25k_s']:.0f} s",
                     f"{rb['rebuild_s']:.1f} s", rb["rebuild_s"] <= TARGETS["rebuild_25k_s"]))
    limit = (TARGETS["p95_25k_ms"] if docs <= 30_000
             else TARGETS["p95_100k_ms"] if docs <= 110_000 else None)
    for key, label in (("service", "need queries"), ("short", "short queries")):
        p95 = r["search"].get(key, {}).get("p95_ms")
        if limit and p95 is not None:
            rows.append((f"search_patents p95, {label} ({docs:,} docs) ≤ {limit:.0f} ms",
                         f"{p95:.0f} ms", p95 <= limit))
    fr = r.get("freshness")
    if fr and fr["max_s"] is not None:
        rows.append((f"new patent searchable ≤ {TARGETS['freshness_s']:.0f} s (max of {fr['tries']})",
                     f"{fr['max_s']:.2f} s", fr["max_s"] <= TARGETS["freshness_s"]))
    return [(a, b, "met" if ok else "MISSED") for a, b, ok in rows]


def table(r: dict) -> str:
    imp, rb, s = r["import"], r["rebuild"], r["search"]
    bl = r.get("baseline")
    lines = [f"matchmaker search benchmark — {rb['docs']:,} patents, {r['queries']} need queries, "
             f"{r['cpus']} CPUs, load at start {r['load_at_start'][0]}"]
    if not imp.get("reused"):
        lines.append(f"import (import_records → SQLite): {imp['patents']:,} patents "
                     f"({imp['listed']:,} listed, {imp['rejected']} rejected) in {imp['import_s']:.1f} s "
                     f"= {imp['import_docs_per_s']:,.0f} docs/s (load {imp['import_s_load']})")
    head = f"{'':36}{'matchmaker':>14}{'whoosh baseline':>18}"
    lines += ["", head, "-" * len(head)]

    def row(label, ours, base=None):
        lines.append(f"{label:36}{ours:>14}{base or '–':>18}")

    def fmt(d, key, spec):
        return format(d[key], spec) if d and key in d else "–"

    row("index build (s)", fmt(rb, "rebuild_s", ".1f"), fmt(bl, "build_s", ".1f"))
    row("index build (docs/s)", fmt(rb, "docs_per_s", ",.0f"), fmt(bl, "docs_per_s", ",.0f"))
    row("index build CPU (s, all processes)", fmt(rb, "rebuild_cpu_s", ".1f"), fmt(bl, "build_cpu_s", ".1f"))
    row("index size (MB)", fmt(rb, "size_mb", ".1f"), fmt(bl, "size_mb", ".1f"))
    row("segments after build", fmt(rb, "segments", "d"), fmt(bl, "segments", "d"))
    row("build load (1-min avg)", fmt(rb, "rebuild_s_load", ""), fmt(bl, "build_s_load", ""))
    for key, label in (("service", "search_patents"), ("backend", "backend.search (bare)"),
                       ("short", "short queries")):
        q = s.get(key)
        if q is None:
            continue
        base = bl["query"] if bl and key == "backend" else None
        for stat, name in (("p50_ms", "p50 (ms)"), ("p95_ms", "p95 (ms)"), ("max_ms", "max (ms)")):
            row(f"{label} {name}", fmt(q, stat, ".1f"), fmt(base, stat, ".1f"))
        row(f"{label} mean hits", fmt(q, "mean_total_hits", ",.0f"), fmt(base, "mean_total_hits", ",.0f"))
        row(f"{label} load", fmt(q, "load", ""), fmt(base, "load", ""))
    if bl:
        lines.append(f"(baseline: no filters/facets, like backend.search (bare); its query figures "
                     f"are over {bl['query']['n']} evenly spaced needs, ours over all {r['queries']})")
    fr = r.get("freshness")
    if fr:
        row("new patent searchable (median s)", f"{fr['median_s']}")
        row("new patent searchable (max s)", f"{fr['max_s']}")
    lines += ["", "targets:"]
    lines += [f"  {a:48} {b:>10}  {c}" for a, b, c in verdicts(r)]
    lines.append(f"load at end {r['load_at_end']}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=int, default=None,
                    help="replicate the corpus with varied ids up to N documents (e.g. 100000)")
    ap.add_argument("--instance", help="instance dir to work in (kept); default: a temporary one")
    ap.add_argument("--reuse-db", action="store_true",
                    help="with --instance: reuse patents already imported there")
    ap.add_argument("--import-only", action="store_true",
                    help="only load the corpus (use with --instance, then --reuse-db)")
    ap.add_argument("--no-rebuild", action="store_true",
                    help="with --reuse-db: query the existing index instead of rebuilding it")
    ap.add_argument("--no-freshness", action="store_true", help="skip the add-one-patent test")
    ap.add_argument("--keep", action="store_true", help="keep the temporary instance dir")
    ap.add_argument("--procs", type=int, default=2, help="rebuild processes (default 2)")
    ap.add_argument("--repeat", type=int, default=1, help="run the query set N times")
    ap.add_argument("--queries", type=int, default=0, help="use only the first N needs")
    ap.add_argument("--no-baseline", action="store_true", help="skip the plain Whoosh baseline")
    ap.add_argument("--baseline-queries", type=int, default=40,
                    help="time the baseline on this many evenly spaced needs (default 40: a "
                         "default Whoosh OR of ~200 jieba tokens takes seconds per query)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--json-out", metavar="FILE", help="also write the figures to FILE as JSON")
    args = ap.parse_args(argv)
    result = run(args)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(result, ensure_ascii=False, indent=2))
    if args.json or args.import_only:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
