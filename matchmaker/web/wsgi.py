"""Production serving: gunicorn with several worker processes.

The app (and jieba's dictionary, OpenCC's tables) is loaded once in the gunicorn master
before it forks, so workers share those pages instead of each loading ~100 MB. Web workers
only read the Whoosh index: the separate job worker (`matchmaker worker`) is its single
writer, applying the index outbox. Database pools are reset after the fork so no connection
is shared between processes. Also usable as `gunicorn 'matchmaker.web.wsgi:create_wsgi_app()'`.
"""
from __future__ import annotations

from dataclasses import replace

from flask import Flask

from ..config import Settings


def create_wsgi_app(settings: Settings | None = None) -> Flask:
    from ..text import warm_up
    from . import create_app
    settings = replace(settings or Settings.from_env(), index_on_commit=False)
    warm_up()
    app = create_app(settings)
    _warm_search(app)
    return app


def _warm_search(app: Flask) -> None:
    """One search before the fork: the per-segment caches (field lengths, facet values,
    filter sets: ~0.4 s at 25k patents) are then inherited by every worker instead of being
    built by all of them at once on their first request."""
    import logging
    try:
        app.test_client().get("/search/patents?q=%E6%96%B9%E6%B3%95")
    except Exception:  # a missing index must not stop the server; /healthz reports it
        logging.getLogger(__name__).warning("search warm-up failed", exc_info=True)


def post_fork(_server, _worker) -> None:
    """Gunicorn hook: fresh database pools and index handles in every worker."""
    app = _APP.get("app")
    if app is not None:
        rt = app.extensions["matchmaker"]
        rt.engine.dispose(close=False)
        rt.search.forget()


_APP: dict = {}


def run(bind: str, workers: int, threads: int, timeout: int, access_log: bool) -> None:
    from gunicorn.app.base import BaseApplication

    class MatchmakerServer(BaseApplication):
        def load_config(self) -> None:
            for key, value in {"bind": bind, "workers": workers, "threads": threads,
                               "timeout": timeout, "preload_app": True,
                               "post_fork": post_fork, "graceful_timeout": 30, "keepalive": 5,
                               "accesslog": "-" if access_log else None,
                               "worker_class": "gthread" if threads > 1 else "sync"}.items():
                if value is not None:
                    self.cfg.set(key, value)

        def load(self):
            _APP["app"] = create_wsgi_app()
            return _APP["app"]

    MatchmakerServer().run()
