"""The regions of each year, read from the data files; every lookup here is for one year.

``data/regions.csv`` holds the codes above gemeente level with their names per year,
``data/gemeenten.csv`` every gemeente per year with its VT-regio and provincie, ``data/aliases.csv``
the names users type and ``data/region_changes.csv`` what became of regions that ended.

>>> [r.key for r in regions_of_year(2021) if r.level == "landsdeel"]
['LD01', 'LD02', 'LD03', 'LD04']
>>> years_of("VT16"), years_of("VT27")
((2019, 2022), (2023, 2025))
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from ..errors import UnknownRegionError
from .spelling import LEVEL_LABELS, LEVELS, MAX_NAME, TITLE_SUFFIX, base_name, normalise_name, shown, slug

NATIONAL_KEY = "NL01"
#: Years the registry describes. Later periods use the newest layout, earlier ones the oldest.
FIRST_YEAR, LAST_YEAR = 2019, 2025


@dataclass(frozen=True)
class Region:
    """One region as it was in one year (``name``, ``vt_regio`` and ``provincie`` can change)."""

    key: str
    name: str
    level: str
    provincie: str = ""  # key of the provincie (gemeenten; main provincie of a VT-regio)
    vt_regio: str = ""  # key of the VT-regio (gemeenten)
    landsdeel: str = ""
    aliases: tuple[str, ...] = ()
    #: first and last year of this version: of its name (VT15, VT16 were renamed), or of the
    #: gemeente; ``last`` = :data:`LAST_YEAR` while it exists. :func:`years_of` gives the code's years.
    years: tuple[int, int] = field(default=(FIRST_YEAR, LAST_YEAR), compare=False)

    @property
    def cbs_title(self) -> str:
        """The title CBS uses in the RegioS dimension, e.g. ``'Drenthe (VT)'``."""
        return self.name + TITLE_SUFFIX[self.level]

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def slug(self) -> str:
        return slug(self.name if self.level in ("vt", "land") else f"{self.name}-{self.level}")

    @property
    def is_national(self) -> bool:
        return self.level == "land"

    def exists_in(self, year: int) -> bool:
        """Did the region's code exist in ``year`` (under this name or another)?"""
        first, last = years_of(self.key)
        return first <= year <= last


def year_of(period=None) -> int:
    """The registry year for a period (``Period``, key, title, year) or ``None`` (newest), clamped."""
    if period is None:
        return LAST_YEAR
    if isinstance(period, int):
        year = period
    elif hasattr(period, "year"):
        year = int(period.year)
    else:
        from ..periods import parse_period

        year = parse_period(period).year
    return min(max(year, FIRST_YEAR), LAST_YEAR)


def years_for(period) -> list[int]:
    """Years for one period or several (a list), oldest first; ``None`` = the newest year."""
    if period is not None and not isinstance(period, (str, int)) and not hasattr(period, "year"):
        return sorted({year_of(p) for p in period}) or [LAST_YEAR]
    return [year_of(period)]


# --------------------------------------------------------------------------- the data files
def _csv_rows(name: str) -> list[dict]:
    text = resources.files("impactlib").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


@lru_cache(maxsize=1)
def _aliases() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for row in _csv_rows("aliases.csv"):
        out.setdefault(row["code"], []).append(row["alias"])
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def _gemeente_rows() -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for row in _csv_rows("gemeenten.csv"):
        out.setdefault(int(row["year"]), []).append(row)
    return out


@lru_cache(maxsize=1)
def _gemeente_years() -> dict[str, tuple[int, int]]:
    years: dict[str, list[int]] = {}
    for year, rows in _gemeente_rows().items():
        for row in rows:
            years.setdefault(row["gm_code"], []).append(year)
    return {k: (min(v), max(v)) for k, v in years.items()}


@lru_cache(maxsize=1)
def changes() -> list[dict]:
    """The rows of ``data/region_changes.csv``: ``old`` code, ``new`` codes (``|``-separated), ``year``."""
    return _csv_rows("region_changes.csv")


@lru_cache(maxsize=None)
def regions_of_year(year: int) -> tuple[Region, ...]:
    """Every region of one year: NL, LD, PV, VT (codes order), then gemeenten (code order)."""
    year = year_of(year)
    out = []
    for row in _csv_rows("regions.csv"):
        first, last = int(row["first_year"]), int(row["last_year"] or LAST_YEAR)
        if first <= year <= last:
            out.append(Region(
                key=row["key"], name=row["name"], level=row["level"], provincie=row["provincie"],
                landsdeel=row["landsdeel"], aliases=tuple(a for a in row["aliases"].split("|") if a) + _aliases().get(row["key"], ()),
                years=(first, last),
            ))
    landsdeel = {r.key: r.landsdeel for r in out if r.level == "provincie"}
    rows = sorted(_gemeente_rows().get(year, []), key=lambda r: r["gm_code"])
    bases: dict[str, int] = {}
    for row in rows:
        bases[base_name(row["gm_name"])] = bases.get(base_name(row["gm_name"]), 0) + 1
    span = _gemeente_years()
    for row in rows:
        aliases = list(_aliases().get(row["gm_code"], ()))
        base = re.sub(r"\s*\([^)]*\)\s*$", "", row["gm_name"])
        if base != row["gm_name"] and bases[base_name(base)] == 1:
            aliases.append(base)  # 'Hengelo' for 'Hengelo (O.)' where no other gemeente shares it
        out.append(Region(
            key=row["gm_code"], name=row["gm_name"], level="gemeente", provincie=row["pv_code"],
            vt_regio=row["vt_code"], landsdeel=landsdeel.get(row["pv_code"], ""), aliases=tuple(aliases),
            years=span[row["gm_code"]],
        ))
    order = {lvl: i for i, lvl in enumerate(LEVELS)}
    return tuple(sorted(out, key=lambda r: (order[r.level], r.key)))


@lru_cache(maxsize=None)
def by_key(year: int) -> dict[str, Region]:
    """The regions of one year by code."""
    return {r.key: r for r in regions_of_year(year)}


@lru_cache(maxsize=None)
def name_index(year: int) -> dict[str, list[Region]]:
    """The regions of one year by every folded name, CBS title, code and alias they go by."""
    index: dict[str, list[Region]] = {}
    for r in regions_of_year(year):
        for name in (r.name, r.cbs_title, r.key, *r.aliases):
            hits = index.setdefault(normalise_name(name), [])
            if r not in hits:
                hits.append(r)
    return index


# --------------------------------------------------------------------------- one code over the years
def known_years(key: str) -> tuple[Region, list[int]] | None:
    """A code's newest version and every year it existed in, or ``None`` for an unknown code."""
    found = [(y, by_key(y)[key]) for y in range(FIRST_YEAR, LAST_YEAR + 1) if key in by_key(y)]
    if not found:
        return None
    return found[-1][1], [y for y, _ in found]


def years_of(key: str) -> tuple[int, int]:
    """First and last year in which a code existed (``(0, 0)`` for an unknown code)."""
    found = known_years(str(key).strip().upper())
    return (found[1][0], found[1][-1]) if found else (0, 0)


def unknown_code(key: str) -> UnknownRegionError:
    """The error for a code that never existed."""
    return UnknownRegionError(f"Regiocode '{shown(key, 20)}' is onbekend (zie 'impactmonitor regions').")


def newest(key: str) -> Region:
    """The newest version of a code (padded keys are stripped); :class:`UnknownRegionError` if it never existed."""
    k = str(key).strip().upper()[:MAX_NAME]
    for year in range(LAST_YEAR, FIRST_YEAR - 1, -1):
        hit = by_key(year).get(k)
        if hit is not None:
            return hit
    raise unknown_code(key)


def gemeenten_of(region: Region, year: int) -> list[Region]:
    """The gemeenten of a region in ``year`` (a gemeente: itself)."""
    field_of = {"vt": "vt_regio", "provincie": "provincie", "landsdeel": "landsdeel"}
    gemeenten = [r for r in regions_of_year(year) if r.level == "gemeente"]
    if region.level == "land":
        return gemeenten
    if region.level == "gemeente":
        return [r for r in gemeenten if r.key == region.key]
    return [r for r in gemeenten if getattr(r, field_of[region.level]) == region.key]
