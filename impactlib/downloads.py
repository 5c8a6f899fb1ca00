"""Downloads of what a page shows: a CSV for Dutch Excel and a PNG, each with source and label.

- :func:`dutch_csv` — a table as CSV bytes the way Dutch Excel opens it by double-clicking:
  ``;`` between fields, a decimal comma, UTF-8 with a byte-order mark (so ``é`` stays ``é``).
  A title line comes first, then the OEFENDATA warning (when the figures are oefendata), an
  empty line and the table; under the table the source line (CBS, table ids, CC BY 4.0) and
  what an empty cell means (unknown, never 0).
- :func:`data_url` / :func:`link_html` — a file as an ``<a download>`` link for a web page
  (the Voilà explorer), so no file has to be written on the server.
- :func:`slug` — a safe file name part.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import math
import re
import unicodedata

import pandas as pd

from .formatting import round_half_up

__all__ = ["dutch_csv", "read_dutch_csv", "data_url", "link_html", "slug", "EMPTY_NOTE"]

EMPTY_NOTE = "Een lege cel betekent: onbekend (bij CBS een punt), nooit 0."
_BOM = "\ufeff"


def _cell(value, decimals: int) -> str:
    """A number with a decimal comma and no thousands separator (Excel reads it as a number)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, int) or (isinstance(value, float) and float(value).is_integer() and decimals == 0):
        return str(int(value))
    if isinstance(value, float):
        return f"{round_half_up(value, decimals):.{decimals}f}".replace(".", ",")
    return str(value)


def dutch_csv(frame: pd.DataFrame, *, title: str, source_line: str, oefendata: str | None = None,
              decimals: dict[str, int] | None = None, notes: list[str] | None = None) -> bytes:
    """``frame`` as CSV bytes for Dutch Excel (see the module doc).

    ``decimals`` per column (default 1 for float columns); ``oefendata`` is the warning text,
    given only when the figures are oefendata; ``notes`` go under the source line.
    """
    decimals = decimals or {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([title])
    if oefendata:
        writer.writerow([oefendata])
    writer.writerow([])
    writer.writerow([str(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        writer.writerow([_cell(v.item() if hasattr(v, "item") else v, decimals.get(col, 1))
                         for col, v in zip(frame.columns, row)])
    writer.writerow([])
    writer.writerow([source_line])
    for line in [*(notes or []), EMPTY_NOTE]:
        writer.writerow([line])
    return (_BOM + buffer.getvalue()).encode("utf-8")


def read_dutch_csv(data: bytes) -> tuple[list[str], pd.DataFrame, list[str]]:
    """Read :func:`dutch_csv` back: ``(lines above, table, lines under)``; numbers as floats."""
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    first_blank = rows.index([])
    last_blank = len(rows) - 1 - rows[::-1].index([])
    head, body, foot = rows[:first_blank], rows[first_blank + 1:last_blank], rows[last_blank + 1:]
    table = pd.DataFrame(body[1:], columns=body[0])

    def number(text):
        if text == "":
            return math.nan
        try:
            return float(text.replace(",", "."))
        except ValueError:
            return text

    for col in table.columns:
        converted = table[col].map(number)
        if all(isinstance(v, float) for v in converted):
            table[col] = converted.astype(float)
    return [r[0] for r in head if r], table, [r[0] for r in foot if r]


def data_url(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def link_html(data: bytes, mime: str, filename: str, text: str, css_class: str) -> str:
    """An ``<a download>`` link carrying ``data``; every text is escaped."""
    return (f"<a class='{html.escape(css_class, quote=True)}' download='{html.escape(filename, quote=True)}' "
            f"href='{data_url(data, mime)}' style='margin-right:1.5em'>{html.escape(text)}</a>")


def slug(text: str, limit: int = 60) -> str:
    """``'Zaanstreek-Waterland, 1e halfjaar 2021*'`` → ``'zaanstreek-waterland-1e-halfjaar-2021'``."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:limit].strip("-") or "verkenner"
