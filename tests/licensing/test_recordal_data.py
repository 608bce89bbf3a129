"""Nothing is cleared silently: every row of the transition table keeps what earlier steps
recorded (free period, contract value, recordal, registration, need, station), changes only
what the row itself sets, and every change shows in the audit trail."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from matchmaker.licensing.recordal import record_filing, recordal_current
from matchmaker.licensing.transitions import BROKER, OPERATOR, OWNER, TRANSITIONS
from matchmaker.models import AuditEntry, DealState as S
from tests.factories import make_need
from tests.licensing.helpers import TODAY, deal_in, make_offer, settle

OPEN = dict(licence_type="open", fee_standard="每年 1 万元", payment_mode="lump_sum",
            lump_sum_wan="1", payment_method="银行转账")
FIELDS = ("free_start", "free_end", "effective_date", "contract_value_yuan", "recordal_due",
          "recordal_no", "recordal_date", "contract_reg_no", "need_id", "station_id", "terms",
          "offer_id", "enterprise_id", "patent_id", "requested_by_id", "licence_type")
SETS_FREE = {"free_start", "free_end", "effective_date", "recordal_due"}
SETS_VALUE = {"contract_value_yuan", "effective_date", "recordal_due"}
LATER = TODAY + timedelta(days=40)


def _snapshot(deal) -> dict:
    return {f: getattr(deal, f) for f in FIELDS}


def _empty(value) -> bool:
    return value in (None, "", {}, [])


@pytest.mark.parametrize("frm, to", list(TRANSITIONS), ids=lambda s: s.value)
def test_every_step_keeps_what_was_recorded(session, world, frm, to):
    rule = TRANSITIONS[(frm, to)]
    need = make_need(session, world.enterprise, valid_until=None)
    offer = make_offer(session, world, **(OPEN if rule.open_only else {}))
    deal = deal_in(session, world, frm, offer=offer, requester=world.broker)
    deal.need = need
    if deal.effective_date is not None:
        record_filing(session, world.owner, deal.id, expected_version=deal.version,
                      recordal_no="R-2024-1", recordal_date=TODAY, contract_reg_no="REG-9",
                      today=TODAY)
    session.commit()
    before = _snapshot(deal)
    actor = next(world.actor(p) for p in (BROKER, OWNER, OPERATOR) if p in rule.parties)
    settle(session, world, actor, deal, to, today=LATER, value="30", note="书面通知已送达",
           start=LATER)
    session.commit()
    after = _snapshot(deal)
    cleared = [f for f in FIELDS if not _empty(before[f]) and _empty(after[f])]
    assert cleared == [], f"{frm.value}→{to.value} cleared {cleared}"
    allowed = (SETS_FREE if rule.starts_free else set()) | (SETS_VALUE if rule.needs_value else set())
    changed = {f for f in FIELDS if before[f] != after[f]}
    assert changed <= allowed, f"{frm.value}→{to.value} changed {changed - allowed}"
    if rule.starts_free or rule.needs_value:
        assert after["effective_date"] == LATER
        if before["recordal_no"]:   # a recordal of the earlier contract: kept, not current
            assert after["recordal_no"] == "R-2024-1" and not recordal_current(deal)


def test_the_audit_trail_shows_recordal_edits_and_never_an_emptied_number(session, world):
    deal = deal_in(session, world, S.FREE_ACTIVE)
    record_filing(session, world.owner, deal.id, expected_version=deal.version,
                  recordal_no="R-OLD", recordal_date=TODAY, today=TODAY)
    record_filing(session, world.owner, deal.id, expected_version=deal.version,
                  recordal_no="R-NEW", recordal_date=TODAY, today=TODAY)
    settle(session, world, world.broker, deal, S.CONVERTED, value="20", today=LATER, start=LATER)
    session.commit()
    changes = [e.changes for e in session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "deal", AuditEntry.object_id == deal.id).order_by(AuditEntry.id))]
    numbers = [c["recordal_no"] for c in changes if "recordal_no" in c]
    assert numbers == [["", "R-OLD"], ["R-OLD", "R-NEW"]]
    assert deal.recordal_no == "R-NEW"


def test_a_blank_field_in_the_filing_form_keeps_the_recorded_value(session, world):
    deal = deal_in(session, world, S.FREE_ACTIVE)
    record_filing(session, world.owner, deal.id, expected_version=deal.version,
                  recordal_no="R-1", recordal_date=TODAY, contract_reg_no="REG-1", today=TODAY)
    record_filing(session, world.owner, deal.id, expected_version=deal.version,
                  contract_reg_no="REG-2", today=date(2024, 3, 2))
    assert (deal.recordal_no, deal.recordal_date, deal.contract_reg_no) == ("R-1", TODAY, "REG-2")
