"""Regions: Nederland, landsdelen, provincies, the 26 Veilig Thuis-regio's and gemeenten.

>>> from impactlib.regions import resolve
>>> r = resolve("zaanstreek waterland")
>>> r.region.name, r.region.level
('Zaanstreek-Waterland', 'vt')

Names are matched tolerant of case, hyphens, spaces and diacritics. A name shared by levels
("Drenthe", "Utrecht", "Groningen") resolves to the Veilig Thuis-regio unless a level is
given; :attr:`Resolution.note` then says which level was taken.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .errors import UnknownRegionError, UserInputError

__all__ = [
    "Region",
    "Resolution",
    "LEVELS",
    "LEVEL_LABELS",
    "all_regions",
    "regions_at",
    "get",
    "resolve",
    "parse_level",
    "slug",
    "normalise_name",
    "NATIONAL_KEY",
]

NATIONAL_KEY = "NL01"

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


@dataclass(frozen=True)
class Region:
    key: str
    name: str
    level: str
    provincie: str = ""  # key of the parent provincie, where known
    vt_regio: str = ""  # key of the parent VT-regio (gemeenten)
    landsdeel: str = ""
    aliases: tuple[str, ...] = ()

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


@dataclass(frozen=True)
class Resolution:
    region: Region
    note: str = ""  # Dutch remark when a choice was made (e.g. which level was taken)


def normalise_name(text: str) -> str:
    """Fold case, diacritics, hyphens, spaces and CBS level suffixes away."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.casefold()
    text = re.sub(r"\((vt|pv|ld|gm|cr|jz)\)\s*$", "", text.strip())
    return re.sub(r"[^0-9a-z]+", "", text)


def slug(text: str) -> str:
    """A safe file-name part: lowercase ascii, digits and single hyphens, never empty."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^0-9a-z]+", "-", text).strip("-")
    return text[:80] or "onbekend"


def parse_level(level: str | None) -> str | None:
    """Map user words ('VT', 'provincie', 'gm', ...) to a level id; ``None`` stays ``None``."""
    if level is None or str(level).strip() == "":
        return None
    word = normalise_name(level)
    if word in _LEVEL_WORDS:
        return _LEVEL_WORDS[word]
    shown = str(level).replace("\x00", "\\0").replace("\n", " ")[:40]
    raise UserInputError(
        f"Niveau '{shown}' bestaat niet. Kies uit: land, landsdeel, provincie, vt, gemeente."
    )


@lru_cache(maxsize=1)
def _registry() -> tuple[Region, ...]:
    text = resources.files("impactlib").joinpath("data/regions.csv").read_text(encoding="utf-8")
    out = []
    for row in csv.DictReader(text.splitlines()):
        out.append(
            Region(
                key=row["key"],
                name=row["name"],
                level=row["level"],
                provincie=row["provincie"],
                vt_regio=row["vt_regio"],
                landsdeel=row["landsdeel"],
                aliases=tuple(a for a in row["aliases"].split("|") if a),
            )
        )
    return tuple(out)


def all_regions() -> list[Region]:
    return list(_registry())


def regions_at(level: str) -> list[Region]:
    """Every region of one level, in registry order (VT-regio's: 26)."""
    lvl = parse_level(level)
    return [r for r in _registry() if r.level == lvl]


@lru_cache(maxsize=1)
def _by_key() -> dict[str, Region]:
    return {r.key: r for r in _registry()}


def get(key: str) -> Region:
    """Region by CBS key (``'VT11'``, ``'GM0479'``, padded keys are stripped)."""
    k = str(key).strip().upper()
    try:
        return _by_key()[k]
    except KeyError:
        raise UnknownRegionError(f"Regiocode '{str(key)[:20]}' is onbekend.") from None


@lru_cache(maxsize=1)
def _index() -> dict[str, list[Region]]:
    index: dict[str, list[Region]] = {}
    for r in _registry():
        for name in (r.name, r.cbs_title, r.key, *r.aliases):
            index.setdefault(normalise_name(name), [])
            if r not in index[normalise_name(name)]:
                index[normalise_name(name)].append(r)
    return index


_PREFERENCE = ("vt", "land", "provincie", "landsdeel", "gemeente")


def resolve(name: str, level: str | None = None) -> Resolution:
    """Find the region a user means.

    Raises :class:`UnknownRegionError` with up to three suggestions when nothing matches.
    """
    if isinstance(name, Region):
        return Resolution(name)
    lvl = parse_level(level)
    shown = str(name).replace("\x00", "\\0").strip()[:60]
    if not isinstance(name, str) or not normalise_name(name):
        raise UnknownRegionError(
            f"Regio '{shown}' is onbekend. Geef een Veilig Thuis-regio, provincie, landsdeel, "
            f"gemeente of 'Nederland' (zie 'impactmonitor regions')."
        )
    # explicit level suffix in the text, e.g. "Drenthe (PV)"
    m = re.search(r"\((VT|PV|LD|GM)\)\s*$", name.strip(), flags=re.I)
    if m and lvl is None:
        lvl = {"VT": "vt", "PV": "provincie", "LD": "landsdeel", "GM": "gemeente"}[m.group(1).upper()]
    candidates = _index().get(normalise_name(name), [])
    if lvl:
        at_level = [r for r in candidates if r.level == lvl]
        if at_level:
            return Resolution(at_level[0])
        if candidates:
            others = ", ".join(sorted({r.level_label for r in candidates}))
            raise UnknownRegionError(
                f"'{shown}' bestaat niet als {LEVEL_LABELS[lvl]}, wel als {others}."
            )
    elif candidates:
        chosen = sorted(candidates, key=lambda r: _PREFERENCE.index(r.level))[0]
        note = ""
        if len({r.level for r in candidates}) > 1:
            alts = ", ".join(
                f"{LEVEL_LABELS[r.level]} (--level {r.level})" for r in candidates if r is not chosen
            )
            note = f"'{shown}' opgevat als {chosen.level_label} {chosen.name}; ook beschikbaar als {alts}."
        return Resolution(chosen, note)
    pool = [r for r in _registry() if lvl is None or r.level == lvl]
    names = {normalise_name(n): r.name for r in pool for n in (r.name, *r.aliases)}
    wanted = normalise_name(name)
    suggestions = _suggest(wanted, names) if len(wanted) <= 200 else []  # difflib on a huge text takes minutes
    where = f" als {LEVEL_LABELS[lvl]}" if lvl else ""
    raise UnknownRegionError(
        f"Regio '{shown}' is onbekend{where}; zie 'impactmonitor regions' voor de lijst.",
        suggestions=suggestions,
    )


def _suggest(wanted: str, names: dict[str, str], n: int = 3) -> list[str]:
    """Closest names, also matching the start of long names ('zaanstrek' → Zaanstreek-Waterland)."""
    scored = []
    for norm, display in names.items():
        whole = difflib.SequenceMatcher(None, wanted, norm).ratio()
        head = difflib.SequenceMatcher(None, wanted, norm[: len(wanted) + 1]).ratio()
        score = max(whole, head - 0.02)
        if score >= 0.6:
            scored.append((score, display))
    scored.sort(key=lambda t: -t[0])
    return list(dict.fromkeys(d for _, d in scored))[:n]
