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
   only are trimmed (they get the median IDF at lookup).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from matchmaker.text.curated import BOILERPLATE_PHRASES, curated_terms  # noqa: E402
from matchmaker.text.keywords import build_idf  # noqa: E402
from matchmaker.text.normalize import normalize  # noqa: E402
from matchmaker.text.resources import IDF, USERDICT, stopwords  # noqa: E402
from matchmaker.text.segmenter import Segmenter, make_segmenter  # noqa: E402
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


class Corpus:
    """All documents in one string with a flag per character: does a base token start here?"""

    def __init__(self, docs: list[str], base: Segmenter) -> None:
        self.text = "\n".join(docs)
        self.starts = bytearray(len(self.text) + 1)
        self.starts[len(self.text)] = 1
        pos = 0
        for doc in docs:
            for piece in base.cut(doc):
                self.starts[pos] = 1
                pos += len(piece)
            self.starts[pos] = 1  # the "\n" separator
            pos += 1

    def alignment(self, word: str) -> tuple[int, int]:
        """(occurrences, occurrences whose both ends fall on base token boundaries)."""
        total = aligned = 0
        find, starts, size = self.text.find, self.starts, len(word)
        at = find(word)
        while at >= 0:
            total += 1
            aligned += starts[at] and starts[at + size]
            at = find(word, at + 1)
        return total, aligned


def plausible(word: str, stop: frozenset[str]) -> bool:
    return (2 <= len(word) <= 12 and bool(_JIEBA_BLOCK.match(word))
            and bool(_HAS_CJK.search(word)) and word not in stop)


def keyphrase_candidates(records: Iterable[dict], min_freq: int) -> Counter[str]:
    counts: Counter[str] = Counter()
    for record in records:
        counts.update({normalize(k) for k in record.get("keyphrases") or [] if k})
    return Counter({k: n for k, n in counts.items() if n >= min_freq})


def title_compounds(titles: Iterable[str], base: Segmenter, min_freq: int) -> Counter[str]:
    """Adjacent content-word pairs that recur across titles: 锂离子+电池, 充电+桩."""
    stop = stopwords()
    counts: Counter[str] = Counter()
    for title in titles:
        words = base.cut(title)
        pairs = set()
        for left, right in zip(words, words[1:]):
            joined = left + right
            if (_CJK_ONLY.match(joined) and 3 <= len(joined) <= 8
                    and is_content_token(left, stop) and is_content_token(right, stop)):
                pairs.add(joined)
        counts.update(pairs)
    return Counter({k: n for k, n in counts.items() if n >= min_freq})


def word_freq(word: str, aligned: int, suggest: int) -> int:
    """A jieba frequency that keeps the word whole in context without swallowing neighbours.

    ``suggest`` is jieba's minimum to win in isolation; the corpus count adds a margin.
    Base-dictionary nouns like 电池 sit at ~700, so 100-3000 is an ordinary range.
    """
    return max(suggest + 1, min(100 + 5 * aligned, 3000))


def build_userdict(records: list[dict], docs: list[str], args: argparse.Namespace) -> list[str]:
    import jieba

    base = make_segmenter(args.backend, entries=[])
    jieba_base = jieba.Tokenizer()  # jieba's own suggest_freq: the engine-neutral reference
    jieba_base.initialize()
    stop = stopwords()
    started = time.perf_counter()
    corpus = Corpus(docs, base)
    print(f"base segmentation: {time.perf_counter() - started:.1f}s", file=sys.stderr)

    titles = [normalize(r["title"]) for r in records if r.get("title")]
    sources: dict[str, Counter[str]] = {
        "keyphrase": keyphrase_candidates(records, args.min_keyphrase_freq),
        "title": title_compounds(titles, base, args.min_title_freq),
    }
    chosen: dict[str, int] = {}
    for source, counts in sources.items():
        kept = 0
        for word in sorted(counts):
            if word in chosen or not plausible(word, stop) or base.is_word(word):
                continue
            total, aligned = corpus.alignment(word)
            if aligned >= args.min_aligned and aligned >= args.min_aligned_ratio * total:
                chosen[word] = word_freq(word, aligned, jieba_base.suggest_freq(word))
                kept += 1
        print(f"{source}: {len(counts)} candidates, {kept} kept", file=sys.stderr)
    for word in sorted(set(curated_terms()) | set(BOILERPLATE_PHRASES)):
        word = normalize(word)
        if word not in chosen and not base.is_word(word) and _JIEBA_BLOCK.match(word):
            _, aligned = corpus.alignment(word)
            chosen[word] = word_freq(word, aligned, jieba_base.suggest_freq(word))
    return [f"{word} {freq}" for word, freq in sorted(chosen.items())]


def build_idf_lines(docs: list[str], min_df: int) -> list[str]:
    started = time.perf_counter()
    table = build_idf(docs, min_df=min_df)
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
    parser.add_argument("--min-title-freq", type=int, default=12)
    parser.add_argument("--min-aligned", type=int, default=3)
    parser.add_argument("--min-aligned-ratio", type=float, default=0.6)
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
    write_lines(args.out_dir / IDF, build_idf_lines(docs, args.min_df))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
