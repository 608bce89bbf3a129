"""IPC code syntax: parse `H01M 10/052`, `H01M10/052` or a bare subclass `H01M`."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..errors import ValidationError

_IPC = re.compile(r"^([A-H])(\d{2})([A-Z])(?:\s*(\d{1,4})\s*/\s*(\d{1,6}))?$")


@dataclass(frozen=True)
class IPCCode:
    section: str
    ipc_class: str
    subclass: str
    code: str


def parse_ipc(raw: str) -> IPCCode:
    """Parse one IPC code into its levels.

    >>> parse_ipc("h01m10/052").code
    'H01M 10/052'
    """
    text = unicodedata.normalize("NFKC", raw or "").strip().upper()
    m = _IPC.match(text)
    if not m:
        raise ValidationError({"ipc_codes": f"IPC 分类号“{raw}”格式不正确，应如 A01B 1/00 或 H01M10/052"})
    sec, cls, sub, group, subgroup = m.groups()
    subclass = f"{sec}{cls}{sub}"
    code = f"{subclass} {int(group)}/{subgroup}" if group else subclass
    return IPCCode(section=sec, ipc_class=f"{sec}{cls}", subclass=subclass, code=code)


def split_ipc_list(raw: str | list[str] | None) -> list[str]:
    """Split a free-text list of codes on ; , 、 or newlines (spaces are part of a code)."""
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else re.split(r"[;；,，、\n|]+", raw)
    return [i.strip() for i in items if i and i.strip()]
