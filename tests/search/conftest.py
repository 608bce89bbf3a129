"""Search test helpers: a builder for committed, indexed data and a search shortcut."""
from __future__ import annotations

import functools
import os
import subprocess
from datetime import date
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

from matchmaker.catalog import accounts
from matchmaker.catalog.ipc import parse_ipc
from matchmaker.config import Settings
from matchmaker.models import OrgKind, PatentIPC
from matchmaker.runtime import build_runtime
from matchmaker.search import indexer
from matchmaker.search.fields import KINDS
from matchmaker.search.service import SearchRequest, search_needs, search_patents
from tests.conftest import TEST_SECRET_KEY, fresh_database_url
from tests.factories import make_need, make_org, make_patent, make_user

PROJECT_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = PROJECT_ROOT / ".venv" / "bin"
# Fixed "today" for the service so expiry filters do not depend on the calendar.
TODAY = date(2025, 6, 1)


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """Users are only actors here; scrypt would dominate the run."""
    monkeypatch.setattr(accounts, "generate_password_hash",
                        functools.partial(generate_password_hash, method="pbkdf2:sha256:1000"))


def with_ipc(patent, *codes: str):
    """Attach IPC entries the way the catalog does (parsed levels)."""
    for pos, raw in enumerate(codes):
        c = parse_ipc(raw)
        patent.ipc_entries.append(PatentIPC(position=pos, code=c.code, section=c.section,
                                            ipc_class=c.ipc_class, subclass=c.subclass))
    return patent


class Catalog:
    """Builds data through a runtime session; `commit()` indexes it via the outbox."""

    def __init__(self, runtime, session):
        self.runtime = runtime
        self.session = session
        self._orgs: dict[OrgKind, object] = {}

    @property
    def backend(self):
        return self.runtime.search

    def org(self, kind: OrgKind = OrgKind.UNIVERSITY, **overrides):
        return make_org(self.session, kind, **overrides)

    def supplier(self):
        if OrgKind.UNIVERSITY not in self._orgs:
            self._orgs[OrgKind.UNIVERSITY] = self.org(OrgKind.UNIVERSITY)
        return self._orgs[OrgKind.UNIVERSITY]

    def enterprise(self):
        if OrgKind.ENTERPRISE not in self._orgs:
            self._orgs[OrgKind.ENTERPRISE] = self.org(OrgKind.ENTERPRISE)
        return self._orgs[OrgKind.ENTERPRISE]

    def user(self, kind: OrgKind):
        user = make_user(self.session, self.org(kind))
        self.session.commit()
        return user

    def user_of_kind(self, kind: str):
        """A (cached) user of an organization of the given kind."""
        key = ("user", kind)
        if key not in self._orgs:
            self._orgs[key] = self.user(OrgKind(kind))
        return self._orgs[key]

    def patent(self, title: str = None, *, ipc: tuple[str, ...] = (), owner=None, **overrides):
        if title is not None:
            overrides["title"] = title
        p = make_patent(self.session, owner or self.supplier(), **overrides)
        if ipc:
            with_ipc(p, *ipc)
            self.session.flush()
        return p

    def need(self, title: str = None, *, enterprise=None, **overrides):
        if title is not None:
            overrides["title"] = title
        return make_need(self.session, enterprise or self.enterprise(), **overrides)

    def commit(self):
        self.session.commit()

    # -- reading back ----------------------------------------------------------------------
    def search(self, actor=None, *, today: date = TODAY, **req):
        return search_patents(self.session, self.backend, actor, SearchRequest(**req), today=today)

    def ids(self, q: str = "", actor=None, **req) -> list[int]:
        return [h.id for h in self.search(actor, q=q, per_page=100, **req).hits]

    def need_ids(self, q: str = "", actor=None, **req) -> list[int]:
        page = search_needs(self.session, self.backend, actor, SearchRequest(q=q, per_page=100, **req))
        return [h.id for h in page.hits]

    def check_ok(self):
        for kind in KINDS:
            rep = indexer.check(self.session, self.backend, kind)
            assert rep.ok, rep


@pytest.fixture
def catalog(runtime, session) -> Catalog:
    return Catalog(runtime, session)


BACKENDS = ("whoosh", "tantivy")


def every_backend(request) -> str:
    """Body of a `search_backend` fixture override: a module that defines

        search_backend = pytest.fixture(params=BACKENDS)(every_backend)

    runs each of its tests on every search backend (the same semantics must hold)."""
    return request.param


@pytest.fixture(scope="module", params=BACKENDS)
def module_backend(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def module_catalog(migrated_template, tmp_path_factory, module_backend):
    """One database, index and Catalog for a whole module of read-only tests.

    Building a corpus per test costs more than the tests themselves. On PostgreSQL the
    database is the shared test database, so this must not be mixed with function-scoped
    database fixtures in the same module (they truncate it).
    """
    tmp = tmp_path_factory.mktemp("search-module")
    url = fresh_database_url(migrated_template, tmp)
    settings = Settings(instance_dir=tmp / "instance", database_url=url,
                        secret_key=TEST_SECRET_KEY, testing=True,
                        search_backend=module_backend).resolved()
    rt = build_runtime(settings)
    with pytest.MonkeyPatch.context() as mp, rt.session_factory() as s:
        mp.setattr(accounts, "generate_password_hash",
                   functools.partial(generate_password_hash, method="pbkdf2:sha256:1000"))
        yield Catalog(rt, s)
    rt.dispose()


def cli_env(settings) -> dict[str, str]:
    """Environment for a `matchmaker` subprocess pointing at the test instance."""
    env = dict(os.environ)
    env.update(MATCHMAKER_INSTANCE=str(settings.instance_dir),
               MATCHMAKER_DATABASE_URL=settings.database_url,
               MATCHMAKER_INDEX_DIR=str(settings.index_dir),
               MATCHMAKER_SECRET_KEY=settings.secret_key,
               PYTHONPATH=str(PROJECT_ROOT))
    return env


def run_cli(settings, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `matchmaker ARGS` in a fresh interpreter (no state shared with the test process)."""
    return subprocess.run([str(VENV_BIN / "matchmaker"), *args],
                          env=cli_env(settings), capture_output=True, text=True, timeout=timeout,
                          cwd=str(PROJECT_ROOT))
