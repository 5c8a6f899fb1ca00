"""Checking a local file cell by cell, and turning it into the tidy, suppressed frame.

:func:`load_local` reads (:mod:`.reading`), checks every row and suppresses small counts
(:func:`~.frame.suppress_small`); :func:`validate` lists the problems without raising. Every
problem is one Dutch line naming the row as Excel shows it and the column, e.g.
``Rij 4, kolom 'waarde': '125' ligt niet tussen 0 en 100; ...``; :class:`~impactlib.errors.LocalFileError` carries them
all in ``.errors``.

>>> _number("1.234,5"), _number("12,5"), _number(7)
(1234.5, 12.5, 7.0)
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import LocalFileError, PeriodError
from ..periods import parse_period
from .frame import (
    COLUMNS, THRESHOLD, LocalIndicators, display_value, empty_frame, required_columns, schema, suppress_small,
)
from .reading import frame_rows, read_file

MAX_ERRORS = 10
_UNKNOWN = {"", ".", "-", "?", "onbekend", "nb", "n.b.", "na", "nan"}
_SUPPRESSED = re.compile(r"^<\s*(\d+)$")
_MUST_FILL = {
    "indicator": "een korte naam voor de indicator",
    "omschrijving": "de omschrijving (de afgesproken definitie)",
    "bron": "de registratie waar het cijfer vandaan komt",
    "gebied": "de naam van het gebied",
}


def load_local(source: str | Path | pd.DataFrame, *, threshold: int = THRESHOLD) -> LocalIndicators:
    """Read, validate and suppress a local file; raise :class:`LocalFileError` if it is wrong.

    ``source`` is a ``.csv``/``.xlsx`` path or a DataFrame with the schema's columns (its rows
    are numbered as if the header were row 1). Counts below ``threshold`` are suppressed at once.
    """
    if isinstance(source, pd.DataFrame):
        raw, info = frame_rows(source), {"path": "(tabel)", "file_format": "tabel"}
    else:
        raw, info = read_file(Path(source))
    frame, errors, ignored = _parse(raw)
    if errors:
        raise LocalFileError(errors)
    return LocalIndicators(suppress_small(frame, threshold), threshold=threshold, ignored_columns=ignored, **info)


def validate(source: str | Path | pd.DataFrame) -> list[str]:
    """Every problem of a local file, one Dutch line each (an empty list: the file is fine)."""
    try:
        raw = frame_rows(source) if isinstance(source, pd.DataFrame) else read_file(Path(source))[0]
    except LocalFileError as exc:
        return exc.errors
    return _parse(raw)[1]


def _choice(column: str, text: str) -> str | None:
    word = re.sub(r"\s+", " ", str(text).strip().lower())
    word = schema().get("aliases", {}).get(column, {}).get(word, word)
    return word if word in schema()["columns"][column]["choices"] else None


def _text(cell) -> str:
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip()


def _number(cell) -> float:
    """A cell as a number: Excel numbers as they are, text with a decimal comma or point.

    Both separators present: the last one is the decimal mark ("1.234,5" and "1,234.5");
    one kind only: a single mark is decimal ("12,5", "12.5"), repeated marks group thousands.
    Raises ``ValueError`` for anything else.
    """
    if isinstance(cell, (int, float, np.number)) and not isinstance(cell, bool):
        return float(cell)
    text = re.sub(r"[\s\u00a0%]", "", str(cell))
    if "," in text and "." in text:
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "")
    for mark in (",", "."):
        if text.count(mark) > 1:  # only as thousands grouping: 1.234.567
            if not re.fullmatch(rf"[+-]?\d{{1,3}}(\{mark}\d{{3}})+", text):
                raise ValueError(cell)
            text = text.replace(mark, "")
    if not re.fullmatch(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)", text):
        raise ValueError(cell)
    return float(text.replace(",", "."))


def _parse(rows: list[tuple[int, list]]) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Check every row; return the tidy frame, the error lines and the ignored columns."""
    rows = [(n, cells) for n, cells in rows if any(_text(c) for c in cells)]
    if not rows:
        return empty_frame(), [f"Het bestand is leeg; verwacht een kopregel met {', '.join(required_columns())}."], []
    head_row, header = rows[0]
    names = [_text(c).lower() for c in header]
    missing = [c for c in required_columns() if c not in names]
    if len(missing) == len(required_columns()) and sum(c in " ".join(names) for c in required_columns()) > 1:
        return empty_frame(), [  # every column name is there, but in one cell: another separator
            f"Rij {head_row}: de kolommen zijn niet gescheiden door ';', ',' of een tab (gevonden: "
            f"{' '.join(n for n in names if n)[:120]}); sla het bestand op als CSV met ';' als scheidingsteken."
        ], []
    if missing:
        found = ", ".join(n for n in names if n) or "niets"
        return empty_frame(), [
            f"Rij {head_row}: kolom{'men' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)} "
            f"{'ontbreken' if len(missing) > 1 else 'ontbreekt'}; verwacht {', '.join(required_columns())} (gevonden: {found[:120]})."
        ], []
    doubles = sorted({n for n in names if n and names.count(n) > 1})
    if doubles:
        return empty_frame(), [f"Rij {head_row}: kolom {doubles[0]!r} staat er meer dan eens in; houd één kolom per naam."], []
    index = {n: i for i, n in enumerate(names) if n}
    ignored = [n for n in index if n not in required_columns() and n not in schema().get("optional_columns", {})]
    errors, out, seen = [], [], {}
    for n, cells in rows[1:]:
        extra = [c for c in cells[len(names):] if _text(c)]
        if extra:
            errors.append(f"Rij {n}: {len(names) + len(extra)} of meer velden, maar {len(names)} kolommen in de kopregel; "
                          f"staat er een komma in een getal? Zet het getal tussen aanhalingstekens of gebruik ';'.")
            continue
        record, row_errors = _row(n, {k: (cells[i] if i < len(cells) else None) for k, i in index.items()})
        errors += row_errors
        if row_errors:
            continue
        key = (record["indicator"], record["niveau"], record["gebied"].lower(), record["periode"])
        if key in seen:
            errors.append(f"Rij {n}: dezelfde indicator, hetzelfde gebied en dezelfde periode als rij {seen[key]}; "
                          f"houd één rij per indicator, gebied en periode.")
            continue
        seen[key] = n
        out.append(record)
    frame = pd.DataFrame(out, columns=COLUMNS) if out else empty_frame()
    if not out and not errors:
        errors.append(f"Rij {head_row}: er staan geen cijfers onder de kopregel.")
    return frame, errors, ignored


def _row(n: int, cell: dict) -> tuple[dict, list[str]]:
    errs = []

    def err(col, text):
        errs.append(f"Rij {n}, kolom '{col}': {text}")

    text = {k: _text(v) for k, v in cell.items()}
    for col, what in _MUST_FILL.items():
        if not text[col]:
            err(col, f"is leeg; vul {what} in.")
    level = _choice("niveau", text["niveau"])
    if level is None:
        err("niveau", f"'{text['niveau'][:40]}' is geen niveau; kies uit {', '.join(schema()['columns']['niveau']['choices'])}.")
    unit = _choice("eenheid", text["eenheid"])
    if unit is None:
        err("eenheid", f"'{text['eenheid'][:40]}' is geen eenheid; kies uit {', '.join(schema()['columns']['eenheid']['choices'])}.")
    period = None
    try:
        period = parse_period(text["periode"])
    except PeriodError:
        err("periode", f"'{text['periode'][:40]}' is geen periode; gebruik bijv. 2021HJ01, 2021H1 of 2021.")
    value, suppressed = np.nan, False
    raw = text["waarde"]
    if _SUPPRESSED.match(raw):
        suppressed = True  # already hidden by the supplier, e.g. "<5"
    elif raw.lower() not in _UNKNOWN:
        try:
            value = _number(cell["waarde"])
        except ValueError:
            err("waarde", f"'{raw[:40]}' is geen getal; schrijf bijv. 12 of 12,5 (leeg = onbekend).")
    if not np.isnan(value) and unit:
        problem = _unit_problem(value, unit)
        if problem:
            err("waarde", f"'{raw[:40]}' {problem}")
    record = {
        "bron": text["bron"], "indicator": text["indicator"], "omschrijving": text["omschrijving"], "categorie": "",
        "niveau": level, "gebied": text["gebied"], "periode": period.key if period else "",
        "periodetitel": period.title if period else "", "waarde": value, "eenheid": unit,
        "weergave": f"<{_SUPPRESSED.match(raw).group(1)}" if suppressed else display_value(value, unit),
        "onderdrukt": suppressed, "opmerking": text.get("opmerking", ""),
    }
    return record, errs


def _unit_problem(value: float, unit: str) -> str | None:
    if unit == "aantal" and (value < 0 or not float(value).is_integer()):
        return "is geen geheel aantal; schrijf een aantal zonder decimalen en zonder punt (1234, niet 1.234)."
    if unit == "percentage" and not 0 <= value <= 100:
        return "ligt niet tussen 0 en 100; schrijf een percentage als 12,5 (niet 0,125)."
    if unit != "gemiddelde" and value < 0:
        return "is negatief; dat kan niet bij deze eenheid."
    return None
