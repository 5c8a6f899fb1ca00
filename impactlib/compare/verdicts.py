"""Noise-aware verdicts: is a region's figure really different from a reference?

A CBS figure is noisy in two ways. The counts behind it are small samples of what happens
in a region (chance), and CBS rounds every count to a multiple of 5 (so a published 10 may be
anything from 8 to 12). This module puts an interval around a figure that covers both, and
calls a difference only when the reference falls outside it.

The rule (:func:`compare_values`):

1. Unknown value or reference (CBS ``.``, suppressed cell, zero denominator) →
   ``"niet te zeggen"``. Also when a share or rate comes without the counts behind it: then
   its noise cannot be judged.
2. Interval around the value, widened for rounding:

   - ``percent``: Wilson score interval for numerator/denominator, taking the numerator
     anywhere in ``k ± 2.5`` and the denominator anywhere in ``n ± 2.5`` (the widest result);
   - ``per_10k``: Poisson score interval for the count ``k ± 2.5``, divided by the population
     (exact, not rounded) and multiplied by 10 000;
   - ``count``: Poisson score interval for the count ``k ± 2.5``.

3. Without reference counts the reference is taken as exact: it differs when it lies
   strictly outside the 95 % interval. With reference counts (a peer region, or Nederland
   with its counts) both intervals are combined into an interval for the difference
   (Newcombe's "MOVER" method) and the difference counts when that interval excludes 0.
   A reference exactly on the edge of the band is *inside*: "vergelijkbaar".
4. A difference is "duidelijk" when it also holds at 99,9 % **and** the relative difference
   ``|value - reference| / reference`` is at least 10 %; otherwise "iets".

>>> compare_values(50.0, 42.8, unit="percent", numerator=5, denominator=10).verdict
'vergelijkbaar'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

from ..formatting import format_count, format_number, format_value

__all__ = [
    "VERDICTS",
    "Verdict",
    "compare_values",
    "interval",
    "wilson_interval",
    "poisson_interval",
    "ROUNDING",
    "CLEAR_RELATIVE",
]

VERDICTS = ("duidelijk hoger", "iets hoger", "vergelijkbaar", "iets lager", "duidelijk lager", "niet te zeggen")
UNKNOWN = "niet te zeggen"
SIMILAR = "vergelijkbaar"

#: Half the CBS rounding base: a published count ``k`` lies in ``[k - 2.5, k + 2.5]``.
ROUNDING = 2.5
#: Minimal relative difference for "duidelijk".
CLEAR_RELATIVE = 0.10
_LEVEL = 0.95
_CLEAR_LEVEL = 0.999
_FACTOR = {"percent": 100.0, "per_10k": 10_000.0, "count": 1.0}


@dataclass(frozen=True)
class Verdict:
    """The outcome of one comparison; ``low``/``high`` is the 95 % band around ``value``."""

    verdict: str
    value: float
    reference: float
    unit: str
    low: float = math.nan
    high: float = math.nan
    difference: float = math.nan  # value - reference, in the unit (procentpunten for percent)
    relative: float = math.nan  # difference / reference
    explanation: str = ""

    @property
    def direction(self) -> str | None:
        """``'hoger'``, ``'lager'``, ``'vergelijkbaar'`` or ``None`` (unknown)."""
        if self.verdict == UNKNOWN:
            return None
        return self.verdict.split()[-1]

    @property
    def is_difference(self) -> bool:
        return self.direction in ("hoger", "lager")


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _z(level: float) -> float:
    return NormalDist().inv_cdf(0.5 + level / 2)


def wilson_interval(k: float, n: float, level: float = _LEVEL) -> tuple[float, float]:
    """Wilson score interval for a proportion ``k/n`` (fractions, not percent)."""
    if n <= 0:
        return (0.0, 1.0)
    z = _z(level)
    p = min(max(k / n, 0.0), 1.0)
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = 0.0 if p == 0 else max(0.0, centre - half)
    high = 1.0 if p == 1 else min(1.0, centre + half)
    return (low, high)


def poisson_interval(x: float, level: float = _LEVEL) -> tuple[float, float]:
    """Score interval for a Poisson count: ``x + z²/2 ± z·sqrt(x + z²/4)``."""
    z = _z(level)
    x = max(x, 0.0)
    half = z * math.sqrt(x + z * z / 4)
    return (max(0.0, x + z * z / 2 - half), x + z * z / 2 + half)


def interval(
    unit: str,
    numerator: float,
    denominator: float | None = None,
    *,
    level: float = _LEVEL,
    rounding: float = ROUNDING,
) -> tuple[float, float]:
    """The band around a figure in its own unit, widened for CBS rounding (see module doc)."""
    if unit == "percent":
        k, n = float(numerator), float(denominator)
        k_lo, n_lo = max(k - rounding, 0.0), n + rounding
        k_hi = min(k + rounding, n + rounding)
        n_hi = max(n - rounding, k_hi, 1e-9)
        low = wilson_interval(k_lo, n_lo, level)[0]
        high = wilson_interval(k_hi, n_hi, level)[1]
        return (low * 100, high * 100)
    low = poisson_interval(max(float(numerator) - rounding, 0.0), level)[0]
    high = poisson_interval(float(numerator) + rounding, level)[1]
    if unit == "per_10k":
        return (low / float(denominator) * 10_000, high / float(denominator) * 10_000)
    return (low, high)


def _counts_known(unit: str, numerator, denominator) -> bool:
    if _missing(numerator):
        return False
    if unit in ("percent", "per_10k"):
        return not _missing(denominator) and float(denominator) > 0
    return True


def _differs(value, reference, band_v, band_r) -> tuple[bool, bool]:
    """(higher, lower) at the level of the given bands; edge of the band counts as inside."""
    low_v, high_v = band_v
    if band_r is None:
        return reference < low_v, reference > high_v
    low_r, high_r = band_r
    d = value - reference
    lower_d = d - math.hypot(value - low_v, high_r - reference)
    upper_d = d + math.hypot(high_v - value, reference - low_r)
    return lower_d > 0, upper_d < 0


def _basis(unit: str, numerator, denominator) -> str:
    if unit == "percent":
        return f"{format_count(numerator)} van de {format_count(denominator)}"
    if unit == "per_10k":
        return f"{format_count(numerator)} op {format_count(denominator)} inwoners"
    return f"een aantal van {format_count(numerator)}"


def compare_values(
    value: float,
    reference: float,
    *,
    unit: str,
    numerator: float | None = None,
    denominator: float | None = None,
    reference_numerator: float | None = None,
    reference_denominator: float | None = None,
    reference_label: str = "landelijk",
    rounding: float = ROUNDING,
) -> Verdict:
    """Compare ``value`` (with the counts behind it) with ``reference``; see the module doc.

    For ``count`` the numerator is the count itself (``value`` is used when it is missing);
    for ``per_10k`` the denominator is the population. ``reference_label`` names the
    reference in the explanation (``"landelijk"``, ``"Twente"``).
    """
    if unit not in _FACTOR:
        raise ValueError(f"unknown unit {unit!r}")
    if unit == "count" and _missing(numerator):
        numerator = value
    if _missing(value) or _missing(reference):
        what = "het cijfer van de regio" if _missing(value) else f"het cijfer {reference_label}"
        return Verdict(
            UNKNOWN, math.nan if _missing(value) else float(value), math.nan if _missing(reference) else float(reference),
            unit, explanation=f"Een vergelijking is niet te maken: {what} is onbekend; CBS publiceert het niet, bijvoorbeeld bij kleine aantallen.",
        )
    value, reference = float(value), float(reference)
    difference = value - reference
    relative = difference / reference if reference else (math.inf if difference else 0.0)
    if not _counts_known(unit, numerator, denominator):
        return Verdict(
            UNKNOWN, value, reference, unit, difference=difference, relative=relative,
            explanation="Een vergelijking is niet te maken: de aantallen achter het cijfer ontbreken, "
            "dus de marge van toeval en afronding is onbekend.",
        )
    band = interval(unit, numerator, denominator, rounding=rounding)
    clear_band = interval(unit, numerator, denominator, level=_CLEAR_LEVEL, rounding=rounding)
    ref_band = ref_clear = None
    if _counts_known(unit, reference_numerator, reference_denominator):
        ref_band = interval(unit, reference_numerator, reference_denominator, rounding=rounding)
        ref_clear = interval(unit, reference_numerator, reference_denominator, level=_CLEAR_LEVEL, rounding=rounding)
    higher, lower = _differs(value, reference, band, ref_band)
    clear_higher, clear_lower = _differs(value, reference, clear_band, ref_clear)
    if higher or lower:
        strong = (clear_higher or clear_lower) and abs(relative) >= CLEAR_RELATIVE
        verdict = ("duidelijk " if strong else "iets ") + ("hoger" if higher else "lager")
    else:
        verdict = SIMILAR
    margin = f"{_short(band[0], unit)} en {format_value(band[1], unit)}"
    ref_text = f"{reference_label} ({format_value(reference, unit)})"
    both = " (ook met de marge van het vergelijkingscijfer)" if ref_band else ""
    if verdict == SIMILAR:
        tail = f"{ref_text} valt daarbinnen{both}: het verschil kan toeval of afronding zijn."
    else:
        tail = f"{ref_text} valt daarbuiten{both}."
    explanation = (
        f"Op basis van {_basis(unit, numerator, denominator)} (CBS rondt aantallen af op vijftallen) "
        f"ligt het cijfer met 95 % zekerheid tussen {margin}; {tail}"
    )
    return Verdict(verdict, value, reference, unit, band[0], band[1], difference, relative, explanation)


def _short(x: float, unit: str) -> str:
    """The lower end of a band: with its unit for percent, bare otherwise ("22,1 en 24,9 per ...")."""
    return format_number(x, 1) if unit == "per_10k" else format_value(x, unit)
