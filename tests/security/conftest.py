"""A world with two of everything, so each role has its own objects and someone else's.

Roles (the columns of the authorization matrix): anonymous visitor, university, institute,
enterprise, station broker, operator. Every object is committed through the real services
where one exists (offers, deals, import batches), so the pages see what users would create.
"""
from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from matchmaker.catalog import memberships, self_service, station_links
from matchmaker.catalog.station_links import link_station_client
from matchmaker.custody import agreements as custody
from matchmaker.db import Base
from matchmaker.imports import batches
from matchmaker.licensing import proposals
from matchmaker.licensing.deals import StepInput, request_deal, transition
from matchmaker.licensing.offers import OfferInput, create_offer
from matchmaker.models import (AccountToken, CustodyAgreement, Deal, DealState, ImportBatch, ImportKind,
                               LicenceOffer, ListingState, Match, Need, Notification, Organization,
                               OrgKind, OrgStatus, Patent, PatentType, StationLink, User,
                               UserRole)
from tests.factories import make_need, make_org, make_patent, make_user, valid_app_no
from tests.web.helpers import csrf_token, login

ROLES = ("anon", "uni", "inst", "ent", "stn", "op")
ROLE_KINDS = {"uni": OrgKind.UNIVERSITY, "inst": OrgKind.INSTITUTE, "ent": OrgKind.ENTERPRISE,
              "stn": OrgKind.STATION, "op": OrgKind.OPERATOR}

PATENT_HEADERS = ["申请号", "专利名称", "摘要", "法律状态", "申请日"]
NEED_HEADERS = ["需求编号", "需求名称", "需求描述", "所属行业", "合作方式", "有效期至"]


def csv_bytes(headers: list, rows: list[list]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def patent_file(serial: int, title: str = "一种耐盐碱苜蓿的组织培养快繁方法") -> bytes:
    """One acceptable row and one rejected row (bad application number), so a report exists."""
    return csv_bytes(PATENT_HEADERS, [
        [valid_app_no(2019, "1", serial), title, f"{title}。本发明提高了繁殖效率。", "有效", "2019-03-01"],
        ["不是申请号", "缺少有效申请号的专利", "摘要", "有效", "2019-03-01"],
    ])


def need_file(source: str, title: str = "棉花秸秆综合利用技术") -> bytes:
    until = (date.today() + timedelta(days=90)).isoformat()
    return csv_bytes(NEED_HEADERS, [
        [source, title, "每年产生大量棉秆，希望引进制板或制肥技术。", "农产品加工", "许可", until],
        [source + "-bad", "", "没有标题的需求会被拒绝", "农产品加工", "许可", until],
    ])


@dataclass(frozen=True)
class Token:
    """A one-time link's token where the matrix expects an object with an `id` (the URL part)."""

    id: str


@dataclass
class SecWorld:
    """Named objects; `user[role]` is the user each role column logs in as."""

    orgs: dict[str, Organization] = field(default_factory=dict)
    user: dict[str, User] = field(default_factory=dict)
    patent: dict[str, Patent] = field(default_factory=dict)
    need: dict[str, Need] = field(default_factory=dict)
    offer: dict[str, LicenceOffer] = field(default_factory=dict)
    deal: dict[str, Deal] = field(default_factory=dict)
    batch: dict[str, ImportBatch] = field(default_factory=dict)
    match: dict[str, Match] = field(default_factory=dict)
    notification: dict[str, Notification] = field(default_factory=dict)
    agreement: dict[str, CustodyAgreement] = field(default_factory=dict)
    event: dict = field(default_factory=dict)         # issue 16 (see world_events.py)
    item: dict = field(default_factory=dict)
    link: dict[str, StationLink] = field(default_factory=dict)
    invitation: dict[str, AccountToken] = field(default_factory=dict)
    addressed: dict[str, AccountToken] = field(default_factory=dict)   # by the user it is sent to
    invite: dict[str, "Token"] = field(default_factory=dict)
    reset: dict[str, "Token"] = field(default_factory=dict)

    @property
    def member(self) -> dict[str, User]:
        """Members of a role's organization live among the users (`uni_member`)."""
        return self.user

    @property
    def linkreq(self) -> dict[str, StationLink]:
        """Link requests waiting for an answer live among the links (`p`, `q`)."""
        return self.link

    @property
    def offered(self) -> dict[str, Deal]:
        """Deals with a proposed step waiting for agreement live among the deals (`c`)."""
        return self.deal

    @property
    def proposal(self) -> dict[str, CustodyAgreement]:
        return self.agreement

    @property
    def year(self) -> dict:
        """The annual report's year, as an object with an id (this year)."""
        from types import SimpleNamespace
        return {"now": SimpleNamespace(id=date.today().year)}

    @property
    def attended(self) -> dict:
        """Events named by who registered at them (see world_events.py)."""
        return self.event

    @property
    def enterprise(self) -> dict[str, Organization]:
        """Enterprises (their profiles) are named by their organization key."""
        return self.orgs

    @property
    def own_patent(self) -> dict[str, Patent]:
        """Enterprises' own patents (custody) live among the patents, under `<org>_own`."""
        return self.patent


def offer_input(**fields) -> OfferInput:
    values = dict(licence_type="ordinary", free_months=6, payment_mode="lump_sum",
                  lump_sum_wan="10", term_months=36)
    values.update(fields)
    return OfferInput(**values)


def build_sec_world(session, settings) -> SecWorld:
    """Orgs: uni/uni2, inst, ent (served by stn)/ent2 (served by stn2)/ent3, stn/stn2/stn3, op, and
    a pending and a suspended org.

    Station links: a = stn–ent (active), b = stn2–ent2 (active), p = stn asked ent3, q = stn3
    asked ent (both waiting for the enterprise).

    Objects (the matrix's own/other/hidden variants resolve to these):
      patents  uni (listed), inst (listed), other (uni2, listed), hidden (uni2, withdrawn)
      needs    ent, ent2
      offers   uni, inst, other, hidden (on the withdrawn patent)
      deals    a = ent × offer uni (free period running), b = ent2 × offer inst (free period running),
               c = ent × offer inst (free period running, a conversion proposed by stn waits
               for inst and ent: the `offered` deal)
      batches  uni, inst (patents), ent, stn (needs of ent), ent2 (needs)
      matches  a = need ent × patent uni, b = need ent2 × patent other
      inbox    one notification per role user, and one of the ent2 user
      custody  agn keeps ent, agn2 keeps ent2 (agreements ent, ent2); agn2's proposal to ent
               (agreement proposal); own patents ent_own, ent2_own
    """
    w = SecWorld()
    today = date.today()

    def member(key: str, kind: OrgKind, name: str, **org):
        w.orgs[key] = make_org(session, kind, name=name, **org)
        w.user[key] = make_user(session, w.orgs[key], display_name=f"{name}用户")

    member("uni", OrgKind.UNIVERSITY, "新疆安全测试大学")
    member("uni2", OrgKind.UNIVERSITY, "另一所安全测试大学")
    member("inst", OrgKind.INSTITUTE, "安全测试研究所")
    member("ent", OrgKind.ENTERPRISE, "昌吉安全测试电池有限公司")
    member("ent2", OrgKind.ENTERPRISE, "哈密无关纺织有限公司")
    member("stn", OrgKind.STATION, "昌吉安全测试驿站")
    member("op", OrgKind.OPERATOR, "平台运营中心")
    member("pending", OrgKind.ENTERPRISE, "待审核企业有限公司", status=OrgStatus.PENDING)
    member("suspended", OrgKind.ENTERPRISE, "已停用企业有限公司", status=OrgStatus.SUSPENDED)
    member("stn2", OrgKind.STATION, "另一个安全测试驿站")
    member("stn3", OrgKind.STATION, "第三个安全测试驿站")
    member("ent3", OrgKind.ENTERPRISE, "第三家安全测试企业有限公司")
    w.link["a"] = link_station_client(session, w.orgs["stn"], w.orgs["ent"])
    w.link["b"] = link_station_client(session, w.orgs["stn2"], w.orgs["ent2"])
    w.link["p"] = station_links.request_link(session, w.user["stn"], w.orgs["ent3"].id)
    w.link["q"] = station_links.request_link(session, w.user["stn3"], w.orgs["ent"].id)

    life = dict(filing_date=today - timedelta(days=400), expiry_date=today + timedelta(days=365 * 18))
    # Long titles, as real ones are: the phone-layout suite (tests/browser/test_small_screens.py)
    # visits every page of this world, and a long unbreakable title is what widens a page.
    w.patent["uni"] = make_patent(session, w.orgs["uni"],
                                  title="一种用于高能量密度锂离子动力电池的高镍三元正极材料表面包覆改性方法及其制备装置",
                                  industry_tags=["新能源"], **life)
    w.patent["inst"] = make_patent(session, w.orgs["inst"], title="一种盐碱地改良剂及其制备方法", **life)
    w.patent["other"] = make_patent(session, w.orgs["uni2"], title="一种滴灌带回收造粒装置", **life)
    w.patent["hidden"] = make_patent(session, w.orgs["uni2"], title="一种尚未公开的密封结构", **life)
    w.need["ent"] = make_need(session, w.orgs["ent"],
                              title="提高锂电池高镍正极材料循环寿命与倍率性能的包覆改性关键技术研究及产业化应用")
    w.need["ent2"] = make_need(session, w.orgs["ent2"], title="纺织印染废水深度处理")
    session.flush()

    for key, owner in (("uni", "uni"), ("inst", "inst"), ("other", "uni2"), ("hidden", "uni2")):
        w.offer[key] = create_offer(session, w.user[owner], w.patent[key].id, offer_input(),
                                    today=today).offer
    w.patent["hidden"].listing_state = ListingState.WITHDRAWN   # after its offer was published
    session.flush()

    def running_deal(offer: str, enterprise: str) -> Deal:
        deal = request_deal(session, w.user[enterprise], w.offer[offer].id,
                            enterprise_id=w.orgs[enterprise].id, today=today)
        for to in (DealState.NEGOTIATING, DealState.FREE_ACTIVE):
            transition(session, w.user["op"], deal.id, to, expected_version=deal.version,
                       step=StepInput(), today=today)
            if deal.pending_to is not None:        # the licensor agrees to the free period
                proposals.confirm(session, w.user[offer], deal.id, expected_version=deal.version,
                                  today=today)
        return deal

    w.deal["a"] = running_deal("uni", "ent")
    w.deal["b"] = running_deal("inst", "ent2")
    # deal c: ent × inst's offer, with a conversion the station's broker proposed (waiting for
    # inst and ent)
    w.deal["c"] = running_deal("inst", "ent")
    transition(session, w.user["stn"], w.deal["c"].id, DealState.CONVERTED,
               expected_version=w.deal["c"].version,
               step=StepInput(contract_value_wan="12"), today=today)

    def batch(key: str, uploader: str, kind: ImportKind, data: bytes, filename: str,
              enterprise: str | None = None) -> None:
        actor = w.user[uploader]
        target = batches.import_target(session, actor, kind,
                                       w.orgs[enterprise].id if enterprise else None)
        w.batch[key] = batches.create_batch(session, settings, actor, kind, target,
                                            io.BytesIO(data), filename)

    batch("uni", "uni", ImportKind.PATENTS, patent_file(9001), "uni.csv")
    batch("inst", "inst", ImportKind.PATENTS, patent_file(9002, "一种红枣烘干设备"), "inst.csv")
    batch("ent", "ent", ImportKind.NEEDS, need_file("S-ENT"), "ent.csv")
    batch("stn", "stn", ImportKind.NEEDS, need_file("S-STN", "滴灌系统节水改造"), "stn.csv", "ent")
    batch("ent2", "ent2", ImportKind.NEEDS, need_file("S-ENT2", "印染污泥资源化"), "ent2.csv")

    def match(key: str, need: str, patent: str) -> None:
        w.match[key] = Match(need=w.need[need], patent=w.patent[patent], score=72.5,
                             breakdown={"retrieval": 40.0}, signals={"retrieval": 0.8},
                             matched_terms=["正极材料"])
        session.add(w.match[key])

    match("a", "ent", "uni")
    match("b", "ent2", "other")

    for key in ("uni", "inst", "ent", "stn", "op", "ent2"):
        w.notification[key] = Notification(user=w.user[key], kind="test", title=f"给{key}的消息",
                                           link="/deals")
        session.add(w.notification[key])

    # custody: agency agn keeps ent, agn2 keeps ent2; agn2 also proposes to ent (a proposal
    # waiting for ent); each enterprise has an own patent
    # teams: uni has a second (plain) member; uni and ent2 each have an open invitation, and ent2
    # one to the uni user's address; the ent user has a password-reset link (the operator issued it)
    w.user["uni_member"] = make_user(session, w.orgs["uni"], role=UserRole.MEMBER,
                                     display_name="大学普通成员")
    now = datetime.now(timezone.utc)
    for key in ("uni", "ent2"):
        made = memberships.invite(session, w.user[key], role="member", now=now,
                                  lifetime=timedelta(days=7))
        w.invitation[key] = made.row
        if key == "uni":
            w.invite["t"] = Token(made.token)
    # ent2 invites the address of the uni user (opened from that user's inbox); "none" is an
    # invitation addressed to nobody
    w.addressed["uni"] = memberships.invite(session, w.user["ent2"], role="member", now=now,
                                            lifetime=timedelta(days=7),
                                            email=w.user["uni"].mail_address).row
    w.addressed["none"] = w.invitation["ent2"]
    _user, reset_token = self_service.issue_reset(session, w.user["op"], w.user["ent"].id, now=now,
                                                  lifetime=timedelta(hours=24))
    w.reset["t"] = Token(reset_token)

    member("agn", OrgKind.AGENCY, "安全测试知识产权代理事务所")
    member("agn2", OrgKind.AGENCY, "另一家安全测试代理机构")
    for key, agency in (("ent", "agn"), ("ent2", "agn2")):
        made = custody.propose(session, w.user[agency], w.orgs[key].id, custody.AgreementInput(
            services=["annuity"], start_date=today - timedelta(days=30),
            end_date=today + timedelta(days=300), fee_wan="0.3"))
        custody.respond(session, w.user[key], made.id, True)
        w.agreement[key] = made
        w.patent[f"{key}_own"] = make_patent(
            session, w.orgs[key], title=f"{key} 自有的一种播种机", patent_type=PatentType.UTILITY,
            app_no=valid_app_no(today.year - 2, "2", 4000 + len(w.patent)),
            filing_date=date(today.year - 2, 1, 10), listing_state=ListingState.DRAFT, **{
                k: v for k, v in life.items() if k == "expiry_date"})
    w.agreement["proposal"] = custody.propose(session, w.user["agn2"], w.orgs["ent"].id,
                                              custody.AgreementInput(services=["navigation"],
                                              start_date=today, end_date=today + timedelta(days=90),
                                              fee_wan="0"))
    from tests.security.world_events import add_event_objects
    add_event_objects(session, w, today)
    session.commit()
    for deal in w.deal.values():
        assert deal.state == DealState.FREE_ACTIVE
    assert w.deal["c"].pending_to == DealState.CONVERTED
    for item in w.batch.values():
        assert batches.report_path(settings, item).exists(), item.filename
    return w


@pytest.fixture
def fast_hashing(monkeypatch):
    """One PBKDF2 round instead of scrypt for the many users these tests create and log in
    (check_password_hash reads the method from the stored hash, so logins stay real)."""
    from werkzeug.security import generate_password_hash

    from matchmaker.catalog import accounts
    monkeypatch.setattr(accounts, "generate_password_hash",
                        lambda password: generate_password_hash(password, "pbkdf2:sha256:1"))


@pytest.fixture
def sec(session, settings, app, fast_hashing) -> SecWorld:
    """The security world, committed (the app fixture exists first, so its index is set up)."""
    return build_sec_world(session, settings)


def log_in_as(client, sec: SecWorld, role: str) -> None:
    """Log the client in as the role's user (anonymous: nothing)."""
    if role == "anon":
        return
    response = login(client, sec.user[role].login)
    assert response.status_code == 302, (role, response.status_code)


def session_token(client) -> str:
    """A valid CSRF token of the client's session (Flask-WTF accepts it on every form)."""
    page = client.get("/login")
    if page.status_code == 302:   # logged in: the logout form on the home page has one
        page = client.get("/")
    return csrf_token(page.get_data(as_text=True))


def fingerprint(session) -> str:
    """A digest of every row of every table: equal before and after = nothing was written."""
    session.expire_all()
    digest = hashlib.sha256()
    with session.get_bind().connect() as conn:
        for table in Base.metadata.sorted_tables:
            order = ", ".join(f'"{c.name}"' for c in table.primary_key.columns) or "1"
            for row in conn.execute(text(f'SELECT * FROM "{table.name}" ORDER BY {order}')):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()
