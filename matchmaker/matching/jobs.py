"""Job handlers for matching (registered with the worker)."""
from __future__ import annotations

from ..jobs.worker import handler
from ..runtime import Runtime
from .matches import refresh_need_matches, refresh_patent_matches


@handler("match_need")
def match_need(rt: Runtime, payload: dict) -> None:
    rt.sync_index()  # the need must be searchable-side consistent before matching
    with rt.transaction() as session:
        refresh_need_matches(session, rt.search, int(payload["need_id"]))


@handler("match_patent")
def match_patent(rt: Runtime, payload: dict) -> None:
    rt.sync_index()
    with rt.transaction() as session:
        refresh_patent_matches(session, rt.search, int(payload["patent_id"]))
