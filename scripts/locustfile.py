"""Locust user mix for scripts/load_test.py (run it through that script, not on its own).

The orchestrator writes a plan (JSON, path in LOADTEST_PLAN): logins and password of the demo
users, the needs each enterprise owns, the open deals each station brokers, real need titles
and texts for queries and new needs, corpus patents to re-register under fresh application
numbers, and where to write the samples (LOADTEST_SAMPLES). Every request is recorded with
its outcome:

* ``ok``       the answer the user wanted (200 page, 302 after a successful form);
* ``expected`` a clean refusal the app is meant to give under concurrency: a deal step that
               lost a race (stale version) or is no longer allowed, answered with the usual
               redirect and an error flash. Never a 4xx/5xx status;
* ``error``    anything else: 4xx/5xx, connection errors, a form re-rendered with errors,
               a missing redirect, a stale deal step that succeeded.

User classes: anonymous searchers, enterprises, station brokers, universities and the operator,
weighted as load_test.WEIGHTS says (via the plan); each simulated person has its own login.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
import time
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task
from locust.exception import StopUser

from matchmaker.catalog.numbers import app_no_check_char

PLAN = json.loads(Path(os.environ["LOADTEST_PLAN"]).read_text(encoding="utf-8"))
SAMPLES_PATH = Path(os.environ["LOADTEST_SAMPLES"])
MAX_REQUESTS = int(PLAN.get("max_requests") or 0)
STALE_SHARE = float(PLAN.get("stale_share", 0.05))   # deal steps posted with a stale version

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FLASH_RE = re.compile(r'data-testid="flash-(\w+)">([^<]*)<')
FIELD_ERROR_RE = re.compile(r'data-testid="error-(\w+)">([^<]*)<')
FORM_ERRORS_RE = re.compile(r'data-testid="form-errors">\s*((?:<p>[^<]*</p>\s*)+)')
PATENT_LINK_RE = re.compile(r'href="/patents/(\d+)[?"#]')
STEP_FORM_RE = re.compile(r'<form[^>]*data-testid="step-([a-z_]+)"(.*?)</form>', re.S)
VERSION_RE = re.compile(r'name="version"[^>]*value="(\d+)"')
# Which step a broker prefers when several are offered: forward moves, rarely an ending one.
STEP_WEIGHTS = {"negotiating": 6, "free_active": 5, "conversion_due": 3, "converted": 2,
                "transferred": 0.5, "terminated": 0.3, "lapsed": 0.3}
STALE_FLASH = "已被他人修改"        # licensing.deals.STALE
EXPIRED_FORM_FLASH = "表单已过期"   # views_deals.step: CSRF/form failure (a test bug, not a race)

_samples: list[dict] = []
_env = {"environment": None, "stopping": False, "written": False}
_app_serial = itertools.count(int(PLAN["app_no"]["start"]))


# -- recording -------------------------------------------------------------------------------

def record(method: str, name: str, resp, outcome: str, detail: str = "") -> None:
    meta = resp.request_meta or {}
    _samples.append({"t": meta.get("start_time", time.time()), "method": method, "name": name,
                     "status": resp.status_code,
                     "ms": round(float(meta.get("response_time") or 0.0), 2),
                     "outcome": outcome, "detail": detail[:300]})
    if MAX_REQUESTS and len(_samples) >= MAX_REQUESTS and not _env["stopping"]:
        _env["stopping"] = True
        runner = _env["environment"].runner if _env["environment"] else None
        if runner is not None:
            gevent.spawn(runner.quit)


def _write_samples(**_kw) -> None:
    tmp = SAMPLES_PATH.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for s in _samples:
            fh.write(json.dumps(s, ensure_ascii=False) + "\n")
    tmp.replace(SAMPLES_PATH)


@events.init.add_listener
def _on_init(environment, **_kw) -> None:
    _env["environment"] = environment


@events.test_start.add_listener
def _on_start(environment, **_kw) -> None:
    def progress() -> None:
        t0 = time.time()
        while True:
            gevent.sleep(10)
            n = len(_samples)
            errors = sum(1 for s in _samples if s["outcome"] == "error")
            users = environment.runner.user_count if environment.runner else 0
            print(f"[{time.strftime('%H:%M:%S')}] locust: {users} users, {n} requests "
                  f"({n / max(time.time() - t0, 1e-9):.1f}/s), {errors} errors",
                  file=sys.stderr, flush=True)
    gevent.spawn(progress)


events.test_stop.add_listener(_write_samples)
events.quitting.add_listener(_write_samples)


# -- helpers ---------------------------------------------------------------------------------

def _errors_in(html: str) -> str:
    """Field and form errors of a re-rendered form, for the error detail."""
    parts = [f"{k}: {v}" for k, v in FIELD_ERROR_RE.findall(html)]
    m = FORM_ERRORS_RE.search(html)
    if m:
        parts += re.findall(r"<p>([^<]*)</p>", m.group(1))
    return "; ".join(parts) or "form re-rendered without a redirect"


def _local_path(location: str) -> str:
    """A redirect target as a path on this host (Location may be absolute)."""
    m = re.match(r"^https?://[^/]+(/.*)$", location)
    return m.group(1) if m else location


class Base(HttpUser):
    abstract = True
    wait_time = between(float(PLAN["wait_min"]), float(PLAN["wait_max"]))
    login_name: str | None = None

    def call(self, method: str, url: str, name: str, *, data: dict | None = None,
             params: dict | None = None, expect: tuple[int, ...] = (200,),
             redirect_to: str | None = None):
        """One request, recorded; `redirect_to` (a regex on the Location path) expects a 302.
        Returns (response, ok)."""
        with self.client.request(method, url, name=name, data=data, params=params,
                                 catch_response=True,
                                 allow_redirects=False) as resp:
            status = resp.status_code
            detail = ""
            if status == 0:
                detail = f"connection error: {resp.error}"
            elif redirect_to is not None:
                loc = _local_path(resp.headers.get("Location", ""))
                if status != 302:
                    detail = (f"HTTP {status}: " + _errors_in(resp.text)) if status == 200 \
                        else f"HTTP {status}"
                elif not re.match(redirect_to, loc):
                    detail = f"redirected to {loc!r}"
            elif status not in expect:
                detail = f"HTTP {status}" + (f" -> {resp.headers.get('Location')}"
                                             if 300 <= status < 400 else "")
            if detail:
                resp.failure(detail)
                record(method, name, resp, "error", detail)
            else:
                resp.success()
                record(method, name, resp, "ok")
            return resp, not detail

    def on_start_connection(self) -> None:
        """One TCP connection per request, as behind a reverse proxy (nginx talks HTTP/1.0 to
        its upstream by default). With keep-alive, gunicorn closes a connection idle for 2 s
        (its `keepalive` default) while think times are 1–3 s, so now and then a request is
        sent just as the server closes the socket: RemoteDisconnected, no response at all."""
        self.client.headers["Connection"] = "close"

    def csrf(self, html: str) -> str | None:
        m = CSRF_RE.search(html)
        return m.group(1) if m else None

    def on_start(self) -> None:
        self.on_start_connection()
        if self.login_name is None:
            return
        resp, ok = self.call("GET", "/login", "GET /login")
        token = self.csrf(resp.text) if ok else None
        if not token:
            raise StopUser()
        _r, ok = self.call("POST", "/login", "POST /login", redirect_to=r"^/",
                           data={"login": self.login_name, "password": PLAN["password"],
                                 "csrf_token": token, "next": ""})
        if not ok:
            raise StopUser()


# -- anonymous visitors ----------------------------------------------------------------------

class Searcher(Base):
    """A visitor searching patents with real need titles, on the page and through the API."""

    weight = PLAN["weights"]["anonymous"]

    @task(3)
    def search_page(self) -> None:
        q = random.choice(PLAN["queries"])
        self.call("GET", "/search/patents", "GET /search/patents", params={"q": q})

    @task(2)
    def search_api(self) -> None:
        q = random.choice(PLAN["queries"])
        self.call("GET", "/api/patents/search", "GET /api/patents/search", params={"q": q})


# -- enterprises -----------------------------------------------------------------------------

_enterprise_rr = itertools.count()


class Enterprise(Base):
    """An enterprise reads the patents recommended for its needs, opens one, posts needs."""

    weight = PLAN["weights"]["enterprise"]

    def on_start(self) -> None:
        account = PLAN["enterprises"][next(_enterprise_rr) % len(PLAN["enterprises"])]
        self.login_name = account["login"]
        self.need_ids = list(account["need_ids"])
        self.patent_ids: list[int] = []
        super().on_start()

    @task(4)
    def matches(self) -> None:
        if not self.need_ids:
            return
        resp, ok = self.call("GET", f"/matches/need/{random.choice(self.need_ids)}",
                             "GET /matches/need/[id]")
        if ok:
            found = [int(x) for x in PATENT_LINK_RE.findall(resp.text)]
            if found:
                self.patent_ids = found[:20]

    @task(3)
    def patent_detail(self) -> None:
        pid = random.choice(self.patent_ids or PLAN["patent_ids"])
        self.call("GET", f"/patents/{pid}", "GET /patents/[id]")

    @task(1)
    def post_need(self) -> None:
        resp, ok = self.call("GET", "/needs/new", "GET /needs/new")
        token = self.csrf(resp.text) if ok else None
        if not token:
            return
        need = random.choice(PLAN["need_posts"])
        resp, ok = self.call("POST", "/needs/new", "POST /needs/new", redirect_to=r"^/needs/\d+$",
                             data={"csrf_token": token, "title": need["title"],
                                   "description": need["text"],
                                   "industry": random.choice(PLAN["industries"]), "region": "",
                                   "budget_min_wan": "", "budget_max_wan": "",
                                   "wanted_forms": "licence", "valid_until": ""})
        if ok:
            self.call("GET", _local_path(resp.headers["Location"]), "GET /needs/[id]")


# -- universities ----------------------------------------------------------------------------

_university_rr = itertools.count()


def next_app_no() -> str:
    """A valid application number not used before (the orchestrator picked a free range)."""
    spec = PLAN["app_no"]
    body = f"{spec['year']}{spec['type']}{next(_app_serial):07d}"
    return f"{body}.{app_no_check_char(body)}"


class University(Base):
    """A university technology-transfer officer registers and lists patents."""

    weight = PLAN["weights"]["university"]

    def on_start(self) -> None:
        self.login_name = PLAN["universities"][next(_university_rr) % len(PLAN["universities"])]
        super().on_start()

    @task
    def register_patent(self) -> None:
        resp, ok = self.call("GET", "/patents/new", "GET /patents/new")
        token = self.csrf(resp.text) if ok else None
        if not token:
            return
        p = random.choice(PLAN["patent_posts"])
        year = PLAN["app_no"]["year"]
        resp, ok = self.call("POST", "/patents/new", "POST /patents/new",
                             redirect_to=r"^/patents/\d+$",
                             data={"csrf_token": token, "title": p["title"],
                                   "app_no": next_app_no(), "pub_no": "", "patent_type": "",
                                   "legal_status": "valid", "filing_date": f"{year}-01-05",
                                   "grant_date": "", "ipc_codes": "; ".join(p["ipc"]),
                                   "inventors": "", "abstract": p["abstract"], "first_claim": "",
                                   "readiness": "", "scenarios": "", "listing_state": "listed"})
        if ok:
            self.call("GET", _local_path(resp.headers["Location"]), "GET /patents/[id]")


# -- station brokers -------------------------------------------------------------------------

_station_rr = itertools.count()
# Open deals per station, shared by every broker of that station (so they collide).
_deal_pools: dict[int, list[int]] = {}


class Broker(Base):
    """A station broker moves its clients' deals along; several brokers share one station's
    deals, so some steps lose the race (stale version) — answered cleanly, counted expected."""

    weight = PLAN["weights"]["station"]

    def on_start(self) -> None:
        account = PLAN["stations"][next(_station_rr) % len(PLAN["stations"])]
        self.login_name = account["login"]
        if account["org_id"] not in _deal_pools:
            _deal_pools[account["org_id"]] = random.sample(account["deal_ids"],
                                                           len(account["deal_ids"]))
        self.deal_ids = _deal_pools[account["org_id"]]
        super().on_start()

    @task(1)
    def workspace(self) -> None:
        self.call("GET", "/station/", "GET /station/")

    @task(4)
    def move_deal(self) -> None:
        if not self.deal_ids:
            return
        deal_id = random.choice(self.deal_ids[:10])   # a few at a time, shared with colleagues
        resp, ok = self.call("GET", f"/deals/{deal_id}", "GET /deals/[id]")
        if not ok:
            return
        steps = {}
        for to_state, body in STEP_FORM_RE.findall(resp.text):
            m = VERSION_RE.search(body)
            if m and to_state in STEP_WEIGHTS:
                steps[to_state] = int(m.group(1))
        token = self.csrf(resp.text)
        if not steps or not token:
            if deal_id in self.deal_ids:     # finished, or no step left for a broker
                self.deal_ids.remove(deal_id)
            return
        to_state = random.choices(list(steps), [STEP_WEIGHTS[s] for s in steps])[0]
        version = steps[to_state]
        stale = random.random() < STALE_SHARE
        name = "POST /deals/[id]/step" + (" (stale version)" if stale else "")
        data = {"csrf_token": token, "to_state": to_state,
                "version": str(version + 7 if stale else version), "note": "压测：经纪人推进交易",
                "contract_value_wan": "12", "start_date": ""}
        with self.client.post(f"/deals/{deal_id}/step", data=data, name=name,
                              catch_response=True, allow_redirects=False) as post:
            outcome, detail = self._step_outcome(post, deal_id, stale)
            if outcome == "error":
                post.failure(detail)
            else:
                post.success()
            record("POST", name, post, outcome, detail)

    def _step_outcome(self, post, deal_id: int, stale: bool) -> tuple[str, str]:
        if post.status_code == 0:
            return "error", f"connection error: {post.error}"
        if post.status_code != 302:
            return "error", f"HTTP {post.status_code}" + (
                ": " + _errors_in(post.text) if post.status_code == 422 else "")
        loc = _local_path(post.headers.get("Location", ""))
        if loc != f"/deals/{deal_id}":
            return "error", f"redirected to {loc!r}"
        page, ok = self.call("GET", loc, "GET /deals/[id]")
        if not ok:
            return "error", "the deal page after the step failed"
        flashes = FLASH_RE.findall(page.text)
        errors = [msg for cat, msg in flashes if cat == "error"]
        if any(cat == "success" for cat, _m in flashes):
            return ("error", "a stale version was accepted") if stale else ("ok", "")
        if any(EXPIRED_FORM_FLASH in m for m in errors):
            return "error", errors[0]
        if any(STALE_FLASH in m for m in errors):
            return "expected", "conflict: stale version"
        if errors:
            return "expected", "refused: " + errors[0]
        return "error", "no flash message after the step"


# -- operator --------------------------------------------------------------------------------

_operator_rr = itertools.count()


class Operator(Base):
    """The platform operator watches the KPI dashboard."""

    weight = PLAN["weights"]["operator"]

    def on_start(self) -> None:
        self.login_name = PLAN["operators"][next(_operator_rr) % len(PLAN["operators"])]
        super().on_start()

    @task
    def kpis(self) -> None:
        self.call("GET", "/kpis/", "GET /kpis/")
