"""Ask for an indicator: one call, a tidy long frame back.

>>> import impactlib as im
>>> df = im.get_indicator("meldingen_acuut_structureel_pct", region="Zaanstreek-Waterland",
...                       period="2021HJ01")
>>> df[["region", "period", "value", "national"]]                      # doctest: +SKIP

Every frame returned here keeps **the frame contract** of :mod:`impactlib.frame` (checked
with :func:`impactlib.frame.check` before it leaves): one row per region × period ×
category, the columns :data:`COLUMNS`

``region_key, region, level, period, period_title, provisional, indicator, category,
value, real, unit, numerator, denominator, national, national_real, national_numerator,
national_denominator, source``

- ``value``: the indicator (percent, per 10 000 inhabitants or a count); ``NaN`` = unknown
  (a CBS ``.`` or a zero denominator), never 0.
- ``numerator`` / ``denominator``: the CBS counts behind a share or rate (rounded to 5 by
  CBS; population is exact), so comparisons can judge noise.
- ``real``: ``True`` for a published CBS figure — every figure from CBS itself, and in the
  oefendata only the cells marked real (the published example figures, the real national and
  regional figures); ``False`` for an invented one.
- ``national``, ``national_real``, ``national_numerator``, ``national_denominator``: the same
  for Nederland in the same period (and category), carried as columns of every row
  (:func:`impactlib.frame.national_rows` turns them into Nederland's rows).
- ``provisional``: ``""``, ``"*"`` or ``"**"`` as CBS marks the period.
- ``source``: a short provenance label; ``frame.attrs["source"]`` holds the full record
  ``{"kind", "synthetic", "tables", "host", "fetched_at", ...}``.

What a chart needs beyond the frame comes from :mod:`impactlib.frame` too:
:func:`~impactlib.frame.long_form` (the region's rows and Nederland's, ``who`` naming the line)
and :func:`~impactlib.frame.without_national` (a count's chart without the national line).

Asking is cheap twice: an answer is remembered per process (:func:`remembered`, in
:mod:`impactlib.query.memo`; every caller gets its own copy) until the settings change or
:func:`clear_cache` is called, and a source is asked only for the rows an answer needs — the
regions, periods and categories of its terms — after one request without rows for the
table's metadata (``regions=[]``). The numbers themselves are computed in
:mod:`impactlib.query.compute` (terms added up and divided), with :mod:`impactlib.query.rollup` summing
gemeenten for a level a table lacks.
"""

from __future__ import annotations

import copy
import os
import re
import threading
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .. import frame as _frame
from .. import regions as _regions
from ..catalogue import IndicatorSpec, get_indicator_spec
from .compute import MEASURE_SPLIT, catalogue_filters, compute_indicator, region_totals, sort_rows
from ..errors import ImpactError, NotAvailableError, PeriodError
from ..frame import COLUMNS
from .answers import shelf_for
from .memo import CACHE_SIZE, peek, remembered, source_key, table_meta
from .memo import clear_cache as _memo_clear
from ..periods import Period, parse_period
from ..regions import NATIONAL_KEY, Region
from .rollup import check_region_titles
from ..sources import get_source
from ..sources.parts import age_days
from ..tables import TableBundle
from ..wording import OEFENDATA_SOURCE

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
    # the compute layer and the memo, re-exported for their callers
    "CACHE_SIZE",
    "MEASURE_SPLIT",
    "catalogue_filters",
    "check_region_titles",
    "region_totals",
    "source_key",
    "table_meta",
]



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
        part = _part(peek(("indicator", spec.id, None, keys, None, who)), label, periods)
        if part is not None:
            return part
        shelf = shelf_for(src)  # a cache folder keeps its answers for the next process
        question = ("indicator", spec.id, label, keys, periods)
        kept = shelf.get(question) if shelf is not None else None
        if kept is not None:
            prov = kept.attrs.get("source", {})
            if "age_days" in prov:
                prov["age_days"] = age_days(prov.get("fetched_at"))
            src.say_age(prov)
            return kept
        part = _from_level(spec, label, regs, period, src, who)
        frame = part if part is not None else _indicator_frame(spec, label, regs, period, src)
        if shelf is not None:
            shelf.put(question, frame)
        return frame

    return remembered(("indicator", spec.id, label, keys, periods, who), compute)


#: Levels small enough to compute whole: once a second region of one of them is asked for the
#: same indicator, every region of the level is computed at once (about the cost of two
#: regions) and later questions are rows of that frame (the explorer, a batch kernel).
#: Gemeenten are computed per Veilig Thuis-regio instead (:func:`_computed_with`).
WHOLE_LEVELS = ("vt", "provincie", "landsdeel")
#: Set by a batch for its kernels to the level it runs (``vt``, ``gemeente``, ...): every region of
#: that level will be asked for, so its level or group is computed whole from the first question on.
BATCH_LEVEL_ENV = "IMPACTMONITOR_BATCH_LEVEL"
_asked: dict[tuple, set] = {}
_asked_lock = threading.Lock()


def clear_cache() -> None:
    """Forget every remembered answer (happens by itself when the settings change)."""
    _memo_clear()
    with _asked_lock:
        _asked.clear()


def _from_level(spec: IndicatorSpec, label, regs: list[Region], period, src, who) -> pd.DataFrame | None:
    """The rows of ``regs`` from the frame of their whole level, or ``None`` (compute them alone).

    Only for local sources (a live source would download every region's rows), for regions of
    one level of :data:`WHOLE_LEVELS` or gemeenten of one Veilig Thuis-regio
    (:func:`_computed_with`), and from the second region of that level or group asked on: a
    single question (one ``impactmonitor show``) stays as cheap as before. In a batch over
    that level (:data:`BATCH_LEVEL_ENV`), where the others are sure to follow, from the first
    region on. The rows are those
    the regions' own computation gives, in its order, with the provenance of those regions
    (which of them are sums of gemeenten).
    """
    levels = {r.level for r in regs}
    if getattr(src, "kind", None) not in ("snapshot", "cache") or len(levels) != 1:
        return None
    level = levels.pop()
    whole_regs = _computed_with(level, regs)
    if whole_regs is None:
        return None
    whole_keys = tuple(r.key for r in whole_regs)
    with _asked_lock:
        seen = _asked.setdefault((spec.id, level, whole_keys, who), set())
        others = seen - {r.key for r in regs}  # regions of this group asked before, besides these
        seen.update(r.key for r in regs)
    if not others and os.environ.get(BATCH_LEVEL_ENV, "").strip() != level:
        return None
    if tuple(r.key for r in regs) == whole_keys and period is None and label is None:
        return None  # this is the whole frame itself
    wanted = _asked_periods(spec, regs, period, src)  # the same refusals as the region's own computation
    try:
        whole = remembered(("indicator", spec.id, None, whole_keys, None, who),
                           lambda: _indicator_frame(spec, None, whole_regs, None, src))
    except ImpactError:
        return None  # a cache holding some regions only: ask for these alone
    keys = [r.key for r in regs]
    keep = whole["region_key"].isin(keys) & whole["period"].isin([p.key for p in wanted])
    if label:
        keep &= whole["category"].eq(label)
    part = whole[keep]
    if part.empty or set(part["region_key"]) != set(keys) or set(part["period"]) != {p.key for p in wanted}:
        return None
    part = sort_rows(part, keys, spec).reset_index(drop=True)
    prov = copy.deepcopy(whole.attrs.get("source", {}))
    # the whole frame names the gemeenten summed in its newest year; these rows name those of
    # their own newest year, as their own computation would (Zaanstreek-Waterland: 8 in 2021, 7 since)
    years = sorted({p.year for p in wanted})
    names = {r.name: _summed_count(r, years) for r in regs}
    summed = {t: {n: names[n] for n in counts if n in names} for t, counts in (prov.get("summed") or {}).items()}
    summed = {t: c for t, c in summed.items() if c}
    prov.pop("summed", None)
    if summed:
        prov["summed"] = summed
    part["source"] = source_label(prov)
    part.attrs = {"source": prov}
    return part  # rows of a checked frame: the contract holds


def _summed_count(region: Region, years: list[int]) -> int:
    """The gemeenten a sum for ``region`` adds up in the newest of ``years`` it exists in
    (what :meth:`~impactlib.query.rollup.RollUp.counts` reports for its own computation)."""
    present = [y for y in years if _regions.exists(region.key, y)]
    return len(_regions.members(region.key, present[-1])) if present else 0


def _computed_with(level: str, regs: list[Region]) -> list[Region] | None:
    """The regions computed together with ``regs`` (which they are rows of), or ``None``.

    A level of :data:`WHOLE_LEVELS` is computed whole. Gemeenten are computed with the other
    gemeenten of their Veilig Thuis-regio: seven gemeenten cost what one does, all 342 about
    thirty times as much (measured on the oefendata), and the gemeenten a batch or a
    participant asks for next are mostly neighbours.
    """
    years = _period_years(None)
    if level in WHOLE_LEVELS:
        return _regions.regions_at(level, years)
    if level != "gemeente":
        return None
    vts = {r.vt_regio for r in regs}
    if len(vts) != 1 or "" in vts:  # a gemeente without a VT-regio: computed alone
        return None
    vt = vts.pop()
    return [g for g in _regions.regions_at("gemeente", years) if g.vt_regio == vt]


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
    periods = _asked_periods(spec, regs, period, src)
    nat = _regions.get(NATIONAL_KEY)
    keys = [r.key for r in regs] + ([nat.key] if nat not in regs else [])
    frame, prov = compute_indicator(spec, keys, periods, label, src)
    nat_rows = frame[frame.region_key == NATIONAL_KEY].set_index(["period", "category"])
    frame = frame[frame.region_key.isin([r.key for r in regs])].copy()
    missing = [r.name for r in regs if r.key not in set(frame["region_key"])]
    if frame.empty or (len(regs) == 1 and missing):
        raise NotAvailableError(
            f"Geen cijfers voor {', '.join(missing[:3])} in tabel {', '.join(spec.tables)} van deze bron; "
            "kies een andere regio of bron (zie 'impactmonitor data status')."
        )
    at = list(zip(frame["period"], frame["category"]))
    for own, national in _frame.NATIONAL_COLUMNS.items():
        looked_up = nat_rows[own].to_dict()  # (period, category) -> Nederland's value; one pass, not a lookup per row
        if own == "real":
            frame[national] = [bool(looked_up.get(pc, False)) for pc in at]
        else:
            frame[national] = [looked_up.get(pc, np.nan) for pc in at]
    frame["source"] = source_label(prov)
    frame = frame[COLUMNS].reset_index(drop=True)
    frame.attrs["source"] = prov
    return _frame.check(frame)


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
        text += OEFENDATA_SOURCE
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


def _period_key(period):
    if period is None:
        return None
    items = [period] if isinstance(period, (str, Period, int)) else list(period)
    return tuple(parse_period(p).key for p in items)



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


def _asked_periods(spec: IndicatorSpec, regs: list[Region], period, src) -> list[Period]:
    """The published periods asked for; one region asked for a period in which it did not
    exist is refused (:func:`impactlib.regions.get`)."""
    periods = _periods(spec, period, src)
    if period is not None and len(regs) == 1:
        for p in periods:
            _regions.get(regs[0].key, p)
    return periods


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


