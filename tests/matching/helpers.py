"""Builders shared by the matching and job tests: a few real-looking patents and needs."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker.catalog.ipc import parse_ipc
from matchmaker.models import Job, Match, Notification, Organization, Patent, PatentIPC, User
from tests.factories import make_patent

# key -> title, abstract, industry tags, IPC codes
CORPUS: dict[str, tuple[str, str, list[str], tuple[str, ...]]] = {
    "cathode": ("一种锂离子电池正极材料及其制备方法",
                "本发明公开了一种锂离子电池正极材料，采用磷酸铁锂包覆改性镍钴锰三元材料，"
                "提高电池的循环寿命和倍率性能。", ["新能源", "新材料"], ("H01M 4/36",)),
    "tea": ("基于深度学习的茶叶采摘时间预测方法",
            "通过采集茶园的温度、湿度和光照数据，建立神经网络模型，预测茶叶的最佳采摘时间，"
            "提高名优茶产量。", ["信息技术"], ("G06N 3/08",)),
    "film": ("一种可降解农用地膜及其制备方法",
             "以聚乳酸和淀粉为主要原料，制备可完全生物降解的农用地膜，解决残膜污染农田的问题。",
             ["新材料"], ("C08L 67/04",)),
    "wastewater": ("一种高盐工业废水处理装置",
                   "包括预处理池、膜分离单元和蒸发结晶器，用于处理煤化工高盐废水，"
                   "实现废水零排放和盐的资源化回收。", ["节能环保"], ("C02F 9/00",)),
    "cotton": ("棉花采摘机的清花装置",
               "用于采棉机的籽棉清理，去除棉花中的铃壳和杂质，提高机采棉品质。",
               ["农业机械"], ("A01D 46/08",)),
}

# Needs that should find one corpus patent each.
NEED_TEXT = {
    "cathode": ("提高动力电池正极材料的循环寿命",
                "我公司生产锂离子动力电池，三元正极材料循环寿命不足、倍率性能差，希望引进正极材料包覆改性技术。"),
    "film": ("农田残膜污染严重，需要可降解地膜",
             "棉田使用的聚乙烯地膜难以回收，残膜污染土壤，希望找到可生物降解的农用地膜及其制备技术。"),
    "wastewater": ("煤化工高盐废水零排放处理",
                   "我厂煤化工废水含盐量高，需要膜分离和蒸发结晶的废水处理装置，实现零排放。"),
}


def with_ipc(patent: Patent, *codes: str) -> Patent:
    for pos, raw in enumerate(codes):
        c = parse_ipc(raw)
        patent.ipc_entries.append(PatentIPC(position=pos, code=c.code, section=c.section,
                                            ipc_class=c.ipc_class, subclass=c.subclass))
    return patent


def corpus_patent(session: Session, owner: Organization, key: str, **overrides) -> Patent:
    """One corpus patent (flushed, not committed); overrides win."""
    title, abstract, tags, ipc = CORPUS[key]
    values = dict(title=title, abstract=abstract, industry_tags=list(tags))
    values.update(overrides)
    patent = make_patent(session, owner, **values)
    with_ipc(patent, *ipc)
    session.flush()
    return patent


def add_corpus(session: Session, owner: Organization, keys=None) -> dict[str, Patent]:
    return {k: corpus_patent(session, owner, k) for k in (keys or CORPUS)}


def count(session: Session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def jobs(session: Session, kind: str | None = None) -> list[Job]:
    session.expire_all()
    stmt = select(Job).order_by(Job.id)
    if kind:
        stmt = stmt.where(Job.kind == kind)
    return list(session.scalars(stmt))


def notifications_of(session: Session, user: User, kind: str | None = None) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return list(session.scalars(stmt))


def match_rows(session: Session, need_id: int) -> dict[int, Match]:
    """patent id -> match row of a need, read fresh from the database."""
    session.expire_all()
    return {m.patent_id: m for m in session.scalars(select(Match).where(Match.need_id == need_id))}


class PriorityLineup:
    """One university patent matched (scores set by hand, threshold 54) to the needs of four
    enterprises a station serves:

      plain   medium, founded 2000          80  recommended, not a priority
      small   small (a priority)            60  recommended
      other   no profile                    50  not recommended
      weak    micro and COVID-hit           40  not recommended (a priority, but relevance first)

    Expected order of a list: small, plain, other, weak."""

    SCORES = {"plain": 80.0, "small": 60.0, "other": 50.0, "weak": 40.0}

    def __init__(self, session: Session):
        from matchmaker.catalog.station_links import link_station_client
        from matchmaker.models import Match, OrgKind, SizeClass
        from matchmaker.matching.triggers import SKIP_KEY
        from tests.factories import make_need, make_org, make_profile, make_user
        session.info[SKIP_KEY] = True          # the scores are set by hand: no matching jobs
        self.uni = make_org(session, OrgKind.UNIVERSITY, name="新疆示例大学")
        self.uni_user = make_user(session, self.uni)
        self.patent = make_patent(session, self.uni)
        self.station = make_org(session, OrgKind.STATION, name="示例创新驿站")
        self.broker = make_user(session, self.station)
        self.orgs, self.needs, self.matches = {}, {}, {}
        for key, score in self.SCORES.items():
            org = self.orgs[key] = make_org(session, OrgKind.ENTERPRISE, name=f"示例企业·{key}")
            link_station_client(session, self.station, org)
            need = self.needs[key] = make_need(session, org, title=f"{key} 的技术需求")
            self.matches[key] = Match(need_id=need.id, patent_id=self.patent.id, score=score,
                                      origin="patent", matched_terms=["正极材料"])
            session.add(self.matches[key])
        make_profile(session, self.orgs["plain"], employees=400, revenue_wan=5000,
                     size_class=SizeClass.MEDIUM, founded_year=2000)
        make_profile(session, self.orgs["small"])
        make_profile(session, self.orgs["weak"], employees=5, revenue_wan=50, size_class=SizeClass.MICRO,
                     covid_affected=True)
        session.commit()
        session.info.pop(SKIP_KEY)

    def keys(self, matches) -> list[str]:
        by_need = {need.id: key for key, need in self.needs.items()}
        return [by_need[m.need_id] for m in matches]
