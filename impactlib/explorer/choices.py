"""The choices of the verkenner: regions, indicators, periods, categories and comparisons.

Each ``*_options`` function gives what a dropdown lists; :func:`comparison_key` and
:func:`vt_or_national` turn what a user picked into the keys :func:`~.exploration.explore` uses.
"""

from __future__ import annotations

from .. import query
from .. import regions as _regions
from ..catalogue import get_indicator_spec, open_data_indicators
from ..errors import ParameterError
from ..regions import NATIONAL_KEY

COMPARISONS = {
    "nederland": "Nederland",
    "vergelijkbaar": "Vergelijkbare regio's",
    "alle": "Alle Veilig Thuis-regio's",
    "tijd": "In de tijd (sinds 2019)",
}
#: What the verkenner shows first (the notebook's parameters default to the same).
DEFAULT_REGION = "Zaanstreek-Waterland"
DEFAULT_INDICATOR = "meldingen_acuut_structureel_pct"
DEFAULT_COMPARISON = "nederland"


def region_options() -> list[tuple[str, str]]:
    """``(label, key)`` for the dropdown: Nederland, then the 26 Veilig Thuis-regio's by name."""
    vt = sorted(_regions.regions_at("vt"), key=lambda r: r.name)
    return [("Nederland", NATIONAL_KEY)] + [(r.name, r.key) for r in vt]


def indicator_options() -> list[tuple[str, str]]:
    """``(name, id)`` of every indicator in CBS open data, in catalogue order."""
    return [(s.name, s.id) for s in open_data_indicators()]


def category_options(indicator: str) -> list[str]:
    """The categories of a distribution (empty for a single figure)."""
    spec = get_indicator_spec(indicator, require_open=True)
    return spec.category_labels() if spec.kind == "distribution" else []


def period_options(indicator: str) -> list[tuple[str, str]]:
    """``(title, key)`` of every published half year, newest first ('*' = provisional)."""
    return [(p.title, p.key) for p in reversed(query.available_periods(indicator))]


def comparison_key(comparison: str) -> str:
    """The key of :data:`COMPARISONS` for a key or label (any case); :class:`ParameterError` otherwise."""
    wanted = str(comparison or "nederland").strip().lower()
    for key, label in COMPARISONS.items():
        if wanted in (key, label.lower()):
            return key
    raise ParameterError(
        f"Vergelijking '{str(comparison)[:40]}' bestaat niet; kies uit: {', '.join(COMPARISONS)}."
    )


def default_category(indicator: str, region: str = NATIONAL_KEY, period: str | None = None) -> str | None:
    """For a distribution: the region's largest category in ``period`` ('onbekend' aside)."""
    labels = category_options(indicator)
    if not labels:
        return None
    frame = query.get_indicator(indicator, vt_or_national(region), period or query.latest_period(indicator))
    known = frame[frame["category"].str.lower() != "onbekend"].dropna(subset=["value"])
    return str(known.sort_values("value", ascending=False)["category"].iloc[0]) if len(known) else labels[0]


def vt_or_national(region: str):
    """A Veilig Thuis-regio or Nederland, by name or key."""
    text = str(region).strip()
    return _regions.resolve(text, "land" if text in (NATIONAL_KEY, "Nederland") else "vt").region

