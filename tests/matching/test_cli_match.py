"""`matchmaker match` and `matchmaker worker --once`: the real console script in a subprocess."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from matchmaker.matching.matches import RECOMMEND_THRESHOLD
from sqlalchemy import func, select

from matchmaker.matching.profile import MAX_TEXT_CHARS
from matchmaker.models import Job, Match, OrgKind, Patent
from tests.factories import make_need, make_org

from .helpers import CORPUS, NEED_TEXT, add_corpus

MATCHMAKER = Path(sys.executable).parent / "matchmaker"
pytestmark = pytest.mark.skipif(not MATCHMAKER.exists(), reason="console script not installed")
OWNER = "新疆测试农业大学"


def record(key: str) -> dict:
    title, abstract, _tags, ipc = CORPUS[key]
    return {"id": f"KPZH-{key.upper()}", "title": title, "abstract": abstract,
            "claims": f"1.{title}，其特征在于……。2.根据权利要求1所述的方法。",
            "ipc": [c.replace(" ", "") for c in ipc], "applicant": OWNER, "type": "发明授权",
            "app_date": "2017-08-01", "grant_date": "2019-05-10", "legal_status": "有权-审定授权",
            "source": "test"}


def write_jsonl(path: Path, rows) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n"
                            for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def run(settings, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHMAKER_")}
    env.update(MATCHMAKER_INSTANCE=str(settings.instance_dir),
               MATCHMAKER_DATABASE_URL=settings.database_url,
               MATCHMAKER_INDEX_DIR=str(settings.index_dir),
               MATCHMAKER_SECRET_KEY=settings.secret_key, PYTHONWARNINGS="ignore")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(MATCHMAKER), *args], env=env, cwd=tmp_path, capture_output=True,
                              text=True, timeout=180, stdin=subprocess.DEVNULL)
    return run


@pytest.fixture
def imported(run, session, tmp_path):
    """The corpus imported through the CLI for an owner created beforehand."""
    make_org(session, OrgKind.UNIVERSITY, name=OWNER)
    session.commit()
    corpus = write_jsonl(tmp_path / "patents.jsonl", [record(k) for k in CORPUS])
    res = run("import", "patents", str(corpus), "--owner", OWNER)
    assert res.returncode == 0, res.stderr
    assert "已新增 5，" in res.stdout
    session.expire_all()
    patents = session.scalars(select(Patent)).all()
    assert {p.source_id for p in patents} == {f"KPZH-{k.upper()}" for k in CORPUS}
    assert {p.owner.name for p in patents} == {OWNER}
    return {p.source_id: p for p in patents}


def lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def check_result_line(line: dict, top: int) -> None:
    assert set(line) == {"need_id", "results"}
    assert len(line["results"]) <= top
    scores = [r["score"] for r in line["results"]]
    assert scores == sorted(scores, reverse=True)
    for r in line["results"]:
        assert set(r) == {"patent_id", "score", "recommended", "breakdown"}
        assert r["recommended"] is (r["score"] >= RECOMMEND_THRESHOLD)
        assert isinstance(r["patent_id"], str) and r["patent_id"].startswith("KPZH-")
        assert 0 <= r["score"] <= 100   # the semantic stage's penalty can take all the points
        assert r["score"] == pytest.approx(sum(r["breakdown"].values()), abs=0.011)


def test_match_text_and_needs_file(run, imported, tmp_path):
    title, body = NEED_TEXT["film"]
    res = run("match", "--title", title, "--text", body, "--top", "2")
    assert res.returncode == 0, res.stderr
    [line] = lines(res.stdout)
    check_result_line(line, top=2)
    assert line["need_id"] is None
    assert line["results"][0]["patent_id"] == "KPZH-FILM"

    long_text = (NEED_TEXT["cathode"][1] * 200)[:MAX_TEXT_CHARS + 500]
    needs = write_jsonl(tmp_path / "needs.jsonl", [
        {"id": "N-WATER", "title": NEED_TEXT["wastewater"][0], "text": NEED_TEXT["wastewater"][1]},
        "{not json",
        {"id": "N-LONG", "title": NEED_TEXT["cathode"][0], "text": long_text},
        {"id": "N-NONE", "title": "周末看电影", "text": "吃火锅，听音乐，唱歌跳舞"},
        {"id": 17, "text": NEED_TEXT["film"][1]},
    ])
    res = run("match", "--needs", str(needs), "--top", "3")
    assert res.returncode == 0, res.stderr
    out = lines(res.stdout)
    assert [o["need_id"] for o in out] == ["N-WATER", "N-LONG", "N-NONE", 17]
    for o in out:
        check_result_line(o, top=3)
    by_id = {o["need_id"]: o["results"] for o in out}
    assert by_id["N-WATER"][0]["patent_id"] == "KPZH-WASTEWATER"
    assert by_id["N-LONG"][0]["patent_id"] == "KPZH-CATHODE"
    assert by_id[17][0]["patent_id"] == "KPZH-FILM"
    assert by_id["N-NONE"] == []
    assert len(by_id["N-LONG"]) == 3             # more than 3 patents share words with it
    # hints on stderr: the skipped line, the over-long need, the need without matches
    assert "第 2 行跳过" in res.stderr
    long_hint = [ln for ln in res.stderr.splitlines() if "N-LONG" in ln]
    assert long_hint and str(MAX_TEXT_CHARS) in long_hint[0]
    assert any("N-NONE" in ln and "没有找到" in ln for ln in res.stderr.splitlines())
    assert "N-WATER" not in res.stderr


def test_worker_once_processes_queued_jobs(run, session):
    uni = make_org(session, OrgKind.UNIVERSITY)
    patents = add_corpus(session, uni, ["cathode", "film"])
    title, body = NEED_TEXT["cathode"]
    need = make_need(session, make_org(session), title=title, description=body)
    session.commit()
    res = run("worker", "--once")
    assert res.returncode == 0, res.stderr
    # two match_patent jobs from the listed patents, one match_need job from the need
    assert "已处理 3 个任务" in res.stdout
    session.expire_all()
    best = session.scalars(select(Match).where(Match.need_id == need.id)
                           .order_by(Match.score.desc())).first()
    assert best is not None and best.patent_id == patents["cathode"].id
    assert session.scalar(select(func.count()).select_from(Job).where(Job.state != "done")) == 0
