"""Process entry points for the concurrency tests (importable, so the "spawn" context works).

Each worker builds its own runtime from the pickled settings, waits on a barrier so the
processes really overlap, does its job, and reports through its exit code.
"""
from __future__ import annotations

import dataclasses

from sqlalchemy import select


def _runtime(settings, index_on_commit: bool = False):
    from matchmaker.runtime import build_runtime
    return build_runtime(dataclasses.replace(settings, index_on_commit=index_on_commit))


def upsert_ids(settings, ids: list[int], batch: int, barrier) -> None:
    """Load the given patents and upsert them, one writer (one lock round) per batch."""
    from matchmaker.search import indexer
    from matchmaker.text.segmenter import get_segmenter

    get_segmenter()  # load the dictionary before the race starts
    rt = _runtime(settings)
    barrier.wait(timeout=60)
    with rt.session_factory() as session:
        for i in range(0, len(ids), batch):
            objs = indexer._load(session, "patent", ids[i:i + batch])
            rt.search.upsert("patent", [indexer.to_document("patent", o) for o in objs])
            session.expunge_all()
    rt.dispose()


def apply_outbox(settings, batch: int, barrier) -> None:
    """Run apply_pending on the shared outbox."""
    from matchmaker.search import indexer
    from matchmaker.text.segmenter import get_segmenter

    get_segmenter()
    rt = _runtime(settings)
    barrier.wait(timeout=60)
    indexer.apply_pending(rt.session_factory, rt.search, batch=batch)
    rt.dispose()


def retitle(settings, ids: list[int], title: str, barrier) -> None:
    """Edit patents one commit at a time through an indexing runtime (after-commit applier)."""
    from matchmaker.models import Patent
    from matchmaker.text.segmenter import get_segmenter

    get_segmenter()
    rt = _runtime(settings, index_on_commit=True)
    barrier.wait(timeout=60)
    with rt.session_factory() as session:
        for pid in ids:
            patent = session.scalar(select(Patent).where(Patent.id == pid))
            patent.title = f"{title}{pid}"
            session.commit()
    # the after-commit apply swallows (and logs) failures; make leftovers fail the test loudly
    rt.dispose()
