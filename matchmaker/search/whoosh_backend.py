"""Whoosh implementation of SearchBackend: one on-disk index per kind under the index dir."""
from __future__ import annotations

import logging
import pickle
import struct
import threading
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

from whoosh import index as windex
from whoosh import query as Q
from whoosh import scoring, sorting
from whoosh.query.compound import PreloadedOr
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.util.filelock import try_for
from whoosh.writing import IndexWriter

from .backend import Hit, IndexUnavailable, OnDiskBackend, Results, TextQuery
from . import fastpath
from .bulk import BulkWriter
from . import plan
from .changelog import default_replica
from .schemas import KINDS, SCHEMAS

WRITER_TIMEOUT = 30.0  # seconds to wait for another process's writer lock
FIELD_B: dict[str, float] = {}
# sort name → numeric fields, each descending (ties by the next)
SORT_FIELDS = {"date": ("date",), "free": ("free_months", "date")}   # BM25's length normalization per field (0.75 otherwise)
# What reading a deleted, replaced or damaged index raises (missing files, truncated or garbled
# TOC and segment files): the cached handle is dropped and the read retried once.
READ_ERRORS = (OSError, EOFError, ValueError, IndexError, KeyError, struct.error,
               pickle.UnpicklingError, zlib.error, windex.IndexError)
UNREADABLE = "全文检索暂时不可用：索引文件缺失或已损坏，请联系管理员运行 matchmaker index rebuild 重建索引"

log = logging.getLogger(__name__)


__all__ = ["WhooshBackend", "IndexUnavailable"]


class _Batch:
    """A WriteBatch over one Whoosh writer."""

    def __init__(self, writer: IndexWriter):
        self.writer = writer

    def upsert(self, docs: Iterable[dict]) -> None:
        for doc in docs:
            self.writer.update_document(**doc)

    def delete(self, ids: Iterable[int]) -> None:
        for i in ids:
            self.writer.delete_by_term("id", str(i))


class _Sink:
    """A DocumentSink over a rebuild's writer."""

    def __init__(self, writer):
        self.writer = writer

    def add(self, doc: dict) -> None:
        self.writer.add_document(**doc)


class WhooshBackend(OnDiskBackend):
    """The embedded default: one on-disk Whoosh index per kind under `index_dir`."""

    name = "whoosh"

    def __init__(self, index_dir: Path, replica: str | None = None):
        self.index_dir = Path(index_dir)
        self.replica = replica or default_replica(self.index_dir)
        self._lock = threading.Lock()
        self._indexes: dict[str, windex.Index] = {}
        self._vocab: dict[str, tuple[int, list[str]]] = {}

    # -- lifecycle -------------------------------------------------------------------------
    def path(self, kind: str) -> Path:
        return self.index_dir / kind

    def index(self, kind: str, create: bool = True) -> windex.Index:
        if kind not in KINDS:
            raise ValueError(kind)
        with self._lock:
            ix = self._indexes.get(kind)
            if ix is None:
                path = self.path(kind)
                try:
                    if windex.exists_in(str(path)):
                        ix = windex.open_dir(str(path))
                    elif create:
                        ix = self._create_if_missing(kind)
                    else:
                        raise IndexUnavailable(f"索引目录 {path} 不存在")
                except READ_ERRORS as exc:   # e.g. a truncated TOC: pickle errors too
                    log.warning("index %s cannot be opened: %r", kind, exc)
                    raise IndexUnavailable(UNREADABLE) from exc
                self._indexes[kind] = ix
            return ix

    def _storage_lock(self, kind: str):
        """Whoosh's own write lock, shared by every process using this directory."""
        path = self.path(kind)
        path.mkdir(parents=True, exist_ok=True)
        return FileStorage(str(path)).lock("MAIN_WRITELOCK")

    def _create_if_missing(self, kind: str) -> windex.Index:
        """Create the index under the write lock: `create_in` deletes existing TOC files, so two
        processes starting on a fresh instance must not both create it."""
        lock = self._storage_lock(kind)
        if not lock.acquire(blocking=True):
            raise IndexUnavailable("索引被其他进程锁定")
        try:
            if windex.exists_in(str(self.path(kind))):
                return windex.open_dir(str(self.path(kind)))
            return windex.create_in(str(self.path(kind)), SCHEMAS[kind]())
        finally:
            lock.release()

    def exists(self, kind: str) -> bool:
        return windex.exists_in(str(self.path(kind)))

    def close(self) -> None:
        self.forget()

    @contextmanager
    def batch(self, kind: str) -> Iterator[_Batch]:
        with self.writer(kind) as w:
            yield _Batch(w)

    @contextmanager
    def rebuilding(self, kind: str) -> Iterator[_Sink]:
        """A fresh index written by a BulkWriter into one segment (optimized by construction;
        ~3.5x less CPU than Whoosh's SegmentWriter). compound=False: Whoosh copies a compound
        segment's term and posting files into memory every time a searcher opens it (90 ms per
        search at 25k patents)."""
        with self.rebuilding_writer(kind, bulk=True, compound=False) as w:
            yield _Sink(w)

    @contextmanager
    def rebuilding_writer(self, kind: str, *, bulk: bool = False,
                          **writer_kwargs) -> Iterator[IndexWriter]:
        """A writer on a fresh, empty index, holding the write lock for the whole rebuild so no
        other process writes in between (they wait or leave their work in the outbox).

        `bulk=True` gives a :class:`~.bulk.BulkWriter`: the same single optimized segment,
        written ~3.5x faster (see scripts/bench_search.py)."""
        lock = self._storage_lock(kind)
        if not lock.acquire(blocking=True):
            raise IndexUnavailable("索引被其他进程锁定")
        try:
            with self._lock:
                ix = windex.create_in(str(self.path(kind)), SCHEMAS[kind]())
                self._indexes[kind] = ix
            w = (BulkWriter(ix, _lk=False, **writer_kwargs) if bulk
                 else ix.writer(_lk=False, **writer_kwargs))
            try:
                yield w
            except BaseException:
                w.cancel()
                raise
            else:
                w.commit(optimize=True)
        finally:
            lock.release()
            self.forget()

    def outdated(self, kind: str) -> bool:
        """Whether the index on disk was built with other fields than this version's schema
        (an upgrade changed the schema): it must be rebuilt before it is written to."""
        if not windex.exists_in(str(self.path(kind))):
            return False
        names = self._read(kind, lambda ix: set(ix.schema.names()))
        return names != set(SCHEMAS[kind]().names())

    def forget(self) -> None:
        """Drop cached handles, e.g. after the directory was replaced by another process."""
        with self._lock:
            self._indexes.clear()
            self._vocab.clear()

    def _read(self, kind: str, read):
        """`read(ix)` on the cached index. A handle whose files were deleted, replaced or
        damaged since it was opened fails with whatever Whoosh hits first: drop it and retry
        once on a fresh one (a rebuilt or newly created index then just works); failing
        again, the index is unusable: IndexUnavailable (503), never an unexplained 500."""
        for attempt in (1, 2):
            ix = self.index(kind)
            try:
                return read(ix)
            except READ_ERRORS as exc:
                with self._lock:
                    if self._indexes.get(kind) is ix:
                        del self._indexes[kind]
                    self._vocab.pop(kind, None)
                if attempt == 2:
                    log.warning("index %s unreadable: %r", kind, exc)
                    raise IndexUnavailable(UNREADABLE) from exc
        raise AssertionError("unreachable")

    @contextmanager
    def writer(self, kind: str, optimize: bool = False, **kwargs) -> Iterator[IndexWriter]:
        """A writer holding Whoosh's lock; waits for other processes instead of failing.

        The lock is taken and released here: Whoosh's SegmentWriter takes it *before* reading
        the TOC and, when that read fails (a damaged index), leaves it held until the half-built
        writer is garbage collected, so `matchmaker index rebuild` in another process waited
        forever for a lock the app no longer used."""
        ix = self.index(kind)
        lock = ix.lock("WRITELOCK")
        if not try_for(lock.acquire, timeout=WRITER_TIMEOUT, delay=0.1):
            raise LockError("index writer lock is held by another process")
        try:
            w = ix.writer(_lk=False, **kwargs)
            try:
                yield w
            except BaseException:
                w.cancel()
                raise
            else:
                w.commit(optimize=optimize)
        finally:
            lock.release()

    # -- reads -----------------------------------------------------------------------------
    def search(self, kind: str, query: TextQuery, *, filters: Mapping[str, Sequence[str]] = {},
               ranges: Mapping[str, tuple[int | None, int | None]] = {},
               facets: Sequence[str] = (), sort: str = "relevance", offset: int = 0,
               limit: int = 20, with_terms: bool = False, stored: bool = False,
               count: bool = True) -> Results:
        """Ranked ids (and facet counts); `count=False` skips the costly total estimate."""
        return self._read(kind, lambda ix: self._search(
            ix, kind, query, filters=filters, ranges=ranges, facets=facets, sort=sort,
            offset=offset, limit=limit, with_terms=with_terms, stored=stored, count=count))

    def documents(self, kind: str, ids: Sequence[int], *,
                  filters: Mapping[str, Sequence[str]] = {},
                  ranges: Mapping[str, tuple[int | None, int | None]] = {}) -> list[Hit]:
        return self._read(kind, lambda ix: self._documents(ix, kind, ids, filters, ranges))

    def _documents(self, ix: windex.Index, kind: str, ids: Sequence[int],
                   filters: Mapping[str, Sequence[str]],
                   ranges: Mapping[str, tuple[int | None, int | None]]) -> list[Hit]:
        """Looked up by id, checked against the cached filter set (see fastpath.filter_docs):
        a filter naming the ids would evict that cache's one entry every search uses."""
        ids = list(dict.fromkeys(int(i) for i in ids))
        if not ids:
            return []
        filter_q = _filter_query(filters, ranges)
        with ix.searcher() as s:
            allowed = fastpath.searcher_for(self.path(kind)).filter_docs(s, filter_q)
            if allowed is not None and not isinstance(allowed, set):   # an unsegmented index
                res = s.search(Q.Or([Q.Term("id", str(i)) for i in ids]), filter=allowed,
                               limit=len(ids))
                allowed = {hit.docnum for hit in res}
            out = []
            for i in ids:
                docnum = s.document_number(id=str(i))
                if docnum is not None and (allowed is None or docnum in allowed):
                    out.append(Hit(id=i, score=0.0, fields=s.stored_fields(docnum)))
            return out

    def _search(self, ix: windex.Index, kind: str, query: TextQuery, *,
                filters: Mapping[str, Sequence[str]],
                ranges: Mapping[str, tuple[int | None, int | None]], facets: Sequence[str],
                sort: str, offset: int, limit: int, with_terms: bool, stored: bool,
                count: bool) -> Results:
        filter_q = _filter_query(filters, ranges)
        groupedby = {name: fastpath.facet_of(name) for name in facets}
        with ix.searcher(weighting=_weighting()) as s:
            text_q = self._text_query(kind, query, s)
            terms = fastpath.plan(text_q, s) if sort == "relevance" else None
            fast = fastpath.searcher_for(self.path(kind))
            if terms is not None and fast.cacheable_facets(s, facets):
                # Same hits, scores, totals and facets as the Whoosh search below, ~5x faster
                # (see fastpath.py and scripts/bench_search.py).
                n, top, counts, matched = fast.search(s, terms, filter_q, facets,
                                                      offset + limit, with_terms)
                page = top[offset:offset + limit]
                hits = []
                for score, docnum in page:
                    fields = s.stored_fields(docnum)
                    hits.append(Hit(id=int(fields["id"]), score=float(score),
                                    matched_terms=tuple(sorted(matched.get(docnum, ()))),
                                    fields=fields if stored else {}))
                facet_counts = {name: {str(k): v for k, v in counts[name].items() if k is not None}
                                for name in facets}
                if not count and not (facets or offset + limit >= s.doc_count()):
                    n = len(top)  # as Whoosh's scored_length() (its TopCollector case)
                return Results(total=n, hits=hits, facets=facet_counts)
            sortedby = None
            if sort in SORT_FIELDS:   # newest first, or the longest free period first
                sortedby = sorting.MultiFacet([sorting.FieldFacet(f, reverse=True)
                                               for f in SORT_FIELDS[sort]])
            elif text_q is None:
                sortedby = sorting.FieldFacet("date", reverse=True)
            if query.concepts and text_q is not None and fast.cacheable_facets(s, facets):
                return _search_concepts(s, fast, text_q, filter_q, facets, sortedby, offset,
                                        limit, with_terms, stored)
            # terms=True would make Whoosh test every query term against every matching
            # document (~70% of a needs query's time, and nothing at all with PreloadedOr);
            # the terms are looked up for the returned page only, see _matched_terms.
            allowed = fast.filter_docs(s, filter_q)
            if isinstance(allowed, set) and not allowed:   # Whoosh reads an empty set as "all"
                return Results(total=0, hits=[], facets={name: {} for name in facets})
            res = s.search(text_q or Q.Every(), filter=allowed, limit=offset + limit,
                           groupedby=groupedby or None, sortedby=sortedby)
            page = res[offset:offset + limit]
            matched = (_matched_terms(s, text_q, [hit.docnum for hit in page])
                       if with_terms and text_q is not None else {})
            hits = []
            for hit in page:
                terms = tuple(sorted(matched.get(hit.docnum, ())))
                hits.append(Hit(id=int(hit["id"]), score=_score(hit), matched_terms=terms,
                                fields=hit.fields() if stored else {}))
            facet_counts = {name: {str(k): v for k, v in res.groups(name).items() if k is not None}
                            for name in facets}
            if text_q is None:
                total = len(res)
            elif count:
                total = res.estimated_length()
            else:
                total = res.scored_length()
            return Results(total=total, hits=hits, facets=facet_counts)

    def _text_query(self, kind: str, query: TextQuery, searcher) -> Q.Query | None:
        """The query tree of search/plan.py as Whoosh objects."""
        node = plan.text_plan(kind, query, _Stats(searcher))
        return None if node is None else compile_node(node)

    def doc_ids(self, kind: str) -> set[int]:
        def read(ix):
            with ix.searcher() as s:
                return {int(fields["id"]) for fields in s.all_stored_fields()}
        return self._read(kind, read)

    def doc_count(self, kind: str) -> int:
        return self._read(kind, lambda ix: ix.doc_count())

    def vocabulary(self, kind: str) -> list[str]:
        """Title words of the index, for did-you-mean suggestions; cached per index version."""
        def read(ix):
            version = ix.latest_generation()
            cached = self._vocab.get(kind)
            if cached and cached[0] == version:
                return cached[1]
            with ix.searcher() as s:
                words = [t.decode() if isinstance(t, bytes) else t for t in s.lexicon("title")]
            words = [w for w in words if len(w) >= 2]
            self._vocab[kind] = (version, words)
            return words
        return self._read(kind, read)


def _search_concepts(s, fast, text_q: Q.Query, filter_q: Q.Query | None, facets: Sequence[str],
                     sortedby, offset: int, limit: int, with_terms: bool, stored: bool) -> Results:
    """A concept query: its matches are few, so collect them all (exact total, facets from
    the per-segment cache), with the filter's documents from the cache too."""
    allowed = fast.filter_docs(s, filter_q)
    if isinstance(allowed, set) and not allowed:   # Whoosh reads an empty set as "all"
        return Results(total=0, hits=[], facets={name: {} for name in facets})
    res = s.search(text_q, filter=allowed, limit=None, sortedby=sortedby)
    docnums = [docnum for _score, docnum in res.top_n]
    counts = fast.count_facets(s, docnums, facets)
    page = res[offset:offset + limit]
    matched = _matched_terms(s, text_q, [hit.docnum for hit in page]) if with_terms else {}
    hits = [Hit(id=int(hit["id"]), score=_score(hit),
                matched_terms=tuple(sorted(matched.get(hit.docnum, ()))),
                fields=hit.fields() if stored else {}) for hit in page]
    return Results(total=len(docnums), hits=hits,
                   facets={name: {str(k): v for k, v in counts[name].items() if k is not None}
                           for name in facets})


def _score(hit) -> float:
    """A hit's relevance; sorted by other fields, Whoosh's "score" is the sort key: 0."""
    return float(hit.score) if isinstance(hit.score, (int, float)) else 0.0


def _weighting() -> scoring.BM25F:
    """BM25F with the per-field length normalization of FIELD_B (default B elsewhere)."""
    return scoring.BM25F(**{f"{name}_B": b for name, b in FIELD_B.items()})


class _Stats:
    """Document frequencies for search/plan.py, from a Whoosh searcher."""

    def __init__(self, searcher):
        self.searcher = searcher

    def doc_frequency(self, field: str, text: str) -> int:
        return self.searcher.doc_frequency(field, text)

    def doc_count(self) -> int:
        return self.searcher.doc_count()


def compile_node(node: plan.Node) -> Q.Query:
    """A plan node as a Whoosh query (a flat OR as PreloadedOr: it scores every term's postings
    into one array, the same ranking as Whoosh's binary tree of unions, ~3x faster)."""
    if isinstance(node, plan.Term):
        return Q.Term(node.field, node.text, boost=node.boost)
    if isinstance(node, plan.Phrase):
        return Q.Phrase(node.field, list(node.words), boost=node.boost)
    if isinstance(node, plan.AllOf):
        return Q.And([compile_node(p) for p in node.parts])
    if isinstance(node, plan.WithBonus):
        return Q.AndMaybe(compile_node(node.required), compile_node(node.bonus))
    if not node.parts:
        return Q.NullQuery
    parts = [compile_node(p) for p in node.parts]
    if node.flat:
        return PreloadedOr(parts)
    return Q.Or(parts, boost=node.boost)


def _matched_terms(searcher, query: Q.Query, docnums: Sequence[int]) -> dict[int, set[str]]:
    """The query terms each of `docnums` contains (what Whoosh's terms=True reports, for a page
    of hits): per segment, one walk over each term's postings, skipping to the wanted docs."""
    wanted = sorted(set(docnums))
    found: dict[int, set[str]] = {}
    if not wanted:
        return found
    terms = set(query.iter_all_terms())
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        end = offset + reader.doc_count_all()
        local = [d - offset for d in wanted if offset <= d < end]
        if not local:
            continue
        for fieldname, text in terms:
            try:
                m = reader.postings(fieldname, text)
            except TermNotFound:
                continue
            if isinstance(m, FilterMatcher):  # hides deleted docs; the wanted ones are live
                m = m.child
            label = text.decode() if isinstance(text, bytes) else text
            for d in local:
                if not m.is_active():
                    break
                m.skip_to(d)
                if m.is_active() and m.id() == d:
                    found.setdefault(d + offset, set()).add(label)
    return found


def _filter_query(filters: Mapping[str, Sequence[str]],
                  ranges: Mapping[str, tuple[int | None, int | None]]) -> Q.Query | None:
    parts: list[Q.Query] = []
    for name, values in filters.items():
        values = [v for v in values if v]
        if values:
            parts.append(Q.Or([Q.Term(name, v) for v in values]) if len(values) > 1
                         else Q.Term(name, values[0]))
    for name, (low, high) in ranges.items():
        parts.append(Q.NumericRange(name, low, high))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Q.And(parts)
