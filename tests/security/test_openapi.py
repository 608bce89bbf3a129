"""The JSON API against its OpenAPI description: Schemathesis generates requests for every
operation of /api/openapi.json (in-process, through the WSGI app) and checks that no answer is a
5xx and that every answer matches the documented statuses, content types and bodies.

Generation is bounded and derandomized (the same examples every run; well under a minute).
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from matchmaker.models import ListingState, OrgKind
from matchmaker.web.openapi import build_spec
from tests.factories import make_need, make_org, make_patent, make_user
from tests.web.helpers import login

MAX_EXAMPLES = 60


@pytest.fixture
def api_data(session, fast_hashing):
    """A few patents and needs so searches find something, and one user per kind of answer."""
    uni = make_org(session, OrgKind.UNIVERSITY, region="昌吉回族自治州")
    ent = make_org(session, OrgKind.ENTERPRISE)
    for title, tags in (("一种锂电池正极材料的制备方法", ["新能源"]), ("一种滴灌带回收装置", ["现代农业"]),
                        ("一种棉花秸秆制备生物质颗粒的方法", ["农产品加工"])):
        make_patent(session, uni, title=title, industry_tags=tags, ipc_codes=["H01M 4/58"])
    make_patent(session, uni, title="草稿专利", listing_state=ListingState.DRAFT)
    make_need(session, ent, title="提高锂电池正极材料的循环寿命")
    make_need(session, ent, title="印染废水深度处理", industry="节能环保")
    users = {"supplier": make_user(session, uni), "enterprise": make_user(session, ent),
             "operator": make_user(session, make_org(session, OrgKind.OPERATOR))}
    session.commit()
    return users


def _schema(app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    # Positive data only: the API deliberately answers malformed parameters with defaults
    # instead of 4xx (see search_params.py), which the negative checks would count as failures.
    schema.config.generation.update(modes=[GenerationMode.POSITIVE])
    return schema


# Flask-Login's session protection ("strong") binds a session to the client's address and
# User-Agent: the fuzzed requests present the same ones as the login did.
AGENT = "matchmaker-api-fuzz"
CLIENT_ENVIRON = {"REMOTE_ADDR": "127.0.0.1"}


def _session_cookie(app, user) -> dict:
    """The logged-in user's session cookie (the sessionCookie security scheme of the spec)."""
    if user is None:
        return {}
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = AGENT
    assert login(client, user.login).status_code == 302
    return {"session": client.get_cookie("session").value}


# Expected answers per kind of user (besides the checks of the schema itself).
EXPECTED_STATUS = {
    ("anonymous", "/api/patents/search"): 200, ("anonymous", "/api/needs/search"): 401,
    ("supplier", "/api/patents/search"): 200, ("supplier", "/api/needs/search"): 200,
    ("enterprise", "/api/patents/search"): 200, ("enterprise", "/api/needs/search"): 403,
    ("operator", "/api/patents/search"): 200, ("operator", "/api/needs/search"): 200,
}


@pytest.mark.parametrize("who", ["anonymous", "supplier", "enterprise", "operator"])
def test_api_conforms_to_its_openapi_description(app, api_data, who):
    """Schemathesis's checks (no 5xx, documented status codes, content type, headers, response
    bodies matching the schemas) on generated requests to every operation, as each kind of user.

    Hypothesis is driven directly (operation.as_strategy) rather than through Schemathesis's
    pytest plugin, whose lazy fixture loader does not work with pytest 9.2.
    """
    schema = _schema(app)
    cookies = _session_cookie(app, api_data.get(who))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} == {"/api/patents/search", "/api/needs/search"}
    for operation in operations:
        statuses: set[int] = set()

        @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        # Logged in: the session cookie is fixed; anonymous: whatever cookie the generator
        # makes up for the security scheme (never a valid session).
        @given(case=operation.as_strategy(GenerationMode.POSITIVE, cookies=cookies or None,
                                          headers={"User-Agent": AGENT}))
        def fuzz(case):
            response = case.call(environ_base=CLIENT_ENVIRON)
            assert response.status_code < 500, (case.path, case.query, response.status_code)
            case.validate_response(response)
            statuses.add(response.status_code)

        fuzz()
        assert statuses == {EXPECTED_STATUS[who, operation.path]}, (operation.path, statuses)


def test_the_served_document_is_the_built_one(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == build_spec()
    spec = response.get_json()
    assert set(spec["paths"]) == {"/api/patents/search", "/api/needs/search"}
    assert spec["openapi"].startswith("3.")


def test_every_api_route_is_described(app):
    """A new /api/ route must be added to the OpenAPI description (and so gets fuzzed)."""
    spec = build_spec()
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")}
    assert routes - {"/api/openapi.json"} == set(spec["paths"])


def test_documented_parameters_match_what_the_views_read():
    """The query parameters in the description are those search_params.py reads."""
    from matchmaker.web.search_params import FILTERS
    spec = build_spec()
    common = {"q", "sort", "page", "per_page"}
    patents = {p["name"] for p in spec["paths"]["/api/patents/search"]["get"]["parameters"]}
    needs = {p["name"] for p in spec["paths"]["/api/needs/search"]["get"]["parameters"]}
    assert patents == common | set(FILTERS["patent"]) | {"ipc", "all", "free_min", "fee_max"}
    assert needs == common | set(FILTERS["need"])
