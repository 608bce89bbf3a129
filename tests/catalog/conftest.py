"""Catalog test helpers: cheap password hashing so building users does not dominate the run."""
from __future__ import annotations

import functools

import pytest
from werkzeug.security import generate_password_hash

from matchmaker.catalog import accounts

# Production hashes use werkzeug's default (scrypt, ~0.1 s each); tests that build several users
# per case use a fast PBKDF2 instead. check_password_hash reads the method from the hash itself.
FAST_METHOD = "pbkdf2:sha256:1000"


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    monkeypatch.setattr(accounts, "generate_password_hash",
                        functools.partial(generate_password_hash, method=FAST_METHOD))
