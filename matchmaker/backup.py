"""Backups: one archive holding the database, the uploaded files and a manifest; restore from it.

The archive (`.tar.gz`) contains:

- `manifest.json`: format version, creation time, database kind, Alembic revision, row counts per
  table, app version, and the size and SHA-256 of every other member;
- `database/matchmaker.sqlite3` (SQLite, copied with the online backup API, so it is consistent
  while the app runs) or `database/matchmaker.pgdump` (PostgreSQL, `pg_dump --format=custom`,
  taken in the same snapshot the row counts were read from);
- `uploads/...`: the instance's upload folder.

The Whoosh index is not in it: it is rebuilt from the database on restore.

Restore validates everything before touching anything (members, paths, checksums, manifest
format, database kind, revision), refuses to overwrite a non-empty database unless forced, then
replaces the database atomically (SQLite: a verified copy renamed over the file; PostgreSQL:
`pg_restore --clean --if-exists --no-owner` piped through one `psql --single-transaction` that
also checks the row counts before committing), replaces the uploads, migrates to head and
rebuilds the index. The app (web server and worker) should be stopped while restoring.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from sqlalchemy import inspect
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import OperationalError

from .config import Settings
from .db import sqlite_file
from .errors import MatchmakerError
from .private import copy_private, open_private, private_dir

FORMAT = "matchmaker-backup"
FORMAT_VERSION = 1
SUPPORTED_VERSIONS = {1}
MANIFEST = "manifest.json"
UPLOADS = "uploads"
BACKUP_SUBDIR = "backups"
DB_MEMBERS = {"sqlite": "database/matchmaker.sqlite3", "postgresql": "database/matchmaker.pgdump"}
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# What the manifest may name: only these reach SQL text (the PostgreSQL verification script).
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_REVISION = re.compile(r"^[A-Za-z0-9_]{1,64}$")
_CHUNK = 1024 * 1024


class BackupError(MatchmakerError):
    """Anything that stops a backup or a restore; the message is shown to the user."""


# -- manifest ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Manifest:
    created_at: str
    database_kind: str
    alembic_revision: str
    row_counts: dict[str, int]
    app_version: str
    files: dict[str, dict]                # member name -> {"size": int, "sha256": str}
    format_version: int = FORMAT_VERSION

    @property
    def database_member(self) -> str:
        return DB_MEMBERS[self.database_kind]

    @property
    def upload_files(self) -> list[str]:
        return sorted(n for n in self.files if n.startswith(UPLOADS + "/"))

    @property
    def total_rows(self) -> int:
        return sum(self.row_counts.values())

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, "format_version": self.format_version,
                           "created_at": self.created_at,
                           "app_version": self.app_version,
                           "database": {"kind": self.database_kind,
                                        "alembic_revision": self.alembic_revision,
                                        "row_counts": self.row_counts},
                           "files": self.files}, ensure_ascii=False, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, raw: bytes) -> "Manifest":
        bad = BackupError("备份清单 manifest.json 无法读取，备份文件可能已损坏")
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise bad from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BackupError("这不是 matchmaker 的备份文件（清单格式不符）")
        version = data.get("format_version")
        if version not in SUPPORTED_VERSIONS:
            raise BackupError(f"不支持的备份格式版本 {version!r}（本程序支持 "
                              f"{'、'.join(map(str, sorted(SUPPORTED_VERSIONS)))}），请使用更新的 matchmaker 恢复")
        try:
            db = data["database"]
            kind, revision, counts = db["kind"], db["alembic_revision"], db["row_counts"]
            files = data["files"]
            created_at, app_version = str(data["created_at"]), str(data.get("app_version", ""))
        except (KeyError, TypeError):
            raise bad from None
        ok = (kind in DB_MEMBERS and isinstance(revision, str) and _REVISION.match(revision)
              and isinstance(counts, dict) and isinstance(files, dict)
              and all(isinstance(t, str) and _IDENT.match(t) and type(n) is int and n >= 0
                      for t, n in counts.items())
              and all(isinstance(f, dict) and type(f.get("size")) is int
                      and isinstance(f.get("sha256"), str) for f in files.values())
              and DB_MEMBERS[kind] in files)
        if not ok:
            raise bad
        return cls(created_at=created_at, database_kind=kind, alembic_revision=revision,
                   row_counts=dict(counts), app_version=app_version, files=dict(files),
                   format_version=version)


@dataclass
class RestoreReport:
    manifest: Manifest
    revision: str                         # after migrating
    row_counts: dict[str, int]            # after migrating and rebuilding the index
    upload_files: int
    indexed: dict[str, int] = field(default_factory=dict)

    @property
    def migrated(self) -> bool:
        return self.revision != self.manifest.alembic_revision


# -- database kinds and connections ------------------------------------------------------------

def database_kind(database_url: str) -> str:
    backend = make_url(database_url).get_backend_name()
    if backend not in DB_MEMBERS:
        raise BackupError(f"不支持备份 {backend} 数据库（仅支持 SQLite 和 PostgreSQL）")
    return backend


def _sqlite_path(database_url: str) -> Path:
    path = sqlite_file(database_url)
    if path is None:
        raise BackupError("只能备份保存在文件中的 SQLite 数据库")
    return path


def _libpq(database_url: str) -> tuple[str, dict[str, str]]:
    """A libpq conninfo string for the client tools, and their environment: the password goes
    in PGPASSWORD (never on a command line), and the tools never prompt (`--no-password`)."""
    url: URL = make_url(database_url)
    params: dict[str, str] = {}
    for key, value in url.query.items():      # psycopg passes these to libpq unchanged
        params[key] = value[-1] if isinstance(value, tuple) else value
    if url.host:
        params["host"] = url.host
    if url.port:
        params["port"] = str(url.port)
    if url.username:
        params["user"] = url.username
    if url.database:
        params["dbname"] = url.database
    conninfo = " ".join(f"{k}='{_quote_conninfo(str(v))}'" for k, v in params.items())
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return conninfo, env


def _quote_conninfo(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if candidates:
        return str(candidates[-1])
    raise BackupError(f"找不到 PostgreSQL 客户端程序 {name}，请安装 postgresql-client")


def _last_lines(text: str, n: int = 3) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return " / ".join(lines[-n:]) or "无输出"


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _row_counts(conn: Connection) -> dict[str, int]:
    names = sorted(t for t in inspect(conn).get_table_names() if t != "alembic_version")
    return {t: int(conn.exec_driver_sql(f"SELECT count(*) FROM {_quote_ident(t)}").scalar() or 0)
            for t in names}


def _sqlite_counts(conn: sqlite3.Connection) -> tuple[str | None, dict[str, int]]:
    names = sorted(r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
    revision = None
    if "alembic_version" in names:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    counts = {t: conn.execute(f"SELECT count(*) FROM {_quote_ident(t)}").fetchone()[0]
              for t in names if t != "alembic_version"}
    return revision, counts


def existing_rows(settings: Settings) -> int:
    """Rows in the configured database's tables (0 for a missing or freshly migrated one)."""
    kind = database_kind(settings.database_url)
    if kind == "sqlite":
        path = _sqlite_path(settings.database_url)
        if not path.exists():
            return 0
        try:
            conn = sqlite3.connect(path, timeout=30)
            try:
                return sum(_sqlite_counts(conn)[1].values())
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"当前数据库无法读取（{exc}）；如要用备份替换它，请加 --force") from None
    from .db import make_engine
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            return sum(_row_counts(conn).values())
    except OperationalError as exc:
        raise BackupError(f"无法连接数据库：{_last_lines(str(exc.orig or exc), 1)}") from None
    finally:
        engine.dispose()


def ensure_empty(settings: Settings) -> None:
    """Refuse to restore over data unless forced."""
    rows = existing_rows(settings)
    if rows:
        raise BackupError(f"当前数据库不是空的（共 {rows} 行），恢复会覆盖其中的全部数据；"
                          f"确认无误后请加 --force 重新运行")


# -- backup ------------------------------------------------------------------------------------

def default_backup_path(settings: Settings, now: datetime | None = None) -> Path:
    folder = Path(settings.instance_dir) / BACKUP_SUBDIR
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    path = folder / f"matchmaker-{stamp}.tar.gz"
    n = 1
    while path.exists():
        path = folder / f"matchmaker-{stamp}-{n}.tar.gz"
        n += 1
    return path


def create_backup(settings: Settings, dest: Path | None = None) -> Path:
    """Write one archive (database, uploads, manifest) and return its path.

    The archive is written under a temporary name next to `dest` and renamed when complete, so
    a failed or interrupted backup never leaves a truncated file under the final name. It is
    readable by its owner only (it holds password hashes and contact data)."""
    kind = database_kind(settings.database_url)
    dest = Path(dest).resolve() if dest else default_backup_path(settings)
    private_dir(dest.parent, tighten=False)
    with tempfile.TemporaryDirectory(prefix=".matchmaker-backup-", dir=dest.parent) as tmp:
        db_file = Path(tmp) / Path(DB_MEMBERS[kind]).name
        if kind == "sqlite":
            revision, counts = _dump_sqlite(settings.database_url, db_file)
        else:
            revision, counts = _dump_postgresql(settings.database_url, db_file)
        if revision is None:
            raise BackupError("数据库尚未初始化（没有迁移版本），请先运行 matchmaker init")
        uploads = Path(settings.instance_dir) / UPLOADS
        members: list[tuple[str, Path]] = [(DB_MEMBERS[kind], db_file)]
        if uploads.is_dir():
            for path in sorted(uploads.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    members.append((f"{UPLOADS}/{path.relative_to(uploads).as_posix()}", path))
        files = {}
        for name, path in members:
            files[name] = {"size": path.stat().st_size, "sha256": _sha256(path)}
        manifest = Manifest(created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                            database_kind=kind, alembic_revision=revision, row_counts=counts,
                            app_version=_app_version(), files=files)
        fd, part = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
        try:
            with os.fdopen(fd, "wb") as raw, \
                    tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
                _add_bytes(tar, MANIFEST, manifest.to_json().encode("utf-8"))
                for name, path in members:
                    _add_file(tar, name, path, files[name]["size"])
            with open(part, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(part, dest)
        except BaseException:
            Path(part).unlink(missing_ok=True)
            raise
    return dest


def _dump_sqlite(database_url: str, out: Path) -> tuple[str | None, dict[str, int]]:
    """Copy the database with SQLite's online backup API: one consistent snapshot, even while
    the app writes (WAL included). The copy is switched to a rollback journal so it is one
    self-contained file; revision and counts are read from the copy."""
    path = _sqlite_path(database_url)
    if not path.exists():
        raise BackupError(f"数据库文件不存在：{path}")
    src = sqlite3.connect(path, timeout=30)
    dst = sqlite3.connect(out)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
        return _sqlite_counts(dst)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"读取 SQLite 数据库失败：{exc}") from exc
    finally:
        dst.close()
        src.close()


def _dump_postgresql(database_url: str, out: Path) -> tuple[str | None, dict[str, int]]:
    """`pg_dump --format=custom` in the snapshot the revision and row counts were read in, so
    the manifest describes exactly what the dump holds."""
    from .db import make_engine
    pg_dump = _pg_tool("pg_dump")
    conninfo, env = _libpq(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, \
                conn.begin():
            snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
            counts = _row_counts(conn)
            revision = None
            if "alembic_version" in inspect(conn).get_table_names():
                revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            proc = subprocess.run([pg_dump, "--format=custom", "--no-password",
                                   f"--snapshot={snapshot}", f"--file={out}", f"--dbname={conninfo}"],
                                  env=env, capture_output=True, text=True)
            if proc.returncode != 0:
                raise BackupError(f"pg_dump 失败：{_last_lines(proc.stderr)}")
    except OperationalError as exc:
        raise BackupError(f"无法连接数据库：{_last_lines(str(exc.orig or exc), 1)}") from None
    finally:
        engine.dispose()
    return revision, counts


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    import io
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(datetime.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


def _add_file(tar: tarfile.TarFile, name: str, path: Path, size: int) -> None:
    """Add exactly the bytes that were hashed (a file growing meanwhile would break the tar)."""
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(path.stat().st_mtime)
    with open(path, "rb") as fh:
        tar.addfile(info, fh)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def _app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("matchmaker")
    except PackageNotFoundError:
        return "unknown"


# -- reading and validating an archive ----------------------------------------------------------

CORRUPT = "备份文件已损坏或不是 matchmaker 备份（{detail}）"


def _safe_member_name(member: tarfile.TarInfo) -> str:
    name = member.name
    parts = PurePosixPath(name).parts
    unsafe = (not name or name.startswith("/") or "\\" in name or "\x00" in name
              or any(p in ("..", ".", "") for p in name.split("/"))
              or not (name == MANIFEST or parts[0] in ("database", UPLOADS)))
    if unsafe:
        raise BackupError(f"备份文件包含不安全或未知的路径：{name!r}，已拒绝恢复")
    if not (member.isfile() or member.isdir()):
        raise BackupError(f"备份文件包含链接或特殊文件：{name!r}，已拒绝恢复")
    return name


def _open_archive(archive: Path) -> tarfile.TarFile:
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"找不到备份文件：{archive}")
    try:
        return tarfile.open(archive, mode="r:gz")
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupError(CORRUPT.format(detail=exc)) from None


def _members(tar: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    try:
        members = tar.getmembers()       # reads the whole archive: a truncated file fails here
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupError(CORRUPT.format(detail=exc)) from None
    found: dict[str, tarfile.TarInfo] = {}
    for m in members:
        name = _safe_member_name(m)
        if name in found:
            raise BackupError(f"备份文件中 {name!r} 出现了两次，已拒绝恢复")
        if m.isfile():
            found[name] = m
    return found


def _read_manifest(tar: tarfile.TarFile, members: dict[str, tarfile.TarInfo]) -> Manifest:
    if MANIFEST not in members:
        raise BackupError("备份文件中没有清单 manifest.json，不是 matchmaker 备份")
    try:
        raw = tar.extractfile(members[MANIFEST]).read()
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupError(CORRUPT.format(detail=exc)) from None
    manifest = Manifest.from_json(raw)
    for name in manifest.files:
        if not (name == manifest.database_member or name.startswith(UPLOADS + "/")):
            raise BackupError(f"备份清单列出了未知的文件：{name!r}")
    listed, present = set(manifest.files), set(members) - {MANIFEST}
    if listed != present:
        missing, extra = sorted(listed - present), sorted(present - listed)
        raise BackupError(CORRUPT.format(detail=f"缺少 {missing}" if missing else f"多出 {extra}"))
    return manifest


def read_manifest(archive: Path) -> Manifest:
    """Validate an archive's members and manifest (not the checksums) and return the manifest."""
    with _open_archive(archive) as tar:
        return _read_manifest(tar, _members(tar))


def _extract_verified(tar: tarfile.TarFile, member: tarfile.TarInfo, expected: dict,
                      target: Path) -> None:
    """Write one member to `target` (a path we chose), checking its size and SHA-256."""
    if member.size != expected["size"]:
        raise BackupError(f"备份文件已损坏：{member.name} 的大小与清单不符")
    private_dir(target.parent)
    h, size = hashlib.sha256(), 0
    try:
        src = tar.extractfile(member)
        with open_private(target, "wb") as out:
            for chunk in iter(lambda: src.read(_CHUNK), b""):
                h.update(chunk)
                size += len(chunk)
                out.write(chunk)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise BackupError(CORRUPT.format(detail=exc)) from None
    if size != expected["size"] or h.hexdigest() != expected["sha256"]:
        raise BackupError(f"备份文件已损坏：{member.name} 的校验值与清单不符")


# -- restore -----------------------------------------------------------------------------------

def restore_backup(settings: Settings, archive: Path, *, force: bool = False) -> RestoreReport:
    """Restore database and uploads from `archive`, migrate to head, rebuild the index.

    Nothing is changed until the archive has been read completely and checked: its paths,
    checksums, manifest format, database kind and revision. A non-empty database is only
    overwritten with `force`. Row counts are verified before the restored database replaces
    the current one (SQLite) or before the restore transaction commits (PostgreSQL)."""
    from .db import make_engine
    from .migrate import current_revision, upgrade

    kind = database_kind(settings.database_url)
    instance = private_dir(Path(settings.instance_dir))
    with _open_archive(archive) as tar:
        members = _members(tar)
        manifest = _read_manifest(tar, members)
        check_compatible(settings, manifest)
        if not force:
            ensure_empty(settings)
        staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=instance))
        try:
            db_file = staging / "database"
            _extract_verified(tar, members[manifest.database_member],
                              manifest.files[manifest.database_member], db_file)
            staged_uploads = private_dir(staging / UPLOADS)
            for name in manifest.upload_files:
                rel = PurePosixPath(name).relative_to(UPLOADS)
                _extract_verified(tar, members[name], manifest.files[name],
                                  staged_uploads.joinpath(*rel.parts))
            if kind == "sqlite":
                _restore_sqlite(settings.database_url, db_file, manifest)
            else:
                _restore_postgresql(settings.database_url, db_file, manifest)
            _swap_uploads(instance, staged_uploads)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    engine = make_engine(settings.database_url)
    try:
        try:
            upgrade(engine)
        except Exception as exc:
            raise BackupError(f"数据和上传文件已恢复，但迁移到最新版本失败：{exc}；"
                              f"请检查后运行 matchmaker init") from exc
        revision = current_revision(engine) or ""
        try:
            indexed = _rebuild_index(settings, engine)
        except Exception as exc:
            raise BackupError(f"数据和上传文件已恢复，但重建索引失败：{exc}；"
                              f"请运行 matchmaker index rebuild") from exc
        with engine.connect() as conn:
            counts = _row_counts(conn)
    finally:
        engine.dispose()
    return RestoreReport(manifest=manifest, revision=revision, row_counts=counts,
                         upload_files=len(manifest.upload_files), indexed=indexed)


def check_compatible(settings: Settings, manifest: Manifest) -> None:
    """The backup's database kind must be the configured one, its revision one we know."""
    kind = database_kind(settings.database_url)
    if manifest.database_kind != kind:
        raise BackupError(
            f"备份来自 {KIND_NAMES[manifest.database_kind]} 数据库，而当前配置的是 "
            f"{KIND_NAMES[kind]} 数据库；不同种类的数据库之间不能直接恢复，请把 "
            f"MATCHMAKER_DATABASE_URL 指向 {KIND_NAMES[manifest.database_kind]} 数据库后重试")
    _check_known_revision(manifest.alembic_revision)


def _check_known_revision(revision: str) -> None:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError
    from .migrate import alembic_config
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    try:
        known = script.get_revision(revision) is not None
    except CommandError:
        known = False
    if not known:
        raise BackupError(f"备份的数据库版本 {revision} 不在本程序的迁移记录中"
                          f"（备份可能来自更新的 matchmaker），请先升级程序再恢复")


def _count_mismatches(expected: dict[str, int], actual: dict[str, int]) -> list[str]:
    return [f"{t}（应为 {n}，实为 {actual.get(t, '缺表')}）"
            for t, n in sorted(expected.items()) if actual.get(t) != n]


def _restore_sqlite(database_url: str, staged: Path, manifest: Manifest) -> None:
    """Verify the staged copy, then rename it over the database file (atomic on one file
    system); the old file's WAL and shared-memory files are removed so they cannot be
    replayed onto the restored database."""
    target = _sqlite_path(database_url)
    private_dir(target.parent, tighten=False)
    tmp = target.with_name(f".{target.name}.restore-{secrets.token_hex(4)}")
    try:
        copy_private(staged, tmp)        # renamed over the database: 0600 like the original
        conn = sqlite3.connect(tmp)
        try:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("备份中的 SQLite 数据库未通过完整性检查")
            conn.execute("PRAGMA journal_mode=DELETE")
            revision, counts = _sqlite_counts(conn)
        except sqlite3.DatabaseError as exc:
            raise BackupError(CORRUPT.format(detail=exc)) from None
        finally:
            conn.close()
        if revision != manifest.alembic_revision:
            raise BackupError(f"备份中的数据库版本 {revision} 与清单（{manifest.alembic_revision}）不符")
        if bad := _count_mismatches(manifest.row_counts, counts):
            raise BackupError("备份中的数据库行数与清单不符：" + "，".join(bad))
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if target.exists():
            try:
                old = sqlite3.connect(target, timeout=30)
                try:
                    old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                finally:
                    old.close()
            except sqlite3.DatabaseError:
                pass  # unreadable: it is replaced anyway, and its WAL removed below
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    _fsync_dir(target.parent)


def _restore_postgresql(database_url: str, dump: Path, manifest: Manifest) -> None:
    """`pg_restore --clean --if-exists --no-owner` piped into one `psql --single-transaction`.

    Before the restore script, the transaction empties the current schema of the app's tables,
    sequences and functions, so objects of a newer revision that the backup does not know (an
    older backup restored over an upgraded database) cannot collide with the migrations run
    afterwards. After it, the row counts and revision are checked before the commit: any failure
    leaves the database exactly as it was."""
    pg_restore, psql = _pg_tool("pg_restore"), _pg_tool("psql")
    conninfo, env = _libpq(database_url)
    workdir = dump.parent
    prefix, verify = workdir / "prefix.sql", workdir / "verify.sql"
    prefix.write_text(_PG_EMPTY_SCHEMA, encoding="utf-8")
    verify.write_text(_pg_verify_sql(manifest), encoding="utf-8")
    restore_err = workdir / "pg_restore.err"
    with open(restore_err, "w+") as err:
        producer = subprocess.Popen([pg_restore, "--clean", "--if-exists", "--no-owner",
                                     "--no-privileges", "--file=-", str(dump)],
                                    stdout=subprocess.PIPE, stderr=err, env=env)
        try:
            consumer = subprocess.run(
                [psql, "-X", "-q", "--no-password", "-v", "ON_ERROR_STOP=1", "--single-transaction",
                 f"--dbname={conninfo}", "-f", str(prefix), "-f", "-", "-f", str(verify)],
                stdin=producer.stdout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                text=True, env=env)
        finally:
            producer.stdout.close()
            producer.wait()
        err.seek(0)
        restore_stderr = err.read()
    if consumer.returncode == 0 and producer.returncode == 0:
        return
    detail = consumer.stderr if consumer.returncode != 0 else restore_stderr
    if found := re.search(r"matchmaker-verify: (\w+) (\S+) (\S*)", detail):
        what, expected, actual = found.groups()
        raise BackupError(f"恢复后的数据与备份清单不符：{what}（应为 {expected}，实为 {actual}），"
                          f"已回滚，数据库保持原样")
    if "lock timeout" in detail:
        raise BackupError("数据库正被其他连接使用，无法恢复；请先停止网站和后台任务再重试（数据库保持原样）")
    raise BackupError(f"恢复 PostgreSQL 数据库失败，已回滚，数据库保持原样：{_last_lines(detail)}")


# Drops what the restore script recreates, in the schema the app uses (never objects that belong
# to an extension). Waiting for the app's locks is bounded: restores need the app stopped.
_PG_EMPTY_SCHEMA = """\
SET client_min_messages = warning;
SET lock_timeout = '20s';
DO $$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT format('%I.%I', n.nspname, c.relname) AS obj,
           CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                          WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                          ELSE 'TABLE' END AS what
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                      AND d.objid = c.oid AND d.deptype = 'e')
    ORDER BY c.relkind <> 'v', c.relkind <> 'm', c.relkind = 'S'
  LOOP
    EXECUTE format('DROP %s IF EXISTS %s CASCADE', r.what, r.obj);
  END LOOP;
  FOR r IN
    SELECT format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) AS obj,
           CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE'
                          ELSE 'FUNCTION' END AS what
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = current_schema()
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                      AND d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP %s IF EXISTS %s CASCADE', r.what, r.obj);
  END LOOP;
END
$$;
"""


def _pg_verify_sql(manifest: Manifest) -> str:
    """Checks run inside the restore transaction; names and numbers were validated on reading."""
    checks = [f"  IF (SELECT count(*) FROM {_quote_ident(t)}) <> {n} THEN\n"
              f"    RAISE EXCEPTION 'matchmaker-verify: {t} {n} %',"
              f" (SELECT count(*) FROM {_quote_ident(t)});\n  END IF;\n"
              for t, n in sorted(manifest.row_counts.items())]
    rev = manifest.alembic_revision
    checks.append(f"  IF (SELECT max(version_num) FROM alembic_version) IS DISTINCT FROM '{rev}' THEN\n"
                  f"    RAISE EXCEPTION 'matchmaker-verify: alembic_version {rev} %',"
                  f" (SELECT max(version_num) FROM alembic_version);\n  END IF;\n")
    # The restore script empties search_path; go back to the session's default schema.
    return "RESET search_path;\nDO $$\nBEGIN\n" + "".join(checks) + "END\n$$;\n"


def _swap_uploads(instance: Path, staged: Path) -> None:
    """Replace the upload folder with the restored one by two renames in the instance folder."""
    current = instance / UPLOADS
    old = instance / f".{UPLOADS}-old-{secrets.token_hex(4)}"
    if current.exists():
        os.replace(current, old)
    os.replace(staged, current)
    shutil.rmtree(old, ignore_errors=True)


def _rebuild_index(settings: Settings, engine) -> dict[str, int]:
    from .db import make_session_factory
    from .search.indexer import rebuild
    from .search.fields import KINDS
    from .search.factory import make_backend
    from .models import IndexCursor
    from sqlalchemy import delete
    factory = make_session_factory(engine)
    # The restored cursors describe indexes of the past: this host rebuilds (and sets its own);
    # any other host must rebuild too (README, Backups).
    with factory() as session:
        session.execute(delete(IndexCursor))
        session.commit()
    backend = make_backend(settings.search_backend, settings.index_dir,
                           settings.index_replica or None)
    try:
        return {kind: rebuild(factory, backend, kind, procs=1) for kind in KINDS}
    finally:
        backend.close()


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

