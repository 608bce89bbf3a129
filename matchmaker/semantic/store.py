"""Vectors kept in the database, computed on first use and recomputed when the text changes.

Matching asks for the vectors of its best few dozen candidates only, so a corpus never has to
be encoded up front: what is missing is encoded then (up to `online_limit` per call, so a page
never waits for a whole corpus) and stored in the caller's transaction. `sync` encodes
everything ahead of time (`matchmaker vectors sync`); a bulk import queues jobs that encode what
it listed (.jobs), because the channel by meaning sees stored vectors only.

An object's vectors are a matrix, one row per encoded text (a patent: one passage; a need: up to
four query windows, see .encoder); two objects are as similar as their closest pair of rows.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

import numpy as np
from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session

from ..models import Need, Patent, TextVector
from .background import MIN_SAMPLE, Background, sample_ids
from .encoder import DIM, MODEL_NAME, Encoder, digest, passage_text, query_windows
from .nearest import VectorMatrix, load_matrix

PATENT, NEED = "patent", "need"
BATCH = 32
BACKGROUND_TTL = 300.0
# How long a process scans the same snapshot of a kind's vectors for nearest neighbours: vectors
# stored since by another process (new patents) join the channel by meaning at the next read;
# those this process encodes drop its snapshot at once (`vectors`).
MATRIX_TTL = 300.0


def _texts(session: Session, kind: str, ids: Iterable[int]) -> dict[int, list[str]]:
    """The texts each object is encoded as (one row of its matrix each)."""
    ids = list(ids)
    if not ids:
        return {}
    if kind == PATENT:
        rows = session.execute(select(Patent.id, Patent.title, Patent.abstract)
                               .where(Patent.id.in_(ids))).all()
        return {i: [passage_text(t, a)] for i, t, a in rows}
    rows = session.execute(select(Need.id, Need.title, Need.description).where(Need.id.in_(ids))).all()
    return {i: query_windows(t, d) for i, t, d in rows}


def pack(matrix: np.ndarray) -> bytes:
    """An object's vectors as stored in `TextVector.vector` (float16 rows)."""
    return np.asarray(matrix, dtype=np.float16).tobytes()


def unpack(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float16).astype(np.float32).reshape(-1, DIM)


@dataclass(frozen=True)
class Similarities:
    """What the semantic stage learns of its candidates: the cosine of each (it orders them)
    and, when the catalog has a background, its calibrated closeness (recommendations use it)."""

    cosine: dict[int, float]
    closeness: dict[int, float] | None = None


@dataclass
class VectorStore:
    """Database-backed vectors of one encoder. `online_limit` caps what one call encodes."""

    encoder: Encoder
    online_limit: int = 40
    # (read at, background or None, every member had a vector): see `background`.
    _background: tuple[float, Background | None, bool] | None = field(default=None, init=False,
                                                                      repr=False)
    # kind → (read at, every stored vector of it): see `matrix`.
    _matrices: dict[str, tuple[float, VectorMatrix]] = field(default_factory=dict, init=False,
                                                            repr=False)

    def vectors(self, session: Session, kind: str, ids: Sequence[int], *,
                limit: int | None = None) -> dict[int, np.ndarray]:
        """Current vectors of `ids`, a (texts × DIM) matrix each (missing or stale ones encoded
        and stored, up to `limit`, default `online_limit`); ids still without vectors are absent
        from the answer."""
        texts = _texts(session, kind, ids)
        if not texts:
            return {}
        stored = {r.object_id: r for r in session.scalars(
            select(TextVector).where(TextVector.kind == kind, TextVector.object_id.in_(list(texts))))}
        out: dict[int, np.ndarray] = {}
        todo: list[int] = []
        for i, parts in texts.items():
            row = stored.get(i)
            if row is not None and row.digest == digest(parts):
                out[i] = unpack(row.vector)
            else:
                todo.append(i)
        todo = todo[: self.online_limit if limit is None else limit]
        for i, matrix in zip(todo, self._encode(kind, [texts[i] for i in todo])):
            self._put(session, stored.get(i), kind, i, texts[i], matrix)
            out[i] = matrix
        if todo:   # this process's scan by meaning sees them at its next read, not in MATRIX_TTL
            self._matrices.pop(kind, None)
        return out

    def similarity(self, session: Session, kind: str, query: np.ndarray | None,
                   background: Background | None = None) -> "QuerySimilarity | None":
        """For the matching engine: what `query` is like in meaning to objects of `kind` (None
        without a query vector). See `QuerySimilarity`."""
        if query is None:
            return None
        return QuerySimilarity(self, session, kind, query, background)

    def matrix(self, session: Session, kind: str) -> VectorMatrix:
        """Every stored vector of `kind`, re-read after MATRIX_TTL seconds."""
        cached = self._matrices.get(kind)
        if cached is None or time.monotonic() - cached[0] >= MATRIX_TTL:
            cached = (time.monotonic(), load_matrix(session, kind))
            self._matrices[kind] = cached
        return cached[1]

    def background(self, session: Session, *, top_up: int = 0) -> Background | None:
        """The catalog's background sample (see .background), encoding up to `top_up` of its
        missing members first; None while fewer than MIN_SAMPLE of them have vectors.

        Reading it costs about 50 ms (the members' texts decide whether their vectors are
        current), so it is kept for BACKGROUND_TTL seconds: an edited member or a growing
        catalog moves the level of every need alike and only slightly."""
        cached = self._background
        if cached is not None and time.monotonic() - cached[0] < BACKGROUND_TTL \
                and (cached[2] or not top_up):
            return cached[1]
        ids = sample_ids(session)
        found = self.vectors(session, PATENT, ids, limit=top_up)
        background = (Background(np.vstack([found[i] for i in ids if i in found]))
                      if len(found) >= MIN_SAMPLE else None)
        self._background = (time.monotonic(), background, len(found) == len(ids))
        return background

    def text_vector(self, title: str, text: str) -> np.ndarray:
        """A free text asking for patents, encoded as a need is (not stored: `matchmaker match
        --text`, evaluations)."""
        return self.encoder.queries(query_windows(title, text))

    def sync(self, session: Session, kind: str, *, stale: Sequence[int] | None = None,
             progress: Callable[[int, int], None] | None = None,
             commit: Callable[[], None] | None = None) -> int:
        """Encode every missing or stale vector of `kind` (`stale`: as `all_stale` found them),
        in batches, each followed by `commit` when given, so a long run keeps its work; returns
        how many were encoded."""
        stale = self.all_stale(session, kind) if stale is None else list(stale)
        done = 0
        for start in range(0, len(stale), BATCH):
            part = stale[start:start + BATCH]
            self.vectors(session, kind, part, limit=len(part))
            done += len(part)
            if commit:
                commit()
            if progress:
                progress(done, len(stale))
        return done

    def all_stale(self, session: Session, kind: str) -> list[int]:
        """Every object of `kind` whose vector is missing or encodes another text."""
        model = Patent if kind == PATENT else Need
        return self.stale_ids(session, kind, list(session.scalars(select(model.id).order_by(model.id))))

    def stale_ids(self, session: Session, kind: str, ids: Sequence[int]) -> list[int]:
        """Of `ids`, those whose vector is missing or encodes another text."""
        out = []
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            want = current_digests(session, kind, part)
            have = dict(session.execute(select(TextVector.object_id, TextVector.digest).where(
                TextVector.kind == kind, TextVector.object_id.in_(part))).all())
            out += [i for i in part if i in want and have.get(i) != want[i]]
        return out

    def _encode(self, kind: str, texts: list[list[str]]) -> list[np.ndarray]:
        """One matrix per object; all their texts go to the encoder as one batch."""
        encode = self.encoder.passages if kind == PATENT else self.encoder.queries
        rows = encode([t for parts in texts for t in parts])
        bounds = np.cumsum([len(parts) for parts in texts])[:-1]
        return np.split(rows, bounds) if texts else []

    @staticmethod
    def _put(session: Session, row: TextVector | None, kind: str, object_id: int,
             texts: list[str], matrix: np.ndarray) -> None:
        if row is None:
            row = TextVector(kind=kind, object_id=object_id)
            session.add(row)
        row.model, row.digest, row.vector = MODEL_NAME, digest(texts), pack(matrix)


@dataclass(frozen=True)
class QuerySimilarity:
    """One query's similarity by meaning to objects of `kind`, as the matching engine asks it.

    Called with ids, it gives their `Similarities` (ids whose vector could not be had are left
    out, and the engine then keeps its lexical order). With a background, each pair's closeness
    is measured against the *need's* level, whichever side asks, so both directions agree.
    `nearest(k)` gives the k objects closest in meaning among all stored vectors (the engine's
    channel by meaning, see .nearest)."""

    store: VectorStore
    session: Session
    kind: str
    query: np.ndarray
    background: Background | None = None

    def __call__(self, ids: Sequence[int]) -> Similarities:
        found = self.store.vectors(self.session, self.kind, ids)
        cos = cosine(self.query, found)
        if self.background is None:
            return Similarities(cos)
        if self.kind == PATENT:      # the query is the need
            return Similarities(cos, self.background.closeness(self.query, cos))
        return Similarities(cos, {i: self.background.closeness(found[i], {i: c})[i]
                                  for i, c in cos.items()})

    def nearest(self, k: int, min_closeness: float | None = None) -> list[int]:
        """With `min_closeness`, only those at least that close (semantic.background): the
        nearest of a catalog are always *somewhere*, even for a text about nothing in it.
        Without a background nothing can be called close, so the answer is empty."""
        found = self.store.matrix(self.session, self.kind).nearest(self.query, k)
        if min_closeness is None:
            return [i for i, _c in found]
        if self.background is None:
            return []
        close = self([i for i, _c in found]).closeness or {}
        return [i for i, _c in found if close.get(i, float("-inf")) >= min_closeness]


def current_digests(session: Session, kind: str, ids: Iterable[int]) -> dict[int, str]:
    """The digest each object's vectors must carry to be current (its texts as encoded now)."""
    return {i: digest(parts) for i, parts in _texts(session, kind, ids).items()}


def prune(session: Session) -> int:
    """Delete the vectors of patents and needs that no longer exist; returns how many."""
    gone = 0
    for kind, model in ((PATENT, Patent), (NEED, Need)):
        orphans = select(TextVector.kind, TextVector.object_id).where(
            TextVector.kind == kind, TextVector.object_id.not_in(select(model.id)))
        keys = session.execute(orphans).all()
        if keys:
            session.execute(delete(TextVector).where(
                tuple_(TextVector.kind, TextVector.object_id).in_([tuple(k) for k in keys])))
            gone += len(keys)
    return gone


def cosine(query: np.ndarray, vectors: dict[int, np.ndarray]) -> dict[int, float]:
    """Similarity of one object's vectors with many objects': the cosine of the closest pair of
    rows (all rows are L2-normalized, so dot products)."""
    if not vectors:
        return {}
    query = np.atleast_2d(query)
    return {i: float((np.atleast_2d(m) @ query.T).max()) for i, m in vectors.items()}
