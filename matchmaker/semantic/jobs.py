"""Encoding vectors ahead of matching, as background jobs.

The channel by meaning (`semantic.nearest`) scans only *stored* vectors, and a matching job
encodes only its own object and a few of its candidates. A patent that arrived in bulk would
therefore stay invisible by meaning until someone ran `matchmaker vectors sync`, so a bulk
import queues `encode_vectors` jobs for what it listed. They are queued before the matching
jobs of the same import, and the worker claims jobs in id order, so the matching jobs find
the new vectors in place. `runtime.build_runtime` registers HANDLERS with the worker.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from sqlalchemy import insert
from sqlalchemy.orm import Session

from ..jobs.queue import queued_rows
from ..models import Job

if TYPE_CHECKING:
    from ..runtime import Runtime

KIND = "encode_vectors"
# Objects per job: about 8 s of encoding (0.15-0.2 s a passage). A job is the unit that is
# retried, so a failure costs one batch, not the import's whole encoding.
BATCH = 50


def queue_encoding(session: Session, kind: str, ids: Sequence[int]) -> int:
    """Queue jobs that encode the vectors of `ids` (objects of `kind`: semantic.store.PATENT or
    NEED) in batches of BATCH; returns how many jobs were queued."""
    ids = list(dict.fromkeys(ids))
    rows = queued_rows(KIND, ({"kind": kind, "ids": ids[i:i + BATCH]}
                              for i in range(0, len(ids), BATCH)))
    if rows:
        session.execute(insert(Job), rows)
    return len(rows)


def encode_vectors(rt: Runtime, payload: dict) -> None:
    """Encode the missing or outdated vectors of the payload's objects; current ones are kept.
    Nothing to do when the semantic stage is off (no vector store)."""
    if rt.vectors is None:
        return
    ids = [int(i) for i in payload["ids"]]
    with rt.transaction() as session:
        rt.vectors.vectors(session, str(payload["kind"]), ids, limit=len(ids))


HANDLERS = {KIND: encode_vectors}
