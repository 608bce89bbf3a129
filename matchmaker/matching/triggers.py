"""Queue matching work when needs are posted/edited and patents are listed, in the same
transaction as the change, so no change is ever left unmatched."""
from __future__ import annotations

from sqlalchemy import event, inspect, insert
from sqlalchemy.orm import object_session

from ..jobs.queue import queued_rows
from ..models import Job, ListingState, Need, NeedState, Patent

NEED_FIELDS = ("title", "description", "industry", "state")
PATENT_FIELDS = ("title", "abstract", "first_claim", "listing_state", "industry_tags")
SKIP_KEY = "skip_matching"   # bulk loads (demo, imports) set this and queue in bulk instead
_installed = False


def _changed(obj, fields) -> bool:
    state = inspect(obj)
    return any(state.attrs[f].history.has_changes() for f in fields)


def _queue(connection, target, kind: str, payload: dict) -> None:
    session = object_session(target)
    if session is not None and session.info.get(SKIP_KEY):
        return
    connection.execute(insert(Job), queued_rows(kind, [payload]))


def _need(inserted: bool):
    def listener(_mapper, connection, need: Need) -> None:
        if need.state == NeedState.OPEN and (inserted or _changed(need, NEED_FIELDS)):
            _queue(connection, need, "match_need", {"need_id": need.id})
    return listener


def _patent(inserted: bool):
    def listener(_mapper, connection, patent: Patent) -> None:
        if patent.listing_state == ListingState.LISTED and (inserted or _changed(patent, PATENT_FIELDS)):
            _queue(connection, patent, "match_patent", {"patent_id": patent.id})
    return listener


def install() -> None:
    """Global, once per process."""
    global _installed
    if _installed:
        return
    _installed = True
    event.listen(Need, "after_insert", _need(True))
    event.listen(Need, "after_update", _need(False))
    event.listen(Patent, "after_insert", _patent(True))
    event.listen(Patent, "after_update", _patent(False))
