"""Which region a user means: names, aliases and CBS titles matched to codes, with suggestions.

>>> resolve("Den Haag", level="gemeente").region.name
"'s-Gravenhage"
>>> resolve("Drenthe").note.startswith("'Drenthe' opgevat als Veilig Thuis-regio")
True

Names are matched tolerant of case, hyphens, spaces, diacritics and CBS's suffixes; a name shared
by levels resolves to the Veilig Thuis-regio unless a level is given, and :attr:`Resolution.note`
says which level was taken. :func:`title_matches` checks a title CBS sends against the code.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache

from ..errors import UnknownRegionError
from .changes import not_in_year_text
from .lookup import get
from .registry import FIRST_YEAR, LAST_YEAR, Region, by_key, known_years, name_index, regions_of_year, year_of
from .spelling import LEVEL_LABELS, MAX_NAME, base_name, normalise_name, parse_level, shown, suffix_level


@dataclass(frozen=True)
class Resolution:
    region: Region
    note: str = ""  # Dutch remark when a choice was made (e.g. which level was taken)


_PREFERENCE = ("vt", "land", "provincie", "landsdeel", "gemeente")


def resolve(name: str, level: str | None = None, period=None) -> Resolution:
    """Find the region a user means, as it was in the year of ``period``.

    Without ``period`` the newest layout is searched first, then older ones (so "Brabant
    Noordoost" is found as the VT-regio of 2021–2022). With ``period``, a region that did not
    exist then is an :class:`UnknownRegionError` naming what took its place. Nothing matching
    raises :class:`UnknownRegionError` with up to three suggestions.
    """
    if isinstance(name, Region):
        if period is not None and not name.exists_in(year_of(period)):
            raise UnknownRegionError(not_in_year_text(name, known_years(name.key)[1], year_of(period)))
        return Resolution(name)
    lvl = parse_level(level)
    if not isinstance(name, str) or not normalise_name(name[: MAX_NAME + 1]):
        raise UnknownRegionError(
            f"Regio '{shown(name)}' is onbekend. Geef een Veilig Thuis-regio, provincie, landsdeel, "
            f"gemeente of 'Nederland' (zie 'impactmonitor regions')."
        )
    if len(name) > MAX_NAME:
        raise UnknownRegionError(f"Regio '{shown(name)}' is onbekend: een regionaam is hooguit {MAX_NAME} tekens.")
    echo = shown(name)
    named_level = suffix_level(name)
    if named_level is not None:
        if lvl is not None and lvl != named_level:
            raise UnknownRegionError(f"'{echo}' noemt niveau {LEVEL_LABELS[named_level]}, maar gevraagd is "
                                     f"{LEVEL_LABELS[lvl]}; laat een van beide weg.")
        lvl = named_level
    wanted = normalise_name(name)
    years = [year_of(period)] if period is not None else list(range(LAST_YEAR, FIRST_YEAR - 1, -1))
    for year in years:
        hit = _pick(name_index(year).get(wanted, []), lvl, echo)
        if hit is not None:
            return hit
    if period is not None:  # known in another year?
        for year in range(LAST_YEAR, FIRST_YEAR - 1, -1):
            hit = _pick(name_index(year).get(wanted, []), lvl, echo)
            if hit is not None:
                reg = hit.region
                raise UnknownRegionError(not_in_year_text(reg, known_years(reg.key)[1], year_of(period)))
    pool = {normalise_name(n): r.name for y in (LAST_YEAR, FIRST_YEAR) for r in regions_of_year(y)
            if lvl is None or r.level == lvl for n in (r.name, *r.aliases)}
    where = f" als {LEVEL_LABELS[lvl]}" if lvl else ""
    raise UnknownRegionError(
        f"Regio '{echo}' is onbekend{where}; zie 'impactmonitor regions' voor de lijst.",
        suggestions=_suggest(wanted, pool),
    )


def _pick(candidates: list[Region], lvl: str | None, echo: str) -> Resolution | None:
    if not candidates:
        return None
    if lvl:
        at_level = [r for r in candidates if r.level == lvl]
        if at_level:
            return Resolution(at_level[0])
        others = ", ".join(sorted({r.level_label for r in candidates}))
        raise UnknownRegionError(f"'{echo}' bestaat niet als {LEVEL_LABELS[lvl]}, wel als {others}.")
    chosen = sorted(candidates, key=lambda r: _PREFERENCE.index(r.level))[0]
    note = ""
    if len({r.level for r in candidates}) > 1:
        alts = ", ".join(
            f"{LEVEL_LABELS[r.level]} (--level {r.level})" for r in candidates if r is not chosen
        )
        note = f"'{echo}' opgevat als {chosen.level_label} {chosen.name}; ook beschikbaar als {alts}."
    return Resolution(chosen, note)


def _suggest(wanted: str, names: dict[str, str], n: int = 3) -> list[str]:
    """Closest names, also matching the start of long names ('zaanstrek' → Zaanstreek-Waterland)."""
    wanted = wanted[:60]
    scored = []
    for norm, display in names.items():
        matcher = difflib.SequenceMatcher(None, wanted, norm)
        if matcher.real_quick_ratio() < 0.5:
            continue
        whole = matcher.ratio()
        head = difflib.SequenceMatcher(None, wanted, norm[: len(wanted) + 1]).ratio()
        score = max(whole, head - 0.02)
        if score >= 0.6:
            scored.append((score, display))
    scored.sort(key=lambda t: -t[0])
    return list(dict.fromkeys(d for _, d in scored))[:n]


# --------------------------------------------------------------------------- checks on CBS titles
@lru_cache(maxsize=None)
def _known_names(key: str) -> frozenset[str]:
    names = set()
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        r = by_key(year).get(key)
        if r is not None:
            names |= {normalise_name(r.name), base_name(r.name), *(normalise_name(a) for a in r.aliases)}
    return frozenset(n for n in names if n)


def title_matches(key: str, title: str) -> bool:
    """Does a CBS region title (``'Zaanstreek-Waterland (VT)'``, ``'Groningen (gemeente)'``,
    ``'Hengelo (O.)'``) name the region we know under ``key``, in any year? The level suffix,
    where CBS gives one, must fit the code's level."""
    k = str(key).strip().upper()
    known = _known_names(k)
    if not known:
        return False
    named_level = suffix_level(title)
    if named_level is not None and named_level != get(k).level:
        return False
    return normalise_name(title) in known or base_name(title) in known
