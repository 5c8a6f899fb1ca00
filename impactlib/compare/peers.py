"""Comparable regions (step 5, recommendation 3.5): the k VT-regio's most like a region.

Context factors per region, for the year of the period compared:

- inhabitants on 1 January (03759ned, "Bevolking op 1 januari", totals; CBS publishes no
  population per Veilig Thuis-regio, so a VT-regio's is the sum of its gemeenten of that year);
- from that year's Kerncijfers wijken en buurten (85039NED for 2021, 85318NED 2022, 85618NED
  2023, 85984NED 2024; gemeente rows): address density (omgevingsadressendichtheid), the shares
  of inhabitants aged 0–24 and 65+, the share of households with a low income and the share of
  one-person households. A VT-regio's value is computed from its gemeenten: shares from the
  summed counts, the density weighted by inhabitants and the low-income share by households
  (computed by us, marked so in ``attrs["factors"]``).

Each factor is standardised over the Veilig Thuis-regio's of that year (z-score, population and
address density on a log scale because they are skewed); the distance between two regions is
the Euclidean distance between their z-scores. A factor a region lacks counts as the average
(z = 0). The answer keeps the raw factors beside the distance, so a user sees *why* regions
count as comparable, and a user's own list of regions replaces the automatic choice (distances
are still computed).

:func:`nearest` is the pure part (a factor frame in, peers out) and is what the tests use;
:func:`comparable_regions` reads the tables and calls it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import regions as _regions
from ..catalogue import POPULATION_MEASURE, POPULATION_TABLE, context_table
from ..errors import NotAvailableError, ParameterError
from ..periods import parse_period
from ..query import region_totals, remembered, source_key
from ..regions import Region
from ..sources import get_source

__all__ = ["Factor", "FACTORS", "context_factors", "nearest", "comparable_regions", "parse_peers"]


@dataclass(frozen=True)
class Factor:
    id: str
    label: str  # Dutch, for tables and charts
    table: str  # "population" (03759ned) or "context" (the year's wijken-en-buurten table)
    how: str  # how a VT-regio's value follows from its gemeenten (Dutch, for the factor list)
    log: bool = False  # standardise log(value)


FACTORS = (
    Factor("population", "Inwoners", "population", "som van de gemeenten", log=True),
    Factor("address_density", "Omgevingsadressendichtheid (per km²)", "context",
           "gemiddelde van de gemeenten, gewogen naar inwoners", log=True),
    Factor("share_0_24", "Aandeel 0 tot 25 jaar (%)", "context", "uit de opgetelde aantallen"),
    Factor("share_65_plus", "Aandeel 65 jaar of ouder (%)", "context", "uit de opgetelde aantallen"),
    Factor("low_income", "Huishoudens met een laag inkomen (%)", "context",
           "gemiddelde van de gemeenten, gewogen naar huishoudens"),
    Factor("single_person", "Aandeel eenpersoonshuishoudens (%)", "context", "uit de opgetelde aantallen"),
)

#: The wijken-en-buurten measures read (title paths), by short name.
_KWB = {
    "inwoners": "Bevolking › Aantal inwoners",
    "age_0_15": "Bevolking › Leeftijdsgroepen › 0 tot 15 jaar",
    "age_15_25": "Bevolking › Leeftijdsgroepen › 15 tot 25 jaar",
    "age_65": "Bevolking › Leeftijdsgroepen › 65 jaar of ouder",
    "households": "Bevolking › Particuliere huishoudens › Huishoudens totaal",
    "one_person": "Bevolking › Particuliere huishoudens › Eenpersoonshuishoudens",
    "density": "Stedelijkheid › Omgevingsadressendichtheid",
    "low_income": "Inkomen › Inkomen van huishoudens › Huishoudens met een laag inkomen",
}


def context_factors(keys: list[str], year: int | None = None, *, source: str | None = None) -> pd.DataFrame:
    """Raw context factors for region ``keys``: index ``region_key``, one column per factor.

    ``frame.attrs["factors"]`` lists each factor with label, table, how a VT-regio's value is
    made and the year used; ``frame.attrs["source"]`` is the provenance (``synthetic`` for the oefendata).
    """
    src = get_source(source)
    return remembered(("context", tuple(keys), year, source_key(src)), lambda: _context_frame(src, list(keys), year, source))


def _gemeente_context(src, table_id: str, gemeenten: list[str]) -> tuple[pd.DataFrame, dict]:
    """The wijken-en-buurten measures per gemeente (index: gemeente key)."""
    bundle = src.table(table_id, regions=gemeenten)
    geo = bundle.geo_dimension()
    keys = bundle.data[geo].astype(str).str.strip()
    out = pd.DataFrame(index=pd.Index(keys.values, name="gm"))
    for name, path in _KWB.items():
        out[name] = bundle.data[bundle.measure_key(path)].astype(float).values
    return out[~out.index.duplicated()], bundle.provenance


def _context_frame(src, keys: list[str], year: int | None, source) -> pd.DataFrame:
    year = _regions.year_of(year)
    table_id = context_table(year)
    members = {k: [g.key for g in _regions.members(k, year)] if _regions.exists(k, year) else [] for k in keys}
    gemeenten = sorted({g for gs in members.values() for g in gs})
    out = pd.DataFrame(index=pd.Index(keys, name="region_key"))
    pop = region_totals(POPULATION_TABLE, POPULATION_MEASURE, keys, [f"{year}JJ00"], source=source)
    out["population"] = pop.set_index("region_key")["value"].reindex(keys).values
    gm, prov = _gemeente_context(src, table_id, gemeenten)
    rows = []
    for key in keys:
        part = gm.reindex(members[key])
        if part.empty or part.isna().all().all():
            rows.append({f.id: math.nan for f in FACTORS if f.table == "context"})
            continue
        inw, hh = part["inwoners"], part["households"]
        rows.append({
            "address_density": _weighted(part["density"], inw),
            "share_0_24": _share(part["age_0_15"] + part["age_15_25"], inw),
            "share_65_plus": _share(part["age_65"], inw),
            "low_income": _weighted(part["low_income"], hh),
            "single_person": _share(part["one_person"], hh),
        })
    for fid in ("address_density", "share_0_24", "share_65_plus", "low_income", "single_person"):
        out[fid] = [r[fid] for r in rows]
    out.insert(0, "region", [_name(k) for k in keys])
    out.attrs["factors"] = [
        {"id": f.id, "label": f.label, "how": f.how, "year": year,
         "table": POPULATION_TABLE if f.table == "population" else table_id,
         "measure": POPULATION_MEASURE if f.table == "population" else f.label}
        for f in FACTORS
    ]
    pop_prov = pop.attrs.get("source") or {}
    out.attrs["source"] = {**{k: v for k, v in prov.items() if k not in ("real_cells", "real_values")},
                           "tables": [POPULATION_TABLE, table_id],
                           "synthetic": bool(prov.get("synthetic") or pop_prov.get("synthetic"))}
    return out


def _share(part: pd.Series, whole: pd.Series) -> float:
    """100 × sum(part) / sum(whole); unknown if any gemeente is unknown."""
    if part.isna().any() or whole.isna().any() or whole.sum() <= 0:
        return math.nan
    return float(part.sum() / whole.sum() * 100)


def _weighted(values: pd.Series, weights: pd.Series) -> float:
    if values.isna().any() or weights.isna().any() or weights.sum() <= 0:
        return math.nan
    return float((values * weights).sum() / weights.sum())


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
    names, unknown = factors["region"], raw.isna().all(axis=1)  # each column taken once, not once per region
    out["region"] = [names.get(c, _name(c)) for c in chosen]
    out["distance"] = [float(distance[c]) if c in distance.index and not unknown[c] else math.nan for c in chosen]
    for f in ids:
        column = factors[f]
        out[f] = [column.get(c, math.nan) for c in chosen]
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
            f"Vergelijkbare regio's worden gekozen uit de Veilig Thuis-regio's; {reg.name} is een "
            f"{reg.level_label}. Geef zelf regio's op met --peers."
        )
    year = _regions.year_of(parse_period(period).year if period is not None else None)
    pool = [r.key for r in _regions.regions_at("vt", year)]
    extra = [r.key for r in (chosen or []) if _regions.exists(r.key, year)] + [reg.key]
    keys = list(dict.fromkeys(pool + extra))
    given = [r.key for r in chosen] if chosen else None
    return remembered(
        ("peers", reg.key, k, year, tuple(given or ()), given is None, source_key(get_source(source))),
        lambda: nearest(context_factors(keys, year, source=source), reg.key, k, peers=given, pool=pool),
    )
