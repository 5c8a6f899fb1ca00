"""Change over time for one region, beside the national change, and the shape of a series.

Input is the tidy frame of :func:`impactlib.query.get_indicator` for one region (and one
category): one row per period with ``value``, ``numerator``, ``denominator``, ``national``,
``provisional`` and ``unit``.

- :func:`period_change` compares two periods (by default the same half year a year earlier,
  which avoids seasonal effects). The verdict on the change is noise-aware, with the words
  "duidelijk gestegen", "iets gestegen", "ongeveer gelijk gebleven", "iets gedaald",
  "duidelijk gedaald" or "niet te zeggen".
- :func:`describe_shape` finds the highest and lowest period of a series and whether it rose
  before and fell after the peak ("stijging dan daling", as in the worked examples: up to
  the second half of 2020 and down after).

A provisional period is never compared silently: :attr:`Trend.provisional` is set and the
sentence says "(voorlopig cijfer)".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..errors import NotAvailableError, ParameterError
from ..formatting import format_number, format_value, round_half_up
from ..periods import Period, parse_period
from ..regions import NATIONAL_KEY
from .verdicts import compare_values

__all__ = [
    "Trend",
    "Shape",
    "TREND_WORDS",
    "period_change",
    "default_from",
    "describe_shape",
    "change_text",
    "PROVISIONAL_NOTE",
]

PROVISIONAL_NOTE = "(voorlopig cijfer)"
TREND_WORDS = {
    "duidelijk hoger": "duidelijk gestegen",
    "iets hoger": "iets gestegen",
    "vergelijkbaar": "ongeveer gelijk gebleven",
    "iets lager": "iets gedaald",
    "duidelijk lager": "duidelijk gedaald",
    "niet te zeggen": "niet te zeggen",
}


@dataclass(frozen=True)
class Trend:
    region: str
    from_period: Period
    to_period: Period
    value_from: float
    value_to: float
    change: float  # between the values as shown (one decimal; counts exact)
    national_from: float
    national_to: float
    national_change: float
    unit: str
    verdict: str  # one of TREND_WORDS' values
    provisional: bool  # either period is provisional
    sentence: str

    def as_dict(self) -> dict:
        """The ``trend`` block of the compare report."""
        return {
            "from": self.from_period.key,
            "to": self.to_period.key,
            "change": self.change,
            "national_change": self.national_change,
            "verdict": self.verdict,
            "provisional": self.provisional,
        }


@dataclass(frozen=True)
class Shape:
    kind: str  # "stijging dan daling", "daling dan stijging", "stijgend", "dalend", "gelijk", "wisselend"
    first: Period
    last: Period
    peak: Period
    peak_value: float
    trough: Period
    trough_value: float
    rose_before: bool  # the peak is higher than the first period
    fell_after: bool  # the last period is lower than the peak
    provisional: bool
    sentence: str

    @property
    def rise_then_fall(self) -> bool:
        return self.kind == "stijging dan daling"


def default_from(period: Period | str) -> Period:
    """The period a change is measured from: a year earlier (same half year)."""
    return parse_period(period).year_ago()


def _series(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        raise NotAvailableError("Geen cijfers om een ontwikkeling te beschrijven.")
    if frame["region_key"].nunique() > 1 or ("category" in frame and frame["category"].nunique() > 1):
        raise ParameterError("Een ontwikkeling gaat over één regio en één categorie tegelijk.")
    out = frame.copy()
    out["_p"] = [parse_period(k).with_flag(f or "") for k, f in zip(out["period"], out["provisional"])]
    return out.sort_values("_p").set_index("period", drop=False)


def _row(series: pd.DataFrame, period: Period):
    if period.key not in series.index:
        have = ", ".join(series.index)
        raise NotAvailableError(f"Periode {period.key} zit niet in de reeks ({have}).")
    return series.loc[period.key]


def change_text(change: float, unit: str) -> str:
    """Absolute size of a change in words: ``'1,4 procentpunt'``, ``'2,0 per 10.000 inwoners'``."""
    if unit == "percent":
        return f"{format_number(abs(change), 1)} procentpunt"
    return format_value(abs(change), unit)


def _shown(value: float, unit: str) -> float:
    """A value as the reader sees it, so a change in a sentence matches the figures beside it."""
    return float(value) if unit == "count" else round_half_up(float(value), 1)


def _value_text(value: float, unit: str, provisional: bool) -> str:
    text = format_value(value, unit)
    return f"{text} {PROVISIONAL_NOTE}" if provisional else text


def period_change(
    frame: pd.DataFrame, from_period: Period | str | None = None, to_period: Period | str | None = None,
    *, region_phrase: str | None = None,
) -> Trend:
    """Change from ``from_period`` to ``to_period`` (default: the last period, a year earlier)."""
    series = _series(frame)
    to_p = parse_period(to_period) if to_period is not None else series["_p"].iloc[-1]
    from_p = parse_period(from_period) if from_period is not None else default_from(to_p)
    a, b = _row(series, from_p), _row(series, to_p)
    from_p, to_p = a["_p"], b["_p"]
    unit = str(b["unit"])
    verdict = compare_values(
        b["value"], a["value"], unit=unit, numerator=b["numerator"], denominator=b["denominator"],
        reference_numerator=a["numerator"],
        reference_denominator=a["denominator"], reference_label=from_p.dutch,
    )
    word = TREND_WORDS[verdict.verdict]
    change = _shown(b["value"], unit) - _shown(a["value"], unit)
    nat_change = _shown(b["national"], unit) - _shown(a["national"], unit)
    provisional = from_p.is_provisional or to_p.is_provisional
    where = region_phrase or f"de regio {b['region']}"
    sentence = _trend_sentence(where, from_p, to_p, a, b, unit, word, change, nat_change)
    return Trend(
        str(b["region"]), from_p, to_p, float(a["value"]), float(b["value"]), change,
        float(a["national"]), float(b["national"]), nat_change, unit, word, provisional, sentence,
    )


def _trend_sentence(where, from_p, to_p, a, b, unit, word, change, nat_change) -> str:
    old = _value_text(a["value"], unit, from_p.is_provisional)
    new = _value_text(b["value"], unit, to_p.is_provisional)
    if word == "niet te zeggen":
        return (
            f"Of het cijfer in {where} tussen {from_p.dutch} ({old}) en {to_p.dutch} ({new}) "
            f"veranderde, is niet te zeggen: een van de cijfers of de aantallen erachter ontbreekt."
        )
    if str(b["region_key"]) == NATIONAL_KEY:
        national = ""
    elif math.isnan(nat_change):
        national = "het landelijke cijfer is onbekend"
    elif round_half_up(nat_change, 1) == 0:
        national = "landelijk bleef het gelijk"
    else:
        national = f"landelijk {'steeg' if nat_change > 0 else 'daalde'} het met {change_text(nat_change, unit)}"
    sign = "+" if change > 0 else ("-" if change < 0 else "±")
    if word == "ongeveer gelijk gebleven":
        body = (
            f"is het cijfer in {where} ongeveer gelijk gebleven: {new}, {sign}{change_text(change, unit)}, "
            f"binnen de marge van toeval en afronding"
        )
    else:
        body = f"is het cijfer in {where} {word}, met {change_text(change, unit)} tot {new}"
    return f"Ten opzichte van {from_p.dutch} ({old}) {body}" + (f"; {national}." if national else ".")


def describe_shape(
    frame: pd.DataFrame, *, start: Period | str | None = None, end: Period | str | None = None,
    region_phrase: str | None = None, decimals: int = 1,
) -> Shape:
    """Describe the course of a series between ``start`` and ``end`` (inclusive).

    Values are compared as shown (one decimal). The peak (trough) is the first period with
    the highest (lowest) value. "stijging dan daling" = the peak lies strictly inside the
    window and the lowest value at one of its ends (so it is higher than the first and the
    last period); "daling dan stijging" the other way round; a series with both its peak and
    its trough inside the window is "wisselend".
    """
    series = _series(frame).dropna(subset=["value"])
    if start is not None:
        series = series[series["_p"] >= parse_period(start)]
    if end is not None:
        series = series[series["_p"] <= parse_period(end)]
    if len(series) < 2:
        raise NotAvailableError("Voor het verloop zijn minstens twee perioden met een bekend cijfer nodig.")
    shown = series["value"].map(lambda v: round_half_up(v, decimals))
    periods = list(series["_p"])
    i_peak, i_trough = int(shown.values.argmax()), int(shown.values.argmin())
    first, last, peak, trough = shown.iloc[0], shown.iloc[-1], shown.iloc[i_peak], shown.iloc[i_trough]
    rose_before, fell_after = peak > first, last < peak
    n = len(shown)
    if peak == trough:
        kind = "gelijk"
    elif 0 < i_peak < n - 1 and i_trough in (0, n - 1):
        kind = "stijging dan daling"
    elif 0 < i_trough < n - 1 and i_peak in (0, n - 1):
        kind = "daling dan stijging"
    elif shown.is_monotonic_increasing:
        kind = "stijgend"
    elif shown.is_monotonic_decreasing:
        kind = "dalend"
    else:
        kind = "wisselend"
    unit = str(series["unit"].iloc[-1])
    provisional = any(p.is_provisional for p in periods)
    where = region_phrase or f"de regio {series['region'].iloc[-1]}"
    sentence = _shape_sentence(kind, where, periods, series["value"].tolist(), i_peak, i_trough, unit)
    return Shape(
        kind, periods[0], periods[-1], periods[i_peak], float(series["value"].iloc[i_peak]),
        periods[i_trough], float(series["value"].iloc[i_trough]), bool(rose_before), bool(fell_after),
        provisional, sentence,
    )


def _shape_sentence(kind, where, periods, values, i_peak, i_trough, unit) -> str:
    def at(i):
        return f"{_value_text(values[i], unit, periods[i].is_provisional)} in {periods[i].dutch}"

    last = len(values) - 1
    if kind == "stijging dan daling":
        return f"Het cijfer in {where} steeg van {at(0)} tot {at(i_peak)} en daalde daarna tot {at(last)}."
    if kind == "daling dan stijging":
        return f"Het cijfer in {where} daalde van {at(0)} tot {at(i_trough)} en steeg daarna tot {at(last)}."
    if kind in ("stijgend", "dalend"):
        verb = "steeg" if kind == "stijgend" else "daalde"
        return f"Het cijfer in {where} {verb} van {at(0)} tot {at(last)}."
    if kind == "gelijk":
        return f"Het cijfer in {where} bleef van {periods[0].dutch} tot {periods[last].dutch} gelijk ({at(last)})."
    return (
        f"Het cijfer in {where} wisselde tussen {periods[0].dutch} en {periods[last].dutch}: "
        f"het hoogst was {at(i_peak)}, het laagst {at(i_trough)}; het laatste cijfer is {at(last)}."
    )

