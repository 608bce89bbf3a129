"""Follow-up notes by brokers and parties, on a deal or on a need (a station's note on a need
is also that need's first response)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from .. import permissions
from ..clock import now
from ..errors import NotFound, ValidationError
from ..models import FollowUp, Need, OrgKind, User


def add_follow_up(session: Session, actor: User, body: str, *, deal_id: int | None = None,
                  need_id: int | None = None, at: datetime | None = None) -> FollowUp:
    """A broker's (or party's) note; on a need it also counts as the need's first response."""
    from .deals import get_deal
    at = at or now()
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "请填写跟进内容"})
    if len(body) > 2000:
        raise ValidationError({"body": "跟进内容不能超过 2000 个字符"})
    if deal_id is not None:
        get_deal(session, actor, deal_id)
    elif need_id is not None:
        need = session.get(Need, need_id)
        if need is None or not permissions.can_view_need(actor, need):
            raise NotFound("未找到该需求")
        if actor.organization.kind == OrgKind.STATION and need.first_response_at is None:
            need.first_response_at = at
    else:
        raise ValidationError({"body": "跟进记录须关联交易或需求"})
    note = FollowUp(deal_id=deal_id, need_id=need_id, author=actor, body=body,
                    created_at=at)
    session.add(note)
    session.flush()
    return note
