"""Read single cell values: text, dates (incl. Excel serial numbers), yes/no, enumerations.

Each reader returns the value or raises `CellError` with a message naming the problem; the
row builders add the column name and the row number.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

from ..models import LegalStatus, PatentType, WantedForm
from ..spreadsheets import starts_like_formula
from ..text.normalize import to_simplified

EXCEL_EPOCH = date(1899, 12, 30)          # serial 1 = 1900-01-01 (with Excel's 1900 leap bug)
_SERIAL_RANGE = (20_000, 80_000)          # 1954 .. 2119: anything else is not a date
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
# After a leading + - @: a DDE pipe, a sheet reference or a function call (ASCII name and a
# parenthesis) makes it a formula; "-5", "+86 991 …" and "-用于…的方法(改进)" stay text.
_FORMULA_BODY = re.compile(r"[|!]|[A-Za-z_][A-Za-z0-9_.]*\s*\(")


class CellError(ValueError):
    """A single value that cannot be read; `str()` is the Chinese message."""


def as_text(value) -> str:
    """Cell value as a trimmed string; integral floats lose their `.0`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if not (value.hour or value.minute) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def looks_like_formula(text: str) -> bool:
    """Spreadsheet formula or a CSV-injection payload (`=cmd|...`, `@SUM(...)`, `+x!A1`), in any
    script: Chinese text around the payload (`+锂电池cmd|' /C calc'!A0`) does not disarm it."""
    if not text or not starts_like_formula(text):
        return False
    head = text.lstrip(" \u3000\t\r\n\0")
    return head.startswith(("=", "＝")) or bool(_FORMULA_BODY.search(head))


def drop_formulas(values: dict[str, list], labels: dict[str, str],
                  errors: list[str]) -> dict[str, list]:
    """The row's values without the fields that hold a formula, each of which adds an error
    (so the row is rejected): every mapped column is checked, not only the free-text ones,
    since enumerations and lists would otherwise accept `=HYPERLINK(...,"发明")`."""
    out: dict[str, list] = {}
    for name, raw in values.items():
        formula = next((t for t in map(as_text, raw) if looks_like_formula(t)), None)
        if formula is None:
            out[name] = raw
        else:
            errors.append(f"“{labels.get(name, name)}”列的内容像公式（{formula[:20]}），"
                          "公式不会被执行，请改为纯文本")
    return out


def simplified(text: str) -> tuple[str, bool]:
    """Text in simplified characters, and whether anything was converted."""
    out = to_simplified(text)
    return out, out != text


def as_date(value) -> date | None:
    """A date from a date cell, an Excel serial number or the usual written forms."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _serial(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return _serial(float(text))
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                break
    raise CellError(f"“{text[:20]}”不是有效日期（如 2017-07-21）")


def _serial(number: float) -> date:
    if not _SERIAL_RANGE[0] <= number <= _SERIAL_RANGE[1]:
        raise CellError(f"“{as_text(number)}”不是有效日期（如 2017-07-21）")
    return EXCEL_EPOCH + timedelta(days=int(number))


def as_bool(value) -> bool:
    text = unicodedata.normalize("NFKC", as_text(value)).strip().lower()
    if text in ("", "否", "无", "不", "不提供", "no", "n", "false", "0"):
        return False
    if text in ("是", "有", "提供", "yes", "y", "true", "1"):
        return True
    raise CellError(f"“{text[:20]}”应为“是”或“否”")


def as_int_text(value) -> str:
    """A whole number written with full-width digits, separators or a trailing `.0`."""
    text = unicodedata.normalize("NFKC", as_text(value)).replace(",", "").replace(" ", "")
    if re.fullmatch(r"-?\d+\.0+", text):
        text = text.split(".")[0]
    return text


_TYPES = ((("外观",), PatentType.DESIGN), (("实用新型", "新型"), PatentType.UTILITY),
          (("发明",), PatentType.INVENTION))


def patent_type(value) -> str:
    """"发明专利", "发明授权", "发明公开", "实用新型", "外观设计", or our own values."""
    text = to_simplified(unicodedata.normalize("NFKC", as_text(value))).strip().lower()
    if not text:
        return ""
    if text in {t.value for t in PatentType}:
        return text
    for words, kind in _TYPES:
        if any(w in text for w in words):
            return kind.value
    raise CellError(f"专利类型“{text[:20]}”无法识别，可填：发明、实用新型、外观设计")


_STATUS = (
    (("审中", "实审", "实质审查", "公开", "待审", "在审"), LegalStatus.PENDING),
    (("失效", "无效", "无权", "终止", "届满", "放弃", "驳回", "撤回", "未缴年费", "过期"), LegalStatus.LAPSED),
    (("有效", "有权", "授权", "维持", "专利权维持"), LegalStatus.VALID),
    (("未知", "不详"), LegalStatus.UNKNOWN),
)


def legal_status(value) -> str:
    """Status words as patent databases write them ("有权-审定授权", "失效-未缴年费终止" ...)."""
    text = to_simplified(unicodedata.normalize("NFKC", as_text(value))).strip().lower()
    if not text:
        return LegalStatus.UNKNOWN.value
    if text in {s.value for s in LegalStatus}:
        return text
    for words, status in _STATUS:   # the first word decides: "失效-授权后放弃" is lapsed
        if any(text.startswith(w) for w in words):
            return status.value
    for words, status in _STATUS:
        if any(w in text for w in words):
            return status.value
    raise CellError(f"法律状态“{text[:20]}”无法识别，可填：有效、审中、失效")


_FORMS = {"许可": WantedForm.LICENCE, "转让": WantedForm.TRANSFER, "合作开发": WantedForm.JOINT,
          "合作": WantedForm.JOINT, "licence": WantedForm.LICENCE, "license": WantedForm.LICENCE,
          "transfer": WantedForm.TRANSFER, "joint": WantedForm.JOINT}


def wanted_forms(value) -> list[str]:
    text = to_simplified(unicodedata.normalize("NFKC", as_text(value)))
    out: list[str] = []
    for part in re.split(r"[、,;；/\s]+", text):
        part = part.strip().lower()
        if not part:
            continue
        form = _FORMS.get(part) or next((f for k, f in _FORMS.items() if k in part), None)
        if form is None:
            raise CellError(f"合作方式“{part[:20]}”无法识别，可填：许可、转让、合作开发")
        if form.value not in out:
            out.append(form.value)
    return out


def split_list(value) -> list[str]:
    """Names or codes separated by ; ； , ， 、 or new lines."""
    text = as_text(value)
    return [p.strip() for p in re.split(r"[;；,，、\n|]+", text) if p.strip()]


def read_into(data, values: dict[str, list], readers, errors: list[str]) -> None:
    """Set `data.<name> = reader(first non-empty value)` for each (name, reader, label);
    a CellError becomes a message naming the column (unless it already does)."""
    for name, reader, label in readers:
        raw = next((x for x in values.get(name, []) if x not in (None, "")), None)
        if raw is None:
            continue
        try:
            setattr(data, name, reader(raw))
        except CellError as exc:
            message = str(exc)
            errors.append(message if message.startswith(label) else f"{label}：{message}")
