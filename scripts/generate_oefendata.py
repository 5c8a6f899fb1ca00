#!/usr/bin/env python3
"""Generate the bundled practice snapshot ("oefendata") in impactlib/data/snapshot/.

Deterministic: the same code gives byte-identical tables (fixed seed, no clock), except
``manifest.json``'s ``created`` which is a fixed string too.

What is real and what is synthetic (also written into the manifest):
- real: the published example figures (impactlib/data/seed_figures.yaml, reproduced exactly
  at one decimal), the national figures in impactlib/data/real_figures.yaml (adviezen and
  meldingen per half year 2019-2022, adviesvragers by organisation, 2020/2023 totals,
  Drenthe's 2020/2023 figures) and the national population;
- synthetic: everything else (other regions, other periods, categories, gemeenten, context
  factors), drawn around plausible magnitudes so exercises behave like the real monitor.

CBS rules the snapshot follows: counts are multiples of 5; Nederland, landsdelen and
provincies are sums of Veilig Thuis-regio's; categories of a partition add up to the total;
at gemeente level small cells (5) are suppressed ('.'); the latest periods are provisional.

Usage: python scripts/generate_oefendata.py [--out DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from impactlib import regions as R  # noqa: E402
from impactlib.catalogue import catalogue, table_specs  # noqa: E402
from impactlib.periods import half_years  # noqa: E402

SEED = 20220705
GENERATOR_VERSION = 1
HALVES = [p.key for p in half_years("2019HJ01", "2025HJ01")]
YEARS = list(range(2019, 2025))  # complete years with a yearly total
PROVISIONAL = {"2024HJ02": "*", "2025HJ01": "*", "2024JJ00": "*"}
DATA = ROOT / "impactlib" / "data"
REAL = yaml.safe_load((DATA / "real_figures.yaml").read_text(encoding="utf-8"))
SEEDS = yaml.safe_load((DATA / "seed_figures.yaml").read_text(encoding="utf-8"))
U = 5  # CBS rounding unit

rng = np.random.default_rng(SEED)
VT = [r.key for r in R.regions_at("vt")]
NV = len(VT)
IDX = {k: i for i, k in enumerate(VT)}
ZW, DR = "VT11", "VT03"
T2021 = HALVES.index("2021HJ01")


def r1(x: float) -> float:
    return float(Decimal(repr(float(x))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def pct_ok(num: int, den: int, target: float, factor: float = 100.0) -> bool:
    return den > 0 and r1(num / den * factor) == target


# ---------------------------------------------------------------- rounding machinery
def round_partition(total_units: int, weights, fixed: dict[int, int] | None = None) -> np.ndarray:
    """Split ``total_units`` over weights by largest remainder; ``fixed`` cells keep their value."""
    w = np.asarray(weights, dtype=float).clip(min=0)
    out = np.zeros(len(w), dtype=int)
    fixed = fixed or {}
    for i, v in fixed.items():
        out[i] = v
    free = [i for i in range(len(w)) if i not in fixed]
    rest = total_units - sum(fixed.values())
    if rest < 0:
        raise ValueError("fixed cells exceed the total")
    if not free:
        assert rest == 0
        return out
    ww = w[free]
    ww = ww / ww.sum() if ww.sum() > 0 else np.full(len(free), 1 / len(free))
    exact = ww * rest
    base = np.floor(exact).astype(int)
    order = np.argsort(-(exact - base), kind="stable")
    base[order[: rest - base.sum()]] += 1
    out[free] = base
    return out


def controlled(expected: np.ndarray, row_totals, col_totals=None, fixed=None) -> np.ndarray:
    """Integer matrix with exact row sums and, where given (not NaN), exact column sums.

    ``expected`` gives the shape of the answer; ``fixed`` is {(r, c): value} kept as is.
    """
    exp = np.asarray(expected, dtype=float).copy()
    rows = np.asarray(row_totals, dtype=int)
    nr, nc = exp.shape
    fixed = fixed or {}
    free = np.ones_like(exp, dtype=bool)
    for (r, c), v in fixed.items():
        free[r, c] = False
    cols = None if col_totals is None else np.asarray(col_totals, dtype=float)
    # iterative proportional fitting on the free cells
    for _ in range(50):
        for r in range(nr):
            target = rows[r] - sum(v for (rr, _c), v in fixed.items() if rr == r)
            s = exp[r, free[r]].sum()
            if s > 0:
                exp[r, free[r]] *= target / s
        if cols is None:
            break
        for c in range(nc):
            if np.isnan(cols[c]):
                continue
            target = cols[c] - sum(v for (_r, cc), v in fixed.items() if cc == c)
            s = exp[free[:, c], c].sum()
            if s > 0:
                exp[free[:, c], c] *= target / s
    out = np.zeros((nr, nc), dtype=int)
    for r in range(nr):
        fx = {c: v for (rr, c), v in fixed.items() if rr == r}
        out[r] = round_partition(rows[r], np.where(free[r], exp[r], 0) + 1e-12 * free[r], fx)
    if cols is None:
        return out
    constrained = ~np.isnan(cols)
    for _ in range(100000):
        diff = np.where(constrained, np.nan_to_num(cols) - out.sum(axis=0), 0).astype(int)
        if not diff.any():
            break
        a = int(np.argmax(diff)) if diff.max() > 0 else None
        if a is not None:  # column a needs a unit: take from a surplus or unconstrained column
            donors = [c for c in range(nc) if c != a and (diff[c] < 0 or not constrained[c])]
            if diff.min() < 0:
                donors = [c for c in donors if diff[c] < 0] or donors
            recv = a
        else:
            recv_cands = [c for c in range(nc) if not constrained[c]]
            donors = [int(np.argmin(diff))]
            recv = None
        best = None
        for r in range(nr):
            for b in donors:
                targets = [recv] if recv is not None else recv_cands
                for t in targets:
                    if not (free[r, b] and free[r, t]) or out[r, b] <= 0:
                        continue
                    score = (exp[r, t] - out[r, t]) - (exp[r, b] - out[r, b])
                    if best is None or score > best[0]:
                        best = (score, r, b, t)
        if best is None:
            raise RuntimeError("controlled rounding cannot meet the column totals")
        _, r, b, t = best
        out[r, b] -= 1
        out[r, t] += 1
    return out


def lognoise(shape, sigma) -> np.ndarray:
    return np.exp(rng.normal(0.0, sigma, shape))


# ---------------------------------------------------------------- populations
VT_POP_2021 = {
    "VT01": 586_000, "VT02": 651_000, "VT04": 532_000, "VT05": 628_000, "VT06": 830_000,
    "VT07": 690_000, "VT08": 550_000, "VT09": 1_370_000, "VT10": 670_000, "VT12": 550_000,
    "VT13": 1_060_000, "VT14": 255_000, "VT15": 1_120_000, "VT16": 820_000, "VT17": 1_300_000,
    "VT18": 480_000, "VT19": 385_000, "VT20": 640_000, "VT21": 470_000, "VT22": 660_000,
    "VT23": 780_000, "VT24": 515_000, "VT25": 600_000, "VT26": 425_000,
}
GM_POP_2021 = {  # approximate 2021 inhabitants (synthetic split, Purmerend incl. Beemster)
    "GM0479": 156_900, "GM0439": 92_000, "GM0385": 36_100, "GM0852": 17_200, "GM0415": 11_500,
    "GM0431": 9_800, "GM0880": 16_500,
    "GM1680": 25_500, "GM0106": 68_600, "GM1681": 25_600, "GM0109": 35_300, "GM1690": 24_300,
    "GM0114": 107_000, "GM0118": 55_600, "GM0119": 34_500, "GM1731": 33_500, "GM1699": 32_600,
    "GM1730": 34_000, "GM1701": 19_700,
}
GEMEENTEN = {vt: [r.key for r in R.all_regions() if r.level == "gemeente" and r.vt_regio == vt] for vt in (ZW, DR)}

# context factors per VT-regio: density, % 0-25, % 65+, % low income households, % one-parent
CONTEXT = {
    "VT01": (1000, 28, 21, 11.5, 7.0), "VT02": (700, 27, 22, 8.5, 6.0), "VT03": (600, 25, 25, 8.0, 6.0),
    "VT04": (900, 30, 20, 6.5, 5.5), "VT05": (1150, 28, 21, 8.0, 6.5), "VT06": (850, 27, 22, 6.5, 5.5),
    "VT07": (1300, 29, 19, 8.5, 6.5), "VT08": (1200, 29, 19, 8.0, 6.5), "VT09": (1900, 31, 16, 7.5, 6.5),
    "VT10": (950, 27, 22, 7.0, 6.0), "VT11": (1400, 28, 19, 7.5, 7.0), "VT12": (2000, 28, 19, 6.5, 6.5),
    "VT13": (4500, 28, 14, 13.0, 8.5), "VT14": (1500, 28, 22, 6.5, 6.5), "VT15": (3500, 29, 16, 12.0, 8.5),
    "VT16": (1700, 29, 19, 7.0, 6.0), "VT17": (2700, 29, 18, 12.5, 9.0), "VT18": (1300, 28, 20, 7.5, 6.5),
    "VT19": (650, 26, 24, 7.5, 6.0), "VT20": (1050, 27, 21, 7.5, 6.5), "VT21": (1300, 29, 19, 8.0, 6.5),
    "VT22": (950, 28, 19, 6.0, 5.5), "VT23": (1300, 28, 20, 7.5, 6.0), "VT24": (900, 26, 23, 7.0, 6.0),
    "VT25": (1500, 25, 25, 9.5, 7.5), "VT26": (800, 32, 14, 8.5, 8.0),
}


# ---------------------------------------------------------------- targets for the seeds
def seed(indicator, region, category=None) -> float:
    for f in SEEDS["figures"]:
        if f["indicator"] == indicator and f["region"] == region and f.get("category") == category:
            return float(f["value"])
    raise KeyError((indicator, region, category))


def _first_count(total: int, target: float) -> int | None:
    return next((k for k in range(0, total + 1, U) if pct_ok(k, total, target)), None)


def solve_zw(expected_m: float):
    """Zaanstreek-Waterland 2021HJ01: meldingen in 84849NED (M, duur seeds) and in
    84852NED (M2, the acuut/structureel seed). CBS rounds each table on its own, so the two
    totals may differ by a few; we keep them within 10."""
    t_as = seed("meldingen_acuut_structureel_pct", "Zaanstreek-Waterland")
    t_w = seed("duur_geweld_meldingen_pct", "Zaanstreek-Waterland", "niet langer dan 1 week")
    t_5 = seed("duur_geweld_meldingen_pct", "Zaanstreek-Waterland", "langer dan 5 jaar")
    best = None
    for m in range(800, 1800, U):
        w1, w5 = _first_count(m, t_w), _first_count(m, t_5)
        if w1 is None or w5 is None:
            continue
        for m2 in sorted(range(m - 10, m + 11, U), key=lambda x: abs(x - m)):
            a = _first_count(m2, t_as)
            if a is not None:
                if best is None or abs(m - expected_m) < abs(best[0] - expected_m):
                    best = (m, w1, w5, m2, a)
                break
    return dict(zip(("M", "w1", "w5", "M2", "as"), best))


def solve_dr(expected_pop: int, exp_a: float, exp_m: float):
    """Drenthe 2021HJ01: population, adviezen and meldingen (84849NED) and meldingen in
    84852NED (M2) that give every Drenthe seed."""
    m_targets = [seed("melders_politie_pct", "Drenthe"), seed("melders_burger_pct", "Drenthe")]
    a_targets = [seed("adviesvragers_burger_pct", "Drenthe"), seed("adviesvragers_beroepsmatig_overig_pct", "Drenthe")]
    t_as = seed("meldingen_acuut_structureel_pct", "Drenthe")

    def counts(total, targets):
        out = [_first_count(total, t) for t in targets]
        return None if None in out else out

    ms = [(m, c) for m in range(700, 1800, U) if (c := counts(m, m_targets))]
    as_ = [(a, c) for a in range(1000, 2200, U) if (c := counts(a, a_targets))]
    t_a, t_m = seed("adviezen_per_10k", "Drenthe"), seed("meldingen_per_10k", "Drenthe")
    best = None
    for m, mc in ms:
        for a, ac in as_:
            lo = max(math.floor(a * 1e4 / (t_a + 0.05)), math.floor(m * 1e4 / (t_m + 0.05)))
            hi = min(math.ceil(a * 1e4 / (t_a - 0.05)), math.ceil(m * 1e4 / (t_m - 0.05)))
            for p in range(max(lo, expected_pop - 40000), min(hi, expected_pop + 40000) + 1):
                if pct_ok(a, p, t_a, 1e4) and pct_ok(m, p, t_m, 1e4):
                    score = abs(p - expected_pop) / 1e3 + abs(a - exp_a) / 10 + abs(m - exp_m) / 10
                    if best is None or score < best[0]:
                        best = (score, p, a, ac, m, mc)
                    break
    if best is None:
        raise RuntimeError("no Drenthe solution")
    _, p, a, ac, m, mc = best
    m2 = next(x for x in sorted(range(m - 10, m + 11, U), key=lambda x: abs(x - m)) if _first_count(x, t_as) is not None)
    return {"pop": p, "A": a, "a_counts": ac, "M": m, "m_counts": mc, "M2": m2, "as": _first_count(m2, t_as)}


def split_year(total: int, weight_first: float) -> tuple[int, int]:
    first = int(round(total * weight_first / U)) * U
    return first, total - first


# ---------------------------------------------------------------- the generator
class Generator:
    def __init__(self):
        self.cells: dict[str, list[dict]] = {}  # table -> records (VT and gemeente level)
        self.real_parts: list[str] = []

    # -- population ---------------------------------------------------------------
    def population(self):
        nl = {int(k): v for k, v in REAL["population_nl"]["values"].items()}
        trend = {k: rng.normal(0.0, 0.003) for k in VT}
        gm_total = {vt: sum(GM_POP_2021[g] for g in GEMEENTEN[vt]) for vt in GEMEENTEN}
        # Drenthe's 2021 population is solved together with its seed figures
        exp_dr = sum(GM_POP_2021[g] for g in GEMEENTEN[DR])
        nl21 = nl[2021]
        self.dr = solve_dr(exp_dr, seed("adviezen_per_10k", "Drenthe") * exp_dr / 1e4,
                           seed("meldingen_per_10k", "Drenthe") * exp_dr / 1e4)
        p_dr = self.dr["pop"]
        pop = {}
        for year in sorted(nl):
            growth = nl[year] / nl21
            vals = {}
            for vt in VT:
                base = gm_total[vt] if vt in gm_total else VT_POP_2021[vt]
                if vt == DR:
                    base = p_dr
                vals[vt] = base * growth * (1 + trend[vt] * (year - 2021))
            fixed = {DR: p_dr} if year == 2021 else {}
            free = [k for k in VT if k not in fixed]
            scale = (nl[year] - sum(fixed.values())) / sum(vals[k] for k in free)
            ints = {k: int(round(vals[k] * scale)) for k in free}
            ints.update(fixed)
            ints[free[0]] += nl[year] - sum(ints.values())
            pop[year] = ints
        self.pop = pop
        # gemeenten: proportional split of their VT-regio, exact sums
        self.gm_pop = {}
        for year in pop:
            for vt, gms in GEMEENTEN.items():
                w = np.array([GM_POP_2021[g] for g in gms], dtype=float)
                parts = np.floor(w / w.sum() * pop[year][vt]).astype(int)
                parts[0] += pop[year][vt] - parts.sum()
                for g, v in zip(gms, parts):
                    self.gm_pop[(g, year)] = int(v)
        self.real_parts.append("Bevolking Nederland op 1 januari (03759ned)")

    # -- totals per VT-regio: adviezen and meldingen ---------------------------------
    def totals(self):
        nat = REAL["national_halfyear"]
        nat_a = dict(nat["adviezen"])
        nat_m = dict(nat["meldingen"])
        synth_a = {"2022HJ02": 65_410, "2024HJ01": 72_480, "2024HJ02": 73_105, "2025HJ01": 74_020}
        synth_m = {"2022HJ02": 60_470, "2024HJ01": 64_215, "2024HJ02": 64_880, "2025HJ01": 65_350}
        ya, ym = REAL["national_year"]["adviezen"]["2023JJ00"], REAL["national_year"]["meldingen"]["2023JJ00"]
        nat_a.update(synth_a)
        nat_m.update(synth_m)
        nat_a["2023HJ01"], nat_a["2023HJ02"] = split_year(ya, 0.497)
        nat_m["2023HJ01"], nat_m["2023HJ02"] = split_year(ym, 0.496)
        self.nat_a, self.nat_m = nat_a, nat_m
        # persistent region effects on rates (Drenthe is solved; others not below 0.85 of NL)
        eff_a = {k: float(np.clip(lognoise(1, 0.11)[0], 0.86, 1.3)) for k in VT}
        eff_m = {k: float(np.clip(lognoise(1, 0.11)[0], 0.86, 1.3)) for k in VT}
        # Zaanstreek-Waterland solved for its seeds
        zw_pop = self.pop[2021][ZW]
        zw_exp = nat_m["2021HJ01"] / sum(self.pop[2021].values()) * zw_pop * eff_m[ZW]
        self.zw = solve_zw(zw_exp)
        dr_real = REAL["drenthe"]
        dr_m = {"2020HJ01": dr_real["meldingen"]["2020HJ01"], "2020HJ02": dr_real["meldingen"]["2020HJ02"],
                "2021HJ01": self.dr["M"]}
        dr_m["2023HJ01"], dr_m["2023HJ02"] = split_year(dr_real["meldingen"]["2023JJ00"], 0.5)
        dr_a = {"2021HJ01": self.dr["A"]}
        dr_a["2023HJ01"], dr_a["2023HJ02"] = split_year(dr_real["adviezen"]["2023JJ00"], 0.5)
        self.A, self.M = {}, {}
        for t, p in enumerate(HALVES):
            year = int(p[:4])
            popv = np.array([self.pop[year][k] for k in VT], dtype=float)
            for store, nat_tot, eff, fixed_src in ((self.A, nat_a, eff_a, dr_a), (self.M, nat_m, eff_m, dr_m)):
                w = popv * np.array([eff[k] for k in VT]) * lognoise(NV, 0.03)
                fixed = {}
                if p in fixed_src:
                    fixed[IDX[DR]] = fixed_src[p] // U
                else:  # keep Drenthe low, as the example says
                    dr_rate = 0.69 if store is self.M else 0.80
                    fixed[IDX[DR]] = int(round(nat_tot[p] / popv.sum() * popv[IDX[DR]] * dr_rate / U))
                if store is self.M and p == "2021HJ01":
                    fixed[IDX[ZW]] = self.zw["M"] // U
                store[p] = round_partition(nat_tot[p] // U, w, fixed) * U
        self.real_parts.append("Gestarte adviezen en ontvangen meldingen Nederland 2019HJ01-2022HJ01 en 2023 (totaal)")
        self.real_parts.append("Meldingen Drenthe 2020HJ01, 2020HJ02; adviezen en meldingen Drenthe 2023 (totaal)")

    # -- 84852NED: veiligheidsbeoordeling x taxatie ---------------------------------
    def veiligheid(self):
        nat_path = [41.0, 41.9, 43.1, 44.2, 42.8, 41.7, 41.0, 40.6, 40.2, 40.0, 39.7, 39.5, 39.2]
        own = {
            ZW: [53.2, 54.1, 55.9, 57.4, 55.6, 54.0, 53.1, 52.6, 52.2, 51.5, 51.0, 50.6, 50.2],
            DR: [21.8, 22.6, 24.1, 25.6, 23.9, 22.8, 22.0, 21.6, 21.1, 20.8, 20.5, 20.1, 19.8],
        }
        delta = {k: float(np.clip(rng.normal(0, 4.5), -11, 8)) for k in VT}
        delta["VT13"], delta["VT17"] = 14.0, 13.5  # two big cities above Zaanstreek-Waterland
        bcats = ["Acuut onveilig", "Structureel onveilig", "Acuut en structureel onveilig",
                 "Niet acuut of structureel onveilig", "Veiligheidsbeoordeling onbekend"]
        tcats = ["Overdracht aan lokaal veld of ketenpartner", "Voorwaarden en vervolg door Veilig Thuis",
                 "Onderzoek door Veilig Thuis", "Afgesloten zonder vervolgstap", "Vervolgstap onbekend"]
        cond = np.array([  # P(vervolgstap | beoordeling)
            [0.30, 0.30, 0.35, 0.03, 0.02], [0.42, 0.33, 0.20, 0.03, 0.02], [0.25, 0.30, 0.42, 0.01, 0.02],
            [0.50, 0.08, 0.05, 0.35, 0.02], [0.40, 0.10, 0.10, 0.20, 0.20],
        ])
        self.union, self.acuut, self.struct = {}, {}, {}
        recs = []
        for t, p in enumerate(HALVES):
            m_units = self.M[p] // U
            if p == "2021HJ01":  # 84852NED is rounded on its own: its totals may differ a little
                m_units = m_units.copy()
                diff = (self.zw["M2"] - self.zw["M"] + self.dr["M2"] - self.dr["M"]) // U
                m_units[IDX[ZW]], m_units[IDX[DR]] = self.zw["M2"] // U, self.dr["M2"] // U
                m_units[IDX["VT09"]] -= diff  # keeps Nederland at the published total
            shares = np.array([own[k][t] if k in own else nat_path[t] + delta[k] + rng.normal(0, 0.8) for k in VT])
            fixed = {IDX[DR]: None, IDX[ZW]: None}
            u = np.array([int(round(m_units[i] * shares[i] / 100)) for i in range(NV)])
            if p == "2021HJ01":
                u[IDX[ZW]] = self.zw["as"] // U
                u[IDX[DR]] = self.dr["as"] // U
                target = 26_055 // U  # 42,8 % of 60 880, the published national share
                assert pct_ok(target * U, self.nat_m[p], seed("meldingen_acuut_structureel_pct", "Nederland"))
                free = [i for i in np.argsort(-m_units) if i not in fixed]
                k = 0
                while u.sum() != target:
                    i = free[k % len(free)]
                    u[i] += 1 if u.sum() < target else -1
                    k += 1
            self.union[p] = u * U
            ac, st = np.zeros(NV, int), np.zeros(NV, int)
            for i, vt in enumerate(VT):
                inside = round_partition(int(u[i]), [0.065, 0.885, 0.05])  # acuut, structureel, beide
                outside = round_partition(int(m_units[i] - u[i]), [0.965, 0.035])
                b = np.concatenate([inside, outside])
                ac[i], st[i] = inside[0] + inside[2], inside[1] + inside[2]
                tw = cond.copy()
                if vt == DR:
                    tw[:, 0] *= 1.6  # Drenthe hands over to partners outside VT most
                for bi, bc in enumerate(bcats):
                    parts = round_partition(int(b[bi]), tw[bi] * lognoise(5, 0.05))
                    for ti, tc in enumerate(tcats):
                        recs.append({"region": vt, "period": p, "Veiligheidsbeoordeling": bc,
                                     "Veiligheidstaxatie": tc, "OntvangenMeldingen_1": int(parts[ti]) * U})
            self.acuut[p], self.struct[p] = ac * U, st * U
        self.cells["84852NED"] = recs
        self.vt_parts = {"84852NED": (["Veiligheidsbeoordeling", "Veiligheidstaxatie"], bcats, tcats)}

    # -- 84849NED: rol/functie, organisatie, duur geweld ------------------------------
    def kenmerken(self):
        groups = catalogue()["adviesvragers_type_pct"].categories
        gnames = list(groups)
        real = REAL["adviesvragers_organisatie_pct"]
        base_a = np.array([real["2021HJ01"][g] for g in gnames])
        base_m = np.array([0.4, 0.8, 1.6, 1.6, 0.3, 3.2, 3.0, 64.2, 2.4, 2.5, 9.0, 10.4, 0.6])
        base_ac = np.array([0.3, 0.4, 1.5, 1.2, 0.2, 2.0, 3.0, 72.0, 3.0, 1.5, 6.5, 8.0, 0.4])
        # region effects on the organisation mix, Drenthe: kinderopvang, huisarts and
        # maatschappelijk werk ask advice but report little
        eff = {k: lognoise(len(gnames), 0.15) for k in VT}
        def interp(p):
            order = ["2020HJ01", "2021HJ01", "2022HJ01"]
            known = {o: np.array([real[o][g] for g in gnames]) for o in order}
            if p in known:
                return known[p]
            if p < "2020HJ01":
                return known["2020HJ01"]
            if p < "2021HJ01":
                return (known["2020HJ01"] + known["2021HJ01"]) / 2
            if p < "2022HJ01":
                return (known["2021HJ01"] + known["2022HJ01"]) / 2
            return known["2022HJ01"]
        duur_w = {
            "GestarteAdviezen_1": np.array([36, 14, 16, 8, 12, 4, 10], float),
            "OntvangenMeldingen_2": np.array([48, 10, 11, 6, 9, 3, 13], float),
            "MeldingenAcuutOnveilig_3": np.array([55, 10, 9, 5, 7, 2, 12], float),
            "MeldingenStructureelOnveilig_4": np.array([30, 12, 17, 11, 15, 5, 10], float),
        }
        duur_cats = list(catalogue()["duur_geweld_meldingen_pct"].categories)
        recs = []
        dr_a, dr_m = self.dr["a_counts"], self.dr["m_counts"]
        yj = REAL["national_year"]
        jv_nat = split_year(yj["meldingen_justitie_en_veiligheid"]["2023JJ00"], 0.5)
        nb_nat = split_year(yj["adviezen_niet_beroepsmatig"]["2023JJ00"], 0.5)
        dj = REAL["drenthe"]
        jv_dr = split_year(dj["meldingen_justitie_en_veiligheid"]["2023JJ00"], 0.5)
        nb_dr = split_year(dj["adviezen_niet_beroepsmatig"]["2023JJ00"], 0.5)
        gi = {g: i for i, g in enumerate(gnames)}
        for p in HALVES:
            h = int(p[-1]) - 1
            for measure, totals in (("GestarteAdviezen_1", self.A[p]), ("OntvangenMeldingen_2", self.M[p]),
                                    ("MeldingenAcuutOnveilig_3", self.acuut[p]),
                                    ("MeldingenStructureelOnveilig_4", self.struct[p])):
                if measure == "GestarteAdviezen_1":
                    base = interp(p)
                elif measure == "MeldingenAcuutOnveilig_3":
                    base = base_ac
                else:
                    base = base_m
                exp = np.array([base * eff[k] for k in VT])
                if measure != "GestarteAdviezen_1":
                    exp[IDX[DR]][[gi["Kinderopvang"], gi["Huisarts"], gi["Maatschappelijk werk"]]] *= 0.4
                    exp[IDX[DR]][gi["Politie"]] *= 1.2 if measure != "OntvangenMeldingen_2" else 1.0
                else:
                    exp[IDX[DR]][[gi["Kinderopvang"], gi["Huisarts"], gi["Maatschappelijk werk"]]] *= 1.5
                exp = exp * (totals[:, None] / exp.sum(axis=1, keepdims=True))
                cols = np.full(len(gnames), np.nan)
                fixed = {}
                nat_total = int(totals.sum())
                if measure == "GestarteAdviezen_1" and p in real:
                    cols = self._national_partition(nat_total, np.array([real[p][g] for g in gnames]))
                if measure == "OntvangenMeldingen_2" and p == "2021HJ01":
                    cols[gi["Politie"]] = 39_085 // U
                    cols[gi["Burger"]] = int(round(nat_total * 0.094 / U))
                    fixed[(IDX[DR], gi["Politie"])] = dr_m[0] // U
                    fixed[(IDX[DR], gi["Burger"])] = dr_m[1] // U
                if measure == "GestarteAdviezen_1" and p == "2021HJ01":
                    fixed[(IDX[DR], gi["Burger"])] = dr_a[0] // U
                    fixed[(IDX[DR], gi["Beroepsmatig overig"])] = dr_a[1] // U
                if p.startswith("2023"):
                    if measure == "OntvangenMeldingen_2":
                        # politie + J&V excl. politie together make the published J&V total
                        jv_excl = int(round(nat_total * 0.024 / U))
                        cols[gi["Politie"]] = jv_nat[h] // U - jv_excl
                        cols[gi["Justitie en veiligheid, exclusief politie"]] = jv_excl
                        fixed[(IDX[DR], gi["Justitie en veiligheid, exclusief politie"])] = 3
                        fixed[(IDX[DR], gi["Politie"])] = jv_dr[h] // U - 3
                    if measure == "GestarteAdviezen_1":
                        cols[gi["Burger"]] = nb_nat[h] // U
                        fixed[(IDX[DR], gi["Burger"])] = nb_dr[h] // U
                mat = controlled(exp / U, totals // U, cols, fixed) * U
                dmat = self._duur(measure, p, totals, duur_w[measure])
                for i, vt in enumerate(VT):
                    recs.extend(self._kenmerk_records(vt, p, measure, dict(zip(gnames, mat[i])),
                                                      dict(zip(duur_cats, dmat[i])), int(totals[i])))
        self.cells["84849NED"] = recs
        self.real_parts.append("Adviesvragers naar organisatie, Nederland 2020HJ01, 2021HJ01, 2022HJ01")
        self.real_parts.append("Nederland 2023: meldingen door justitie en veiligheid, adviezen van burgers; idem Drenthe")

    def _national_partition(self, total: int, pct: np.ndarray) -> np.ndarray:
        """Group counts (units of 5) that add up to ``total`` and each round to ``pct``."""
        units = np.array([int(round(total * q / 100 / U)) for q in pct])
        lo = np.array([math.ceil((q - 0.05) / 100 * total / U) for q in pct])
        hi = np.array([math.floor((q + 0.0499) / 100 * total / U) for q in pct])
        units = units.clip(lo, hi)
        k = 0
        while units.sum() != total // U:
            i = k % len(units)
            step = 1 if units.sum() < total // U else -1
            if lo[i] <= units[i] + step <= hi[i]:
                units[i] += step
            k += 1
            if k > 10000:
                raise RuntimeError("cannot meet published shares")
        for u, q in zip(units, pct):
            assert pct_ok(int(u) * U, total, float(q)), (u, q)
        return units.astype(float)

    def _duur(self, measure, p, totals, weights) -> np.ndarray:
        out = np.zeros((NV, len(weights)), dtype=int)
        for i, vt in enumerate(VT):
            fixed = {}
            w = weights * lognoise(len(weights), 0.08)
            if vt == ZW and p == "2021HJ01" and measure == "OntvangenMeldingen_2":
                fixed = {0: self.zw["w1"] // U, 5: self.zw["w5"] // U}
            out[i] = round_partition(int(totals[i]) // U, w, fixed) * U
        return out

    def _kenmerk_records(self, vt, p, measure, groups: dict, duur: dict, total: int) -> list[dict]:
        cat = catalogue()["adviesvragers_type_pct"].categories
        values = {"Totaal": total}
        for g, v in groups.items():
            titles = cat[g]
            parts = round_partition(int(v) // U, lognoise(len(titles), 0.2)) * U if len(titles) > 1 else [v]
            for t, pv in zip(titles, parts):
                values[t] = int(pv)
        values["Niet van toepassing"] = values["Niet beroepsmatig totaal"]
        values["Gezondheidszorg: totaal"] = sum(values[f"Gezondheidszorg: {x}"] for x in ("preventieve basisvoorzieningen", "huisarts", "overig"))
        values["Bureau Leerplicht"] = int(round_partition(values["Onderwijs: totaal"] // U, [0.15, 0.85])[0]) * U
        values["Justitie en veiligheid: totaal"] = sum(values[f"J en V: {x}"] for x in ("politie: totaal", "openbaar ministerie", "reclassering", "anders"))
        # rol/functie: derived from the organisation of the asker
        values["Rol/functie onbekend"] = values["Onbekend"]
        prof = total - values["Niet beroepsmatig totaal"] - values["Rol/functie onbekend"]
        values["Beroepsmatig totaal"] = prof
        rol = ["Beroep: onderwijs: totaal", "Beroep: kinderopvang: totaal", "Beroep: medisch totaal",
               "Beroep: psychologen e.a.: totaal", "Beroep: paramedisch: totaal", "Beroep: justitie: totaal", "Beroepsmatig: anders"]
        w = [values["Onderwijs: totaal"], values["Kinderopvang"], values["Gezondheidszorg: totaal"] * 0.8,
             values["Geestelijke gezondheidszorg: totaal"], values["Gezondheidszorg: totaal"] * 0.2 + 1,
             values["Justitie en veiligheid: totaal"], values["Jeugdzorg: totaal"] + values["Maatschappelijk werk: totaal"] + 1]
        for t, v in zip(rol, round_partition(prof // U, np.array(w, float) + 0.01)):
            values[t] = int(v) * U
        for parent, kids, ws in (("Beroep: medisch totaal", ["Beroep: medisch: verpleegkundige"], [0.3, 0.7]),
                                 ("Beroep: justitie: totaal", ["Beroep: justitie: politieagent", "Beroep: justitie: officier van justitie", "Beroep: justitie: anders"], [0.86, 0.04, 0.10])):
            parts = round_partition(values[parent] // U, ws)
            for t, v in zip(kids, parts):
                values[t] = int(v) * U
        for label, v in duur.items():
            values[catalogue()["duur_geweld_meldingen_pct"].categories[label][0]] = int(v)
        return [{"region": vt, "period": p, "Kenmerken": t, measure: v} for t, v in values.items()]

    # -- 84851NED: aard van het geweld ----------------------------------------------
    def aard(self):
        aard_w = {"GestarteAdviezen_1": [38, 3, 24, 2.5, 7, 14, 8, 3.5], "OntvangenMeldingen_2": [42, 4, 35, 2, 6, 5, 3, 3]}
        aard_cats = [t[0] for t in catalogue()["aard_geweld_meldingen_pct"].categories.values()]
        aanv = ["Mensenhandel", "Eergerelateerd geweld", "Geen aanvullende informatie"]
        aanv_w = [0.004, 0.006, 0.99]
        eff = {k: lognoise(len(aard_cats), 0.1) for k in VT}
        recs = []
        for p in HALVES:
            for i, vt in enumerate(VT):
                m = int(self.M[p][i])
                totals = {"GestarteAdviezen_1": int(self.A[p][i]), "OntvangenMeldingen_2": m,
                          "CasussenMetOntvangenMeldingEn_3": int(round(m * 0.93 / U)) * U,
                          "AfgerondeDienstenOnderzoek_4": int(round(m * 0.24 / U)) * U,
                          "AfgerondeDienstenVoorwaardenEnVervolg_5": int(round(m * 0.19 / U)) * U}
                for measure, tot in totals.items():
                    w = np.array(aard_w.get(measure, aard_w["OntvangenMeldingen_2"]), float) * eff[vt]
                    for ai, a in enumerate(aanv):
                        n = round_partition(tot // U, aanv_w)[ai]
                        parts = round_partition(int(n), w)
                        for ci, c in enumerate(aard_cats):
                            recs.append({"region": vt, "period": p, "AanvullendeInformatie": a,
                                         "AardVanHetGeweld": c, measure: int(parts[ci]) * U})
        self.cells["84851NED"] = recs

    # -- 84855NED: overdracht ---------------------------------------------------------
    def overdracht(self):
        orgs = ["Geen overdracht", "Lokaal team of wijkteam", "Reguliere hulpverlening", "Politie",
                "Openbaar Ministerie", "Raad voor de Kinderbescherming", "Gecertificeerde instelling",
                "Vrouwenopvang", "Andere organisatie"]
        share_all = np.array([0.34, 0.30, 0.22, 0.045, 0.012, 0.018, 0.03, 0.015, 0.04])
        share_as = np.array([0.15, 0.36, 0.30, 0.07, 0.02, 0.035, 0.06, 0.03, 0.05])
        eff = {k: lognoise(len(orgs), 0.2) for k in VT}
        recs = []
        for p in HALVES:
            for i, vt in enumerate(VT):
                closed = int(round(self.M[p][i] * 0.62 / U)) * U
                closed_as = int(round(self.union[p][i] * 0.6 / U)) * U
                vals_all = {o: int(round(closed * s * e / U)) * U for o, s, e in zip(orgs, share_all, eff[vt])}
                vals_as = {o: int(round(closed_as * s * e / U)) * U for o, s, e in zip(orgs, share_as, eff[vt])}
                if vt == ZW and p == "2021HJ01":
                    target = seed("overdracht_rvdk_pct", "Zaanstreek-Waterland")
                    cands = [d for d in range(U, 3000, U) if pct_ok(U, d, target)]
                    closed = min(cands, key=lambda d: abs(d - closed))
                    vals_all["Raad voor de Kinderbescherming"] = U
                    vals_as["Openbaar Ministerie"] = 0  # published: 0,0 %
                for ctype, tot, vals in (("Totaal", closed, vals_all), ("Acuut en/of structureel onveilig", closed_as, vals_as)):
                    recs.append({"region": vt, "period": p, "Casustype": ctype,
                                 "OrganisatieVanOverdracht": "Totaal afgesloten casussen", "CasussenMetOverdracht_1": tot})
                    for o in orgs:
                        recs.append({"region": vt, "period": p, "Casustype": ctype,
                                     "OrganisatieVanOverdracht": o, "CasussenMetOverdracht_1": min(vals[o], tot)})
        self.cells["84855NED"] = recs

    # -- 85361NED: eerdere betrokkenheid ----------------------------------------------
    def eerdere_betrokkenheid(self):
        cats = ["Eerste melding", "Vervolgmelding tijdens betrokkenheid VT", "Herhaalde melding na afsluiting",
                "Eerdere betrokkenheid onbekend"]
        base = np.array([0.52, 0.285, 0.18, 0.015])
        eff = {k: lognoise(len(cats), 0.1) for k in VT}
        vv = split_year(REAL["national_year"]["vervolgmelding_tijdens_betrokkenheid"]["2023JJ00"], 0.498)
        recs = []
        for p in HALVES:
            exp = np.array([base * eff[k] for k in VT])
            exp = exp * (self.M[p][:, None] / exp.sum(axis=1, keepdims=True))
            cols = np.full(len(cats), np.nan)
            if p.startswith("2023"):
                cols[1] = vv[int(p[-1]) - 1] // U
            mat = controlled(exp / U, self.M[p] // U, cols) * U
            for i, vt in enumerate(VT):
                for c, v in zip(cats, mat[i]):
                    recs.append({"region": vt, "period": p, "EerdereBetrokkenheidVeiligThuis": c, "OntvangenMeldingen_1": int(v)})
        self.cells["85361NED"] = recs
        self.real_parts.append("Vervolgmeldingen tijdens betrokkenheid Veilig Thuis, Nederland 2023 (85361NED)")

    # -- OTS ---------------------------------------------------------------------------
    def ots(self):
        eff = {k: float(np.clip(lognoise(1, 0.18)[0], 0.6, 1.6)) for k in VT}
        nat_rate = [2.9, 2.8, 2.7, 2.75, 2.95, 2.8, 2.2, 2.1, 2.05, 2.0, 2.0, 1.95, 1.9]
        recs = []
        for t, p in enumerate(HALVES):
            year = int(p[:4])
            for vt in VT:
                pop = self.pop[year][vt]
                v = int(round(pop * nat_rate[t] * eff[vt] / 1e4 / U)) * U
                if vt == ZW and p == "2021HJ01":
                    target = seed("ots_per_10k", "Zaanstreek-Waterland")
                    v = min((c for c in range(0, 2000, U) if pct_ok(c, pop, target, 1e4)), key=lambda c: abs(c - v))
                recs.append({"region": vt, "period": p, "GestarteOTS_1": v})
        self.cells["OTS_REGIO"] = recs


# ---------------------------------------------------------------- assembling tables
def aggregate(gen: Generator, table: str) -> pd.DataFrame:
    """VT cells → + gemeenten, provincies, landsdelen, Nederland, + yearly totals."""
    df = pd.DataFrame(gen.cells[table])
    dims = [c for c in df.columns if c not in ("region", "period") and not c[-1].isdigit()]
    measures = [c for c in df.columns if c[-1].isdigit()]
    df = df.groupby(["region", "period", *dims], sort=False, dropna=False)[measures].sum(min_count=1).reset_index()
    reg = {r.key: r for r in R.all_regions()}
    parts = [df]
    for level, attr in (("provincie", "provincie"), ("landsdeel", "landsdeel")):
        m = df.assign(region=df["region"].map(lambda k: getattr(reg[k], attr)))
        parts.append(m.groupby(["region", "period", *dims], sort=False)[measures].sum(min_count=1).reset_index())
    nl = df.assign(region="NL01").groupby(["region", "period", *dims], sort=False)[measures].sum(min_count=1).reset_index()
    parts.append(nl)
    parts.append(gemeenten(gen, df, dims, measures))
    full = pd.concat(parts, ignore_index=True)
    # yearly totals: sum of both half years
    years = []
    for y in YEARS:
        h = full[full["period"].isin([f"{y}HJ01", f"{y}HJ02"])]
        yy = h.assign(period=f"{y}JJ00").groupby(["region", "period", *dims], sort=False)[measures].sum(min_count=2).reset_index()
        years.append(yy)
    full = pd.concat([full, *years], ignore_index=True)
    # the published yearly total 2020 (127 410) differs from the sum of its rounded halves
    if "OntvangenMeldingen_2" in measures or "OntvangenMeldingen_1" in measures:
        col = "OntvangenMeldingen_2" if "OntvangenMeldingen_2" in measures else "OntvangenMeldingen_1"
        mask = (full["region"] == "NL01") & (full["period"] == "2020JJ00")
        for d in dims:
            mask &= full[d].isin(["Totaal", "Totaal afgesloten casussen"]) if d != "AanvullendeInformatie" else full[d] == "Totaal"
        if table in ("84847NED", "84849NED", "84852NED", "85361NED", "84851NED"):
            full.loc[mask, col] = REAL["national_year"]["meldingen"]["2020JJ00"]
    return full, dims, measures


def gemeenten(gen: Generator, df: pd.DataFrame, dims, measures) -> pd.DataFrame:
    """Split VT cells over gemeenten (sums kept), then suppress small cells as CBS does."""
    out = []
    for vt, gms in GEMEENTEN.items():
        sub = df[df["region"] == vt]
        for p, grp in sub.groupby("period", sort=False):
            year = int(p[:4])
            w = np.array([gen.gm_pop[(g, year)] for g in gms], float)
            for measure in measures:
                vals = grp[measure].to_numpy()
                if np.isnan(vals).all():
                    continue
                wn = w[:, None] * lognoise((len(gms), len(vals)), 0.12)
                exp = wn / wn.sum(axis=0, keepdims=True) * vals[None, :]
                rows = round_partition(int(np.nansum(vals)) // U, exp.sum(axis=1))
                mat = controlled(exp / U, rows, vals / U) * U
                for gi, g in enumerate(gms):
                    rec = grp[dims].copy()
                    rec["region"], rec["period"], rec[measure] = g, p, mat[gi]
                    out.append(rec)
    gm = pd.concat(out, ignore_index=True)
    gm = gm.groupby(["region", "period", *dims], sort=False, dropna=False)[measures].sum(min_count=1).reset_index()
    return gm


def suppress(full: pd.DataFrame, dims, measures) -> pd.DataFrame:
    """Gemeenten: a topic cell of exactly 5 is suppressed ('.'), as CBS does for small cells."""
    is_gm = full["region"].str.startswith("GM")
    is_total = pd.Series(True, index=full.index)
    for d in dims:
        is_total &= full[d].astype(str).str.startswith("Totaal")
    for m in measures:
        full.loc[is_gm & ~is_total & (full[m] == U), m] = np.nan
    return full


def derive_totals(gen: Generator):
    """Add the 'Totaal' margins of 2-dimensional tables and the kerncijfers table."""
    recs = []
    for p in HALVES:
        for i, vt in enumerate(VT):
            recs.append({"region": vt, "period": p, "GestarteAdviezen_1": int(gen.A[p][i]), "OntvangenMeldingen_2": int(gen.M[p][i])})
    gen.cells["84847NED"] = recs
    for table, measure_dims in (("84852NED", ["Veiligheidsbeoordeling", "Veiligheidstaxatie"]),
                                ("84851NED", ["AanvullendeInformatie", "AardVanHetGeweld"]),
                                ("85361NED", ["EerdereBetrokkenheidVeiligThuis"])):
        df = pd.DataFrame(gen.cells[table])
        measures = [c for c in df.columns if c[-1].isdigit()]
        extra = []
        for keep in _subsets(measure_dims):
            g = df.copy()
            for d in measure_dims:
                if d not in keep:
                    g[d] = "Totaal"
            extra.append(g.groupby(["region", "period", *measure_dims], sort=False)[measures].sum(min_count=1).reset_index())
        gen.cells[table] = pd.concat(extra, ignore_index=True).to_dict("records")


def _subsets(dims):
    out = [[]]
    for d in dims:
        out += [s + [d] for s in out]
    return out


def population_table(gen: Generator) -> tuple[pd.DataFrame, list, list]:
    recs = []
    ages = {"Totaal": None, "0 tot 18 jaar": 0, "18 tot 65 jaar": 1, "65 jaar of ouder": 2}
    for (key, year), value in [((vt, y), gen.pop[y][vt]) for y in gen.pop for vt in VT] + [((g, y), v) for (g, y), v in gen.gm_pop.items()]:
        vt = key if key.startswith("VT") else R.get(key).vt_regio
        young = CONTEXT[vt][1] * 0.72 / 100
        old = CONTEXT[vt][2] / 100
        parts = round_partition(value, [young, 1 - young - old, old])
        for age, idx in ages.items():
            recs.append({"region": key, "period": f"{year}JJ00", "Leeftijd": age,
                         "BevolkingOp1Januari_1": value if idx is None else int(parts[idx])})
    df = pd.DataFrame(recs)
    vt_only = df[df.region.str.startswith("VT")]
    reg = {r.key: r for r in R.all_regions()}
    parts = [df]
    for attr in ("provincie", "landsdeel"):
        parts.append(vt_only.assign(region=vt_only.region.map(lambda k: getattr(reg[k], attr)))
                     .groupby(["region", "period", "Leeftijd"], sort=False)["BevolkingOp1Januari_1"].sum().reset_index())
    parts.append(vt_only.assign(region="NL01").groupby(["region", "period", "Leeftijd"], sort=False)["BevolkingOp1Januari_1"].sum().reset_index())
    return pd.concat(parts, ignore_index=True), ["Leeftijd"], ["BevolkingOp1Januari_1"]


def context_table(gen: Generator) -> tuple[pd.DataFrame, list, list]:
    names = ["Omgevingsadressendichtheid_1", "Jongeren0Tot25Jaar_2", "Ouderen65JaarOfOuder_3",
             "HuishoudensMetLaagInkomen_4", "EenoudergezinnenAandeel_5"]
    recs = []
    for year in range(2019, 2025):
        nl = {n: 0.0 for n in names}
        tot = sum(gen.pop[year].values())
        for vt in VT:
            vals = np.array(CONTEXT[vt], float) * (1 + 0.004 * (year - 2021) * np.array([1, -0.5, 1, -1, 0]))
            row = {"region": vt, "period": f"{year}JJ00"}
            for n, v in zip(names, vals):
                row[n] = round(float(v), 0 if n.startswith("Omgeving") else 1)
                nl[n] += v * gen.pop[year][vt] / tot
            recs.append(row)
            for g in GEMEENTEN.get(vt, []):
                gv = vals * lognoise(len(vals), 0.1)
                recs.append({"region": g, "period": f"{year}JJ00", **{n: round(float(v), 0 if n.startswith("Omgeving") else 1) for n, v in zip(names, gv)}})
        recs.append({"region": "NL01", "period": f"{year}JJ00", **{n: round(v, 0 if n.startswith("Omgeving") else 1) for n, v in nl.items()}})
    return pd.DataFrame(recs), [], names


# ---------------------------------------------------------------- CBS-shaped output
def write_table(out: Path, table: str, df: pd.DataFrame, dims: list[str], measures: list[str]):
    spec = table_specs()[table]
    reg = {r.key: r for r in R.all_regions()}
    dim_rows, key_of = {}, {}
    for d in dims:
        cats = spec["dimensions"][d]["categories"]
        key_of[d] = {c["title"]: str(c["key"]) for c in cats}
        dim_rows[d] = [{"Key": str(c["key"]), "Title": c["title"], "Description": "",
                        "CategoryGroupID": c.get("group") or None} for c in cats]
    regions_present = [r for r in R.all_regions() if r.key in set(df["region"])]
    periods_present = sorted(set(df["period"]), key=lambda p: (p[:4], p[4:]))
    dim_rows["RegioS"] = [{"Key": r.key.ljust(6), "Title": r.cbs_title, "Description": "",
                           "CategoryGroupID": None} for r in regions_present]
    dim_rows["Perioden"] = []
    for p in periods_present:
        flag = PROVISIONAL.get(p, "")
        title = (p[:4] if p.endswith("JJ00") else f"{p[-1]}e halfjaar {p[:4]}") + flag
        status = "Voorlopig" if flag else "Definitief"
        dim_rows["Perioden"].append({"Key": p, "Title": title, "Description": "", "Status": status})
    props, pos = [], 0
    for d in dims:
        props.append({"odata.type": "Cbs.OData.Dimension", "ID": pos, "Position": pos, "ParentID": None,
                      "Type": "Dimension", "Key": d, "Title": spec["dimensions"][d]["title"], "Description": ""})
        pos += 1
    props.append({"odata.type": "Cbs.OData.GeoDimension", "ID": pos, "Position": pos, "ParentID": None,
                  "Type": "GeoDimension", "Key": "RegioS", "Title": "Regio's", "Description": ""})
    props.append({"odata.type": "Cbs.OData.TimeDimension", "ID": pos + 1, "Position": pos + 1, "ParentID": None,
                  "Type": "TimeDimension", "Key": "Perioden", "Title": "Perioden", "Description": ""})
    for j, m in enumerate(measures):
        ms = spec["measures"][m]
        props.append({"odata.type": "Cbs.OData.Topic", "ID": pos + 2 + j, "Position": pos + 2 + j, "ParentID": None,
                      "Type": "Topic", "Key": m, "Title": ms["title"], "Description": "", "Datatype": "Long" if ms["unit"] == "aantal" else "Double",
                      "Unit": ms["unit"], "Decimals": 0 if ms["unit"] == "aantal" else 1, "Default": "Impossible"})
    groups = []
    for d in dims:
        for gid, gtitle in (spec["dimensions"][d].get("groups") or {}).items():
            groups.append({"ID": int(gid), "DimensionKey": d, "Title": gtitle, "Description": "", "ParentID": None})
    meta = {
        "TableInfos": [{"ID": 1, "Identifier": table, "Title": spec["title"], "ShortTitle": spec["title"][:60],
                        "Modified": "2025-10-15T02:00:00", "Language": "nl", "Catalog": "CBS", "Frequency": "Perhalfjaar",
                        "Period": f"{periods_present[0]} - {periods_present[-1]}",
                        "Summary": "OEFENDATA: synthetische oefentabel met de structuur van deze CBS-tabel.",
                        "Description": "OEFENDATA (synthetisch) gemaakt door impactmonitor; niet voor beleid gebruiken. "
                                       "Alleen de gepubliceerde voorbeeldcijfers en de landelijke cijfers uit het manifest zijn echt."}],
        "DataProperties": props,
        "CategoryGroups": groups,
        **dim_rows,
    }
    data = pd.DataFrame()
    for d in dims:
        data[d] = df[d].map(key_of[d])
    data["RegioS"] = df["region"].map(lambda k: reg[k].key.ljust(6))
    data["Perioden"] = df["period"]
    for m in measures:
        data[m] = df[m].astype("float64")
    order_r = {r.key.ljust(6): i for i, r in enumerate(regions_present)}
    order_p = {p: i for i, p in enumerate(periods_present)}
    sort_cols = [*dims, "RegioS", "Perioden"]
    data = data.sort_values(sort_cols, key=lambda s: s.map(order_r) if s.name == "RegioS" else (s.map(order_p) if s.name == "Perioden" else s))
    data.insert(0, "ID", range(len(data)))
    data = data.reset_index(drop=True)
    (out / f"{table}.meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    data.to_parquet(out / f"{table}.parquet", index=False, compression="zstd")
    return len(data)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(DATA / "snapshot"))
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    gen = Generator()
    gen.population()
    gen.totals()
    gen.veiligheid()
    gen.kenmerken()
    gen.aard()
    gen.overdracht()
    gen.eerdere_betrokkenheid()
    gen.ots()
    derive_totals(gen)
    rows = {}
    for table in ("84847NED", "84849NED", "84851NED", "84852NED", "84855NED", "85361NED", "OTS_REGIO"):
        full, dims, measures = aggregate(gen, table)
        full = suppress(full, dims, measures)
        if table == "85361NED":  # CBS's own relative column
            tot = full[full["EerdereBetrokkenheidVeiligThuis"] == "Totaal"].set_index(["region", "period"])["OntvangenMeldingen_1"]
            den = [tot.get((r, p), np.nan) for r, p in zip(full["region"], full["period"])]
            full["OntvangenMeldingenRelatief_2"] = [r1(n / d * 100) if d and not np.isnan(n) else np.nan
                                                    for n, d in zip(full["OntvangenMeldingen_1"], den)]
            measures = measures + ["OntvangenMeldingenRelatief_2"]
        rows[table] = write_table(out, table, full, dims, measures)
    df, dims, measures = population_table(gen)
    rows["03759ned"] = write_table(out, "03759ned", df, dims, measures)
    df, dims, measures = context_table(gen)
    rows["85039NED"] = write_table(out, "85039NED", df, dims, measures)
    checksums = {}
    for f in sorted(out.glob("*.parquet")) + sorted(out.glob("*.meta.json")):
        checksums[f.name] = hashlib.sha256(f.read_bytes()).hexdigest()
    manifest = {
        "name": "oefendata",
        "synthetic": True,
        "format_version": 1,
        "generator": "scripts/generate_oefendata.py",
        "generator_version": GENERATOR_VERSION,
        "seed": SEED,
        "created": "2025-10-15",
        "host": None,
        "note": "OEFENDATA: synthetische oefencijfers met de structuur van de CBS-tabellen. Echt zijn alleen de "
                "gepubliceerde voorbeeldcijfers (Zaanstreek-Waterland en Drenthe, 1e halfjaar 2021) en de "
                "landelijke cijfers hieronder; al het andere is verzonnen. Niet gebruiken voor beleid.",
        "real": [*gen.real_parts, "Voorbeeldcijfers Zaanstreek-Waterland en Drenthe 2021HJ01 (Regioplan 2022, instrumenten 05 en 06)"],
        "synthetic_parts": ["alle overige regio's, perioden en categorieën", "gemeenten", "contextkenmerken (85039NED)",
                            "ondertoezichtstellingen (OTS_REGIO)", "categorietitels gemarkeerd als 'assumed' in tables.yaml"],
        "periods": {"first": HALVES[0], "last": HALVES[-1], "provisional": sorted(PROVISIONAL)},
        "tables": {t: {"title": table_specs()[t]["title"], "rows": n} for t, n in rows.items()},
        "checksums": checksums,
    }
    tmp = out / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, out / "manifest.json")
    print(f"oefendata geschreven naar {out}: " + ", ".join(f"{t} ({n} rijen)" for t, n in rows.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
