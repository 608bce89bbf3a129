"""A character-bigram BM25 over title + abstract: the baseline the relevance issue measures
against (CJK bigrams and Latin words, title weighted x2, abstract cut to 600 characters).

Deliberately small and independent of the app's index: it is the yardstick, not the product.
Built once per corpus instance and cached as a pickle beside it.
"""
from __future__ import annotations

import math
import pickle
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable

from matchmaker.text.tokenize import char_bigrams

K1, B = 1.2, 0.75
ABSTRACT_CHARS = 600


class BigramBM25:
    def __init__(self, docs: Iterable[tuple[str, str, str]]):
        """`docs`: (id, title, abstract)."""
        self.ids: list[str] = []
        self.lengths: list[int] = []
        self.grams: list[set[str]] = []
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for doc_id, title, abstract in docs:
            tf = Counter(char_bigrams(title or "") * 2)
            tf.update(char_bigrams((abstract or "")[:ABSTRACT_CHARS]))
            n = len(self.ids)
            self.ids.append(doc_id)
            self.lengths.append(sum(tf.values()))
            for g, c in tf.items():
                postings[g].append((n, c))
        self.postings = dict(postings)
        self.avg = sum(self.lengths) / max(len(self.lengths), 1)

    def idf(self, gram: str) -> float:
        df = len(self.postings.get(gram, ()))
        n = len(self.ids)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def scores(self, query: str) -> dict[int, float]:
        qtf = Counter(char_bigrams(query))
        acc: dict[int, float] = defaultdict(float)
        for g, qc in qtf.items():
            plist = self.postings.get(g)
            if not plist:
                continue
            w = self.idf(g) * qc
            for n, c in plist:
                norm = K1 * (1 - B + B * self.lengths[n] / self.avg)
                acc[n] += w * c * (K1 + 1) / (c + norm)
        return acc

    def search(self, query: str, depth: int = 100, require_parts: bool = False) -> list[str]:
        """Top `depth` ids; `require_parts`: every whitespace-separated part of the query must
        have all of its bigrams in the document (the pool's "requires every part" variant)."""
        acc = self.scores(query)
        if require_parts:
            for part in query.split():
                grams = set(char_bigrams(part))
                docs = None
                for g in grams:
                    have = {n for n, _ in self.postings.get(g, ())}
                    docs = have if docs is None else docs & have
                acc = {n: s for n, s in acc.items() if docs is not None and n in docs}
        top = sorted(acc.items(), key=lambda kv: (-kv[1], kv[0]))[:depth]
        return [self.ids[n] for n, _ in top]


def load_or_build(cache: Path, docs_factory) -> BigramBM25:
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    model = BigramBM25(docs_factory())
    cache.write_bytes(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
    return model
