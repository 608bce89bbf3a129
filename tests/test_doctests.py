"""The examples in docstrings are part of the documentation: they must stay true."""
from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "matchmaker.text.normalize", "matchmaker.text.tokenize", "matchmaker.text.titles",
    "matchmaker.text.synonyms", "matchmaker.search.query", "matchmaker.matching.evaluation",
    "matchmaker.matching.scorers", "matchmaker.matching.profile", "matchmaker.search.highlight",
    "matchmaker.search.documents", "matchmaker.matching.fusion", "matchmaker.params",
    "matchmaker.custody.annuities", "matchmaker.audit_view", "matchmaker.catalog.sources",
    "matchmaker.licensing.transitions", "matchmaker.demo.logins", "matchmaker.profiles.sme",
    "matchmaker.indicators.table", "matchmaker.indicators.targets", "matchmaker.matching.priority",
    "matchmaker.semantic.encoder", "matchmaker.semantic.background", "matchmaker.matching.matches",
    "matchmaker.semantic.nearest",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
