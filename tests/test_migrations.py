"""Alembic migrations: up and down on the test database, and agreement with the models."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from matchmaker import models  # noqa: F401  (registers every table on Base.metadata)
from matchmaker.db import Base, make_engine
from matchmaker.migrate import alembic_config, current_revision, downgrade, upgrade

MODEL_TABLES = set(Base.metadata.tables)
CORE_TABLES = {"organizations", "users", "station_links", "patents", "patent_ipc", "needs"}


def script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def head() -> str:
    return script().get_current_head()


def tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names())


@pytest.fixture
def empty_engine(database_url, tmp_path):
    """An engine on an empty database: a new SQLite file, or the PostgreSQL test database wiped.

    PostgreSQL is left at head afterwards, because the other tests share that database.
    """
    postgres = database_url.startswith("postgresql")
    engine = make_engine(database_url if postgres else f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    if postgres:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    try:
        yield engine
    finally:
        if postgres:
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            upgrade(engine)
        engine.dispose()


def test_there_is_a_single_head_and_an_unbroken_chain():
    heads = script().get_heads()
    assert len(heads) == 1
    revisions = list(script().walk_revisions())
    assert revisions[-1].down_revision is None
    assert all(r.down_revision for r in revisions[:-1])


def test_empty_to_head_to_base_to_head(empty_engine):
    assert current_revision(empty_engine) is None
    assert tables(empty_engine) == set()

    upgrade(empty_engine)
    assert current_revision(empty_engine) == head()
    assert tables(empty_engine) == MODEL_TABLES | {"alembic_version"}
    assert CORE_TABLES <= MODEL_TABLES

    downgrade(empty_engine, "base")
    assert current_revision(empty_engine) is None
    assert tables(empty_engine) == {"alembic_version"}

    upgrade(empty_engine)
    assert current_revision(empty_engine) == head()
    assert tables(empty_engine) == MODEL_TABLES | {"alembic_version"}


def test_every_revision_upgrades_and_downgrades_one_step(empty_engine):
    chain = [r.revision for r in reversed(list(script().walk_revisions()))]
    previous = None
    for revision in chain:
        upgrade(empty_engine, revision)
        assert current_revision(empty_engine) == revision
        created = tables(empty_engine)
        downgrade(empty_engine, previous or "base")
        assert current_revision(empty_engine) == previous
        upgrade(empty_engine, revision)
        assert tables(empty_engine) == created
        previous = revision
    assert previous == head()


def test_upgrade_is_idempotent_and_keeps_data(database_url):
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO organizations (kind, name, region, address, contact_name,"
                              " contact_phone, contact_email, status, source, created_at) VALUES"
                              " ('university', '新疆大学', '乌鲁木齐市', '', '', '', '', 'approved',"
                              " 'test', CURRENT_TIMESTAMP)"))
        upgrade(engine)
        assert current_revision(engine) == head()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM organizations")).scalars().all() == ["新疆大学"]
    finally:
        engine.dispose()


def test_models_and_migrations_agree(database_url):
    """A model change without a migration shows up here as a difference."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            assert current_revision(engine) == head()
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
        assert diff == [], f"models differ from the migrations; add a revision: {diff}"
    finally:
        engine.dispose()


def test_jobs_running_before_the_lease_revision_keep_the_old_ten_minutes(empty_engine):
    """0007 adds job leases: a job a worker of the previous version holds is given the old
    fixed allowance (locked_at + 10 minutes), not requeued under its feet."""
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import select

    from matchmaker.models import Job
    upgrade(empty_engine, "0006")
    locked = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
    with empty_engine.begin() as conn:
        for state in ("running", "queued"):
            conn.execute(Job.__table__.insert().values(
                kind="match_need", payload={}, state=state, attempts=1, max_attempts=3,
                run_after=locked, locked_by="old:1:1" if state == "running" else "",
                locked_at=locked if state == "running" else None, last_error="", created_at=locked))
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        leases = dict(conn.execute(select(Job.state, Job.lease_until)).all())
    assert leases["running"] == locked + timedelta(minutes=10)
    assert leases["queued"] is None


def test_station_clients_become_active_links_and_come_back_on_downgrade(empty_engine):
    """0009 turns each station_clients row into an active link with its first event; the
    downgrade writes the active links back."""
    upgrade(empty_engine, "0008")
    with empty_engine.begin() as conn:
        for name, kind in (("驿站", "station"), ("企业甲", "enterprise"), ("企业乙", "enterprise")):
            conn.execute(text("INSERT INTO organizations (kind, name, region, address, contact_name,"
                              " contact_phone, contact_email, status, source, created_at) VALUES"
                              f" ('{kind}', '{name}', '其他', '', '', '', '', 'approved', 'test',"
                              " CURRENT_TIMESTAMP)"))
        ids = dict(conn.execute(text("SELECT name, id FROM organizations")).all())
        conn.execute(text("INSERT INTO station_clients (station_id, enterprise_id) VALUES"
                          f" ({ids['驿站']}, {ids['企业甲']})"))
        conn.execute(text("INSERT INTO users (login, password_hash, display_name, organization_id,"
                          " role, is_active, session_token, note, created_at) VALUES ('a@example.com',"
                          f" 'x', '甲', {ids['企业甲']}, 'admin', TRUE, 't', '', CURRENT_TIMESTAMP)"))
        user_id = conn.execute(text("SELECT id FROM users")).scalar()
        conn.execute(text("INSERT INTO notifications (user_id, kind, title, body, link, created_at)"
                          f" VALUES ({user_id}, 'test', '留着', '', '', CURRENT_TIMESTAMP)"))
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        links = conn.execute(text("SELECT station_id, enterprise_id, state, open_slot FROM"
                                  " station_links")).all()
        events = conn.execute(text("SELECT to_state FROM station_link_events")).scalars().all()
    assert [tuple(r) for r in links] == [(ids["驿站"], ids["企业甲"], "active", 1)]
    assert events == ["active"]
    with empty_engine.begin() as conn:      # a declined request is history, not a link
        conn.execute(text("INSERT INTO station_links (station_id, enterprise_id, state,"
                          " requested_by_id, open_slot, note, version, created_at, updated_at)"
                          f" VALUES ({ids['驿站']}, {ids['企业乙']}, 'declined', {ids['驿站']}, NULL,"
                          " '', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    downgrade(empty_engine, "0008")
    with empty_engine.connect() as conn:
        rows = conn.execute(text("SELECT station_id, enterprise_id FROM station_clients")).all()
    assert [tuple(r) for r in rows] == [(ids["驿站"], ids["企业甲"])]
    with empty_engine.connect() as conn:    # no table was copied and dropped under its rows
        assert conn.execute(text("SELECT title FROM notifications")).scalars().all() == ["留着"]
        assert conn.execute(text("SELECT count(*) FROM organizations")).scalar() == 3


def test_existing_matches_get_their_lexical_score_back_from_the_semantic_points(empty_engine):
    """0014 adds matches.lexical_score: the score without the semantic stage's (negative)
    points kept in the breakdown; a match without them keeps its score."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from matchmaker.models import Match, OrgKind
    from tests.factories import make_need, make_org, make_patent
    upgrade(empty_engine)
    with Session(empty_engine) as session:
        uni, ent = make_org(session, OrgKind.UNIVERSITY), make_org(session, OrgKind.ENTERPRISE)
        need = make_need(session, ent)
        penalized, plain = make_patent(session, uni), make_patent(session, uni)
        session.add_all([
            Match(need=need, patent=penalized, score=40.0,
                  breakdown={"keyword_coverage": 52.5, "semantic": -12.5}),
            Match(need=need, patent=plain, score=61.0, breakdown={"keyword_coverage": 61.0})])
        session.commit()
        ids = {penalized.id: "penalized", plain.id: "plain"}
    downgrade(empty_engine, "0013")
    assert "lexical_score" not in {c["name"] for c in inspect(empty_engine).get_columns("matches")}
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        got = {ids[p]: (s, lex) for p, s, lex in conn.execute(
            select(Match.patent_id, Match.score, Match.lexical_score))}
    assert got == {"penalized": (40.0, 52.5), "plain": (61.0, 61.0)}
