"""Periods as CBS writes them: ``2021HJ01`` (half year), ``2021JJ00`` (year).

:func:`parse_period` accepts CBS keys, CBS titles (``"1e halfjaar 2021*"``) and friendly
forms (``"2021H1"``, ``"2021-1"``, ``"2021"``). A trailing ``*`` marks provisional figures
("voorlopig"), ``**`` "nader voorlopig"; the flag travels with the :class:`Period`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import PeriodError

__all__ = ["Period", "parse_period", "half_years", "FIRST_YEAR"]

FIRST_YEAR = 2019
_MAX_YEAR = 2100

_HALF_NAMES = {1: "eerste halfjaar", 2: "tweede halfjaar"}


@dataclass(frozen=True, order=True)
class Period:
    """A half year (``half`` 1 or 2) or a whole year (``half`` 0)."""

    year: int
    half: int = 0
    provisional: str = field(default="", compare=False)  # "", "*" or "**"

    @property
    def key(self) -> str:
        return f"{self.year}JJ00" if self.half == 0 else f"{self.year}HJ0{self.half}"

    @property
    def is_half_year(self) -> bool:
        return self.half in (1, 2)

    @property
    def is_provisional(self) -> bool:
        return bool(self.provisional)

    @property
    def title(self) -> str:
        """CBS title, e.g. ``'1e halfjaar 2021*'``."""
        base = str(self.year) if self.half == 0 else f"{self.half}e halfjaar {self.year}"
        return base + self.provisional

    @property
    def dutch(self) -> str:
        """Dutch words for sentences: ``'het eerste halfjaar van 2021'`` / ``'2021'``."""
        if self.half == 0:
            return str(self.year)
        return f"het {_HALF_NAMES[self.half]} van {self.year}"

    @property
    def short(self) -> str:
        """Compact label for charts: ``'2021-1'`` or ``'2021'``; provisional gets ``*``."""
        base = str(self.year) if self.half == 0 else f"{self.year}-{self.half}"
        return base + self.provisional

    def with_flag(self, provisional: str) -> "Period":
        return Period(self.year, self.half, provisional)

    def previous(self) -> "Period":
        if self.half == 0:
            return Period(self.year - 1, 0)
        return Period(self.year, 1) if self.half == 2 else Period(self.year - 1, 2)

    def next(self) -> "Period":
        if self.half == 0:
            return Period(self.year + 1, 0)
        return Period(self.year, 2) if self.half == 1 else Period(self.year + 1, 1)

    def year_ago(self) -> "Period":
        return Period(self.year - 1, self.half)

    def __str__(self) -> str:
        return self.key


_PATTERNS = [
    (re.compile(r"^(\d{4})\s*HJ\s*0?([12])$"), "half"),
    (re.compile(r"^(\d{4})\s*JJ\s*00$"), "year"),
    (re.compile(r"^(\d{4})\s*[-_/ ]?\s*H\s*([12])$"), "half"),
    (re.compile(r"^(\d{4})\s*[-_/]\s*([12])$"), "half"),
    (re.compile(r"^([12])\s*e?\s*(?:halfjaar|hj|h)\s*(\d{4})$"), "half_rev"),
    (re.compile(r"^(\d{4})\s+([12])\s*e\s+halfjaar$"), "half"),  # 82975NED: '2022 1e halfjaar**'
    (re.compile(r"^(eerste|tweede)\s+halfjaar\s+(?:van\s+)?(\d{4})$"), "half_word"),
    (re.compile(r"^(\d{4})$"), "year"),
]


def parse_period(text: object) -> Period:
    """Parse one period; raise :class:`PeriodError` with the accepted forms if it fails.

    >>> parse_period("1e halfjaar 2021*").key
    '2021HJ01'
    >>> parse_period("2021H2").dutch
    'het tweede halfjaar van 2021'
    """
    if isinstance(text, Period):
        return text
    if not isinstance(text, (str, int)):
        raise PeriodError(_bad(text))
    raw = str(text).strip()
    flag = ""
    m = re.search(r"(\*{1,2})$", raw)
    if m:
        flag = m.group(1)
        raw = raw[: m.start()].strip()
    norm = raw.upper() if re.match(r"^\d{4}\s*(HJ|JJ|H)", raw.upper()) else raw.lower()
    for pattern, kind in _PATTERNS:
        match = pattern.match(norm)
        if not match:
            continue
        if kind == "half":
            year, half = int(match.group(1)), int(match.group(2))
        elif kind == "half_rev":
            half, year = int(match.group(1)), int(match.group(2))
        elif kind == "half_word":
            half, year = (1 if match.group(1) == "eerste" else 2), int(match.group(2))
        else:
            year, half = int(match.group(1)), 0
        if not FIRST_YEAR <= year <= _MAX_YEAR:
            raise PeriodError(
                f"Periode '{text}' valt buiten de reeks: de Impactmonitor begint in "
                f"{FIRST_YEAR} (bijvoorbeeld 2019HJ01)."
            )
        return Period(year, half, flag)
    raise PeriodError(_bad(text))


def _bad(text: object) -> str:
    shown = str(text).replace("\x00", "\\0")[:60]
    return (
        f"Periode '{shown}' is niet te lezen. Gebruik een halfjaar als 2021HJ01, 2021H1 of "
        f"'1e halfjaar 2021', of een jaar als 2021JJ00 of 2021."
    )


def half_years(first: Period | str, last: Period | str) -> list[Period]:
    """All half years from ``first`` to ``last`` inclusive."""
    a, b = parse_period(first), parse_period(last)
    out, p = [], Period(a.year, a.half or 1)
    end = Period(b.year, b.half or 2)
    while p <= end:
        out.append(p)
        p = p.next()
    return out
