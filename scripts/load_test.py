#!/usr/bin/env python
"""Load test of the production setup: gunicorn (`matchmaker serve-prod`) plus the job worker,
driven by Locust with a mix of anonymous searchers, enterprises, universities, station brokers
and the operator (user mix and outcome rules: scripts/locustfile.py).

One command builds (or, with --reuse, reuses) an instance holding the demo data set (users,
needs, offers, deals) and the full shared patent corpus, tops up a pool of open deals for the
brokers, starts the server and the worker, waits for /healthz, runs Locust headless, stops
everything and prints throughput, per-endpoint latency percentiles, counts, errors and a
PASS/FAIL line against the targets:

* zero errors;
* p95 ≤ 300 ms on the search and match pages (GET /search/patents, GET /api/patents/search,
  GET /matches/need/[id]);
* no request slower than 2 s.

    .venv/bin/python scripts/load_test.py                       # SQLite, 20 users, 60 s
    .venv/bin/python scripts/load_test.py --reuse               # skip the build (~5 min)
    .venv/bin/python scripts/load_test.py --database-url \\
        postgresql+psycopg://postgres@127.0.0.1:5432/matchmaker_loadtest
    .venv/bin/python scripts/load_test.py --json                # machine-readable result
    .venv/bin/python scripts/load_test.py --reuse --kill-worker-at 25 --worker-nice 10
                            # SIGKILL the job worker mid-run (mid-job), restart it 2 s later

Every request opens its own connection (`Connection: close`), as behind a reverse proxy; see
Base.on_start_connection in the locustfile for why keep-alive straight to gunicorn is not used.
Simulated users think 1–3 s between requests (--wait-min/--wait-max; 0 0 for a stress test).

A PostgreSQL database is created by this script (refused for an existing database it did not
create) and dropped at the end unless --keep. The SQLite instance (instance/loadtest-sqlite)
is kept for --reuse unless --no-keep. Each run's plan, samples and the server, worker and
Locust logs are kept under <instance>/runs/<timestamp>/. Progress goes to stderr. Exit code:
0 PASS, 1 FAIL, 2 the test could not run.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from worker_chaos import CpuMeter, WorkerRestart  # noqa: E402  (scripts/ is on the path now)

DATA = Path(os.environ.get("MATCHMAKER_SHARED_DATA", ROOT.parent / "shared" / "data"))
PATENT_FILES = (DATA / "patents" / "patents.jsonl", DATA / "patents" / "patents_bdci2022.jsonl")
NEEDS_FILE = DATA / "needs" / "needs.jsonl"
LOCUSTFILE = ROOT / "scripts" / "locustfile.py"
MARKER = "loadtest.json"
PG_COMMENT = "matchmaker load test database (scripts/load_test.py); safe to drop"
PROTECTED_DATABASES = {"test", "postgres", "template0", "template1", "root", "matchmaker"}
DEMO_PASSWORD = "LoadTest2024pw"
LOGIN_RATE_LIMIT = "10000 per minute"

SEARCH_AND_MATCH = ("GET /search/patents", "GET /api/patents/search", "GET /matches/need/[id]")
TARGETS = {"errors": 0, "p95_ms": 300.0, "max_ms": 2000.0}
OPEN_DEAL_STATES = ("requested", "negotiating", "free_active", "conversion_due")
# Locust user classes (scripts/locustfile.py) and their weights, by organization kind.
WEIGHTS = {"anonymous": 8, "enterprise": 6, "station": 3, "university": 2, "operator": 1}


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.2f}] {msg}", file=sys.stderr,
          flush=True)


class Abort(Exception):
    """The test could not run (exit code 2)."""


# -- child processes -------------------------------------------------------------------------

class Children:
    """Every child runs in its own process group (so Ctrl+C reaches only this script, which
    then stops them in order) and is terminated, then killed, on the way out."""

    def __init__(self) -> None:
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, cmd: list[str], env: dict, log_path: Path,
              forward: str | None = None) -> subprocess.Popen:
        """Output goes to `log_path`; stderr lines matching the regex `forward` are also
        echoed on this script's stderr (Locust's progress)."""
        fh = open(log_path, "ab")
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=fh,
                                stderr=subprocess.PIPE if forward else fh,
                                start_new_session=True)
        if forward:
            pattern = re.compile(forward.encode())

            def pump() -> None:
                with open(log_path, "ab") as out:
                    for line in proc.stderr:
                        out.write(line)
                        if pattern.search(line):
                            sys.stderr.write(line.decode(errors="replace"))
                            sys.stderr.flush()
            threading.Thread(target=pump, daemon=True).start()
        fh.close()   # the child holds its own copy
        self.procs.append((name, proc))
        return proc

    def run(self, name: str, cmd: list[str], env: dict, log_path: Path,
            timeout: float = 3600) -> None:
        """A build step: run to completion, fail loudly with the tail of its log."""
        log(f"{name}: {' '.join(cmd[1:])}")
        t0 = time.perf_counter()
        proc = self.start(name, cmd, env, log_path)
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Abort(f"{name} took longer than {timeout:.0f} s (log: {log_path})") from None
        self.forget(proc)
        if rc != 0:
            tail = log_path.read_text(errors="replace").splitlines()[-15:]
            raise Abort(f"{name} failed with exit code {rc} (log: {log_path}):\n  "
                        + "\n  ".join(tail))
        log(f"{name}: done in {time.perf_counter() - t0:.0f} s")

    def forget(self, proc: subprocess.Popen) -> None:
        """A child that ended by itself (one still running stays listed for stop_all)."""
        self.procs = [(n, p) for n, p in self.procs if p is not proc]

    @staticmethod
    def stop(name: str, proc: subprocess.Popen, grace: float = 20.0) -> None:
        if proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                proc.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                log(f"{name} (pid {proc.pid}) did not stop on {sig.name}")

    def stop_all(self) -> None:
        while self.procs:
            name, proc = self.procs.pop()
            if proc.poll() is None:
                log(f"stopping {name} (pid {proc.pid})")
            self.stop(name, proc)


def _raise_interrupt(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


# -- PostgreSQL ------------------------------------------------------------------------------

def _pg_admin(url: str):
    """An autocommit connection to the server's `postgres` database, and our database's name."""
    import psycopg
    from sqlalchemy.engine import make_url
    u = make_url(url)
    name = u.database or ""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", name):
        raise Abort(f"unsupported database name {name!r}")
    if name.lower() in PROTECTED_DATABASES:
        raise Abort(f"refusing to use the database {name!r}: give the load test its own")
    conn = psycopg.connect(host=u.host or "127.0.0.1", port=u.port or 5432,
                           user=u.username or "postgres", password=u.password,
                           dbname="postgres", autocommit=True)
    return conn, name


def _pg_state(conn, name: str) -> tuple[bool, bool]:
    """(exists, created by this script)."""
    row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                       "WHERE datname = %s", (name,)).fetchone()
    return row is not None, bool(row and row[0] == PG_COMMENT)


def pg_create(url: str) -> None:
    conn, name = _pg_admin(url)
    with conn:
        exists, ours = _pg_state(conn, name)
        if exists and not ours:
            raise Abort(f"database {name!r} exists and was not created by this script; "
                        "pick another name")
        if exists:
            log(f"dropping the previous load-test database {name!r}")
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
        conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{PG_COMMENT}'")
    log(f"created PostgreSQL database {name!r}")


def pg_exists(url: str) -> bool:
    conn, name = _pg_admin(url)
    with conn:
        exists, ours = _pg_state(conn, name)
    if exists and not ours:
        raise Abort(f"database {name!r} was not created by this script; pick another name")
    return exists


def pg_drop(url: str) -> None:
    conn, name = _pg_admin(url)
    with conn:
        exists, ours = _pg_state(conn, name)
        if exists and ours:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            log(f"dropped PostgreSQL database {name!r}")


# -- the instance ----------------------------------------------------------------------------

def demo_logins() -> dict[str, list[str]]:
    spec = json.loads((ROOT / "matchmaker" / "demo" / "data" / "organizations.json")
                      .read_text(encoding="utf-8"))
    kinds = {o["name"]: o["kind"] for o in spec["organizations"]}
    out: dict[str, list[str]] = defaultdict(list)
    for u in spec["users"]:
        out[kinds[u["organization"]]].append(u["login"])
    return dict(out)


def open_runtime(env: dict):
    from matchmaker.config import Settings
    from matchmaker.runtime import build_runtime
    return build_runtime(Settings.from_env(env, index_on_commit=False))


def build_instance(args, env: dict, children: Children, logs: Path) -> dict:
    """Demo data, then the shared corpus, a pool of open deals, both indexes, and the match
    jobs the demo queued (run once by the worker, so every demo need has its matches)."""
    from bench_search import corpus_records, import_corpus
    mm = [str(Path(sys.executable).parent / "matchmaker")]
    t0 = time.perf_counter()
    children.run("demo", mm + ["demo", "--password", DEMO_PASSWORD], env, logs / "build.log")
    rt = open_runtime(env)
    try:
        log("importing the shared corpus ...")
        report = import_corpus(rt, corpus_records(PATENT_FILES))
        log(f"  {report}")
        seeded = ensure_open_deals(rt, args.deal_pool)
    finally:
        rt.dispose()
    children.run("index rebuild", mm + ["index", "rebuild", "--procs", "2"], env,
                 logs / "build.log")
    children.run("worker --once", mm + ["worker", "--once"], env, logs / "build.log")
    info = {"database_url": env.get("MATCHMAKER_DATABASE_URL", ""), "built": _now_iso(),
            "build_s": round(time.perf_counter() - t0, 1), "corpus": report, "deals": seeded}
    (Path(env["MATCHMAKER_INSTANCE"]) / MARKER).write_text(json.dumps(info, indent=2))
    return info


def ensure_open_deals(rt, per_station: int) -> dict:
    """At least `per_station` deals a broker can move, per demo station: fresh ordinary
    licence offers (6 free months) on listed patents of the demo universities, requested by
    the station's broker for its client enterprises (the same services as the web)."""
    from sqlalchemy import func, select

    from matchmaker import clock
    from matchmaker.errors import MatchmakerError
    from matchmaker.licensing.deals import request_deal
    from matchmaker.licensing.offers import OfferInput, create_offer
    from matchmaker.models import (Deal, LegalStatus, LicenceOffer, ListingState, Organization,
                                   OrgKind, Patent, User)
    today = clock.today()
    logins = demo_logins()
    created = {}
    with rt.session_factory() as session, session.begin():
        owners = session.scalars(select(User).where(User.login.in_(logins["university"]))).all()
        offered = select(LicenceOffer.patent_id)
        candidates = iter(session.scalars(
            select(Patent).where(Patent.owner_id.in_([u.organization_id for u in owners]),
                                 Patent.listing_state == ListingState.LISTED,
                                 Patent.legal_status.not_in([LegalStatus.LAPSED,
                                                             LegalStatus.PENDING]),
                                 Patent.id.not_in(offered))
            .order_by(Patent.id)).all())
        owner_of = {u.organization_id: u for u in owners}
        for login in logins["station"]:
            broker = session.scalar(select(User).where(User.login == login))
            clients = [c for c in broker.organization.clients if c.kind == OrgKind.ENTERPRISE]
            have = session.scalar(select(func.count()).select_from(Deal).where(
                Deal.enterprise_id.in_([c.id for c in clients]),
                Deal.state.in_(OPEN_DEAL_STATES))) or 0
            n = 0
            while have + n < per_station:
                patent = next(candidates, None)
                if patent is None:
                    log(f"  no more patents to offer ({login}: {have + n} open deals)")
                    break
                try:
                    with session.begin_nested():
                        offer = create_offer(session, owner_of[patent.owner_id], patent.id,
                                             OfferInput(licence_type="ordinary", free_months=6,
                                                        payment_mode="lump_sum",
                                                        lump_sum_wan="10", term_months=36),
                                             today=today).offer
                        request_deal(session, broker, offer.id,
                                     enterprise_id=clients[n % len(clients)].id, today=today,
                                     note="压测：驿站代企业申请许可")
                except MatchmakerError:
                    continue
                n += 1
            created[login] = {"open_before": have, "created": n}
    log(f"open deal pool: {created}")
    return created


def ensure_accounts(rt, users: int) -> dict[str, list[str]]:
    """Logins for the simulated users, one per simulated person: a login rotates the user's
    session token (logging out the user's other sessions), so two Locust users must never
    share an account. The demo users come first, then extra users of the same organizations
    (created here when missing, with the demo password), distinct organizations first."""
    from sqlalchemy import select

    from matchmaker.catalog.accounts import create_user
    from matchmaker.models import User, UserRole
    total = sum(WEIGHTS.values())
    out: dict[str, list[str]] = {}
    with rt.session_factory() as session, session.begin():
        for kind, logins in demo_logins().items():
            need = math.ceil(users * WEIGHTS.get(kind, 0) / total) + 1
            per_org = max(1, math.ceil(need / len(logins)))
            accounts = []
            for k in range(per_org):
                for login in logins:
                    if k == 0:
                        accounts.append(login)
                        continue
                    local, domain = login.split("@")
                    extra = f"{local}.lt{k}@{domain}"
                    if session.scalar(select(User.id).where(User.login == extra)) is None:
                        base = session.scalar(select(User).where(User.login == login))
                        create_user(session, base.organization, extra, DEMO_PASSWORD,
                                    f"{base.display_name}（压测 {k}）", role=UserRole.MEMBER)
                    accounts.append(extra)
            out[kind] = accounts
    return out


def make_plan(rt, args, run_dir: Path) -> dict:
    """What the Locust users need: logins, their needs and deals, texts, a free app-no range."""
    from sqlalchemy import exists, func, select

    from matchmaker import clock
    from matchmaker.catalog.ipc import parse_ipc
    from matchmaker.models import INDUSTRIES, Deal, ListingState, Match, Need, Patent, User

    logins = ensure_accounts(rt, args.users)
    rng = random.Random(20240601)
    plan: dict = {"password": DEMO_PASSWORD, "wait_min": args.wait_min, "wait_max": args.wait_max,
                  "max_requests": args.max_requests, "stale_share": args.stale_share,
                  "weights": WEIGHTS, "universities": logins["university"],
                  "operators": logins["operator"], "industries": list(INDUSTRIES)}
    with rt.session_factory() as s:
        plan["enterprises"] = []
        for login in logins["enterprise"]:
            org_id = s.scalar(select(User.organization_id).where(User.login == login))
            ids = s.scalars(select(Need.id).where(
                Need.enterprise_id == org_id, exists().where(Match.need_id == Need.id))
                .order_by(Need.id).limit(100)).all()
            plan["enterprises"].append({"login": login, "org_id": org_id, "need_ids": list(ids)})
        plan["stations"] = []
        for login in logins["station"]:
            broker = s.scalar(select(User).where(User.login == login))
            client_ids = [c.id for c in broker.organization.clients]
            ids = s.scalars(select(Deal.id).where(Deal.enterprise_id.in_(client_ids),
                                                  Deal.state.in_(OPEN_DEAL_STATES))
                            .order_by(Deal.id)).all()
            plan["stations"].append({"login": login, "org_id": broker.organization_id,
                                     "deal_ids": list(ids)})
        listed = s.scalars(select(Patent.id).where(Patent.listing_state == ListingState.LISTED)
                           .order_by(Patent.id)).all()
        plan["patent_ids"] = rng.sample(list(listed), min(300, len(listed)))
        year = clock.today().year - 1
        prefix = f"{year}199"
        top = s.scalar(select(func.max(Patent.app_no)).where(Patent.app_no.like(prefix + "%")))
        start = int(top[5:12]) + 1 if top else 9_900_000
        plan["app_no"] = {"year": year, "type": "1", "start": start}
        matches = s.scalar(select(func.count()).select_from(Match))
    if not all(e["need_ids"] for e in plan["enterprises"]):
        raise Abort("some demo enterprise has no need with matches: did the worker run? "
                    "(rebuild without --reuse)")
    plan["queries"], plan["need_posts"] = [], []
    for line in NEEDS_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            title = (rec.get("title") or "").strip()
            if len(title) >= 2:
                plan["queries"].append(title)
                plan["need_posts"].append({"title": title[:200], "text": (rec.get("text") or "")[:9000]})
    posts = []
    for path in PATENT_FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line) if line.strip() else {}
            if rec.get("title") and rec.get("abstract") and 2 <= len(rec["title"]) <= 300:
                posts.append(rec)
    posts = rng.sample(posts, min(400, len(posts)))

    def valid_ipc(codes) -> list[str]:
        out = []
        for raw in (codes or [])[:5]:
            try:
                out.append(parse_ipc(raw).code)
            except Exception:
                pass
        return out
    plan["patent_posts"] = [{"title": r["title"], "abstract": r["abstract"][:5000],
                             "ipc": valid_ipc(r.get("ipc"))} for r in posts]
    plan["stats"] = {"matches": matches, "listed_patents": len(listed),
                     "open_deals_by_station": {st["org_id"]: len(st["deal_ids"])
                                               for st in plan["stations"]},
                     "accounts": {k: len(v) for k, v in logins.items()}}
    (run_dir / "plan.json").write_text(json.dumps(plan, ensure_ascii=False, indent=1),
                                       encoding="utf-8")
    return plan


# -- running ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str, timeout: float = 10.0) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def wait_healthy(base: str, procs: list[tuple[str, subprocess.Popen]], timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        for name, proc in procs:
            if proc.poll() is not None:
                raise Abort(f"{name} exited with code {proc.returncode} while starting")
        try:
            status, body = get_json(base + "/healthz", timeout=5)
            if status == 200 and body.get("status") == "ok":
                return body
            last = f"HTTP {status} {json.dumps(body, ensure_ascii=False)[:300]}"
        except (OSError, ValueError) as exc:
            last = str(exc)
        time.sleep(0.5)
    raise Abort(f"/healthz not ok after {timeout:.0f} s: {last}")


def parse_duration(text: str) -> int:
    """Seconds from `90`, `90s`, `2m`, `1h30m`."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    parts = re.findall(r"(\d+)\s*([hms])", text)
    if not parts or "".join(n + u for n, u in parts) != re.sub(r"\s", "", text):
        raise argparse.ArgumentTypeError(f"bad duration {text!r} (e.g. 60, 90s, 2m)")
    return sum(int(n) * {"h": 3600, "m": 60, "s": 1}[u] for n, u in parts)


def run_locust(args, base: str, run_dir: Path, children: Children, env: dict) -> None:
    cap = args.run_time if args.run_time else 3600
    cmd = [str(Path(sys.executable).parent / "locust"), "-f", str(LOCUSTFILE), "--headless",
           "--host", base, "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
           "--run-time", f"{cap}s", "--stop-timeout", "10", "--only-summary",
           "--loglevel", "WARNING", "--csv", str(run_dir / "locust"), "--exit-code-on-error", "0"]
    env = dict(env, LOADTEST_PLAN=str(run_dir / "plan.json"),
               LOADTEST_SAMPLES=str(run_dir / "samples.jsonl"))
    bound = f"{args.run_time} s" if args.run_time else "no time limit"
    if args.max_requests:
        bound += f", at most {args.max_requests} requests"
    log(f"locust: {args.users} users (spawn {args.spawn_rate}/s), {bound}")
    proc = children.start("locust", cmd, env, run_dir / "locust.log",
                          forward=r"^\[[0-9:]+\] locust: |^Traceback|^\w+Error")
    try:
        rc = proc.wait(timeout=cap + 120)
    except subprocess.TimeoutExpired:
        raise Abort("locust did not stop on its own") from None   # stop_all ends it
    children.forget(proc)
    if rc != 0 or not (run_dir / "samples.jsonl").exists():
        raise Abort(f"locust failed (exit code {rc}); see {run_dir / 'locust.log'}")


# -- analysis --------------------------------------------------------------------------------

def pct(xs: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted `xs`."""
    if not xs:
        return float("nan")
    return xs[min(len(xs) - 1, max(0, math.ceil(p / 100 * len(xs)) - 1))]


def summarize(xs: list[float]) -> dict:
    xs = sorted(xs)
    return {"p50_ms": round(pct(xs, 50), 1), "p95_ms": round(pct(xs, 95), 1),
            "p99_ms": round(pct(xs, 99), 1), "max_ms": round(xs[-1], 1) if xs else None,
            "mean_ms": round(statistics.fmean(xs), 1) if xs else None}


def server_timings(server_log: Path, since: float) -> dict[str, list[float]]:
    """The app's own request log (duration inside Flask), keyed like the client's names."""
    out: dict[str, list[float]] = defaultdict(list)
    if not server_log.exists():
        return out
    for line in server_log.read_text(errors="replace").splitlines():
        if not line.startswith("{") or '"message": "request"' not in line:
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        ts = datetime.fromisoformat(rec["ts"]).timestamp()
        if ts + 1 < since or rec.get("path") == "/healthz" or rec.get("duration_ms") is None:
            continue
        out[f"{rec['method']} {re.sub(r'/[0-9]+', '/[id]', rec['path'])}"].append(rec["duration_ms"])
    return out


def analyse(samples: list[dict], server: dict[str, list[float]], warmup: float = 0.0) -> dict:
    """Tables and checks over the samples; those that started in the first `warmup` seconds
    are left out (and summarized apart)."""
    if not samples:
        raise Abort("no request was made")
    t0 = min(s["t"] for s in samples)
    early = [s for s in samples if s["t"] - t0 < warmup]
    samples = [s for s in samples if s["t"] - t0 >= warmup]
    if not samples:
        raise Abort("no request after the warm-up")
    t_first = min(s["t"] for s in samples)
    t_last = max(s["t"] + s["ms"] / 1000 for s in samples)
    wall = max(t_last - t_first, 1e-9)
    by_name: dict[str, list[dict]] = defaultdict(list)
    for s in samples:
        by_name[s["name"]].append(s)
    endpoints = {}
    for name in sorted(by_name, key=lambda n: -len(by_name[n])):
        rows = by_name[name]
        outcomes = Counter(r["outcome"] for r in rows)
        ep = {"requests": len(rows), "ok": outcomes["ok"], "expected": outcomes["expected"],
              "errors": outcomes["error"], "rps": round(len(rows) / wall, 2),
              **summarize([r["ms"] for r in rows])}
        srv = server.get(name.replace(" (stale version)", ""))
        if srv and "(stale version)" not in name:
            ep["server_p95_ms"] = round(pct(sorted(srv), 95), 1)
        statuses = Counter(r["status"] for r in rows)
        ep["statuses"] = {str(k): v for k, v in sorted(statuses.items())}
        details = Counter(r["detail"] for r in rows if r["outcome"] != "ok")
        if details:
            ep["outcome_details"] = dict(details.most_common(8))
        endpoints[name] = ep
    total = Counter(s["outcome"] for s in samples)
    overall = {"requests": len(samples), "ok": total["ok"], "expected": total["expected"],
               "errors": total["error"], "rps": round(len(samples) / wall, 2),
               **summarize([s["ms"] for s in samples])}
    checks = []
    checks.append({"check": "errors", "target": "0", "value": total["error"],
                   "pass": total["error"] == TARGETS["errors"]})
    for name in SEARCH_AND_MATCH:
        ep = endpoints.get(name)
        checks.append({"check": f"p95 {name}", "target": f"<= {TARGETS['p95_ms']:.0f} ms",
                       "value": ep["p95_ms"] if ep else None,
                       "pass": bool(ep) and ep["p95_ms"] <= TARGETS["p95_ms"]})
    slowest = max(samples, key=lambda s: s["ms"])
    checks.append({"check": "max (any request)", "target": f"<= {TARGETS['max_ms']:.0f} ms",
                   "value": round(slowest["ms"], 1), "worst": slowest["name"],
                   "pass": slowest["ms"] <= TARGETS["max_ms"]})
    slow = Counter(s["name"] for s in samples if s["ms"] > TARGETS["max_ms"])
    # How much of the tail is the start: every worker builds its search caches on its first
    # search, while the users log in (scrypt) — all at once.
    start = [s for s in samples if s["t"] - t_first < 10]
    rest = [s for s in samples if s["t"] - t_first >= 10]
    phases = {"first_10s": {"requests": len(start), **summarize([s["ms"] for s in start])},
              "after_10s": {"requests": len(rest), **summarize([s["ms"] for s in rest])}}
    if rest:
        worst = max(rest, key=lambda s: s["ms"])
        phases["after_10s"]["worst"] = worst["name"]
    result = {"duration_s": round(wall, 1), "throughput_rps": overall["rps"], "overall": overall,
              "endpoints": endpoints, "checks": checks, "slow_requests": dict(slow),
              "phases": phases, "passed": all(c["pass"] for c in checks)}
    if warmup:
        result["warmup_excluded"] = {"seconds": warmup, "requests": len(early),
                                     "errors": sum(1 for s in early if s["outcome"] == "error"),
                                     "max_ms": round(max((s["ms"] for s in early), default=0), 1)}
    return result


def format_report(result: dict) -> str:
    cfg = result["config"]
    lines = [f"Load test — {cfg['database']}; {cfg['users']} users, {cfg['workers']} workers × "
             f"{cfg['threads']} threads, think time {cfg['wait_min']:g}–{cfg['wait_max']:g} s; "
             f"{cfg['cpus']} CPUs, load average {cfg['load_avg_start']:.1f} at the start, "
             f"{cfg['load_avg_end']:.1f} at the end",
             f"measured {result['duration_s']} s, {result['overall']['requests']} requests, "
             f"throughput {result['throughput_rps']:.1f} req/s, wall time {result['wall_time_s']:.0f} s "
             f"(build {result.get('build_s', 0):.0f} s)", ""]
    head = (f"{'endpoint':<36} {'reqs':>6} {'ok':>6} {'expct':>5} {'err':>4} {'req/s':>6} "
            f"{'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} {'srv p95':>8}")
    lines += [head, "-" * len(head)]

    def row(name: str, ep: dict) -> str:
        srv = ep.get("server_p95_ms")
        return (f"{name:<36} {ep['requests']:>6} {ep['ok']:>6} {ep['expected']:>5} "
                f"{ep['errors']:>4} {ep['rps']:>6.2f} {ep['p50_ms']:>7.0f} {ep['p95_ms']:>7.0f} "
                f"{ep['p99_ms']:>7.0f} {ep['max_ms']:>7.0f} "
                f"{(f'{srv:.0f}' if srv is not None else '-'):>8}")
    for name, ep in result["endpoints"].items():
        lines.append(row(name, ep))
    lines += ["-" * len(head), row("all", result["overall"]),
              "(latencies in ms as measured by the client; srv p95 = time inside the app from "
              "its request log)", ""]
    notes = [(n, ep["outcome_details"]) for n, ep in result["endpoints"].items()
             if ep.get("outcome_details")]
    if notes:
        lines.append("non-ok outcomes:")
        for name, details in notes:
            for detail, count in details.items():
                lines.append(f"  {name}: {count} × {detail}")
        lines.append("")
    ph = result["phases"]
    for key, label in (("first_10s", "first 10 s"), ("after_10s", "after 10 s")):
        p = ph[key]
        if p["requests"]:
            lines.append(f"{label}: {p['requests']} requests, p95 {p['p95_ms']:.0f} ms, max "
                         f"{p['max_ms']:.0f} ms" + (f" ({p['worst']})" if p.get("worst") else ""))
    if result.get("warmup_excluded"):
        w = result["warmup_excluded"]
        lines.append(f"warm-up excluded from the tables and checks: first {w['seconds']:g} s, "
                     f"{w['requests']} requests, {w['errors']} errors, max {w['max_ms']:.0f} ms")
    jobs = result.get("jobs")
    if jobs:
        lines.append(f"background jobs created during the run: {jobs}")
    cpu = result.get("cpu_s")
    if cpu:
        lines.append(f"CPU seconds during the run: server (gunicorn) {cpu.get('server', 0):.1f}, "
                     f"job worker {cpu.get('worker', 0):.1f} (of {result['duration_s'] * cfg['cpus']:.0f} "
                     f"on {cfg['cpus']} CPUs); worker nice {cfg.get('worker_nice')}")
    if result.get("timeline_5s"):
        lines.append("per 5 s:   t  reqs  search p95   max  server CPU s  worker CPU s")
        for r in result["timeline_5s"]:
            lines.append(f"        {r['t']:>4} {r['requests']:>5} {r['search_p95_ms'] or 0:>11} "
                         f"{r['search_max_ms'] or 0:>5} {r['server_cpu_s']:>13} {r['worker_cpu_s']:>13}")
    wr = result.get("worker_restart")
    if wr:
        if wr.get("killed_at_s") is None:
            lines.append(f"worker restart: not done ({wr.get('error') or 'the run ended first'})")
        else:
            a, b = wr["search_match_30s_after_restart"], wr["search_match_rest_after_10s"]
            lines.append(f"worker killed at {wr['killed_at_s']} s (running jobs {wr['jobs_at_kill']}), "
                         f"restarted at {wr['restarted_at_s']} s; those jobs: {wr.get('recovered')}")
            lines.append(f"search/match 30 s after the restart: {a['requests']} requests, p50 "
                         f"{a['p50_ms']:.0f}, p95 {a['p95_ms']:.0f}, max {a['max_ms']:.0f} ms; rest of "
                         f"the run: {b['requests']} requests, p50 {b['p50_ms']:.0f}, p95 "
                         f"{b['p95_ms']:.0f}, max {b['max_ms']:.0f} ms")
    for c in result["checks"]:
        mark = "ok  " if c["pass"] else "MISS"
        extra = f" ({c['worst']})" if c.get("worst") else ""
        lines.append(f"  [{mark}] {c['check']}: {c['value']}{extra} (target {c['target']})")
    failed = [c["check"] for c in result["checks"] if not c["pass"]]
    lines.append("RESULT: PASS" if result["passed"] else f"RESULT: FAIL ({'; '.join(failed)})")
    return "\n".join(lines)


def job_summary(env: dict, since: datetime) -> dict:
    from sqlalchemy import func, select

    from matchmaker.models import Job
    rt = open_runtime(env)
    try:
        with rt.session_factory() as s:
            rows = s.execute(select(Job.kind, Job.state, func.count()).where(Job.created_at >= since)
                             .group_by(Job.kind, Job.state)).all()
    finally:
        rt.dispose()
    return {f"{kind}/{state}": n for kind, state, n in rows}


def running_jobs(env: dict, wait: float = 15.0) -> list[int]:
    """Ids of running jobs, waiting up to `wait` s for one (the kill is meant to hit a job)."""
    from sqlalchemy import select

    from matchmaker.models import Job
    rt = open_runtime(env)
    try:
        deadline = time.monotonic() + wait
        while True:
            with rt.session_factory() as s:
                ids = list(s.scalars(select(Job.id).where(Job.state == "running")))
            if ids or time.monotonic() > deadline:
                return ids
            time.sleep(0.05)
    finally:
        rt.dispose()


def worker_nice(args) -> int:
    """The niceness the worker ran at: --worker-nice, else the setting's default."""
    from matchmaker.config import Settings
    return args.worker_nice if args.worker_nice is not None else \
        Settings.__dataclass_fields__["worker_nice"].default


def timeline(samples: list[dict], meter: CpuMeter, t_run: float) -> list[dict]:
    """Per 5 s of the run: requests, search/match p95 and max, and the CPU seconds the server
    and the job worker used (does the worker take the cores from the web workers?)."""
    cpu = meter.per_bucket(t_run)
    by: dict[int, list[dict]] = defaultdict(list)
    for s in samples:
        by[int((s["t"] - t_run) // 5 * 5)].append(s)
    rows = []
    for t in sorted(set(by) | set(cpu)):
        if t < 0:
            continue
        sm = sorted(x["ms"] for x in by.get(t, []) if x["name"] in SEARCH_AND_MATCH)
        rows.append({"t": t, "requests": len(by.get(t, [])),
                     "search_p95_ms": round(pct(sm, 95)) if sm else None,
                     "search_max_ms": round(sm[-1]) if sm else None,
                     "server_cpu_s": round(cpu.get(t, {}).get("server", 0.0), 1),
                     "worker_cpu_s": round(cpu.get(t, {}).get("worker", 0.0), 1)})
    return rows


def restart_report(restart: WorkerRestart, samples: list[dict], env: dict, t_run: float) -> dict:
    """When the worker died and came back, what became of the jobs it was running, and the
    search/match latency in the 30 s after the restart against the rest of the run."""
    from matchmaker.models import Job
    out: dict = {"error": restart.error, "jobs_at_kill": restart.jobs_at_kill}
    if restart.killed_at is None:
        return out
    out["killed_at_s"] = round(restart.killed_at - t_run, 1)
    out["restarted_at_s"] = round((restart.restarted_at or restart.killed_at) - t_run, 1)
    rt = open_runtime(env)
    try:
        with rt.session_factory() as s:
            jobs = {j.id: j for j in (s.get(Job, i) for i in restart.jobs_at_kill) if j}
            out["recovered"] = {
                str(i): {"state": j.state, "attempts": j.attempts,
                         "done_after_kill_s": round(j.finished_at.timestamp() - restart.killed_at, 1)
                         if j.finished_at else None} for i, j in jobs.items()}
    finally:
        rt.dispose()
    start = restart.restarted_at or restart.killed_at
    window = [s for s in samples if s["name"] in SEARCH_AND_MATCH and start <= s["t"] < start + 30]
    others = [s for s in samples if s["name"] in SEARCH_AND_MATCH and not start <= s["t"] < start + 30
              and s["t"] - t_run >= 10]
    out["search_match_30s_after_restart"] = {"requests": len(window),
                                              **summarize([s["ms"] for s in window])}
    out["search_match_rest_after_10s"] = {"requests": len(others),
                                           **summarize([s["ms"] for s in others])}
    return out


def clear_instance(instance: Path) -> None:
    """Delete the data (database file, index, secret); earlier runs' logs stay in runs/."""
    instance.mkdir(parents=True, exist_ok=True)
    for path in instance.iterdir():
        if path.name != "runs":
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# -- main ------------------------------------------------------------------------------------

def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", default="",
                    help="PostgreSQL URL of a database this script may create and drop "
                         "(default: SQLite in the instance folder)")
    ap.add_argument("--instance", type=Path, help="instance folder (default: "
                    "instance/loadtest-sqlite or instance/loadtest-pg-<database>)")
    ap.add_argument("--reuse", action="store_true", help="reuse the instance built before")
    keep = ap.add_mutually_exclusive_group()
    keep.add_argument("--keep", dest="keep", action="store_true", default=None,
                      help="keep the instance (and PostgreSQL database) for --reuse")
    keep.add_argument("--no-keep", dest="keep", action="store_false",
                      help="delete them at the end")
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--spawn-rate", type=float, default=5.0, help="users started per second")
    ap.add_argument("--run-time", type=parse_duration, default=60,
                    help="how long Locust runs (60, 90s, 2m; 0 = until --max-requests)")
    ap.add_argument("--max-requests", type=int, default=0, help="stop after this many requests")
    ap.add_argument("--warmup", type=float, default=0.0,
                    help="leave requests started in the first N seconds out of the tables and "
                         "checks (default 0: a cold start counts, as after a deploy)")
    ap.add_argument("--wait-min", type=float, default=1.0, help="think time per user (s), min")
    ap.add_argument("--wait-max", type=float, default=3.0, help="think time per user (s), max")
    ap.add_argument("--stale-share", type=float, default=0.05,
                    help="share of deal steps posted with a stale version on purpose")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--deal-pool", type=int, default=150,
                    help="open deals per demo station before the run (topped up)")
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/0",
                    help="rate-limit storage shared by the workers ('' = per process)")
    ap.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    ap.add_argument("--kill-worker-at", type=float, default=0.0,
                    help="SIGKILL the job worker this many seconds into the run (while it runs a "
                         "job, waiting up to 15 s for one), then start a new one (0 = never)")
    ap.add_argument("--restart-worker-after", type=float, default=2.0,
                    help="seconds between the kill and the new worker (a supervisor's delay)")
    ap.add_argument("--worker-nice", type=int, default=None,
                    help="MATCHMAKER_WORKER_NICE for the worker (default: the setting's default)")
    args = ap.parse_args(argv)
    if not args.run_time and not args.max_requests:
        ap.error("give --run-time or --max-requests")
    if args.wait_max < args.wait_min:
        ap.error("--wait-max is below --wait-min")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    pg = args.database_url.startswith("postgresql")
    if args.database_url and not pg:
        raise SystemExit("--database-url must be a postgresql+psycopg:// URL (SQLite is the default)")
    if pg:
        from sqlalchemy.engine import make_url
        db_name = make_url(args.database_url).database
        instance = args.instance or ROOT / "instance" / f"loadtest-pg-{db_name}"
    else:
        instance = args.instance or ROOT / "instance" / "loadtest-sqlite"
    instance = instance.resolve()
    keep = args.keep if args.keep is not None else not pg
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHMAKER_")
           or k in ("MATCHMAKER_SHARED_DATA", "MATCHMAKER_TODAY")}
    env.update(MATCHMAKER_INSTANCE=str(instance), MATCHMAKER_INDEX_ON_COMMIT="0",
               MATCHMAKER_LOGIN_RATE_LIMIT=LOGIN_RATE_LIMIT, MATCHMAKER_REDIS_URL=args.redis_url,
               PYTHONUNBUFFERED="1")
    if pg:
        env["MATCHMAKER_DATABASE_URL"] = args.database_url

    children = Children()
    # Ctrl+C, kill and a closed terminal all end in the `finally` below, which stops the
    # children (SIGINT explicitly too: a shell starts background jobs with it ignored).
    previous = {sig: signal.signal(sig, handler) for sig, handler in (
        (signal.SIGINT, signal.default_int_handler), (signal.SIGTERM, _raise_interrupt),
        (signal.SIGHUP, _raise_interrupt))}
    result: dict = {}
    try:
        # -- instance ----------------------------------------------------------------------
        marker = instance / MARKER
        reuse = args.reuse and marker.exists() and (not pg or pg_exists(args.database_url))
        if args.reuse and not reuse:
            log("nothing to reuse: building the instance")
        if reuse:
            info = json.loads(marker.read_text())
            if info.get("database_url", "") != env.get("MATCHMAKER_DATABASE_URL", ""):
                raise Abort(f"{instance} was built for another database; drop --reuse")
            log(f"reusing {instance} (built {info.get('built')})")
            rt = open_runtime(env)
            try:
                ensure_open_deals(rt, args.deal_pool)
            finally:
                rt.dispose()
            build_s = 0.0
        else:
            if instance.exists() and any(instance.iterdir()) and not marker.exists() \
                    and not (instance / "runs").exists():
                raise Abort(f"{instance} exists and is not a load-test instance; refusing to "
                            "delete it (pick --instance)")
            clear_instance(instance)
            if pg:
                pg_create(args.database_url)
            build_logs = instance / "runs"
            build_logs.mkdir(exist_ok=True)
            t0 = time.perf_counter()
            build_instance(args, env, children, build_logs)
            build_s = time.perf_counter() - t0
        run_dir = instance / "runs" / time.strftime("%Y%m%d-%H%M%S")
        run_dir.mkdir(parents=True)
        rt = open_runtime(env)
        try:
            plan = make_plan(rt, args, run_dir)
        finally:
            rt.dispose()
        log(f"plan: {plan['stats']}")

        # -- server and worker -------------------------------------------------------------
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        mm = str(Path(sys.executable).parent / "matchmaker")
        server = children.start("server", [mm, "serve-prod", "--bind", f"127.0.0.1:{port}",
                                           "--workers", str(args.workers),
                                           "--threads", str(args.threads)],
                                env, run_dir / "server.log")
        worker_env = dict(env)
        if args.worker_nice is not None:
            worker_env["MATCHMAKER_WORKER_NICE"] = str(args.worker_nice)

        def start_worker(n: int = 1):
            return children.start("worker", [mm, "worker", "--poll", "1"], worker_env,
                                  run_dir / f"worker{'' if n == 1 else n}.log")
        worker = start_worker()
        log(f"server (pid {server.pid}) on {base}, worker (pid {worker.pid}); waiting for /healthz")
        health = wait_healthy(base, [("server", server), ("worker", worker)], timeout=180)
        log(f"healthy: {json.dumps(health, ensure_ascii=False)}")
        since = datetime.now(timezone.utc)
        t_run = time.time()
        load_start = os.getloadavg()[0]
        meter = CpuMeter()
        meter.watch("server", server.pid)
        meter.watch("worker", worker.pid)
        meter.start()
        restart = None
        if args.kill_worker_at:
            def restarted():
                proc = start_worker(2)
                meter.watch("worker", proc.pid)
                return proc
            restart = WorkerRestart(args.kill_worker_at, args.restart_worker_after, worker,
                                    restarted, lambda: running_jobs(env), log).arm()
        try:
            run_locust(args, base, run_dir, children, env)
        finally:
            if restart is not None:
                restart.cancel()
                worker = restart.worker
            cpu = meter.stop()
        for name, proc in (("server", server), ("worker", worker)):
            if proc.poll() is not None:
                raise Abort(f"{name} died during the run (exit code {proc.returncode}); "
                            f"see {run_dir}")
        _status, health_after = get_json(base + "/healthz")

        samples = [json.loads(line) for line in
                   (run_dir / "samples.jsonl").read_text(encoding="utf-8").splitlines() if line]
        result = analyse(samples, server_timings(run_dir / "server.log", t_run + args.warmup),
                         warmup=args.warmup)
        result["jobs"] = job_summary(env, since)
        result["cpu_s"] = cpu
        result["timeline_5s"] = timeline(samples, meter, t_run)
        if restart is not None:
            result["worker_restart"] = restart_report(restart, samples, env, t_run)
        result["health_after"] = health_after.get("pending")
        result["config"] = {"database": "PostgreSQL" if pg else "SQLite",
                            "users": args.users, "spawn_rate": args.spawn_rate,
                            "run_time_s": args.run_time, "max_requests": args.max_requests,
                            "warmup_s": args.warmup,
                            "wait_min": args.wait_min, "wait_max": args.wait_max,
                            "workers": args.workers, "threads": args.threads,
                            "cpus": os.cpu_count(), "load_avg_start": round(load_start, 2),
                            "worker_nice": worker_nice(args),
                            "load_avg_end": round(os.getloadavg()[0], 2)}
        result["plan"] = plan["stats"]
        result["run_dir"] = str(run_dir)
        result["build_s"] = round(build_s, 1)
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    except Abort as exc:
        log(f"ERROR: {exc}")
        return 2
    finally:
        children.stop_all()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if pg and not keep:
            try:
                pg_drop(args.database_url)
            except Exception as exc:   # never mask the real outcome
                log(f"could not drop the database: {exc}")
        if not keep and instance.exists():
            clear_instance(instance)
    result["wall_time_s"] = round(time.perf_counter() - started, 1)
    (Path(result["run_dir"]) / "result.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(format_report(result))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
