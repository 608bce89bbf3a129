"""Authorization matrix: every route of the app × every role × own/other/hidden objects.

The table below is the specification. Every (rule, method) of `app.url_map` must appear in it,
so a new route fails `test_every_route_is_in_the_matrix` until someone decides who may use it.

Columns: anon (visitor), uni (university), inst (institute), ent (enterprise), stn (station
broker), op (operator). Each role logs in as its own user of `tests/security/conftest.py`.

Object variants (the `{id}` of the URL):
  own     an object of the role's organization (for a station: of the enterprise it serves)
  other   an object of an organization the role has nothing to do with
  hidden  another organization's patent that is not public (withdrawn), or an offer on it
  -       the route has no object, or names a fixed one (the organizations of /admin)

Codes:
  200 / 302  allowed: the page, or a redirect to the place given in the `to` column (a path
             prefix; never /login); POSTs carry a valid CSRF token and sensible form data
  K          allowed to reach, refused by a business rule: a redirect (to `to`) with a flash
             message, and nothing written
  L          anonymous: a redirect to /login, nothing written
  401/403/404  refused with that status, nothing written (404 where existence is not revealed)
  -          not applicable (the role has no object of that kind)
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable
from urllib.parse import urlsplit

import pytest

from tests.factories import PASSWORD, valid_app_no
from tests.security.conftest import ROLES, SecWorld, fingerprint, log_in_as, session_token

# -- which object each role's variant means -----------------------------------------------------

# Roles with a column of their own below the main table (organization kinds added later).
EXTRA_ROLES = ("agn",)

ALL = dict.fromkeys(ROLES)
OWN = {
    "patent": {"uni": "uni", "inst": "inst"},
    "offer": {"uni": "uni", "inst": "inst"},
    "need": {"ent": "ent", "stn": "ent"},
    "deal": {"uni": "a", "inst": "b", "ent": "a", "stn": "a"},
    "batch": {"uni": "uni", "inst": "inst", "ent": "ent", "stn": "stn"},
    "match": {"ent": "a", "stn": "a"},
    "notification": {"uni": "uni", "inst": "inst", "ent": "ent", "stn": "stn", "op": "op"},
    "agreement": {"ent": "ent", "agn": "ent"},
    "proposal": {"ent": "proposal"},
    "own_patent": {"ent": "ent_own", "agn": "ent_own"},
    "offered": {"inst": "c", "ent": "c", "stn": "c", "op": "c"},
    "link": {"ent": "a", "stn": "a", "op": "a"},
    "linkreq": {"ent": "q", "stn": "p", "op": "q"},
    "member": {"uni": "uni_member"},
    "invitation": {"uni": "uni"},
    "addressed": {"uni": "uni"},
    "invite": dict.fromkeys(ROLES + EXTRA_ROLES, "t"),
    "reset": dict.fromkeys(ROLES + EXTRA_ROLES, "t"),
}
OTHER = {
    "patent": dict.fromkeys(ROLES, "other"),
    "offer": dict.fromkeys(ROLES, "other"),
    "need": dict.fromkeys(ROLES, "ent2"),
    # deal a: uni × ent (+ stn brokering); deal b: inst × ent2
    "deal": {"anon": "a", "uni": "b", "inst": "a", "ent": "b", "stn": "b", "op": "b", "agn": "a"},
    "batch": dict.fromkeys(ROLES, "ent2"),
    "match": dict.fromkeys(ROLES, "b"),
    "notification": dict.fromkeys(ROLES, "ent2"),
    "agreement": dict.fromkeys(ROLES + EXTRA_ROLES, "ent2"),
    "proposal": dict.fromkeys(ROLES + EXTRA_ROLES, "proposal"),
    "own_patent": dict.fromkeys(ROLES + EXTRA_ROLES, "ent2_own"),
    "link": dict.fromkeys(ROLES + EXTRA_ROLES, "b"),
    "member": dict.fromkeys(ROLES + EXTRA_ROLES, "ent2"),
    "invitation": dict.fromkeys(ROLES + EXTRA_ROLES, "ent2"),
    "addressed": {**dict.fromkeys(ROLES + EXTRA_ROLES, "uni"), "uni": "none"},
}
HIDDEN = {"patent": dict.fromkeys(ROLES, "hidden"), "offer": dict.fromkeys(ROLES, "hidden")}
VARIANTS = {"own": OWN, "other": OTHER, "hidden": HIDDEN}

# -- the matrix ---------------------------------------------------------------------------------

APPROVE = "/admin/organizations/<int:org_id>/<any(approve, reject, suspend, reinstate):action>"
PROPOSAL = "/deals/<int:deal_id>/proposal/<any(confirm, reject, withdraw):action>"
LINK_ACT = "/links/<int:link_id>/<any(confirm, decline, withdraw, end):action>"
TEAM_ACT = ("/account/team/<int:user_id>/<any(deactivate, reactivate, 'make-admin', 'make-member',"
            " 'hand-over'):action>")
REVOKE = "/account/team/invitations/<int:invitation_id>/revoke"
ADDRESSED = "/account/invitations/<int:invitation_id>"
RESET_LINK = "/admin/users/<int:user_id>/reset-link"
PATENT_STATE = "/patents/<int:patent_id>/<any(list, withdraw, archive):action>"

MATRIX = [
    # method  rule / url                               object           anon uni  inst ent  stn  op     to
    ("GET",  "/", "/",                                  None,            "200 200 200 200 200 200", None),
    ("GET",  "/healthz", "/healthz",                    None,            "200 200 200 200 200 200", None),
    ("GET",  "/login", "/login",                        None,            "200 302 302 302 302 302", "/"),
    ("POST", "/login", "/login",                        None,            "200 302 302 302 302 302", "/"),
    ("POST", "/logout", "/logout",                      None,            "L   302 302 302 302 302", "/"),
    ("GET",  "/register", "/register",                  None,            "200 302 302 302 302 302", "/"),
    ("POST", "/register", "/register",                  None,            "200 302 302 302 302 302", "/"),
    ("GET",  "/register/done", "/register/done",        None,            "200 200 200 200 200 200", None),
    ("GET",  "/data-sources", "/data-sources",          None,            "200 200 200 200 200 200", None),
    # operator back office
    ("GET",  "/admin", "/admin",                        None,            "L   403 403 403 403 200", None),
    ("GET",  "/admin/organizations", "/admin/organizations", None,       "L   403 403 403 403 200", None),
    ("GET",  "/admin/audit", "/admin/audit",            None,            "L   403 403 403 403 200", None),
    ("GET",  "/admin/patents", "/admin/patents",        None,            "L   403 403 403 403 200", None),
    ("POST", APPROVE, "/admin/organizations/{id}/approve", "org pending", "L  403 403 403 403 302", "/admin/organizations"),
    ("POST", APPROVE, "/admin/organizations/{id}/suspend", "org ent2",   "L   403 403 403 403 302", "/admin/organizations"),
    ("POST", APPROVE, "/admin/organizations/{id}/reinstate", "org suspended", "L 403 403 403 403 302", "/admin/organizations"),
    ("POST", APPROVE, "/admin/organizations/{id}/reject", "org pending", "L   403 403 403 403 302", "/admin/organizations"),
    # JSON API (401 instead of a login redirect)
    ("GET",  "/api/patents/search", "/api/patents/search", None,         "200 200 200 200 200 200", None),
    ("GET",  "/api/needs/search", "/api/needs/search",  None,            "401 200 200 403 200 200", None),
    ("GET",  "/api/openapi.json", "/api/openapi.json",  None,            "200 200 200 200 200 200", None),
    # deals
    ("GET",  "/deals", "/deals",                        None,            "L   200 200 200 200 200", None),
    ("GET",  "/deals/<int:deal_id>", "/deals/{id}",     "deal own",      "-   200 200 200 200 -  ", None),
    ("GET",  "/deals/<int:deal_id>", "/deals/{id}",     "deal other",    "L   404 404 404 404 200", None),
    ("POST", "/deals/<int:deal_id>/filing", "/deals/{id}/filing", "deal own", "- 302 302 K  302 -  ", "/deals/{id}"),
    ("POST", "/deals/<int:deal_id>/filing", "/deals/{id}/filing", "deal other", "L 404 404 404 404 302", "/deals/{id}"),
    ("POST", "/deals/<int:deal_id>/notes", "/deals/{id}/notes", "deal own", "-  302 302 302 302 -  ", "/deals/{id}"),
    ("POST", "/deals/<int:deal_id>/notes", "/deals/{id}/notes", "deal other", "L 404 404 404 404 302", "/deals/{id}"),
    ("POST", "/deals/<int:deal_id>/step", "/deals/{id}/step", "deal own",  "-  302 302 302 302 -  ", "/deals/{id}"),
    ("POST", "/deals/<int:deal_id>/step", "/deals/{id}/step", "deal other", "L 404 404 404 404 302", "/deals/{id}"),
    # a proposed step: the awaited sides (inst: licensor, ent: licensee) answer, the proposer's
    # station or an operator withdraws; a broker or operator never confirms for a side
    ("POST", PROPOSAL, "/deals/{id}/proposal/confirm", "offered own", "- -  302 302 K   K  ", "/deals/{id}"),
    ("POST", PROPOSAL, "/deals/{id}/proposal/confirm", "deal other", "L   404 404 404 404 K", "/deals/{id}"),
    ("POST", PROPOSAL, "/deals/{id}/proposal/reject", "offered own", "- -  302 302 K   K  ", "/deals/{id}"),
    ("POST", PROPOSAL, "/deals/{id}/proposal/reject", "deal other", "L   404 404 404 404 K", "/deals/{id}"),
    ("POST", PROPOSAL, "/deals/{id}/proposal/withdraw", "offered own", "- -  K   K   302 302", "/deals/{id}"),
    ("POST", PROPOSAL, "/deals/{id}/proposal/withdraw", "deal other", "L  404 404 404 404 K", "/deals/{id}"),
    # bulk imports
    ("GET",  "/imports/batch/<int:batch_id>", "/imports/batch/{id}", "batch own", "- 200 200 200 200 - ", None),
    ("GET",  "/imports/batch/<int:batch_id>", "/imports/batch/{id}", "batch other", "L 404 404 404 404 200", None),
    ("POST", "/imports/batch/<int:batch_id>/cancel", "/imports/batch/{id}/cancel", "batch own", "- 302 302 302 302 -", "/imports/"),
    ("POST", "/imports/batch/<int:batch_id>/cancel", "/imports/batch/{id}/cancel", "batch other", "L 404 404 404 404 403", None),
    ("POST", "/imports/batch/<int:batch_id>/confirm", "/imports/batch/{id}/confirm", "batch own", "- 302 302 302 302 -", "/imports/batch/{id}"),
    ("POST", "/imports/batch/<int:batch_id>/confirm", "/imports/batch/{id}/confirm", "batch other", "L 404 404 404 404 403", None),
    ("GET",  "/imports/batch/<int:batch_id>/rejections.csv", "/imports/batch/{id}/rejections.csv", "batch own", "- 200 200 200 200 -", None),
    ("GET",  "/imports/batch/<int:batch_id>/rejections.csv", "/imports/batch/{id}/rejections.csv", "batch other", "L 404 404 404 404 200", None),
    ("GET",  "/imports/needs", "/imports/needs",        None,            "L   403 403 200 200 403", None),
    ("POST", "/imports/needs", "/imports/needs",        None,            "L   403 403 200 200 403", None),
    ("GET",  "/imports/patents", "/imports/patents",    None,            "L   200 200 200 403 403", None),
    ("POST", "/imports/patents", "/imports/patents",    None,            "L   200 200 200 403 403", None),
    ("GET",  "/imports/template/<any(patents, needs):kind>.<any(csv, xlsx):fmt>",
             "/imports/template/needs.csv",             None,            "L   200 200 200 200 200", None),
    # inbox
    ("GET",  "/inbox", "/inbox",                        None,            "L   200 200 200 200 200", None),
    ("GET",  "/inbox/", "/inbox/",                      None,            "L   200 200 200 200 200", None),
    ("POST", "/inbox/<int:notification_id>/open", "/inbox/{id}/open", "notification own", "- 302 302 302 302 302", "/deals"),
    ("POST", "/inbox/<int:notification_id>/open", "/inbox/{id}/open", "notification other", "L 404 404 404 404 404", None),
    ("POST", "/inbox/read-all", "/inbox/read-all",      None,            "L   302 302 302 302 302", "/inbox"),
    # KPIs
    ("GET",  "/kpis/", "/kpis/",                        None,            "L   403 403 403 200 200", None),
    ("POST", "/kpis/custody-plan", "/kpis/custody-plan", None,           "L   403 403 403 403 302", "/kpis/"),
    ("GET",  "/kpis/export.<fmt>", "/kpis/export.csv",  None,            "L   403 403 403 200 200", None),
    # matches
    ("GET",  "/matches/", "/matches/",                  None,            "L   403 403 200 403 403", None),
    ("POST", "/matches/<int:match_id>/react", "/matches/{id}/react", "match own", "- - - 302 302 -", "/matches/need/"),
    ("POST", "/matches/<int:match_id>/react", "/matches/{id}/react", "match other", "L 404 404 404 404 404", None),
    ("POST", "/matches/<int:match_id>/request", "/matches/{id}/request", "match own", "- - - 302 302 -", "/patents/"),
    ("POST", "/matches/<int:match_id>/request", "/matches/{id}/request", "match other", "L 404 404 404 404 404", None),
    ("GET",  "/matches/need/<int:need_id>", "/matches/need/{id}", "need own", "- -   -   200 200 -  ", None),
    ("GET",  "/matches/need/<int:need_id>", "/matches/need/{id}", "need other", "L 404 404 404 404 200", None),
    ("GET",  "/matches/patent/<int:patent_id>", "/matches/patent/{id}", "patent own", "- 200 200 - - -", None),
    ("GET",  "/matches/patent/<int:patent_id>", "/matches/patent/{id}", "patent other", "L 404 404 404 404 200", None),
    ("GET",  "/matches/patent/<int:patent_id>", "/matches/patent/{id}", "patent hidden", "L 404 404 404 404 200", None),
    ("GET",  "/matches/station", "/matches/station",    None,            "L   403 403 403 200 403", None),
    # needs
    ("GET",  "/needs/", "/needs/",                      None,            "L   200 200 200 200 200", None),
    ("GET",  "/needs/<int:need_id>", "/needs/{id}",     "need own",      "-   -   -   200 200 -  ", None),
    ("GET",  "/needs/<int:need_id>", "/needs/{id}",     "need other",    "L   200 200 404 200 200", None),
    ("POST", "/needs/<int:need_id>/close", "/needs/{id}/close", "need own", "-  -   -   302 302 -  ", "/needs/{id}"),
    ("POST", "/needs/<int:need_id>/close", "/needs/{id}/close", "need other", "L 403 403 404 403 403", None),
    ("GET",  "/needs/<int:need_id>/edit", "/needs/{id}/edit", "need own", "-   -   -   200 200 -  ", None),
    ("GET",  "/needs/<int:need_id>/edit", "/needs/{id}/edit", "need other", "L  403 403 404 403 403", None),
    ("POST", "/needs/<int:need_id>/edit", "/needs/{id}/edit", "need own", "-   -   -   302 302 -  ", "/needs/{id}"),
    ("POST", "/needs/<int:need_id>/edit", "/needs/{id}/edit", "need other", "L  403 403 404 403 403", None),
    ("GET",  "/needs/clients", "/needs/clients",        None,            "L   403 403 403 200 403", None),
    ("GET",  "/needs/new", "/needs/new",                None,            "L   403 403 200 200 403", None),
    ("POST", "/needs/new", "/needs/new",                None,            "L   403 403 302 302 403", "/needs/"),
    # offers and licence requests
    ("GET",  "/offers/<int:offer_id>/request", "/offers/{id}/request", "offer own", "- 403 403 - - -", None),
    ("GET",  "/offers/<int:offer_id>/request", "/offers/{id}/request", "offer other", "L 403 403 200 200 403", None),
    ("GET",  "/offers/<int:offer_id>/request", "/offers/{id}/request", "offer hidden", "L 403 403 404 404 403", None),
    ("POST", "/offers/<int:offer_id>/request", "/offers/{id}/request", "offer own", "- 403 403 - - -", None),
    ("POST", "/offers/<int:offer_id>/request", "/offers/{id}/request", "offer other", "L 403 403 302 302 403", "/deals/"),
    ("POST", "/offers/<int:offer_id>/request", "/offers/{id}/request", "offer hidden", "L 403 403 404 404 403", None),
    ("POST", "/offers/<int:offer_id>/withdraw", "/offers/{id}/withdraw", "offer own", "- 302 302 - - -", "/patents/"),
    ("POST", "/offers/<int:offer_id>/withdraw", "/offers/{id}/withdraw", "offer other", "L 403 403 403 403 403", None),
    ("POST", "/offers/<int:offer_id>/withdraw", "/offers/{id}/withdraw", "offer hidden", "L 404 404 404 404 403", None),
    # patents
    ("GET",  "/patents/", "/patents/",                  None,            "200 200 200 200 200 200", None),
    ("GET",  "/patents/<int:patent_id>", "/patents/{id}", "patent own",  "-   200 200 -   -   -  ", None),
    ("GET",  "/patents/<int:patent_id>", "/patents/{id}", "patent other", "200 200 200 200 200 200", None),
    ("GET",  "/patents/<int:patent_id>", "/patents/{id}", "patent hidden", "404 404 404 404 404 200", None),
    ("POST", PATENT_STATE, "/patents/{id}/withdraw",    "patent own",    "-   302 302 -   -   -  ", "/patents/{id}"),
    ("POST", PATENT_STATE, "/patents/{id}/withdraw",    "patent other",  "L   403 403 403 403 403", None),
    ("POST", PATENT_STATE, "/patents/{id}/list",        "patent hidden", "L   404 404 404 404 403", None),
    ("POST", PATENT_STATE, "/patents/{id}/archive",     "patent own",    "-   302 302 -   -   -  ", "/patents/{id}"),
    ("POST", PATENT_STATE, "/patents/{id}/archive",     "patent other",  "L   403 403 403 403 403", None),
    ("GET",  "/patents/<int:patent_id>/edit", "/patents/{id}/edit", "patent own", "- 200 200 - - -", None),
    ("GET",  "/patents/<int:patent_id>/edit", "/patents/{id}/edit", "patent other", "L 403 403 403 403 403", None),
    ("GET",  "/patents/<int:patent_id>/edit", "/patents/{id}/edit", "patent hidden", "L 404 404 404 404 403", None),
    ("POST", "/patents/<int:patent_id>/edit", "/patents/{id}/edit", "patent own", "- 302 302 - - -", "/patents/{id}"),
    ("POST", "/patents/<int:patent_id>/edit", "/patents/{id}/edit", "patent other", "L 403 403 403 403 403", None),
    ("POST", "/patents/<int:patent_id>/edit", "/patents/{id}/edit", "patent hidden", "L 404 404 404 404 403", None),
    ("GET",  "/patents/<int:patent_id>/offers/new", "/patents/{id}/offers/new", "patent own", "- 200 200 - - -", None),
    ("GET",  "/patents/<int:patent_id>/offers/new", "/patents/{id}/offers/new", "patent other", "L 403 403 403 403 403", None),
    ("GET",  "/patents/<int:patent_id>/offers/new", "/patents/{id}/offers/new", "patent hidden", "L 404 404 403 403 403", None),
    ("POST", "/patents/<int:patent_id>/offers/new", "/patents/{id}/offers/new", "patent own", "- 302 302 - - -", "/patents/{id}"),
    ("POST", "/patents/<int:patent_id>/offers/new", "/patents/{id}/offers/new", "patent other", "L 403 403 403 403 403", None),
    ("POST", "/patents/<int:patent_id>/offers/new", "/patents/{id}/offers/new", "patent hidden", "L 404 404 403 403 403", None),
    ("POST", "/patents/<int:patent_id>/owner", "/patents/{id}/owner", "patent own", "- 403 403 - - -", None),
    ("POST", "/patents/<int:patent_id>/owner", "/patents/{id}/owner", "patent other", "L 403 403 403 403 302", "/patents/{id}"),
    ("POST", "/patents/<int:patent_id>/owner", "/patents/{id}/owner", "patent hidden", "L 403 403 403 403 302", "/patents/{id}"),
    ("GET",  "/patents/mine", "/patents/mine",          None,            "L   200 200 403 403 403", None),
    ("GET",  "/patents/new", "/patents/new",            None,            "L   200 200 403 403 403", None),
    ("POST", "/patents/new", "/patents/new",            None,            "L   302 302 403 403 403", "/patents/"),
    # search pages, static files
    ("GET",  "/search/needs", "/search/needs",          None,            "L   200 200 403 200 200", None),
    ("GET",  "/search/patents", "/search/patents",      None,            "200 200 200 200 200 200", None),
    ("GET",  "/static/<path:filename>", "/static/js/app.js", None,       "200 200 200 200 200 200", None),
    # IP custody (the agency's own view is tested in test_custody_access.py: it is no column here)
    ("GET",  "/custody/", "/custody/",                  None,            "L   403 403 200 403 200", None),
    ("GET",  "/custody/agreements/new", "/custody/agreements/new", None, "L   403 403 200 403 403", None),
    ("POST", "/custody/agreements/new", "/custody/agreements/new", None, "L   403 403 302 403 403", "/custody/agreements/"),
    ("GET",  "/custody/agreements/<int:agreement_id>", "/custody/agreements/{id}", "agreement own", "- - - 200 - -", None),
    ("GET",  "/custody/agreements/<int:agreement_id>", "/custody/agreements/{id}", "agreement other", "L 403 403 404 403 200", None),
    ("POST", "/custody/agreements/<int:agreement_id>/confirm", "/custody/agreements/{id}/confirm", "agreement own", "- - - K - -", "/custody/agreements/{id}"),
    ("POST", "/custody/agreements/<int:agreement_id>/confirm", "/custody/agreements/{id}/confirm", "proposal own", "- - - 302 - -", "/custody/agreements/{id}"),
    ("POST", "/custody/agreements/<int:agreement_id>/decline", "/custody/agreements/{id}/decline", "proposal own", "- - - 302 - -", "/custody/agreements/{id}"),
    ("POST", "/custody/agreements/<int:agreement_id>/confirm", "/custody/agreements/{id}/confirm", "agreement other", "L 403 403 404 403 403", None),
    ("POST", "/custody/agreements/<int:agreement_id>/decline", "/custody/agreements/{id}/decline", "agreement own", "- - - K - -", "/custody/agreements/{id}"),
    ("POST", "/custody/agreements/<int:agreement_id>/decline", "/custody/agreements/{id}/decline", "agreement other", "L 403 403 404 403 403", None),
    ("POST", "/custody/agreements/<int:agreement_id>/terminate", "/custody/agreements/{id}/terminate", "agreement own", "- - - 302 - -", "/custody/agreements/{id}"),
    ("POST", "/custody/agreements/<int:agreement_id>/terminate", "/custody/agreements/{id}/terminate", "agreement other", "L 403 403 404 403 403", None),
    ("GET",  "/custody/agreements/<int:agreement_id>/renew", "/custody/agreements/{id}/renew", "agreement own", "- - - 200 - -", None),
    ("GET",  "/custody/agreements/<int:agreement_id>/renew", "/custody/agreements/{id}/renew", "agreement other", "L 403 403 404 403 403", None),
    ("POST", "/custody/agreements/<int:agreement_id>/renew", "/custody/agreements/{id}/renew", "agreement own", "- - - 302 - -", "/custody/agreements/"),
    ("POST", "/custody/agreements/<int:agreement_id>/renew", "/custody/agreements/{id}/renew", "agreement other", "L 403 403 404 403 403", None),
    ("GET",  "/custody/patents/new", "/custody/patents/new", None,       "L   403 403 200 403 403", None),
    ("POST", "/custody/patents/new", "/custody/patents/new", None,       "L   403 403 302 403 403", "/custody/patents/"),
    ("GET",  "/custody/patents/<int:patent_id>", "/custody/patents/{id}", "own_patent own", "- - - 200 - -", None),
    ("GET",  "/custody/patents/<int:patent_id>", "/custody/patents/{id}", "own_patent other", "L 403 403 404 403 200", None),
    ("POST", "/custody/patents/<int:patent_id>", "/custody/patents/{id}", "own_patent own", "- - - 302 - -", "/custody/patents/{id}"),
    ("POST", "/custody/patents/<int:patent_id>", "/custody/patents/{id}", "own_patent other", "L 403 403 404 403 403", None),
    ("POST", "/custody/log", "/custody/log",            None,            "L   403 403 403 403 403", None),
    ("GET",  "/custody/deadlines.<fmt>", "/custody/deadlines.csv", None, "L   403 403 403 403 403", None),
    # station–enterprise links: the enterprise answers a station's request (q), the asking station
    # withdraws its own (p), either side or the operator ends an active link (a); the operator
    # never answers for a side
    ("GET",  "/links/", "/links/",                      None,            "L   403 403 200 200 200", None),
    ("POST", "/links/new", "/links/new",                None,            "L   403 403 302 302 302", "/links/"),
    ("POST", LINK_ACT, "/links/{id}/confirm", "linkreq own",             "-   -   -   302 K   K  ", "/links/"),
    ("POST", LINK_ACT, "/links/{id}/decline", "linkreq own",             "-   -   -   302 K   K  ", "/links/"),
    ("POST", LINK_ACT, "/links/{id}/withdraw", "linkreq own",            "-   -   -   K   302 K  ", "/links/"),
    ("POST", LINK_ACT, "/links/{id}/end", "link own",                    "-   -   -   302 302 302", "/links/"),
    ("POST", LINK_ACT, "/links/{id}/confirm", "link other",              "L   403 403 404 404 K  ", "/links/"),
    ("POST", LINK_ACT, "/links/{id}/decline", "link other",              "L   403 403 404 404 K  ", "/links/"),
    ("POST", LINK_ACT, "/links/{id}/withdraw", "link other",             "L   403 403 404 404 K  ", "/links/"),
    ("POST", LINK_ACT, "/links/{id}/end", "link other",                  "L   403 403 404 404 302", "/links/"),
    # my account and team: every user keeps a profile and a password; admins (every role's user
    # is one) manage their own organization's members and invitations only
    ("GET",  "/account/", "/account/",                  None,            "L   200 200 200 200 200", None),
    ("POST", "/account/profile", "/account/profile",    None,            "L   302 302 302 302 302", "/account/"),
    ("POST", "/account/password", "/account/password",  None,            "L   302 302 302 302 302", "/account/"),
    ("GET",  "/account/team", "/account/team",          None,            "L   200 200 200 200 200", None),
    ("POST", "/account/team/invite", "/account/team/invite", None,       "L   302 302 302 302 302", "/account/team"),
    ("POST", REVOKE, "/account/team/invitations/{id}/revoke", "invitation own", "- 302 - - - -", "/account/team"),
    ("POST", REVOKE, "/account/team/invitations/{id}/revoke", "invitation other", "L 404 404 404 404 404", None),
    ("POST", TEAM_ACT, "/account/team/{id}/deactivate", "member own",   "-   302 -   -   -   -  ", "/account/team"),
    ("POST", TEAM_ACT, "/account/team/{id}/make-admin", "member own",   "-   302 -   -   -   -  ", "/account/team"),
    ("POST", TEAM_ACT, "/account/team/{id}/hand-over", "member own",    "-   302 -   -   -   -  ", "/account/team"),
    ("POST", TEAM_ACT, "/account/team/{id}/deactivate", "member other", "L   404 404 404 404 404", None),
    ("POST", TEAM_ACT, "/account/team/{id}/hand-over", "member other",  "L   404 404 404 404 404", None),
    # an invitation to the address of an existing user, opened from that user's inbox (only by
    # them: anyone else, the inviting organization included, is told it does not exist)
    ("GET",  ADDRESSED, "/account/invitations/{id}",    "addressed own", "-   200 -   -   -   -  ", None),
    ("GET",  ADDRESSED, "/account/invitations/{id}",    "addressed other", "L 404 404 404 404 404", None),
    ("POST", ADDRESSED, "/account/invitations/{id}",    "addressed own", "-   302 -   -   -   -  ", "/"),
    ("POST", ADDRESSED, "/account/invitations/{id}",    "addressed other", "L 404 404 404 404 404", None),
    # one-time links: opened without logging in (a logged-in browser is sent home, untouched)
    ("GET",  "/account/join/<token>", "/account/join/{id}", "invite own", "200 K  K   K   K   K  ", "/"),
    ("GET",  "/account/join/<token>", "/account/join/not-a-token", None, "404 K  K   K   K   K  ", "/"),
    ("POST", "/account/join/<token>", "/account/join/{id}", "invite own", "302 K  K   K   K   K  ", "/"),
    ("GET",  "/account/set-password/<token>", "/account/set-password/{id}", "reset own", "200 K K K K K", "/"),
    ("GET",  "/account/set-password/<token>", "/account/set-password/nope", None, "404 K K K K K", "/"),
    ("POST", "/account/set-password/<token>", "/account/set-password/{id}", "reset own", "200 K K K K K", "/"),
    ("GET",  "/admin/users", "/admin/users",            None,            "L   403 403 403 403 200", None),
    ("POST", RESET_LINK, "/admin/users/{id}/reset-link", "user ent",     "L   403 403 403 403 302", "/admin/users"),
    # station workspace
    ("GET",  "/station/", "/station/",                  None,            "L   403 403 403 200 403", None),
    ("POST", "/station/needs/<int:need_id>/note", "/station/needs/{id}/note", "need own", "- - - - 302 -", "/station/"),
    ("POST", "/station/needs/<int:need_id>/note", "/station/needs/{id}/note", "need other", "L 403 403 403 403 403", None),
]


# Issue 16: enterprise profiles, roadshows and matchmaking events, the indicator table and the
# annual report.
OWN["enterprise"] = {"ent": "ent", "stn": "ent"}
OTHER["enterprise"] = dict.fromkeys(ROLES + EXTRA_ROLES, "ent2")
PROFILE = "/enterprises/<int:org_id>/profile"
MATRIX += [
    ("GET",  "/enterprises/", "/enterprises/",          None,            "L   403 403 403 200 200", None),
    ("GET",  "/enterprises/mine", "/enterprises/mine",  None,            "L   403 403 302 403 403", "/enterprises/"),
    ("GET",  PROFILE, "/enterprises/{id}/profile",      "enterprise own", "-  -   -   200 200 -  ", None),
    ("GET",  PROFILE, "/enterprises/{id}/profile",      "enterprise other", "L 403 403 404 404 200", None),
    ("POST", PROFILE, "/enterprises/{id}/profile",      "enterprise own", "-  -   -   302 302 -  ", "/enterprises/{id}/profile"),
    ("POST", PROFILE, "/enterprises/{id}/profile",      "enterprise other", "L 403 403 404 404 403", None),
]
# events (tests/security/world_events.py): "event" names the organizer's view (own: organized
# by the role; the operator oversees every event), "attended" where the role's enterprise is
# registered (own) or not (other), "item" a programme item (own: presented by the role, or on
# an event it organizes)
OWN["year"] = dict.fromkeys(ROLES + EXTRA_ROLES, "now")       # the annual report's year
OWN.update({"event": {"stn": "stn", "op": "op"}, "attended": {"ent": "op", "stn": "op"},
            "item": {"uni": "uni", "stn": "uni", "op": "op"}})
OTHER.update({"event": {**dict.fromkeys(ROLES + EXTRA_ROLES, "op"), "op": "stn"},
              "attended": dict.fromkeys(ROLES + EXTRA_ROLES, "stn"),
              "item": {**dict.fromkeys(ROLES + EXTRA_ROLES, "op"), "op": "uni"}})
HIDDEN["event"] = dict.fromkeys(ROLES + EXTRA_ROLES, "draft")
EV = "/events/<int:event_id>"
MATRIX += [
    ("POST", "/kpis/targets", "/kpis/targets",          None,            "L   403 403 403 403 302", "/kpis/"),
    ("GET",  "/reports/<int:year>", "/reports/{id}",   "year own",      "L   403 403 403 403 200", None),
    ("GET",  "/reports/<int:year>.xlsx", "/reports/{id}.xlsx", "year own", "L 403 403 403 403 200", None),
    ("POST", "/reports/consent/deals/<int:deal_id>", "/reports/consent/deals/{id}", "deal own", "- 302 302 302 403 -", "/deals/{id}"),
    ("POST", "/reports/consent/deals/<int:deal_id>", "/reports/consent/deals/{id}", "deal other", "L 404 404 404 404 403", None),
    ("GET",  "/events/", "/events/",                    None,            "200 200 200 200 200 200", None),
    ("GET",  "/events/new", "/events/new",              None,            "L   403 403 403 200 200", None),
    ("POST", "/events/new", "/events/new",              None,            "L   403 403 403 302 302", "/events/"),
    ("GET",  EV, "/events/{id}",                        "event own",     "-   -   -   -   200 200", None),
    ("GET",  EV, "/events/{id}",                        "event other",   "200 200 200 200 200 200", None),
    ("GET",  EV, "/events/{id}",                        "event hidden",  "404 404 404 404 404 200", None),
    ("GET",  EV + "/edit", "/events/{id}/edit",         "event own",     "-   -   -   -   200 200", None),
    ("GET",  EV + "/edit", "/events/{id}/edit",         "event other",   "L   403 403 403 403 200", None),
    ("GET",  EV + "/edit", "/events/{id}/edit",         "event hidden",  "L   403 403 403 404 200", None),
    ("POST", EV + "/edit", "/events/{id}/edit",         "event own",     "-   -   -   -   302 302", "/events/{id}/manage"),
    ("POST", EV + "/edit", "/events/{id}/edit",         "event other",   "L   403 403 403 403 302", "/events/{id}/manage"),
    ("POST", EV + "/edit", "/events/{id}/edit",         "event hidden",  "L   403 403 403 404 302", "/events/{id}/manage"),
    ("POST", EV + "/<any(publish, cancel, held):action>", "/events/{id}/cancel", "event own", "- - - - 302 302", "/events/{id}/manage"),
    ("POST", EV + "/<any(publish, cancel, held):action>", "/events/{id}/cancel", "event other", "L 403 403 403 403 302", "/events/{id}/manage"),
    ("POST", EV + "/<any(publish, cancel, held):action>", "/events/{id}/cancel", "event hidden", "L 403 403 403 404 302", "/events/{id}/manage"),
    ("POST", EV + "/items", "/events/{id}/items",       "event own",     "-   -   -   -   302 302", "/events/{id}"),
    ("POST", EV + "/items", "/events/{id}/items",       "event other",   "L   302 302 403 403 302", "/events/{id}"),
    ("POST", EV + "/items", "/events/{id}/items",       "event hidden",  "L   404 404 403 404 302", "/events/{id}"),
    ("POST", "/events/items/<int:item_id>/remove", "/events/items/{id}/remove", "item own", "- 302 - - 302 302", "/events/"),
    ("POST", "/events/items/<int:item_id>/remove", "/events/items/{id}/remove", "item other", "L 403 403 403 403 302", "/events/"),
    ("POST", EV + "/register", "/events/{id}/register", "attended own",  "-   -   -   K   K   -  ", "/events/{id}"),
    ("POST", EV + "/register", "/events/{id}/register", "attended other", "L  403 403 302 302 403", "/events/{id}"),
    ("POST", EV + "/register", "/events/{id}/register", "event hidden",  "L   403 403 404 404 403", None),
    ("POST", EV + "/unregister", "/events/{id}/unregister", "attended own", "- - -  302 302 -  ", "/events/{id}"),
    ("POST", EV + "/unregister", "/events/{id}/unregister", "attended other", "L 403 403 404 404 403", None),
    ("GET",  EV + "/manage", "/events/{id}/manage",     "event own",     "-   -   -   -   200 200", None),
    ("GET",  EV + "/manage", "/events/{id}/manage",     "event other",   "L   403 403 403 403 200", None),
    ("GET",  EV + "/manage", "/events/{id}/manage",     "event hidden",  "L   403 403 403 404 200", None),
    ("POST", EV + "/invite", "/events/{id}/invite",     "event own",     "-   -   -   -   302 302", "/events/{id}/manage"),
    ("POST", EV + "/invite", "/events/{id}/invite",     "event other",   "L   403 403 403 403 302", "/events/{id}/manage"),
    ("POST", EV + "/invite", "/events/{id}/invite",     "event hidden",  "L   403 403 403 404 K  ", "/events/{id}/manage"),
    ("POST", EV + "/attendance", "/events/{id}/attendance", "event own", "-   -   -   -   K   302", "/events/{id}/manage"),
    ("POST", EV + "/attendance", "/events/{id}/attendance", "event other", "L 403 403 403 403 K  ", "/events/{id}/manage"),
    ("POST", EV + "/pairs", "/events/{id}/pairs",       "event own",     "-   -   -   -   302 302", "/events/{id}/manage"),
    ("POST", EV + "/pairs", "/events/{id}/pairs",       "event other",   "L   403 403 403 403 302", "/events/{id}/manage"),
    ("POST", EV + "/pairs", "/events/{id}/pairs",       "event hidden",  "L   403 403 403 404 K  ", "/events/{id}/manage"),
    ("GET",  EV + "/export.<any(csv, xlsx):fmt>", "/events/{id}/export.csv", "event own", "- - - - 200 200", None),
    ("GET",  EV + "/export.<any(csv, xlsx):fmt>", "/events/{id}/export.csv", "event other", "L 403 403 403 403 200", None),
    ("GET",  EV + "/export.<any(csv, xlsx):fmt>", "/events/{id}/export.csv", "event hidden", "L 403 403 403 404 200", None),
]


# The agency (知识产权服务机构) column: its custody routes, and what it must not reach elsewhere.
AGENCY_MATRIX = [
    # method  rule / url                                            object            agn   to
    ("GET",  "/custody/", "/custody/",                              None,             "200", None),
    ("GET",  "/custody/agreements/new", "/custody/agreements/new",  None,             "200", None),
    ("POST", "/custody/agreements/new", "/custody/agreements/new",  None,             "302", "/custody/agreements/"),
    ("GET",  "/custody/agreements/<int:agreement_id>", "/custody/agreements/{id}", "agreement own", "200", None),
    ("GET",  "/custody/agreements/<int:agreement_id>", "/custody/agreements/{id}", "agreement other", "404", None),
    ("GET",  "/custody/agreements/<int:agreement_id>", "/custody/agreements/{id}", "proposal other", "404", None),
    ("POST", "/custody/agreements/<int:agreement_id>/confirm", "/custody/agreements/{id}/confirm", "agreement own", "K", "/custody/agreements/{id}"),
    ("POST", "/custody/agreements/<int:agreement_id>/confirm", "/custody/agreements/{id}/confirm", "proposal other", "404", None),
    ("POST", "/custody/agreements/<int:agreement_id>/decline", "/custody/agreements/{id}/decline", "proposal other", "404", None),
    ("POST", "/custody/agreements/<int:agreement_id>/terminate", "/custody/agreements/{id}/terminate", "agreement own", "302", "/custody/agreements/{id}"),
    ("POST", "/custody/agreements/<int:agreement_id>/terminate", "/custody/agreements/{id}/terminate", "agreement other", "404", None),
    ("POST", "/custody/agreements/<int:agreement_id>/renew", "/custody/agreements/{id}/renew", "agreement own", "302", "/custody/agreements/"),
    ("GET",  "/custody/patents/new", "/custody/patents/new",        None,             "404", None),
    ("POST", "/custody/patents/new", "/custody/patents/new",        None,             "302", "/custody/patents/"),
    ("GET",  "/custody/patents/<int:patent_id>", "/custody/patents/{id}", "own_patent own", "200", None),
    ("GET",  "/custody/patents/<int:patent_id>", "/custody/patents/{id}", "own_patent other", "404", None),
    ("POST", "/custody/patents/<int:patent_id>", "/custody/patents/{id}", "own_patent own", "302", "/custody/patents/{id}"),
    ("POST", "/custody/patents/<int:patent_id>", "/custody/patents/{id}", "own_patent other", "404", None),
    ("POST", "/custody/log", "/custody/log",                        None,             "302", "/custody/"),
    ("GET",  "/custody/deadlines.<fmt>", "/custody/deadlines.csv",  None,             "200", None),
    ("GET",  "/patents/new", "/patents/new",                        None,             "403", None),
    ("GET",  "/needs/new", "/needs/new",                            None,             "403", None),
    ("GET",  "/imports/patents", "/imports/patents",                None,             "200", None),
    ("GET",  "/imports/needs", "/imports/needs",                    None,             "403", None),
    ("GET",  "/search/needs", "/search/needs",                      None,             "403", None),
    ("GET",  "/station/", "/station/",                              None,             "403", None),
    ("GET",  "/links/", "/links/",                                  None,             "403", None),
    ("GET",  "/account/", "/account/",                              None,             "200", None),
    ("GET",  "/account/team", "/account/team",                      None,             "200", None),
    ("POST", TEAM_ACT, "/account/team/{id}/deactivate", "member other", "404", None),
    ("GET",  ADDRESSED, "/account/invitations/{id}",                "addressed other", "404", None),
    ("GET",  "/admin/users", "/admin/users",                        None,             "403", None),
    ("POST", "/links/new", "/links/new",                            None,             "403", None),
    ("POST", LINK_ACT, "/links/{id}/end", "link other",             "403", None),
    ("GET",  "/kpis/", "/kpis/",                                    None,             "403", None),
    ("GET",  "/admin", "/admin",                                    None,             "403", None),
    ("GET",  "/matches/", "/matches/",                              None,             "403", None),
    ("GET",  "/deals/<int:deal_id>", "/deals/{id}",                 "deal other",     "404", None),
    ("GET",  "/patents/<int:patent_id>", "/patents/{id}",           "own_patent other", "404", None),
]
AGENCY_MATRIX += [
    ("GET",  "/events/", "/events/",                                None,             "200", None),
    ("GET",  "/reports/<int:year>", "/reports/{id}",               "year own",       "403", None),
    ("POST", "/reports/consent/deals/<int:deal_id>", "/reports/consent/deals/{id}", "deal other", "404", None),
    ("GET",  "/events/new", "/events/new",                          None,             "403", None),
    ("GET",  EV, "/events/{id}",                                    "event other",    "200", None),
    ("GET",  EV, "/events/{id}",                                    "event hidden",   "404", None),
    ("GET",  EV + "/manage", "/events/{id}/manage",                 "event other",    "403", None),
    ("POST", EV + "/items", "/events/{id}/items",                   "event other",    "403", None),
    ("POST", EV + "/register", "/events/{id}/register",             "attended other", "403", None),
    ("GET",  "/enterprises/", "/enterprises/",                      None,             "403", None),
    ("GET",  PROFILE, "/enterprises/{id}/profile",                  "enterprise other", "403", None),
    ("POST", PROFILE, "/enterprises/{id}/profile",                  "enterprise other", "403", None),
]
# POST data that depends on who posts (an agency proposes to an enterprise, and records a
# patent for its client).
ROLE_DATA: dict[tuple[str, str, str], Callable] = {}


@dataclass(frozen=True)
class Cell:
    method: str
    rule: str
    url: str
    obj: str | None        # "deal own", "org pending", ...
    role: str
    expect: str            # one code of the table
    to: str | None

    @property
    def label(self) -> str:
        return f"{self.method} {self.url} [{self.obj or '-'}] as {self.role}"

    @property
    def refusal(self) -> bool:
        return self.expect in ("L", "K", "401", "403", "404")


def cells() -> list[Cell]:
    out = []
    for method, rule, url, obj, codes, to in MATRIX:
        expects = codes.split()
        assert len(expects) == len(ROLES), (method, url, obj, codes)
        for role, expect in zip(ROLES, expects):
            if expect != "-":
                out.append(Cell(method, rule, url, obj, role, expect, to))
    return out


CELLS = cells() + [Cell(method, rule, url, obj, "agn", code, to)
                   for method, rule, url, obj, code, to in AGENCY_MATRIX]


def resolve(sec: SecWorld, cell: Cell):
    """The object the cell's URL names for its role (None for routes without one)."""
    if cell.obj is None:
        return None
    kind, variant = cell.obj.split()
    if kind == "org":
        return sec.orgs[variant]
    if kind == "user":
        return sec.user[variant]
    key = VARIANTS[variant][kind].get(cell.role)
    assert key is not None, f"{cell.label}: no {variant} {kind} for this role"
    return getattr(sec, kind)[key]


# -- form data for the POSTs (valid, so an allowed request really does its work) -----------------

def _patent_form(sec, patent) -> dict:
    if patent is None:   # a new one
        return {"title": "一种新的沙漠光伏板清洁装置", "app_no": valid_app_no(2020, "2", 777),
                "legal_status": "valid", "filing_date": "2020-05-06", "listing_state": "draft",
                "abstract": "本实用新型公开了一种清洁装置。"}
    return {"title": patent.title, "app_no": patent.app_no or "", "legal_status": patent.legal_status.value,
            "patent_type": patent.patent_type.value if patent.patent_type else "",
            "filing_date": patent.filing_date.isoformat() if patent.filing_date else "",
            "abstract": patent.abstract + "（已修改）", "listing_state": patent.listing_state.value}


def _need_form(sec, need) -> dict:
    return {"enterprise_id": str(sec.orgs["ent"].id), "title": need.title if need else "滴灌带回收再利用",
            "description": "修改后的需求描述", "industry": "新能源", "region": "",
            "wanted_forms": "licence", "valid_until": (date.today() + timedelta(days=60)).isoformat()}


DATA: dict[tuple[str, str], Callable[[SecWorld, object], dict]] = {
    ("POST", "/login"): lambda sec, obj: {"login": "nobody@example.com", "password": "wrong-pass-1"},
    ("POST", "/deals/{id}/filing"): lambda sec, deal: {
        "version": str(deal.version), "recordal_no": "2024990000123",
        "recordal_date": date.today().isoformat(), "contract_reg_no": ""},
    ("POST", "/deals/{id}/notes"): lambda sec, deal: {"body": "电话沟通了付款安排"},
    ("POST", "/deals/{id}/proposal/confirm"): lambda sec, deal: {"version": str(deal.version)},
    ("POST", "/deals/{id}/proposal/reject"): lambda sec, deal: {"version": str(deal.version),
                                                                "note": "金额需再商议"},
    ("POST", "/deals/{id}/proposal/withdraw"): lambda sec, deal: {"version": str(deal.version)},
    ("POST", "/admin/organizations/{id}/reject"): lambda sec, obj: {"reason": "资质材料不全"},
    ("POST", "/account/profile"): lambda sec, obj: {"display_name": "新的名字", "email": "me@example.com"},
    ("POST", "/account/password"): lambda sec, obj: {"current_password": PASSWORD,
                                                     "password": "brand-new-pass-42",
                                                     "password_confirm": "brand-new-pass-42"},
    ("POST", "/account/team/invite"): lambda sec, obj: {"role": "member", "email": ""},
    ("POST", "/account/join/{id}"): lambda sec, obj: {
        "login": "new.member@example.com", "display_name": "新成员", "password": "join-pass-2026",
        "password_confirm": "join-pass-2026"},
    ("POST", "/account/invitations/{id}"): lambda sec, obj: {
        "login": "second.account@example.com", "display_name": "新账号", "password": "join-pass-2026",
        "password_confirm": "join-pass-2026"},
    ("POST", "/account/set-password/{id}"): lambda sec, obj: {"password": "reset-pass-2026",
                                                              "password_confirm": "reset-pass-2026"},
    ("POST", "/links/{id}/confirm"): lambda sec, link: {"version": str(link.version)},
    ("POST", "/links/{id}/decline"): lambda sec, link: {"version": str(link.version), "note": "暂不需要"},
    ("POST", "/links/{id}/withdraw"): lambda sec, link: {"version": str(link.version)},
    ("POST", "/links/{id}/end"): lambda sec, link: {"version": str(link.version), "note": "合作结束"},
    ("POST", "/deals/{id}/step"): lambda sec, deal: {"to_state": "terminated", "version": str(deal.version),
                                                     "note": "双方协商终止"},
    ("POST", "/matches/{id}/react"): lambda sec, match: {"state": "interested"},
    ("POST", "/needs/{id}/edit"): _need_form,
    ("POST", "/needs/new"): lambda sec, obj: _need_form(sec, None),
    ("POST", "/offers/{id}/request"): lambda sec, offer: {"enterprise_id": str(sec.orgs["ent"].id),
                                                           "need_id": "", "note": "用于产线"},
    ("POST", "/patents/{id}/edit"): _patent_form,
    ("POST", "/patents/{id}/owner"): lambda sec, patent: {"new_owner": str(sec.orgs["uni"].id),
                                                          "reason": "核实申请人后变更权属"},
    ("POST", "/patents/new"): lambda sec, obj: _patent_form(sec, None),
    ("POST", "/patents/{id}/offers/new"): lambda sec, patent: {
        "licence_type": "ordinary", "free_months": "3", "payment_mode": "lump_sum",
        "lump_sum_wan": "8", "term_months": "24", "territory": "中国大陆"},
    ("POST", "/station/needs/{id}/note"): lambda sec, need: {"body": "已电话联系企业"},
}


def _payment_form(sec, patent) -> dict:
    from matchmaker.custody.portfolio import annuities_of
    first = annuities_of(patent)[0]
    return {"year": str(first.year), "paid_on": date.today().isoformat(),
            "amount_yuan": str(first.reduced), "receipt_no": "R-1"}


def _agreement_form(sec, obj) -> dict:
    # after every agreement and proposal of the world (they end within 300 days)
    return {"counterpart": str(sec.orgs["agn2"].id), "services": "annuity",
            "start_date": (date.today() + timedelta(days=400)).isoformat(),
            "end_date": (date.today() + timedelta(days=600)).isoformat(), "fee_wan": "0.2",
            "voucher_kind": "none"}


DATA.update({
    ("POST", "/kpis/custody-plan"): lambda sec, obj: {"year": str(date.today().year), "value": "300"},
    ("POST", "/custody/agreements/new"): _agreement_form,
    ("POST", "/custody/agreements/{id}/confirm"): lambda sec, a: {"version": str(a.version)},
    ("POST", "/custody/agreements/{id}/decline"): lambda sec, a: {"version": str(a.version)},
    ("POST", "/custody/agreements/{id}/terminate"): lambda sec, a: {"version": str(a.version),
                                                                    "note": "企业自行管理"},
    ("POST", "/custody/agreements/{id}/renew"): lambda sec, a: {
        "services": "annuity", "end_date": (a.end_date + timedelta(days=365)).isoformat(),
        "fee_wan": "0.3", "voucher_kind": "none"},
    ("POST", "/custody/patents/new"): lambda sec, obj: {
        "app_no": valid_app_no(2021, "2", 4321), "title": "一种覆膜播种一体机", "patent_type": "utility",
        "filing_date": "2021-03-01", "legal_status": "valid", "annuity_reduction": "0"},
    ("POST", "/custody/patents/{id}"): _payment_form,
    ("POST", "/custody/log"): lambda sec, obj: {"enterprise": str(sec.orgs["ent"].id), "kind": "visit",
                                                "text": "走访"},
})


def _event_form(sec, event) -> dict:
    from matchmaker.web.forms_events import EventForm
    return {**EventForm.data_from(event), "title": event.title + "（已修改）"}


def _pair_data(sec, event) -> dict:
    patent = next((i.patent_id for i in event.items if i.patent_id), sec.patent["uni"].id)
    enterprise = next((r.organization_id for r in event.registrations), sec.orgs["ent"].id)
    return {"patent_id": str(patent), "enterprise_id": str(enterprise), "outcome": "following",
            "note": "会后电话沟通", "follow_up_on": ""}


DATA.update({
    ("POST", "/reports/consent/deals/{id}"): lambda sec, deal: {"consent": "1"},
    ("POST", "/kpis/targets"): lambda sec, obj: {"key": "events_held", "year": str(date.today().year),
                                                 "region": "昌吉回族自治州", "district": "昌吉市", "value": "4"},
    ("POST", "/events/new"): lambda sec, obj: {
        "kind": "matchmaking", "title": "新的供需对接会", "event_date": (date.today() + timedelta(days=5)).isoformat(),
        "region": "乌鲁木齐市", "district": "天山区", "place": "会展中心", "capacity": "30", "seats_per_org": "2"},
    ("POST", "/events/{id}/edit"): _event_form,
    ("POST", "/events/{id}/cancel"): lambda sec, event: {"version": str(event.version), "reason": "场地调整"},
    ("POST", "/events/{id}/items"): lambda sec, event: {"patent_ids": str(sec.patent["other"].id)},
    ("POST", "/events/{id}/register"): lambda sec, event: {"enterprise_id": str(sec.orgs["ent"].id),
                                                          "seats": "1", "contact": "王经理"},
    ("POST", "/events/{id}/unregister"): lambda sec, event: {"enterprise_id": str(sec.orgs["ent"].id)},
    ("POST", "/events/{id}/invite"): lambda sec, event: {"enterprise_ids": next(
        str(sec.orgs[k].id) for k in ("ent", "ent2")
        if sec.orgs[k].id not in {r.organization_id for r in event.registrations})},
    ("POST", "/events/{id}/attendance"): lambda sec, event: {
        "attended": [str(r.id) for r in event.registrations]},
    ("POST", "/events/{id}/pairs"): _pair_data,
})
ROLE_DATA.update({
    ("uni", "POST", "/events/{id}/items"): lambda sec, event: {"patent_ids": str(sec.patent["uni"].id)},
    ("inst", "POST", "/events/{id}/items"): lambda sec, event: {"patent_ids": str(sec.patent["inst2"].id)},
})
DATA.update({
    ("POST", "/enterprises/{id}/profile"): lambda sec, org: {
        "industry": "新能源", "sector": "industry", "employees": "80", "revenue_wan": "1500",
        "founded_year": "2015", "district": "天山区"},
})


ROLE_DATA.update({
    ("ent", "POST", "/links/new"): lambda sec, obj: {"counterpart": str(sec.orgs["stn2"].id),
                                                     "note": "请驿站为我们服务"},
    ("stn", "POST", "/links/new"): lambda sec, obj: {"counterpart": str(sec.orgs["ent2"].id)},
    ("op", "POST", "/links/new"): lambda sec, obj: {"station_id": str(sec.orgs["stn3"].id),
                                                    "enterprise_id": str(sec.orgs["ent2"].id)},
    ("agn", "POST", "/custody/agreements/new"): lambda sec, obj: {
        **_agreement_form(sec, obj), "counterpart": str(sec.orgs["ent2"].id)},
    ("agn", "POST", "/custody/patents/new"): lambda sec, obj: {
        **DATA["POST", "/custody/patents/new"](sec, obj), "enterprise": str(sec.orgs["ent"].id)},
})


def perform(client, sec: SecWorld, cell: Cell):
    obj = resolve(sec, cell)
    url = cell.url.format(id=obj.id) if obj is not None else cell.url
    if cell.method == "GET":
        return client.get(url), obj
    data = post_data(sec, cell, obj)
    return client.post(url, data={**data, "csrf_token": session_token(client)}), obj


def post_data(sec: SecWorld, cell: Cell, obj) -> dict:
    build = ROLE_DATA.get((cell.role, cell.method, cell.url)) or DATA.get((cell.method, cell.url))
    return build(sec, obj) if build else {}


def check(cell: Cell, response, obj, before: str | None, after: str | None) -> str | None:
    """None when the response is what the table says, else a description of the difference."""
    status = response.status_code
    location = response.headers.get("Location", "")
    path = urlsplit(location).path
    got = f"{status} {location}".strip()
    # (only a `to` naming the object reads its id: a removed object has none to read)
    to = cell.to.format(id=obj.id) if cell.to and obj is not None and "{id}" in cell.to else cell.to
    if cell.expect == "L":
        ok = status == 302 and path == "/login"
    elif cell.expect in ("302", "K"):
        ok = status == 302 and path != "/login" and (to is None or path.startswith(to))
    else:
        ok = status == int(cell.expect)
    if ok and cell.expect in ("401", "403", "404") and cell.rule.startswith("/api/"):
        body = response.get_json(silent=True) or {}
        ok = isinstance(body.get("error"), dict) and {"code", "message"} <= set(body["error"])
    if ok and cell.refusal and before is not None and before != after:
        return f"{cell.label}: expected {cell.expect}, got {got} but the database changed"
    if ok and cell.expect == "302" and cell.method == "POST" and before is not None and before == after \
            and cell.url not in NO_WRITE_POSTS:
        return f"{cell.label}: allowed, but nothing was written"
    return None if ok else f"{cell.label}: expected {cell.expect}, got {got}"


# Allowed POSTs that legitimately write nothing (login/logout only touch the session; a logged-in
# user posting /login or /register is sent home).
NO_WRITE_POSTS = {"/login", "/register"}


def _run(client, session, sec, cell: Cell) -> str | None:
    before = fingerprint(session) if cell.method == "POST" else None
    response, obj = perform(client, sec, cell)
    after = fingerprint(session) if cell.method == "POST" else None
    return check(cell, response, obj, before, after)


# -- tests --------------------------------------------------------------------------------------

def test_every_route_is_in_the_matrix(app):
    """A new route (or method) must be classified here before it can ship."""
    routes = {(rule.rule, method) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    table = {(rule, method) for method, rule, *_ in MATRIX}
    assert routes - table == set(), "routes missing from the authorization matrix"
    assert table - routes == set(), "matrix rows for routes that no longer exist"


def test_every_role_and_variant_is_covered():
    """Sanity of the table itself: each object route is tried with someone else's object by
    every role, and anonymous visitors are tried on every route."""
    for method, rule, url, obj, codes, _to in MATRIX:
        if obj and obj.split()[1] == "other":
            assert "-" not in codes.split(), (method, url, obj)
    anon = {(m, r) for m, r, _u, _o, codes, _t in MATRIX if codes.split()[0] != "-"}
    assert anon == {(m, r) for m, r, *_ in MATRIX}


@pytest.mark.parametrize("role", ROLES + EXTRA_ROLES)
def test_reads_and_refusals(client, session, sec, role):
    """Every GET cell and every refused POST cell of one role, in one world (refusals write
    nothing, so they cannot disturb each other; that is asserted for each of them)."""
    log_in_as(client, sec, role)
    todo = [c for c in CELLS if c.role == role and (c.method == "GET" or c.refusal)]
    failures = [problem for cell in todo if (problem := _run(client, session, sec, cell))]
    assert not failures, "\n".join(failures)
    assert len(todo) > 20 or role in EXTRA_ROLES


ALLOWED_POSTS = [c for c in CELLS if c.method == "POST" and not c.refusal]


@pytest.mark.parametrize("cell", ALLOWED_POSTS, ids=lambda c: f"{c.url}[{c.obj or '-'}]-{c.role}")
def test_allowed_post(client, session, sec, cell):
    """Each allowed POST in a fresh world: it passes authorization and does its work."""
    log_in_as(client, sec, cell.role)
    problem = _run(client, session, sec, cell)
    assert problem is None, problem
