"""What became of regions that ended, and the years in which a region's area changed.

>>> [r.key for r in successors("VT16", 2023)]
['VT27']
>>> predecessors("VT27")
['VT16', 'VT26']

Since 2023 Brabant Noordoost (VT16) and Zuidoost-Brabant (VT26) form Oost-Brabant (VT27); gemeenten
merge every year. :func:`not_in_year_text` is the Dutch sentence for a region asked for in a year
it did not exist, naming what came before or after it.
"""

from __future__ import annotations

from .registry import FIRST_YEAR, LAST_YEAR, Region, by_key, changes, gemeenten_of, newest
from .spelling import and_list


def successors(key: str, year: int) -> list[Region]:
    """What a region that no longer exists in ``year`` became (by the recorded changes)."""
    current, seen = [str(key).strip().upper()], set()
    for _ in range(5):  # follow chains (a merger of a merger)
        nxt = []
        for k in current:
            if k in by_key(year):
                nxt.append(k)
                continue
            later = [c for c in changes() if c["old"] == k and int(c["year"]) <= year and k not in seen]
            seen.add(k)
            for c in later:
                nxt += c["new"].split("|")
        if nxt == current:
            break
        current = list(dict.fromkeys(nxt))
    return [by_key(year)[k] for k in current if k in by_key(year)]


def predecessors(key: str) -> list[str]:
    """Codes that went into ``key`` (e.g. VT27 ← VT16, VT26)."""
    return [c["old"] for c in changes() if str(key).strip().upper() in c["new"].split("|")]


def not_in_year_text(reg: Region, years: list[int], year: int) -> str:
    """Why ``reg`` (which existed in ``years``) is not there in ``year``, and what to choose instead."""
    what = f"{reg.level_label} {reg.name} ({reg.key})"
    if year < years[0]:
        before = [newest(k) for k in predecessors(reg.key)]
        was = f"; daarvoor: {and_list([f'{r.name} ({r.key})' for r in before])}" if before else ""
        return f"De {what} bestaat pas vanaf {years[0]}{was}. Kies een periode vanaf {years[0]}."
    after = successors(reg.key, year)
    now = (f"; het gebied valt in {year} onder {and_list([f'{r.name} ({r.key})' for r in after])}" if after else "")
    return (f"De {what} bestaat in {year} niet meer: {years[-1]} is het laatste jaar{now}. "
            f"Kies een periode t/m {years[-1]} of de nieuwe regio.")


def boundary_changes(key: str) -> list[tuple[int, str]]:
    """Years in which a VT-regio (or provincie) changed its area, with a Dutch sentence each.

    Mergers of gemeenten inside a region do not change its area; a gemeente moving to another
    VT-regio (Weesp, Wijdemeren in 2022; Alphen-Chaam, Baarle-Nassau in 2023) does, and so does a
    gemeente split over two regions (Haaren in 2021).
    """
    k = str(key).strip().upper()
    out = []
    for year in range(FIRST_YEAR + 1, LAST_YEAR + 1):
        if k not in by_key(year) or k not in by_key(year - 1):
            continue
        old = [g.key for g in gemeenten_of(by_key(year - 1)[k], year - 1)]
        now = {g.key for g in gemeenten_of(by_key(year)[k], year)}
        whole = {s.key for g in old for s in successors(g, year) if len(successors(g, year)) == 1}
        split = [g for g in old if len(successors(g, year)) > 1]
        gained = now - whole - {s.key for g in split for s in successors(g, year)}
        lost = {s for s in whole if s not in now}
        parts = []
        if gained:
            parts.append(f"kreeg in {year} " + and_list(sorted(by_key(year)[g].name for g in gained)) + " erbij")
        if lost:
            parts.append(f"raakte in {year} " + and_list(sorted(by_key(year)[g].name for g in lost)) + " kwijt")
        for g in split:
            parts.append(f"raakte in {year} een deel van {by_key(year - 1)[g].name} kwijt (die gemeente werd opgedeeld)")
        if parts:
            out.append((year, f"{by_key(year)[k].name} {and_list(parts)}; cijfers van voor en na {year} "
                              "gaan niet over precies hetzelfde gebied."))
    return out
