"""One call for steps 5 and 6: value, national verdict, rank, peers, trend and sentences.

>>> from impactlib.compare import compare_report
>>> r = compare_report("meldingen_acuut_structureel_pct", "Zaanstreek-Waterland", "2021HJ01")
>>> r["verdict"], r["rank"], r["n_regions"]                             # doctest: +SKIP
('duidelijk hoger', 2, 26)

:func:`build_comparison` returns a :class:`Comparison` with the frames behind the answer
(for charts and the CLI); :func:`compare_report` turns it into a plain dict (the JSON of
``impactmonitor compare``) with the keys ``indicator, region, period, category, unit,
value, national, verdict, rank, n_regions, peers, trend, sentences, source``.
Values in the dict are rounded as shown (one decimal), so JSON and sentences agree.
A count (unit ``count``) is not compared with the national count (regions differ in size):
its verdict is "niet te zeggen" with a sentence pointing to the rate per 10 000.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from .. import regions as _regions
from ..catalogue import IndicatorSpec, get_indicator_spec
from ..errors import NotAvailableError, ParameterError
from ..formatting import round_half_up
from ..frame import national_rows
from ..periods import Period, parse_period
from ..query import available_periods, indicator_values, latest_period
from ..regions import Region
from . import narrative
from .peers import comparable_regions
from .ranking import Rank, rank_table, region_rank
from .trends import Shape, Trend, describe_shape, period_change
from .verdicts import Verdict, compare_values

__all__ = ["Comparison", "build_comparison", "compare_report"]

COUNT_NOTE = (
    "Een aantal is niet met het landelijke aantal te vergelijken, want regio's verschillen in grootte; "
    "vergelijk daarvoor het cijfer per 10.000 inwoners."
)
_RANK_LEVELS = {"vt": "Veilig Thuis-regio's", "provincie": "provincies", "landsdeel": "landsdelen"}


@dataclass
class Comparison:
    spec: IndicatorSpec
    region: Region
    period: Period
    category: str | None
    row: pd.Series  # the region's row in ``period``
    national_row: pd.Series  # Nederland's row in ``period`` (from the series' national columns)
    verdict: Verdict
    series: pd.DataFrame  # the region over time, up to ``period``
    ranking: pd.DataFrame | None = None  # all regions of the level with ``rank``
    rank: Rank | None = None
    peers: pd.DataFrame | None = None  # region_key, region, distance, factors, value
    peer_verdict: Verdict | None = None
    trend: Trend | None = None
    shape: Shape | None = None
    sentences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # remarks for the user (choices made)
    source: dict = field(default_factory=dict)

    @property
    def unit(self) -> str:
        return self.spec.unit

    def as_dict(self) -> dict:
        shown = _shown(self.unit)
        peers = []
        if self.peers is not None:
            peers = [
                {"region": r.region, "value": shown(r.value), "distance": _round(r.distance, 2)}
                for r in self.peers.itertuples()
            ]
        trend = None
        if self.trend is not None:
            trend = self.trend.as_dict()
            trend["change"] = shown(trend["change"])
            trend["national_change"] = shown(trend["national_change"])
        return {
            "indicator": self.spec.id,
            "region": self.region.name,
            "period": self.period.key,
            "category": self.category,
            "unit": self.unit,
            "value": shown(self.row["value"]),
            "national": shown(self.national_row["value"]),
            "verdict": None if self.region.is_national else self.verdict.verdict,
            "rank": self.rank.rank if self.rank else None,
            "n_regions": self.rank.n_regions if self.rank else None,
            "peers": peers,
            "trend": trend,
            "sentences": list(self.sentences),
            "source": dict(self.source),
        }


def _round(x, decimals: int):
    return None if x is None or pd.isna(x) else round_half_up(float(x), decimals)


def _shown(unit: str):
    return (lambda x: _round(x, 0)) if unit == "count" else (lambda x: _round(x, 1))


def _series_periods(indicator: str, period: Period, source) -> list[Period]:
    avail = available_periods(indicator, source=source, half_years=False)
    same = [p for p in avail if p.is_half_year == period.is_half_year and p <= period]
    return same or [period]


def _resolve_period(indicator: str, period, source) -> Period:
    if period is None or (isinstance(period, str) and period.strip().lower() in ("", "laatste", "latest")):
        return latest_period(indicator, source=source)
    return parse_period(period)


def series_notes(reg, periods) -> list[str]:
    """Dutch remarks on a region's series: a change of area inside it, a start or end of the region
    within it (the 2023 Brabant change), so a line across the change is never read as a trend."""
    first, last = periods[0].year, periods[-1].year
    out = [text for year, text in _regions.boundary_changes(reg.key) if first < year <= last]
    since, until = _regions.years_of(reg.key)
    if since > first:
        before = [_regions.get(k).name for k in _regions.predecessors(reg.key)]
        was = f" (daarvoor: {' en '.join(before)})" if before else ""
        out.append(f"{reg.name} bestaat als regio sinds {since}{was}; de reeks begint daar en is niet aan die "
                   "van de oude regio's vastgeknoopt.")
    if until < last:
        after = [r.name for r in _regions.successors(reg.key, last)]
        now = f"; het gebied valt daarna onder {' en '.join(after)}" if after else ""
        out.append(f"{reg.name} bestaat als regio tot en met {until}{now}.")
    return out


def build_comparison(
    indicator: str, region: str | Region, period=None, *, peers="auto", category: str | None = None,
    level: str | None = None, source: str | None = None, k: int = 5,
) -> Comparison:
    """Compute everything ``impactmonitor compare`` shows; see the module doc."""
    spec = get_indicator_spec(indicator, require_open=True)
    label = spec.resolve_category(category)
    if spec.kind == "distribution" and label is None:
        raise ParameterError(
            f"Indicator '{spec.id}' is een verdeling; kies een categorie met --category: "
            + "; ".join(spec.category_labels()) + "."
        )
    resolution = _regions.resolve(region, level, period=period if isinstance(period, str) else None)
    reg = resolution.region
    notes = [resolution.note] if resolution.note else []
    per = _resolve_period(spec.id, period, source)
    _regions.get(reg.key, per)  # a region asked for a period in which it did not exist: a clear error
    indicator_values(spec.id, [reg], per, category=label, source=source)  # unknown period → clear error
    periods = _series_periods(spec.id, per, source)
    per = next(p for p in periods if p.key == per.key)
    notes += series_notes(reg, periods)
    since, until = _regions.years_of(reg.key)  # a region's series runs only while it exists (Oost-Brabant: 2023-)
    periods = [p for p in periods if since <= p.year <= until] or [per]

    # the region over time, and every region of its level only in the period itself (fewer rows)
    series = indicator_values(spec.id, [reg], periods, category=label, source=source)
    everything = indicator_values(spec.id, "vt", [per], category=label, source=source) if reg.level == "vt" else None
    prov = dict(series.attrs.get("source", {}))
    at = series[series["period"] == per.key]
    row = at.iloc[0]
    nat = national_rows(at).iloc[0]  # Nederland travels with the series: no second question to the source
    if spec.unit == "count":  # a region's count and the national count differ by size, not by meaning
        verdict = Verdict("niet te zeggen", float(row["value"]), float(nat["value"]), "count", explanation=COUNT_NOTE)
    else:
        verdict = compare_values(
            row["value"], nat["value"], unit=spec.unit, numerator=row["numerator"], denominator=row["denominator"],
            reference_numerator=nat["numerator"], reference_denominator=nat["denominator"],
        )
    comp = Comparison(spec, reg, per, label, row, nat, verdict, series, notes=notes, source=prov)

    _add_ranking(comp, everything, source)
    _add_peers(comp, everything, peers, k, source)
    _add_trend(comp)
    comp.sentences = _sentences(comp)
    return comp


def compare_report(
    indicator: str, region: str | Region, period=None, peers="auto", category: str | None = None,
    source: str | None = None, *, level: str | None = None, k: int = 5,
) -> dict:
    """The comparison as a plain dict (see the module doc for the keys)."""
    return build_comparison(
        indicator, region, period, peers=peers, category=category, level=level, source=source, k=k
    ).as_dict()


def _add_ranking(comp: Comparison, everything, source) -> None:
    reg, per = comp.region, comp.period
    if reg.level not in _RANK_LEVELS:
        comp.notes.append(f"Een rangorde wordt alleen gegeven voor {', '.join(_RANK_LEVELS.values())}.")
        return
    if everything is None:
        everything = indicator_values(comp.spec.id, reg.level, [per], category=comp.category, source=source)
    at = everything[everything["period"] == per.key]
    comp.ranking = rank_table(at)
    comp.rank = region_rank(at, reg.key)


def _add_peers(comp: Comparison, everything, peers, k, source) -> None:
    reg, per, spec = comp.region, comp.period, comp.spec
    try:
        frame = comparable_regions(reg, k, period=per, peers=peers, source=source)
    except NotAvailableError as exc:
        comp.notes.append(str(exc))
        return
    keys = frame["region_key"].tolist()
    have = everything[everything["period"] == per.key] if everything is not None else None
    if have is None or not set(keys) <= set(have["region_key"]):
        have = indicator_values(spec.id, keys, [per], category=comp.category, source=source)
    values = have.set_index("region_key")
    for col in ("value", "numerator", "denominator"):
        frame[col] = [values[col].get(k_, math.nan) for k_ in keys]
    comp.peers = frame
    comp.source["tables"] = list(dict.fromkeys([*comp.source.get("tables", []), *frame.attrs["source"]["tables"]]))
    comp.source["synthetic"] = bool(comp.source.get("synthetic") or frame.attrs["source"].get("synthetic"))
    if spec.unit in ("percent", "per_10k"):
        known = frame.dropna(subset=["numerator", "denominator"])
        if not known.empty and known["denominator"].sum() > 0:
            factor = 100.0 if spec.unit == "percent" else 10_000.0
            pooled = known["numerator"].sum() / known["denominator"].sum() * factor
            comp.peer_verdict = compare_values(
                comp.row["value"], pooled, unit=spec.unit, numerator=comp.row["numerator"],
                denominator=comp.row["denominator"], reference_numerator=known["numerator"].sum(),
                reference_denominator=known["denominator"].sum(), reference_label="de vergelijkbare regio's samen",
            )


def _add_trend(comp: Comparison) -> None:
    series, per = comp.series, comp.period
    keys = set(series["period"])
    start = per.year_ago() if per.year_ago().key in keys else per.previous()
    phrase = narrative.region_phrase(comp.region)
    if start.key in keys:
        comp.trend = period_change(series, start, per, region_phrase=phrase)
    if series["value"].notna().sum() >= 3:
        comp.shape = describe_shape(series, end=per, region_phrase=phrase)


def _sentences(comp: Comparison) -> list[str]:
    spec, reg, per = comp.spec, comp.region, comp.period
    out = [narrative.level_sentence(spec, reg, per, comp.row["value"], comp.category)]
    if spec.unit == "count" and not reg.is_national:
        out.append(COUNT_NOTE)
    elif not reg.is_national:
        out.append(narrative.comparison_sentence(comp.verdict))
    if comp.rank is not None:
        out.append(narrative.rank_sentence(comp.rank, reg, _RANK_LEVELS[reg.level]))
    if comp.peers is not None:
        pairs = list(zip(comp.peers["region"], comp.peers["value"]))
        out.append(narrative.peers_sentence(reg, pairs, spec.unit, comp.peer_verdict))
    if comp.trend is not None:
        out.append(comp.trend.sentence)
    if comp.shape is not None:
        out.append(comp.shape.sentence)
    out += narrative.questions(
        spec, reg, verdict=None if reg.is_national or spec.unit == "count" else comp.verdict, trend=comp.trend, shape=comp.shape,
        has_peers=comp.peers is not None,
    )
    out += narrative.limits(spec, reg, period=per)
    return [s for s in out if s]
