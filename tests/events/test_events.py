"""Events: organizing, the programme (suggested from strong matches in the theme), registration
limits, invitations, attendance, pairs and their follow-up, deals from an event."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from matchmaker.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationError
from matchmaker.events import pairs, programme, registration, service
from matchmaker.licensing.deals import request_deal
from matchmaker.models import (EventPair, EventState, Notification, OrgStatus, PairOutcome, PatentIPC,
                               RegistrationState as R)
from tests.events.helpers import DAY, TODAY, build, event_input, published_event, reg


@pytest.fixture
def w(session):
    return build(session)


def test_only_operators_and_stations_organize_and_input_is_checked(session, w):
    with pytest.raises(PermissionDenied):
        service.create_event(session, w.users["e1"], event_input(), today=TODAY)
    with pytest.raises(ValidationError) as exc:
        service.create_event(session, w.users["stn"], event_input(
            title="路演", event_date=TODAY - timedelta(days=1), place="", online_url="ftp://x",
            capacity="0", seats_per_org="99", district="哈密市", ipc="X99", industry="炼金"), today=TODAY)
    e = exc.value.errors
    assert e["title"] == "活动名称至少需要 4 个字符"
    assert e["event_date"] == "活动日期不能早于今天"
    assert e["online_url"] == "线上链接应以 http:// 或 https:// 开头"
    assert e["capacity"] == "容纳人数应为 1–5000 之间的整数"
    assert e["seats_per_org"] == "每家单位名额应为 1–20 之间的整数"
    assert e["district"] == "“哈密市”不是昌吉回族自治州下辖的区（县）"
    assert e["ipc"].startswith("IPC 应为") and "不在可选范围内" in e["industry"]
    online = service.create_event(session, w.users["op"], event_input(place="", online_url="https://meet.example/1",
                                                                      ipc="h01m"), today=TODAY)
    assert online.state == EventState.DRAFT and online.ipc == "H01M" and online.organizer_id == w.orgs["op"].id


def test_a_draft_is_private_and_publishing_needs_a_programme(session, w):
    event = service.create_event(session, w.users["stn"], event_input(), today=TODAY)
    for outsider in ("e1", "uni", "stn2"):
        with pytest.raises(NotFound):
            service.get_event(session, w.users[outsider], event.id)
    assert service.get_event(session, w.users["op"], event.id) is event     # the operator oversees
    assert service.find_events(session, None, upcoming=True, today=TODAY) == []
    with pytest.raises(InvalidTransition, match="请先在活动中添加"):
        service.change_state(session, w.users["stn"], event.id, "publish", expected_version=None, today=TODAY)
    programme.add_items(session, w.users["stn"], event.id, patent_ids=[w.patents["bat"].id])
    with pytest.raises(NotFound):          # another station does not even see the draft
        service.change_state(session, w.users["stn2"], event.id, "publish", expected_version=None, today=TODAY)
    with pytest.raises(Conflict):
        service.change_state(session, w.users["stn"], event.id, "publish", expected_version=event.version + 5,
                             today=TODAY)
    service.change_state(session, w.users["stn"], event.id, "publish", expected_version=event.version, today=TODAY)
    assert service.find_events(session, None, upcoming=True, today=TODAY) == [event]
    with pytest.raises(PermissionDenied):  # published: seen by all, managed by its organizer
        service.change_state(session, w.users["stn2"], event.id, "held", expected_version=None, today=DAY)
    with pytest.raises(InvalidTransition, match="当天或之后"):
        service.change_state(session, w.users["stn"], event.id, "held", expected_version=None, today=TODAY)
    service.change_state(session, w.users["stn"], event.id, "held", expected_version=None, today=DAY)
    assert event.state == EventState.HELD
    with pytest.raises(InvalidTransition):
        service.change_state(session, w.users["stn"], event.id, "cancel", reason="x",
                             expected_version=None, today=DAY)


def test_suggestions_are_the_strong_matches_in_the_theme(session, w):
    event = service.create_event(session, w.users["stn"], event_input(), today=TODAY)
    patents, needs = programme.suggestions(session, event)
    # threshold 54: bat (80 with n1, 55 with n2), solar (60 with n2); cotton is 新材料, solar×n1 is 40
    assert [(s.patent.id, s.score) for s in patents] == [(w.patents["bat"].id, 80.0), (w.patents["solar"].id, 60.0)]
    assert [(s.need.id, s.score) for s in needs] == [(w.needs["n1"].id, 80.0), (w.needs["n2"].id, 60.0)]
    event.ipc = "H01M"
    patents, needs = programme.suggestions(session, event)
    assert [s.patent.id for s in patents] == [w.patents["bat"].id]
    assert [s.need.id for s in needs] == [w.needs["n1"].id, w.needs["n2"].id]   # both matched bat
    programme.add_items(session, w.users["stn"], event.id, patent_ids=[w.patents["bat"].id],
                        need_ids=[w.needs["n1"].id])
    patents, needs = programme.suggestions(session, event)
    assert patents == [] and [s.need.id for s in needs] == [w.needs["n2"].id]


def test_universities_present_their_own_patents_once_published(session, w):
    event = service.create_event(session, w.users["stn"], event_input(), today=TODAY)
    programme.add_items(session, w.users["stn"], event.id, need_ids=[w.needs["n1"].id])
    with pytest.raises(NotFound):                  # a draft: the university does not see it
        programme.add_items(session, w.users["uni"], event.id, patent_ids=[w.patents["bat"].id])
    service.change_state(session, w.users["stn"], event.id, "publish", expected_version=None, today=TODAY)
    with pytest.raises(PermissionDenied):
        programme.add_items(session, w.users["uni"], event.id, patent_ids=[w.patents["cotton"].id])
    with pytest.raises(PermissionDenied):
        programme.add_items(session, w.users["e1"], event.id, patent_ids=[w.patents["bat"].id])
    added = programme.add_items(session, w.users["uni"], event.id, patent_ids=[w.patents["bat"].id])
    assert [i.presenter_id for i in added] == [w.orgs["uni"].id]
    assert programme.add_items(session, w.users["uni"], event.id, patent_ids=[w.patents["bat"].id]) == []
    assert [p.id for p in programme.own_listed_patents(session, w.users["uni"], event)] == [w.patents["solar"].id]
    with pytest.raises(PermissionDenied):
        programme.remove_item(session, w.users["uni"], event.id, event.items[0].id)   # the need
    programme.remove_item(session, w.users["uni"], event.id, added[0].id)
    assert len(event.items) == 1


def test_registration_limits(session, w):
    event = published_event(session, w, capacity="5", seats_per_org="3")
    with pytest.raises(ValidationError, match="每家单位可报 1–3 人"):
        reg(session, w, "e1", seats="4", event=event)
    with pytest.raises(ValidationError):
        reg(session, w, "e1", seats="0", event=event)
    first = reg(session, w, "e1", seats="3", event=event)
    assert first.state == R.REGISTERED and first.registered_by_id == w.users["e1"].id
    with pytest.raises(Conflict, match="已报名"):
        reg(session, w, "e1", seats="1", event=event)
    with pytest.raises(ValidationError, match="仅剩 2 个名额"):
        reg(session, w, "e2", seats="3", actor="stn", event=event)        # the broker for a client
    second = reg(session, w, "e2", seats="2", actor="stn", event=event)
    assert second.registered_by_id == w.users["stn"].id
    with pytest.raises(ValidationError, match="名额已满"):
        reg(session, w, "e3", event=event)
    with pytest.raises(PermissionDenied):
        reg(session, w, "e3", actor="stn", event=event)                    # not its client
    registration.cancel_registration(session, w.users["e1"], event.id, today=TODAY)
    assert reg(session, w, "e3", seats="3", event=event).seats == 3        # the freed seats
    w.orgs["e1"].status = OrgStatus.SUSPENDED
    with pytest.raises(ValidationError, match="审核"):
        reg(session, w, "e1", event=event)
    w.orgs["e1"].status = OrgStatus.APPROVED
    with pytest.raises(InvalidTransition, match="报名已截止"):
        reg(session, w, "e1", event=event, today=DAY + timedelta(days=1))
    organizer_inbox = session.scalars(select(Notification.title).where(
        Notification.user_id == w.users["stn"].id)).all()
    assert any("报名了" in t for t in organizer_inbox)


def test_registration_closed_for_drafts_and_cancelled_events(session, w):
    draft = service.create_event(session, w.users["stn"], event_input(), today=TODAY)
    with pytest.raises(InvalidTransition, match="筹备中"):
        reg(session, w, "e1", actor="stn", event=draft)
    event = published_event(session, w)
    reg(session, w, "e1", event=event)
    service.change_state(session, w.users["stn"], event.id, "cancel", reason="场地临时关闭",
                         expected_version=None, today=TODAY)
    with pytest.raises(InvalidTransition, match="已取消"):
        reg(session, w, "e2", event=event)
    told = session.scalars(select(Notification.title).where(Notification.user_id == w.users["e1"].id)).all()
    assert any("已取消" in t for t in told)


def test_capacity_cannot_drop_below_the_seats_taken(session, w):
    event = published_event(session, w, capacity="10")
    reg(session, w, "e1", seats="3", event=event)
    with pytest.raises(ValidationError, match="不能少于此数"):
        service.update_event(session, w.users["stn"], event.id, event_input(capacity="2"),
                             expected_version=None, today=TODAY)


def test_invitations_reach_enterprises_and_their_brokers(session, w):
    event = published_event(session, w)
    reg(session, w, "e1", event=event)
    with pytest.raises(PermissionDenied):
        registration.invite(session, w.users["stn2"], event.id, [w.orgs["e3"].id], today=TODAY)
    n = registration.invite(session, w.users["stn"], event.id, [w.orgs["e1"].id, w.orgs["e3"].id], today=TODAY)
    assert n == 1                                       # e1 is registered already
    e3 = registration.registration_of(session, event.id, w.orgs["e3"].id)
    assert e3.state == R.INVITED and e3.seats == 0
    for user in (w.users["e3"], w.users["stn2"]):
        titles = session.scalars(select(Notification.title).where(Notification.user_id == user.id)).all()
        assert titles == [f"邀请参加知识产权路演：{event.title}"]
    assert registration.invite(session, w.users["stn"], event.id, [w.orgs["e3"].id], today=TODAY) == 0
    assert reg(session, w, "e3", event=event).state == R.REGISTERED       # accepting the invitation


def test_attendance_after_the_day(session, w):
    event = published_event(session, w)
    r1, r2 = reg(session, w, "e1", event=event), reg(session, w, "e2", event=event)
    with pytest.raises(InvalidTransition, match="当天或之后"):
        registration.record_attendance(session, w.users["stn"], event.id, [r1.id], today=TODAY)
    with pytest.raises(ValidationError):
        registration.record_attendance(session, w.users["stn"], event.id, [r1.id, 999999], today=DAY)
    registration.record_attendance(session, w.users["stn"], event.id, [r1.id], today=DAY)
    assert (r1.attended, r2.attended) == (True, False)
    # the absentee is no longer among the pairs
    assert {row.enterprise.id for row in pairs.pair_rows(session, event)} == {w.orgs["e1"].id}


def test_pairs_scores_follow_up_and_a_deal_from_the_event(session, w):
    event = published_event(session, w)
    reg(session, w, "e1", event=event)
    reg(session, w, "e2", event=event)
    rows = pairs.pair_rows(session, event)
    assert [(r.patent.title, r.enterprise.id, r.score) for r in rows] == [
        ("一种锂电池正极材料", w.orgs["e1"].id, 80.0), ("一种光伏板清洗装置", w.orgs["e2"].id, 60.0),
        ("一种锂电池正极材料", w.orgs["e2"].id, 55.0), ("一种光伏板清洗装置", w.orgs["e1"].id, 40.0)]
    rec = pairs.follow_up(session, w.users["stn"], event.id, pairs.PairInput(
        w.patents["solar"].id, w.orgs["e2"].id, "following", "约定下周去现场", DAY + timedelta(days=7)))
    assert (rec.outcome, rec.score, rec.need_id) == (PairOutcome.FOLLOWING, 60.0, w.needs["n2"].id)
    with pytest.raises(ValidationError):
        pairs.follow_up(session, w.users["stn"], event.id, pairs.PairInput(
            w.patents["solar"].id, w.orgs["e2"].id, "deal"))
    with pytest.raises(NotFound):
        pairs.follow_up(session, w.users["stn"], event.id, pairs.PairInput(
            w.patents["cotton"].id, w.orgs["e2"].id, "following"))
    with pytest.raises(PermissionDenied):
        pairs.follow_up(session, w.users["e1"], event.id, pairs.PairInput(
            w.patents["bat"].id, w.orgs["e1"].id, "following"))
    # a licence request from the event: the broker asks for e1
    deal = request_deal(session, w.users["stn"], w.offers["bat"].id, enterprise_id=w.orgs["e1"].id,
                        event_id=event.id, today=TODAY)
    assert deal.event_id == event.id
    pair = session.scalar(select(EventPair).where(EventPair.deal_id == deal.id))
    assert (pair.patent_id, pair.enterprise_id, pair.outcome, pair.score) == (
        w.patents["bat"].id, w.orgs["e1"].id, PairOutcome.DEAL, 80.0)
    with pytest.raises(InvalidTransition):
        pairs.follow_up(session, w.users["stn"], event.id, pairs.PairInput(
            w.patents["bat"].id, w.orgs["e1"].id, "no_interest"))


def test_a_deal_names_only_an_event_where_the_two_met(session, w):
    event = published_event(session, w)
    reg(session, w, "e1", event=event)
    with pytest.raises(ValidationError, match="未在此活动中路演"):
        request_deal(session, w.users["e3"], w.offers["cotton"].id, event_id=event.id, today=TODAY)
    with pytest.raises(ValidationError, match="未报名此活动"):
        request_deal(session, w.users["e3"], w.offers["bat"].id, event_id=event.id, today=TODAY)
    draft = service.create_event(session, w.users["stn"], event_input(), today=TODAY)
    with pytest.raises(ValidationError, match="不存在或尚未发布"):
        request_deal(session, w.users["e1"], w.offers["bat"].id, event_id=draft.id, today=TODAY)
    with pytest.raises(ValidationError):
        request_deal(session, w.users["e1"], w.offers["bat"].id, event_id=2_000_000, today=TODAY)


def test_other_patents_in_the_theme(session, w):
    event = service.create_event(session, w.users["stn"], event_input(ipc="B08B", industry=""), today=TODAY)
    session.add(PatentIPC(patent=w.patents["solar"], code="B08B 1/00", section="B", ipc_class="B08",
                          subclass="B08B"))
    session.flush()
    assert programme.theme_patents(session, event) == [w.patents["solar"]]
    event.ipc, event.industry = "", "新能源"
    assert programme.theme_patents(session, event) == [w.patents["solar"], w.patents["bat"]]
    assert programme.theme_patents(session, event, exclude=[w.patents["bat"].id]) == [w.patents["solar"]]
