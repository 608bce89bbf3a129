"""Licensing test fixtures: cheap password hashing, a fast clean database on PostgreSQL and a
small world of parties."""
from __future__ import annotations

import functools

import pytest
from sqlalchemy import text
from werkzeug.security import generate_password_hash

from matchmaker.catalog import accounts
from matchmaker.db import Base, make_engine
from tests.conftest import TEST_DB_URL, fresh_database_url, is_postgres
from tests.licensing.helpers import World, build_world


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    monkeypatch.setattr(accounts, "generate_password_hash",
                        functools.partial(generate_password_hash, method="pbkdf2:sha256:1000"))


@pytest.fixture(scope="module")
def _pg_cleaner(migrated_template):
    engine = make_engine(TEST_DB_URL) if is_postgres() else None
    yield engine
    if engine is not None:
        engine.dispose()


@pytest.fixture
def database_url(migrated_template, tmp_path, _pg_cleaner) -> str:
    """As the shared fixture, but on PostgreSQL the few rows a test writes are deleted instead
    of truncating every table (TRUNCATE costs ~0.15 s a test; these tests write a few dozen rows)."""
    if _pg_cleaner is None:
        return fresh_database_url(migrated_template, tmp_path)
    with _pg_cleaner.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            # The audit trail refuses DELETE (append-only); TRUNCATE fires no row triggers.
            verb = "TRUNCATE" if table.name == "audit_log" else "DELETE FROM"
            conn.execute(text(f"{verb} {table.name}"))
    return TEST_DB_URL


@pytest.fixture
def world(session) -> World:
    """Owner university, client enterprise, its station, operator and outsiders (committed)."""
    w = build_world(session)
    session.commit()
    return w
