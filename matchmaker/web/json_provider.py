"""JSON answers that are safe to embed: <, > and & are written as \\u escapes.

The search API returns titles and abstracts as plain text (as they were stored, markup
included); a client that drops such text into a page, or a browser that sniffs a response as
HTML, must never see a live tag. Decoders read the escapes back as the same characters.
"""
from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider

_UNSAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


class HtmlSafeJSONProvider(DefaultJSONProvider):
    ensure_ascii = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return super().dumps(obj, **kwargs).translate(_UNSAFE)
