"""`matchmaker vectors sync|status`: the sentence vectors of the semantic re-ranking stage.

Matching encodes what it needs on first use, and a bulk import queues jobs that encode what it
listed (semantic.jobs); `vectors sync` encodes everything missing ahead of time (about 5
patents a second per two cores), e.g. after the encoder changed."""
from __future__ import annotations

import click
from sqlalchemy import func, select

from ..models import Need, Patent, TextVector
from ..semantic.background import MIN_SAMPLE, members_first, sample_ids
from ..semantic.encoder import shared_encoder
from ..semantic.store import NEED, PATENT, VectorStore, prune
from .base import State, cli, pass_state

LABELS = {PATENT: "专利", NEED: "需求"}


@cli.group("vectors")
def vectors_group() -> None:
    """Sentence vectors for semantic re-ranking."""


def _store(state: State) -> VectorStore:
    return state.runtime.vectors or VectorStore(shared_encoder())


@vectors_group.command("sync")
@click.option("--kind", type=click.Choice(["all", PATENT, NEED]), default="all", show_default=True)
@pass_state
def sync_cmd(state: State, kind: str) -> None:
    """Encode every missing or outdated vector (with a progress bar); each batch is committed."""
    rt, store = state.runtime, _store(state)
    if not rt.settings.semantic_rerank:
        click.echo("提示：MATCHMAKER_SEMANTIC_RERANK 已关闭，匹配不会使用这些向量", err=True)
    with rt.session_factory() as session:
        gone = prune(session)
        session.commit()
        for k in ((PATENT, NEED) if kind == "all" else (kind,)):
            stale = store.all_stale(session, k)
            if k == PATENT:   # the background first: calibrated recommendations need it
                stale = members_first(session, stale)
            with click.progressbar(length=len(stale), label=f"编码{LABELS[k]}向量") as bar:
                done = store.sync(session, k, stale=stale, commit=session.commit,
                                  progress=lambda n, _total: bar.update(n - bar.pos))
            click.echo(f"{LABELS[k]}：新编码 {done} 条")
    if gone:
        click.echo(f"已删除 {gone} 条已不存在对象的向量")


@vectors_group.command("status")
@pass_state
def status_cmd(state: State) -> None:
    """How many patents and needs have a current vector."""
    rt, store = state.runtime, _store(state)
    with rt.session_factory() as session:
        for kind, model in ((PATENT, Patent), (NEED, Need)):
            total = session.scalar(select(func.count()).select_from(model)) or 0
            stale = len(store.all_stale(session, kind))
            stored = session.scalar(select(func.count()).select_from(TextVector)
                                    .where(TextVector.kind == kind)) or 0
            click.echo(f"{LABELS[kind]}：共 {total} 条，已编码 {total - stale} 条，"
                       f"待编码 {stale} 条（库中向量 {stored} 条）")
        sample = sample_ids(session)
        ready = len(sample) - len(store.stale_ids(session, PATENT, sample))
        state_text = ("推荐按语义接近度校准" if ready >= MIN_SAMPLE
                      else f"不足 {MIN_SAMPLE} 条，推荐只看文字匹配得分")
        click.echo(f"校准背景样本：{len(sample)} 条专利，已编码 {ready} 条（{state_text}）")
