"""tantivy implementation of SearchBackend (MATCHMAKER_SEARCH_BACKEND=tantivy).

Same documents (pre-tokenized jieba words and character bigrams, joined by spaces), same query
tree (search/plan.py), same filters, facets and sorts as the Whoosh backend; tantivy's Rust
engine answers in a fraction of the time and scales to millions of documents.

One index per kind under `index_dir/<kind>`. Writers of all processes serialize on a file lock
beside it (tantivy's own lock would make a second writer fail instead of wait); a rebuild
writes a new directory and swaps it in, so readers never see a half-built index.
"""
from __future__ import annotations

import fcntl
import json
import logging
import math
import os
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

import tantivy

from . import plan
from .changelog import default_replica
from .backend import Hit, IndexUnavailable, OnDiskBackend, Results, TextQuery
from .documents import RUN_BREAK
from .fields import KINDS, NEED, PATENT, TITLE_BOOST, CLAIMS_BOOST

log = logging.getLogger(__name__)

WRITER_TIMEOUT = 30.0          # seconds to wait for another process's writer
BATCH_HEAP = 50_000_000        # bytes of indexing memory for an outbox batch
REBUILD_HEAP = 400_000_000     # ...and for a rebuild (fewer, larger segments)
UNREADABLE = "全文检索暂时不可用：索引文件缺失或已损坏，请联系管理员运行 matchmaker index rebuild 重建索引"
# The schema's version: an index written by another version is rebuilt (see outdated()).
SCHEMA_VERSION = "3"
# Whoosh applies a field boost to the term frequencies it indexes (title ×3: a title word counts
# three times inside BM25's saturation), not to the score. The title is therefore indexed
# TITLE_BOOST times here: frequency and field length both triple, so length normalization is
# unchanged and a title term scores exactly as in Whoosh (a score boost of 3 weighs titles far
# more: known items and real needs ranked differently). Claims (×½) cannot be halved that way;
# they keep a score boost, and most records have none.
FIELD_REPEATS = {"title": int(TITLE_BOOST)}
FIELD_BOOSTS = {"claims": CLAIMS_BOOST}

WORDS, CHARS, RAW = "mm_words", "mm_chars", "raw"
# (name, kind of field, stored); text kinds: words (freq), chars (positions), keyword (raw,
# fast, for filters and facets; `split` splits one value into several), int (fast, indexed).
_TEXT = {
    PATENT: ("title", "abstract", "claims", "chars"),
    NEED: ("title", "abstract", "chars"),
}
_KEYWORDS = {
    PATENT: {"ipc": " ", "ipc_section": " ", "patent_type": None, "legal_status": None,
             "owner_kind": None, "region": None, "listing_state": None, "owner_id": None,
             "industry": ",", "offer": None, "licence_type": ",", "payment_mode": ","},
    NEED: {"industry": None, "region": None, "state": None, "enterprise_id": None},
}
_INTS = {PATENT: ("expiry", "date", "free_months", "fee_yuan"), NEED: ("date", "expiry")}
_LOWERCASE = {"ipc"}
SORT_FIELDS = {"date": ("date",), "free": ("free_months", "date")}


def _schema(kind: str) -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    # Deleting by an unsigned term does not remove documents in tantivy-py 0.27: by this one.
    b.add_text_field("key", tokenizer_name=RAW, index_option="basic")
    for name in _TEXT[kind]:
        b.add_text_field(name, stored=True, tokenizer_name=WORDS, index_option="freq")
    for name in ("tchars", "bchars"):
        b.add_text_field(name, stored=True, tokenizer_name=CHARS, index_option="position")
    for name in _KEYWORDS[kind]:
        b.add_text_field(name, stored=name in ("ipc", "industry"), fast=True,
                         tokenizer_name=RAW, index_option="basic")
    for name in _INTS[kind]:
        b.add_integer_field(name, indexed=True, fast=True)
    return b.build()


def _register(index: tantivy.Index) -> tantivy.Index:
    """Our analyzers: text arrives tokenized, so split on spaces; the character fields drop the
    run separator but keep its position (a phrase never spans punctuation)."""
    index.register_tokenizer(WORDS, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
    index.register_tokenizer(CHARS, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
                             .filter(tantivy.Filter.custom_stopword([RUN_BREAK])).build())
    return index


def _document(kind: str, doc: Mapping) -> tantivy.Document:
    d = tantivy.Document()
    d.add_unsigned("id", int(doc["id"]))
    d.add_text("key", str(int(doc["id"])))
    for name in _TEXT[kind] + ("tchars", "bchars"):
        if doc.get(name):
            for _ in range(FIELD_REPEATS.get(name, 1)):
                d.add_text(name, str(doc[name]))
    for name, sep in _KEYWORDS[kind].items():
        value = doc.get(name)
        if value in (None, ""):
            continue
        values = str(value).split(sep) if sep else [str(value)]
        for v in values:
            v = v.strip()
            if v:
                d.add_text(name, v.lower() if name in _LOWERCASE else v)
    for name in _INTS[kind]:
        if doc.get(name) is not None:
            d.add_integer(name, int(doc[name]))
    return d


class _Stats:
    """Document frequencies for the plan (memoized: the plan and the compiler both ask)."""

    def __init__(self, searcher):
        self.searcher = searcher
        self._df: dict[tuple[str, str], int] = {}

    def doc_frequency(self, field: str, text: str) -> int:
        key = (field, text)
        if key not in self._df:
            self._df[key] = self.searcher.doc_freq(field, text)
        return self._df[key]

    def doc_count(self) -> int:
        return self.searcher.num_docs

    def idf_alignment(self, field: str, text: str) -> float:
        """Whoosh's idf over tantivy's for a term. Both engines score a term with the same BM25
        expression (K1 1.2, B 0.75) but for the idf: Whoosh log(N/(df+1)) + 1, tantivy
        ln(1 + (N-df+0.5)/(df+0.5)), which weighs common words far less. A term boosted by this
        ratio scores as in Whoosh, so the matcher's tuned weights and the relevance figures
        hold on either backend (scripts/eval_matching.py --backends whoosh,tantivy)."""
        df = self.doc_frequency(field, text)
        if df == 0:
            return 1.0
        # doc_count() counts live documents, df also deleted ones not merged away yet
        n = max(self.doc_count(), df)
        ours = math.log(n / (df + 1)) + 1
        theirs = math.log1p((n - df + 0.5) / (df + 0.5))
        return ours / theirs


class _Batch:
    def __init__(self, kind: str, writer):
        self.kind, self.writer = kind, writer

    def upsert(self, docs: Iterable[dict]) -> None:
        for doc in docs:
            self.writer.delete_documents_by_term("key", str(int(doc["id"])))
            self.writer.add_document(_document(self.kind, doc))

    def delete(self, ids: Iterable[int]) -> None:
        for i in ids:
            self.writer.delete_documents_by_term("key", str(int(i)))


class _Sink:
    def __init__(self, kind: str, writer):
        self.kind, self.writer = kind, writer

    def add(self, doc: dict) -> None:
        self.writer.add_document(_document(self.kind, doc))


class TantivyBackend(OnDiskBackend):
    name = "tantivy"

    def __init__(self, index_dir: Path, replica: str | None = None):
        self.index_dir = Path(index_dir)
        self.replica = replica or default_replica(self.index_dir)
        self._lock = threading.Lock()
        self._indexes: dict[str, tantivy.Index] = {}
        self._schemas = {kind: _schema(kind) for kind in KINDS}
        self._vocab: dict[str, tuple[tuple, list[str]]] = {}
        self._seen: dict[str, tuple[int, int, int]] = {}   # kind → meta.json stamp last loaded

    # -- lifecycle -------------------------------------------------------------------------
    def path(self, kind: str) -> Path:
        if kind not in KINDS:
            raise ValueError(kind)
        return self.index_dir / kind

    def exists(self, kind: str) -> bool:
        return (self.path(kind) / "meta.json").exists()

    def outdated(self, kind: str) -> bool:
        if not self.exists(kind):
            return False
        try:
            stamp = json.loads((self.path(kind) / "matchmaker.json").read_text())
        except (OSError, ValueError):
            return True
        return stamp.get("schema") != SCHEMA_VERSION

    def _index(self, kind: str) -> tantivy.Index:
        with self._lock:
            ix = self._indexes.get(kind)
            if ix is None:
                if not self.exists(kind):
                    self._create(kind)
                try:
                    ix = _register(tantivy.Index.open(str(self.path(kind))))
                except (ValueError, OSError) as exc:
                    log.warning("index %s cannot be opened: %r", kind, exc)
                    raise IndexUnavailable(UNREADABLE) from exc
                self._indexes[kind] = ix
            return ix

    def _create(self, kind: str) -> None:
        """An empty index, created under the writer lock (two processes may start at once)."""
        with self._write_lock(kind):
            if not self.exists(kind):
                self._fresh(self.path(kind), kind)

    def _fresh(self, path: Path, kind: str) -> tantivy.Index:
        path.mkdir(parents=True, exist_ok=True)
        ix = _register(tantivy.Index(self._schemas[kind], path=str(path), reuse=False))
        (path / "matchmaker.json").write_text(json.dumps({"schema": SCHEMA_VERSION}))
        return ix

    @contextmanager
    def _write_lock(self, kind: str) -> Iterator[None]:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        with open(self.index_dir / f".{kind}.writelock", "a+") as fh:
            deadline = time.monotonic() + WRITER_TIMEOUT
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise IndexUnavailable("索引被其他进程锁定") from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def forget(self) -> None:
        with self._lock:
            self._indexes.clear()
            self._vocab.clear()
            self._seen.clear()

    def close(self) -> None:
        self.forget()

    # -- writes ----------------------------------------------------------------------------
    @contextmanager
    def batch(self, kind: str) -> Iterator[_Batch]:
        ix = self._index(kind)     # created first: creation takes the lock itself
        with self._write_lock(kind):
            writer = ix.writer(heap_size=BATCH_HEAP, num_threads=1)
            try:
                yield _Batch(kind, writer)
            except BaseException:
                writer.rollback()
                raise
            writer.commit()
            writer.wait_merging_threads()
            ix.reload()

    @contextmanager
    def rebuilding(self, kind: str) -> Iterator[_Sink]:
        """Write a new index beside the old one and swap the directories when it is complete."""
        with self._write_lock(kind):
            target = self.path(kind)
            staging = target.with_name(f".{kind}.new-{os.getpid()}")
            shutil.rmtree(staging, ignore_errors=True)
            ix = self._fresh(staging, kind)
            writer = ix.writer(heap_size=REBUILD_HEAP, num_threads=min(4, os.cpu_count() or 1))
            try:
                yield _Sink(kind, writer)
            except BaseException:
                writer.rollback()
                shutil.rmtree(staging, ignore_errors=True)
                raise
            writer.commit()
            writer.wait_merging_threads()
            old = target.with_name(f".{kind}.old-{os.getpid()}")
            if target.exists():
                os.replace(target, old)
            os.replace(staging, target)
            shutil.rmtree(old, ignore_errors=True)
            self.forget()

    # -- reads -----------------------------------------------------------------------------
    def _meta_stamp(self, kind: str) -> tuple[int, int, int]:
        """Every commit (of any process) and every rebuild swap writes a new meta.json."""
        st = (self.path(kind) / "meta.json").stat()
        return st.st_ino, st.st_mtime_ns, st.st_size

    def _searcher(self, kind: str):
        """A searcher on the newest commit (of any process); a damaged index is reopened once,
        then reported as IndexUnavailable. The index reloads only when meta.json changed:
        reloading on every search re-reads the segment list for nothing."""
        for attempt in (1, 2):
            try:
                ix = self._index(kind)
                stamp = self._meta_stamp(kind)
                if self._seen.get(kind) != stamp:
                    ix.reload()
                    self._seen[kind] = stamp
                return ix.searcher()
            except IndexUnavailable:
                raise
            except (ValueError, OSError) as exc:
                self.forget()
                if attempt == 2:
                    raise IndexUnavailable(UNREADABLE) from exc
        raise AssertionError("unreachable")

    def doc_count(self, kind: str) -> int:
        return self._searcher(kind).num_docs

    def doc_ids(self, kind: str) -> set[int]:
        s = self._searcher(kind)
        n = s.num_docs
        if not n:
            return set()
        hits = s.search(tantivy.Query.all_query(), limit=n, count=False).hits
        return set(s.fast_field_values("id", [addr for _score, addr in hits]))

    def vocabulary(self, kind: str) -> list[str]:
        s = self._searcher(kind)
        try:   # every commit rewrites meta.json
            stat = (self.path(kind) / "meta.json").stat()
            key = (stat.st_mtime_ns, stat.st_size, s.num_docs)
        except OSError:
            key = None
        cached = self._vocab.get(kind)
        if cached and key is not None and cached[0] == key:
            return cached[1]
        words = [t for t, _n in s.terms_with_prefix("title", "") if len(t) >= 2]
        self._vocab[kind] = (key, words)
        return words

    def search(self, kind: str, query: TextQuery, *, filters: Mapping[str, Sequence[str]] = {},
               ranges: Mapping[str, tuple[int | None, int | None]] = {},
               facets: Sequence[str] = (), sort: str = "relevance", offset: int = 0,
               limit: int = 20, with_terms: bool = False, stored: bool = False,
               count: bool = True) -> Results:
        s = self._searcher(kind)
        schema = self._schemas[kind]
        stats = _Stats(s)
        node = plan.text_plan(kind, query, stats)
        filter_q = _filter_query(schema, filters, ranges)
        if node is None:
            text_q = None
        else:
            text_q = _compile(schema, node, stats)
        if text_q is None and filter_q is None:
            q = tantivy.Query.all_query()
        elif text_q is None:
            q = filter_q
        elif filter_q is None:
            q = text_q
        else:
            q = tantivy.Query.boolean_query([
                (tantivy.Occur.Must, text_q),
                (tantivy.Occur.Must, tantivy.Query.const_score_query(filter_q, 0.0))])
        wanted = offset + limit
        if sort in SORT_FIELDS or text_q is None:
            keys = SORT_FIELDS.get(sort, ("date",))
            res = s.search(q, limit=max(s.num_docs, 1) if len(keys) > 1 else max(wanted, 1),
                           count=True, order_by_field=keys[0], order=tantivy.Order.Desc)
            addrs = [addr for _key, addr in res.hits]
            if len(keys) > 1 and addrs:   # ties of the first key by the next, all descending
                columns = [s.fast_field_values(k, addrs) for k in keys]
                rows = sorted(zip(*columns, range(len(addrs))),
                              key=lambda r: tuple(-(v if v is not None else -2**62) for v in r[:-1]))
                addrs = [addrs[r[-1]] for r in rows]
            scored = [(0.0, a) for a in addrs[offset:wanted]]
        else:
            res = s.search(q, limit=max(wanted, 1), count=count)
            scored = [(float(score), a) for score, a in res.hits[offset:wanted]]
        total = res.count if res.count is not None else len(res.hits)
        if not count and res.count is None:
            total = len(res.hits)
        hits = self._hits(s, kind, scored, node, with_terms, stored)
        facet_counts = self._facets(s, q, facets) if facets else {}
        return Results(total=total, hits=hits, facets=facet_counts)

    def documents(self, kind: str, ids: Sequence[int], *,
                  filters: Mapping[str, Sequence[str]] = {},
                  ranges: Mapping[str, tuple[int | None, int | None]] = {}) -> list[Hit]:
        ids = list(dict.fromkeys(int(i) for i in ids))
        if not ids:
            return []
        res = self.search(kind, TextQuery(), filters={**filters, "key": [str(i) for i in ids]},
                          ranges=ranges, limit=len(ids), stored=True, count=False)
        found = {h.id: replace(h, score=0.0) for h in res.hits}
        return [found[i] for i in ids if i in found]

    def _hits(self, s, kind: str, scored, node, with_terms: bool, stored: bool) -> list[Hit]:
        terms = plan.terms_of(node) if with_terms else set()
        out = []
        for score, addr in scored:
            doc = s.doc(addr).to_dict() if (stored or terms) else None
            if doc is None:
                doc_id = s.fast_field_values("id", [addr])[0]
                out.append(Hit(id=int(doc_id), score=score))
                continue
            tokens: dict[str, set[str]] = {}
            matched = set()
            for field, text in terms:
                if field not in tokens:
                    tokens[field] = {t for v in doc.get(field, []) for t in str(v).split()}
                if text in tokens[field]:
                    matched.add(text)
            fields = {}
            if stored:
                fields = {"id": str(doc["id"][0]),
                          "title": (doc.get("title") or [""])[0],
                          "abstract": (doc.get("abstract") or [""])[0]}
                if "ipc" in doc:
                    fields["ipc"] = " ".join(doc["ipc"])
                if "industry" in doc:
                    fields["industry"] = ",".join(doc["industry"])
            out.append(Hit(id=int(doc["id"][0]), score=score, matched_terms=tuple(sorted(matched)),
                           fields=fields))
        return out

    def _facets(self, s, q, facets: Sequence[str]) -> dict[str, dict[str, int]]:
        spec = {name: {"terms": {"field": name, "size": 10_000}} for name in facets}
        result = s.aggregate(q, spec)
        return {name: {str(b["key"]): int(b["doc_count"]) for b in result.get(name, {}).get("buckets", [])}
                for name in facets}


def _compile(schema, node: plan.Node, stats: _Stats):
    """A plan node as a tantivy query; the schema's field boosts and the idf alignment with
    Whoosh (_Stats.idf_alignment) applied to terms."""
    Q, Occur = tantivy.Query, tantivy.Occur
    if isinstance(node, plan.Term):
        q = Q.term_query(schema, node.field, node.text,
                         index_option="position" if node.field in ("tchars", "bchars") else "freq")
        boost = (node.boost * FIELD_BOOSTS.get(node.field, 1.0)
                 * stats.idf_alignment(node.field, node.text))
        return q if boost == 1.0 else Q.boost_query(q, boost)
    if isinstance(node, plan.Phrase):
        q = Q.phrase_query(schema, node.field, list(node.words))
        return q if node.boost == 1.0 else Q.boost_query(q, node.boost)
    if isinstance(node, plan.AllOf):
        return Q.boolean_query([(Occur.Must, _compile(schema, p, stats)) for p in node.parts])
    if isinstance(node, plan.WithBonus):
        return Q.boolean_query([(Occur.Must, _compile(schema, node.required, stats)),
                                (Occur.Should, _compile(schema, node.bonus, stats))])
    if not node.parts:
        return Q.empty_query()
    q = Q.boolean_query([(Occur.Should, _compile(schema, p, stats)) for p in node.parts])
    return q if node.boost == 1.0 else Q.boost_query(q, node.boost)


def _filter_query(schema, filters: Mapping[str, Sequence[str]],
                  ranges: Mapping[str, tuple[int | None, int | None]]):
    Q, Occur = tantivy.Query, tantivy.Occur
    parts = []
    for name, values in filters.items():
        values = [v.lower() if name in _LOWERCASE else v for v in values if v]
        if values:
            parts.append(Q.term_set_query(schema, name, values) if len(values) > 1
                         else Q.term_query(schema, name, values[0], index_option="basic"))
    for name, (low, high) in ranges.items():
        if low is None and high is None:
            continue
        parts.append(Q.range_query(schema, name, tantivy.FieldType.Integer, low, high))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Q.boolean_query([(Occur.Must, p) for p in parts])
