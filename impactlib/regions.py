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
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from .errors import UnknownRegionError, UserInputError

__all__ = [
    "Region",
    "Resolution",
    "LEVELS",
    "LEVEL_LABELS",
    "FIRST_YEAR",
    "LAST_YEAR",
    "all_regions",
    "regions_at",
    "get",
    "resolve",
    "members",
    "successors",
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

NATIONAL_KEY = "NL01"
#: Years the registry describes. Later periods use the newest layout, earlier ones the oldest.
FIRST_YEAR, LAST_YEAR = 2019, 2025
#: Longest name or code accepted before matching (suggestions compare strings pairwise).
MAX_NAME = 200

#: Levels from large to small, with the CBS title suffix used for each.
LEVELS = ("land", "landsdeel", "provincie", "vt", "gemeente")
LEVEL_LABELS = {
    "land": "land",
    "landsdeel": "landsdeel",
    "provincie": "provincie",
    "vt": "Veilig Thuis-regio",
    "gemeente": "gemeente",
}
TITLE_SUFFIX = {"landsdeel": " (LD)", "provincie": " (PV)", "vt": " (VT)", "land": "", "gemeente": ""}

_LEVEL_WORDS = {
    "land": "land", "nl": "land", "nederland": "land", "nationaal": "land", "landelijk": "land",
    "landsdeel": "landsdeel", "ld": "landsdeel", "landsdelen": "landsdeel",
    "provincie": "provincie", "pv": "provincie", "provincies": "provincie", "prov": "provincie",
    "vt": "vt", "vtregio": "vt", "veiligthuisregio": "vt", "veiligthuis": "vt", "regio": "vt",
    "gemeente": "gemeente", "gm": "gemeente", "gemeenten": "gemeente",
}
#: Title suffixes that name a level (CBS writes ``(VT)``, ``(PV)``, ``(LD)``, ``(gemeente)``).
_SUFFIX_LEVEL = {"vt": "vt", "pv": "provincie", "ld": "landsdeel", "gm": "gemeente", "gemeente": "gemeente"}
_SUFFIX = re.compile(r"\((vt|pv|ld|gm|gemeente|cr|jz)\)\s*$", flags=re.I)


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


@dataclass(frozen=True)
class Resolution:
    region: Region
    note: str = ""  # Dutch remark when a choice was made (e.g. which level was taken)


# --------------------------------------------------------------------------- text helpers
def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def normalise_name(text: str) -> str:
    """Fold case, diacritics, hyphens, spaces and CBS level suffixes away."""
    text = _SUFFIX.sub("", _fold(text).strip())
    return re.sub(r"[^0-9a-z]+", "", text)


def _base_name(text: str) -> str:
    """``'Hengelo (O.)'`` → ``'hengelo'``: any trailing parenthesis removed, then normalised."""
    return normalise_name(re.sub(r"\s*\([^)]*\)\s*$", "", str(text)))


def slug(text: str) -> str:
    """A safe file-name part: lowercase ascii, digits and single hyphens, never empty."""
    text = re.sub(r"[^0-9a-z]+", "-", _fold(text)).strip("-")
    return text[:80] or "onbekend"


def _shown(text: object, limit: int = 60) -> str:
    """A user's value, safe to echo: control characters escaped, cut to ``limit``."""
    raw = str(text)[: limit + 1].replace("\x00", "\\0")
    raw = re.sub(r"[\r\n\t]+", " ", raw)
    out = "".join(c if c.isprintable() else repr(c)[1:-1] for c in raw).strip()
    return out[:limit] + ("…" if len(raw) > limit else "")


def parse_level(level: str | None) -> str | None:
    """Map user words ('VT', 'provincie', 'gm', ...) to a level id; ``None`` stays ``None``."""
    if level is None or str(level).strip() == "":
        return None
    word = normalise_name(str(level)[:MAX_NAME])
    if word in _LEVEL_WORDS:
        return _LEVEL_WORDS[word]
    raise UserInputError(
        f"Niveau '{_shown(level, 40)}' bestaat niet. Kies uit: land, landsdeel, provincie, vt, gemeente."
    )


def year_of(period=None) -> int:
    """The registry year for a period (``Period``, key, title, year) or ``None`` (newest), clamped."""
    if period is None:
        return LAST_YEAR
    if isinstance(period, int):
        year = period
    elif hasattr(period, "year"):
        year = int(period.year)
    else:
        from .periods import parse_period

        year = parse_period(period).year
    return min(max(year, FIRST_YEAR), LAST_YEAR)


def _years(period) -> list[int]:
    """Years for one period or several (a list), oldest first; ``None`` = the newest year."""
    if period is not None and not isinstance(period, (str, int)) and not hasattr(period, "year"):
        return sorted({year_of(p) for p in period}) or [LAST_YEAR]
    return [year_of(period)]


# --------------------------------------------------------------------------- the data
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


@lru_cache(maxsize=None)
def _registry(year: int) -> tuple[Region, ...]:
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
        bases[_base_name(row["gm_name"])] = bases.get(_base_name(row["gm_name"]), 0) + 1
    span = _gemeente_years()
    for row in rows:
        aliases = list(_aliases().get(row["gm_code"], ()))
        base = re.sub(r"\s*\([^)]*\)\s*$", "", row["gm_name"])
        if base != row["gm_name"] and bases[_base_name(base)] == 1:
            aliases.append(base)  # 'Hengelo' for 'Hengelo (O.)' where no other gemeente shares it
        out.append(Region(
            key=row["gm_code"], name=row["gm_name"], level="gemeente", provincie=row["pv_code"],
            vt_regio=row["vt_code"], landsdeel=landsdeel.get(row["pv_code"], ""), aliases=tuple(aliases),
            years=span[row["gm_code"]],
        ))
    order = {lvl: i for i, lvl in enumerate(LEVELS)}
    return tuple(sorted(out, key=lambda r: (order[r.level], r.key)))


@lru_cache(maxsize=None)
def _by_key(year: int) -> dict[str, Region]:
    return {r.key: r for r in _registry(year)}


@lru_cache(maxsize=None)
def _index(year: int) -> dict[str, list[Region]]:
    index: dict[str, list[Region]] = {}
    for r in _registry(year):
        for name in (r.name, r.cbs_title, r.key, *r.aliases):
            hits = index.setdefault(normalise_name(name), [])
            if r not in hits:
                hits.append(r)
    return index


@lru_cache(maxsize=1)
def _changes() -> list[dict]:
    return _csv_rows("region_changes.csv")


# --------------------------------------------------------------------------- public lookups
def all_regions(period=None) -> list[Region]:
    """Every region of the year of ``period`` (default: the newest layout)."""
    return list(_registry(year_of(period)))


def regions_at(level: str, period=None) -> list[Region]:
    """Every region of one level in the year of ``period`` (26 VT-regio's up to 2022, 25 from 2023).

    ``period`` may be a list: then every region that existed in any of those years, in code order.
    """
    lvl = parse_level(level)
    seen: dict[str, Region] = {}
    for year in reversed(_years(period)):  # newest version of each region wins
        for r in _registry(year):
            if r.level == lvl and r.key not in seen:
                seen[r.key] = r
    return sorted(seen.values(), key=lambda r: r.key)


def get(key: str, period=None) -> Region:
    """Region by CBS code (``'VT22'``, ``'GM0479'``; padded keys are stripped).

    With ``period``, the region as it was in that year (an error if it did not exist then);
    without, its newest version.
    """
    k = str(key).strip().upper()[:MAX_NAME]
    if period is not None:
        year = year_of(period)
        hit = _by_key(year).get(k)
        if hit is None:
            _raise_not_in_year(k, year)
        return hit
    for year in range(LAST_YEAR, FIRST_YEAR - 1, -1):
        hit = _by_key(year).get(k)
        if hit is not None:
            return hit
    raise UnknownRegionError(f"Regiocode '{_shown(key, 20)}' is onbekend (zie 'impactmonitor regions').")


def years_of(key: str) -> tuple[int, int]:
    """First and last year in which a code existed (``(0, 0)`` for an unknown code)."""
    found = _name_any_year(str(key).strip().upper())
    return (found[1][0], found[1][-1]) if found else (0, 0)


def exists(key: str, period) -> bool:
    return str(key).strip().upper() in _by_key(year_of(period))


def members(region: Region | str, period=None) -> list[Region]:
    """The gemeenten of a region in the year of ``period`` (a gemeente: itself)."""
    reg = region if isinstance(region, Region) else get(region, period)
    year = year_of(period)
    field_of = {"vt": "vt_regio", "provincie": "provincie", "landsdeel": "landsdeel"}
    gemeenten = [r for r in _registry(year) if r.level == "gemeente"]
    if reg.level == "land":
        return gemeenten
    if reg.level == "gemeente":
        return [r for r in gemeenten if r.key == reg.key]
    return [r for r in gemeenten if getattr(r, field_of[reg.level]) == reg.key]


def successors(key: str, year: int) -> list[Region]:
    """What a region that no longer exists in ``year`` became (by the recorded changes)."""
    current, seen = [str(key).strip().upper()], set()
    for _ in range(5):  # follow chains (a merger of a merger)
        nxt = []
        for k in current:
            if k in _by_key(year):
                nxt.append(k)
                continue
            later = [c for c in _changes() if c["old"] == k and int(c["year"]) <= year and k not in seen]
            seen.add(k)
            for c in later:
                nxt += c["new"].split("|")
        if nxt == current:
            break
        current = list(dict.fromkeys(nxt))
    return [_by_key(year)[k] for k in current if k in _by_key(year)]


def predecessors(key: str) -> list[str]:
    """Codes that went into ``key`` (e.g. VT27 ← VT16, VT26)."""
    return [c["old"] for c in _changes() if str(key).strip().upper() in c["new"].split("|")]


def _name_any_year(key: str) -> tuple[Region, list[int]] | None:
    found = [(y, _by_key(y)[key]) for y in range(FIRST_YEAR, LAST_YEAR + 1) if key in _by_key(y)]
    if not found:
        return None
    return found[-1][1], [y for y, _ in found]


def _raise_not_in_year(key: str, year: int):
    known = _name_any_year(key)
    if known is None:
        raise UnknownRegionError(f"Regiocode '{_shown(key, 20)}' is onbekend (zie 'impactmonitor regions').")
    reg, years = known
    raise UnknownRegionError(_not_in_year_text(reg, years, year))


def _not_in_year_text(reg: Region, years: list[int], year: int) -> str:
    what = f"{reg.level_label} {reg.name} ({reg.key})"
    if year < years[0]:
        before = [get(k) for k in predecessors(reg.key)]
        was = f"; daarvoor: {_and([f'{r.name} ({r.key})' for r in before])}" if before else ""
        return f"De {what} bestaat pas vanaf {years[0]}{was}. Kies een periode vanaf {years[0]}."
    after = successors(reg.key, year)
    now = (f"; het gebied valt in {year} onder {_and([f'{r.name} ({r.key})' for r in after])}" if after else "")
    return (f"De {what} bestaat in {year} niet meer: {years[-1]} is het laatste jaar{now}. "
            f"Kies een periode t/m {years[-1]} of de nieuwe regio.")


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


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
            raise UnknownRegionError(_not_in_year_text(name, _name_any_year(name.key)[1], year_of(period)))
        return Resolution(name)
    lvl = parse_level(level)
    if not isinstance(name, str) or not normalise_name(name[: MAX_NAME + 1]):
        raise UnknownRegionError(
            f"Regio '{_shown(name)}' is onbekend. Geef een Veilig Thuis-regio, provincie, landsdeel, "
            f"gemeente of 'Nederland' (zie 'impactmonitor regions')."
        )
    if len(name) > MAX_NAME:
        raise UnknownRegionError(f"Regio '{_shown(name)}' is onbekend: een regionaam is hooguit {MAX_NAME} tekens.")
    shown = _shown(name)
    m = _SUFFIX.search(name.strip())
    if m and m.group(1).lower() in _SUFFIX_LEVEL:
        suffix_level = _SUFFIX_LEVEL[m.group(1).lower()]
        if lvl is not None and lvl != suffix_level:
            raise UnknownRegionError(f"'{shown}' noemt niveau {LEVEL_LABELS[suffix_level]}, maar gevraagd is "
                                     f"{LEVEL_LABELS[lvl]}; laat een van beide weg.")
        lvl = suffix_level
    wanted = normalise_name(name)
    years = [year_of(period)] if period is not None else list(range(LAST_YEAR, FIRST_YEAR - 1, -1))
    for year in years:
        hit = _pick(_index(year).get(wanted, []), lvl, shown)
        if hit is not None:
            return hit
    if period is not None:  # known in another year?
        for year in range(LAST_YEAR, FIRST_YEAR - 1, -1):
            hit = _pick(_index(year).get(wanted, []), lvl, shown)
            if hit is not None:
                reg = hit.region
                known = _name_any_year(reg.key)
                raise UnknownRegionError(_not_in_year_text(reg, known[1], year_of(period)))
    pool = {normalise_name(n): r.name for y in (LAST_YEAR, FIRST_YEAR) for r in _registry(y)
            if lvl is None or r.level == lvl for n in (r.name, *r.aliases)}
    where = f" als {LEVEL_LABELS[lvl]}" if lvl else ""
    raise UnknownRegionError(
        f"Regio '{shown}' is onbekend{where}; zie 'impactmonitor regions' voor de lijst.",
        suggestions=_suggest(wanted, pool),
    )


def _pick(candidates: list[Region], lvl: str | None, shown: str) -> Resolution | None:
    if not candidates:
        return None
    if lvl:
        at_level = [r for r in candidates if r.level == lvl]
        if at_level:
            return Resolution(at_level[0])
        others = ", ".join(sorted({r.level_label for r in candidates}))
        raise UnknownRegionError(f"'{shown}' bestaat niet als {LEVEL_LABELS[lvl]}, wel als {others}.")
    chosen = sorted(candidates, key=lambda r: _PREFERENCE.index(r.level))[0]
    note = ""
    if len({r.level for r in candidates}) > 1:
        alts = ", ".join(
            f"{LEVEL_LABELS[r.level]} (--level {r.level})" for r in candidates if r is not chosen
        )
        note = f"'{shown}' opgevat als {chosen.level_label} {chosen.name}; ook beschikbaar als {alts}."
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
        r = _by_key(year).get(key)
        if r is not None:
            names |= {normalise_name(r.name), _base_name(r.name), *(normalise_name(a) for a in r.aliases)}
    return frozenset(n for n in names if n)


def title_matches(key: str, title: str) -> bool:
    """Does a CBS region title (``'Zaanstreek-Waterland (VT)'``, ``'Groningen (gemeente)'``,
    ``'Hengelo (O.)'``) name the region we know under ``key``, in any year? The level suffix,
    where CBS gives one, must fit the code's level."""
    k = str(key).strip().upper()
    known = _known_names(k)
    if not known:
        return False
    m = _SUFFIX.search(str(title).strip())
    if m and m.group(1).lower() in _SUFFIX_LEVEL:
        level = get(k).level
        if _SUFFIX_LEVEL[m.group(1).lower()] != level:
            return False
    return normalise_name(title) in known or _base_name(title) in known


def boundary_changes(key: str) -> list[tuple[int, str]]:
    """Years in which a VT-regio (or provincie) changed its area, with a Dutch sentence each.

    Mergers of gemeenten inside a region do not change its area; a gemeente moving to another
    VT-regio (Weesp, Wijdemeren in 2022; Alphen-Chaam, Baarle-Nassau in 2023) does, and so does a
    gemeente split over two regions (Haaren in 2021).
    """
    k = str(key).strip().upper()
    out = []
    for year in range(FIRST_YEAR + 1, LAST_YEAR + 1):
        if k not in _by_key(year) or k not in _by_key(year - 1):
            continue
        old = [g.key for g in members(k, year - 1)]
        now = {g.key for g in members(k, year)}
        whole = {s.key for g in old for s in successors(g, year) if len(successors(g, year)) == 1}
        split = [g for g in old if len(successors(g, year)) > 1]
        gained = now - whole - {s.key for g in split for s in successors(g, year)}
        lost = {s for s in whole if s not in now}
        parts = []
        if gained:
            parts.append(f"kreeg in {year} " + _and(sorted(_by_key(year)[g].name for g in gained)) + " erbij")
        if lost:
            parts.append(f"raakte in {year} " + _and(sorted(_by_key(year)[g].name for g in lost)) + " kwijt")
        for g in split:
            parts.append(f"raakte in {year} een deel van {_by_key(year - 1)[g].name} kwijt (die gemeente werd opgedeeld)")
        if parts:
            out.append((year, f"{_by_key(year)[k].name} {_and(parts)}; cijfers van voor en na {year} "
                              "gaan niet over precies hetzelfde gebied."))
    return out
