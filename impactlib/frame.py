"""The frame contract: what every indicator frame of :mod:`impactlib.query` looks like.

Like seaborn, the project speaks *tidy long frames*: one row per observation — here one
region × period × category — and one column per variable. A chart, a table, a comparison
or an export takes such a frame in and never needs another shape; whatever a picture
needs beyond it (Nederland beside the region, the line without Nederland) comes from the
helpers below, so no module builds its own.

>>> from impactlib.query import get_indicator
>>> from impactlib import frame as F
>>> df = get_indicator("meldingen_per_10k", "Twente", "2021HJ01")       # doctest: +SKIP
>>> F.check(df)                      # raises FrameContractError if a column is missing  # doctest: +SKIP
>>> F.long_form(df)[["who", "period", "value"]]     # Twente's row, then Nederland's  # doctest: +SKIP

Columns (:data:`COLUMNS`, in this order):

``region_key, region, level, period, period_title, provisional, indicator, category, value,
real, unit, numerator, denominator, national, national_real, national_numerator,
national_denominator, source``

- ``value``: the indicator (percent, per 10 000 inhabitants or a count); ``NaN`` = unknown
  (a CBS ``.`` or a zero denominator), never 0.
- ``numerator`` / ``denominator``: the CBS counts behind a share or rate (rounded to 5 by
  CBS; population is exact), so comparisons can judge noise; ``denominator`` is ``NaN`` for a count.
- ``real``: ``True`` for a published CBS figure (every figure from CBS itself; in the
  oefendata only the cells marked real); ``False`` for an invented one.
- ``national``, ``national_real``, ``national_numerator``, ``national_denominator``: the same
  four for Nederland in the same period (and category). Nederland travels **as columns** of
  every row, not in ``attrs``: columns survive filtering, sorting and ``concat``, so any part
  of a frame still knows its national figure and the counts behind it (what a noise-aware
  verdict against Nederland needs). :func:`national_rows` turns them back into rows.
- ``provisional``: ``""``, ``"*"`` or ``"**"`` as CBS marks the period.
- ``source``: a short provenance label; ``frame.attrs["source"]`` holds the full record
  ``{"kind", "synthetic", "tables", "host", "fetched_at", ...}``.

The column names are English and stay English inside the project; Dutch names appear only
at the edges where a person reads a file (:mod:`impactlib.export`, :mod:`impactlib.local`).
"""

from __future__ import annotations

import math

import pandas as pd

from .errors import FrameContractError
from .regions import NATIONAL_KEY

__all__ = ["COLUMNS", "NATIONAL_COLUMNS", "UNITS", "check", "national_rows", "long_form", "without_national"]

COLUMNS = [
    "region_key", "region", "level", "period", "period_title", "provisional", "indicator",
    "category", "value", "real", "unit", "numerator", "denominator", "national", "national_real",
    "national_numerator", "national_denominator", "source",
]
#: A region's column → the column that holds the same for Nederland.
NATIONAL_COLUMNS = {
    "value": "national", "real": "national_real", "numerator": "national_numerator",
    "denominator": "national_denominator",
}
UNITS = ("percent", "per_10k", "count")
_PROVISIONAL = ("", "*", "**")
_NUMERIC = ("value", "numerator", "denominator", "national", "national_numerator", "national_denominator")


def check(frame: pd.DataFrame, *, what: str = "indicatorframe") -> pd.DataFrame:
    """``frame`` itself if it keeps the contract, else :class:`FrameContractError` naming the break.

    Cheap (no pass over the rows in Python): every column of :data:`COLUMNS` present, numbers
    numeric, units and provisional marks from their lists, one row per region, period and
    category. Called where frames enter: after every query.
    """
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise FrameContractError(f"{what} mist kolom(men) {', '.join(missing)}; verwacht: {', '.join(COLUMNS)}.")
    for col in _NUMERIC:
        if not pd.api.types.is_numeric_dtype(frame[col]) and frame[col].notna().any():
            raise FrameContractError(f"{what}: kolom {col} is niet numeriek ({frame[col].dtype}).")
    units = set(frame["unit"].unique()) - set(UNITS)
    if units:
        raise FrameContractError(f"{what}: onbekende eenheid {', '.join(map(str, sorted(units)))}; kies uit {', '.join(UNITS)}.")
    marks = set(frame["provisional"].unique()) - set(_PROVISIONAL)
    if marks:
        raise FrameContractError(f"{what}: kolom provisional heeft {', '.join(map(repr, sorted(marks)))}; "
                                 "alleen '', '*' of '**' mag.")
    if frame.duplicated(["region_key", "period", "category"]).any():
        raise FrameContractError(f"{what}: een regio, periode en categorie komen meer dan eens voor.")
    return frame


def national_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Nederland as rows of the frame's own shape, once per period and category, in the
    frame's order: ``value``, ``real``, ``numerator`` and ``denominator`` taken from the
    national columns, region Nederland. A frame of Nederland itself gives its own rows.

    This is how a comparison gets its national row without asking the source again.
    """
    rows = frame.drop_duplicates(["period", "category"]).copy()
    for own, national in NATIONAL_COLUMNS.items():
        if national in rows:
            rows[own] = rows[national]
    rows["region_key"], rows["region"], rows["level"] = NATIONAL_KEY, "Nederland", "land"
    rows = rows.reset_index(drop=True)
    rows.attrs = dict(frame.attrs)
    return rows


def long_form(frame: pd.DataFrame, *, national: bool = True) -> pd.DataFrame:
    """The frame as a chart reads it: one row per bar or point, ``who`` naming its line.

    First the frame's own rows (``who`` = the region's name), then — with ``national`` —
    Nederland's (:func:`national_rows`; ``who`` = ``"Nederland"``). Seaborn draws this
    directly: ``sns.barplot(data=long_form(df), x="who", y="value", hue="who")``. Every
    other column is kept, so a chart can still place a row by ``period`` or ``category``.
    """
    own = frame.assign(who=frame["region"].astype(str))
    parts = [own]
    if national:
        parts.append(national_rows(frame).assign(who="Nederland"))
    out = pd.concat(parts, ignore_index=True)
    out.attrs = dict(frame.attrs)
    return out


def without_national(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy without the national line (``national`` unknown), ``attrs`` kept.

    Counts of a region and of Nederland do not share a scale (regions differ in size): a
    chart of a count leaves the national line out rather than dwarf the region.
    """
    out = frame.assign(national=math.nan)
    out.attrs = dict(frame.attrs)
    return out
