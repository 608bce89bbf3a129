"""Vectors shipped in a file, so that a known data set (the demo) starts with them.

Encoding the demo's 3,000 patents and 342 needs takes several minutes of CPU; without a bundle
the first matching jobs after `scripts/start` would do it, and suggestions would come in slowly.
A bundle keys each object by its `source_id` and carries the digest of the texts it encodes:
a row is only taken when that digest is what the object's texts give now, so a bundle that is
older than its data set never installs a stale vector (those objects are encoded on first use,
as any other). Rows are kept as int8 with one scale each (half of float16: the demo data stays
small), which moves a cosine by about 2e-4; `save_arrays` can keep float16 rows instead.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Need, Patent, TextVector
from .encoder import DIM, MODEL_NAME
from .store import NEED, PATENT, current_digests, pack, unpack

MODELS = {PATENT: Patent, NEED: Need}


def write_bundle(session: Session, path: Path) -> dict[str, int]:
    """Every current vector of an object with a `source_id`, by kind; returns counts per kind."""
    kinds = {}
    for kind, model in MODELS.items():
        keys = dict(session.execute(select(model.id, model.source_id)
                                    .where(model.source_id.is_not(None), model.source_id != "")).all())
        want = current_digests(session, kind, list(keys))
        rows = [r for r in session.scalars(select(TextVector).where(TextVector.kind == kind)
                                           .order_by(TextVector.object_id))
                if r.object_id in want and r.digest == want[r.object_id] and r.model == MODEL_NAME]
        matrices = [unpack(r.vector) for r in rows]
        kinds[kind] = ([keys[r.object_id] for r in rows], [r.digest for r in rows],
                       [len(m) for m in matrices],
                       np.vstack(matrices) if matrices else np.zeros((0, DIM)))
    save_arrays(path, kinds)
    return {kind: len(value[0]) for kind, value in kinds.items()}


def save_arrays(path: Path, kinds: dict[str, tuple[list[str], list[str], list[int], np.ndarray]],
                *, precision: str = "int8") -> None:
    """Write a bundle from, per kind, (source ids, digests, rows per object, stacked rows);
    kinds not given are written empty. Also used by scripts that encode outside a database.

    `precision` "float16" keeps the rows as the database stores them, at twice the size: the
    evaluation corpus's bundle is kept so, because int8's error (a mean 2e-4 on a cosine)
    reorders the semantic stage's near-ties enough to move Recall@10 by 0.06 on the development
    needs (README, Matching quality), so an evaluation on int8 rows does not measure what a
    deployment, which encodes its own vectors, ranks."""
    if precision not in ("int8", "float16"):
        raise ValueError(f"unknown precision {precision!r}")
    arrays: dict[str, np.ndarray] = {"model": np.array(MODEL_NAME)}
    for kind in MODELS:
        keys, digests, rows, matrix = kinds.get(kind, ([], [], [], np.zeros((0, DIM))))
        arrays[f"{kind}_keys"] = np.array(keys, dtype=str)
        arrays[f"{kind}_digests"] = np.array(digests, dtype=str)
        arrays[f"{kind}_rows"] = np.array(rows, dtype=np.int32)
        arrays[f"{kind}_vectors"], arrays[f"{kind}_scales"] = (
            _quantize(np.asarray(matrix)) if precision == "int8"
            else (np.asarray(matrix, dtype=np.float16), np.ones(len(matrix), dtype=np.float32)))
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **arrays)


def load_bundle(session: Session, path: Path) -> int:
    """Install the bundle's vectors whose digest matches their object's current texts, for
    objects that have none yet; returns how many were installed."""
    if not path.exists():
        return 0
    with np.load(path, allow_pickle=False) as data:
        if str(data["model"]) != MODEL_NAME:
            return 0
        installed = 0
        for kind, model in MODELS.items():
            keys = data[f"{kind}_keys"].tolist()
            if not keys:
                continue
            ids = dict(session.execute(select(model.source_id, model.id)
                                       .where(model.source_id.in_(keys))).all())
            want = current_digests(session, kind, list(ids.values()))
            have = set(session.scalars(select(TextVector.object_id).where(
                TextVector.kind == kind, TextVector.object_id.in_(list(ids.values())))))
            ends = np.cumsum(data[f"{kind}_rows"])
            vectors = _dequantize(data[f"{kind}_vectors"], data[f"{kind}_scales"])
            for key, dig, end, count in zip(keys, data[f"{kind}_digests"].tolist(), ends,
                                            data[f"{kind}_rows"]):
                object_id = ids.get(key)
                if object_id is None or object_id in have or want.get(object_id) != dig:
                    continue
                session.add(TextVector(kind=kind, object_id=object_id, model=MODEL_NAME,
                                       digest=dig, vector=pack(vectors[end - count:end])))
                have.add(object_id)
                installed += 1
        session.flush()
    return installed


def _quantize(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 codes and one float32 scale per row."""
    scales = np.abs(rows).max(axis=1) / 127
    scales = np.where(scales > 0, scales, 1.0).astype(np.float32)
    return np.round(rows / scales[:, None]).astype(np.int8), scales


def _dequantize(codes: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """Rows back: int8 codes scaled and L2-normalized again; float16 rows as they are (what
    an encoding job would have stored)."""
    if codes.dtype != np.int8:
        return codes.astype(np.float32)
    rows = codes.astype(np.float32) * scales[:, None]
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)
