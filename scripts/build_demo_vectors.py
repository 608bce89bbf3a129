#!/usr/bin/env python
"""Encode the demo data set's patents and needs once and ship the vectors with it
(matchmaker/demo/data/vectors.npz, see matchmaker/semantic/bundle.py).

Run after the demo data changes (scripts/build_demo_data.py) or the encoder does; about 10
minutes on two cores. Without the file the demo still works: its first matching jobs encode
what they need.

    .venv/bin/python scripts/build_demo_vectors.py
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import click  # noqa: E402

from matchmaker.config import Settings  # noqa: E402
from matchmaker.demo.loader import DATA_DIR, load_demo  # noqa: E402
from matchmaker.migrate import upgrade  # noqa: E402
from matchmaker.runtime import build_runtime  # noqa: E402
from matchmaker.semantic.bundle import write_bundle  # noqa: E402
from matchmaker.semantic.store import NEED, PATENT  # noqa: E402

BUNDLE = DATA_DIR / "vectors.npz"


def main() -> int:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        rt = build_runtime(Settings(instance_dir=Path(tmp), index_on_commit=False).resolved())
        upgrade(rt.engine)
        with rt.session_factory() as session:
            load_demo(session, password="build-demo-vectors-1")
            session.commit()
            for kind in (PATENT, NEED):
                stale = rt.vectors.all_stale(session, kind)
                with click.progressbar(length=len(stale), label=f"encoding {kind}s") as bar:
                    rt.vectors.sync(session, kind, stale=stale, commit=session.commit,
                                    progress=lambda done, _total: bar.update(done - bar.pos))
            counts = write_bundle(session, BUNDLE)
        rt.engine.dispose()
    print(f"{BUNDLE.relative_to(ROOT)}: {counts[PATENT]} patents, {counts[NEED]} needs, "
          f"{BUNDLE.stat().st_size / 1e6:.1f} MB, {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
