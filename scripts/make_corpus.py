#!/usr/bin/env python
"""Generate a large, realistic patent corpus from the shared one, for scale benchmarks.

Each generated record recombines real text, seeded: the title of one real patent, the first
sentence of its abstract, then sentences drawn from other abstracts of the same IPC section
(falling back to any), its IPC codes and region from its own record. Every record is distinct
(a sequence number in `id`, and different sentence draws), the vocabulary and sentence lengths
are those of real Chinese patents, and the same seed always gives the same corpus.

    .venv/bin/python scripts/make_corpus.py --size 1000000 --out /tmp/corpus-1m.jsonl
    .venv/bin/python scripts/make_corpus.py --size 100000 --seed 7 | head
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_search import corpus_records, log  # noqa: E402

_SENTENCE = re.compile(r"[^。；;！？]+[。；;！？]?")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text or "") if len(s.strip()) >= 8]


def section(record: dict) -> str:
    """The IPC section of a record ("?" when it has no code): sentences are drawn within it."""
    codes = record.get("ipc") or []
    if isinstance(codes, str):
        codes = [codes]
    return str(codes[0])[:1].upper() if codes and codes[0] else "?"


def generate(size: int, seed: int = 42, records: list[dict] | None = None) -> Iterator[dict]:
    """`size` records in the shared corpus format (id, title, abstract, ipc, …)."""
    rng = random.Random(seed)
    records = records if records is not None else corpus_records()
    base = [r for r in records if r.get("abstract")]
    pools: dict[str, list[str]] = {}
    everything: list[str] = []
    for r in base:
        for s in sentences(r["abstract"])[1:]:
            pools.setdefault(section(r), []).append(s)
            everything.append(s)
    for n in range(size):
        r = base[n % len(base)] if n < len(base) else rng.choice(base)
        pool = pools.get(section(r)) or everything
        own = sentences(r["abstract"])
        body = own[:1] + rng.sample(pool, k=min(len(pool), rng.randint(2, 5)))
        title = r.get("title") or ""
        out = {k: v for k, v in r.items() if k not in ("id", "app_no", "pub_no", "abstract", "claims")}
        out.update(id=f"gen-{seed}-{n}", title=title, abstract="".join(body))
        yield out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", type=Path, help="JSON Lines file (default: stdout)")
    args = ap.parse_args(argv)
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    try:
        for i, rec in enumerate(generate(args.size, args.seed), 1):
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            if i % 100_000 == 0:
                log(f"generated {i:,}/{args.size:,}")
    finally:
        if args.out:
            out.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
