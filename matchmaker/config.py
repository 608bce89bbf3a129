"""Settings read from MATCHMAKER_* environment variables, shared by the web app and the CLI."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping

from .errors import ConfigError
from .private import private_dir

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PREFIX = "MATCHMAKER_"


def _default_instance() -> Path:
    return PROJECT_ROOT / "instance"


@dataclass(frozen=True)
class Settings:
    """Everything that differs between deployments; tests build one instead of patching globals."""

    instance_dir: Path = field(default_factory=_default_instance)
    database_url: str = ""
    index_dir: Path | None = None
    # The search engine: "whoosh" (embedded default) or "tantivy" (search/factory.py).
    search_backend: str = "whoosh"
    # This host's index in the change log; default: host name and index directory. Hosts that
    # share one database each keep a local index replica that follows the log.
    index_replica: str = ""
    secret_key: str = ""
    max_upload_mb: int = 20
    max_import_rows: int = 50_000
    redis_url: str = ""
    # Reverse proxies in front of the app (their X-Forwarded-* headers are trusted); 0 = none.
    proxy_count: int = 0
    session_cookie_secure: bool = False
    login_rate_limit: str = "10 per minute;50 per hour"
    # Per account (catalog/login_throttle.py): failures before the back-off starts, and its cap.
    login_free_failures: int = 5
    login_max_delay_seconds: int = 900
    # Successful self-registrations per client address.
    register_rate_limit: str = "5 per hour;20 per day"
    page_size: int = 20
    # Apply index work right after each commit; off where one job worker owns the index writer.
    index_on_commit: bool = True
    # A running job's lease: its worker renews it every third of this; a job whose worker died
    # (or lost the database) is requeued once the lease has run out.
    job_lease_seconds: int = 30
    # `matchmaker worker` lowers its CPU priority by this much (os.nice), so on a small host the
    # web workers win the cores when the job worker starts up or catches up (README, load test).
    worker_nice: int = 10
    # Absolute links in e-mails and in what the CLI prints (invitations, password resets);
    # empty: pages use the address the browser used, the CLI and e-mails http://127.0.0.1:5000.
    base_url: str = ""
    # One-time links: an invitation is valid this many days, a password reset this many hours.
    invitation_days: int = 7
    reset_link_hours: int = 24
    # Optional e-mail: smtp://[user:password@]host[:port][?from=addr&starttls=1] (smtps:// for
    # TLS); empty: in-app notifications only.
    smtp_url: str = ""
    testing: bool = False
    # Re-rank the matcher's best candidates by meaning (matchmaker/semantic): vectors are
    # encoded on first use and kept in the database. Off: lexical matching only.
    semantic_rerank: bool = True
    match_weights: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        """Build settings from the environment, then apply explicit overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(PREFIX + f.name.upper())
            if raw is None and f.name == "instance_dir":
                raw = env.get(PREFIX + "INSTANCE")
            if raw is None or f.name == "match_weights":
                continue
            values[f.name] = _coerce(f.type, raw, f.name)
        values.update(overrides)
        return cls(**values).resolved()

    def resolved(self) -> "Settings":
        """Fill derived defaults: paths under the instance folder and a persistent secret key."""
        instance = private_dir(Path(self.instance_dir).resolve())
        db_url = self.database_url or f"sqlite:///{instance / 'matchmaker.sqlite3'}"
        index_dir = Path(self.index_dir) if self.index_dir else instance / "index"
        secret = check_secret_key(self.secret_key or _stored_secret(instance))
        if self.search_backend not in ("whoosh", "tantivy"):
            raise ConfigError(f"MATCHMAKER_SEARCH_BACKEND 须为 whoosh 或 tantivy，而不是 {self.search_backend!r}")
        return replace(self, instance_dir=instance, database_url=db_url,
                       index_dir=index_dir, secret_key=secret)

    @property
    def link_base(self) -> str:
        """Where links outside a request (CLI output, e-mails) point."""
        return (self.base_url or "http://127.0.0.1:5000").rstrip("/")

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024


MIN_SECRET_BYTES = 32


def check_secret_key(key: str) -> str:
    """The session-signing key, refused when guessable: with it anyone can forge any session.

    >>> check_secret_key("a")
    Traceback (most recent call last):
    ...
    matchmaker.errors.ConfigError: MATCHMAKER_SECRET_KEY 太弱（1 字节）...
    """
    size = len(key.encode())
    if size < MIN_SECRET_BYTES or not key.strip() or len(set(key)) < 8:
        raise ConfigError(
            f"MATCHMAKER_SECRET_KEY 太弱（{size} 字节）：会话签名密钥至少需要 {MIN_SECRET_BYTES} 字节的随机值，"
            "可用 python3 -c 'import secrets; print(secrets.token_hex(32))' 生成；"
            "不设置时会自动生成并保存在实例目录的 secret_key 文件中")
    return key


def _coerce(type_name: Any, raw: str, name: str) -> Any:
    t = str(type_name)
    if "bool" in t:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if t == "int":
        try:
            return int(raw)
        except ValueError as exc:
            raise ValueError(f"{PREFIX}{name.upper()} must be an integer, got {raw!r}") from exc
    if "Path" in t:
        return Path(raw)
    return raw


def _stored_secret(instance: Path) -> str:
    """Generate the secret key once and keep it, so sessions survive restarts without a hard-coded key."""
    path = instance / "secret_key"
    if path.exists():
        stored = path.read_text().strip()
        if stored:
            return stored
        path.unlink()  # left empty by an interrupted first start: an empty key would sign nothing
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
