"""What a password must be: long enough, not blank, not the login, not a well-known one.

"        a1" (spaces plus two characters) used to pass. Now the characters that count are the
non-blank ones, at least MIN_LENGTH of them, with letters and digits; the password must not
contain the login (or an e-mail login's name part) and must not be on the list of common
passwords shipped in `data/common_passwords.txt`.
"""
from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

MIN_LENGTH = 10
MAX_LENGTH = 128
COMMON_LIST = Path(__file__).parent / "data" / "common_passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list, lower-cased (read once)."""
    lines = COMMON_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def _folded(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).lower()


def password_problem(password: str, login: str = "") -> str | None:
    """Why `password` is refused (a Chinese message for the form), or None.

    >>> password_problem("        a1"), password_problem("tianshan-snow-42")
    ('密码至少 10 位（不计空格）', None)
    >>> password_problem("Password123"), password_problem("boss2024-river", "boss2024@example.com")
    ('这个密码太常见，很容易被猜到，请换一个', '密码不能包含登录名')
    """
    password = password or ""
    solid = _folded(password)
    if len(password) > MAX_LENGTH:
        return f"密码不能超过 {MAX_LENGTH} 位"
    if len(solid) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 位（不计空格）"
    if not (any(c.isdigit() for c in solid) and any(c.isalpha() for c in solid)):
        return "密码须同时包含字母和数字"
    names = {_folded(login)}
    if "@" in login:
        names.add(_folded(login.split("@", 1)[0]))
    if any(len(name) >= 4 and name in solid for name in names):
        return "密码不能包含登录名"
    if solid in common_passwords():
        return "这个密码太常见，很容易被猜到，请换一个"
    return None
