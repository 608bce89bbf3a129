"""A page of results plus the links the pagination partial needs."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from flask import request, url_for

from .context import runtime
from .params import arg_clamped

MAX_PAGE = 10_000


def page_number(param: str = "page") -> int:
    """The `?page=` argument (or another name, for a second list on the same page) as a
    positive int up to MAX_PAGE; anything malformed means page 1."""
    return arg_clamped(param, 1, 1, MAX_PAGE)


def per_page() -> int:
    """Rows per page, from settings (Settings.page_size)."""
    return runtime().settings.page_size


@dataclass(frozen=True)
class Page:
    """One page of `items` out of `total`; `url(n)` keeps the other query arguments.

    `param` names the page argument (two lists on one page page separately) and `anchor` is
    the list's element id, so a page link lands on the list rather than the top of the page.
    """

    items: Sequence[Any]
    total: int
    number: int
    per_page: int
    param: str = "page"
    anchor: str | None = None

    @classmethod
    def of(cls, result: tuple[Sequence[Any], int], number: int, size: int, *, param: str = "page",
           anchor: str | None = None) -> "Page":
        """Wrap a service's `(rows, total)` result."""
        rows, total = result
        return cls(items=rows, total=total, number=number, per_page=size, param=param, anchor=anchor)

    @property
    def pages(self) -> int:
        """Number of pages (at least 1, so an empty list reads “第 1 / 1 页”)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        """Whether there is a previous page."""
        return self.number > 1

    @property
    def has_next(self) -> bool:
        """Whether there is a next page."""
        return self.number < self.pages

    @property
    def first(self) -> int:
        """1-based position of the first item shown (0 when there is none)."""
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        """1-based position of the last item shown."""
        return self.first + len(self.items) - 1 if self.items else 0

    def url(self, number: int) -> str:
        """The current page's URL with the page argument replaced."""
        args = {**(request.view_args or {}), **request.args.to_dict(), self.param: number}
        if self.anchor:
            args["_anchor"] = self.anchor
        return url_for(request.endpoint, **args)
