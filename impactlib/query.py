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
    get_indicator_spec,
)
from .errors import NotAvailableError, PeriodError
from .periods import Period, parse_period
from .regions import NATIONAL_KEY, Region
from .sources import SnapshotSource, get_source
from .tables import TableBundle

__all__ = [
    "get_indicator",
    "indicator_values",
    "available_periods",
    "latest_period",
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
    keys, periods, who = tuple(r.key for r in regs), _period_key(period), source_key(src)

    def compute() -> pd.DataFrame:
        # rows of the same regions' remembered full series (every half year and category) will do
        part = _part(_peek(("indicator", spec.id, None, keys, None, who)), label, periods)
        return part if part is not None else _indicator_frame(spec, label, regs, period, src)

    return remembered(("indicator", spec.id, label, keys, periods, who), compute)


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
    nat = _regions.get(NATIONAL_KEY)
    keys = [r.key for r in regs] + ([nat.key] if nat not in regs else [])
    frame, prov = _compute(spec, keys, periods, label, src)
    national = frame[frame.region_key == NATIONAL_KEY].set_index(["period", "category"])["value"]
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
    """The category keys a term adds up, per topic dimension (its titles, else the total)."""
    filt = dict(term.filter)
    filt.update(extra or {})
    keys = {}
    for dim in bundle.topic_dimensions():
        titles = filt.get(dim)
        keys[dim] = bundle.category_keys(dim, titles) if titles else [bundle.total_key(dim)]
    return keys


def _union(parts: Iterable[dict[str, list[str]]]) -> dict[str, list[str]]:
    """Per dimension every key any part needs (the categories to ask the source for)."""
    out: dict[str, list[str]] = {}
    for part in parts:
        for dim, keys in part.items():
            out[dim] = list(dict.fromkeys([*out.get(dim, []), *keys]))
    return out


def _term_sum(bundle: TableBundle, term: Term, extra: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """Sum a measure over the listed categories; unknown if any part is unknown."""
    measure = bundle.measure_key(term.measure)
    keys = _term_keys(bundle, term, extra)
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
    term = Term(table=POPULATION_TABLE, measure=POPULATION_MEASURE)
    filters = _term_keys(table_meta(src, POPULATION_TABLE), term)
    bundle = src.table(POPULATION_TABLE, regions=region_keys, periods=years, filters=filters)
    pop = _term_sum(bundle, term)
    pop["year"] = pop["period"].str[:4]
    return pop.drop(columns="period")


def _compute(spec: IndicatorSpec, region_keys, periods, category_label, src):
    period_keys = [p.key for p in periods]
    labels = ([category_label] if category_label else spec.category_labels()) if spec.kind == "distribution" else []
    terms = [(spec.numerator, {spec.dimension: spec.categories[label]}) for label in labels] or [(spec.numerator, None)]
    if spec.denominator not in (None, "population"):
        terms.append((spec.denominator, None))
    wanted: dict[str, list] = {}
    for term, extra in terms:  # only the categories the terms add up travel
        wanted.setdefault(term.table, []).append(_term_keys(table_meta(src, term.table), term, extra))
    tables = {}

    def bundle(table_id):
        if table_id not in tables:
            tables[table_id] = src.table(table_id, regions=region_keys, periods=period_keys,
                                         filters=_union(wanted[table_id]))
        return tables[table_id]

    num_bundle = bundle(spec.numerator.table)
    if spec.kind == "distribution":
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
        provs.append(table_meta(src, POPULATION_TABLE).provenance)
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
