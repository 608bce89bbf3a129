"""The main navigation of each kind of organization, as data the base template renders.

Brokers had ten entries in one row, which wrapped into a 346 px header on a phone. Entries are
now grouped (a group is a dropdown on wide screens and a headed list in the phone menu), so
every role has at most five top-level entries. Element ids stay stable: tests and users'
bookmarks of the old bar rely on `nav-…` ids, not on where an entry sits.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from flask import Flask, request


@dataclass(frozen=True)
class NavLink:
    """One entry: a Flask endpoint without arguments, its label and its element id."""

    endpoint: str
    label: str
    testid: str

    def is_current(self, endpoint: str | None) -> bool:
        return endpoint == self.endpoint


@dataclass(frozen=True)
class NavGroup:
    """Entries under one heading; current when one of them is."""

    label: str
    testid: str
    links: tuple[NavLink, ...]

    def is_current(self, endpoint: str | None) -> bool:
        return any(link.is_current(endpoint) for link in self.links)


NavEntry = Union[NavLink, NavGroup]

PATENTS = NavLink("search.patents", "专利库", "nav-patents")
DEALS = NavLink("deals.index", "许可交易", "nav-deals")
NEED_SEARCH = NavLink("search.needs", "需求检索", "nav-need-search")
DASHBOARD = NavLink("home.index", "工作台", "nav-dashboard")
EVENTS = NavLink("events.index", "路演活动", "nav-events")

_UNIVERSITY = (
    DASHBOARD,
    PATENTS,
    NavGroup("我的专利", "nav-group-patents", (
        NavLink("patents.mine", "我的专利", "nav-my-patents"),
        NavLink("patents.create", "登记专利", "nav-new-patent"),
        NavLink("imports.patents", "批量导入", "nav-import"),
    )),
    NavGroup("对接", "nav-group-deals", (NEED_SEARCH, DEALS, EVENTS)),
)

NAVIGATION: dict[str | None, tuple[NavEntry, ...]] = {
    None: (PATENTS, EVENTS),
    "university": _UNIVERSITY,
    "institute": _UNIVERSITY,
    "enterprise": (
        DASHBOARD,
        PATENTS,
        NavGroup("需求", "nav-group-needs", (
            NavLink("needs.index", "我的需求", "nav-needs"),
            NavLink("matches.index", "匹配推荐", "nav-matches"),
            NavLink("needs.create", "发布需求", "nav-new-need"),
            NavLink("imports.needs", "批量导入", "nav-import"),
        )),
        NavGroup("对接", "nav-group-deals", (DEALS, EVENTS)),
        NavGroup("本企业", "nav-group-company", (
            NavLink("profiles.mine", "企业画像", "nav-profile"),
            NavLink("links.index", "服务驿站", "nav-links"),
            NavLink("custody.index", "知识产权托管", "nav-custody"),
        )),
    ),
    "agency": (
        DASHBOARD,
        PATENTS,
        NavLink("custody.index", "托管工作台", "nav-custody"),
        NavLink("custody.new_agreement", "签订托管协议", "nav-new-agreement"),
        EVENTS,
    ),
    "station": (
        DASHBOARD,
        NavLink("station.index", "需求看板", "nav-station"),
        NavGroup("需求", "nav-group-needs", (
            NavLink("links.index", "服务企业", "nav-links"),
            NavLink("needs.clients", "服务企业的需求", "nav-client-needs"),
            NavLink("needs.index", "全部需求", "nav-needs"),
            NEED_SEARCH,
            NavLink("needs.create", "代发需求", "nav-new-need"),
            NavLink("imports.needs", "批量导入", "nav-import"),
        )),
        NavGroup("对接", "nav-group-deals", (
            NavLink("matches.station", "匹配推荐", "nav-station-matches"),
            PATENTS,
            DEALS,
            EVENTS,
        )),
        NavLink("kpis.index", "指标", "nav-kpis"),
    ),
    "operator": (
        DASHBOARD,
        PATENTS,
        NavGroup("需求", "nav-group-needs", (
            NavLink("needs.index", "全部需求", "nav-needs"),
            NEED_SEARCH,
        )),
        DEALS,
        NavGroup("管理", "nav-group-admin", (
            NavLink("admin.organizations", "机构审核", "nav-admin"),
            NavLink("admin.users", "用户", "nav-users"),
            NavLink("links.index", "驿站服务关系", "nav-links"),
            NavLink("kpis.index", "运营指标", "nav-kpis"),
            NavLink("custody.index", "托管", "nav-custody"),
            NavLink("profiles.index", "企业画像", "nav-profiles"),
            EVENTS,
            NavLink("admin.audit", "操作记录", "nav-audit"),
        )),
    ),
}


def navigation_for(kind: str | None) -> tuple[NavEntry, ...]:
    """The entries of an organization kind (None: a visitor); unknown kinds get the visitor's."""
    return NAVIGATION.get(kind, NAVIGATION[None])


def register(app: Flask) -> None:
    """`main_nav(kind)` and `nav_current(entry)` for templates/base.html."""

    @app.context_processor
    def _navigation():
        return {"main_nav": navigation_for,
                "nav_current": lambda entry: entry.is_current(request.endpoint)}
