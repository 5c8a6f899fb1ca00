"""Ask for an indicator: one call, a tidy long frame back.

>>> import impactlib as im
>>> df = im.get_indicator("meldingen_acuut_structureel_pct", region="Zaanstreek-Waterland",
...                       period="2021HJ01")
>>> df[["region", "period", "value", "national"]]                      # doctest: +SKIP

Columns of every frame returned here (one row per region × period × category):

``region_key, region, level, period, period_title, provisional, indicator, category,
value, unit, numerator, denominator, national, source``

- ``value``: the indicator (percent, per 10 000 inhabitants or a count); ``NaN`` = unknown
  (a CBS ``.`` or a zero denominator), never 0.
- ``numerator`` / ``denominator``: the CBS counts behind a share or rate (rounded to 5 by
  CBS; population is exact), so comparisons can judge noise.
- ``national``: the same figure for Nederland in the same period (and category).
- ``provisional``: ``""``, ``"*"`` or ``"**"`` as CBS marks the period.
- ``source``: a short provenance label; ``frame.attrs["source"]`` holds the full record
  ``{"kind", "synthetic", "tables", "host", "fetched_at", ...}``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from . import regions as _regions
from .catalogue import (
    POPULATION_MEASURE,
    POPULATION_TABLE,
    IndicatorSpec,
    Term,
    get_indicator_spec,
)
from .errors import NotAvailableError, PeriodError
from .periods import Period, parse_period
from .regions import NATIONAL_KEY, Region
from .sources import get_source
from .tables import TableBundle

__all__ = [
    "get_indicator",
    "indicator_values",
    "available_periods",
    "latest_period",
    "provenance",
    "source_label",
    "COLUMNS",
]

COLUMNS = [
    "region_key", "region", "level", "period", "period_title", "provisional", "indicator",
    "category", "value", "unit", "numerator", "denominator", "national", "source",
]

_FACTOR = {"percent": 100.0, "per_10k": 10_000.0, "count": 1.0}


# --------------------------------------------------------------------------- public API
def get_indicator(
    indicator: str,
    region: str | Region = "Nederland",
    period: str | Period | Iterable | None = None,
    *,
    category: str | None = None,
    level: str | None = None,
    source: str | None = None,
) -> pd.DataFrame:
    """One indicator for one region, with Nederland beside it.

    ``period`` may be one period, a list, or ``None`` for every period in the data
    (half years only). ``category`` picks one category of a distribution indicator;
    without it a distribution returns all its categories.
    """
    reg = _regions.resolve(region, level).region
    return indicator_values(indicator, [reg], period, category=category, source=source)


def indicator_values(
    indicator: str,
    regions: Iterable[str | Region] | str = "vt",
    period: str | Period | Iterable | None = None,
    *,
    category: str | None = None,
    source: str | None = None,
) -> pd.DataFrame:
    """One indicator for many regions (``"vt"`` = all 26 Veilig Thuis-regio's)."""
    spec = get_indicator_spec(indicator, require_open=True)
    label = spec.resolve_category(category)
    if isinstance(regions, str):
        regs = _regions.regions_at(regions)
    else:
        regs = [_regions.resolve(r).region for r in regions]
    src = get_source(source)
    periods = _periods(spec, period, src)
    nat = _regions.get(NATIONAL_KEY)
    keys = [r.key for r in regs] + ([nat.key] if nat not in regs else [])
    frame, prov = _compute(spec, keys, periods, label, src)
    national = frame[frame.region_key == NATIONAL_KEY].set_index(["period", "category"])["value"]
    frame = frame[frame.region_key.isin([r.key for r in regs])].copy()
    frame["national"] = [
        national.get((p, c), np.nan) for p, c in zip(frame["period"], frame["category"])
    ]
    frame["source"] = source_label(prov)
    frame = frame[COLUMNS].reset_index(drop=True)
    frame.attrs["source"] = prov
    return frame


def available_periods(indicator: str | None = None, *, source: str | None = None, half_years=True) -> list[Period]:
    """Periods present in the data for an indicator (its first table), oldest first."""
    spec = get_indicator_spec(indicator or "meldingen_aantal", require_open=True)
    bundle = get_source(source).table(spec.numerator.table, regions=[NATIONAL_KEY])
    return _bundle_periods(bundle, half_years)


def latest_period(indicator: str | None = None, *, source: str | None = None) -> Period:
    """The newest half year published (recommendation 3.8: always the newest)."""
    return available_periods(indicator, source=source)[-1]


def provenance(frame: pd.DataFrame) -> dict:
    return dict(frame.attrs.get("source", {}))


def source_label(prov: dict) -> str:
    """One Dutch line naming CBS, the tables and the kind of data (for charts and tables)."""
    tables = ", ".join(prov.get("tables", []))
    text = f"Bron: CBS, {tables} (CC BY 4.0)"
    if prov.get("synthetic"):
        text += "; OEFENDATA (synthetisch, behalve de gepubliceerde voorbeeldcijfers)"
    elif prov.get("kind") == "cache" and prov.get("fetched_at"):
        text += f"; uit cache, opgehaald {str(prov['fetched_at'])[:10]}"
    elif prov.get("kind") == "live":
        text += "; live opgehaald"
    if prov.get("backend") in ("v3", "v4") and prov.get("kind") != "snapshot":
        text += f"; CBS OData {prov['backend']}"
    host = prov.get("host")
    if host and host not in ("opendata.cbs.nl", "datasets.cbs.nl"):
        text += f"; via {host}"
    return text


# --------------------------------------------------------------------------- internals
def _bundle_periods(bundle: TableBundle, half_years: bool) -> list[Period]:
    out = []
    for key, title in bundle.period_titles().items():
        try:
            p = parse_period(key)
        except PeriodError:
            continue
        if half_years and not p.is_half_year:
            continue
        flag = "**" if str(title).endswith("**") else ("*" if str(title).endswith("*") else "")
        out.append(p.with_flag(flag))
    return sorted(out)


def _periods(spec: IndicatorSpec, period, src) -> list[Period]:
    table = spec.numerator.table
    known = {p.key: p for p in _bundle_periods(src.table(table, regions=[NATIONAL_KEY]), False)}
    if period is None:
        return [p for p in known.values() if p.is_half_year]
    items = [period] if isinstance(period, (str, Period, int)) else list(period)
    out = []
    for item in items:
        p = parse_period(item)
        if p.key not in known:
            have = sorted(k for k in known if "HJ" in k)
            raise NotAvailableError(
                f"Periode {p.key} is (nog) niet gepubliceerd voor '{spec.id}'; beschikbaar: "
                f"{have[0]} t/m {have[-1]}." if have else f"Geen perioden voor '{spec.id}'."
            )
        out.append(known[p.key])
    return out


def _term_sum(bundle: TableBundle, term: Term, extra: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """Sum a measure over the listed categories; unknown if any part is unknown."""
    measure = bundle.measure_key(term.measure)
    filt = dict(term.filter)
    filt.update(extra or {})
    keys = {}
    for dim in bundle.topic_dimensions():
        titles = filt.get(dim)
        keys[dim] = bundle.category_keys(dim, titles) if titles else [bundle.total_key(dim)]
    sel = bundle.select(filters=keys).data
    geo, time = bundle.geo_dimension(), bundle.time_dimension()
    frame = pd.DataFrame(
        {"region_key": sel[geo].str.strip(), "period": sel[time].str.strip(), "v": sel[measure].astype(float)}
    )
    expected = math.prod(len(v) for v in keys.values()) if keys else 1
    grouped = frame.groupby(["region_key", "period"], sort=False)["v"]
    complete = (grouped.count() == expected) & (grouped.size() == expected)
    out = grouped.sum().where(complete)
    return out.rename("v").reset_index()


def _population(src, region_keys: list[str], periods: list[Period]) -> pd.DataFrame:
    years = sorted({f"{p.year}JJ00" for p in periods})
    bundle = src.table(POPULATION_TABLE, regions=region_keys, periods=years)
    term = Term(table=POPULATION_TABLE, measure=POPULATION_MEASURE)
    pop = _term_sum(bundle, term)
    pop["year"] = pop["period"].str[:4]
    return pop.drop(columns="period")


def _compute(spec: IndicatorSpec, region_keys, periods, category_label, src):
    period_keys = [p.key for p in periods]
    tables = {}

    def bundle(table_id):
        if table_id not in tables:
            tables[table_id] = src.table(table_id, regions=region_keys, periods=period_keys)
        return tables[table_id]

    num_bundle = bundle(spec.numerator.table)
    if spec.kind == "distribution":
        labels = [category_label] if category_label else spec.category_labels()
        parts = []
        for label in labels:
            part = _term_sum(num_bundle, spec.numerator, {spec.dimension: spec.categories[label]})
            part["category"] = label
            parts.append(part)
        num = pd.concat(parts, ignore_index=True)
    else:
        num = _term_sum(num_bundle, spec.numerator)
        num["category"] = ""
    num = num.rename(columns={"v": "numerator"})

    if spec.denominator is None:
        num["denominator"] = np.nan
    elif spec.denominator == "population":
        pop = _population(src, region_keys, periods)
        num["year"] = num["period"].str[:4]
        num = num.merge(pop.rename(columns={"v": "denominator"}), on=["region_key", "year"], how="left")
        num = num.drop(columns="year")
    else:
        den = _term_sum(bundle(spec.denominator.table), spec.denominator).rename(columns={"v": "denominator"})
        num = num.merge(den, on=["region_key", "period"], how="left")

    factor = _FACTOR[spec.unit]
    if spec.denominator is None:
        num["value"] = num["numerator"]
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            den = num["denominator"].where(num["denominator"] > 0)
            num["value"] = num["numerator"] / den * factor

    by_period = {p.key: p for p in periods}
    num["period_title"] = num["period"].map(lambda k: by_period[k].title)
    num["provisional"] = num["period"].map(lambda k: by_period[k].provisional)
    regs = {k: _region_or_placeholder(k, num_bundle) for k in num["region_key"].unique()}
    num["region"] = num["region_key"].map(lambda k: regs[k].name)
    num["level"] = num["region_key"].map(lambda k: regs[k].level)
    num["indicator"] = spec.id
    num["unit"] = spec.unit
    order = {k: i for i, k in enumerate(region_keys)}
    cat_order = {c: i for i, c in enumerate(spec.category_labels() or [""])}
    num = num.sort_values(
        ["region_key", "period", "category"],
        key=lambda s: s.map(order) if s.name == "region_key" else (s.map(cat_order) if s.name == "category" else s),
    )
    provs = [b.provenance for b in tables.values()]
    if spec.denominator == "population":
        provs.append(src.table(POPULATION_TABLE, regions=[NATIONAL_KEY]).provenance)
    prov = _merge_provenance(provs, spec.tables)
    if num.empty:
        raise NotAvailableError(f"Geen cijfers gevonden voor '{spec.id}' in de gevraagde regio's en perioden.")
    return num, prov


def _region_or_placeholder(key: str, bundle: TableBundle) -> Region:
    try:
        return _regions.get(key)
    except Exception:  # a region the live data knows but the registry does not
        title = bundle.region_titles().get(key, key)
        level = "gemeente" if key.startswith("GM") else "vt"
        return Region(key=key, name=str(title).split(" (")[0].strip(), level=level)


def _merge_provenance(provs: list[dict], tables: list[str]) -> dict:
    first = provs[0] if provs else {}
    out = dict(first)
    out["tables"] = list(tables)
    out["synthetic"] = any(p.get("synthetic") for p in provs)
    kinds = {p.get("kind") for p in provs}
    out["kind"] = first.get("kind") if len(kinds) == 1 else "+".join(sorted(k for k in kinds if k))
    return out
