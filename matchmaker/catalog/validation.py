"""Collect field-level errors so one submission reports every problem at once."""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Iterable

from ..errors import ValidationError
from ..params import DATE_MAX, DATE_MIN, parse_date

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class FieldErrors:
    """Accumulates `field -> message`; `raise_if_any()` turns them into one ValidationError."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def text(self, field: str, label: str, value: str | None, *, max_len: int,
             required: bool = False, min_len: int = 0) -> str:
        """Trimmed text, kept as typed (Chinese full-width punctuation stays; search normalizes
        its own copy); records a message when missing or too long."""
        cleaned = _CONTROL.sub("", value or "").strip()
        if required and not cleaned:
            self.add(field, f"请填写{label}")
        elif len(cleaned) > max_len:
            self.add(field, f"{label}不能超过 {max_len} 个字符（当前 {len(cleaned)} 个）")
        elif cleaned and len(cleaned) < min_len:
            self.add(field, f"{label}至少需要 {min_len} 个字符")
        return cleaned

    def choice(self, field: str, label: str, value: str | None, allowed: Iterable[str],
               *, required: bool = True) -> str | None:
        allowed = list(allowed)
        if not value:
            if required:
                self.add(field, f"请选择{label}")
            return None
        if value not in allowed:
            self.add(field, f"{label}“{value}”不在可选范围内")
            return None
        return value

    def date(self, field: str, label: str, value: date | str | None) -> date | None:
        if value is None or value == "":
            return None
        parsed = parse_date(value, low=date.min, high=date.max)
        if parsed is None:
            self.add(field, f"{label}不是有效日期（格式 YYYY-MM-DD）")
        elif not DATE_MIN <= parsed <= DATE_MAX:   # 0001-01-01 would break term arithmetic
            self.add(field, f"{label}应在 {DATE_MIN.year}–{DATE_MAX.year} 年之间")
            return None
        return parsed

    def run(self, field: str, func, *args):
        """Call a validator that raises ValidationError and keep its message for `field`."""
        try:
            return func(*args)
        except ValidationError as exc:
            self.add(field, next(iter(exc.errors.values())))
            return None

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def normalize_login(raw: str) -> str:
    """Logins are an e-mail address (lower-cased) or a mainland mobile number."""
    login = unicodedata.normalize("NFKC", raw or "").strip().lower()
    login = re.sub(r"^\+?86[\s-]?", "", login) if _MOBILE.match(re.sub(r"^\+?86[\s-]?", "", login)) else login
    if _MOBILE.match(login) or (_EMAIL.match(login) and len(login) <= 200):
        return login
    raise ValidationError({"login": "登录名须为有效的电子邮箱或 11 位手机号"})
