"""Regions as CBS codes them, per year: Nederland, landsdelen, provincies, Veilig Thuis-regio's, gemeenten.

>>> from impactlib.regions import resolve
>>> r = resolve("zaanstreek waterland").region
>>> r.key, r.name, r.level
('VT22', 'Zaanstreek-Waterland', 'vt')
>>> len(regions_at("vt", "2021HJ01")), len(regions_at("vt", "2024HJ01"))
(26, 25)

Codes are CBS's (``NL01``, ``LD01``–``LD04``, ``PV20``–``PV31``, ``VT01``–``VT27``, ``GM....``); VT codes
are alphabetical by name (VT02 Drenthe, VT22 Zaanstreek-Waterland), not in veiligheidsregio order. The
layout changes over the years: since 2023 Brabant Noordoost (VT16) and Zuidoost-Brabant (VT26) form
Oost-Brabant (VT27), VT15 is called Midden-Brabant and took Alphen-Chaam and Baarle-Nassau from
West-brabant; gemeenten merge (355 in 2019–2020, 352, 345, 342 from 2023). Every lookup is therefore
for a year (a period's year; without one, the newest layout, then older ones).

Names are matched tolerant of case, hyphens, spaces, diacritics and CBS's suffixes (``(VT)``, ``(PV)``,
``(LD)``, ``(gemeente)``; ``(gm)`` asks for the gemeente). Aliases users type are known ("Den Haag" =
's-Gravenhage, "Hollands Midden", "Limburg-Noord", "Hart van Brabant", "Fryslân"/"Friesland"). A name
shared by levels ("Drenthe", "Utrecht", "Groningen") resolves to the Veilig Thuis-regio unless a level
is given; :attr:`Resolution.note` then says which level was taken.

The data live in ``data/regions.csv`` (codes above gemeente level with their names per year),
``data/gemeenten.csv`` (every gemeente per year with its VT-regio and provincie), ``data/aliases.csv``
and ``data/region_changes.csv`` (what became of regions that ended); each row is marked verified,
computed or inferred.

The package, from the ground up:

- :mod:`.spelling`: folding names, CBS title suffixes, level words, slugs;
- :mod:`.registry`: the regions of each year, read from the data files (:class:`Region`);
- :mod:`.changes`: what became of regions that ended (successors, predecessors) and the years a
  region's area changed (:func:`boundary_changes`);
- :mod:`.lookup`: lookups by code and level for the year of a period (:func:`get`, :func:`members`);
- :mod:`.resolution`: the region a user means by name (:func:`resolve`, :func:`title_matches`).
"""

from .changes import boundary_changes, predecessors, successors
from .lookup import all_regions, exists, get, members, regions_at
from .registry import FIRST_YEAR, LAST_YEAR, NATIONAL_KEY, Region, changes, year_of, years_of
from .resolution import Resolution, resolve, title_matches
from .spelling import LEVEL_LABELS, LEVELS, MAX_NAME, TITLE_SUFFIX, normalise_name, parse_level, slug

__all__ = [
    "Region",
    "Resolution",
    "LEVELS",
    "LEVEL_LABELS",
    "TITLE_SUFFIX",
    "MAX_NAME",
    "FIRST_YEAR",
    "LAST_YEAR",
    "all_regions",
    "regions_at",
    "get",
    "resolve",
    "members",
    "successors",
    "predecessors",
    "changes",
    "exists",
    "title_matches",
    "boundary_changes",
    "year_of",
    "years_of",
    "parse_level",
    "slug",
    "normalise_name",
    "NATIONAL_KEY",
]
