"""`matchmaker import ...`: bring records from files into the catalog."""
from __future__ import annotations

from pathlib import Path

import click

from ..catalog.corpus import import_records, read_jsonl
from ..catalog.organizations import resolve_organization
from ..migrate import upgrade
from .base import State, cli, pass_state


@cli.group("import")
def import_group() -> None:
    """Import patents or needs from files."""


@import_group.command("patents")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--owner", "owner_ref", help="Owner organization (name or id); default: each record's applicant.")
@click.option("--dry-run", is_flag=True, help="Validate and report without writing anything.")
@pass_state
def import_patents_cmd(state: State, file: Path, owner_ref: str | None, dry_run: bool) -> None:
    """Import patents in the shared corpus format (JSON Lines). Exit 1 when rows were rejected."""
    rt = state.runtime
    upgrade(rt.engine)
    total = sum(1 for _ in read_jsonl(file))
    session = rt.session_factory()
    try:
        with session.begin():
            owner = resolve_organization(session, owner_ref) if owner_ref else None
            with click.progressbar(length=total, label=f"导入 {file.name}") as bar:
                report = import_records(session, read_jsonl(file), owner=owner, progress=bar.update)
            if dry_run:
                session.rollback()
    finally:
        session.close()
    verb = "将" if dry_run else "已"
    click.echo(f"{verb}新增 {report.created} 条，{verb}更新 {report.updated} 条，拒绝 {len(report.rejected)} 条"
               + ("（试运行，未写入）" if dry_run else ""))
    for line, rid, reason in report.rejected[:50]:
        click.echo(f"  第 {line} 行 {rid}：{reason}", err=True)
    if len(report.rejected) > 50:
        click.echo(f"  ……另有 {len(report.rejected) - 50} 条被拒绝", err=True)
    if report.rejected:
        raise click.exceptions.Exit(1)
