"""The event pages end to end through the test client: a station organizes, an enterprise
registers, the pair becomes a deal; the organizer's exports; messages on bad input."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from matchmaker import clock
from matchmaker.models import Deal, Event, EventState, PairOutcome, EventPair
from tests.events.helpers import build
from tests.web.helpers import login, logout, post_form, text


def _event_form(**kw) -> dict:
    values = {"kind": "roadshow", "title": "新能源专利路演", "theme": "电池与光伏", "industry": "新能源",
              "ipc": "", "event_date": (date.today() + timedelta(days=10)).isoformat(),
              "time_text": "14:00", "region": "昌吉回族自治州", "district": "昌吉市", "place": "会议中心",
              "online_url": "", "capacity": "20", "seats_per_org": "2"}
    values.update(kw)
    return values


def test_station_event_registration_and_deal_from_the_event(client, session):
    w = build(session)
    session.commit()
    login(client, w.users["stn"].login)
    bad = post_form(client, "/events/new", _event_form(title="", capacity="abc", online_url="javascript:x"))
    assert bad.status_code == 422
    page = text(bad)
    assert "请填写活动名称" in page and "容纳人数应为" in page and "线上链接应以" in page
    made = post_form(client, "/events/new", _event_form())
    assert made.status_code == 302
    event = session.scalar(select(Event))
    manage = text(client.get(f"/events/{event.id}/manage"))
    assert manage.count('data-testid="suggested-patent"') == 2     # bat and solar: strong, in theme
    assert "一种棉秆制板方法" not in manage
    added = post_form(client, f"/events/{event.id}/items",
                      {"patent_ids": [str(w.patents["bat"].id), str(w.patents["solar"].id)],
                       "need_ids": [str(w.needs["n1"].id)]}, token_page=f"/events/{event.id}/manage")
    assert added.status_code == 302
    crafted = post_form(client, f"/events/{event.id}/items", {"patent_ids": ["²"]},
                        token_page=f"/events/{event.id}/manage", follow_redirects=True)
    assert "请选择要添加的专利或需求" in text(crafted)
    stale = post_form(client, f"/events/{event.id}/publish", {"version": str(event.version + 1)},
                      token_page=f"/events/{event.id}/manage", follow_redirects=True)
    assert "已被他人修改" in text(stale)
    post_form(client, f"/events/{event.id}/publish", {"version": str(event.version)},
              token_page=f"/events/{event.id}/manage")
    session.refresh(event)
    assert event.state == EventState.PUBLISHED
    logout(client)

    # an anonymous visitor sees the public programme with the offers
    page = text(client.get(f"/events/{event.id}"))
    assert "一种锂电池正极材料" in page and "普通许可" in page and "电池循环寿命" in page

    login(client, w.users["e2"].login)
    over = post_form(client, f"/events/{event.id}/register", {"seats": "3", "contact": "李工"},
                     token_page=f"/events/{event.id}", follow_redirects=True)
    assert "每家单位可报 1–2 人" in text(over)
    ok = post_form(client, f"/events/{event.id}/register", {"seats": "2", "contact": "李工 139"},
                   token_page=f"/events/{event.id}", follow_redirects=True)
    assert "已报名（2 人）" in text(ok) and "剩余 18 人" in text(ok)
    # the enterprise's pairs with the "request the licence" link carrying the event
    page = text(client.get(f"/events/{event.id}"))
    assert f"/offers/{w.offers['solar'].id}/request?event={event.id}" in page
    form_page = text(client.get(f"/offers/{w.offers['solar'].id}/request?event={event.id}"))
    assert f'name="event_id" type="hidden" value="{event.id}"' in form_page
    requested = post_form(client, f"/offers/{w.offers['solar'].id}/request",
                          {"event_id": str(event.id), "need_id": "", "note": "路演现场对接"},
                          token_page=f"/offers/{w.offers['solar'].id}/request")
    assert requested.status_code == 302
    deal = session.scalar(select(Deal))
    assert deal.event_id == event.id and deal.enterprise_id == w.orgs["e2"].id
    assert "来自活动" in text(client.get(f"/deals/{deal.id}"))
    # a patent that was not presented cannot be requested "from the event"
    refused = post_form(client, f"/offers/{w.offers['cotton'].id}/request",
                        {"event_id": str(event.id), "need_id": ""},
                        token_page=f"/offers/{w.offers['cotton'].id}/request")
    assert refused.status_code == 200 and "该专利未在此活动中路演" in text(refused)
    logout(client)

    login(client, w.users["stn"].login)
    manage = text(client.get(f"/events/{event.id}/manage"))
    assert 'data-testid="fig-deals">1<' in manage and 'data-testid="fig-registered">1<' in manage
    saved = post_form(client, f"/events/{event.id}/pairs",
                      {"patent_id": str(w.patents["bat"].id), "enterprise_id": str(w.orgs["e2"].id),
                       "outcome": "following", "note": "=HYPERLINK(\"x\")", "follow_up_on": "2030-01-02"},
                      token_page=f"/events/{event.id}/manage")
    assert saved.status_code == 302
    assert session.scalar(select(EventPair).where(EventPair.deal_id == deal.id)).outcome == PairOutcome.DEAL
    export = client.get(f"/events/{event.id}/export.csv")
    rows = list(csv.reader(io.StringIO(export.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["报名与签到"] and [r[5] for r in rows[2:3]] == ["李工 139"]
    assert any(r[:3] == ["一种锂电池正极材料", w.orgs["uni"].name, w.orgs["e2"].name] and r[4] == "跟进中"
               and r[5] == "'=HYPERLINK(\"x\")" for r in rows)     # neutralized formula
    assert any(len(r) > 2 and r[2] == w.orgs["e1"].name for r in rows)   # e1 presents a need: a participant
    book = load_workbook(io.BytesIO(client.get(f"/events/{event.id}/export.xlsx").data))
    assert book.sheetnames == ["报名与签到", "对接结果"]
    assert book["对接结果"]["E1"].value == "对接结果"


def test_outsiders_cannot_manage_and_drafts_stay_hidden(client, session):
    w = build(session)
    session.commit()
    login(client, w.users["stn"].login)
    post_form(client, "/events/new", _event_form())
    event = session.scalar(select(Event))
    logout(client)
    assert client.get(f"/events/{event.id}").status_code == 404
    login(client, w.users["stn2"].login)
    assert client.get(f"/events/{event.id}/manage").status_code == 404
    logout(client)
    login(client, w.users["op"].login)
    assert client.get(f"/events/{event.id}/manage").status_code == 200     # oversight


def test_attendance_is_recorded_from_the_day(client, session):
    w = build(session)
    session.commit()
    login(client, w.users["stn"].login)
    post_form(client, "/events/new", _event_form(event_date=date.today().isoformat()))
    event = session.scalar(select(Event))
    post_form(client, f"/events/{event.id}/items", {"patent_ids": [str(w.patents["bat"].id)]},
              token_page=f"/events/{event.id}/manage")
    post_form(client, f"/events/{event.id}/publish", {"version": str(event.version)},
              token_page=f"/events/{event.id}/manage")
    logout(client)
    login(client, w.users["e1"].login)
    post_form(client, f"/events/{event.id}/register", {"seats": "1"}, token_page=f"/events/{event.id}")
    logout(client)
    login(client, w.users["stn"].login)
    reg_id = session.scalar(select(Event)).registrations[0].id
    post_form(client, f"/events/{event.id}/attendance", {"attended": [str(reg_id)]},
              token_page=f"/events/{event.id}/manage")
    session.refresh(event)
    done = post_form(client, f"/events/{event.id}/held", {"version": str(event.version)},
                     token_page=f"/events/{event.id}/manage", follow_redirects=True)
    assert "已标记为已举办" in text(done) and 'data-testid="fig-attended">1<' in text(done)
    assert clock.today() == date.today()
