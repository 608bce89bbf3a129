"""Crafted numbers and dates in every integer/date parameter of every route (issue 11, item 3).

The route × role matrix of `test_authorization_matrix.py`, driven again with hostile values:
`²` (a digit to `str.isdigit`, not to `int`), more than 4,300 digits (Python's `int()` limit),
ids past the INTEGER columns (2147483648, 9223372036854775808), dates like 0001-01-01. None may
answer 500; an out-of-range id in a path answers 404; a crafted query argument changes neither
who may see a page nor whether it renders.

`PARAMS` names the integer/date parameters of each route; a route missing from it fails
`test_every_route_declares_its_numeric_parameters`, so a new route is tried too.
"""
from __future__ import annotations

import io
import re

import pytest

from tests.security.conftest import ROLES, log_in_as, need_file, session_token
from tests.security.test_authorization_matrix import CELLS, MATRIX, check, post_data, resolve

CRAFTED = ["²", "9" * 4301, "2147483648", "9223372036854775808", "0001-01-01", "9999-12-31", "-1",
           "٣"]
CRAFTED_IDS = ["2147483648", "9223372036854775808", "9" * 4301, "0", "²", "-1", "٣"]

PAGE = [("args", "page")]
SEARCH = [("args", "page"), ("args", "per_page")]
KPI = [("args", "from_year"), ("args", "to_year"), ("args", "as_of")]
NEED_FORM = [("form", "enterprise_id"), ("form", "budget_min_wan"), ("form", "budget_max_wan"),
             ("form", "valid_until")]
PATENT_FORM = [("form", "filing_date"), ("form", "grant_date"), ("form", "readiness")]
OFFER_FORM = [("form", n) for n in ("free_months", "term_months", "lump_sum_wan", "entry_fee_wan",
                                    "royalty_pct", "transfer_price_wan")]

CUSTODY_FORM = [("form", n) for n in ("counterpart", "start_date", "end_date", "fee_wan",
                                       "voucher_value_wan")]

# (method, rule) -> the integer, date and amount parameters the route reads ([] = none besides
# the path). Path ids (<int:…>) are tried on every route that has one, see below.
PARAMS: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("GET", "/"): [], ("GET", "/healthz"): [], ("GET", "/login"): [], ("POST", "/login"): [],
    ("POST", "/logout"): [], ("GET", "/register"): [], ("POST", "/register"): [],
    ("GET", "/register/done"): [], ("GET", "/data-sources"): [],
    ("GET", "/admin"): PAGE, ("GET", "/admin/organizations"): PAGE,
    ("GET", "/admin/audit"): PAGE + [("args", "id")], ("GET", "/admin/patents"): [("args", "app_no")],
    ("POST", "/admin/organizations/<int:org_id>/<any(approve, reject, suspend, reinstate):action>"): [],
    ("GET", "/api/patents/search"): SEARCH, ("GET", "/api/needs/search"): SEARCH,
    ("GET", "/api/openapi.json"): [],
    ("GET", "/deals"): PAGE, ("GET", "/deals/<int:deal_id>"): [],
    ("POST", "/deals/<int:deal_id>/filing"): [("form", "version"), ("form", "recordal_date")],
    ("POST", "/deals/<int:deal_id>/notes"): [],
    ("POST", "/deals/<int:deal_id>/proposal/<any(confirm, reject, withdraw):action>"): [
        ("form", "version")],
    ("POST", "/deals/<int:deal_id>/step"): [("form", "version"), ("form", "start_date"),
                                            ("form", "contract_value_wan")],
    ("GET", "/imports/batch/<int:batch_id>"): [], ("POST", "/imports/batch/<int:batch_id>/cancel"): [],
    ("POST", "/imports/batch/<int:batch_id>/confirm"): [("form", "include")],
    ("GET", "/imports/batch/<int:batch_id>/rejections.csv"): [],
    ("GET", "/imports/needs"): [], ("POST", "/imports/needs"): [("form", "enterprise_id")],
    ("GET", "/imports/patents"): [], ("POST", "/imports/patents"): [("form", "enterprise_id")],
    ("GET", "/imports/template/<any(patents, needs):kind>.<any(csv, xlsx):fmt>"): [],
    ("GET", "/inbox"): PAGE, ("GET", "/inbox/"): PAGE,
    ("POST", "/inbox/<int:notification_id>/open"): [], ("POST", "/inbox/read-all"): [],
    ("GET", "/kpis/"): KPI, ("GET", "/kpis/export.<fmt>"): KPI,
    ("GET", "/matches/"): PAGE, ("POST", "/matches/<int:match_id>/react"): [],
    ("POST", "/matches/<int:match_id>/request"): [], ("GET", "/matches/need/<int:need_id>"): [],
    ("GET", "/matches/patent/<int:patent_id>"): PAGE,
    ("GET", "/matches/station"): PAGE + [("args", "min_score")],
    ("GET", "/needs/"): PAGE, ("GET", "/needs/<int:need_id>"): [],
    ("POST", "/needs/<int:need_id>/close"): [], ("GET", "/needs/<int:need_id>/edit"): [],
    ("POST", "/needs/<int:need_id>/edit"): NEED_FORM, ("GET", "/needs/clients"): PAGE,
    ("GET", "/needs/new"): [], ("POST", "/needs/new"): NEED_FORM,
    ("GET", "/offers/<int:offer_id>/request"): [("args", "need")],
    ("POST", "/offers/<int:offer_id>/request"): [("form", "enterprise_id"), ("form", "need_id")],
    ("POST", "/offers/<int:offer_id>/withdraw"): [],
    ("GET", "/patents/"): PAGE, ("GET", "/patents/<int:patent_id>"): [("args", "need")],
    ("POST", "/patents/<int:patent_id>/<any(list, withdraw, archive):action>"): [],
    ("GET", "/patents/<int:patent_id>/edit"): [], ("POST", "/patents/<int:patent_id>/edit"): PATENT_FORM,
    ("GET", "/patents/<int:patent_id>/offers/new"): [],
    ("POST", "/patents/<int:patent_id>/offers/new"): OFFER_FORM,
    ("POST", "/patents/<int:patent_id>/owner"): [("form", "new_owner")],
    ("GET", "/patents/mine"): PAGE, ("GET", "/patents/new"): [], ("POST", "/patents/new"): PATENT_FORM,
    ("GET", "/search/needs"): SEARCH, ("GET", "/search/patents"): SEARCH,
    ("GET", "/static/<path:filename>"): [], ("GET", "/station/"): [("args", "waiting_page")],
    ("POST", "/station/needs/<int:need_id>/note"): [],
    ("POST", "/kpis/custody-plan"): [("form", "year"), ("form", "value")],
    ("GET", "/custody/"): [], ("GET", "/custody/agreements/new"): [("args", "with")],
    ("POST", "/custody/agreements/new"): CUSTODY_FORM,
    ("GET", "/custody/agreements/<int:agreement_id>"): [],
    ("POST", "/custody/agreements/<int:agreement_id>/confirm"): [("form", "version")],
    ("POST", "/custody/agreements/<int:agreement_id>/decline"): [("form", "version")],
    ("POST", "/custody/agreements/<int:agreement_id>/terminate"): [("form", "version")],
    ("GET", "/custody/agreements/<int:agreement_id>/renew"): [],
    ("POST", "/custody/agreements/<int:agreement_id>/renew"): CUSTODY_FORM[1:],
    ("GET", "/custody/patents/new"): [("args", "enterprise")],
    ("POST", "/custody/patents/new"): [("form", "enterprise"), ("form", "filing_date"),
                                       ("form", "grant_date"), ("form", "annuity_reduction")],
    ("GET", "/custody/patents/<int:patent_id>"): [],
    ("POST", "/custody/patents/<int:patent_id>"): [("form", "year"), ("form", "paid_on"),
                                                   ("form", "amount_yuan")],
    ("POST", "/custody/log"): [("form", "enterprise"), ("form", "occurred_on")],
    ("GET", "/custody/deadlines.<fmt>"): [],
    ("GET", "/links/"): PAGE,
    ("GET", "/account/"): [], ("POST", "/account/profile"): [], ("POST", "/account/password"): [],
    ("GET", "/account/team"): [], ("POST", "/account/team/invite"): [],
    ("POST", "/account/team/invitations/<int:invitation_id>/revoke"): [],
    ("GET", "/account/invitations/<int:invitation_id>"): [],
    ("POST", "/account/invitations/<int:invitation_id>"): [],
    ("POST", "/account/team/<int:user_id>/<any(deactivate, reactivate, 'make-admin', 'make-member',"
             " 'hand-over'):action>"): [],
    ("GET", "/account/join/<token>"): [], ("POST", "/account/join/<token>"): [],
    ("GET", "/account/set-password/<token>"): [], ("POST", "/account/set-password/<token>"): [],
    ("GET", "/admin/users"): PAGE, ("POST", "/admin/users/<int:user_id>/reset-link"): [],
    ("POST", "/links/new"): [("form", "counterpart"), ("form", "station_id"), ("form", "enterprise_id")],
    ("POST", "/links/<int:link_id>/<any(confirm, decline, withdraw, end):action>"): [("form", "version")],
}


# Issue 16: enterprise profiles, events, indicators, annual report.
PARAMS.update({
    ("GET", "/enterprises/"): [], ("GET", "/enterprises/mine"): [],
    ("GET", "/enterprises/<int:org_id>/profile"): [],
    ("POST", "/enterprises/<int:org_id>/profile"): [("form", "employees"), ("form", "revenue_wan"),
                                                   ("form", "founded_year")],
    ("POST", "/kpis/targets"): [("form", "year"), ("form", "value")],
    ("GET", "/reports/<int:year>"): [], ("GET", "/reports/<int:year>.xlsx"): [],
    ("POST", "/reports/consent/deals/<int:deal_id>"): [],
    ("GET", "/events/"): [], ("GET", "/events/new"): [],
    ("POST", "/events/new"): [("form", "event_date"), ("form", "capacity"), ("form", "seats_per_org")],
    ("GET", "/events/<int:event_id>"): [], ("GET", "/events/<int:event_id>/edit"): [],
    ("POST", "/events/<int:event_id>/edit"): [("form", "version"), ("form", "event_date"),
                                              ("form", "capacity"), ("form", "seats_per_org")],
    ("POST", "/events/<int:event_id>/<any(publish, cancel, held):action>"): [("form", "version")],
    ("POST", "/events/<int:event_id>/items"): [("form", "patent_ids"), ("form", "need_ids")],
    ("POST", "/events/items/<int:item_id>/remove"): [],
    ("POST", "/events/<int:event_id>/register"): [("form", "enterprise_id"), ("form", "seats")],
    ("POST", "/events/<int:event_id>/unregister"): [("form", "enterprise_id")],
    ("GET", "/events/<int:event_id>/manage"): [],
    ("POST", "/events/<int:event_id>/invite"): [("form", "enterprise_ids")],
    ("POST", "/events/<int:event_id>/attendance"): [("form", "attended")],
    ("POST", "/events/<int:event_id>/pairs"): [("form", "patent_id"), ("form", "enterprise_id"),
                                               ("form", "follow_up_on")],
    ("GET", "/events/<int:event_id>/export.<any(csv, xlsx):fmt>"): [],
})
# a licence request may come from an event
PARAMS[("GET", "/offers/<int:offer_id>/request")] = PARAMS[("GET", "/offers/<int:offer_id>/request")] + [("args", "event")]
PARAMS[("POST", "/offers/<int:offer_id>/request")] = PARAMS[("POST", "/offers/<int:offer_id>/request")] + [("form", "event_id")]


def test_every_route_declares_its_numeric_parameters():
    """A new route (or method) must say here which integer/date parameters it reads."""
    assert set(PARAMS) == {(method, rule) for method, rule, *_ in MATRIX}


def _form_data(sec, cell, obj) -> dict:
    data = post_data(sec, cell, obj)
    if cell.url == "/imports/needs":   # an upload, so the enterprise choice is really read
        data = {**data, "file": (io.BytesIO(need_file("CRAFTED")), "needs.csv"), "encoding": "auto"}
    return data


def _crafted_request(client, sec, cell, place: str, name: str, value: str, token: str):
    obj = resolve(sec, cell)
    url = cell.url.format(id=obj.id) if obj is not None else cell.url
    if cell.method == "GET":
        return client.get(url, query_string={name: value}), obj
    data = _form_data(sec, cell, obj)
    if place == "form":
        data[name] = value
    else:
        url += "?" + name + "=" + value
    return client.post(url, data={**data, "csrf_token": token}), obj


@pytest.mark.parametrize("role", ROLES)
def test_crafted_values_in_every_parameter(client, sec, role):
    """Every cell of one role × each of its route's parameters × each crafted value."""
    log_in_as(client, sec, role)
    token = session_token(client)   # one per session; no request here logs in or out
    failures, tried = [], 0
    for cell in (c for c in CELLS if c.role == role):
        for place, name in PARAMS[(cell.method, cell.rule)]:
            for value in CRAFTED:
                response, obj = _crafted_request(client, sec, cell, place, name, value, token)
                tried += 1
                label = f"{cell.label} {name}={value[:24]!r}"
                if response.status_code >= 500:
                    failures.append(f"{label}: {response.status_code}")
                elif cell.method == "GET" or (cell.refusal and cell.expect != "K"):
                    # a crafted argument changes neither who may enter nor whether it renders
                    # (a business refusal, K, may come after the field check: a 422 then)
                    problem = check(cell, response, obj, None, None)
                    if problem:
                        failures.append(f"{label}: {problem}")
    assert not failures, "\n".join(failures)
    assert tried > 20 or role == "anon"


ID_ROUTES = sorted({(method, url) for method, rule, url, *_ in MATRIX if "<int:" in rule})


@pytest.mark.parametrize("role", ROLES)
def test_out_of_range_and_malformed_path_ids_answer_404(client, sec, role):
    """`/patents/2147483648` used to reach PostgreSQL ("integer out of range": a 500)."""
    log_in_as(client, sec, role)
    token = session_token(client)
    failures = []
    for method, url in ID_ROUTES:
        for value in CRAFTED_IDS:
            target = url.replace("{id}", value)
            response = client.get(target) if method == "GET" else \
                client.post(target, data={"csrf_token": token})
            if response.status_code != 404:
                failures.append(f"{method} {target[:60]}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert len(ID_ROUTES) > 20


def test_the_parser_refuses_what_int_refuses_or_the_database_cannot_hold():
    from matchmaker.params import clamp_int, parse_date, parse_id, parse_int
    for value in CRAFTED_IDS + ["", None, " ", "1 2", "+1", "0x10", "1_000"]:
        assert parse_id(value) is None, value
    assert parse_id(" 42 ") == 42 and parse_id(str(2**31 - 1)) == 2**31 - 1
    assert parse_int("0") == 0 and parse_int("2024", low=2000, high=2030) == 2024
    assert parse_int("1999", low=2000) is None
    assert clamp_int("9" * 4301, 1, 1, 500) == 500 and clamp_int("²", 1, 1, 500) == 1
    assert parse_date("0001-01-01") is None and parse_date("9999-12-31") is None
    assert parse_date("2024-02-30") is None and parse_date("9" * 4301) is None
    assert str(parse_date("２０２４－０２－２９")) == "2024-02-29"


def test_no_view_parses_numbers_by_hand():
    """`isdigit()` + `int()` is how `²` got through; views and forms use matchmaker.params."""
    from pathlib import Path

    import matchmaker.web as web
    offenders = []
    for path in Path(web.__file__).parent.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for pattern in (r"\.isdigit\(\)", r"\bint\(\s*request", r"\bint\(\s*raw", r"fromisoformat\("):
            if re.search(pattern, source):
                offenders.append(f"{path.name}: {pattern}")
    assert offenders == []
