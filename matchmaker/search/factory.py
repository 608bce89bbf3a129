"""Pick the search backend from the settings (MATCHMAKER_SEARCH_BACKEND: whoosh | tantivy)."""
from __future__ import annotations

from pathlib import Path

from .backend import SearchBackend

BACKENDS = ("whoosh", "tantivy")


def make_backend(name: str, index_dir: Path, replica: str | None = None) -> SearchBackend:
    """The backend called `name`, keeping its indexes under `index_dir`, following the change
    log as `replica` (default: this host and directory). Each engine keeps its own subfolder,
    so switching backends never reads the other's files (it rebuilds)."""
    if name == "whoosh":
        from .whoosh_backend import WhooshBackend
        return WhooshBackend(index_dir, replica)
    if name == "tantivy":
        from .tantivy_backend import TantivyBackend
        return TantivyBackend(Path(index_dir) / "tantivy", replica)
    raise ValueError(f"unknown search backend {name!r} (choose one of {', '.join(BACKENDS)})")
