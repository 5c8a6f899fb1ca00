"""Dutch formatting of numbers, percentages and periods.

All rounding to one decimal goes through :func:`round_half_up` so that a figure shown in a
sentence, a table and a JSON answer is the same figure (55,6 %, never 55,5 % in one place
and 55,6 % in another because of binary floating point).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "round_half_up",
    "format_number",
    "format_percent",
    "format_value",
    "format_count",
]


def round_half_up(value: float, decimals: int = 1) -> float:
    """Round like a person does (2,25 → 2,3), not like IEEE (banker's/representation)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    q = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(q, rounding=ROUND_HALF_UP))


def format_number(value: float | None, decimals: int = 1) -> str:
    """``1234.5`` → ``'1.234,5'``; missing → ``'onbekend'``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "onbekend"
    rounded = round_half_up(value, decimals)
    text = f"{rounded:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_count(value: float | None) -> str:
    """Counts as CBS prints them: ``64505`` → ``'64.505'``."""
    return format_number(value, 0)


def format_percent(value: float | None, decimals: int = 1) -> str:
    """``55.6`` → ``'55,6 %'`` (Dutch style, with a space before the sign)."""
    text = format_number(value, decimals)
    return text if text == "onbekend" else f"{text} %"


def format_value(value: float | None, unit: str) -> str:
    """Format by catalogue unit: ``percent``, ``per_10k``, ``count``."""
    if unit == "percent":
        return format_percent(value)
    if unit == "count":
        return format_count(value)
    if unit == "per_10k":
        text = format_number(value, 1)
        return text if text == "onbekend" else f"{text} per 10.000 inwoners"
    return format_number(value)
