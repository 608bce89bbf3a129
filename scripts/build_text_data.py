#!/usr/bin/env python
"""Grow matchmaker/text/data/{userdict,idf}.txt from the shared patent corpus.

Run from the project root after changing the corpus, the stopwords or the curated terms::

    .venv/bin/python scripts/build_text_data.py [--data-dir ../shared/data]

1. User dictionary (``word freq``, jieba format), words the base jieba dictionary lacks:
   * gold ``keyphrases`` of ``patents/patents.jsonl`` seen in >= 2 records;
   * two-word compounds frequent in patent titles (e.g. 锂离子+电池, 充电+桩);
   * the hand-curated everyday/technical terms and boilerplate phrases of
     :mod:`matchmaker.text.curated` (always kept).
   Corpus candidates must be 2-12 characters, contain a CJK character, be writable in one
   jieba text block, and pass a boundary test: where they occur in the corpus, the base
   segmentation must mostly put word boundaries at both ends. That rejects keyphrase
   fragments such as 聚物 (inside 共聚物) or 锈钢 (inside 不锈钢), which would otherwise
   tear real words apart.
2. Corpus IDF (``word idf``) over title + abstract of both patent files, tokenized with the
   project tokenizer *after* the new user dictionary is written; words seen in one document
   only, and words that can never be keywords (numbers, units, single characters), are
   trimmed (unknown words get the median IDF at lookup).
"""
from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from matchmaker.text.curated import BOILERPLATE_PHRASES, curated_terms  # noqa: E402
from matchmaker.text.keywords import build_idf, is_keyword_candidate  # noqa: E402
from matchmaker.text.normalize import normalize  # noqa: E402
from matchmaker.text.resources import (  # noqa: E402
    IDF, USERDICT, DictEntry, parse_userdict, stopwords,
)
from matchmaker.text.segmenter import Segmenter, make_segmenter, set_segmenter  # noqa: E402
from matchmaker.text.tokenize import CJK_CLASS, is_content_token, tokenize  # noqa: E402

PATENT_FILES = ("patents.jsonl", "patents_bdci2022.jsonl")
# Characters jieba keeps in one text block (its re_han_default); a dictionary word with any
# other character could never be matched whole.
_JIEBA_BLOCK = re.compile(r"^[\u4e00-\u9fd5a-z0-9+#&._%\-]+$")
_HAS_CJK = re.compile(f"[{CJK_CLASS}]")
_CJK_ONLY = re.compile(f"^[{CJK_CLASS}]+$")


def read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def load_records(data_dir: Path) -> list[dict]:
    records: list[dict] = []
    for name in PATENT_FILES:
        records.extend(read_jsonl(data_dir / "patents" / name))
    return records


def doc_text(record: dict) -> str:
    return normalize(" ".join(filter(None, (record.get("title"), record.get("abstract")))))


# Characters that often sit next to a term without extending it (一种X, X的, 在X中).
_FUNCTION_CHARS = frozenset("的了和与及或在于为是其该种中对将把被由从向至并且而等个")
# Title compounds ending in a generic head (检测+装置) or led by a generic verb (制备+治疗)
# are phrases, not terms; sub-word search already covers them.
_GENERIC_HEADS = tuple("装置 设备 系统 结构 工艺 机构 组件 组合 模块 单元 方法".split())
_GENERIC_LEFT = tuple("制备 制作 制造 提高 提升 降低 调控 生产 加工 实现 用于 治疗 形成 处理 "
                      "具有 采用 基于".split())
# One-character words that glue phrases together (用定位, 稳定性好, 6系铝合金, 区块链中).
_GLUE_WORDS = _FUNCTION_CHARS | frozenset("用到好系页型式类")


class Corpus:
    """All documents in one string with a flag per character: does a token start here?"""

    def __init__(self, docs: list[str], seg: Segmenter) -> None:
        self.text = "\n".join(docs)
        self.starts = bytearray(len(self.text) + 1)
        self.starts[len(self.text)] = 1
        pos = 0
        for doc in docs:
            for piece in seg.cut(doc):
                self.starts[pos] = 1
                pos += len(piece)
            self.starts[pos] = 1  # the "\n" separator
            pos += 1

    def occurrences(self, word: str) -> Iterator[int]:
        at = self.text.find(word)
        while at >= 0:
            yield at
            at = self.text.find(word, at + 1)

    def is_term(self, word: str, args: argparse.Namespace) -> bool:
        """Boundary test plus fragment test, over every occurrence of ``word``.

        Aligned: the segmentation already has boundaries at both ends, so adding the word
        only merges tokens and never tears a neighbouring word apart. Fragment: one
        neighbouring character dominates (聚偏→氟, 氧化石墨→烯, 药物组合→物), so the real
        term is longer than the candidate.
        """
        size, total, aligned = len(word), 0, 0
        before: Counter[str] = Counter()
        after: Counter[str] = Counter()
        for at in self.occurrences(word):
            total += 1
            aligned += self.starts[at] and self.starts[at + size]
            before[self.text[at - 1:at]] += 1
            after[self.text[at + size:at + size + 1]] += 1
        if aligned < args.min_aligned or aligned < args.min_aligned_ratio * total:
            return False
        return all(_dominance(side, total) < args.max_dominance for side in (before, after))


def _dominance(neighbours: Counter[str], total: int) -> float:
    """Share of the most common neighbour that could extend a word (CJK or alphanumeric)."""
    extending = [n for ch, n in neighbours.items()
                 if ch and ch.isalnum() and ch not in _FUNCTION_CHARS]
    return max(extending, default=0) / total


def plausible(word: str, stop: frozenset[str]) -> bool:
    return (2 <= len(word) <= 12 and bool(_JIEBA_BLOCK.match(word))
            and bool(_HAS_CJK.search(word)) and word not in stop)


def keyphrase_candidates(records: Iterable[dict], min_freq: int) -> list[str]:
    counts: Counter[str] = Counter()
    for record in records:
        counts.update({normalize(k) for k in record.get("keyphrases") or [] if k})
    return sorted(k for k, n in counts.items() if n >= min_freq)


def title_compounds(titles: Iterable[str], seg: Segmenter, min_freq: int) -> list[str]:
    """Adjacent two-word pairs that recur across titles: 锂离子+电池, 薄膜+晶体管."""
    stop = stopwords()
    counts: Counter[str] = Counter()
    for title in titles:
        words = seg.cut(title)
        counts.update({
            left + right for left, right in zip(words, words[1:])
            if 3 <= len(left + right) <= 8 and _CJK_ONLY.match(left + right)
            and is_content_token(left, stop) and is_content_token(right, stop)
            and left not in _GLUE_WORDS and right not in _GLUE_WORDS
            and not _is_phrase(left + right)
        })
    return sorted(k for k, n in counts.items() if n >= min_freq)


def _is_phrase(joined: str) -> bool:
    """Generic head or trailing particle (区块链中), or generic verb in front: a phrase."""
    return (joined.endswith(_GENERIC_HEADS) or joined[-1] in _FUNCTION_CHARS
            or joined.startswith(_GENERIC_LEFT))


def word_freq(aligned: int, suggest: int) -> int:
    """A jieba frequency that keeps the word whole in context without swallowing neighbours.

    ``suggest`` is jieba's minimum to win in isolation; the corpus count adds a margin.
    Base-dictionary nouns like 电池 sit at ~700, so 100-3000 is an ordinary range.
    """
    return max(suggest + 1, min(100 + 5 * aligned, 3000))


class UserDictBuilder:
    """Accumulates accepted words with their frequency, in three stages."""

    def __init__(self, docs: list[str], args: argparse.Namespace) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self.docs, self.args = docs, args
        self.reference = jieba.Tokenizer()  # jieba's suggest_freq: the engine-neutral scale
        self.reference.initialize()
        self.chosen: dict[str, int] = {}
        self.use(make_segmenter(args.backend, entries=[]))

    def use(self, seg: Segmenter) -> None:
        started = time.perf_counter()
        self.seg, self.corpus = seg, Corpus(self.docs, seg)
        print(f"corpus segmentation: {time.perf_counter() - started:.1f}s", file=sys.stderr)

    def add(self, word: str) -> None:
        aligned = sum(self.corpus.starts[at] and self.corpus.starts[at + len(word)]
                      for at in self.corpus.occurrences(word))
        self.chosen[word] = word_freq(aligned, self.reference.suggest_freq(word))

    def offer(self, source: str, words: list[str]) -> None:
        """Add the corpus candidates that are plausible, new and pass the term tests."""
        stop, kept = stopwords(), 0
        for word in words:
            if (word not in self.chosen and plausible(word, stop) and not self.seg.is_word(word)
                    and self.corpus.is_term(word, self.args)):
                self.add(word)
                kept += 1
        print(f"{source}: {len(words)} candidates, {kept} kept", file=sys.stderr)

    def force(self, words: Iterable[str]) -> None:
        """Hand-curated words: always added unless the engine already knows them."""
        for word in map(normalize, words):
            if word not in self.chosen and _JIEBA_BLOCK.match(word) and not self.seg.is_word(word):
                self.add(word)

    def entries(self) -> list[DictEntry]:
        return [DictEntry(word, freq, None) for word, freq in sorted(self.chosen.items())]


def build_userdict(records: list[dict], docs: list[str], args: argparse.Namespace) -> list[str]:
    builder = UserDictBuilder(docs, args)
    builder.offer("keyphrases", keyphrase_candidates(records, args.min_keyphrase_freq))
    builder.force(curated_terms())
    builder.force(BOILERPLATE_PHRASES)
    # Title compounds are judged against a segmentation that already knows the words above,
    # so that 药物组合 cannot win over the newly known 组合物.
    builder.use(make_segmenter(args.backend, entries=builder.entries()))
    titles = [normalize(r["title"]) for r in records if r.get("title")]
    builder.offer("title compounds", title_compounds(titles, builder.seg, args.min_title_freq))
    return [f"{entry.word} {entry.freq}" for entry in builder.entries()]


def build_idf_lines(docs: list[str], min_df: int) -> list[str]:
    started = time.perf_counter()
    # Numbers, units and single characters are never keywords: no need to ship their IDF.
    table = {word: value for word, value in build_idf(docs, min_df=min_df).items()
             if is_keyword_candidate(word)}
    elapsed = time.perf_counter() - started
    chars = sum(map(len, docs))
    print(f"idf: {len(docs)} docs, {chars} chars tokenized in {elapsed:.1f}s "
          f"({chars / elapsed:,.0f} chars/s incl. normalization), {len(table)} words",
          file=sys.stderr)
    return [f"{word} {value:.4f}" for word, value in sorted(table.items())]


def write_lines(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {path} ({len(lines)} lines, {path.stat().st_size / 1e6:.2f} MB)",
          file=sys.stderr)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=PROJECT_ROOT.parent / "shared" / "data")
    parser.add_argument("--out-dir", type=Path,
                        default=PROJECT_ROOT / "matchmaker" / "text" / "data")
    parser.add_argument("--backend", default="auto", choices=("auto", "rjieba", "jieba"))
    parser.add_argument("--min-keyphrase-freq", type=int, default=2)
    parser.add_argument("--min-title-freq", type=int, default=6)
    parser.add_argument("--min-aligned", type=int, default=3)
    parser.add_argument("--min-aligned-ratio", type=float, default=0.6)
    parser.add_argument("--max-dominance", type=float, default=0.7)
    parser.add_argument("--min-df", type=int, default=2)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    records = load_records(args.data_dir)
    docs = [doc for doc in map(doc_text, records) if doc]
    args.out_dir.mkdir(parents=True, exist_ok=True)
    # The user dictionary must be on disk before the project tokenizer is first used, so
    # the IDF below is computed with the same segmentation the application will use.
    write_lines(args.out_dir / USERDICT, build_userdict(records, docs, args))
    set_segmenter(make_segmenter(args.backend, parse_userdict(args.out_dir / USERDICT)))
    write_lines(args.out_dir / IDF, build_idf_lines(docs, args.min_df))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
