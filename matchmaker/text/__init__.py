"""Chinese text pipeline: normalization, segmentation, bigrams and corpus TF-IDF keywords.

Pure functions, no Flask and no database. Importing this package is cheap: the segmentation
dictionary (~1.5 s, ~80 MB with jieba), the OpenCC tables and the IDF table load on first
use; call :func:`warm_up` before forking web workers so that they share one copy.

Note: ``matchmaker.text.tokenize`` and ``matchmaker.text.normalize`` name both a submodule
and the function re-exported here; the package attribute is the function. Import helpers
from the submodules with ``from matchmaker.text.tokenize import ...``.
"""
from __future__ import annotations

from .keywords import build_idf, extract_keywords
from .normalize import normalize
from .segmenter import warm_up
from .tokenize import char_bigrams, iter_char_bigrams, iter_tokens, tokenize, tokenize_for_search

__all__ = [
    "build_idf",
    "char_bigrams",
    "extract_keywords",
    "iter_char_bigrams",
    "iter_tokens",
    "normalize",
    "tokenize",
    "tokenize_for_search",
    "warm_up",
]
