"""Licence offers, deals from request to paid conversion, time-driven reminders and KPIs.

`offers` validates what an owner offers, `transitions` is the deal state machine as a table,
`deals` applies it (with events and optimistic locking), `recordal` records a contract's 备案
with CNIPA once it is in effect, `tick` does the time-driven work and `kpis` computes the policy
figures from the event log.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session


def _exclusively_licensed(session: Session) -> set[int]:
    """Patents under an exclusive or sole licence in force are not offered to others."""
    from ..models import Deal, LicenceType
    from .offers import IN_FORCE
    return set(session.scalars(select(Deal.patent_id).where(
        Deal.state.in_(IN_FORCE), Deal.licence_type.in_([LicenceType.SOLE, LicenceType.EXCLUSIVE]))))


def install() -> None:
    """Plug licence rules into matching (once per process)."""
    from ..matching.matches import EXCLUSION_PROVIDERS
    if _exclusively_licensed not in EXCLUSION_PROVIDERS:
        EXCLUSION_PROVIDERS.append(_exclusively_licensed)
