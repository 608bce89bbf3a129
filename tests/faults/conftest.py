"""Fault tests: a worker killed mid-job, a lost or damaged index, the database going away, a
full disk during an import, two processes racing on one deal. Shared fixtures and helpers."""
from __future__ import annotations

import functools
import os
import shutil
import sys
import time
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

from matchmaker.catalog import accounts

PROJECT_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
MATCHMAKER = shutil.which("matchmaker", path=str(VENV_BIN)) or shutil.which("matchmaker")


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """Users are only actors here; scrypt would dominate the run."""
    monkeypatch.setattr(accounts, "generate_password_hash",
                        functools.partial(generate_password_hash, method="pbkdf2:sha256:1000"))


def cli_env(settings) -> dict[str, str]:
    """Environment for a `matchmaker` subprocess on the test's instance, database and index."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHMAKER_")}
    env.update(MATCHMAKER_INSTANCE=str(settings.instance_dir),
               MATCHMAKER_DATABASE_URL=settings.database_url,
               MATCHMAKER_INDEX_DIR=str(settings.index_dir),
               MATCHMAKER_SECRET_KEY=settings.secret_key,
               PYTHONPATH=str(PROJECT_ROOT), PYTHONWARNINGS="ignore")
    return env


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.05, what: str = "condition"):
    """Poll `predicate` until it returns something truthy; fail the test after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)
