"""`matchmaker import patents|needs FILE`: the same validation and report as the web upload."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ..catalog.organizations import resolve_organization
from ..imports.files import ENCODINGS, estimate_rows
from ..imports.report import open_report
from ..imports.runner import ImportSummary
from ..imports.service import ImportOptions, run_import
from ..migrate import upgrade
from ..models import ImportKind
from .base import State, cli, pass_state

SHOWN = 30


@cli.group("import")
def import_group() -> None:
    """Import patents or needs from CSV, XLSX or JSON Lines files."""


def _common(f):
    f = click.option("--dry-run", is_flag=True, help="Validate and report without writing anything.")(f)
    f = click.option("--encoding", type=click.Choice(list(ENCODINGS)), default="auto",
                     show_default=True, help="Encoding of a CSV file.")(f)
    f = click.option("--report", "report_file", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write rejected rows (original cells + reason) to this CSV file.")(f)
    return click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))(f)


@import_group.command("patents")
@_common
@click.option("--owner", "owner_ref", help="Owner organization (name or id); default: each row's applicant.")
@click.option("--draft", is_flag=True, help="Import valid patents as drafts instead of listing them.")
@click.option("--include-similar", "include", multiple=True, type=int, metavar="ROW",
              help="Import this near-duplicate row anyway (repeatable).")
@pass_state
def import_patents_cmd(state: State, file: Path, owner_ref: str | None, dry_run: bool,
                       encoding: str, report_file: Path | None, draft: bool,
                       include: tuple[int, ...]) -> None:
    """Import patents; rows are upserted by application number (else source id).
    Exit 1 when rows were rejected."""
    _import(state, file, ImportKind.PATENTS, owner_ref, dry_run, report_file,
            ImportOptions(encoding=encoding, list_valid=not draft, include_rows=frozenset(include)))


@import_group.command("needs")
@_common
@click.option("--enterprise", "enterprise_ref", required=True,
              help="Enterprise the needs belong to (name or id).")
@pass_state
def import_needs_cmd(state: State, file: Path, enterprise_ref: str, dry_run: bool, encoding: str,
                     report_file: Path | None) -> None:
    """Import technical needs of one enterprise; rows are upserted by 需求编号 (else title).
    Exit 1 when rows were rejected."""
    _import(state, file, ImportKind.NEEDS, enterprise_ref, dry_run, report_file,
            ImportOptions(encoding=encoding))


def _import(state: State, file: Path, kind: ImportKind, org_ref: str | None, dry_run: bool,
            report_file: Path | None, options: ImportOptions) -> None:
    rt = state.runtime
    upgrade(rt.engine)
    options.max_rows = rt.settings.max_import_rows
    options.today = date.today()
    report = open_report(report_file) if report_file else None
    try:
        with rt.session_factory() as session, session.begin():
            org = resolve_organization(session, org_ref) if org_ref else None
            with click.progressbar(length=max(estimate_rows(file), 1), label=f"导入 {file.name}",
                                   file=click.get_text_stream("stderr")) as bar:
                summary = run_import(
                    session, file, kind, organization=org, options=options, write=not dry_run,
                    on_rejected=report[1].add if report else None,
                    on_open=(lambda t, _c: report[1].start(t.headers, t.format == "jsonl"))
                    if report else None,
                    progress=bar.update)
            if dry_run:
                session.rollback()
    finally:
        if report:
            report[0].close()
    _print(summary, dry_run, report_file)
    if summary.counts["rejected"]:
        raise click.exceptions.Exit(1)


def _print(s: ImportSummary, dry_run: bool, report_file: Path | None) -> None:
    c = s.counts
    verb = "将" if dry_run else "已"
    click.echo(f"共 {s.total} 行：{verb}新增 {c['new']}，{verb}更新 {c['updated']}，无变化 {c['unchanged']}，"
               f"拒绝 {c['rejected']}，疑似重复未导入 {c['near_duplicate']}"
               + ("（试运行，未写入）" if dry_run else ""))
    if s.mapping and s.format != "jsonl":
        click.echo("列对应：" + "，".join(f"{src}→{dst}" for src, dst in s.mapping))
    for r in s.rejected[:SHOWN]:
        click.echo(f"  第 {r['row']} 行 {r['key']}：{'；'.join(r['errors'])}", err=True)
    if c["rejected"] > SHOWN:
        click.echo(f"  ……另有 {c['rejected'] - SHOWN} 行被拒绝"
                   + (f"，完整清单见 {report_file}" if report_file else "（用 --report 导出完整清单）"),
                   err=True)
    for w in s.warnings[:10]:
        click.echo(f"  提示 第 {w['row']} 行 {w['key']}：{'；'.join(w['warnings'])}", err=True)
    for d in s.near_duplicates[:SHOWN]:
        if not d["included"]:
            click.echo(f"  疑似重复 第 {d['row']} 行《{d['title']}》与已有专利 #{d['similar_id']}"
                       f"《{d['similar_title']}》相似度 {d['similar_score']}；"
                       f"确需导入请加 --include-similar {d['row']}", err=True)
