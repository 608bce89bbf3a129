"""The semantic suites run with the re-ranking stage on (the other suites turn it off)."""
from __future__ import annotations

import pytest

from matchmaker.models import OrgKind
from tests.factories import make_org
from tests.matching.helpers import add_corpus


@pytest.fixture
def semantic_rerank() -> bool:
    return True


@pytest.fixture
def corpus(runtime, session) -> dict[str, int]:
    """The five patents of tests.matching.helpers.CORPUS, committed (so indexed): key → id."""
    uni = make_org(session, OrgKind.UNIVERSITY)
    out = {k: p.id for k, p in add_corpus(session, uni).items()}
    session.commit()
    return out
