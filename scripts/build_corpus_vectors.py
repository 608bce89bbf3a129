#!/usr/bin/env python
"""Encode every patent of the shared corpus once and keep the vectors beside the evaluation
data (scripts/eval_data/corpus_vectors.npz, the bundle format of matchmaker/semantic/bundle.py).

Why a file: the semantic stage and the channel by meaning need a vector for every patent of the
25,518-patent evaluation corpus (the first build took 1 h 40 min on two cores, its workers then
running two threads each; 43 min with one thread each), and an evaluation instance is
then ready in minutes. The rows are kept as float16, as the database stores them: the first
bundle was int8, whose error (a mean 2e-4 on a cosine) reordered the semantic stage's near-ties
and moved Recall@10 by 0.06, so a fresh instance and one that had encoded its own vectors gave
different figures. `corpus_instance.py` installs it (rows whose texts no longer give the stored
digest are skipped and encoded on first use, as any other).

    .venv/bin/python scripts/build_corpus_vectors.py [--procs 2]

Run again when the encoder or the passage text (matchmaker/semantic/encoder.py) changes.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import click  # noqa: E402
import numpy as np  # noqa: E402

from matchmaker.semantic.bundle import save_arrays  # noqa: E402
from matchmaker.semantic.encoder import digest, passage_text, shared_encoder  # noqa: E402

BUNDLE = ROOT / "scripts" / "eval_data" / "corpus_vectors.npz"
CHUNK = 64


def corpus_passages(data_dir: Path) -> tuple[list[str], list[str]]:
    """(source ids, passage texts) of every corpus record, in file order."""
    from bench_search import corpus_records
    from corpus_instance import PATENT_FILES
    keys, texts = [], []
    seen = set()
    for rec in corpus_records(tuple(data_dir / rel for rel in PATENT_FILES)):
        key = str(rec.get("id") or "")
        if not key or key in seen:
            continue
        seen.add(key)
        keys.append(key)
        texts.append(passage_text(rec.get("title"), rec.get("abstract")))
    return keys, texts


def _encode_chunk(texts: list[str]) -> np.ndarray:
    return shared_encoder().passages(texts)


def _one_thread() -> None:
    """Each worker on one core: the engine's OpenMP threads would otherwise contend for the
    same cores across workers (set before the engine loads)."""
    os.environ["OMP_NUM_THREADS"] = "1"


def main() -> int:
    from corpus_instance import DATA_DIR
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=DATA_DIR)
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--out", type=Path, default=BUNDLE)
    args = ap.parse_args()
    started = time.perf_counter()
    keys, texts = corpus_passages(args.data_dir)
    chunks = [texts[i:i + CHUNK] for i in range(0, len(texts), CHUNK)]
    parts: list[np.ndarray] = []
    with mp.get_context("spawn").Pool(args.procs, initializer=_one_thread) as pool, \
            click.progressbar(length=len(texts), label="encoding patents", file=sys.stderr) as bar:
        for matrix in pool.imap(_encode_chunk, chunks):
            parts.append(matrix)
            bar.update(len(matrix))
    vectors = np.vstack(parts)
    save_arrays(args.out, {"patent": (keys, [digest([t]) for t in texts], [1] * len(keys), vectors)},
                precision="float16")
    print(f"{args.out}: {len(keys)} patents, "
          f"{args.out.stat().st_size / 1e6:.1f} MB, {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
