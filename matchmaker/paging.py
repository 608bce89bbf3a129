"""One page of a query and the total it was cut from: the count-then-offset block every list
of the site needs (services call it; the web layer wraps the result in `web.pagination.Page`)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


def fetch_page(session: Session, stmt: Select, *, page: int, per_page: int) -> tuple[list[Any], int]:
    """Rows `page` (1-based) of the ordered `stmt`, `per_page` of them, and the total count.

    The count ignores the statement's ORDER BY (no use counting in order).
    """
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.offset((max(page, 1) - 1) * per_page).limit(per_page)).all()
    return list(rows), total
