"""The search-backend interface callers depend on; Whoosh is the default implementation.

Everything the application does with an index goes through :class:`SearchBackend`: searches,
write batches (the outbox), rebuilds, counts, health and closing. `factory.make_backend` picks
the implementation; no module outside a backend's own imports its engine.
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Protocol, Sequence

from ..errors import MatchmakerError


class IndexUnavailable(MatchmakerError):
    """The index is missing or unreadable; callers degrade to database pages (503)."""

    status = 503


@dataclass(frozen=True)
class Alternative:
    """One way a concept may appear in a document: the text the user typed or a synonym.

    ``words`` are its content words. A one-word alternative (甜菜, 正极材料) matches that word
    (including as a dictionary sub-word of a longer one, 锂离子电池 → 电池, but never inside a
    false friend, 甜菜碱); a single character (砖) matches the character; a longer one (滴灌带,
    光伏支架) matches the contiguous characters, or, when it has several words and no lone
    character among them, all of its words.
    """

    text: str
    words: tuple[str, ...]
    weight: float = 1.0

    @property
    def is_word(self) -> bool:
        return self.words == (self.text,)

    @property
    def words_may_match(self) -> bool:
        """All words present is enough (光伏 … 支架) for what the user typed, unless a lone
        character would carry it; a synonym (压裂流体) must appear as written."""
        return self.weight == 1.0 and len(self.words) >= 2 and all(len(w) >= 2 for w in self.words)


@dataclass(frozen=True)
class Concept:
    """A part of a short query (what the user separated with spaces)."""

    text: str
    alternatives: tuple[Alternative, ...]


@dataclass(frozen=True)
class TextQuery:
    """A free-text query already analyzed.

    ``concepts`` (short queries typed into a search box): every concept is required, or, with
    ``require_all=False`` (the labelled fallback), any of them, ranked by how many match.
    Without concepts (needs turned into queries): an OR of ``words`` (with ``word_boosts``)
    over the word fields and ``bigrams`` over the character fields.
    """

    words: tuple[str, ...] = ()
    bigrams: tuple[str, ...] = ()
    word_boosts: Mapping[str, float] = field(default_factory=dict)
    concepts: tuple[Concept, ...] = ()
    require_all: bool = True

    @property
    def is_empty(self) -> bool:
        return not self.words and not self.bigrams and not self.concepts


@dataclass(frozen=True)
class Hit:
    id: int
    score: float
    matched_terms: tuple[str, ...] = ()
    fields: Mapping[str, str] = field(default_factory=dict)  # stored fields, when asked for


@dataclass(frozen=True)
class Results:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


class WriteBatch(Protocol):
    """Changes to one index that become visible together when the batch's context exits."""

    def upsert(self, docs: Iterable[dict]) -> None: ...

    def delete(self, ids: Iterable[int]) -> None: ...


class DocumentSink(Protocol):
    """Where a rebuild writes the documents of a fresh index."""

    def add(self, doc: dict) -> None: ...


class SearchBackend(Protocol):
    """What the rest of the application needs from a search engine.

    Documents are dicts of analyzed fields (see documents.analyze_document); ``kind`` is one
    of fields.KINDS. Writers of different processes serialize on the backend's own lock.
    """

    name: str
    replica: str    # who this index is in the change log (search/changelog.py)

    def batch(self, kind: str) -> AbstractContextManager[WriteBatch]:
        """One atomic batch of upserts and deletes, holding the index's write lock."""

    def rebuilding(self, kind: str) -> AbstractContextManager[DocumentSink]:
        """A fresh, empty index replacing the old one when the context exits without error."""

    def upsert(self, kind: str, docs: Iterable[dict]) -> None: ...

    def delete(self, kind: str, ids: Iterable[int]) -> None: ...

    def search(self, kind: str, query: TextQuery, *, filters: Mapping[str, Sequence[str]] = {},
               ranges: Mapping[str, tuple[int | None, int | None]] = {},
               facets: Sequence[str] = (), sort: str = "relevance", offset: int = 0,
               limit: int = 20, with_terms: bool = False, stored: bool = False,
               count: bool = True) -> Results: ...

    def documents(self, kind: str, ids: Sequence[int], *,
                  filters: Mapping[str, Sequence[str]] = {},
                  ranges: Mapping[str, tuple[int | None, int | None]] = {}) -> list[Hit]:
        """The stored fields of those of `ids` that are indexed and pass the filters, in the
        order of `ids` (score 0): candidates found outside the index (the matcher's channel by
        meaning) get the same fields and the same eligibility as its own hits."""

    def doc_ids(self, kind: str) -> set[int]: ...

    def doc_count(self, kind: str) -> int: ...

    def vocabulary(self, kind: str) -> list[str]: ...

    def exists(self, kind: str) -> bool:
        """Whether the index was ever created (a new instance has none until its first write)."""

    def outdated(self, kind: str) -> bool:
        """Whether the index was built for another schema and must be rebuilt."""

    def size_bytes(self, kind: str) -> int:
        """Disk space the index takes (benchmarks, health)."""

    def forget(self) -> None:
        """Drop cached handles (after another process replaced the index, or a fork)."""

    def close(self) -> None:
        """Release everything the backend holds open."""


class OnDiskBackend:
    """What every backend keeping one directory per kind does alike: its size on disk, and
    single writes as one-item batches of its own `batch()`."""

    def path(self, kind: str) -> Path:
        raise NotImplementedError

    def batch(self, kind: str) -> AbstractContextManager[WriteBatch]:
        raise NotImplementedError

    def size_bytes(self, kind: str) -> int:
        path = self.path(kind)
        return sum(f.stat().st_size for f in path.iterdir() if f.is_file()) if path.exists() else 0

    def upsert(self, kind: str, docs: Iterable[dict]) -> None:
        with self.batch(kind) as b:
            b.upsert(docs)

    def delete(self, kind: str, ids: Iterable[int]) -> None:
        with self.batch(kind) as b:
            b.delete(ids)
