"""Matching test fixtures: cheap password hashing (users are only actors here)."""
from __future__ import annotations

import functools

import pytest
from werkzeug.security import generate_password_hash

from matchmaker.catalog import accounts


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    monkeypatch.setattr(accounts, "generate_password_hash",
                        functools.partial(generate_password_hash, method="pbkdf2:sha256:1000"))
