"""Exact, faster evaluation of the backend's free-text queries (an OR of single terms).

Whoosh scores an OR query by walking every posting through several layers of Python objects
(matcher → scorer → column reader for the field length) and then calls six facet
categorizers and a filter check for every matching document. A needs query touches ~30k
postings and ~13k documents of the 25k-patent index, which took 350–700 ms.

This module computes the same thing with fewer layers:

* postings are read a block at a time (the ids and weights arrays Whoosh decodes anyway; this
  uses W3LeafMatcher internals of the pinned whoosh-reloaded 2.7.5, other matchers take the
  public per-posting API) and BM25F is evaluated with the *same expression, operands and
  summation order* as ``whoosh.scoring.BM25FScorer`` / ``ArrayUnionMatcher``, so the scores
  are bit-identical;
* per-segment data that cannot change (segments are immutable apart from deletions) is cached:
  field lengths (and their BM25 norms per index version), every document's facet values
  (computed by Whoosh's own categorizers, so the facet keys are the same), and the document
  sets of filter queries;
* totals, top-N (score desc, then doc number asc, as Whoosh's collectors) and facet counts are
  then list/set operations and ``Counter`` calls on the matching documents. The total is
  always exact (Whoosh only returns an upper estimate when it need not see every match).

:func:`plan` decides whether a query qualifies (BM25F weighting, only ``Term`` leaves on
scorable fields, facets Whoosh would categorize per segment); the backend falls back to plain
Whoosh otherwise. ``tests/search/test_fast_paths.py`` checks hits, scores, totals, facets and
matched terms against Whoosh on a multi-segment index with deletions.
"""
from __future__ import annotations

import heapq
import threading
from collections import Counter
from dataclasses import dataclass
from itertools import chain, compress
from typing import Sequence

from whoosh import query as Q
from whoosh import scoring, sorting
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query.compound import PreloadedOr
from whoosh.reading import TermNotFound

# facets a document can have several values of
OVERLAP = ("ipc_section", "industry", "licence_type", "payment_mode")
_MAX_FILTERS_PER_SEGMENT = 16


@dataclass(frozen=True)
class TermSpec:
    field: str
    text: str
    boost: float


def plan(query: Q.Query | None, searcher) -> list[TermSpec] | None:
    """The query's terms in scoring order, or None if the fast path would not be exact."""
    if query is None or type(searcher.weighting) is not scoring.BM25F:
        return None
    if type(query) is Q.Term:
        leaves = [query]
    elif type(query) is PreloadedOr and query.boost == 1.0 and not query.scale:
        # (a plain Or sums in a tree of UnionMatchers: same scores up to rounding, not bits)
        leaves = list(query.subqueries)
    else:
        return None
    schema = searcher.schema
    out = []
    for t in leaves:
        if type(t) is not Q.Term or t.minquality or t.fieldname not in schema:
            return None
        field = schema[t.fieldname]
        if not field.scorable or not isinstance(t.text, str) or not t.boost > 0:
            return None
        out.append(TermSpec(t.fieldname, t.text, t.boost))
    return out


def facet_of(name: str) -> sorting.FieldFacet:
    return sorting.FieldFacet(name, allow_overlap=name in OVERLAP, maptype=sorting.Count)


class _Segment:
    """Cached, immutable per-segment data."""

    def __init__(self, doc_count: int):
        self.doc_count = doc_count
        self.lengths: dict[str, list] = {}
        self.norms: dict[tuple, list] = {}
        self.facets: dict[str, tuple[bool, list]] = {}
        self.filters: dict[Q.Query, frozenset[int]] = {}


class FastSearcher:
    """Per-index cache plus the search itself; thread-safe (worst case: work done twice)."""

    def __init__(self) -> None:
        self._segments: dict[str, _Segment] = {}
        self._global_filters: dict[tuple, set[int]] = {}
        self._lock = threading.Lock()

    # -- cached per-segment data -----------------------------------------------------------
    def _segment(self, reader) -> _Segment:
        key = reader.segment().segment_id()
        seg = self._segments.get(key)
        if seg is None:
            seg = _Segment(reader.doc_count_all())
            with self._lock:
                seg = self._segments.setdefault(key, seg)
        return seg

    def forget_except(self, readers) -> None:
        """Drop cached segments that are no longer part of the index (merged or rebuilt away);
        a searcher still holding one in another thread just recomputes it."""
        live = {r.segment().segment_id() for r in readers}
        if any(k not in live for k in list(self._segments)):
            with self._lock:
                for key in [k for k in self._segments if k not in live]:
                    del self._segments[key]

    @staticmethod
    def _norms(seg: _Segment, reader, field: str, B: float, K1: float, avgfl: float) -> list:
        """K1 * ((1 - B) + B * fl / avgfl) for every document: the length part of BM25F's
        denominator, computed as whoosh.scoring.bm25 does. avgfl changes with every write,
        so the list is recomputed (from cached lengths) once per index version."""
        key = (field, B, K1, avgfl)
        norms = seg.norms.get(key)
        if norms is None:
            lens = seg.lengths.get(field)
            if lens is None:
                # what BM25FScorer's dfl() returns for each document of the segment
                dfl = reader.doc_field_length
                lens = seg.lengths[field] = [dfl(d, field, 1) for d in range(seg.doc_count)]
            one_minus_b = 1 - B
            norms = [K1 * (one_minus_b + B * fl / avgfl) if fl is not None else None
                     for fl in lens]
            for k in [k for k in list(seg.norms) if k[0] == field]:  # older index versions
                seg.norms.pop(k, None)
            seg.norms[key] = norms
        return norms

    @staticmethod
    def _facet(seg: _Segment, name: str, top_searcher, sub, offset: int) -> tuple[bool, list]:
        """Every document's facet name (or list of names), from Whoosh's own categorizer."""
        got = seg.facets.get(name)
        if got is None:
            cat = facet_of(name).categorizer(top_searcher)
            cat.set_searcher(sub, offset)
            n = seg.doc_count
            if cat.allow_overlap:
                k2n = cat.key_to_name
                values = [[k2n(k) for k in cat.keys_for(None, d)] for d in range(n)]
            else:
                values = [cat.key_to_name(cat.key_for(None, d)) for d in range(n)]
            got = seg.facets[name] = (cat.allow_overlap, values)
        return got

    @staticmethod
    def _filter(seg: _Segment, sub, filter_q: Q.Query) -> frozenset[int]:
        docs = seg.filters.get(filter_q)
        if docs is None:
            docs = frozenset(sub.docs_for_query(filter_q))
            if len(seg.filters) >= _MAX_FILTERS_PER_SEGMENT:  # e.g. "expiry >= today", daily
                seg.filters.clear()
            seg.filters[filter_q] = docs
        return docs

    def filter_docs(self, searcher, filter_q: Q.Query | None) -> set[int] | Q.Query | None:
        """The top searcher's document numbers that pass `filter_q`, from the per-segment
        cache: what Whoosh's `search(filter=...)` accepts in place of the query, which it
        would otherwise evaluate over the whole index on every search (~200 ms at 25k).
        An index without segments (empty) gets the query back."""
        leaves = searcher.leaf_searchers()
        segments = [sub.reader().segment() for sub, _ in leaves]
        if filter_q is None or None in segments:
            return filter_q
        key = (tuple(seg.segment_id() for seg in segments), filter_q)
        docs = self._global_filters.get(key)
        if docs is None:
            docs = set()
            for sub, offset in leaves:
                seg = self._segment(sub.reader())
                docs.update(d + offset for d in self._filter(seg, sub, filter_q))
            with self._lock:
                if len(self._global_filters) >= _MAX_FILTERS_PER_SEGMENT:
                    self._global_filters.clear()
                self._global_filters[key] = docs
        return docs

    def count_facets(self, searcher, docnums: Sequence[int], facets: Sequence[str]) -> dict:
        """Facet name → Counter of values over `docnums` (global document numbers), from the
        cached per-segment facet values (as :meth:`search` counts them)."""
        counts = {name: Counter() for name in facets}
        if not facets or not docnums:
            return counts
        for sub, offset in searcher.leaf_searchers():
            seg = self._segment(sub.reader())
            local = [d - offset for d in docnums if offset <= d < offset + seg.doc_count]
            if not local:
                continue
            for name in facets:
                overlap, values = self._facet(seg, name, searcher, sub, offset)
                got = map(values.__getitem__, local)
                counts[name].update(chain.from_iterable(got) if overlap else got)
        return counts

    @staticmethod
    def cacheable_facets(top_searcher, names: Sequence[str]) -> bool:
        """Only categorizers that depend on one segment alone can be cached per segment."""
        ok = (sorting.ColumnCategorizer, sorting.OverlappingCategorizer)
        for name in names:
            cat = facet_of(name).categorizer(top_searcher)
            if type(cat) not in ok or (isinstance(cat, sorting.OverlappingCategorizer)
                                       and (cat._use_vectors or cat._use_column)):
                return False
        return True

    # -- search ----------------------------------------------------------------------------
    def search(self, searcher, terms: list[TermSpec], filter_q: Q.Query | None,
               facets: Sequence[str], limit: int, with_terms: bool = False
               ) -> tuple[int, list[tuple[float, int]], dict, dict[int, set[str]]]:
        """(number of matching documents, top `limit` (score, docnum), facet name → Counter,
        docnum of a top document → the query terms it contains if `with_terms`)."""
        weighting = searcher.weighting
        K1 = weighting.K1
        # statistics are global: taken from the top searcher, as BM25FScorer does
        stats = []
        for t in terms:
            B = weighting._field_B.get(t.field, weighting.B)
            stats.append((t, searcher.idf(t.field, t.text),
                          searcher.avg_field_length(t.field) or 1, B))
        total = 0
        best: list[tuple[float, int]] = []
        counts = {name: Counter() for name in facets}
        leaves = searcher.leaf_searchers()
        blocks_by_leaf = []
        K1p1 = K1 + 1
        for sub, offset in leaves:
            reader = sub.reader()
            seg = self._segment(reader)
            n = seg.doc_count
            scores = [0.0] * n
            blocks: list | None = [] if with_terms else None
            blocks_by_leaf.append((offset, n, blocks))
            for t, idf, avgfl, B in stats:
                norms = self._norms(seg, reader, t.field, B, K1, avgfl)
                _accumulate(scores, reader, t, idf, K1p1, norms, blocks)
            if reader.has_deletions():
                for d in reader.deleted_docs_set:
                    scores[d] = 0.0
            # ascending doc numbers: the order Whoosh collects in (facet keys as first seen,
            # ties in the top N to the lower doc number)
            if filter_q is not None:
                allow = self._filter(seg, sub, filter_q)
                matched = [d for d in compress(range(n), scores) if d in allow]
            else:
                matched = list(compress(range(n), scores))
            total += len(matched)
            if limit:
                top = heapq.nlargest(limit, matched, key=scores.__getitem__)  # stable on ties
                best = heapq.nlargest(limit, chain(best, ((scores[d], -(d + offset)) for d in top)))
            for name in facets:
                overlap, values = self._facet(seg, name, searcher, sub, offset)
                get = values.__getitem__
                if overlap:
                    counts[name].update(chain.from_iterable(map(get, matched)))
                else:
                    counts[name].update(map(get, matched))
        self.forget_except([sub.reader() for sub, _ in leaves])
        top = [(score, -negdoc) for score, negdoc in best]
        found: dict[int, set[str]] = {}
        if with_terms and top:
            for offset, n, blocks in blocks_by_leaf:
                wanted = {d - offset for _s, d in top if offset <= d < offset + n}
                if wanted:
                    for text, ids in blocks:
                        for d in wanted.intersection(ids):
                            found.setdefault(d + offset, set()).add(text)
        return total, top, counts, found


def _accumulate(scores: list, reader, t: TermSpec, idf: float, K1p1: float, norms: list,
                blocks: list | None) -> None:
    """scores[doc] += this term's BM25F score, for every document of the segment containing
    it; the (term, doc ids) blocks are appended to `blocks` unless it is None.

    bm25() is ``idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))``; with the
    norms precomputed by the same expression each operation is the same, so each score (and
    the sum, added in ArrayUnionMatcher's order) is bit-identical to Whoosh's."""
    try:
        m = reader.postings(t.field, t.text)
    except TermNotFound:
        return
    if isinstance(m, FilterMatcher):  # deletions: zeroed by the caller afterwards
        m = m.child
    boost = t.boost
    if type(m) is W3LeafMatcher:
        while m.is_active():
            m.id()       # decodes the block's ids ...
            m.weight()   # ... and weights
            ids, weights = m._ids, m._weights
            if blocks is not None:
                blocks.append((t.text, ids))
            if boost == 1.0:
                for d, w in zip(ids, weights):
                    scores[d] += idf * ((w * K1p1) / (w + norms[d]))
            else:
                for d, w in zip(ids, weights):
                    scores[d] += (idf * ((w * K1p1) / (w + norms[d]))) * boost
            m._next_block()
    else:  # any other matcher (e.g. inlined postings): the public, slower way
        ids = []
        while m.is_active():
            d, w = m.id(), m.weight()
            s = idf * ((w * K1p1) / (w + norms[d]))
            scores[d] += s * boost if boost != 1.0 else s
            ids.append(d)
            m.next()
        if blocks is not None:
            blocks.append((t.text, ids))


_BY_INDEX: dict[str, FastSearcher] = {}
_BY_INDEX_LOCK = threading.Lock()


_MAX_INDEXES = 8  # an app has two (patent, need); test runs create many


def searcher_for(index_path) -> FastSearcher:
    """The cache of one index directory (shared by every backend object in the process)."""
    key = str(index_path)
    fs = _BY_INDEX.get(key)
    if fs is None:
        with _BY_INDEX_LOCK:
            fs = _BY_INDEX.get(key)
            if fs is None:
                while len(_BY_INDEX) >= _MAX_INDEXES:
                    del _BY_INDEX[next(iter(_BY_INDEX))]  # oldest first
                fs = _BY_INDEX[key] = FastSearcher()
    return fs
