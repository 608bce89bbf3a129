"""`matchmaker index sync|rebuild|check`: keep the on-disk index in step with the database."""
from __future__ import annotations

import click

from ..search.indexer import apply_pending, check, pending_count, rebuild, total_rows
from ..search.fields import KINDS
from .base import State, cli, pass_state


@cli.group("index")
def index_group() -> None:
    """Maintain the full-text index."""


@index_group.command("sync")
@pass_state
def sync_cmd(state: State) -> None:
    """Apply index work left in the outbox (e.g. after a crash)."""
    rt = state.runtime
    with rt.session_factory() as session:
        before = pending_count(session)
    applied = apply_pending(rt.session_factory, rt.search)
    click.echo(f"已同步 {applied} 条索引任务（同步前待处理 {before} 条）")


@index_group.command("rebuild")
@click.option("--kind", type=click.Choice(["all", *KINDS]), default="all", show_default=True)
@click.option("--procs", type=int, default=2, show_default=True, help="Tokenizer processes.")
@pass_state
def rebuild_cmd(state: State, kind: str, procs: int) -> None:
    """Rebuild the index from the database (with a progress bar)."""
    rt = state.runtime
    for k in (KINDS if kind == "all" else (kind,)):
        with rt.session_factory() as session:
            total = total_rows(session, k)
        label = {"patent": "重建专利索引", "need": "重建需求索引"}[k]
        with click.progressbar(length=total, label=label) as bar:
            n = rebuild(rt.session_factory, rt.search, k, procs=procs, progress=bar.update)
        click.echo(f"{label}：{n} 条")


@index_group.command("check")
@pass_state
def check_cmd(state: State) -> None:
    """Report documents missing from or extra in the index; exit 1 when they differ."""
    rt = state.runtime
    ok = True
    with rt.session_factory() as session:
        for k in KINDS:
            rep = check(session, rt.search, k)
            ok &= rep.ok
            click.echo(f"{k}: 缺失 {len(rep.missing)} 条，多余 {len(rep.extra)} 条"
                       + (f"（缺失示例 {rep.missing[:10]}）" if rep.missing else "")
                       + (f"（多余示例 {rep.extra[:10]}）" if rep.extra else ""))
        pending = pending_count(session)
    click.echo(f"待处理索引任务：{pending} 条")
    if not ok:
        raise click.exceptions.Exit(1)
