"""`matchmaker index sync|rebuild|check|replicas`: keep this host's index in step with the
database (the change log) and see every host's."""
from __future__ import annotations

import json

import click

from ..search import changelog
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
        before = pending_count(session, rt.search.replica)
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
        pending = pending_count(session, rt.search.replica)
    click.echo(f"待处理索引任务：{pending} 条")
    if not ok:
        raise click.exceptions.Exit(1)


@index_group.command("replicas")
@click.option("--forget", "forget", metavar="REPLICA", help="Remove a replica that is gone for good.")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def replicas_cmd(state: State, forget: str | None, as_json: bool) -> None:
    """Every host's index (replica) with its place in the change log and how far behind it is.
    A replica that never comes back keeps the log from being pruned: forget it."""
    rt = state.runtime
    with rt.session_factory() as session:
        if forget:
            if not changelog.forget_replica(session, forget):
                raise click.ClickException(f"没有名为 {forget} 的索引副本")
            click.echo(f"已移除索引副本 {forget}")
            return
        rows = changelog.replicas(session)
        last = changelog.last_number(session)
    if as_json:
        click.echo(json.dumps({"last": last, "this": rt.search.replica, "replicas": rows},
                              ensure_ascii=False, indent=2))
        return
    click.echo(f"变更日志最新序号：{last}")
    for r in rows:
        mark = "（本机）" if r["replica"] == rt.search.replica else ""
        kinds = "；".join(f"{k} 位置 {v['position']}，落后 {v['behind']} 条，更新于 {v['updated_at'][:19]}"
                         for k, v in r["kinds"].items())
        click.echo(f"{r['replica']}{mark}：{kinds}")
