"""Check characters of Chinese patent application numbers and unified social credit codes."""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from ..errors import ValidationError

APP_TYPE_DIGITS = {"1", "2", "3", "8", "9"}
_APP_WEIGHTS_12 = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_APP_WEIGHTS_8 = (2, 3, 4, 5, 6, 7, 8, 9)


def app_no_check_char(digits: str) -> str:
    """Check character of the 12- or 8-digit body: weighted sum mod 11, 10 written X.

    >>> app_no_check_char("201710601862")
    '3'
    """
    weights = _APP_WEIGHTS_12 if len(digits) == 12 else _APP_WEIGHTS_8
    rem = sum(int(d) * w for d, w in zip(digits, weights)) % 11
    return "X" if rem == 10 else str(rem)


def normalize_app_no(raw: str, *, today: date | None = None) -> str:
    """Return the canonical form `201710601862.3` (or `97101765.4`), or raise ValidationError.

    Accepts full-width digits, spaces, a `CN` or `ZL` prefix and a missing dot.
    """
    text = unicodedata.normalize("NFKC", raw or "").upper()
    text = re.sub(r"[\s\-]", "", text)
    text = re.sub(r"^(CN|ZL)", "", text)
    m = re.fullmatch(r"(\d{12}|\d{8})\.?([0-9X])", text)
    if not m:
        raise ValidationError({"app_no": "申请号格式不正确，应为“年份+类型+流水号.校验位”，如 201710601862.3"})
    body, check = m.groups()
    type_digit = body[4] if len(body) == 12 else body[2]
    if type_digit not in APP_TYPE_DIGITS:
        raise ValidationError({"app_no": f"申请号中的专利类型位“{type_digit}”无效（应为 1、2、3、8 或 9）"})
    this_year = (today or date.today()).year
    if len(body) == 12:
        year, first, last = int(body[:4]), 2003, this_year
    else:  # 8-digit form: 1985 (first Patent Law filings) to 2003; YY 00-03 are 2000-2003
        yy = int(body[:2])
        year, first, last = (1900 + yy if yy >= 85 else 2000 + yy), 1985, 2003
    if not first <= year <= last:
        raise ValidationError({"app_no": f"申请号中的年份 {year} 不合理"})
    expected = app_no_check_char(body)
    if check != expected:
        raise ValidationError({"app_no": f"申请号校验位错误：{body}.{check} 的校验位应为 {expected}"})
    return f"{body}.{check}"


def app_no_type_digit(app_no: str) -> str:
    """The type digit of a canonical application number (1 invention, 2 utility model, 3 design...)."""
    body = app_no.split(".")[0]
    return body[4] if len(body) == 12 else body[2]


# GB 32100-2015: 31 characters, without I, O, Z, S, V.
CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    """Check character of a unified social credit code (GB 32100-2015, mod 31)."""
    total = sum(CREDIT_CHARSET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def normalize_credit_code(raw: str) -> str:
    """Return the upper-case 18-character code, or raise ValidationError with a field message."""
    code = re.sub(r"\s", "", unicodedata.normalize("NFKC", raw or "")).upper()
    if len(code) != 18:
        raise ValidationError({"credit_code": "统一社会信用代码应为 18 位"})
    bad = sorted({c for c in code if c not in CREDIT_CHARSET})
    if bad:
        raise ValidationError({"credit_code": f"统一社会信用代码含有无效字符：{''.join(bad)}"})
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError({"credit_code": f"统一社会信用代码校验位错误，应为 {expected}"})
    return code
