"""File permissions (issue 11, item 6): under umask 022 the SQLite database (password hashes),
uploads and restored files came out 0644, readable by every local user. The instance folder
and every folder in it are 0700, every file the app writes there 0600, on first start, on
upload and on restore.

These tests use their own SQLite instance (files are what is checked), whatever database the
rest of the suite runs on.
"""
from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from matchmaker.backup import create_backup, restore_backup
from matchmaker.config import Settings
from matchmaker.migrate import upgrade
from matchmaker.models import OrgKind
from matchmaker.runtime import build_runtime
from matchmaker.web import create_app
from tests.factories import make_org, make_user, valid_app_no
from tests.web.helpers import login, token_from


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def assert_private_tree(root: Path) -> None:
    """`root` and everything below it: folders 0700, files 0600."""
    problems = [f"{p.relative_to(root.parent)}: {oct(mode(p))}"
                for p in [root, *root.rglob("*")]
                if not p.is_symlink() and mode(p) != (0o700 if p.is_dir() else 0o600)]
    assert problems == []


def instance_settings(folder: Path) -> Settings:
    return Settings(instance_dir=folder, testing=True, secret_key="").resolved()


def upload_a_patent_file(app, session) -> None:
    user = make_user(session, make_org(session, OrgKind.UNIVERSITY))
    session.commit()
    client = app.test_client()
    assert login(client, user.login).status_code == 302
    data = f"申请号,专利名称,摘要\n{valid_app_no(2019, '1', 42)},一种测试方法,摘要\n坏号,一种坏方法,摘要\n"
    response = client.post("/imports/patents", data={
        "file": (io.BytesIO(data.encode()), "p.csv"), "encoding": "auto",
        "csrf_token": token_from(client, "/imports/patents")})
    assert response.status_code == 302


def test_a_new_instance_its_database_uploads_and_reports_are_private(tmp_path, umask_022, fast_hashing):
    settings = instance_settings(tmp_path / "instance")
    assert settings.database_url.startswith("sqlite")
    rt = build_runtime(settings)
    try:
        upgrade(rt.engine)
        app = create_app(settings)
        with rt.session_factory() as session:
            upload_a_patent_file(app, session)
        app.extensions["matchmaker"].dispose()
        database = Path(settings.database_url.removeprefix("sqlite:///"))
        assert mode(database) == 0o600
        assert Path(f"{database}-wal").exists()                # WAL mode: its files are private too
        uploads = settings.instance_dir / "uploads" / "imports"
        assert len(list(uploads.glob("*.rejected.csv"))) == 1 and len(list(uploads.iterdir())) == 2
        assert mode(settings.instance_dir / "secret_key") == 0o600
        assert_private_tree(settings.instance_dir / "uploads")
        assert mode(settings.instance_dir) == 0o700
        for f in settings.instance_dir.glob("matchmaker.sqlite3*"):
            assert mode(f) == 0o600, f
    finally:
        rt.dispose()


def test_an_existing_loose_instance_is_tightened_on_start(tmp_path, umask_022):
    folder = tmp_path / "instance"
    folder.mkdir(mode=0o755)
    database = folder / "matchmaker.sqlite3"
    database.write_bytes(b"")
    os.chmod(database, 0o644)
    rt = build_runtime(instance_settings(folder))
    rt.dispose()
    assert (mode(folder), mode(database)) == (0o700, 0o600)


def test_a_restored_instance_is_private(tmp_path, umask_022, fast_hashing):
    source = instance_settings(tmp_path / "source")
    rt = build_runtime(source)
    try:
        upgrade(rt.engine)
        app = create_app(source)
        with rt.session_factory() as session:
            upload_a_patent_file(app, session)
        app.extensions["matchmaker"].dispose()
    finally:
        rt.dispose()
    archive = create_backup(source, tmp_path / "out" / "backup.tar.gz")
    assert mode(archive) == 0o600 and mode(archive.parent) == 0o700

    target = instance_settings(tmp_path / "target")
    restore_backup(target, archive)
    restored = Path(target.database_url.removeprefix("sqlite:///"))
    assert mode(restored) == 0o600
    assert len(list((target.instance_dir / "uploads" / "imports").iterdir())) == 2
    assert_private_tree(target.instance_dir / "uploads")
    assert mode(target.instance_dir) == 0o700
    leftovers = [p.name for p in target.instance_dir.iterdir() if p.name.startswith(".")]
    assert leftovers == []
