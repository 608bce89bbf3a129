"""The encoder itself: real model, real vectors."""
from __future__ import annotations

import numpy as np

from matchmaker.semantic.encoder import (DIM, PASSAGE_CHARS, Encoder, digest, passage_text,
                                         query_windows, shared_encoder)

[FRIDGE_NEED] = query_windows("冰箱保鲜抽屉降氧", "我们做冰箱，想让果蔬抽屉里的氧气少一点，延长蔬菜保鲜时间。")
FRIDGE_PATENT = passage_text("冷藏冷冻装置", "一种冷藏冷冻装置，包括箱体和储物空间，通过富氮膜组件"
                             "降低储物空间内的氧气含量，实现食品的气调保鲜。")
BATTERY_PATENT = passage_text("一种锂离子电池正极材料", "采用磷酸铁锂包覆改性三元材料，提高循环寿命。")


def test_a_paraphrase_is_closer_than_an_unrelated_patent():
    enc = shared_encoder()
    need = enc.queries([FRIDGE_NEED])[0]
    fridge, battery = enc.passages([FRIDGE_PATENT, BATTERY_PATENT])
    assert need.shape == (DIM,)
    assert np.linalg.norm(need) == np.float32(1.0) or abs(np.linalg.norm(need) - 1) < 1e-3
    assert need @ fridge > need @ battery + 0.005   # e5 cosines crowd into a narrow band


def test_batches_and_single_texts_agree():
    enc = Encoder()
    both = enc.passages([FRIDGE_PATENT, BATTERY_PATENT])
    one = enc.passages([BATTERY_PATENT])[0]
    assert both.shape == (2, DIM)
    assert float(both[1] @ one) > 0.999
    assert enc.passages([]).shape == (0, DIM)


def test_texts_are_cut_normalized_and_identified():
    long = passage_text("标题", "长" * 1000)
    assert long == "标题。" + "长" * PASSAGE_CHARS
    assert query_windows("軟體", "") == ["软件"]       # traditional input folds like the index
    assert digest([long]) != digest([long[:-1]])
    assert digest(["甲", "乙"]) != digest(["甲乙"])


def test_a_need_is_cut_into_windows_each_with_its_title():
    windows = query_windows("标题", "甲" * 128 + "乙" * 128 + "丙" * 600)
    assert windows == ["标题。" + "甲" * 128, "标题。" + "乙" * 128,
                       "标题。" + "丙" * 128, "标题。" + "丙" * 128]   # the rest is not encoded
