"""Application factory: a short list of register_* steps."""
from __future__ import annotations

from flask import Flask

from ..config import PROJECT_ROOT, Settings
from ..runtime import build_runtime
from . import auth, errors, navigation, params, request_log, security
from .json_provider import HtmlSafeJSONProvider


def create_app(settings: Settings | None = None) -> Flask:
    """Build the web app from settings (environment by default; tests pass their own)."""
    settings = settings or Settings.from_env()
    app = Flask("matchmaker", template_folder=str(PROJECT_ROOT / "templates"),
                static_folder=str(PROJECT_ROOT / "static"), instance_path=str(settings.instance_dir))
    runtime = build_runtime(settings)
    app.extensions["matchmaker"] = runtime
    app.config.update(
        SECRET_KEY=settings.secret_key,
        # The file limit itself is enforced while storing it; this bounds the whole request
        # (file plus form fields and multipart overhead).
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + 256 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=settings.session_cookie_secure,
        TESTING=settings.testing,
        WTF_CSRF_TIME_LIMIT=None,
        JSON_AS_ASCII=False,
    )
    app.json = HtmlSafeJSONProvider(app)
    if settings.proxy_count:   # trust X-Forwarded-For/-Proto/-Host from that many proxies
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_count,  # type: ignore[method-assign]
                                x_proto=settings.proxy_count, x_host=settings.proxy_count)
    if not settings.testing:
        request_log.configure_logging()
    request_log.register(app)
    security.register(app, settings)
    auth.register(app)
    errors.register(app)
    navigation.register(app)
    params.register(app)   # before the blueprints: their <int:…> rules use it
    register_blueprints(app)
    if settings.index_on_commit:   # else the job worker owns the index writer
        runtime.sync_index()  # finish index work a crash may have left in the outbox
    return app


def register_blueprints(app: Flask) -> None:
    from . import (views_account, views_admin, views_api, views_auth, views_custody, views_deals, views_health,
                   views_home, views_imports,
                   views_inbox, views_links, views_kpis, views_matches, views_needs, views_patents,
                   views_recordal, views_search, views_station)
    from . import views_events, views_profiles, views_reports
    for module in (views_health, views_home, views_auth, views_admin, views_patents, views_needs, views_search,
                   views_matches, views_inbox, views_imports, views_deals, views_recordal, views_station,
                   views_kpis, views_custody, views_links, views_account, views_api, views_profiles,
                   views_events, views_reports):
        app.register_blueprint(module.bp)
