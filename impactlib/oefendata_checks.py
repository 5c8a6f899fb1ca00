"""Plausibility measures of the oefendata snapshot (shared by ``scripts/generate_oefendata.py``,
which prints them, and ``tests/test_oefendata_plausibility.py``, which asserts them).

- :func:`largest_spike`: the largest one-period spike over all Veilig Thuis-regio half-year
  series of the given share indicators (a value above or below both neighbours, by the smaller
  of the two gaps), computed through :func:`impactlib.query.indicator_values`.
- :func:`identical_population_pairs`: pairs of VT-regio's with the same population in a year
  (through :func:`impactlib.query.region_totals`: a VT-regio is the sum of its gemeenten).
- :func:`identical_context_pairs`: pairs of VT-regio's with the same context value (Kerncijfers
  wijken en buurten, gemeenten summed or weighted by inhabitants) in a year.
- :func:`largest_sum_deviation`: the largest difference between a published total and the sum of
  its published parts (gemeenten → VT-regio / provincie, VT-regio's → Nederland, landsdelen and
  provincies → Nederland, categories of a partition → their total), in units of what CBS rounding
  allows (every cell is rounded to 5 on its own: |total − Σ parts| ≤ 2.5 × (parts + 1)).

Everything is read from a snapshot source (default: the bundled oefendata).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from . import regions as _regions
from .query import indicator_values, region_totals
from .sources import SnapshotSource

__all__ = [
    "SPIKE_INDICATORS",
    "Spike",
    "largest_spike",
    "identical_population_pairs",
    "identical_context_pairs",
    "largest_sum_deviation",
    "summary",
]

SPIKE_INDICATORS = ("melders_politie_pct", "adviesvragers_burger_pct", "meldingen_acuut_structureel_pct", "melders_burger_pct")
KWB = {2021: "85039NED", 2022: "85318NED", 2023: "85618NED", 2024: "85984NED"}
_COUNTS = ("AantalInwoners_5", "k_0Tot15Jaar_8", "k_15Tot25Jaar_9", "k_65JaarOfOuder_12", "HuishoudensTotaal_28",
           "Eenpersoonshuishoudens_29", "HuishoudensMetKinderen_31")


@dataclass(frozen=True)
class Spike:
    size: float  # percentage points
    indicator: str
    region_key: str
    period: str

    def __str__(self) -> str:
        return f"{self.size:.1f} procentpunt ({self.indicator}, {self.region_key}, {self.period})"


def series_spikes(values: list[float]) -> list[tuple[int, float]]:
    """(index, size) of every one-period spike in a series (NaN breaks the series)."""
    out = []
    for i in range(1, len(values) - 1):
        a, x, b = values[i - 1], values[i], values[i + 1]
        if any(np.isnan(v) for v in (a, x, b)):
            continue
        if (x > a and x > b) or (x < a and x < b):
            out.append((i, min(abs(x - a), abs(x - b))))
    return out


def largest_spike(indicators=SPIKE_INDICATORS, *, source: str | None = None) -> Spike:
    best = Spike(0.0, "", "", "")
    for ind in indicators:
        frame = indicator_values(ind, "vt", None, source=source)
        for key, part in frame.groupby("region_key", sort=True):
            part = part.sort_values("period")
            vals = part["value"].astype(float).tolist()
            for i, size in series_spikes(vals):
                if size > best.size:
                    best = Spike(float(size), ind, str(key), str(part["period"].iloc[i]))
    return best


def _pairs(values: dict[str, float]) -> list[tuple[str, str]]:
    return [(a, b) for a, b in combinations(sorted(values), 2)
            if not np.isnan(values[a]) and values[a] == values[b]]


def identical_population_pairs(years=range(2019, 2026), *, source: str | None = None) -> list[tuple[int, str, str]]:
    """(year, VT, VT) for every pair of VT-regio's with the same population on 1 January."""
    out = []
    for year in years:
        keys = [r.key for r in _regions.regions_at("vt", f"{year}JJ00")]
        tot = region_totals("03759ned", "Bevolking op 1 januari", keys, [f"{year}JJ00"], source=source)
        vals = dict(zip(tot["region_key"], tot["value"].astype(float)))
        out += [(year, a, b) for a, b in _pairs(vals)]
    return out


def vt_context(year: int, location: str | None = None) -> pd.DataFrame:
    """Context values per VT-regio of ``year``: counts summed over its gemeenten, densities and
    shares weighted by inhabitants (index VT key, one column per measure key)."""
    bundle = SnapshotSource(location).table(KWB[year])
    data = bundle.data.assign(key=bundle.data[bundle.geo_dimension()].str.strip()).set_index("key")
    rows = {}
    for vt in _regions.regions_at("vt", f"{year}JJ00"):
        members = [g.key for g in _regions.members(vt, f"{year}JJ00")]
        part = data.reindex(members)
        w = part["AantalInwoners_5"].astype(float)
        row = {}
        for m in data.columns:
            if m in ("ID", bundle.geo_dimension()):
                continue
            vals = part[m].astype(float)
            row[m] = float(vals.sum(min_count=len(vals))) if m in _COUNTS else float(np.average(vals, weights=w)) if vals.notna().all() else np.nan
        rows[vt.key] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def identical_context_pairs(years=KWB, *, location: str | None = None) -> list[tuple[int, str, str, str]]:
    """(year, measure, VT, VT) for every pair of VT-regio's with the same context value."""
    out = []
    for year in years:
        frame = vt_context(year, location)
        for m in frame.columns:
            out += [(year, m, a, b) for a, b in _pairs(frame[m].to_dict())]
    return out


def _deviation(total: float, parts: list[float]) -> float | None:
    """|total − Σ parts| in units of the rounding allowance 2.5 × (parts + 1); None if unknown."""
    if np.isnan(total) or any(np.isnan(p) for p in parts) or not parts:
        return None
    return abs(total - sum(parts)) / (2.5 * (len(parts) + 1))


@dataclass(frozen=True)
class Deviation:
    ratio: float  # |total − Σ parts| / allowance; ≤ 1 is within CBS rounding
    absolute: float
    what: str

    def __str__(self) -> str:
        return f"{self.absolute:.0f} ({self.ratio:.2f} x de afrondingsruimte; {self.what})"


def largest_sum_deviation(location: str | None = None) -> Deviation:
    src = SnapshotSource(location)
    worst = Deviation(0.0, 0.0, "")

    def consider(total, parts, what):
        nonlocal worst
        r = _deviation(total, parts)
        if r is not None and r > worst.ratio:
            worst = Deviation(r, abs(total - sum(parts)), what)

    # regions: 84847NED, both measures, every period
    b = src.table("84847NED")
    d = b.data.assign(region=b.data["RegioS"].str.strip(), period=b.data["Perioden"].str.strip())
    for period, part in d.groupby("period"):
        year = int(period[:4])
        idx = part.set_index("region")
        for m in ("GestarteAdviezen_1", "OntvangenMeldingen_2"):
            v = idx[m].astype(float)
            nl = float(v.get("NL01", np.nan))
            for level in ("vt", "provincie", "landsdeel"):
                keys = [r.key for r in _regions.regions_at(level, f"{year}JJ00")]
                consider(nl, [float(v.get(k, np.nan)) for k in keys], f"84847NED {m} {period}: {level} → Nederland")
            for level in ("vt", "provincie"):
                for reg in _regions.regions_at(level, f"{year}JJ00"):
                    gm = [float(v.get(g.key, np.nan)) for g in _regions.members(reg, f"{year}JJ00")]
                    consider(float(v.get(reg.key, np.nan)), gm, f"84847NED {m} {period}: gemeenten → {reg.key}")
    # categories of a partition: 84852NED taxatie, 84849NED rol/functie, 85361NED eerdere betrokkenheid
    b = src.table("84852NED")
    d = b.data[b.data["Veiligheidsbeoordeling"].str.strip().eq("T001101")]
    wide = d.pivot_table(index=["RegioS", "Perioden"], columns="Veiligheidstaxatie", values="OntvangenMeldingen_1", dropna=False)
    parts = [c for c in wide.columns if c != "T001100"]
    for (reg, per), row in wide.iterrows():
        consider(float(row["T001100"]), [float(row[c]) for c in parts], f"84852NED {reg.strip()} {per}: taxatie → Totaal")
    b = src.table("84849NED")
    d = b.data[b.data["KenmerkenAdviezenMeldingen"].str.strip().isin(["T001073", "A047650", "A047651", "A047663"])]
    for m in ("GestarteAdviezen_1", "OntvangenMeldingen_2"):
        wide = d.pivot_table(index=["RegioS", "Perioden"], columns="KenmerkenAdviezenMeldingen", values=m, dropna=False)
        for (reg, per), row in wide.iterrows():
            consider(float(row["T001073"]), [float(row[c]) for c in ("A047650", "A047651", "A047663")],
                     f"84849NED {m} {reg.strip()} {per}: rol/functie → Totaal")
    b = src.table("85361NED")
    for _, row in b.data.iterrows():
        consider(float(row["OntvangenMeldingenTotaal_1"]),
                 [float(row[c]) for c in ("k_1eMeldingGeenBetrokkenenBekendVT_2", "Totaal_3", "Totaal_6", "MeldingNietIngedeeld_10")],
                 f"85361NED {row['RegioS'].strip()} {row['Perioden']}: soorten melding → totaal")
    return worst


def summary(*, source: str | None = None, location: str | None = None) -> dict:
    """All measures at once (what ``make oefendata`` prints)."""
    return {
        "largest_spike": largest_spike(source=source),
        "identical_population_pairs": identical_population_pairs(source=source),
        "identical_context_pairs": identical_context_pairs(location=location),
        "largest_sum_deviation": largest_sum_deviation(location),
    }
