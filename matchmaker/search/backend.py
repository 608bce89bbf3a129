"""The search-backend interface callers depend on; Whoosh is the default implementation."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Protocol, Sequence


@dataclass(frozen=True)
class TextQuery:
    """A free-text query already analyzed into words and character bigrams."""

    words: tuple[str, ...] = ()
    bigrams: tuple[str, ...] = ()
    word_boosts: Mapping[str, float] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.words and not self.bigrams


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


class SearchBackend(Protocol):
    """What the rest of the application needs from a search engine."""

    def upsert(self, kind: str, docs: Iterable[dict]) -> None: ...

    def delete(self, kind: str, ids: Iterable[int]) -> None: ...

    def search(self, kind: str, query: TextQuery, *, filters: Mapping[str, Sequence[str]] = {},
               ranges: Mapping[str, tuple[int | None, int | None]] = {},
               facets: Sequence[str] = (), sort: str = "relevance", offset: int = 0,
               limit: int = 20, with_terms: bool = False, stored: bool = False,
               count: bool = True) -> Results: ...

    def doc_ids(self, kind: str) -> set[int]: ...

    def vocabulary(self, kind: str) -> list[str]: ...
