"""How region names and levels are written: folding, CBS suffixes, level words, safe echoes.

>>> normalise_name("Zaanstreek - Waterland (VT)")
'zaanstreekwaterland'
>>> suffix_level("Groningen (gemeente)"), parse_level("VT")
('gemeente', 'vt')

Nothing here knows which regions exist; :mod:`.registry` and :mod:`.resolution` compare the
folded forms made here.
"""

from __future__ import annotations

import re
import unicodedata

from ..errors import UserInputError

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


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def normalise_name(text: str) -> str:
    """Fold case, diacritics, hyphens, spaces and CBS level suffixes away."""
    text = _SUFFIX.sub("", _fold(text).strip())
    return re.sub(r"[^0-9a-z]+", "", text)


def base_name(text: str) -> str:
    """``'Hengelo (O.)'`` → ``'hengelo'``: any trailing parenthesis removed, then normalised."""
    return normalise_name(re.sub(r"\s*\([^)]*\)\s*$", "", str(text)))


def suffix_level(text: str) -> str | None:
    """The level a CBS title suffix names (``'Drenthe (VT)'`` → ``'vt'``), or ``None``."""
    m = _SUFFIX.search(str(text).strip())
    return _SUFFIX_LEVEL.get(m.group(1).lower()) if m else None


def slug(text: str) -> str:
    """A safe file-name part: lowercase ascii, digits and single hyphens, never empty."""
    text = re.sub(r"[^0-9a-z]+", "-", _fold(text)).strip("-")
    return text[:80] or "onbekend"


def shown(text: object, limit: int = 60) -> str:
    """A user's value, safe to echo: control characters escaped, cut to ``limit``."""
    raw = str(text)[: limit + 1].replace("\x00", "\\0")
    raw = re.sub(r"[\r\n\t]+", " ", raw)
    out = "".join(c if c.isprintable() else repr(c)[1:-1] for c in raw).strip()
    return out[:limit] + ("…" if len(raw) > limit else "")


def and_list(items: list[str]) -> str:
    """``['a', 'b', 'c']`` → ``'a, b en c'`` (Dutch enumeration)."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


def parse_level(level: str | None) -> str | None:
    """Map user words ('VT', 'provincie', 'gm', ...) to a level id; ``None`` stays ``None``."""
    if level is None or str(level).strip() == "":
        return None
    word = normalise_name(str(level)[:MAX_NAME])
    if word in _LEVEL_WORDS:
        return _LEVEL_WORDS[word]
    raise UserInputError(
        f"Niveau '{shown(level, 40)}' bestaat niet. Kies uit: land, landsdeel, provincie, vt, gemeente."
    )
