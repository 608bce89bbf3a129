"""The need's match page with the semantic stage on: the penalty is explained and adds up."""
from __future__ import annotations

import re

import pytest

from tests.web.helpers import login, text
from tests.web.test_matches_pages import scene  # noqa: F401  (the same scene, stage on)


@pytest.fixture
def semantic_rerank() -> bool:
    return True


def test_the_semantic_penalty_is_listed_and_the_points_add_up(client, scene):  # noqa: F811
    login(client, scene.ent_user.login)
    page = text(client.get(f"/matches/need/{scene.need.id}"))
    assert page.index(scene.coating.title) < page.index(scene.electrolyte.title)
    lines = re.findall(r'data-testid="counted-signals">计分依据：(.*?)（合计 ([\d.]+) 分', page, re.S)
    assert len(lines) >= 2
    penalized = [(parts, total) for parts, total in lines if "语义相近 -" in parts]
    assert penalized, "the candidate that is not first by meaning loses points, and says so"
    for parts, total in lines:
        points = [float(p) for p in re.findall(r" ([+-]\d+\.\d) 分", parts)]
        assert sum(points) == pytest.approx(float(total), abs=0.1 * len(points))
    assert 'data-signal="semantic"' in page
    assert "-0.0 分" not in page   # the closest in meaning loses nothing, and says so
