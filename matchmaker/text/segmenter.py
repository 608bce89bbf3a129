"""The process-wide word segmenter, loaded lazily and exactly once.

Loading a segmentation dictionary costs ~1.5 s and ~80 MB, so nothing here runs at import
time: the first call to :func:`get_segmenter` (or :func:`warm_up`, used before forking web
workers so they share the pages) builds it. ``jieba`` and ``rjieba`` are imported only then,
because importing ``rjieba`` already builds its default dictionary.

Backends (``MATCHMAKER_TEXT_BACKEND`` = ``auto`` | ``rjieba`` | ``jieba``):

* ``rjieba`` (Rust jieba-rs) cuts ~20x faster on our corpus. It has no ``load_userdict``
  but exposes ``add_word(word, freq, tag)``, which we feed with the same parsed entries as
  jieba. After :func:`canonical_ascii` (below), its precise-mode tokens equal
  jieba-with-userdict on 25,884 of the 25,889 shared patents and needs; the 5 others differ
  on DAG ties, OCR noise (相相相...) and CJK extension characters that jieba's block regex
  excludes (``tests/text/test_text_backends.py`` re-checks a corpus sample). So ``auto``
  prefers it.
* ``jieba`` (pure Python) is the reference and the fallback whenever rjieba is missing.

Both backends receive explicit frequencies from the user dictionary: ``add_word`` with no
frequency would ask each engine's own ``suggest_freq``, which differ in detail.
"""
from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterable, Sequence
from typing import Protocol

from .resources import DictEntry, userdict_entries

ENV_BACKEND = "MATCHMAKER_TEXT_BACKEND"


class Segmenter(Protocol):
    """What the tokenizer needs from an engine: precise cut and a dictionary lookup."""

    name: str

    def cut(self, text: str) -> list[str]:
        """Precise-mode segmentation with HMM; tokens concatenate back to ``text``."""
        ...

    def is_word(self, word: str) -> bool:
        """True if ``word`` is a dictionary word (prefix-only entries do not count)."""
        ...


class JiebaSegmenter:
    """Reference engine; ``shared`` uses the global ``jieba.dt`` so plain jieba calls agree."""

    name = "jieba"

    def __init__(self, entries: Iterable[DictEntry], shared: bool = False) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)  # silence "Building prefix dict..." on stderr
        self._dt = jieba.dt if shared else jieba.Tokenizer()
        self._dt.initialize()
        for entry in entries:
            self._dt.add_word(entry.word, entry.freq, entry.tag)

    def cut(self, text: str) -> list[str]:
        return canonical_ascii(self._dt.lcut(text, cut_all=False, HMM=True))

    def is_word(self, word: str) -> bool:
        return bool(self._dt.FREQ.get(word))


class RjiebaSegmenter:
    """Fast engine; ``shared`` reuses the instance that ``import rjieba`` already built."""

    name = "rjieba"

    def __init__(self, entries: Iterable[DictEntry], shared: bool = False) -> None:
        import rjieba

        default = getattr(rjieba, "_DEFAULT_JIEBA", None)  # private in rjieba 0.2
        self._rj = default if shared and default is not None else rjieba.Jieba()
        for entry in entries:
            self._rj.add_word(entry.word, entry.freq, entry.tag)

    def cut(self, text: str) -> list[str]:
        return canonical_ascii(self._rj.cut(text, True))

    def is_word(self, word: str) -> bool:
        return bool(self._rj.has_word(word))


# jieba splits ASCII runs at letter/number changes (0.01ppm -> 0.01 + ppm, c7-c20 -> c7 - c20)
# while jieba-rs keeps some whole (0.01ppm, z_wave). Both engines' ASCII runs are re-split by
# this one rule, jieba's own (finalseg.re_skip), so ASCII tokens do not depend on the engine:
# "10mm" stays whole, "0.01ppm" gives "0.01" + "ppm", "c7-c20" gives "c7" "-" "c20".
_ASCII_PIECE = re.compile(r"[a-zA-Z0-9]+(?:\.\d+)?%?|.", re.DOTALL)


def canonical_ascii(pieces: list[str]) -> list[str]:
    """Re-split every run of consecutive non-space ASCII pieces with :data:`_ASCII_PIECE`."""
    out: list[str] = []
    append, findall = out.append, _ASCII_PIECE.findall
    run: list[str] = []
    for piece in pieces:
        if piece.isascii() and not piece.isspace():
            run.append(piece)
            continue
        if run:
            out.extend(findall(run[0] if len(run) == 1 else "".join(run)))
            run = []
        append(piece)
    if run:
        out.extend(findall("".join(run)))
    return out


_lock = threading.Lock()
_segmenter: Segmenter | None = None


def make_segmenter(backend: str = "auto", entries: Sequence[DictEntry] | None = None,
                   shared: bool = False) -> Segmenter:
    """Build an engine; ``entries=None`` means the project user dictionary.

    Only :func:`get_segmenter` passes ``shared=True`` (the library's global instance);
    the build script (base dictionary, ``entries=[]``) and tests get private instances.
    """
    if entries is None:
        entries = userdict_entries()
    if backend not in {"auto", "rjieba", "jieba"}:
        raise ValueError(f"unknown segmenter backend {backend!r}")
    if backend in {"auto", "rjieba"}:
        try:
            return RjiebaSegmenter(entries, shared)
        except ImportError:
            if backend == "rjieba":
                raise
    return JiebaSegmenter(entries, shared)


def get_segmenter() -> Segmenter:
    """The process-wide engine, built on first call (thread-safe)."""
    global _segmenter
    if _segmenter is None:
        with _lock:
            if _segmenter is None:
                _segmenter = make_segmenter(os.environ.get(ENV_BACKEND, "auto"), shared=True)
    return _segmenter


def set_segmenter(segmenter: Segmenter | None) -> None:
    """Replace the process-wide engine (``None``: rebuild lazily from the shipped files).

    For the build script, which must tokenize with the user dictionary it just wrote.
    """
    global _segmenter
    with _lock:
        _segmenter = segmenter


def is_loaded() -> bool:
    """Whether the process-wide engine has been built (tests check import stays cheap)."""
    return _segmenter is not None


def warm_up() -> str:
    """Load dictionaries now (call before forking workers); returns the backend name."""
    from .normalize import normalize
    from .resources import stopwords

    normalize("預熱")  # builds the OpenCC converter too
    stopwords()
    return get_segmenter().name
