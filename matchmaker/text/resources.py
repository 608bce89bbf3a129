"""Read-only access to the data files shipped in ``matchmaker/text/data``.

Kept apart from the segmenter so the build script and the tests can read (or bypass) the
same files without loading a dictionary.
"""
from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

USERDICT = "userdict.txt"
STOPWORDS = "stopwords.txt"
IDF = "idf.txt"


class DictEntry(NamedTuple):
    """One user-dictionary line: ``word freq [tag]`` (jieba's format)."""

    word: str
    freq: int | None
    tag: str | None


def data_path(name: str) -> Path:
    """Filesystem path of a shipped data file (the package is installed unzipped)."""
    return Path(str(resources.files("matchmaker.text").joinpath("data", name)))


def _lines(path: Path) -> Iterator[str]:
    """Non-empty lines that are not ``#`` comments; a missing file reads as empty."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for raw in handle:
            line = raw.strip()
            if line and not line.startswith("#"):
                yield line


def parse_userdict(path: Path) -> list[DictEntry]:
    """Parse a jieba-format user dictionary; words cannot contain spaces in this format."""
    entries: list[DictEntry] = []
    for line in _lines(path):
        parts = line.split()
        word = parts[0]
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        tag = parts[-1] if len(parts) > 1 and not parts[-1].isdigit() else None
        entries.append(DictEntry(word, freq, tag))
    return entries


@lru_cache(maxsize=1)
def userdict_entries() -> tuple[DictEntry, ...]:
    return tuple(parse_userdict(data_path(USERDICT)))


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Words dropped from every token stream (first column of each line)."""
    return frozenset(line.split()[0] for line in _lines(data_path(STOPWORDS)))


def parse_idf(path: Path) -> dict[str, float]:
    """Parse ``word idf`` lines."""
    table: dict[str, float] = {}
    for line in _lines(path):
        word, _, value = line.rpartition(" ")
        if word:
            table[word] = float(value)
    return table
