"""A matchmaker instance holding the shared patent corpus, built once and reused by the
evaluation and benchmark scripts (the same import and index code the app uses)."""
from __future__ import annotations

import json
import os
import pickle
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from sqlalchemy import func, select  # noqa: E402

from matchmaker.config import Settings  # noqa: E402
from matchmaker.migrate import upgrade  # noqa: E402
from matchmaker.models import Patent, TextVector  # noqa: E402
from matchmaker.runtime import Runtime, build_runtime  # noqa: E402

DATA_DIR = Path(os.environ.get("MATCHMAKER_SHARED_DATA", ROOT.parent / "shared" / "data"))
PATENT_FILES = ("patents/patents.jsonl", "patents/patents_bdci2022.jsonl")
MARKER = "corpus.json"
# Every corpus patent's vector, encoded once (scripts/build_corpus_vectors.py).
CORPUS_VECTORS = ROOT / "scripts" / "eval_data" / "corpus_vectors.npz"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


@dataclass
class CorpusInstance:
    runtime: Runtime
    directory: Path
    source_ids: dict[int, str] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.source_ids)

    # -- baselines (built lazily, cached in the instance folder) ----------------------------
    def baseline_bm25(self, depth: int):
        """Whoosh defaults: jieba's ChineseAnalyzer on title and abstract, no bigram field."""
        from jieba.analyse import ChineseAnalyzer
        from whoosh import index
        from whoosh import query as Q
        from whoosh.fields import ID, TEXT, Schema
        path = self.directory / "baseline-bm25"
        if not index.exists_in(str(path)):
            log("building the baseline index (jieba ChineseAnalyzer) ...")
            path.mkdir(parents=True, exist_ok=True)
            ana = ChineseAnalyzer()
            ix = index.create_in(str(path), Schema(id=ID(stored=True, unique=True),
                                                   title=TEXT(analyzer=ana),
                                                   abstract=TEXT(analyzer=ana)))
            w = ix.writer(limitmb=256)
            for pid, title, abstract in self._texts():
                w.add_document(id=self.source_ids[pid], title=title, abstract=abstract)
            w.commit()
        ix = index.open_dir(str(path))
        analyzer = ix.schema["title"].analyzer

        def run(title: str, text: str) -> list[str]:
            words = {t.text for t in analyzer(f"{title} {text[:500]}")}
            q = Q.Or([Q.Term(f, w) for w in words for f in ("title", "abstract")])
            with ix.searcher() as s:
                return [h["id"] for h in s.search(q, limit=depth)]
        return run

    def baseline_fuzzy(self, depth: int):
        """rapidfuzz token_set_ratio of the analyzed texts, over every patent (no index)."""
        from rapidfuzz import fuzz, process
        from matchmaker.text.tokenize import tokenize
        cache = self.directory / "baseline-fuzzy.pickle"
        if cache.exists():
            ids, choices = pickle.loads(cache.read_bytes())
        else:
            log("tokenizing the corpus for the rapidfuzz baseline ...")
            ids, choices = [], []
            for pid, title, abstract in self._texts():
                ids.append(self.source_ids[pid])
                choices.append(" ".join(tokenize(f"{title} {abstract[:500]}")))
            cache.write_bytes(pickle.dumps((ids, choices)))

        def run(title: str, text: str) -> list[str]:
            query = " ".join(tokenize(f"{title} {text[:500]}"))
            found = process.extract(query, choices, scorer=fuzz.token_set_ratio, limit=depth)
            return [ids[i] for _c, _s, i in found]
        return run

    def baseline_bigram(self, depth: int, require_parts: bool = False):
        """Character-bigram BM25 over title + abstract (scripts/bigram_bm25.py)."""
        from bigram_bm25 import load_or_build
        model = load_or_build(self.directory / "baseline-bigram.pickle",
                              lambda: ((self.source_ids[pid], t, a) for pid, t, a in self._texts()))

        def run(title: str, text: str = "") -> list[str]:
            return model.search(f"{title} {text}".strip(), depth, require_parts)
        return run

    def _texts(self):
        with self.runtime.session_factory() as s:
            yield from s.execute(select(Patent.id, Patent.title, Patent.abstract).order_by(Patent.id))


def open_corpus_instance(directory: Path, *, data_dir: Path = DATA_DIR, fresh: bool = False,
                         with_baseline: bool = False, backend: str = "whoosh") -> CorpusInstance:
    """Open (or build) an instance with the shared corpus imported and indexed by `backend`
    (each backend keeps its own index beside the one database)."""
    directory = Path(directory)
    if fresh and directory.exists():
        shutil.rmtree(directory)
    settings = Settings(instance_dir=directory, index_on_commit=False,
                        search_backend=backend).resolved()
    rt = build_runtime(settings)
    if not (directory / MARKER).exists():
        _build(rt, data_dir)
        (directory / MARKER).write_text(json.dumps({"data_dir": str(data_dir)}))
    else:
        upgrade(rt.engine)   # an instance built by an older checkout gains the new tables
    if not rt.search.exists("patent") or rt.search.outdated("patent"):
        from bench_search import rebuild_index
        log(f"building the {backend} index ...")
        log(f"  {rebuild_index(rt, procs=2)}")
    if rt.vectors is not None:
        install_vectors(rt)
    with rt.session_factory() as s:
        ids = dict(s.execute(select(Patent.id, Patent.source_id)).all())
    return CorpusInstance(runtime=rt, directory=directory, source_ids=ids)


def install_vectors(rt: Runtime, bundle: Path = CORPUS_VECTORS) -> None:
    """Install the shipped vectors of patents that have none: the channel by meaning scans every
    patent, and vectors encoded elsewhere keep the figures the same on every machine."""
    from matchmaker.semantic.bundle import load_bundle
    from matchmaker.semantic.store import PATENT
    if not bundle.exists():
        return
    with rt.session_factory() as s:
        have = s.scalar(select(func.count()).select_from(TextVector)
                        .where(TextVector.kind == PATENT))
        if have >= s.scalar(select(func.count(Patent.id))):
            return
        log(f"installing patent vectors from {bundle.name} ...")
        log(f"  {load_bundle(s, bundle):,} installed")
        s.commit()


def _build(rt: Runtime, data_dir: Path) -> None:
    """Import and index the corpus the same way the search benchmark does."""
    from bench_search import corpus_records, import_corpus, rebuild_index
    upgrade(rt.engine)
    log("importing the shared corpus ...")
    log(f"  {import_corpus(rt, corpus_records(tuple(data_dir / rel for rel in PATENT_FILES)))}")
    log(f"  {rebuild_index(rt, procs=2)}")
