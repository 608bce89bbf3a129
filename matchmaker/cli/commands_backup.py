"""`matchmaker backup` and `matchmaker restore`: one archive with the database and the uploads."""
from __future__ import annotations

from pathlib import Path

import click

from ..backup import (KIND_NAMES, check_compatible, create_backup, ensure_empty, read_manifest,
                      restore_backup)
from ..config import Settings
from .base import cli

INDEX_LABELS = {"patent": "专利", "need": "需求"}


def _counts_line(counts: dict[str, int]) -> str:
    """`table n` for the tables holding rows; the empty ones are only counted."""
    full = [f"{table} {n}" for table, n in sorted(counts.items()) if n]
    empty = sum(1 for n in counts.values() if not n)
    return "，".join(full or ["无数据"]) + (f"（其余 {empty} 张表为空）" if empty else "")


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


@cli.command("backup")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Archive to write (default: instance/backups/matchmaker-YYYYmmdd-HHMMSS.tar.gz).")
def backup_cmd(output: Path | None) -> None:
    """Back up the database and uploaded files into one archive (safe while the app runs)."""
    settings = Settings.from_env()          # no runtime: nothing here needs the index
    path = create_backup(settings, output)
    manifest = read_manifest(path)
    click.echo(f"已创建备份：{path}（{_size(path.stat().st_size)}）")
    click.echo(f"数据库：{KIND_NAMES[manifest.database_kind]}，版本 {manifest.alembic_revision}，"
               f"共 {manifest.total_rows} 行；上传文件 {len(manifest.upload_files)} 个")
    click.echo(f"各表行数：{_counts_line(manifest.row_counts)}")


@cli.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Overwrite a database that is not empty, without asking.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def restore_cmd(archive: Path, force: bool, yes: bool) -> None:
    """Restore the database and uploads from a backup, migrate, rebuild the index.

    Stop the web server and the worker first. A database that holds data is only overwritten
    with --force."""
    settings = Settings.from_env()
    manifest = read_manifest(archive)
    click.echo(f"备份：{archive}（创建于 {manifest.created_at}，{KIND_NAMES[manifest.database_kind]}，"
               f"版本 {manifest.alembic_revision}，共 {manifest.total_rows} 行，"
               f"上传文件 {len(manifest.upload_files)} 个）")
    check_compatible(settings, manifest)  # refuse before asking anything
    if not force:
        ensure_empty(settings)
        if not yes:
            click.confirm("将用备份替换当前数据库和上传文件，确定继续吗？", abort=True)
    report = restore_backup(settings, archive, force=True)
    m = report.manifest
    version = (f"版本 {m.alembic_revision} → {report.revision}（已迁移）" if report.migrated
               else f"版本 {report.revision}")
    click.echo(f"已恢复数据库（{KIND_NAMES[m.database_kind]}，{version}）和上传文件 {report.upload_files} 个")
    click.echo(f"各表行数：{_counts_line(report.row_counts)}（与备份清单一致）")
    click.echo("已重建索引：" + "，".join(f"{INDEX_LABELS.get(k, k)} {n} 条"
                                       for k, n in report.indexed.items()))
