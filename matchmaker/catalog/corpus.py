"""The shared corpus format (JSON Lines, one patent per line) and helpers for its fields.

Importing corpus records lives in `matchmaker.imports.corpus` (the same path as uploaded
files); this module only reads the format, so the catalog never depends on the importer.
"""
from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Iterator

from ..models import OrgKind

_CLAIM_2 = re.compile(r"(?<=[。；;])\s*2\s*[.、．]")


def read_jsonl(path: Path) -> Iterator[tuple[int, dict | None, str]]:
    """Yield (line number, record or None, error) for every non-blank line."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                yield n, None, f"不是有效的 JSON：{exc.msg}"
                continue
            yield (n, rec, "") if isinstance(rec, dict) else (n, None, "每行须为一个 JSON 对象")


def first_claim(claims: str | None) -> str:
    """The text of claim 1 from a full claims section."""
    if not claims:
        return ""
    return _CLAIM_2.split(claims, maxsplit=1)[0].strip()


def first_applicant(name: str) -> str:
    """First of several applicants separated by ; ， 、 (outside parentheses)."""
    depth, out = 0, []
    for ch in name or "":
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth -= 1
        elif depth == 0 and ch in ";；,，、":
            break
        out.append(ch)
    return "".join(out).strip()


def guess_supplier_kind(name: str) -> OrgKind:
    """Universities by name (大学/学院), everything else that holds patents as an institute."""
    if re.search("大学|学院", name) and not re.search("研究院|研究所|科学院", name):
        return OrgKind.UNIVERSITY
    return OrgKind.INSTITUTE
