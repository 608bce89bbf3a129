"""Backups: a round trip on SQLite and on PostgreSQL (database, uploads, index, KPIs), refusals
(non-empty database, corrupt archive, another database kind, unsafe paths, unknown versions),
an older revision restored then migrated, and the CLI in a subprocess.

These tests use their own databases: a fresh SQLite file, and a private PostgreSQL database
created and dropped here (never the shared `test` database other tests truncate).
"""
from __future__ import annotations

import functools
import io
import json
import os
import secrets
import shutil
import subprocess
import sys
import tarfile
from datetime import date
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from matchmaker.backup import BackupError, create_backup, read_manifest, restore_backup
from matchmaker.catalog import accounts
from matchmaker.config import Settings
from matchmaker.db import make_engine
from matchmaker.licensing.kpis import compute_kpis
from matchmaker.migrate import alembic_config, current_revision, upgrade
from matchmaker.models import DealState, Need, OrgKind, Patent
from matchmaker.runtime import build_runtime
from matchmaker.search.query import parse_text
from matchmaker.search.whoosh_backend import WhooshBackend
from tests.conftest import TEST_DB_URL, TEST_SECRET_KEY, is_postgres
from tests.factories import make_need, make_org, make_patent, make_profile
from tests.licensing.helpers import build_world, deal_in, make_offer

PG_SERVER_URL = TEST_DB_URL if is_postgres() else "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SEARCH_TITLE = "一种棉花采摘机器人的视觉定位方法"
UPLOAD = Path("uploads") / "imports" / "0123abcd.csv"
UPLOAD_BYTES = "申请号,名称\nCN201710601862.3,一种方法\n".encode("gb18030") + bytes(range(256))


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    monkeypatch.setattr(accounts, "generate_password_hash",
                        functools.partial(generate_password_hash, method="pbkdf2:sha256:1000"))


def head() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def previous_revision() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision(head()).down_revision


# -- databases --------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("backup-template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def _pg_admin():
    if shutil.which("pg_dump") is None and not list(Path("/usr/lib/postgresql").glob("*/bin/pg_dump")):
        pytest.skip("pg_dump is not installed")
    engine = make_engine(make_url(PG_SERVER_URL).set(database="postgres").render_as_string(False),
                         isolation_level="AUTOCOMMIT")
    try:
        with engine.connect():
            pass
    except Exception as exc:  # no server here: the SQLite tests still run
        engine.dispose()
        pytest.skip(f"PostgreSQL is not reachable: {exc}")
    return engine


@pytest.fixture
def pg_database():
    """A function creating private, empty PostgreSQL databases, dropped after the test."""
    admin = _pg_admin()
    created: list[str] = []

    def create() -> str:
        name = f"matchmaker_backup_{secrets.token_hex(6)}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return make_url(PG_SERVER_URL).set(database=name).render_as_string(hide_password=False)

    yield create
    with admin.connect() as conn:
        for name in created:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path, sqlite_template) -> str:
    """A migrated database of each kind, private to the test (overrides the shared fixture)."""
    if request.param == "sqlite":
        path = tmp_path / "db" / "matchmaker.sqlite3"
        path.parent.mkdir()
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_database")()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def sqlite_url(tmp_path, sqlite_template) -> str:
    path = tmp_path / "db" / "matchmaker.sqlite3"
    path.parent.mkdir(exist_ok=True)
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def make_settings(tmp_path: Path, url: str, name: str = "instance") -> Settings:
    return Settings(instance_dir=tmp_path / name, database_url=url, secret_key=TEST_SECRET_KEY,
                    testing=True).resolved()


def counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            names = [t for t in inspect(conn).get_table_names() if t != "alembic_version"]
            return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in names}
    finally:
        engine.dispose()


def kpis(url: str) -> dict:
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            return compute_kpis(s, as_of=date.today()).as_dict()
    finally:
        engine.dispose()


def build_data(settings: Settings) -> dict:
    """Organizations, users, patents, a need, an offer, a deal converted for 10 万元, and an
    uploaded import file; the outbox is applied so the index matches the database."""
    rt = build_runtime(settings)
    try:
        with rt.session_factory() as s:
            w = build_world(s)
            searchable = make_patent(s, w.university, title=SEARCH_TITLE,
                                     abstract="利用双目视觉定位棉桃，提高采摘效率。")
            make_need(s, w.enterprise)
            make_profile(s, w.enterprise)        # an SME: the converted-SME figure counts it
            deal = deal_in(s, w, DealState.CONVERTED, offer=make_offer(s, w))
            s.commit()
            ids = {"patent": searchable.id, "deal": deal.id, "university": w.university.id}
        rt.sync_index()
    finally:
        rt.dispose()
    upload = settings.instance_dir / UPLOAD
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_bytes(UPLOAD_BYTES)
    return ids


def damage(settings: Settings, ids: dict) -> None:
    """Lose and add data after the backup: rows, the uploaded file, the index."""
    rt = build_runtime(settings)
    try:
        with rt.session_factory() as s:
            for need in s.scalars(select(Need)):
                s.delete(need)
            make_org(s, OrgKind.ENTERPRISE, name="备份之后才加入的企业")
            s.get(Patent, ids["patent"]).title = "被改掉的标题"
            s.commit()
    finally:
        rt.dispose()
    shutil.rmtree(settings.instance_dir / "uploads")
    (settings.instance_dir / "uploads" / "imports").mkdir(parents=True)
    (settings.instance_dir / "uploads" / "imports" / "stray.csv").write_text("x")
    shutil.rmtree(settings.index_dir)


def search_ids(settings: Settings, words: str) -> set[int]:
    backend = WhooshBackend(settings.index_dir)
    return {h.id for h in backend.search("patent", parse_text(words)[0], limit=20).hits}


# -- round trip --------------------------------------------------------------------------------

def test_round_trip_restores_database_uploads_and_index(tmp_path, database_url):
    settings = make_settings(tmp_path, database_url)
    ids = build_data(settings)
    before_counts, before_kpis = counts(database_url), kpis(database_url)
    assert before_kpis["converted_smes"] == 1
    assert sum(y["contract_value_yuan"] for y in before_kpis["years"]) == 100_000
    assert ids["patent"] in search_ids(settings, "棉花采摘")

    archive = create_backup(settings, None)
    assert archive.parent == settings.instance_dir / "backups"
    assert archive.name.startswith("matchmaker-") and archive.name.endswith(".tar.gz")
    assert oct(archive.stat().st_mode & 0o777) == oct(0o600)
    manifest = read_manifest(archive)
    kind = make_url(database_url).get_backend_name()
    assert manifest.database_kind == kind
    assert manifest.alembic_revision == head()
    assert manifest.row_counts == before_counts
    assert manifest.upload_files == [UPLOAD.as_posix()]
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert not any(n.startswith("index") for n in names), "the index is rebuilt, not archived"

    damage(settings, ids)
    assert counts(database_url) != before_counts
    with pytest.raises(BackupError, match="不是空的"):
        restore_backup(settings, archive, force=False)

    report = restore_backup(settings, archive, force=True)

    after = counts(database_url)
    assert after == before_counts == report.row_counts
    assert {t: after[t] for t in manifest.row_counts} == manifest.row_counts
    assert report.revision == head() and current_revision_of(database_url) == head()
    assert kpis(database_url) == before_kpis
    assert (settings.instance_dir / UPLOAD).read_bytes() == UPLOAD_BYTES
    assert not (settings.instance_dir / "uploads" / "imports" / "stray.csv").exists()
    assert report.upload_files == 1
    assert report.indexed == {"patent": before_counts["patents"], "need": before_counts["needs"]}
    assert search_ids(settings, "棉花采摘") == {ids["patent"]}
    assert search_ids(settings, "被改掉的标题") == set()
    assert not list(settings.instance_dir.glob(".restore-*")), "the staging folder is removed"


def current_revision_of(url: str) -> str | None:
    engine = make_engine(url)
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


def test_restore_into_an_empty_database_needs_no_force(tmp_path, database_url, pg_database):
    source = make_settings(tmp_path, database_url, "source")
    ids = build_data(source)
    archive = create_backup(source, tmp_path / "out" / "b.tar.gz")
    assert archive == tmp_path / "out" / "b.tar.gz"

    # A new machine: an empty database (not even migrated) and an empty instance folder.
    if database_url.startswith("sqlite"):
        target_url = f"sqlite:///{tmp_path / 'new' / 'matchmaker.sqlite3'}"
    else:
        target_url = pg_database()
    target = make_settings(tmp_path, target_url, "target")
    report = restore_backup(target, archive, force=False)
    assert counts(target_url) == counts(database_url) == report.row_counts
    assert (target.instance_dir / UPLOAD).read_bytes() == UPLOAD_BYTES
    assert search_ids(target, "棉花采摘") == {ids["patent"]}


def test_an_older_revision_is_restored_then_migrated(tmp_path, database_url):
    """A backup taken before an upgrade, restored over the upgraded database."""
    engine = make_engine(database_url)
    try:
        downgrade_to_previous(engine)
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO organizations (kind, name, credit_code, region, address, contact_name,"
                " contact_phone, contact_email, status, source, created_at) VALUES ('university',"
                " '旧版本里的大学', NULL, '乌鲁木齐市', '', '', '', '', 'approved', 'test',"
                " CURRENT_TIMESTAMP)"))
    finally:
        engine.dispose()
    settings = make_settings(tmp_path, database_url)
    archive = create_backup(settings, tmp_path / "old.tar.gz")
    assert read_manifest(archive).alembic_revision == previous_revision()
    old_counts = counts(database_url)

    engine = make_engine(database_url)
    try:
        upgrade(engine)                  # the app was upgraded, then data was lost
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM organizations"))
    finally:
        engine.dispose()

    report = restore_backup(settings, archive, force=True)
    assert report.revision == head() and report.migrated
    assert current_revision_of(database_url) == head()
    after = counts(database_url)
    # The restore re-indexes and records where this host's index stands (index_cursors):
    # bookkeeping of this host, not restored data.
    data = {t: n for t, n in old_counts.items() if t != "index_cursors"}
    assert {t: after[t] for t in data} == data
    assert after["organizations"] == 1


def downgrade_to_previous(engine) -> None:
    from matchmaker.migrate import downgrade
    downgrade(engine, previous_revision())


# -- refusals ----------------------------------------------------------------------------------

@pytest.fixture
def sqlite_backup(tmp_path, sqlite_url):
    settings = make_settings(tmp_path, sqlite_url)
    build_data(settings)
    archive = create_backup(settings, tmp_path / "backup.tar.gz")
    return settings, archive


def rewrite_archive(src: Path, dest: Path, *, manifest=None, rename=None, extra=()) -> Path:
    """Copy an archive, changing its manifest, renaming members or adding raw members."""
    with tarfile.open(src) as tin, tarfile.open(dest, "w:gz") as tout:
        for m in tin.getmembers():
            data = tin.extractfile(m).read()
            if m.name == "manifest.json" and manifest is not None:
                obj = json.loads(data)
                manifest(obj)
                data = json.dumps(obj).encode()
            info = tarfile.TarInfo((rename or {}).get(m.name, m.name))
            info.size = len(data)
            tout.addfile(info, io.BytesIO(data))
        for info, data in extra:
            tout.addfile(info, io.BytesIO(data) if data is not None else None)
    return dest


def assert_untouched(settings: Settings, before: dict[str, int]) -> None:
    assert counts(settings.database_url) == before
    assert (settings.instance_dir / UPLOAD).read_bytes() == UPLOAD_BYTES


def test_refuses_a_non_empty_database_without_force(sqlite_backup):
    settings, archive = sqlite_backup
    before = counts(settings.database_url)
    with pytest.raises(BackupError, match="不是空的.*--force"):
        restore_backup(settings, archive)
    assert_untouched(settings, before)


@pytest.mark.parametrize("corruption", ["truncated", "flipped", "not_gzip", "empty"])
def test_refuses_a_corrupt_archive(sqlite_backup, tmp_path, corruption):
    settings, archive = sqlite_backup
    before = counts(settings.database_url)
    raw = archive.read_bytes()
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes({"truncated": raw[: len(raw) // 2],
                     "flipped": raw[:len(raw) // 2] + bytes([raw[len(raw) // 2] ^ 0xFF]) + raw[len(raw) // 2 + 1:],
                     "not_gzip": b"this is not an archive" * 10,
                     "empty": b""}[corruption])
    with pytest.raises(BackupError, match="损坏"):
        restore_backup(settings, bad, force=True)
    assert_untouched(settings, before)


def test_refuses_a_member_whose_checksum_differs(sqlite_backup, tmp_path):
    settings, archive = sqlite_backup
    before = counts(settings.database_url)

    def wrong_hash(m):
        m["files"][UPLOAD.as_posix()]["sha256"] = "0" * 64
    bad = rewrite_archive(archive, tmp_path / "bad.tar.gz", manifest=wrong_hash)
    with pytest.raises(BackupError, match="校验值与清单不符"):
        restore_backup(settings, bad, force=True)
    assert_untouched(settings, before)


def test_refuses_a_backup_of_another_database_kind(sqlite_backup, tmp_path):
    settings, archive = sqlite_backup
    before = counts(settings.database_url)

    def as_postgres(m):
        m["database"]["kind"] = "postgresql"
        m["files"]["database/matchmaker.pgdump"] = m["files"].pop("database/matchmaker.sqlite3")
    other = rewrite_archive(archive, tmp_path / "pg.tar.gz", manifest=as_postgres,
                            rename={"database/matchmaker.sqlite3": "database/matchmaker.pgdump"})
    assert read_manifest(other).database_kind == "postgresql"
    with pytest.raises(BackupError, match="备份来自 PostgreSQL 数据库，而当前配置的是 SQLite"):
        restore_backup(settings, other, force=True)
    assert_untouched(settings, before)


@pytest.mark.parametrize("change, message", [
    (lambda m: m.update(format_version=99), "不支持的备份格式版本 99"),
    (lambda m: m.update(format="something-else"), "不是 matchmaker 的备份"),
    (lambda m: m["database"].update(alembic_revision="9999"), "不在本程序的迁移记录中"),
    (lambda m: m["database"]["row_counts"].update({"x; DROP TABLE users": 1}), "无法读取"),
])
def test_refuses_an_unknown_or_invalid_manifest(sqlite_backup, tmp_path, change, message):
    settings, archive = sqlite_backup
    before = counts(settings.database_url)
    bad = rewrite_archive(archive, tmp_path / "bad.tar.gz", manifest=change)
    with pytest.raises(BackupError, match=message):
        restore_backup(settings, bad, force=True)
    assert_untouched(settings, before)


def _member(name: str, kind=tarfile.REGTYPE, data: bytes = b"x", linkname: str = ""):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, linkname
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, (data if kind == tarfile.REGTYPE else None)


@pytest.mark.parametrize("member", [
    _member("../evil.txt"),
    _member("uploads/../../evil.txt"),
    _member("/tmp/evil.txt"),
    _member("uploads/imports/link", tarfile.SYMTYPE, linkname="/etc/passwd"),
    _member("uploads/imports/hard", tarfile.LNKTYPE, linkname="manifest.json"),
    _member("index/patent/_MAIN_1.toc"),
])
def test_refuses_unsafe_members(sqlite_backup, tmp_path, member):
    settings, archive = sqlite_backup
    before = counts(settings.database_url)
    bad = rewrite_archive(archive, tmp_path / "bad.tar.gz", extra=[member])
    with pytest.raises(BackupError, match="已拒绝恢复"):
        restore_backup(settings, bad, force=True)
    assert_untouched(settings, before)
    assert not (tmp_path / "evil.txt").exists() and not Path("/tmp/evil.txt").exists()


# -- command line ------------------------------------------------------------------------------

MATCHMAKER = shutil.which("matchmaker", path=str(Path(sys.executable).parent)) \
    or shutil.which("matchmaker")


@pytest.mark.skipif(MATCHMAKER is None, reason="console script not installed")
def test_cli_backup_and_restore_round_trip(tmp_path, sqlite_url):
    settings = make_settings(tmp_path, sqlite_url)
    ids = build_data(settings)
    before = counts(sqlite_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHMAKER_")}
    env.update(MATCHMAKER_INSTANCE=str(settings.instance_dir), MATCHMAKER_DATABASE_URL=sqlite_url,
               PYTHONWARNINGS="ignore")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([MATCHMAKER, *args], env=env, cwd=tmp_path, capture_output=True,
                              text=True, timeout=120, stdin=subprocess.DEVNULL)

    out = tmp_path / "nightly.tar.gz"
    made = run("backup", "--output", str(out))
    assert made.returncode == 0, made.stderr
    assert f"已创建备份：{out}" in made.stdout
    assert f"patents {before['patents']}" in made.stdout and "上传文件 1 个" in made.stdout

    damage(settings, ids)
    refused = run("restore", str(out))
    assert refused.returncode == 1
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误：当前数据库不是空的"), refused.stderr

    corrupt = tmp_path / "corrupt.tar.gz"
    corrupt.write_bytes(out.read_bytes()[:100])
    bad = run("restore", str(corrupt), "--force")
    assert bad.returncode == 1 and bad.stderr.startswith("错误：备份文件已损坏")
    assert len(bad.stderr.strip().splitlines()) == 1

    done = run("restore", str(out), "--force")
    assert done.returncode == 0, done.stderr
    assert "已恢复数据库" in done.stdout and "上传文件 1 个" in done.stdout
    assert f"专利 {before['patents']} 条" in done.stdout
    assert counts(sqlite_url) == before
    assert (settings.instance_dir / UPLOAD).read_bytes() == UPLOAD_BYTES
    assert search_ids(settings, "棉花采摘") == {ids["patent"]}


@pytest.mark.skipif(MATCHMAKER is None, reason="console script not installed")
def test_cli_restore_asks_for_confirmation_on_an_empty_database(tmp_path, sqlite_backup):
    _settings, archive = sqlite_backup
    target_url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHMAKER_")}
    env.update(MATCHMAKER_INSTANCE=str(tmp_path / "new-instance"),
               MATCHMAKER_DATABASE_URL=target_url, PYTHONWARNINGS="ignore")
    declined = subprocess.run([MATCHMAKER, "restore", str(archive)], env=env, input="n\n",
                              capture_output=True, text=True, timeout=120)
    assert declined.returncode == 1 and "已取消" in declined.stderr
    assert not (tmp_path / "new-instance" / UPLOAD).exists()
    accepted = subprocess.run([MATCHMAKER, "restore", str(archive)], env=env, input="y\n",
                              capture_output=True, text=True, timeout=120)
    assert accepted.returncode == 0, accepted.stderr
    assert (tmp_path / "new-instance" / UPLOAD).read_bytes() == UPLOAD_BYTES


def test_a_restore_that_does_not_match_its_manifest_changes_nothing(tmp_path, database_url):
    """Row counts are checked before the restored database replaces the current one (SQLite)
    or before the restore transaction commits (PostgreSQL)."""
    settings = make_settings(tmp_path, database_url)
    ids = build_data(settings)
    archive = create_backup(settings, tmp_path / "backup.tar.gz")
    damage(settings, ids)
    before = counts(database_url)

    def one_patent_more(m):
        m["database"]["row_counts"]["patents"] += 1
    bad = rewrite_archive(archive, tmp_path / "bad.tar.gz", manifest=one_patent_more)
    with pytest.raises(BackupError, match="不符.*patents"):
        restore_backup(settings, bad, force=True)
    assert counts(database_url) == before
    assert (settings.instance_dir / "uploads" / "imports" / "stray.csv").exists()


def test_client_tools_get_the_connection_from_the_url_without_the_password_on_the_command_line():
    from matchmaker.backup import _libpq
    conninfo, env = _libpq("postgresql+psycopg://app%40ops:p%27w%20d@db.example:6543/match"
                           "?sslmode=require&application_name=it's")
    assert "user='app@ops'" in conninfo and "host='db.example'" in conninfo
    assert "port='6543'" in conninfo and "dbname='match'" in conninfo
    assert "sslmode='require'" in conninfo and r"application_name='it\'s'" in conninfo
    assert "p'w d" not in conninfo and env["PGPASSWORD"] == "p'w d"
    socket, _ = _libpq("postgresql://postgres@/match?host=/var/run/postgresql")
    assert "host='/var/run/postgresql'" in socket
