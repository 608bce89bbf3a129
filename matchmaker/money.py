"""Amounts: users type 万元 (with decimals), we store whole yuan."""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

MAX_YUAN = 10_000_000_000          # 100 亿元: anything above is a typo
GUIDANCE_FIXED_FEE_YUAN = 20_000_000   # CNIPA guidance: fixed fees generally ≤ 2,000 万元


class AmountError(ValueError):
    pass


def parse_wan(raw, label: str) -> int | None:
    """'12.5' (万元) → 125000 yuan; empty → None; negative, absurd or malformed → AmountError."""
    text = unicodedata.normalize("NFKC", "" if raw is None else str(raw)).strip()
    text = text.replace(",", "").removesuffix("万元").removesuffix("万").strip()
    if not text:
        return None
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", text):
        raise AmountError(f"{label}须为数字（单位：万元）")
    try:
        value = Decimal(text) * 10_000
    except InvalidOperation:
        raise AmountError(f"{label}须为数字（单位：万元）") from None
    if value < 0:
        raise AmountError(f"{label}不能为负数")
    if value > MAX_YUAN:
        raise AmountError(f"{label}超过 {MAX_YUAN // 10**8} 亿元，请检查单位（万元）")
    return int(value.quantize(Decimal(1)))


def parse_pct(raw, label: str) -> float | None:
    text = unicodedata.normalize("NFKC", "" if raw is None else str(raw)).strip().rstrip("%").strip()
    if not text:
        return None
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", text):
        raise AmountError(f"{label}须为数字（百分比）")
    value = float(text)
    if value < 0:
        raise AmountError(f"{label}不能为负数")
    if value > 100:
        raise AmountError(f"{label}不能超过 100%")
    return round(value, 2)


def wan(yuan: int | None) -> str:
    """Display: 125000 → '12.5 万元'."""
    if yuan is None:
        return "—"
    value = Decimal(yuan) / 10_000
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return f"{text} 万元"
