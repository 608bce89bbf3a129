"""The semantic suites run with the re-ranking stage on (the other suites turn it off)."""
from __future__ import annotations

import pytest


@pytest.fixture
def semantic_rerank() -> bool:
    return True
