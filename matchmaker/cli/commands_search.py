"""`matchmaker search QUERY`: the patent search of the pages and the API, from the shell."""
from __future__ import annotations

import json

import click

from ..search.serialize import page_json
from ..search.service import SearchRequest, search_patents
from .base import State, cli, pass_state


@cli.command("search")
@click.argument("query")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 100),
              help="How many results (the first page of this size).")
@click.option("--json", "as_json", is_flag=True, help="The API's JSON answer.")
@pass_state
def search_cmd(state: State, query: str, top: int, as_json: bool) -> None:
    """Search listed patents as an anonymous visitor does: the same ranking as
    /api/patents/search?q=QUERY&per_page=TOP."""
    rt = state.runtime
    rt.sync_index()
    with rt.session_factory() as session:
        page = search_patents(session, rt.search, None, SearchRequest(q=query, per_page=top))
        if as_json:
            click.echo(json.dumps(page_json(page), ensure_ascii=False))
            return
        if page.partial:
            click.echo("没有同时包含全部词的结果，以下为部分匹配")
        click.echo(f"共 {page.total} 件专利" + (f"，显示前 {len(page.hits)} 件" if page.hits else ""))
        for rank, hit in enumerate(page.hits, start=1):
            key = hit.obj.app_no or hit.obj.source_id or f"#{hit.id}"
            click.echo(f"{rank:>3}. [{hit.score:7.2f}] {key}  {hit.plain_title}")
        if not page.hits and page.suggestions:
            click.echo("您是否要找：" + "、".join(page.suggestions))
