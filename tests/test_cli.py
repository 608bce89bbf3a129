"""The real `matchmaker` console script, run in a subprocess against the test database."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from matchmaker.db import make_engine
from matchmaker.migrate import alembic_config
from matchmaker.models import (Deal, DealState, LinkState, Need, Organization, OrgKind, OrgStatus,
                               Patent, StationLink, StationLinkEvent, User)
from tests.factories import make_org, valid_app_no

MATCHMAKER = shutil.which("matchmaker", path=str(Path(sys.executable).parent)) \
    or shutil.which("matchmaker")
pytestmark = pytest.mark.skipif(MATCHMAKER is None, reason="console script not installed")


def _record(rid: str, app_no: str, applicant: str | None = "新疆大学", **extra) -> dict:
    rec = {"id": rid, "app_no": app_no, "title": f"一种测试用的方法{rid}", "abstract": "一种方法。",
           "claims": "1.一种方法。2.根据权利要求1所述的方法。", "ipc": ["H01M10/052"],
           "applicant": applicant, "type": "发明授权", "app_date": "2017-08-01",
           "grant_date": "2019-05-10", "legal_status": "有权-审定授权", "source": "test"}
    rec.update(extra)
    return rec


GOOD_ROWS = [_record("CN201710601862.3", "CN201710601862.3"),
             _record("KPZH-1", None, applicant="中科大数据研究院", title=None, type=None,
                     app_date=None, grant_date=None, legal_status=None)]
BAD_ROW = _record("CN201610123456.7", "201610123456.7", app_date="2016-03-01")


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path


@pytest.fixture
def env(tmp_path, database_url) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MATCHMAKER_")}
    clean.update(MATCHMAKER_INSTANCE=str(tmp_path / "instance"),
                 MATCHMAKER_DATABASE_URL=database_url, PYTHONWARNINGS="ignore")
    return clean


@pytest.fixture
def run(env, tmp_path):
    def run(*args: str, env_overrides: dict | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([MATCHMAKER, *args], env={**env, **(env_overrides or {})},
                              cwd=tmp_path, capture_output=True, text=True, timeout=300,
                              stdin=subprocess.DEVNULL)
    return run


@pytest.fixture
def db(database_url):
    """A function returning row counts from a fresh connection (what the CLI committed)."""
    engine = make_engine(database_url)

    def count(model, *where) -> int:
        with Session(engine) as s:
            return s.scalar(select(func.count()).select_from(model).where(*where))
    count.engine = engine
    yield count
    engine.dispose()


def head() -> str:
    from alembic.script import ScriptDirectory
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip()]


def test_init_creates_the_default_sqlite_database_in_the_instance(run, tmp_path):
    result = run("init", env_overrides={"MATCHMAKER_DATABASE_URL": ""})
    assert result.returncode == 0, result.stderr
    assert f"空 → {head()}" in result.stdout
    assert (tmp_path / "instance" / "matchmaker.sqlite3").exists()
    assert (tmp_path / "instance" / "secret_key").exists()


def test_init_then_import_prints_counts_and_reimport_updates(run, db, tmp_path):
    path = write_jsonl(tmp_path / "patents.jsonl", GOOD_ROWS)
    init = run("init")
    assert init.returncode == 0, init.stderr
    assert f"{head()} → {head()}" in init.stdout          # the test database is already migrated

    first = run("import", "patents", str(path))
    assert first.returncode == 0, first.stderr
    assert "共 2 行：已新增 2，已更新 0，无变化 0，拒绝 0" in first.stdout
    assert (db(Patent), db(Organization)) == (2, 2)       # owners created from the applicants

    second = run("import", "patents", str(path))
    assert second.returncode == 0, second.stderr
    assert "已新增 0，已更新 0，无变化 2，拒绝 0" in second.stdout  # idempotent
    assert (db(Patent), db(Organization)) == (2, 2)


def test_import_with_a_bad_row_exits_1_and_names_the_row(run, db, tmp_path):
    path = write_jsonl(tmp_path / "patents.jsonl", [GOOD_ROWS[0], BAD_ROW])
    result = run("import", "patents", str(path))
    assert "拒绝 1，" in result.stdout
    assert "第 2 行 201610123456.7" in result.stderr
    assert "应为 6" in result.stderr
    assert result.returncode == 1
    assert db(Patent) == 1                         # the good row is kept


def test_import_with_unknown_owner_prints_one_error_line_and_exits_1(run, db, tmp_path):
    path = write_jsonl(tmp_path / "patents.jsonl", GOOD_ROWS)
    result = run("import", "patents", str(path), "--owner", "不存在的大学")
    assert result.returncode == 1
    assert lines(result.stderr) == ["错误：未找到机构：不存在的大学"]
    assert "Traceback" not in result.stdout + result.stderr
    assert db(Patent) == 0


def test_import_with_owner_assigns_every_patent_to_it(run, db, session, tmp_path):
    owner = make_org(session, OrgKind.INSTITUTE, name="指定研究所")
    session.commit()
    path = write_jsonl(tmp_path / "patents.jsonl", GOOD_ROWS)
    result = run("import", "patents", str(path), "--owner", owner.name)
    assert result.returncode == 0, result.stderr
    assert db(Patent, Patent.owner_id == owner.id) == 2
    assert db(Organization) == 1


def test_dry_run_reports_and_writes_nothing(run, db, tmp_path):
    path = write_jsonl(tmp_path / "patents.jsonl", GOOD_ROWS)
    result = run("import", "patents", str(path), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "将新增 2，" in result.stdout and "试运行" in result.stdout
    assert db(Patent) == 0
    assert db(Organization) == 0


def test_create_operator_with_password_option(run, db):
    result = run("create-operator", "--login", "Admin@Example.com", "--password", "op-pass-2024")
    assert result.returncode == 0, result.stderr
    assert "admin@example.com" in result.stdout
    with Session(db.engine) as s:
        user = s.scalar(select(User).where(User.login == "admin@example.com"))
        assert user is not None
        assert user.organization.kind == OrgKind.OPERATOR
        assert user.organization.status == OrgStatus.APPROVED
        assert check_password_hash(user.password_hash, "op-pass-2024")

    second = run("create-operator", "--login", "b@example.com", "--password", "op-pass-2024")
    assert second.returncode == 0, second.stderr
    assert (db(Organization), db(User)) == (1, 2)        # joins the same operator organization


def test_create_operator_with_weak_password_exits_1_with_the_reason(run, db):
    result = run("create-operator", "--login", "a@example.com", "--password", "short")
    assert result.returncode == 1
    assert lines(result.stderr)[0].startswith("错误：") and "至少 10 位" in result.stderr
    assert db(User) == 0 and db(Organization) == 0


def test_create_operator_refuses_a_non_operator_organization(run, db, session):
    make_org(session, OrgKind.UNIVERSITY, name="新疆大学")
    session.commit()
    result = run("create-operator", "--org", "新疆大学", "--login", "a@example.com",
                 "--password", "op-pass-2024")
    assert result.returncode == 1
    assert "不是运营方" in result.stderr
    assert db(User) == 0


@pytest.mark.slow
def test_demo_loads_once_and_skip_if_loaded_does_not_duplicate(run, db):
    result = run("demo", "--password", "demo-pass-123")
    assert result.returncode == 0, result.stderr
    assert "演示数据已加载" in result.stdout
    assert "预先编码的语义向量 3342 条" in result.stdout   # 3,000 patents, 342 needs
    assert "demo-pass-123" in result.stdout
    # Each login with the role it plays (the organization kind).
    ent_line = next(line for line in result.stdout.splitlines() if "ent1@demo.matchmaker.local" in line)
    assert "企业" in ent_line and "demo-pass-123" in ent_line
    assert any("创新驿站" in line and "station1@" in line for line in result.stdout.splitlines())
    loaded = {model.__name__: db(model) for model in (Organization, User, Patent, Need)}
    assert all(loaded.values()), loaded
    assert db(Organization, Organization.source == "demo") > 0
    # Applicant names are taken once (a record with `owner` and `applicant` is one name).
    assert db(Organization, Organization.name == "浙江大学") == 1
    # Deals in every state, so the dashboard has history; the KPIs are computed from them.
    for state in DealState:
        assert db(Deal, Deal.state == state) > 0, state
    assert db(Deal, Deal.pending_to.is_not(None)) == 1        # one waits for its licensor
    # Teams and confirmed station–client links, made through the services.
    assert "uni1.member@demo.matchmaker.local" in result.stdout
    assert "station1.member@demo.matchmaker.local" in result.stdout
    assert db(StationLink, StationLink.state == LinkState.ACTIVE) == 8
    assert db(StationLinkEvent, StationLinkEvent.to_state == "proposed") == 8
    kpis = run("kpis", "--json")
    figures = json.loads(kpis.stdout)
    assert figures["converted_smes"] > 0 and sum(y["contract_value_yuan"] for y in figures["years"]) > 0
    custody = figures["custody"]          # SMEs only: the demo's agreements go to SME profiles
    assert (custody["smes"], custody["covered_unclassified"], custody["covered_large"]) == (2, 0, 0)

    again = run("demo", "--skip-if-loaded")
    assert again.returncode == 0, again.stderr
    assert "跳过" in again.stdout and "ent1@demo.matchmaker.local" in again.stdout
    assert "demo-pass-123" not in again.stdout and "demo-logins --reset" in again.stdout

    # New passwords later: printed once with the roles, and they are the ones that work.
    reset = run("demo-logins", "--reset", "--password", "new-demo-pass-456")
    assert reset.returncode == 0, reset.stderr
    assert any("运营方" in line and "new-demo-pass-456" in line for line in reset.stdout.splitlines())
    with Session(db.engine) as s:
        user = s.scalar(select(User).where(User.login == "operator@demo.matchmaker.local"))
        assert check_password_hash(user.password_hash, "new-demo-pass-456")
    listed = run("demo-logins")
    assert listed.returncode == 0 and "new-demo-pass-456" not in listed.stdout
    assert "uni1@demo.matchmaker.local" in listed.stdout
    assert {model.__name__: db(model) for model in (Organization, User, Patent, Need)} == loaded

    plain = run("demo", "--password", "demo-pass-123")
    assert plain.returncode == 1
    assert "错误：演示数据已经加载过了" in plain.stderr
    assert "Traceback" not in plain.stderr
    assert {model.__name__: db(model) for model in (Organization, User, Patent, Need)} == loaded


def test_search_prints_the_api_ranking(run, tmp_path, env):
    """`matchmaker search` answers what /api/patents/search answers for the same query."""
    numbers = [valid_app_no(year=2017, serial=n) for n in (11, 12, 13)]
    rows = [_record(numbers[0], numbers[0], title="一种农用滴灌带铺设装置", abstract="本实用新型涉及滴灌带铺设。"),
            _record(numbers[1], numbers[1], title="一种捆扎带", abstract="用于捆扎的带子。"),
            _record(numbers[2], numbers[2], title="滴灌系统的过滤器", abstract="滴灌首部过滤。")]
    assert run("init").returncode == 0
    assert run("import", "patents", str(write_jsonl(tmp_path / "p.jsonl", rows))).returncode == 0
    result = run("search", "滴灌带", "--json")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["match"] == "all" and body["total"] == 1
    assert [r["title"] for r in body["results"] if not r["partial"]] == ["一种农用滴灌带铺设装置"]
    assert [r["title"] for r in body["results"] if r["partial"]] == ["滴灌系统的过滤器"], \
        "the short list goes on with 滴灌 (a word of the query), never 捆扎带 (its lone 带)"
    assert body["results"][0]["app_no"] == numbers[0]
    from matchmaker.web import create_app
    from matchmaker.config import Settings
    app = create_app(Settings.from_env(env))
    api = app.test_client().get("/api/patents/search", query_string={"q": "滴灌带", "per_page": 10}).get_json()
    assert [r["id"] for r in api["results"]] == [r["id"] for r in body["results"]]
    text = run("search", "滴灌 过滤器", "--top", "5")
    assert text.returncode == 0 and "共 1 件专利" in text.stdout and "滴灌系统的过滤器" in text.stdout
    assert "捆扎带" not in run("search", "滴灌带").stdout


def test_the_audit_label_of_a_command_never_holds_an_option(monkeypatch):
    """`matchmaker demo --password=…` is attributed to "matchmaker demo", not to the password."""
    import sys

    from matchmaker import audit
    from matchmaker import cli as cli_package
    seen = []
    monkeypatch.setattr(sys, "argv", ["matchmaker", "demo", "--password=Secret-pass-123"])
    monkeypatch.setattr(cli_package.cli, "main", lambda **kw: seen.append(audit._actor()[1]) or 0)
    cli_package.main()
    assert seen == ["命令行：matchmaker demo"]


def test_serve_on_a_busy_port_says_so_in_chinese_and_never_claims_to_run(run):
    import socket
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port), "--no-worker")
    assert result.returncode == 1
    assert f"端口 {port} 已被占用" in result.stderr and f"--port {port + 1}" in result.stderr
    assert "正在运行" not in result.stdout and "Traceback" not in result.stderr


def test_serve_logs_one_readable_line_per_request(env, tmp_path, run):
    import socket
    import time
    import urllib.request
    assert run("init").returncode == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([MATCHMAKER, "serve", "--port", str(port), "--no-worker"], env=env,
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).read()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
                time.sleep(0.3)
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert f"正在运行：http://127.0.0.1:{port}/" in out
    lines = [line for line in err.splitlines() if "/healthz" in line]
    assert len(lines) == 1 and " GET /healthz 200 " in lines[0], err   # not twice, not JSON
