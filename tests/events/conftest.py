"""Fixtures of the events / profiles / indicator tests: cheap password hashing and the web
World builder (committed organizations and users)."""
from __future__ import annotations

import functools

import pytest
from werkzeug.security import generate_password_hash

from matchmaker.catalog import accounts
from tests.web.conftest import World


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    monkeypatch.setattr(accounts, "generate_password_hash",
                        functools.partial(generate_password_hash, method="pbkdf2:sha256:1000"))


@pytest.fixture
def world(session) -> World:
    return World(session)
