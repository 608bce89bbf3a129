#!/usr/bin/env python
"""Bulk import benchmark: rows/s for a 10,000-row XLSX and CSV of patents, indexing included.

The files are built from real records of the shared corpus (patents_bdci2022.jsonl: title,
abstract and applicant) laid out as a university's patent export would be: Chinese headers
(序号, 申请号, 专利名称, 摘要, 主分类号, 申请人, 发明人, 申请日, 授权公告日, 法律状态, 专利类型),
new valid and unique application numbers (check digit via ``app_no_check_char``), filing dates
in the number's year, the patent type matching its type digit, 法律状态 有效, an IPC main
group matching the record's (pseudo) label, and generated inventor names. CSV is UTF-8 with a
BOM (format ``csv-gb18030``: GB18030), XLSX is written by openpyxl in write-only mode, which
stores inline strings; format ``xlsx-shared`` rewrites it with a shared-string table, as Excel
and WPS save workbooks (openpyxl's reader loads that table whole).

Each format runs in its own worker process (so its peak RSS is its own) on a fresh instance
(SQLite by default, ``--database-url`` for PostgreSQL: a fresh database per run, created and
dropped here) whose owner organization is an approved university:

1. preview  — ``run_import(..., write=False)``, rolled back (what the web preview does);
2. heap     — the import pass again under tracemalloc, rolled back: peak Python heap;
3. import   — ``run_import(..., write=True)`` and the commit, one transaction;
4. index    — the outbox applied by the runtime's after-commit hook (``index_on_commit=True``,
              i.e. ``Runtime.sync_index``), timed from the database commit until the hook
              returns; then the Whoosh index must hold every row and the outbox be empty;
5. reimport — the same file again, write=True: every row must come back "unchanged".

Counts are verified (every row new, none rejected, as many listed patents and index documents,
an empty outbox; then every row unchanged) and the run fails loudly otherwise. Memory: peak
RSS (ru_maxrss) per worker, the sampled anonymous / file-backed RSS (Whoosh memory-maps its
segment files) while importing and while indexing, and the tracemalloc peak of step 2;
``--memory-check`` repeats everything at 2,000 rows to show whether memory grows with the file.
Optional: ``--rebuild`` times a full index rebuild for comparison; ``--second-file`` then
imports a second, different export into the same owner (near-duplicate checks against the
first file's patents, a non-empty index).

    .venv/bin/python scripts/bench_import.py                      # 10,000 rows, xlsx + csv
    .venv/bin/python scripts/bench_import.py --memory-check       # also 2,000 rows: flat memory?
    .venv/bin/python scripts/bench_import.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/mm_bench
    .venv/bin/python scripts/bench_import.py --formats csv --rows 50000 --json
    .venv/bin/python scripts/bench_import.py --formats csv --second-file --rebuild

Progress goes to stderr. The dictionaries (jieba, OpenCC) are loaded before any timed step,
as the web app does at start. The timed import follows the preview and the heap pass, as a
confirmed web import follows its preview (warm file cache, warm caches in the process). The
1-minute load average is printed with every figure: other jobs on a shared box distort them.
"""
from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import random
import re
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_search import Progress, cpu_seconds, log  # noqa: E402

DATA = Path(os.environ.get("MATCHMAKER_SHARED_DATA", ROOT.parent / "shared" / "data"))
SOURCE_FILE = DATA / "patents" / "patents_bdci2022.jsonl"
UNIVERSITY = "基准测试理工大学"
FORMATS = {"xlsx": ".xlsx", "csv": ".csv", "csv-gb18030": ".gb18030.csv",
           "xlsx-shared": ".shared.xlsx"}
SMALL_ROWS = 2_000
SEED = 20221
HEADERS = ["序号", "申请号", "专利名称", "摘要", "主分类号", "申请人", "发明人", "申请日",
           "授权公告日", "法律状态", "专利类型"]

# One plausible IPC main group per BDCI 2022 class (see bdci2022_label_keywords_unofficial.tsv).
IPC_BY_LABEL = (
    "H04W 72/04", "C12N 15/82", "A41D 13/00", "G06F 16/00", "G06Q 40/08", "C08K 3/00",
    "G06N 3/08", "C02F 1/50", "A61P 35/00", "G06T 7/00", "H01L 31/02", "B23K 37/00",
    "G01D 5/00", "C22B 7/00", "C10G 1/00", "H02G 1/00", "H02S 20/00", "H01M 10/052",
    "C23C 14/00", "F03D 7/00", "A61K 31/00", "B82Y 30/00", "E04B 1/00", "C21D 8/00",
    "B61L 27/00", "D01F 6/00", "G01S 19/00", "E02D 17/00", "F22B 37/00", "H02J 7/00",
    "A23L 17/00", "G05B 19/418", "G01N 21/00", "E21B 43/01", "B64C 13/00", "G06Q 30/02",
)
# Words that make a title a method/substance: such patents are inventions, never utility models.
NOT_UTILITY = ("方法", "工艺", "制备", "用途", "应用", "组合物", "化合物", "菌株", "基因", "算法",
               "程序", "合成", "培育", "检测方法", "药物", "序列", "抗体", "试剂")
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子"
         "杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮"
         "政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航")



# -- generating the files --------------------------------------------------------------------

def source_records(limit: int) -> list[dict]:
    """Corpus records with a usable title, abstract and applicant, shuffled reproducibly."""
    from matchmaker.catalog.corpus import read_jsonl
    from matchmaker.imports.cells import looks_like_formula

    seen, out = set(), []
    for _line, rec, _error in read_jsonl(SOURCE_FILE):
        if not rec:
            continue
        title, abstract = (rec.get("title") or "").strip(), (rec.get("abstract") or "").strip()
        applicant = (rec.get("applicant") or "").strip()
        if not (title and abstract and applicant) or not 2 <= len(title) <= 300:
            continue
        if len(abstract) > 20_000 or looks_like_formula(title) or looks_like_formula(abstract):
            continue
        key = (title, abstract[:200])
        if key in seen:   # the corpus holds two duplicated records
            continue
        seen.add(key)
        label = rec.get("label_id")
        if label is None:
            label = rec.get("pseudo_label_id")
        out.append({"title": title, "abstract": abstract, "applicant": applicant,
                    "label": label if isinstance(label, int) and 0 <= label < 36 else 31})
    random.Random(SEED).shuffle(out)
    if not out:
        raise SystemExit(f"no usable records in {SOURCE_FILE}")
    if limit > len(out):
        log(f"{len(out):,} usable records: replicating them to {limit:,} rows "
            "(same texts, new application numbers)")
    return out


def make_rows(records: list[dict], n: int, today: date) -> list[list]:
    """`n` export rows (without 序号); row i reuses record i mod len(records)."""
    from matchmaker.catalog.numbers import app_no_check_char
    from matchmaker.catalog.ipc import parse_ipc

    for code in IPC_BY_LABEL:
        parse_ipc(code)   # fail here, not as 10,000 rejected rows
    rng = random.Random(SEED)
    rows = []
    for i in range(n):
        rec = records[i % len(records)]
        utility = i % 3 == 0 and not any(w in rec["title"] for w in NOT_UTILITY)
        if utility:  # 10-year term: filed within the last 8 years, granted within a year
            year = rng.randint(today.year - 8, today.year - 2)
        else:        # 20-year term: filed 4-14 years ago, granted 1.5-4 years later
            year = rng.randint(today.year - 14, today.year - 4)
        filed = date(year, 1, 1) + timedelta(days=rng.randint(0, 364))
        granted = filed + timedelta(days=rng.randint(150, 360) if utility
                                    else rng.randint(550, 1400))
        granted = max(filed, min(granted, today - timedelta(days=7)))
        # 7-digit serial, distinct for every row (7919 is prime to 8,999,999)
        body = f"{year}{2 if utility else 1}{1_000_000 + (i * 7919) % 8_999_999:07d}"
        app_no = f"{body}.{app_no_check_char(body)}"
        applicant = UNIVERSITY
        if i % 5 == 0 and rec["applicant"] != UNIVERSITY:   # some co-applicants
            applicant = f"{UNIVERSITY}；{rec['applicant']}"
        inventors = "；".join(rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.randint(1, 2)))
                             for _ in range(rng.randint(2, 5)))
        rows.append([app_no, rec["title"], rec["abstract"], IPC_BY_LABEL[rec["label"]], applicant,
                     inventors, filed, granted, "有效", "实用新型" if utility else "发明专利"])
    return rows


def write_csv(path: Path, rows: list[list], encoding: str) -> None:
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS)
        for i, row in enumerate(rows, 1):
            w.writerow([i, *row[:6], row[6].isoformat(), row[7].isoformat(), *row[8:]])


def write_xlsx(path: Path, rows: list[list]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("专利清单")
    ws.append(HEADERS)

    def day(ws, value):
        cell = WriteOnlyCell(ws, value=datetime(value.year, value.month, value.day))
        cell.number_format = "yyyy-mm-dd"
        return cell

    for i, row in enumerate(rows, 1):
        texts = [ILLEGAL_CHARACTERS_RE.sub("", v) for v in row[:6]]
        ws.append([i, *texts, day(ws, row[6]), day(ws, row[7]), *row[8:]])
    wb.save(path)


_INLINE_CELL = re.compile(rb'<c r="([A-Z]+\d+)"( s="\d+")? t="inlineStr"><is><t(?: xml:space="preserve")?>'
                          rb'(.*?)</t></is></c>', re.S)


def to_shared_strings(path: Path) -> None:
    """Rewrite a workbook's inline strings into a shared-string table, the way Excel and WPS
    save workbooks (openpyxl writes inline strings only); openpyxl's reader loads that table
    whole when the workbook is opened."""
    index: dict[bytes, int] = {}
    count = 0

    def shared(m: re.Match) -> bytes:
        nonlocal count
        count += 1
        i = index.setdefault(m.group(3), len(index))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (m.group(1), m.group(2) or b"", i)

    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = _INLINE_CELL.sub(shared, data)
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" '
                                    b'ContentType="application/vnd.openxmlformats-officedocument.'
                                    b'spreadsheetml.sharedStrings+xml"/></Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/'
                                    b'sharedStrings" Target="sharedStrings.xml" Id="rIdSst"/>'
                                    b'</Relationships>')
            dst.writestr(info, data)
        sst = b"".join(b'<si><t xml:space="preserve">%s</t></si>' % t for t in index)
        dst.writestr("xl/sharedStrings.xml",
                     b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://'
                     b'schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" '
                     b'uniqueCount="%d">%s</sst>' % (count, len(index), sst))
    tmp.replace(path)


def generate(files_dir: Path, formats: list[str], sizes: list[int],
             second: bool = False) -> dict[tuple[str, int, bool], Path]:
    """The files, keyed by (format, rows, second). A "second" file holds the next `rows`
    records (other texts, other application numbers): a later export of the same owner."""
    files_dir.mkdir(parents=True, exist_ok=True)
    total = max(sizes) * (2 if second else 1)
    records = source_records(total)
    rows = make_rows(records, total, date.today())
    del records
    out = {}
    for size in sizes:
        for fmt in formats:
            for is_second in (False, True) if second else (False,):
                part = rows[size:2 * size] if is_second else rows[:size]
                path = files_dir / f"patents-{size}{'-second' if is_second else ''}{FORMATS[fmt]}"
                t0 = time.perf_counter()
                if fmt.startswith("xlsx"):
                    write_xlsx(path, part)
                    if fmt == "xlsx-shared":
                        to_shared_strings(path)
                else:
                    write_csv(path, part, "gb18030" if fmt == "csv-gb18030" else "utf-8-sig")
                log(f"wrote {path.name}: {size:,} rows, {path.stat().st_size / 2**20:.1f} MB "
                    f"in {time.perf_counter() - t0:.1f} s")
                out[fmt, size, is_second] = path
    return out


# -- PostgreSQL: a fresh database per run ----------------------------------------------------

def pg_admin(url: str):
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def pg_create(url: str, suffix: str) -> str:
    """Create `<database of url>_<suffix>` (refusing an existing one) and return its URL."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database or 'matchmaker'}_{suffix}".replace("-", "_").lower()
    engine = pg_admin(url)
    try:
        with engine.connect() as conn:
            if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
                raise SystemExit(f"database {name} already exists; drop it or choose another "
                                 "--database-url (this script only drops databases it created)")
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def pg_drop(url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    engine = pg_admin(url)
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    finally:
        engine.dispose()


# -- one run (worker process) ----------------------------------------------------------------

class BenchFailure(RuntimeError):
    pass


def check(ok: bool, message: str) -> None:
    if not ok:
        raise BenchFailure(message)


def maxrss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def load() -> float:
    return round(os.getloadavg()[0], 2)


class Heartbeat:
    """Logs every `every` seconds while a step without its own progress runs (the index
    update inside commit()), with the outbox rows still pending."""

    def __init__(self, label: str, factory, every: float = 5.0):
        self.label, self.factory, self.every = label, factory, every
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from matchmaker.search.indexer import pending_count

        t0 = time.perf_counter()
        while not self.stop.wait(self.every):
            try:
                with self.factory() as session:
                    pending = f", {pending_count(session):,} outbox rows pending"
            except Exception:  # noqa: BLE001 - only a progress line
                pending = ""
            log(f"{self.label}: {time.perf_counter() - t0:.0f} s{pending}")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


def rss_now() -> dict[str, float]:
    """Current anonymous and file-backed RSS in MB (Linux); {} elsewhere. File-backed pages
    are mostly Whoosh's memory-mapped segment files: page cache the kernel can drop, unlike
    anonymous memory (the Python heap, SQLite's cache...)."""
    try:
        with open("/proc/self/status") as fh:
            return {k.strip(): int(v.split()[0]) / 1024 for k, v in
                    (line.split(":", 1) for line in fh) if k in ("RssAnon", "RssFile")}
    except OSError:
        return {}


class MemSampler:
    """Samples RssAnon/RssFile every `every` seconds; keeps the peak of each per phase."""

    def __init__(self, every: float = 0.1):
        self.every, self.phase, self.peaks = every, "", {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        peaks = self.peaks.setdefault(self.phase, {})
        for key, mb in rss_now().items():
            peaks[key] = max(peaks.get(key, 0.0), mb)

    def _run(self) -> None:
        while not self.stop.wait(self.every):
            self._sample()

    def mark(self, phase: str) -> None:
        self._sample()
        self.phase = phase
        self._sample()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()
        self._sample()

    def result(self) -> dict:
        return {f"{phase}_{key}_peak_mb": round(mb, 1)
                for phase, peaks in self.peaks.items() for key, mb in peaks.items()}


def worker(path: Path, instance: Path, database_url: str, fmt: str, rows: int,
           compare_rebuild: bool = False, second: Path | None = None) -> dict:
    from sqlalchemy import event, func, select

    from matchmaker.config import Settings
    from matchmaker.imports.service import ImportOptions, run_import
    from matchmaker.migrate import upgrade
    from matchmaker.models import (ImportKind, ListingState, Organization, OrgKind, OrgStatus,
                                   Patent)
    from matchmaker.runtime import build_runtime
    from matchmaker.search.indexer import pending_count
    from matchmaker.search.fields import PATENT
    from matchmaker.text import warm_up

    settings = Settings(instance_dir=instance, database_url=database_url, index_on_commit=True,
                        secret_key=secrets.token_hex(32)).resolved()
    check(settings.index_on_commit, "index_on_commit is off")
    rt = build_runtime(settings)
    out: dict = {"format": fmt, "rows": rows, "file_mb": round(path.stat().st_size / 2**20, 2),
                 "database": rt.engine.dialect.name}
    try:
        upgrade(rt.engine)
        with rt.transaction() as session:
            check(not session.scalar(select(func.count()).select_from(Patent)),
                  f"{instance}: the database already holds patents")
            org = Organization(kind=OrgKind.UNIVERSITY, name=UNIVERSITY, status=OrgStatus.APPROVED,
                               source="bench")
            session.add(org)
            session.flush()
            org_id = org.id
        warm_up()                 # jieba + OpenCC, loaded at start by the web app as well
        rt.search.index(PATENT)   # create the empty index outside the timed steps
        gc.collect()
        out["rss_setup_mb"] = maxrss_mb()
        options = ImportOptions(max_rows=max(rows, 50_000))

        # The database commit, then the outbox hook: this listener runs first, so the time
        # between it and the end of commit() is the index update. (The hook's own sessions
        # commit too, hence setdefault: only the first commit after `marks.clear()` counts.)
        marks: dict[str, float] = {}
        event.listen(rt.session_factory, "after_commit",
                     lambda _s: marks.setdefault("db_committed", time.perf_counter()), insert=True)

        def one_pass(label: str, write: bool, commit: bool, trace: bool = False,
                     file: Path = path):
            progress = Progress(f"{fmt} {label}", rows)
            session = rt.session_factory()
            sampler = MemSampler()
            try:
                sampler.__enter__()
                sampler.mark("rows")
                session.begin()
                owner = session.get(Organization, org_id)
                if trace:
                    gc.collect()
                    tracemalloc.start()
                load0, c0 = load(), cpu_seconds()
                t0 = time.perf_counter()
                summary = run_import(session, file, ImportKind.PATENTS, organization=owner,
                                     options=options, write=write, progress=progress)
                t_rows = time.perf_counter()
                heap = tracemalloc.get_traced_memory()[1] if trace else None
                if trace:
                    tracemalloc.stop()
                marks.clear()
                sampler.mark("commit")
                if commit:
                    with Heartbeat(f"{fmt} {label}: commit and index update", rt.session_factory):
                        session.commit()
                else:
                    session.rollback()
                t_end = time.perf_counter()
            finally:
                if tracemalloc.is_tracing():
                    tracemalloc.stop()
                session.close()
                sampler.__exit__()
            step = {"rows_s": round(t_rows - t0, 3), "end_s": round(t_end - t0, 3),
                    "cpu_s": round(cpu_seconds() - c0, 1), "load": max(load0, load()),
                    "counts": dict(summary.counts), "warnings": summary.warning_count,
                    "rejected_sample": summary.rejected[:5]}
            if commit and write:
                db = marks.get("db_committed", t_end)
                step["commit_s"] = round(db - t_rows, 3)     # database commit
                step["index_s"] = round(t_end - db, 3)       # after-commit outbox apply
                step["import_s"] = round(db - t0, 3)         # rows + flushes + database commit
            if heap is not None:
                step["peak_heap_mb"] = round(heap / 2**20, 1)
            step.update(sampler.result())
            log(f"{fmt} {label}: {step['counts']} in {step['end_s']:.1f} s "
                f"(cpu {step['cpu_s']} s, load {step['load']})")
            return summary, step

        def expect(step: dict, label: str, status: str) -> None:
            c = step["counts"]
            check(c[status] == rows and sum(c.values()) == rows,
                  f"{fmt} {label}: expected {rows:,} rows {status}, got {c}; "
                  f"rejected e.g. {step['rejected_sample']}")

        _s, out["preview"] = one_pass("preview", write=False, commit=False)
        expect(out["preview"], "preview", "new")
        out["rss_after_preview_mb"] = maxrss_mb()
        _s, out["heap"] = one_pass("import under tracemalloc (rolled back)", write=True,
                                   commit=False, trace=True)
        expect(out["heap"], "traced import", "new")
        out["rss_after_heap_pass_mb"] = maxrss_mb()
        with rt.session_factory() as session:
            check(pending_count(session) == 0, "the rolled-back pass left index work behind")

        _s, out["import"] = one_pass("import + index", write=True, commit=True)
        expect(out["import"], "import", "new")
        check("index_s" in out["import"], "the after-commit hook did not run")
        rt.search.forget()
        with rt.session_factory() as session:
            pending = pending_count(session)
            patents = session.scalar(select(func.count()).select_from(Patent)
                                     .where(Patent.owner_id == org_id))
            listed = session.scalar(select(func.count()).select_from(Patent)
                                    .where(Patent.listing_state == ListingState.LISTED))
        docs = rt.search.doc_count(PATENT)
        out["after_import"] = {"patents": patents, "listed": listed, "index_docs": docs,
                               "outbox_pending": pending}
        check(pending == 0, f"{pending} index tasks still pending after the commit "
                            "(the after-commit apply failed: see the log above)")
        check(patents == rows and listed == rows,
              f"expected {rows:,} listed patents, found {patents:,} ({listed:,} listed)")
        check(docs == rows, f"the index holds {docs:,} documents, expected {rows:,}")
        out["rss_after_import_mb"] = maxrss_mb()

        _s, out["reimport"] = one_pass("reimport", write=True, commit=True)
        expect(out["reimport"], "reimport", "unchanged")
        rt.search.forget()
        with rt.session_factory() as session:
            check(pending_count(session) == 0, "the unchanged re-import left index work")
        check(rt.search.doc_count(PATENT) == rows, "the index changed on the re-import")
        out["rss_peak_mb"] = maxrss_mb()
        if second is not None:
            # A later, different export of the same owner: every new row is compared with the
            # owner's existing patents (near-duplicate check), and the index is no longer empty.
            _s, out["second_preview"] = one_pass("second file: preview", write=False,
                                                 commit=False, file=second)
            _s, step = one_pass("second file: import + index", write=True, commit=True,
                                file=second)
            out["second"] = step
            c = step["counts"]
            check(c["rejected"] == 0 and c["new"] + c["near_duplicate"] == rows,
                  f"{fmt} second file: expected {rows:,} new or near-duplicate rows, got {c}")
            rt.search.forget()
            docs = rt.search.doc_count(PATENT)
            check(docs == rows + c["new"], f"the index holds {docs:,} documents after the "
                                           f"second file, expected {rows + c['new']:,}")
        with rt.session_factory() as session:
            total = session.scalar(select(func.count()).select_from(Patent))
        if compare_rebuild:   # forks 2 workers; not part of the RSS figures above
            from matchmaker.search.indexer import rebuild
            load0, t0 = load(), time.perf_counter()
            docs = rebuild(rt.session_factory, rt.search, PATENT, procs=2,
                           progress=Progress(f"{fmt} rebuild", total))
            out["rebuild"] = {"s": round(time.perf_counter() - t0, 3), "docs": docs,
                              "load": max(load0, load())}
            check(docs == total, f"the rebuild indexed {docs:,} documents, expected {total:,}")
            log(f"{fmt} full rebuild (2 procs): {docs:,} docs in {out['rebuild']['s']:.1f} s")
        log(f"{fmt} peak RSS (MB): setup {out['rss_setup_mb']}, preview {out['rss_after_preview_mb']}, "
            f"traced import {out['rss_after_heap_pass_mb']}, import + index "
            f"{out['rss_after_import_mb']}, reimport {out['rss_peak_mb']}")
    finally:
        rt.dispose()
    return out


# -- orchestration ---------------------------------------------------------------------------

def rate(rows: int, seconds: float | None) -> float | None:
    return round(rows / seconds, 1) if seconds else None


def summarize(r: dict) -> dict:
    n, imp = r["rows"], r["import"]
    return {"preview_rows_per_s": rate(n, r["preview"]["end_s"]),
            "import_rows_per_s": rate(n, imp["import_s"]),
            "index_rows_per_s": rate(n, imp["index_s"]),
            "import_index_rows_per_s": rate(n, imp["end_s"]),
            "reimport_rows_per_s": rate(n, r["reimport"]["end_s"]),
            "rebuild_rows_per_s": rate(r["rebuild"]["docs"], r["rebuild"]["s"])
            if "rebuild" in r else None,
            "second_preview_rows_per_s": rate(n, r["second_preview"]["end_s"])
            if "second_preview" in r else None,
            "second_import_rows_per_s": rate(n, r["second"]["import_s"]) if "second" in r else None,
            "second_index_rows_per_s": rate(r["second"]["counts"]["new"], r["second"]["index_s"])
            if "second" in r else None,
            "second_import_index_rows_per_s": rate(n, r["second"]["end_s"]) if "second" in r else None,
            "peak_heap_mb": r["heap"]["peak_heap_mb"],
            "peak_rss_mb": r["rss_peak_mb"],
            # sampled peaks (MB) of the timed import step: while the rows are read and written,
            # and during commit() (the index update); anonymous vs file-backed (mmapped index)
            "import_anon_mb": imp.get("rows_RssAnon_peak_mb"),
            "index_anon_mb": imp.get("commit_RssAnon_peak_mb"),
            "index_file_mb": imp.get("commit_RssFile_peak_mb")}


def run(args) -> dict:
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise SystemExit(f"unknown format(s) {unknown}; choose from {', '.join(FORMATS)}")
    sizes = sorted({SMALL_ROWS, args.rows}) if args.memory_check else [args.rows]
    tmp = None
    if args.instance:
        base = Path(args.instance).resolve()
        base.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.mkdtemp(prefix="bench-import-", dir=ROOT / "instance"
                               if (ROOT / "instance").is_dir() else None)
        base = Path(tmp)
    result: dict = {"instance": str(base), "cpus": os.cpu_count(), "formats": formats,
                    "sizes": sizes, "database": "postgresql" if args.database_url else "sqlite",
                    "load_at_start": [round(x, 2) for x in os.getloadavg()], "runs": []}
    t_start = time.perf_counter()
    try:
        files = generate(base / "files", formats, sizes, second=bool(args.second_file))
        for size in sizes:
            for fmt in formats:
                tag = f"{fmt}-{size}"
                instance = base / tag
                if instance.exists():
                    raise SystemExit(f"{instance} exists; use a fresh --instance directory")
                db_url = pg_create(args.database_url, f"bench_import_{tag}") \
                    if args.database_url else ""
                try:
                    log(f"{tag}: worker on {instance}" + (f" ({db_url})" if db_url else ""))
                    cmd = [sys.executable, __file__, "--worker", str(files[fmt, size, False]),
                           "--instance", str(instance), "--rows", str(size), "--formats", fmt,
                           "--database-url", db_url] + (["--rebuild"] if args.rebuild else []) \
                        + (["--worker-second", str(files[fmt, size, True])] if args.second_file else [])
                    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
                    if proc.returncode:
                        raise SystemExit(f"{tag}: the benchmark FAILED (exit {proc.returncode}); "
                                         "see the error above")
                    run_result = json.loads(proc.stdout.strip().splitlines()[-1])
                finally:
                    if db_url and not args.keep:
                        pg_drop(db_url)
                run_result["summary"] = summarize(run_result)
                result["runs"].append(run_result)
    finally:
        if tmp and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        elif args.keep or args.instance:
            log(f"kept {base}")
    result["wall_s"] = round(time.perf_counter() - t_start, 1)
    result["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return result


def fmt_num(value, spec=",.0f") -> str:
    return "–" if value is None else format(value, spec)


def table(r: dict) -> str:
    cols = ("format", "rows", "preview rows/s", "import rows/s", "index rows/s",
            "import+index rows/s", "reimport rows/s", "peak heap MB", "peak RSS MB")
    lines = [f"matchmaker import benchmark — {r['database']}, {r['cpus']} CPUs, "
             f"load at start {r['load_at_start'][0]}, total run {r['wall_s']:.0f} s", ""]
    body = []
    for run in r["runs"]:
        s = run["summary"]
        body.append((run["format"], f"{run['rows']:,}", fmt_num(s["preview_rows_per_s"]),
                     fmt_num(s["import_rows_per_s"]), fmt_num(s["index_rows_per_s"]),
                     fmt_num(s["import_index_rows_per_s"]), fmt_num(s["reimport_rows_per_s"]),
                     fmt_num(s["peak_heap_mb"], ".1f"), fmt_num(s["peak_rss_mb"], ".0f")))
    widths = [max(len(c), *(len(b[i]) for b in body)) for i, c in enumerate(cols)]
    lines.append(" | ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(cols, widths))))
    lines.append("-+-".join("-" * w for w in widths))
    for b in body:
        lines.append(" | ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(b, widths))))
    lines.append("")
    for run in r["runs"]:
        imp, a = run["import"], run["after_import"]
        lines.append(
            f"{run['format']} {run['rows']:,} ({run['file_mb']} MB): "
            f"preview {run['preview']['end_s']:.1f} s, "
            f"import {imp['import_s']:.1f} s (rows {imp['rows_s']:.1f} s + commit {imp['commit_s']:.2f} s), "
            f"index {imp['index_s']:.1f} s, reimport {run['reimport']['end_s']:.1f} s; "
            f"created {imp['counts']['new']:,}, rejected {imp['counts']['rejected']}, "
            f"index docs {a['index_docs']:,}, reimport unchanged {run['reimport']['counts']['unchanged']:,}; "
            f"CPU import+index {imp['cpu_s']} s, load {imp['load']}; "
            f"peak RSS after setup {run['rss_setup_mb']:.0f} MB, after the traced import pass "
            f"{run['rss_after_heap_pass_mb']:.0f} MB, after import+index {run['rss_after_import_mb']:.0f} MB"
            + (f" (sampled peaks: anonymous {imp['rows_RssAnon_peak_mb']:.0f} MB while importing, "
               f"{imp['commit_RssAnon_peak_mb']:.0f} MB while indexing; file-backed while indexing "
               f"{imp['commit_RssFile_peak_mb']:.0f} MB)" if "commit_RssAnon_peak_mb" in imp else "")
            + (f"; for comparison a full index rebuild (2 procs): {run['rebuild']['s']:.1f} s = "
               f"{run['summary']['rebuild_rows_per_s']:,.0f} rows/s" if "rebuild" in run else ""))
        if "second" in run:
            s2, sm = run["second"], run["summary"]
            lines.append(
                f"{run['format']} {run['rows']:,} second file into the same owner (now "
                f"{run['rows']:,} patents): preview {run['second_preview']['end_s']:.1f} s = "
                f"{sm['second_preview_rows_per_s']:,.0f} rows/s, import {s2['import_s']:.1f} s = "
                f"{sm['second_import_rows_per_s']:,.0f} rows/s, index {s2['index_s']:.1f} s = "
                f"{sm['second_index_rows_per_s']:,.0f} rows/s, import+index "
                f"{sm['second_import_index_rows_per_s']:,.0f} rows/s; {s2['counts']['new']:,} new, "
                f"{s2['counts']['near_duplicate']} near-duplicates of the first file's patents")
    sizes = sorted({run["rows"] for run in r["runs"]})
    if len(sizes) > 1:
        lines.append("")
        for fmt in r["formats"]:
            by = {run["rows"]: run["summary"] for run in r["runs"] if run["format"] == fmt}
            small, big = by[sizes[0]], by[sizes[-1]]
            lines.append(
                f"memory {fmt}: {sizes[0]:,} → {sizes[-1]:,} rows ({sizes[-1] / sizes[0]:.0f}x): "
                f"peak heap {small['peak_heap_mb']:.1f} → {big['peak_heap_mb']:.1f} MB "
                f"({big['peak_heap_mb'] / small['peak_heap_mb']:.2f}x); peak RSS "
                f"{small['peak_rss_mb']:.0f} → {big['peak_rss_mb']:.0f} MB, of which while "
                f"importing anonymous {fmt_num(small['import_anon_mb'])} → "
                f"{fmt_num(big['import_anon_mb'])} MB, while indexing anonymous "
                f"{fmt_num(small['index_anon_mb'])} → {fmt_num(big['index_anon_mb'])} MB and "
                f"file-backed (mmapped index segments) {fmt_num(small['index_file_mb'])} → "
                f"{fmt_num(big['index_file_mb'])} MB")
    lines.append("(import = rows + flushes + database commit; index = the after-commit outbox "
                 "apply; import+index = start of import until the index holds every row; "
                 "peak heap = tracemalloc peak of the import pass; peak RSS = whole worker process)")
    lines.append(f"load at end {r['load_at_end']}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=10_000, help="rows per file (default 10000)")
    ap.add_argument("--formats", default="xlsx,csv",
                    help=f"comma-separated, from {', '.join(FORMATS)} (default xlsx,csv)")
    ap.add_argument("--memory-check", action="store_true",
                    help=f"also run at {SMALL_ROWS:,} rows and compare the memory figures")
    ap.add_argument("--instance", help="work here (kept); default: a temporary instance/bench-import-* dir")
    ap.add_argument("--database-url", default="",
                    help="PostgreSQL server URL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/mm; "
                         "each run creates (and drops) the database <name>_bench_import_<format>_<rows>")
    ap.add_argument("--keep", action="store_true", help="keep the instance dir and databases")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--rebuild", action="store_true",
                    help="also time a full index rebuild (indexer.rebuild, 2 procs) for comparison")
    ap.add_argument("--second-file", action="store_true",
                    help="then preview and import a second, different file of as many rows into "
                         "the same owner (who now has N patents: near-duplicate checks against "
                         "them, a non-empty index)")
    ap.add_argument("--worker", metavar="FILE", help=argparse.SUPPRESS)
    ap.add_argument("--worker-second", metavar="FILE", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.rows < 1:
        ap.error("--rows must be positive")
    if args.database_url and not args.database_url.startswith("postgresql") and not args.worker:
        ap.error("--database-url must be a postgresql URL (SQLite is the default)")
    if args.worker:
        try:
            out = worker(Path(args.worker), Path(args.instance), args.database_url,
                         args.formats, args.rows, args.rebuild,
                         Path(args.worker_second) if args.worker_second else None)
        except BenchFailure as exc:
            log(f"FAILED: {exc}")
            return 1
        print(json.dumps(out, ensure_ascii=False))
        return 0
    result = run(args)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
