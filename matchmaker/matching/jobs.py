"""Job handlers for matching; `runtime.build_runtime` registers HANDLERS with the worker."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .matches import refresh_need_matches, refresh_patent_matches

if TYPE_CHECKING:
    from ..runtime import Runtime


def match_need(rt: Runtime, payload: dict) -> None:
    rt.sync_index()  # the need must be searchable-side consistent before matching
    with rt.transaction() as session:
        refresh_need_matches(session, rt.search, int(payload["need_id"]), vectors=rt.vectors)


def match_patent(rt: Runtime, payload: dict) -> None:
    rt.sync_index()
    with rt.transaction() as session:
        refresh_patent_matches(session, rt.search, int(payload["patent_id"]), vectors=rt.vectors)


HANDLERS = {"match_need": match_need, "match_patent": match_patent}
