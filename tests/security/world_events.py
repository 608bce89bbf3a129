"""Issue 16's objects in the security world: events organized by the station and by the
operator, a draft, their programme items and a registration.

  events  stn    published (today + 10), by the station; programme: uni's patent (item "uni");
                 ent2 registered itself
          op     published (today), by the operator; programme: ent2's need (item "op") and
                 inst's patent; ent registered (so "attended own" for ent and its broker)
          draft  the operator's draft (hidden from everyone else)
  patents inst2  a second listed patent of the institute (what it presents in the tests)
"""
from __future__ import annotations

from datetime import timedelta

from matchmaker.events import programme, registration, service
from matchmaker.models import OrgKind
from tests.factories import make_patent


def add_event_objects(session, w, today) -> None:
    def event(key: str, user: str, days: int, **kw):
        data = service.EventInput(kind="roadshow", title=f"安全测试路演{key}", event_date=today + timedelta(days=days),
                                  region="昌吉回族自治州", place="会议中心", capacity="50", seats_per_org="3", **kw)
        w.event[key] = service.create_event(session, w.user[user], data, today=today)
        return w.event[key]

    stn = event("stn", "stn", 10)
    w.item["uni"] = programme.add_items(session, w.user["stn"], stn.id, patent_ids=[w.patent["uni"].id])[0]
    service.change_state(session, w.user["stn"], stn.id, "publish", expected_version=None, today=today)
    registration.register(session, w.user["ent2"], stn.id, registration.RegistrationInput(seats="1"), today=today)

    op = event("op", "op", 0)
    w.item["op"] = programme.add_items(session, w.user["op"], op.id, need_ids=[w.need["ent2"].id])[0]
    programme.add_items(session, w.user["op"], op.id, patent_ids=[w.patent["inst"].id])
    service.change_state(session, w.user["op"], op.id, "publish", expected_version=None, today=today)
    registration.register(session, w.user["ent"], op.id, registration.RegistrationInput(seats="1"), today=today)

    event("draft", "op", 20)
    w.patent["inst2"] = make_patent(session, w.orgs["inst"], title="一种棉花残膜回收机",
                                    filing_date=today - timedelta(days=500),
                                    expiry_date=today + timedelta(days=365 * 15))
    assert w.orgs["inst"].kind == OrgKind.INSTITUTE
