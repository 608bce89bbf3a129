"""The pieces every entry point (web app, CLI, scripts, tests) builds from settings."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from .config import Settings
from .db import make_engine, make_session_factory, sqlite_file
from .private import private_sqlite
from . import audit, licensing
from .matching import triggers
from .events import pairs as event_pairs
from .jobs import mail_job, worker
from .licensing import deals
from .matching import jobs as matching_jobs
from .search import outbox
from .search.backend import SearchBackend
from .search.factory import make_backend
from .semantic import jobs as semantic_jobs
from .semantic.encoder import shared_encoder
from .semantic.store import VectorStore

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    search: SearchBackend
    # Vectors for the semantic re-ranking stage; None when settings.semantic_rerank is off.
    vectors: VectorStore | None = None

    def sync_index(self) -> int:
        """Apply pending index work; failures are logged and the work stays in the outbox."""
        from .search.indexer import apply_pending
        try:
            return apply_pending(self.session_factory, self.search)
        except Exception:  # the data is committed; the outbox keeps the work for later
            log.exception("index update failed; pending work stays in the outbox")
            return 0

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits on success and rolls back on any error."""
        with self.session_factory() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.search.close()
        self.engine.dispose()


def build_runtime(settings: Settings | None = None) -> Runtime:
    """Engine, session factory and search backend, with the index outbox attached."""
    settings = settings or Settings.from_env()
    if (path := sqlite_file(settings.database_url)) is not None:
        private_sqlite(path)        # 0600 before SQLite creates it 0644 (password hashes)
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    if settings.smtp_url:     # notifications are e-mailed too (notifications._mail)
        from .notifications import MAIL_KEY
        factory.configure(info={MAIL_KEY: settings.link_base})
    rt = Runtime(settings=settings, engine=engine, session_factory=factory,
                 search=make_backend(settings.search_backend, settings.index_dir,
                                     settings.index_replica or None),
                 vectors=VectorStore(shared_encoder()) if settings.semantic_rerank else None)
    outbox.install(factory, on_commit=rt.sync_index if settings.index_on_commit else None)
    worker.register(matching_jobs.HANDLERS)
    worker.register(mail_job.HANDLERS)
    worker.register(semantic_jobs.HANDLERS)
    deals.register_event_origin(event_pairs.check_deal_origin, event_pairs.link_deal)
    triggers.install()
    licensing.install()
    audit.install()
    return rt
