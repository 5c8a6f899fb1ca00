"""From CBS tables to indicator numbers: the terms of the catalogue added up, divided, marked.

An indicator of the catalogue is a numerator term over a denominator term (or the population,
or nothing for a count); a term names a table, its measures and the categories to add up
(:class:`~impactlib.catalogue.Term`). This module asks a source for only the rows and
categories those terms need, adds them up (gemeenten summed to regions a table lacks, through
:class:`~impactlib.query.rollup.RollUp`), divides and marks every figure as published CBS or not.

:func:`compute_indicator` returns the raw rows (one per region × period × category, the
asked regions *and* Nederland); :func:`impactlib.query.indicator_values` turns them into the
frame of the contract (:mod:`impactlib.frame`). :func:`region_totals` and
:func:`catalogue_filters` are the same machinery for one count measure and for ``fetch``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .. import regions as _regions
from ..catalogue import POPULATION_MEASURE, POPULATION_TABLE, IndicatorSpec, Term, catalogue_terms, dimension_spec
from ..errors import NotAvailableError
from .memo import table_meta
from ..periods import Period
from .rollup import RollUp, fetch
from ..sources import get_source
from ..tables import TableBundle

__all__ = ["MEASURE_SPLIT", "FACTOR", "term_keys", "union", "term_sum", "compute_indicator", "region_totals",
           "catalogue_filters", "merge_provenance"]

#: Factor from a share to the unit shown.
FACTOR = {"percent": 100.0, "per_10k": 10_000.0, "count": 1.0}
#: ``dimension: measure`` in the catalogue: a distribution over measures (85361NED has no topic dimension).
MEASURE_SPLIT = "measure"


def term_keys(bundle: TableBundle, term: Term, extra: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
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


def union(parts: Iterable[dict[str, list[str]]]) -> dict[str, list[str]]:
    """Per dimension every key any part needs (the categories to ask the source for)."""
    out: dict[str, list[str]] = {}
    for part in parts:
        for dim, keys in part.items():
            out[dim] = list(dict.fromkeys([*out.get(dim, []), *keys]))
    return out


def term_sum(bundle: TableBundle, term: Term, extra: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """Sum measures over the listed categories; unknown if any part is unknown (or missing)."""
    names = (extra or {}).get(MEASURE_SPLIT) or term.measures
    measures = list(dict.fromkeys(bundle.measure_key(m) for m in names))
    keys = term_keys(bundle, term, extra)
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


def _population(src, region_keys: list[str], periods: list[Period]) -> tuple[pd.DataFrame, RollUp]:
    years = sorted({f"{p.year}JJ00" for p in periods})
    term = Term(table=POPULATION_TABLE, measure=POPULATION_MEASURE)
    filters = term_keys(table_meta(src, POPULATION_TABLE), term)
    plan = RollUp(POPULATION_TABLE, region_keys, years)
    pop = plan.roll_up(term_sum(fetch(src, POPULATION_TABLE, plan, years, filters), term))
    pop["year"] = pop["period"].str[:4]
    return pop.drop(columns="period"), plan


def catalogue_filters(bundle: TableBundle) -> dict[str, list[str]]:
    """The category keys of ``bundle``'s table that the catalogue's terms use, per topic dimension
    (what ``fetch`` asks CBS for: 03759ned's totals, not its hundreds of age groups)."""
    parts = [term_keys(bundle, term, extra) for _, term, extra in catalogue_terms().get(bundle.table_id, [])]
    return union(parts)


def region_totals(table_id: str, measure: str, region_keys: list[str], period_keys: list[str], *,
                  filter: dict[str, list[str]] | None = None, source: str | None = None) -> pd.DataFrame:
    """One count measure per region and period (total categories unless ``filter`` names
    others, by dimension key → titles), gemeenten summed where the table lacks the region's
    level: columns ``region_key``, ``period``, ``value``, ``real``.

    >>> region_totals("03759ned", "Bevolking op 1 januari", ["VT22"], ["2021JJ00"])  # doctest: +SKIP
    """
    src = get_source(source)
    term = Term(table=table_id, measure=measure, filter=dict(filter or {}))
    filters = term_keys(table_meta(src, table_id), term)
    plan = RollUp(table_id, list(region_keys), list(period_keys))
    bundle = fetch(src, table_id, plan, list(period_keys), filters)
    out = plan.roll_up(term_sum(bundle, term)).rename(columns={"v": "value", "r": "real"})
    out.attrs["summed"] = plan.counts()
    out.attrs["source"] = merge_provenance([bundle.provenance], [table_id])
    return out


def compute_indicator(spec: IndicatorSpec, region_keys, periods: list[Period], category_label, src
                      ) -> tuple[pd.DataFrame, dict]:
    """The raw rows of ``spec`` for ``region_keys`` in ``periods`` (one category, or all of a
    distribution when ``category_label`` is ``None``) and their merged provenance.

    Columns ``region_key, period, category, numerator, denominator, real, value, period_title,
    provisional, region, level, indicator, unit``, sorted as ``region_keys`` and the catalogue's
    categories; no national columns yet (:func:`impactlib.query.indicator_values` adds them).
    """
    period_keys = [p.key for p in periods]
    labels = ([category_label] if category_label else spec.category_labels()) if spec.kind == "distribution" else []
    split = MEASURE_SPLIT if spec.dimension == MEASURE_SPLIT else spec.dimension
    terms = [(spec.numerator, {split: spec.categories[label]}) for label in labels] or [(spec.numerator, None)]
    if spec.denominator not in (None, "population"):
        terms.append((spec.denominator, None))
    wanted: dict[str, list] = {}
    for term, extra in terms:  # only the categories the terms add up travel
        wanted.setdefault(term.table, []).append(term_keys(table_meta(src, term.table), term, extra))
    tables, plans = {}, {}

    def bundle(table_id):
        if table_id not in tables:
            plans[table_id] = RollUp(table_id, list(region_keys), period_keys)
            tables[table_id] = fetch(src, table_id, plans[table_id], period_keys, union(wanted[table_id]))
        return tables[table_id]

    num_bundle = bundle(spec.numerator.table)
    num_plan = plans[spec.numerator.table]
    if spec.kind == "distribution":
        parts = []
        for label in labels:
            part = num_plan.roll_up(term_sum(num_bundle, spec.numerator, {split: spec.categories[label]}))
            part["category"] = label
            parts.append(part)
        num = pd.concat(parts, ignore_index=True)
    else:
        num = num_plan.roll_up(term_sum(num_bundle, spec.numerator))
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
        den = plans[den_table].roll_up(term_sum(den_bundle, spec.denominator))
        num = num.merge(den.rename(columns={"v": "denominator", "r": "den_real"}), on=["region_key", "period"], how="left")

    if "den_real" in num:
        num["real"] = num["real"].astype(bool) & num.pop("den_real").fillna(False).astype(bool)
    factor = FACTOR[spec.unit]
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
    num = sort_rows(num, region_keys, spec)
    published = {(v.get("indicator"), v.get("region_key"), v.get("period"), v.get("category") or "")
                 for b in tables.values() for v in b.provenance.get("real_values") or ()}
    if published:
        marked = [(spec.id, k, p, c) in published for k, p, c in zip(num["region_key"], num["period"], num["category"])]
        num["real"] = num["real"].astype(bool) | pd.Series(marked, index=num.index)
    num["real"] = num["real"].astype(bool) & num["value"].notna()
    provs = [b.provenance for b in tables.values()]
    if spec.denominator == "population":
        provs.append(table_meta(src, POPULATION_TABLE).provenance)
    prov = merge_provenance(provs, spec.tables)
    if sums:
        prov["summed"] = {t: {regs[k].name if k in regs else k: n for k, n in c.items()} for t, c in sums.items()}
    if num.empty:
        raise NotAvailableError(f"Geen cijfers gevonden voor '{spec.id}' in de gevraagde regio's en perioden.")
    return num, prov


def sort_rows(frame: pd.DataFrame, region_keys, spec: IndicatorSpec) -> pd.DataFrame:
    """Rows in the order every answer has: regions as ``region_keys`` lists them, then period,
    then the catalogue's order of the categories."""
    order = {k: i for i, k in enumerate(region_keys)}
    cat_order = {c: i for i, c in enumerate(spec.category_labels() or [""])}
    return frame.sort_values(
        ["region_key", "period", "category"], kind="stable",
        key=lambda s: s.map(order) if s.name == "region_key" else (s.map(cat_order) if s.name == "category" else s),
    )


def merge_provenance(provs: list[dict], tables: list[str]) -> dict:
    """One provenance for a figure computed from several tables (``kind`` joined when they differ)."""
    first = provs[0] if provs else {}
    out = {k: v for k, v in first.items() if k not in ("real_cells", "real_values")}
    out["tables"] = list(tables)
    out["synthetic"] = any(p.get("synthetic") for p in provs)
    kinds = {p.get("kind") for p in provs}
    out["kind"] = first.get("kind") if len(kinds) == 1 else "+".join(sorted(k for k in kinds if k))
    return out
