"""`matchmaker match` (batch matching to JSON lines) and `matchmaker worker` (background jobs)."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from ..catalog.corpus import read_jsonl
from ..jobs.worker import POLL_SECONDS
from ..matching.engine import MatchOptions
from ..matching.matches import recommended, scored_confidence
from ..matching.profile import MAX_TEXT_CHARS, build_profile
from ..matching.service import patents_for_profile, text_similarity
from .base import State, cli, pass_state


def _result_line(need_id, matches) -> str:
    """One need's ranking; `recommended` says whether a result passes the threshold the pages
    and pushes use (the ranking itself is never cut)."""
    return json.dumps({"need_id": need_id, "results": [
        {"patent_id": pm.patent.source_id or pm.patent.id, "score": pm.match.score,
         "recommended": recommended(scored_confidence(pm.match)), "breakdown": pm.match.breakdown}
        for pm in matches]}, ensure_ascii=False)


@cli.command("match")
@click.option("--text", help="One need, as plain text.")
@click.option("--title", default="", help="Title of the --text need.")
@click.option("--needs", "needs_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON Lines with id, title, text per need.")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 100))
@pass_state
def match_cmd(state: State, text: str | None, title: str, needs_file: Path | None, top: int) -> None:
    """Print ranked patents per need as one JSON line each (patent_id is the source id if any)."""
    if bool(text) == bool(needs_file):
        raise click.UsageError("请给出 --text 或 --needs 之一")
    rt = state.runtime
    rt.sync_index()
    options = MatchOptions(top=top)
    items = [(None, title, text)] if text else _needs(needs_file)
    with rt.session_factory() as session:
        for need_id, need_title, need_text in items:
            if len(need_text or "") > MAX_TEXT_CHARS:
                click.echo(f"提示：需求 {need_id or ''} 超过 {MAX_TEXT_CHARS} 字，只使用前 "
                           f"{MAX_TEXT_CHARS} 字匹配", err=True)
            matches = patents_for_profile(session, rt.search, build_profile(need_title, need_text),
                                          options, similarity=text_similarity(
                                              session, rt.vectors, need_title, need_text))
            session.commit()   # vectors encoded on the way are kept for the next run
            if not matches:
                click.echo(f"提示：需求 {need_id or ''} 没有找到匹配的专利；请补充具体的技术问题、"
                           "产品或材料名称", err=True)
            click.echo(_result_line(need_id, matches))


def _needs(path: Path):
    for line, rec, error in read_jsonl(path):
        if rec is None:
            click.echo(f"第 {line} 行跳过：{error}", err=True)
            continue
        yield rec.get("id"), rec.get("title") or "", rec.get("text") or ""


@cli.command("worker")
@click.option("--once", is_flag=True, help="Process what is queued, then exit.")
@click.option("--poll", default=POLL_SECONDS, show_default=True, help="Seconds between polls when idle (also how often index work is applied).")
@click.option("--nice", type=click.IntRange(0, 19), default=None,
              help="Lower this process's CPU priority by N (default: MATCHMAKER_WORKER_NICE).")
@pass_state
def worker_cmd(state: State, once: bool, poll: float, nice: int | None) -> None:
    """Run background jobs (matching, reminders); run one or more of these in production."""
    from ..jobs.worker import run_forever, run_until_empty
    from ..text import warm_up
    rt = state.runtime
    nice = rt.settings.worker_nice if nice is None else nice
    if nice:
        # Before any thread starts: on Linux the niceness is per thread, and the lease
        # heartbeat threads inherit it from this one.
        os.nice(nice)
    warm_up()
    if once:
        n = run_until_empty(rt)
        click.echo(f"已处理 {n} 个任务")
        return
    click.echo("后台任务进程已启动（Ctrl+C 退出）", err=True)
    try:
        run_forever(rt, poll=poll)
    except KeyboardInterrupt:
        sys.exit(0)
