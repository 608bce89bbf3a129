"""Vectors shipped in a file (the demo's): installed only where they still encode the object's
current texts."""
from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import delete, select

from matchmaker.models import OrgKind, Patent, TextVector
from matchmaker.semantic.bundle import load_bundle, save_arrays, write_bundle
from matchmaker.semantic.store import NEED, PATENT, VectorStore, pack, unpack
from matchmaker.semantic.encoder import shared_encoder
from tests.factories import make_need, make_org
from tests.matching.helpers import add_corpus


@pytest.fixture
def encoded(session):
    """The test corpus and one need, every vector encoded and stored."""
    uni, ent = make_org(session, OrgKind.UNIVERSITY), make_org(session, OrgKind.ENTERPRISE)
    patents = {k: p.id for k, p in add_corpus(session, uni).items()}
    need = make_need(session, ent, source_id="NEED-1",
                     description="我们厂生产动力电池。" * 30 + "正极材料循环寿命不足，想找包覆改性技术。")
    session.commit()
    store = VectorStore(shared_encoder())
    for kind in (PATENT, NEED):
        store.sync(session, kind)
    session.commit()
    before = {(r.kind, r.object_id): store_rows(r) for r in session.scalars(select(TextVector))}
    return store, patents, need.id, before


def store_rows(row: TextVector) -> np.ndarray:
    return unpack(row.vector)


def test_a_bundle_round_trip_installs_what_is_still_current(session, tmp_path, encoded):
    store, patents, need_id, before = encoded
    path = tmp_path / "vectors.npz"
    assert write_bundle(session, path) == {PATENT: len(patents), NEED: 1}
    session.execute(delete(TextVector))
    session.get(Patent, patents["film"]).abstract = "一种用于高盐废水的蒸发结晶装置。"   # edited since
    session.commit()
    assert load_bundle(session, path) == len(patents) - 1 + 1
    session.commit()
    after = {(r.kind, r.object_id): store_rows(r) for r in session.scalars(select(TextVector))}
    assert (PATENT, patents["film"]) not in after            # its shipped vector is stale
    assert store.stale_ids(session, PATENT, list(patents.values())) == [patents["film"]]
    assert after[(NEED, need_id)].shape[0] == 3               # a need keeps its windows
    for key, rows in after.items():                           # int8 in the file: cosines move ~1e-4
        assert rows.shape == before[key].shape
        assert np.all(np.sum(rows * before[key], axis=1) > 0.999)
    assert load_bundle(session, path) == 0                    # nothing twice


def test_a_bundle_of_another_model_or_no_bundle_installs_nothing(session, tmp_path, encoded):
    path = tmp_path / "vectors.npz"
    write_bundle(session, path)
    session.execute(delete(TextVector))
    session.commit()
    with np.load(path) as data:
        arrays = dict(data)
    arrays["model"] = np.array("another-model")
    other = tmp_path / "other.npz"
    np.savez_compressed(other, **arrays)
    assert load_bundle(session, other) == 0
    assert load_bundle(session, tmp_path / "missing.npz") == 0
    assert session.scalars(select(TextVector)).all() == []


def test_a_bundle_encoded_outside_a_database_installs(session, tmp_path):
    """scripts/build_corpus_vectors.py encodes corpus records without importing them: the texts
    it derives must give the digests the store expects, or nothing would install."""
    from matchmaker.semantic.encoder import digest, passage_text
    patents = add_corpus(session, make_org(session, OrgKind.UNIVERSITY))
    for key, patent in patents.items():
        patent.source_id = f"CN-{key}"
    session.commit()
    texts = [passage_text(p.title, p.abstract) for p in patents.values()]
    path = tmp_path / "corpus.npz"
    save_arrays(path, {PATENT: ([p.source_id for p in patents.values()],
                                [digest([t]) for t in texts], [1] * len(texts),
                                shared_encoder().passages(texts))})
    assert load_bundle(session, path) == len(patents)
    session.commit()
    assert VectorStore(shared_encoder()).stale_ids(session, PATENT,
                                                   [p.id for p in patents.values()]) == []


def test_a_float16_bundle_keeps_the_vectors_as_the_database_does(session, tmp_path):
    """The evaluation's bundle keeps float16 rows: an int8 row moves a cosine by about 2e-4,
    enough to reorder near-ties, while float16 installs what an encoding job would store."""
    from matchmaker.semantic.encoder import digest, passage_text
    patents = add_corpus(session, make_org(session, OrgKind.UNIVERSITY))
    for key, patent in patents.items():
        patent.source_id = f"CN-{key}"
    session.commit()
    texts = [passage_text(p.title, p.abstract) for p in patents.values()]
    encoded = shared_encoder().passages(texts)
    kinds = {PATENT: ([p.source_id for p in patents.values()], [digest([t]) for t in texts],
                      [1] * len(texts), encoded)}
    exact, small = tmp_path / "f16.npz", tmp_path / "i8.npz"
    save_arrays(exact, kinds, precision="float16")
    save_arrays(small, kinds)
    with np.load(exact) as data:
        assert data["patent_vectors"].dtype == np.float16
    assert load_bundle(session, exact) == len(patents)
    session.commit()
    stored = {r.object_id: unpack(r.vector) for r in session.scalars(select(TextVector))}
    for patent, row in zip(patents.values(), encoded):     # what an encoding job would store
        assert np.array_equal(stored[patent.id], unpack(pack(row[None, :])))
    with np.load(small) as data:
        assert data["patent_vectors"].dtype == np.int8
    with pytest.raises(ValueError):
        save_arrays(tmp_path / "x.npz", kinds, precision="int4")


def test_the_demo_ships_vectors_for_its_patents_and_needs():
    from matchmaker.demo.loader import DATA_DIR
    from matchmaker.semantic.encoder import MODEL_NAME
    with np.load(DATA_DIR / "vectors.npz") as data:
        assert str(data["model"]) == MODEL_NAME
        assert len(data["patent_keys"]) >= 2900 and len(data["need_keys"]) >= 300
        assert data["patent_vectors"].shape[0] == int(data["patent_rows"].sum())


def test_the_evaluation_ships_a_vector_for_every_corpus_patent():
    """scripts/eval_data/corpus_vectors.npz: the channel by meaning scans every patent, so the
    evaluation's figures depend on all 25,518 being there, encoded by the current model."""
    from pathlib import Path
    from matchmaker.semantic.encoder import DIM, MODEL_NAME
    path = Path(__file__).resolve().parents[2] / "scripts" / "eval_data" / "corpus_vectors.npz"
    with np.load(path) as data:
        assert str(data["model"]) == MODEL_NAME
        keys = data["patent_keys"]
        assert len(keys) == len(set(keys.tolist())) == 25_518
        assert data["patent_vectors"].shape == (25_518, DIM)
        assert data["patent_vectors"].dtype == np.float16    # see save_arrays: not int8
        assert set(data["patent_rows"].tolist()) == {1}
        assert len(data["need_keys"]) == 0
