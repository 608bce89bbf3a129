"""rjieba is used only because it segments like jieba with the same user dictionary."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from itertools import islice
from pathlib import Path

import pytest

from matchmaker.text.normalize import normalize
from matchmaker.text.segmenter import ENV_BACKEND, make_segmenter, warm_up

PATENTS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "patents"
SENTENCES = [
    "本发明公开了一种锂离子电池正极材料及其制备方法，所述正极材料包括石墨烯涂层。",
    "一种5G通讯电缆故障监控系统，包括信号采样模块、补偿反馈模块和充电桩。",
    "企业需要开发高韧性立方氮化硼CBN单晶新牌号，粒度0.5mm，温度1200℃。",
    "基于深度学习的目标检测方法，采用卷积神经网络对遥感图像进行语义分割。",
]


def corpus_sample(limit: int = 800) -> list[str]:
    """Every 30th shared patent (title + abstract), or the built-in sentences without it."""
    docs: list[str] = []
    for name in ("patents.jsonl", "patents_bdci2022.jsonl"):
        path = PATENTS / name
        if path.exists():
            with path.open(encoding="utf-8") as handle:
                for line in islice(handle, 0, None, 30):
                    record = json.loads(line)
                    docs.append(" ".join(filter(None, (record.get("title"), record.get("abstract")))))
    return [normalize(doc) for doc in (docs[:limit] or SENTENCES)]


def test_rjieba_matches_jieba_with_the_user_dictionary() -> None:
    pytest.importorskip("rjieba")
    jieba_seg = make_segmenter("jieba")
    rjieba_seg = make_segmenter("rjieba")
    assert (jieba_seg.name, rjieba_seg.name) == ("jieba", "rjieba")
    docs = SENTENCES + corpus_sample()
    differing = [doc for doc in docs if jieba_seg.cut(doc) != rjieba_seg.cut(doc)]
    # Full corpus: 5 of 25,889 documents differ (DAG ties, OCR noise); allow that rate.
    assert len(differing) <= max(1, len(docs) // 500), differing[:3]
    for word in ("锂离子电池", "其特征在于", "3d打印"):
        assert jieba_seg.is_word(word) and rjieba_seg.is_word(word)
    assert not rjieba_seg.is_word("锂离") and not jieba_seg.is_word("锂离")  # prefixes


def test_unknown_backend_is_rejected() -> None:
    with pytest.raises(ValueError):
        make_segmenter("hanlp")


def test_environment_selects_the_jieba_fallback() -> None:
    code = ("import matchmaker.text as t, jieba; print(t.warm_up(), jieba.dt.initialized, "
            "'/'.join(t.tokenize('氧化石墨烯的制备')))")
    env = {**os.environ, ENV_BACKEND: "jieba"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=120, env=env)
    assert result.stdout.split() == ["jieba", "True", "氧化/石墨烯/制备"]


def test_warm_up_reports_the_backend() -> None:
    assert warm_up() in {"rjieba", "jieba"}
