"""Nearest neighbours by meaning over every stored vector of a kind: the matcher's third channel.

The lexical channels cannot find a patent that states the need's problem in other words (a need
asking to 破乳 oily waste water, a patent on 油水分离 of 含油污水; README, Matching quality), and
the semantic stage only re-orders what they found. This channel asks the vectors themselves: the
query's rows against every stored row, an object's similarity being its closest pair of rows (as
`store.cosine`). An exact scan, not an approximate index: 25,000 patents × 384 dimensions is
one matrix product of about 10 ms, well inside the matching budget, and exact answers keep the
evaluation free of an index's recall loss.

What is scanned is what the database holds for the current model, stale rows included (an edited
patent keeps its older vector until it is re-encoded: near enough to retrieve it, and the
semantic stage re-encodes what it scores).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import TextVector
from .encoder import DIM, MODEL_NAME


@dataclass(frozen=True)
class VectorMatrix:
    """All stored rows of one kind, grouped by object: `owners[i]` is the object of the
    `starts[i]`-th row onwards (rows of one object are contiguous)."""

    owners: np.ndarray      # object ids, one per object, ascending
    starts: np.ndarray      # index of each object's first row
    rows: np.ndarray        # (rows × DIM) float32, L2-normalized

    def __len__(self) -> int:
        return len(self.owners)

    def nearest(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The `k` objects closest to `query` (one or more rows), closest first, with their
        cosine; ties by id.

        >>> m = VectorMatrix.from_objects({5: np.array([[1.0, 0.0]]),
        ...                                9: np.array([[0.0, 1.0], [0.6, 0.8]])})
        >>> [(i, round(c, 2)) for i, c in m.nearest(np.array([1.0, 0.0]), 2)]
        [(5, 1.0), (9, 0.6)]
        >>> m.nearest(np.array([0.0, 1.0]), 1)
        [(9, 1.0)]
        """
        if not len(self) or k <= 0:
            return []
        per_row = (self.rows @ np.atleast_2d(query).T).max(axis=1)
        best = np.maximum.reduceat(per_row, self.starts)
        k = min(k, len(best))
        top = np.argpartition(-best, k - 1)[:k] if k < len(best) else np.arange(len(best))
        order = sorted(top, key=lambda j: (-best[j], self.owners[j]))
        return [(int(self.owners[j]), float(best[j])) for j in order]

    @classmethod
    def from_objects(cls, vectors: dict[int, np.ndarray]) -> "VectorMatrix":
        ids = sorted(vectors)
        matrices = [np.atleast_2d(np.asarray(vectors[i], dtype=np.float32)) for i in ids]
        sizes = [len(m) for m in matrices]
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64) if ids else \
            np.zeros(0, dtype=np.int64)
        rows = np.vstack(matrices) if matrices else np.zeros((0, DIM), dtype=np.float32)
        return cls(np.array(ids, dtype=np.int64), starts, rows)


def load_matrix(session: Session, kind: str) -> VectorMatrix:
    """Every stored vector of `kind` for the current model (about 0.2 s at 25,000 patents)."""
    stmt = (select(TextVector.object_id, TextVector.vector)
            .where(TextVector.kind == kind, TextVector.model == MODEL_NAME)
            .order_by(TextVector.object_id))
    vectors = {}
    for object_id, blob in session.execute(stmt):
        vectors[object_id] = np.frombuffer(blob, dtype=np.float16).reshape(-1, DIM)
    return VectorMatrix.from_objects(vectors)
