"""Vectors in the database: encoded once, recomputed when the text changes, pruned, synced."""
from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

from matchmaker.models import OrgKind, TextVector
from matchmaker.semantic.encoder import DIM, Encoder, passage_text
from matchmaker.semantic.store import NEED, PATENT, VectorStore, cosine, prune
from tests.factories import make_need, make_org, make_patent
from tests.matching.helpers import CORPUS


class CountingEncoder(Encoder):
    """The real encoder, counting the texts it is given."""

    def __init__(self):
        super().__init__()
        self.encoded: list[str] = []

    def _encode(self, texts, *, query):
        self.encoded += list(texts)
        return super()._encode(texts, query=query)


@pytest.fixture
def store():
    return VectorStore(CountingEncoder())


def test_vectors_are_encoded_once_and_kept(session, store, corpus):
    ids = list(corpus.values())
    first = store.vectors(session, PATENT, ids)
    session.commit()
    assert set(first) == set(ids) and len(store.encoder.encoded) == len(ids)
    again = store.vectors(session, PATENT, ids)
    assert len(store.encoder.encoded) == len(ids)            # nothing encoded the second time
    for i in ids:                                   # stored as float16, still the vector
        assert first[i].shape == again[i].shape == (1, DIM)   # a patent: one passage
        assert float(first[i][0] @ again[i][0]) > 0.999
    rows = session.scalars(select(TextVector).where(TextVector.kind == PATENT)).all()
    assert {r.object_id for r in rows} == set(ids)


def test_an_edited_abstract_is_encoded_again(session, store, corpus):
    pid = corpus["film"]
    before = store.vectors(session, PATENT, [pid])[pid]
    session.commit()
    from matchmaker.models import Patent
    patent = session.get(Patent, pid)
    patent.abstract = "一种用于高盐废水的蒸发结晶装置，实现零排放。"
    session.commit()
    after = store.vectors(session, PATENT, [pid])[pid]
    assert store.encoder.encoded[-1] == passage_text(CORPUS["film"][0], patent.abstract)
    assert float(before[0] @ after[0]) < 0.99


def test_one_call_encodes_at_most_its_limit(session, store, corpus):
    ids = sorted(corpus.values())
    got = store.vectors(session, PATENT, ids, limit=2)
    assert len(got) == 2 and len(store.encoder.encoded) == 2
    assert set(store.stale_ids(session, PATENT, ids)) == set(ids) - set(got)


def test_sync_encodes_the_rest_and_reports_progress(session, store, corpus):
    seen = []
    assert store.sync(session, PATENT, progress=lambda done, total: seen.append((done, total))) == 5
    assert seen[-1] == (5, 5)
    assert store.sync(session, PATENT) == 0
    assert store.stale_ids(session, PATENT, list(corpus.values())) == []


def test_needs_are_queries_and_orphans_are_pruned(session, store, corpus):
    ent = make_org(session, OrgKind.ENTERPRISE)
    need = make_need(session, ent, title="残膜污染", description="棉田地膜回收难，想找可降解地膜。")
    extra = make_patent(session, make_org(session, OrgKind.UNIVERSITY), title="一种滴灌带",
                        abstract="一种农用滴灌带。")
    session.commit()
    nv = store.vectors(session, NEED, [need.id])[need.id]
    pv = store.vectors(session, PATENT, [corpus["film"], corpus["tea"], extra.id])
    session.commit()
    sims = cosine(nv, pv)
    assert sims[corpus["film"]] > sims[corpus["tea"]]
    session.delete(extra)
    session.commit()
    assert prune(session) == 1
    assert session.get(TextVector, (PATENT, extra.id)) is None
    assert session.get(TextVector, (NEED, need.id)) is not None
    assert isinstance(nv, np.ndarray)


def test_a_long_need_is_stored_as_windows_and_matched_by_its_closest_one(session, store, corpus):
    """The problem stated after a company introduction still finds its patent."""
    ent = make_org(session, OrgKind.ENTERPRISE)
    intro = ("我公司成立于2005年，位于昌吉高新区，主要从事农业机械的生产与销售，员工一百余人，" * 4)[:128]
    need = make_need(session, ent, title="合作需求", description=intro + "棉田残膜回收难，想找可降解地膜技术。")
    session.commit()
    nv = store.vectors(session, NEED, [need.id])[need.id]
    session.commit()
    first, second = store.encoder.encoded[-2:]
    assert nv.shape == (2, DIM)
    assert first.startswith("合作需求。我公司成立于2005年") and "残膜" not in first
    assert second.startswith("合作需求。棉田残膜回收难")
    pv = store.vectors(session, PATENT, [corpus["film"]])
    windows = nv @ pv[corpus["film"]][0]
    assert cosine(nv, pv)[corpus["film"]] == pytest.approx(float(windows.max()))
    assert windows[1] > windows[0]          # the window that states the problem is the closer
    again = store.vectors(session, NEED, [need.id])[need.id]
    assert len(store.encoder.encoded) == 2 + 1 and np.allclose(again, nv, atol=1e-2)


def test_cli_sync_and_status(runtime, corpus):
    """The real console script against the test database."""
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path
    exe = shutil.which("matchmaker", path=str(Path(sys.executable).parent))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHMAKER_")}
    env.update(MATCHMAKER_INSTANCE=str(runtime.settings.instance_dir),
               MATCHMAKER_DATABASE_URL=runtime.settings.database_url, PYTHONWARNINGS="ignore")

    def run(*args):
        done = subprocess.run([exe, *args], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout
    assert "专利：共 5 条，已编码 0 条，待编码 5 条" in run("vectors", "status")
    assert "专利：新编码 5 条" in run("vectors", "sync")
    status = run("vectors", "status")
    assert "专利：共 5 条，已编码 5 条，待编码 0 条" in status
    assert "校准背景样本：5 条专利，已编码 5 条（不足 128 条，推荐只看文字匹配得分）" in status


def test_nearest_scans_every_stored_vector(session, store, corpus):
    """The channel by meaning: the patents closest to a need among all stored vectors, without
    any lexical retrieval first."""
    store.vectors(session, PATENT, list(corpus.values()))
    session.commit()
    query = store.text_vector("农田残膜污染", "希望找到可以自然分解的农用薄膜")
    similarity = store.similarity(session, PATENT, query)
    nearest = similarity.nearest(3)
    assert nearest[0] == corpus["film"] and len(nearest) == 3
    cos = similarity(nearest).cosine
    assert [cos[i] for i in nearest] == sorted(cos.values(), reverse=True)
    assert similarity.nearest(50) == similarity.nearest(len(corpus))   # capped at what exists


def test_the_scanned_matrix_is_reread_after_its_ttl(session, store, corpus, monkeypatch):
    from matchmaker.semantic import store as store_module
    first, *rest = corpus.values()
    store.vectors(session, PATENT, [first])
    session.commit()
    assert list(store.matrix(session, PATENT).owners) == [first]
    other_process = VectorStore(store.encoder)
    other_process.vectors(session, PATENT, rest[:2])
    session.commit()
    assert list(store.matrix(session, PATENT).owners) == [first]        # the cached snapshot
    monkeypatch.setattr(store_module, "MATRIX_TTL", 0.0)
    assert sorted(store.matrix(session, PATENT).owners) == sorted([first, *rest[:2]])


def test_what_a_store_encodes_itself_drops_its_snapshot_at_once(session, store, corpus):
    first, *rest = corpus.values()
    store.vectors(session, PATENT, [first])
    session.commit()
    assert list(store.matrix(session, PATENT).owners) == [first]
    store.vectors(session, PATENT, rest)        # e.g. a bulk import's encoding job
    session.commit()
    snapshot = store.matrix(session, PATENT)
    assert sorted(snapshot.owners) == sorted(corpus.values())
    store.vectors(session, PATENT, rest)        # nothing new encoded: the snapshot is kept
    assert store.matrix(session, PATENT) is snapshot


def test_nearest_keeps_only_what_is_close_against_the_background(session, store, corpus):
    """The nearest of a catalog are always somewhere: with a floor, only those unusually close
    for this query count, and without a background none can be called close."""
    from matchmaker.semantic.background import Background
    vectors = store.vectors(session, PATENT, list(corpus.values()))
    session.commit()
    query = store.text_vector("农田残膜污染", "希望找到可以自然分解的农用薄膜")
    assert store.similarity(session, PATENT, query).nearest(3, min_closeness=-99.0) == []
    background = Background(np.vstack(list(vectors.values())))
    similarity = store.similarity(session, PATENT, query, background)
    assert similarity.nearest(5, min_closeness=-99.0) == similarity.nearest(5)
    close = similarity(list(corpus.values())).closeness
    floor = close[corpus["film"]]
    assert similarity.nearest(5, min_closeness=floor) == [
        i for i in similarity.nearest(5) if close[i] >= floor]
    assert corpus["film"] in similarity.nearest(5, min_closeness=floor)
    assert similarity.nearest(5, min_closeness=floor + 99) == []
