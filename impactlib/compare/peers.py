"""Comparable regions (step 5, recommendation 3.5): the k VT-regio's most like a region.

Context factors per region come from the snapshot/CBS tables:

- population on 1 January (table 03759ned, "Bevolking op 1 januari", age total);
- from 85039NED: Omgevingsadressendichtheid (stedelijkheid), Aandeel 0 tot 25 jaar,
  Aandeel 65 jaar of ouder, Huishoudens met een laag inkomen, Aandeel eenoudergezinnen.

Each factor is standardised over the 26 Veilig Thuis-regio's (z-score, population and
address density on a log scale because they are skewed); the distance between two regions
is the Euclidean distance between their z-scores. A factor a region lacks counts as the
average (z = 0). The answer keeps the raw factors beside the distance, so a user sees *why*
regions count as comparable, and a user's own list of regions replaces the automatic choice
(distances are still computed).

:func:`nearest` is the pure part (a factor frame in, peers out) and is what the tests use;
:func:`comparable_regions` reads the tables and calls it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import regions as _regions
from ..catalogue import CONTEXT_TABLE, POPULATION_MEASURE, POPULATION_TABLE
from ..errors import NotAvailableError, ParameterError
from ..periods import parse_period
from ..query import remembered, source_key, table_meta
from ..regions import Region
from ..sources import get_source
from ..tables import TableBundle

__all__ = ["Factor", "FACTORS", "context_factors", "nearest", "comparable_regions", "parse_peers"]


@dataclass(frozen=True)
class Factor:
    id: str
    label: str  # Dutch, for tables and charts
    table: str
    measure: str  # CBS title of the measure
    log: bool = False  # standardise log(value)


FACTORS = (
    Factor("population", "Inwoners", POPULATION_TABLE, POPULATION_MEASURE, log=True),
    Factor("address_density", "Omgevingsadressendichtheid (per km²)", CONTEXT_TABLE, "Omgevingsadressendichtheid", log=True),
    Factor("share_0_24", "Aandeel 0 tot 25 jaar (%)", CONTEXT_TABLE, "Aandeel 0 tot 25 jaar"),
    Factor("share_65_plus", "Aandeel 65 jaar of ouder (%)", CONTEXT_TABLE, "Aandeel 65 jaar of ouder"),
    Factor("low_income", "Huishoudens met een laag inkomen (%)", CONTEXT_TABLE, "Huishoudens met een laag inkomen"),
    Factor("single_parent", "Aandeel eenoudergezinnen (%)", CONTEXT_TABLE, "Aandeel eenoudergezinnen"),
)


def _year_key(bundle: TableBundle, year: int | None) -> str:
    """The latest yearly period up to ``year`` in the table (the earliest if none is)."""
    keys = sorted(k for k in bundle.period_titles() if k.endswith("JJ00"))
    if not keys:
        raise NotAvailableError(f"Tabel {bundle.table_id} heeft geen jaarcijfers.")
    if year is None:
        return keys[-1]
    earlier = [k for k in keys if int(k[:4]) <= year]
    return earlier[-1] if earlier else keys[0]


def _measure(bundle: TableBundle, title: str, year_key: str) -> pd.Series:
    filters = {dim: [bundle.total_key(dim)] for dim in bundle.topic_dimensions()}
    sel = bundle.select(periods=[year_key], filters=filters).data
    keys = sel[bundle.geo_dimension()].str.strip()
    return pd.Series(sel[bundle.measure_key(title)].astype(float).values, index=keys.values)


def context_factors(keys: list[str], year: int | None = None, *, source: str | None = None) -> pd.DataFrame:
    """Raw context factors for region ``keys``: index ``region_key``, one column per factor.

    ``frame.attrs["factors"]`` lists each factor with label, table, measure and the year
    used; ``frame.attrs["source"]`` is the provenance (``synthetic`` for the oefendata).
    """
    src = get_source(source)
    return remembered(("context", tuple(keys), year, source_key(src)), lambda: _context_frame(src, list(keys), year))


def _context_frame(src, keys: list[str], year: int | None) -> pd.DataFrame:
    out = pd.DataFrame(index=pd.Index(keys, name="region_key"))
    meta, provs = [], {}
    for table_id in dict.fromkeys(f.table for f in FACTORS):
        shape = table_meta(src, table_id)
        year_key = _year_key(shape, year)
        totals = {dim: [shape.total_key(dim)] for dim in shape.topic_dimensions()}
        bundle = src.table(table_id, regions=keys, periods=[year_key], filters=totals)  # only the rows used
        provs[table_id] = bundle.provenance
        for f in (f for f in FACTORS if f.table == table_id):
            out[f.id] = _measure(bundle, f.measure, year_key).reindex(keys).values
            meta.append({"id": f.id, "label": f.label, "table": f.table, "measure": f.measure, "year": int(year_key[:4])})
    out.insert(0, "region", [_name(k) for k in keys])
    out.attrs["factors"] = meta
    first = next(iter(provs.values()))
    out.attrs["source"] = {
        **first,
        "tables": list(provs),
        "synthetic": any(p.get("synthetic") for p in provs.values()),
    }
    return out


def _name(key: str) -> str:
    try:
        return _regions.get(key).name
    except Exception:  # noqa: BLE001 - a key the registry does not know keeps its code
        return key


def nearest(
    factors: pd.DataFrame, region_key: str, k: int = 5, *, peers: list[str] | None = None,
    pool: list[str] | None = None,
) -> pd.DataFrame:
    """The ``k`` regions nearest to ``region_key`` (or the given ``peers``), with distances.

    ``factors``: index ``region_key``, a ``region`` column and one column per factor id.
    ``pool``: keys standardisation and automatic choice use (default: every row). Returns
    columns ``region_key, region, distance`` and the raw factors, nearest first.
    """
    ids = [f.id for f in FACTORS if f.id in factors.columns]
    pool = list(pool) if pool is not None else list(factors.index)
    raw = factors[ids].astype(float)
    logs = [f.id for f in FACTORS if f.log and f.id in ids]
    raw[logs] = np.log(raw[logs].where(raw[logs] > 0))
    base = raw.loc[[k_ for k_ in pool if k_ in raw.index]]
    sd = base.std(ddof=0).replace(0, np.nan)
    z = ((raw - base.mean()) / sd).fillna(0.0)
    if region_key not in z.index:
        raise NotAvailableError(f"Voor regio {_name(region_key)} zijn geen contextkenmerken bekend.")
    distance = np.sqrt(((z - z.loc[region_key]) ** 2).sum(axis=1))
    if peers is None:
        candidates = [c for c in pool if c != region_key and c in z.index]
        chosen = sorted(candidates, key=lambda c: (distance[c], c))[: max(int(k), 0)]
    else:
        chosen = list(peers)
    out = pd.DataFrame({"region_key": chosen})
    out["region"] = [factors["region"].get(c, _name(c)) for c in chosen]
    out["distance"] = [float(distance[c]) if c in distance.index and not raw.loc[c].isna().all() else math.nan for c in chosen]
    for f in ids:
        out[f] = [factors[f].get(c, math.nan) for c in chosen]
    if peers is not None:
        out = out.sort_values("distance", na_position="last", kind="stable")
    out = out.reset_index(drop=True)
    out.attrs = dict(factors.attrs)
    return out


def parse_peers(peers, region: Region) -> list[Region] | None:
    """``"auto"``/``None`` → ``None``; a list or comma-separated names → resolved regions."""
    if peers is None or (isinstance(peers, str) and peers.strip().lower() in ("", "auto")):
        return None
    names = [p.strip() for p in peers.split(",")] if isinstance(peers, str) else list(peers)
    out: list[Region] = []
    for name in names:
        if isinstance(name, str) and not name.strip():
            continue
        reg = _regions.resolve(name).region
        if reg.key == region.key:
            raise ParameterError(
                f"'{reg.name}' is de regio zelf; geef bij --peers andere regio's om mee te vergelijken."
            )
        if reg not in out:
            out.append(reg)
    if not out:
        raise ParameterError("Geen vergelijkingsregio's gegeven; gebruik --peers auto of een lijst als 'Twente,Drenthe'.")
    return out


def comparable_regions(
    region: str | Region, k: int = 5, *, period=None, peers=None, level: str | None = None,
    source: str | None = None,
) -> pd.DataFrame:
    """The ``k`` Veilig Thuis-regio's most like ``region`` (or the user's ``peers``).

    ``period`` picks the factor year (the latest year up to the period's year). Automatic
    choice works for Veilig Thuis-regio's; for another level give ``peers`` yourself.
    """
    reg = _regions.resolve(region, level).region
    chosen = parse_peers(peers, reg)
    if chosen is None and reg.level != "vt":
        raise NotAvailableError(
            f"Vergelijkbare regio's worden gekozen uit de 26 Veilig Thuis-regio's; {reg.name} is een "
            f"{reg.level_label}. Geef zelf regio's op met --peers."
        )
    pool = [r.key for r in _regions.regions_at("vt")]
    extra = [r.key for r in (chosen or [])] + [reg.key]
    keys = list(dict.fromkeys(pool + extra))
    year = parse_period(period).year if period is not None else None
    given = [r.key for r in chosen] if chosen else None
    return remembered(
        ("peers", reg.key, k, year, tuple(given or ()), given is None, source_key(get_source(source))),
        lambda: nearest(context_factors(keys, year, source=source), reg.key, k, peers=given, pool=pool),
    )
