"""Period-aware lookups by code and level: the region as it was in the year of a period.

>>> get("VT22").name, len(regions_at("vt", "2021HJ01")), len(regions_at("vt", "2024HJ01"))
('Zaanstreek-Waterland', 26, 25)

Without a period every lookup takes the newest layout. A code asked for in a year it did not
exist is an :class:`~impactlib.errors.UnknownRegionError` that says what came before or after it.
"""

from __future__ import annotations

from ..errors import UnknownRegionError
from .changes import not_in_year_text
from .registry import (
    Region, by_key, gemeenten_of, known_years, newest, regions_of_year, unknown_code, year_of, years_for,
)
from .spelling import MAX_NAME, parse_level


def all_regions(period=None) -> list[Region]:
    """Every region of the year of ``period`` (default: the newest layout)."""
    return list(regions_of_year(year_of(period)))


def regions_at(level: str, period=None) -> list[Region]:
    """Every region of one level in the year of ``period`` (26 VT-regio's up to 2022, 25 from 2023).

    ``period`` may be a list: then every region that existed in any of those years, in code order.
    """
    lvl = parse_level(level)
    seen: dict[str, Region] = {}
    for year in reversed(years_for(period)):  # newest version of each region wins
        for r in regions_of_year(year):
            if r.level == lvl and r.key not in seen:
                seen[r.key] = r
    return sorted(seen.values(), key=lambda r: r.key)


def get(key: str, period=None) -> Region:
    """Region by CBS code (``'VT22'``, ``'GM0479'``; padded keys are stripped).

    With ``period``, the region as it was in that year (an error if it did not exist then);
    without, its newest version.
    """
    if period is None:
        return newest(key)
    k = str(key).strip().upper()[:MAX_NAME]
    year = year_of(period)
    hit = by_key(year).get(k)
    if hit is None:
        known = known_years(k)
        if known is None:
            raise unknown_code(k)
        raise UnknownRegionError(not_in_year_text(known[0], known[1], year))
    return hit


def exists(key: str, period) -> bool:
    return str(key).strip().upper() in by_key(year_of(period))


def members(region: Region | str, period=None) -> list[Region]:
    """The gemeenten of a region in the year of ``period`` (a gemeente: itself)."""
    reg = region if isinstance(region, Region) else get(region, period)
    return gemeenten_of(reg, year_of(period))
