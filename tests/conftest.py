"""Shared fixtures: settings on a temporary instance, a migrated database, app, client, session.

The database is SQLite by default; set MATCHMAKER_TEST_DATABASE_URL (e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/test) to run the same tests on PostgreSQL.
Under pytest-xdist each worker gets its own PostgreSQL database beside that one (test_gw0,
test_gw1, ...; created when missing), because tests truncate the database they use.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from matchmaker.config import Settings
from matchmaker.db import Base, make_engine
from matchmaker.migrate import upgrade
from matchmaker.runtime import build_runtime

BASE_TEST_DB_URL = os.environ.get("MATCHMAKER_TEST_DATABASE_URL", "")


def _worker_database_url(url: str) -> str:
    """The database this process tests on: the given one, or a per-xdist-worker sibling."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url.startswith("postgresql") or not worker:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


TEST_DB_URL = _worker_database_url(BASE_TEST_DB_URL)
# At least 32 bytes: the app refuses weaker session-signing keys (config.check_secret_key).
TEST_SECRET_KEY = "test-secret-key-0123456789-abcdefghij-klmnop"


def is_postgres() -> bool:
    return TEST_DB_URL.startswith("postgresql")


def _create_worker_database() -> None:
    """Create this worker's database next to the configured one when it does not exist yet."""
    if TEST_DB_URL == BASE_TEST_DB_URL:
        return
    name = make_url(TEST_DB_URL).database
    admin = make_engine(BASE_TEST_DB_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> str:
    """Migrate once per run: a template SQLite file, or the PostgreSQL test database itself."""
    if is_postgres():
        _create_worker_database()
        engine = make_engine(TEST_DB_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        upgrade(engine)
        engine.dispose()
        return TEST_DB_URL
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return str(path)


def fresh_database_url(migrated_template: str, directory: Path) -> str:
    """A clean, migrated database: a copy of the template file, or the truncated PostgreSQL
    test database (so PostgreSQL users of this must not overlap in one module)."""
    if is_postgres():
        engine = make_engine(TEST_DB_URL)
        with engine.begin() as conn:
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return TEST_DB_URL
    path = Path(directory) / "test.sqlite3"
    shutil.copy(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def database_url(migrated_template, tmp_path) -> str:
    """A clean, migrated database for one test."""
    return fresh_database_url(migrated_template, tmp_path)


@pytest.fixture
def search_backend() -> str:
    """The search engine under test; search suites parametrize it over every backend."""
    return "whoosh"


@pytest.fixture
def semantic_rerank() -> bool:
    """The semantic stage encodes texts with a CPU model (~0.1 s each): off unless a suite asks
    for it (tests/semantic), so the other suites' rankings are the lexical engine's."""
    return False


@pytest.fixture
def settings(tmp_path, database_url, search_backend, semantic_rerank) -> Settings:
    return Settings(instance_dir=tmp_path / "instance", database_url=database_url,
                    secret_key=TEST_SECRET_KEY, testing=True, search_backend=search_backend,
                    semantic_rerank=semantic_rerank).resolved()


@pytest.fixture
def runtime(settings):
    rt = build_runtime(settings)
    yield rt
    rt.dispose()


@pytest.fixture
def session(runtime):
    """A session for arranging and checking data; tests commit what the app must see."""
    with runtime.session_factory() as s:
        yield s


@pytest.fixture
def app(settings):
    from matchmaker.web import create_app
    application = create_app(settings)
    yield application
    application.extensions["matchmaker"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent
