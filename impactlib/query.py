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
- ``real``: ``True`` for a published CBS figure — every figure from CBS itself, and in the
  oefendata only the cells marked real (the published example figures, the real national and
  regional figures); ``False`` for an invented one. ``national_real`` likewise for ``national``.
- ``national``: the same figure for Nederland in the same period (and category).
- ``provisional``: ``""``, ``"*"`` or ``"**"`` as CBS marks the period.
- ``source``: a short provenance label; ``frame.attrs["source"]`` holds the full record
  ``{"kind", "synthetic", "tables", "host", "fetched_at", ...}``.

Asking is cheap twice: an answer is remembered per process (:func:`remembered`; every caller
gets its own copy) until the settings change or :func:`clear_cache` is called, and a source
is asked only for the rows an answer needs — the regions, periods and categories of its
terms — after one request without rows for the table's metadata (``regions=[]``).
"""

from __future__ import annotations

import re

import copy
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from . import regions as _regions
from . import settings
from .catalogue import (
    POPULATION_MEASURE,
    POPULATION_TABLE,
    IndicatorSpec,
    Term,
    dimension_spec,
    get_indicator_spec,
    publishes,
)
from .errors import NotAvailableError, PeriodError, RegionMismatch
from .periods import Period, parse_period
from .regions import NATIONAL_KEY, Region
from .sources import SnapshotSource, get_source
from .tables import TableBundle

__all__ = [
    "get_indicator",
    "indicator_values",
    "available_periods",
    "latest_period",
    "check_period",
    "provenance",
    "source_label",
    "cited_tables",
    "is_cbs_table_id",
    "remembered",
    "clear_cache",
    "COLUMNS",
]

COLUMNS = [
    "region_key", "region", "level", "period", "period_title", "provisional", "indicator",
    "category", "value", "real", "unit", "numerator", "denominator", "national", "national_real", "source",
]

_FACTOR = {"percent": 100.0, "per_10k": 10_000.0, "count": 1.0}
#: ``dimension: measure`` in the catalogue: a distribution over measures (85361NED has no topic dimension).
MEASURE_SPLIT = "measure"


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
    single = period if isinstance(period, (str, Period, int)) else None
    reg = _regions.resolve(region, level, period=single).region
    return indicator_values(indicator, [reg], period, category=category, source=source)


def indicator_values(
    indicator: str,
    regions: Iterable[str | Region] | str = "vt",
    period: str | Period | Iterable | None = None,
    *,
    category: str | None = None,
    source: str | None = None,
) -> pd.DataFrame:
    """One indicator for many regions (``"vt"`` = every Veilig Thuis-regio of the periods asked:
    26 up to 2022, 25 from 2023, all 27 codes over a series that crosses 2023)."""
    spec = get_indicator_spec(indicator, require_open=True)
    label = spec.resolve_category(category)
    if isinstance(regions, str):
        regs = _regions.regions_at(regions, _period_years(period))
    else:
        regs = [_regions.resolve(r).region for r in regions]
    src = get_source(source)
    keys, periods, who = tuple(r.key for r in regs), _period_key(period), source_key(src)

    def compute() -> pd.DataFrame:
        # rows of the same regions' remembered full series (every half year and category) will do
        part = _part(_peek(("indicator", spec.id, None, keys, None, who)), label, periods)
        return part if part is not None else _indicator_frame(spec, label, regs, period, src)

    return remembered(("indicator", spec.id, label, keys, periods, who), compute)


def _period_years(period) -> list[int] | None:
    """The years of the asked periods (``None`` = every year the registry knows)."""
    if period is None:
        return list(range(_regions.FIRST_YEAR, _regions.LAST_YEAR + 1))
    items = [period] if isinstance(period, (str, Period, int)) else list(period)
    return sorted({parse_period(p).year for p in items})


def _part(whole: pd.DataFrame | None, label: str | None, periods: tuple | None) -> pd.DataFrame | None:
    """The rows of ``whole`` for some of its periods (and one category), or ``None``."""
    if whole is None or periods is None or not set(periods) <= set(whole["period"]):
        return None
    keep = whole["period"].isin(periods) & (whole["category"].eq(label) if label else True)
    if not keep.any():
        return None
    part = whole[keep].reset_index(drop=True)
    part.attrs = copy.deepcopy(whole.attrs)
    return part


def _indicator_frame(spec: IndicatorSpec, label, regs: list[Region], period, src) -> pd.DataFrame:
    periods = _periods(spec, period, src)
    if period is not None and len(regs) == 1:  # a region asked for a period in which it did not exist
        for p in periods:
            _regions.get(regs[0].key, p)
    nat = _regions.get(NATIONAL_KEY)
    keys = [r.key for r in regs] + ([nat.key] if nat not in regs else [])
    frame, prov = _compute(spec, keys, periods, label, src)
    nat_rows = frame[frame.region_key == NATIONAL_KEY].set_index(["period", "category"])
    national, national_real = nat_rows["value"], nat_rows["real"]
    frame = frame[frame.region_key.isin([r.key for r in regs])].copy()
    missing = [r.name for r in regs if r.key not in set(frame["region_key"])]
    if frame.empty or (len(regs) == 1 and missing):
        raise NotAvailableError(
            f"Geen cijfers voor {', '.join(missing[:3])} in tabel {', '.join(spec.tables)} van deze bron; "
            "kies een andere regio of bron (zie 'impactmonitor data status')."
        )
    frame["national"] = [
        national.get((p, c), np.nan) for p, c in zip(frame["period"], frame["category"])
    ]
    frame["national_real"] = [
        bool(national_real.get((p, c), False)) for p, c in zip(frame["period"], frame["category"])
    ]
    frame["source"] = source_label(prov)
    frame = frame[COLUMNS].reset_index(drop=True)
    frame.attrs["source"] = prov
    return frame


def available_periods(indicator: str | None = None, *, source: str | None = None, half_years=True) -> list[Period]:
    """Periods present in the data for an indicator (its first table), oldest first."""
    spec = get_indicator_spec(indicator or "meldingen_aantal", require_open=True)
    return _bundle_periods(table_meta(get_source(source), spec.numerator.table), half_years)


def latest_period(indicator: str | None = None, *, source: str | None = None) -> Period:
    """The newest half year published (recommendation 3.8: always the newest)."""
    return available_periods(indicator, source=source)[-1]


def check_period(indicator: str | None, period=None, *, source: str | None = None) -> Period:
    """The period a run uses: ``period`` if the indicator's table publishes it, else the newest.

    The one place that turns a user's period into a published half year: the CLI, the
    notebooks, the exercises and the batch runs all call it, so they refuse alike.
    Raises :class:`~impactlib.errors.NotAvailableError` naming the half years on offer.
    """
    known = available_periods(indicator, source=source)
    if period is None or str(period).strip() == "":
        return known[-1]
    key = parse_period(period).key
    for p in known:
        if p.key == key:
            return p
    raise NotAvailableError(
        f"Periode {key} is (nog) niet gepubliceerd; kies een halfjaar van {known[0].key} t/m {known[-1].key}."
    )


def provenance(frame: pd.DataFrame) -> dict:
    return dict(frame.attrs.get("source", {}))


_CBS_TABLE_ID = re.compile(r"^\d{5}[A-Za-z]{3}$")  # 84849NED, 03759ned, 82975NED


def is_cbs_table_id(table: str) -> bool:
    """Does ``table`` look like a real CBS table id (five digits and three letters)?

    A placeholder (such as the one the oefendata once used for ondertoezichtstellingen) is
    never cited as a CBS table.
    """
    return bool(_CBS_TABLE_ID.match(str(table)))


def cited_tables(tables) -> list[str]:
    """The tables a source line may name: real CBS table ids only, in order, each once."""
    return [t for t in dict.fromkeys(tables) if is_cbs_table_id(t)]


def source_label(prov: dict) -> str:
    """One Dutch line naming CBS, the tables and the kind of data (for charts and tables).

    Only real CBS table ids are named (:func:`cited_tables`); a figure from a table without
    one says so instead of showing a placeholder as a table number.
    """
    given = list(prov.get("tables", []))
    real = cited_tables(given)
    tables = ", ".join(real)
    text = f"Bron: CBS, {tables} (CC BY 4.0)" if real else "Bron: CBS (CC BY 4.0)"
    if len(real) < len(dict.fromkeys(given)):
        text += "; een deel van de cijfers komt uit een tabel waarvan het CBS-tabelnummer nog niet is vastgesteld"
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
    for table, counts in (prov.get("summed") or {}).items():
        if len(counts) == 1:
            (name, n), = counts.items()
            text += f"; {name} in {table}: som van {n} gemeenten"
        elif counts:
            text += f"; {table}: regio's als som van hun gemeenten"
    return text


# --------------------------------------------------------------------------- remembered answers
#: Answers kept per process: a notebook kernel running 26 regions asks the same questions.
CACHE_SIZE = 512
_memo: OrderedDict = OrderedDict()
_memo_settings: settings.Settings | None = None
_memo_lock = threading.Lock()


def clear_cache() -> None:
    """Forget every remembered answer (happens by itself when the settings change)."""
    with _memo_lock:
        _memo.clear()


def source_key(src) -> object:
    """Who answers, for :func:`remembered`: a snapshot is read-only files, named by its folder;
    every other source is one object per settings and CBS host (``chooser.build_source``), so
    the object itself (kept alive by the key) is the name, and ``forget_sources`` starts afresh."""
    return ("snapshot", src.location) if isinstance(src, SnapshotSource) else src


def remembered(key: tuple, compute: Callable[[], object]):
    """``compute()`` once per ``key`` under the current settings; a copy for every caller.

    Frames and dicts are copied (``attrs`` included), so a caller that changes its answer
    changes nothing for the next one. Errors are not remembered.
    """
    global _memo_settings
    now = settings.current()
    with _memo_lock:
        if now != _memo_settings:
            _memo.clear()
            _memo_settings = now
        hit = _memo.get(key, _memo)
        if hit is not _memo:
            _memo.move_to_end(key)
    if hit is _memo:
        hit = compute()
        with _memo_lock:
            _memo[key] = hit
            while len(_memo) > CACHE_SIZE:
                _memo.popitem(last=False)
    return _copy(hit)


def _peek(key: tuple):
    """A remembered answer (not a copy: read only), or ``None``."""
    with _memo_lock:
        return _memo.get(key) if settings.current() == _memo_settings else None


def _copy(value):
    if isinstance(value, pd.DataFrame):
        out = value.copy()
        out.attrs = copy.deepcopy(value.attrs)
        return out
    return copy.deepcopy(value) if isinstance(value, (dict, list)) else value


def _period_key(period):
    if period is None:
        return None
    items = [period] if isinstance(period, (str, Period, int)) else list(period)
    return tuple(parse_period(p).key for p in items)


def table_meta(src, table_id: str) -> TableBundle:
    """A table's metadata (categories, periods, provenance) without data rows, once per source."""
    return remembered(("meta", table_id, source_key(src)), lambda: src.table(table_id, regions=[]))


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
    known = {p.key: p for p in _bundle_periods(table_meta(src, spec.numerator.table), False)}
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


def _term_keys(bundle: TableBundle, term: Term, extra: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """The category keys a term adds up, per topic dimension (its titles, else the total).

    Every dimension the term names must be in the table (found by key, else by the title
    ``tables.yaml`` gives it) and every category title must be there: a filter is never dropped.
    """
    filt = {d: v for d, v in {**term.filter, **(extra or {})}.items() if d != MEASURE_SPLIT}
    chosen = {}
    for name, titles in filt.items():
        key = bundle.dimension_key(name, dimension_spec(term.table, name).get("title"))
        chosen[key] = bundle.category_keys(key, titles)
    return {dim: chosen.get(dim) or [bundle.total_key(dim)] for dim in bundle.topic_dimensions()}


def _union(parts: Iterable[dict[str, list[str]]]) -> dict[str, list[str]]:
    """Per dimension every key any part needs (the categories to ask the source for)."""
    out: dict[str, list[str]] = {}
    for part in parts:
        for dim, keys in part.items():
            out[dim] = list(dict.fromkeys([*out.get(dim, []), *keys]))
    return out


def _term_sum(bundle: TableBundle, term: Term, extra: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """Sum measures over the listed categories; unknown if any part is unknown (or missing)."""
    names = (extra or {}).get(MEASURE_SPLIT) or term.measures
    measures = list(dict.fromkeys(bundle.measure_key(m) for m in names))
    keys = _term_keys(bundle, term, extra)
    sel = bundle.select(filters=keys).data
    geo, time = bundle.geo_dimension(), bundle.time_dimension()
    frame = pd.DataFrame({
        "region_key": sel[geo].str.strip(), "period": sel[time].str.strip(),
        "v": sel[measures].astype(float).sum(axis=1, min_count=len(measures)),
        "r": _real_cells(bundle, sel, measures),
    })
    expected = math.prod(len(v) for v in keys.values()) if keys else 1
    grouped = frame.groupby(["region_key", "period"], sort=False)
    complete = (grouped["v"].count() == expected) & (grouped["v"].size() == expected)
    out = pd.DataFrame({"v": grouped["v"].sum().where(complete), "r": grouped["r"].all() & complete})
    return out.reset_index()


def _real_cells(bundle: TableBundle, sel: pd.DataFrame, measures: list[str]) -> pd.Series:
    """Per selected row: are all its cells published CBS figures? (Everything but oefendata is.)"""
    if not bundle.provenance.get("synthetic"):
        return pd.Series(True, index=sel.index)
    marks = bundle.provenance.get("real_cells") or {}
    real = pd.Series(True, index=sel.index)
    for m in measures:
        real &= sel["ID"].isin(marks.get(m, ())) if "ID" in sel else False
    return real


# --------------------------------------------------------------------------- regions a table lacks
class _Plan:
    """Which region rows to ask a table for, and how to add gemeenten up to regions it lacks.

    CBS publishes no population per Veilig Thuis-regio (03759ned) and no VT rows of
    jeugdbescherming (82975NED): such a region is the sum of its gemeenten *of that year*
    (membership changes: Weesp, Brabant), and unknown as soon as one of them is unknown.
    """

    def __init__(self, table_id: str, region_keys: list[str], period_keys: list[str]):
        self.table_id = table_id
        self.direct: list[str] = []
        self.members: dict[tuple[str, int], list[str]] = {}  # (region, year) → gemeente keys
        years = sorted({int(p[:4]) for p in period_keys})
        for key in region_keys:
            level = _regions.get(key).level
            if publishes(table_id, level):
                self.direct.append(key)
                continue
            if not publishes(table_id, "gemeente"):
                raise NotAvailableError(f"Tabel {table_id} heeft geen cijfers per {_regions.LEVEL_LABELS[level]} "
                                        "en ook niet per gemeente om op te tellen.")
            for year in years:
                if _regions.exists(key, year):
                    self.members[(key, year)] = [g.key for g in _regions.members(key, year)]

    def keys(self) -> list[str]:
        """Region keys to fetch: the direct ones and every member gemeente."""
        gm = [g for keys in self.members.values() for g in keys]
        return list(dict.fromkeys([*self.direct, *gm]))

    def counts(self) -> dict[str, int]:
        """Region key → number of gemeenten summed (newest year), for the source line."""
        out = {}
        for (key, year), keys in sorted(self.members.items()):
            out[key] = len(keys)
        return out

    def roll_up(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` (region_key, period, v) with the summed regions added and only asked-for rows kept."""
        if not self.members:
            return frame[frame["region_key"].isin(self.direct)].reset_index(drop=True)
        rows = []
        indexed = frame.set_index(["region_key", "period"])
        values, real = indexed["v"], indexed["r"]
        periods = sorted(frame["period"].unique())
        for (key, year), keys in self.members.items():
            for period in (p for p in periods if int(p[:4]) == year):
                parts = [values.get((g, period), np.nan) for g in keys]
                known = all(not pd.isna(v) for v in parts)
                rows.append({"region_key": key, "period": period, "v": float(sum(parts)) if known else np.nan,
                             "r": known and all(bool(real.get((g, period), False)) for g in keys)})
        summed = pd.DataFrame(rows, columns=["region_key", "period", "v", "r"])
        direct = frame[frame["region_key"].isin(self.direct)]
        return pd.concat([direct, summed], ignore_index=True)


def check_region_titles(bundle: TableBundle, keys: Iterable[str]) -> None:
    """Refuse an answer in which a region code is titled as another region.

    CBS numbers VT-regio's alphabetically; a table (or a server) that gives code VT22 another
    title than Zaanstreek-Waterland would put one region's figures under another's name.
    """
    titles = bundle.region_titles()
    for key in keys:
        title = titles.get(str(key).strip())
        if title is not None and not _regions.title_matches(key, title):
            mine = _regions.get(key)
            raise RegionMismatch(
                f"Tabel {bundle.table_id} noemt regiocode {str(key).strip()} '{title}', maar die code is "
                f"{mine.level_label} {mine.name}; de cijfers worden niet getoond (zie 'impactmonitor data verify').",
                table_id=bundle.table_id, region=str(key).strip(), title=str(title),
            )


def _fetch(src, table_id: str, plan: _Plan, period_keys: list[str], filters: dict) -> TableBundle:
    bundle = src.table(table_id, regions=plan.keys(), periods=period_keys, filters=filters)
    check_region_titles(bundle, plan.keys())
    return bundle


def _population(src, region_keys: list[str], periods: list[Period]) -> tuple[pd.DataFrame, _Plan]:
    years = sorted({f"{p.year}JJ00" for p in periods})
    term = Term(table=POPULATION_TABLE, measure=POPULATION_MEASURE)
    filters = _term_keys(table_meta(src, POPULATION_TABLE), term)
    plan = _Plan(POPULATION_TABLE, region_keys, years)
    pop = plan.roll_up(_term_sum(_fetch(src, POPULATION_TABLE, plan, years, filters), term))
    pop["year"] = pop["period"].str[:4]
    return pop.drop(columns="period"), plan


def catalogue_filters(bundle: TableBundle) -> dict[str, list[str]]:
    """The category keys of ``bundle``'s table that the catalogue's terms use, per topic dimension
    (what ``fetch`` asks CBS for: 03759ned's totals, not its hundreds of age groups)."""
    from .verify import catalogue_terms

    parts = [_term_keys(bundle, term, extra) for _, term, extra in catalogue_terms().get(bundle.table_id, [])]
    return _union(parts)


def region_totals(table_id: str, measure: str, region_keys: list[str], period_keys: list[str], *,
                  filter: dict[str, list[str]] | None = None, source: str | None = None) -> pd.DataFrame:
    """One count measure per region and period (total categories unless ``filter`` names
    others, by dimension key → titles), gemeenten summed where the table lacks the region's
    level: columns ``region_key``, ``period``, ``value``, ``real``.

    >>> region_totals("03759ned", "Bevolking op 1 januari", ["VT22"], ["2021JJ00"])  # doctest: +SKIP
    """
    src = get_source(source)
    term = Term(table=table_id, measure=measure, filter=dict(filter or {}))
    filters = _term_keys(table_meta(src, table_id), term)
    plan = _Plan(table_id, list(region_keys), list(period_keys))
    bundle = _fetch(src, table_id, plan, list(period_keys), filters)
    out = plan.roll_up(_term_sum(bundle, term)).rename(columns={"v": "value", "r": "real"})
    out.attrs["summed"] = plan.counts()
    out.attrs["source"] = _merge_provenance([bundle.provenance], [table_id])
    return out


def _compute(spec: IndicatorSpec, region_keys, periods, category_label, src):
    period_keys = [p.key for p in periods]
    labels = ([category_label] if category_label else spec.category_labels()) if spec.kind == "distribution" else []
    split = MEASURE_SPLIT if spec.dimension == MEASURE_SPLIT else spec.dimension
    terms = [(spec.numerator, {split: spec.categories[label]}) for label in labels] or [(spec.numerator, None)]
    if spec.denominator not in (None, "population"):
        terms.append((spec.denominator, None))
    wanted: dict[str, list] = {}
    for term, extra in terms:  # only the categories the terms add up travel
        wanted.setdefault(term.table, []).append(_term_keys(table_meta(src, term.table), term, extra))
    tables, plans = {}, {}

    def bundle(table_id):
        if table_id not in tables:
            plans[table_id] = _Plan(table_id, list(region_keys), period_keys)
            tables[table_id] = _fetch(src, table_id, plans[table_id], period_keys, _union(wanted[table_id]))
        return tables[table_id]

    num_bundle = bundle(spec.numerator.table)
    num_plan = plans[spec.numerator.table]
    if spec.kind == "distribution":
        parts = []
        for label in labels:
            part = num_plan.roll_up(_term_sum(num_bundle, spec.numerator, {split: spec.categories[label]}))
            part["category"] = label
            parts.append(part)
        num = pd.concat(parts, ignore_index=True)
    else:
        num = num_plan.roll_up(_term_sum(num_bundle, spec.numerator))
        num["category"] = ""
    num = num.rename(columns={"v": "numerator", "r": "real"})

    sums: dict[str, dict[str, int]] = {}
    if num_plan.counts():
        sums[spec.numerator.table] = num_plan.counts()
    if spec.denominator is None:
        num["denominator"] = np.nan
    elif spec.denominator == "population":
        pop, pop_plan = _population(src, list(region_keys), periods)
        if pop_plan.counts():
            sums[POPULATION_TABLE] = pop_plan.counts()
        num["year"] = num["period"].str[:4]
        num = num.merge(pop.rename(columns={"v": "denominator", "r": "den_real"}), on=["region_key", "year"], how="left")
        num = num.drop(columns="year")
    else:
        den_table = spec.denominator.table
        den_bundle = bundle(den_table)
        den = plans[den_table].roll_up(_term_sum(den_bundle, spec.denominator))
        num = num.merge(den.rename(columns={"v": "denominator", "r": "den_real"}), on=["region_key", "period"], how="left")

    if "den_real" in num:
        num["real"] = num["real"].astype(bool) & num.pop("den_real").fillna(False).astype(bool)
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
    regs = {k: _regions.get(k) for k in num["region_key"].unique()}
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
    published = {(v.get("indicator"), v.get("region_key"), v.get("period"), v.get("category") or "")
                 for b in tables.values() for v in b.provenance.get("real_values") or ()}
    if published:
        marked = [(spec.id, k, p, c) in published for k, p, c in zip(num["region_key"], num["period"], num["category"])]
        num["real"] = num["real"].astype(bool) | pd.Series(marked, index=num.index)
    num["real"] = num["real"].astype(bool) & num["value"].notna()
    provs = [b.provenance for b in tables.values()]
    if spec.denominator == "population":
        provs.append(table_meta(src, POPULATION_TABLE).provenance)
    prov = _merge_provenance(provs, spec.tables)
    if sums:
        prov["summed"] = {t: {regs[k].name if k in regs else k: n for k, n in c.items()} for t, c in sums.items()}
    if num.empty:
        raise NotAvailableError(f"Geen cijfers gevonden voor '{spec.id}' in de gevraagde regio's en perioden.")
    return num, prov


def _merge_provenance(provs: list[dict], tables: list[str]) -> dict:
    first = provs[0] if provs else {}
    out = {k: v for k, v in first.items() if k not in ("real_cells", "real_values")}
    out["tables"] = list(tables)
    out["synthetic"] = any(p.get("synthetic") for p in provs)
    kinds = {p.get("kind") for p in provs}
    out["kind"] = first.get("kind") if len(kinds) == 1 else "+".join(sorted(k for k in kinds if k))
    return out
