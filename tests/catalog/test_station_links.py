"""Station–enterprise links: asked by one side, confirmed by the other, made and ended by the
operator, kept as history; only active links let brokers act for the enterprise."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from matchmaker import permissions
from matchmaker.catalog import station_links as sl
from matchmaker.catalog.needs import NeedInput, create_need
from matchmaker.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationError
from matchmaker.models import (LinkState as L, Notification, OrgKind, OrgStatus, StationLink,
                               StationLinkEvent)
from tests.factories import make_org, make_user, valid_credit_code


@pytest.fixture
def w(session):
    class W:
        station = make_org(session, OrgKind.STATION, name="天山创新驿站")
        broker = make_user(session, station)
        ent = make_org(session, OrgKind.ENTERPRISE, name="乌鲁木齐测试电池有限公司")
        ent_user = make_user(session, ent)
        other_station = make_org(session, OrgKind.STATION, name="另一个驿站")
        other_broker = make_user(session, other_station)
        op = make_user(session, make_org(session, OrgKind.OPERATOR))
        uni_user = make_user(session, make_org(session, OrgKind.UNIVERSITY))
    session.commit()
    return W


def _titles(session, user):
    return [n.title for n in session.scalars(select(Notification).where(
        Notification.user_id == user.id).order_by(Notification.id))]


def test_station_asks_enterprise_confirms_and_the_broker_may_act(session, w):
    link = sl.request_link(session, w.broker, w.ent.id, note="上门走访后申请")
    session.commit()
    assert link.state == L.PROPOSED and w.ent not in w.station.clients
    assert not permissions.acts_for(w.broker, w.ent)          # not before the enterprise agrees
    assert _titles(session, w.ent_user) == ["天山创新驿站申请为贵企业提供服务，请确认"]
    assert sl.waiting_count(session, w.ent) == 1 and sl.waiting_count(session, w.station) == 0
    with pytest.raises(PermissionDenied, match="需由对方确认"):
        sl.act(session, w.broker, link.id, "confirm")
    sl.act(session, w.ent_user, link.id, "confirm", version=link.version)
    session.commit()
    assert link.state == L.ACTIVE and [c.id for c in w.station.clients] == [w.ent.id]
    assert [s.id for s in w.ent.stations] == [w.station.id]
    assert permissions.acts_for(w.broker, w.ent)
    need = create_need(session, w.broker, w.ent, NeedInput(title="提高正极材料循环寿命",
                                                          description="需要包覆改性技术"))
    assert need.enterprise_id == w.ent.id
    assert [(e.from_state, e.to_state, e.actor_id) for e in link.events] == [
        ("", "proposed", w.broker.id), ("proposed", "active", w.ent_user.id)]


def test_enterprise_asks_station_declines(session, w):
    link = sl.request_link(session, w.ent_user, w.station.id)
    assert link.requested_by_id == w.ent.id
    sl.act(session, w.broker, link.id, "decline", note="不在服务区域")
    assert link.state == L.DECLINED and link.open_slot is None
    assert not permissions.acts_for(w.broker, w.ent)
    again = sl.request_link(session, w.ent_user, w.station.id)   # may ask again: a new row
    assert again.id != link.id and again.state == L.PROPOSED


def test_a_pair_has_one_open_link(session, w):
    sl.request_link(session, w.broker, w.ent.id)
    for actor, other in ((w.broker, w.ent.id), (w.ent_user, w.station.id)):
        with pytest.raises(ValidationError, match="已有待确认的申请"):
            sl.request_link(session, actor, other)
    session.rollback()


def test_the_database_refuses_a_second_open_link(session, w):
    session.add_all([StationLink(station=w.station, enterprise=w.ent, requested_by=w.station),
                     StationLink(station=w.station, enterprise=w.ent, requested_by=w.ent)])
    with pytest.raises(Exception, match="(?i)unique"):
        session.flush()
    session.rollback()


def test_requester_withdraws_counterpart_cannot(session, w):
    link = sl.request_link(session, w.broker, w.ent.id)
    with pytest.raises(PermissionDenied, match="只有提出申请的一方可以撤回"):
        sl.act(session, w.ent_user, link.id, "withdraw")
    sl.act(session, w.broker, link.id, "withdraw")
    assert link.state == L.WITHDRAWN
    with pytest.raises(InvalidTransition, match="不能改为“服务中”"):
        sl.act(session, w.ent_user, link.id, "confirm")


def test_either_side_or_the_operator_ends_a_link_with_a_reason(session, w):
    for ender in (w.ent_user, w.broker, w.op):
        link = sl.operator_link(session, w.op, w.station.id, w.ent.id, note="现场核实")
        assert permissions.acts_for(w.broker, w.ent)
        with pytest.raises(ValidationError, match="请填写解除原因"):
            sl.act(session, ender, link.id, "end")
        sl.act(session, ender, link.id, "end", note="合作结束")
        assert link.state == L.ENDED and not permissions.acts_for(w.broker, w.ent)
    history = session.scalars(select(StationLink).where(StationLink.enterprise_id == w.ent.id)).all()
    assert [h.state for h in history] == [L.ENDED] * 3          # history kept


def test_operator_link_confirms_a_pending_request_instead_of_duplicating(session, w):
    link = sl.request_link(session, w.broker, w.ent.id)
    made = sl.operator_link(session, w.op, w.station.id, w.ent.id)
    assert made.id == link.id and made.state == L.ACTIVE
    with pytest.raises(ValidationError, match="已建立服务关系"):
        sl.operator_link(session, w.op, w.station.id, w.ent.id)
    with pytest.raises(PermissionDenied, match="只有平台运营方"):
        sl.operator_link(session, w.broker, w.station.id, w.ent.id)


@pytest.mark.parametrize("who", ["uni_user", "op"])
def test_only_stations_and_enterprises_ask(session, w, who):
    with pytest.raises(PermissionDenied):
        sl.request_link(session, getattr(w, who), w.ent.id)


def test_counterpart_must_be_an_approved_organization_of_the_other_kind(session, w):
    pending = make_org(session, OrgKind.ENTERPRISE, status=OrgStatus.PENDING)
    for target in (pending.id, w.other_station.id, 999999, None):
        with pytest.raises(ValidationError, match="请选择一家已审核的企业"):
            sl.request_link(session, w.broker, target)
    assert session.scalar(select(StationLink.id)) is None


def test_strangers_do_not_see_a_link(session, w):
    link = sl.request_link(session, w.broker, w.ent.id)
    for stranger in (w.other_broker, w.uni_user):
        with pytest.raises(NotFound):
            sl.act(session, stranger, link.id, "confirm")
    assert sl.get_link(session, w.op, link.id) is link


def test_a_stale_page_is_refused(session, w):
    link = sl.request_link(session, w.broker, w.ent.id)
    seen = link.version
    sl.act(session, w.broker, link.id, "withdraw")
    with pytest.raises((Conflict, InvalidTransition)):
        sl.act(session, w.ent_user, link.id, "confirm", version=seen)


def test_a_registering_enterprise_may_name_its_station(session, w):
    from matchmaker.catalog.accounts import register
    from matchmaker.catalog.organizations import OrganizationInput
    user = register(session, OrganizationInput(kind="enterprise", name="新注册的企业有限公司",
                                               credit_code=valid_credit_code(7777)),
                    "new@example.com", "a-long-pass-2024", "新用户")
    link = sl.request_at_registration(session, user, w.station.id)
    assert link.state == L.PROPOSED and link.requested_by_id == user.organization_id
    with pytest.raises(InvalidTransition, match="尚未通过平台审核"):
        sl.act(session, w.broker, link.id, "confirm")
    user.organization.status = OrgStatus.APPROVED
    sl.act(session, w.broker, link.id, "confirm")
    assert link.state == L.ACTIVE


def test_candidates_leave_out_linked_organizations(session, w):
    assert [o.name for o in sl.candidates(session, w.station)] == ["乌鲁木齐测试电池有限公司"]
    sl.request_link(session, w.broker, w.ent.id)
    assert sl.candidates(session, w.station) == []
    assert [o.name for o in sl.candidates(session, w.ent)] == ["另一个驿站"]


def test_every_step_is_an_event(session, w):
    link = sl.request_link(session, w.ent_user, w.station.id, note="请驿站服务")
    sl.act(session, w.broker, link.id, "confirm")
    sl.act(session, w.op, link.id, "end", note="企业迁出")
    events = session.scalars(select(StationLinkEvent).order_by(StationLinkEvent.id)).all()
    assert [(e.to_state, e.note) for e in events] == [
        ("proposed", "请驿站服务"), ("active", ""), ("ended", "企业迁出")]
