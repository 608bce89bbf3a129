"""No session credential in the request log (issue 11, item 2).

Each log line used to carry `"user": "<id>:<session_token>"`: with the log and the secret key,
anyone could forge that user's session cookie. The line names the user by id only.
"""
from __future__ import annotations

import json
import logging

from matchmaker.models import OrgKind, User
from matchmaker.web.request_log import JsonFormatter
from tests.factories import make_org, make_patent, make_user
from tests.web.helpers import login, logout


def test_no_log_line_holds_a_session_token(app, session, caplog, fast_hashing):
    org = make_org(session, OrgKind.UNIVERSITY)
    user = make_user(session, org)
    patent = make_patent(session, org)
    session.commit()
    client = app.test_client()
    tokens = []
    with caplog.at_level(logging.DEBUG, logger="matchmaker"):
        login(client, user.login)
        tokens.append(session.get(User, user.id, populate_existing=True).session_token)
        for url in ("/", "/patents/mine", f"/patents/{patent.id}", "/patents/999999", "/admin",
                    "/api/patents/search?q=锂电池", "/imports/template/patents.csv"):
            client.get(url)
        logout(client)
        tokens.append(session.get(User, user.id, populate_existing=True).session_token)
    lines = [JsonFormatter().format(r) for r in caplog.records if r.name.startswith("matchmaker")]
    requests = [json.loads(line) for line in lines if json.loads(line)["message"] == "request"]
    assert len(requests) >= 8
    assert all(token and token not in line for token in tokens for line in lines)
    logged_in = [r["user"] for r in requests if r["path"] == "/patents/mine"]
    assert logged_in == [user.id]                      # still tells who it was
    assert {r["user"] for r in requests if r["path"] == "/login"} <= {None, user.id}
