#!/usr/bin/env python3
"""Generate the bundled practice snapshot ("oefendata") in impactlib/data/snapshot/.

The snapshot has the real CBS structure (tables.yaml: dimension keys and titles, category titles,
nested measures, region levels, CBS region codes and titles per year) and invented figures, except
the published ones listed in impactlib/data/real_figures.yaml and seed_figures.yaml, which it
reproduces exactly and marks one by one in the manifest (``real_cells``, ``real_values``).

How the figures are made (a model of the data, not pins in flat lines):

1. Population per gemeente and year (03759ned): a synthetic size per gemeente (big cities near
   their real size), a growth rate per gemeente, raked per year so that the real totals hold
   (Nederland, Zuid-Nederland, Overijssel, Arnhem, Haarlem, Zwijndrecht, Boxtel; Drenthe 2021 is
   solved together with its seed figures).
2. Counts (adviezen, meldingen, OTS, ...): per gemeente and half year
   population x national rate (a smooth national path through the real half-year totals)
   x a level effect of the Veilig Thuis-regio x a gemeente effect x a smooth regional wobble
   x noise of the size of the cell (Poisson-like).
3. Breakdowns (melder, duur, aard, veiligheidstaxatie, ...): national shares along a smooth path
   (through the real national shares), regional effects, small gemeente noise.
4. Real figures and seeds are *anchors*: before fitting, the level of the whole series of the
   region concerned is moved (interpolated between anchors, constant outside) so that the series
   passes through the figure; then iterative proportional fitting makes every anchor exact
   within rounding, and the margins (categories add up to their total) hold exactly in floats.
5. Output as CBS publishes it: every region row (Nederland, landsdelen, provincies, VT-regio's of
   that year, gemeenten of that year) is the sum of its gemeenten, rounded on its own to a
   multiple of 5; small gemeente cells (5) are suppressed ('.', NaN); real '.' cells stay '.'.

Deterministic: fixed seed, no clock, sorted iteration; running it twice gives the same bytes.

Usage: python scripts/generate_oefendata.py [--out DIR] [--quiet]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one summation order: the same bytes every run
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from impactlib import regions as R  # noqa: E402
from impactlib.catalogue import catalogue, table_specs  # noqa: E402

SEED = 20261201
GENERATOR_VERSION = 2
HALVES = [f"{y}HJ0{h}" for y in range(2019, 2025) for h in (1, 2)] + ["2025HJ01"]
T = len(HALVES)
YEARS = list(range(2019, 2025))  # whole years published (sum of the two halves)
POP_YEARS = list(range(2019, 2026))
PROVISIONAL = {"2024HJ02": "*", "2024JJ00": "*", "2025HJ01": "*"}
DATA = ROOT / "impactlib" / "data"
REAL = yaml.safe_load((DATA / "real_figures.yaml").read_text(encoding="utf-8"))
SEEDS = yaml.safe_load((DATA / "seed_figures.yaml").read_text(encoding="utf-8"))
SPECS = table_specs()
U = 5  # CBS rounding unit
TOL = 2.4  # a float within TOL of a multiple of 5 rounds to it (CBS rounds half up)
VT_TABLES = ("84847NED", "84849NED", "84851NED", "84852NED", "84855NED", "85361NED")

rng = np.random.default_rng(SEED)
TI = {p: i for i, p in enumerate(HALVES)}
T2021 = TI["2021HJ01"]


def r1(x: float) -> float:
    return float(Decimal(repr(float(x))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def round5(x):
    return U * np.floor(np.asarray(x, float) / U + 0.5)


def year_of_t(t: int) -> int:
    return int(HALVES[t][:4])


def periods_of(period: str) -> list[int]:
    """Half-year indices a period key covers (a year: its two halves)."""
    if period.endswith("JJ00"):
        return [TI[f"{period[:4]}HJ01"], TI[f"{period[:4]}HJ02"]]
    return [TI[period]]


def seed(indicator, region, category=None) -> float:
    for f in SEEDS["figures"]:
        if f["indicator"] == indicator and f["region"] == region and f.get("category") == category:
            return float(f["value"])
    raise KeyError((indicator, region, category))


def window(total: float, pct: float, factor: float = 100.0) -> list[int]:
    """Multiples of 5 whose share of ``total`` shows as ``pct`` at one decimal."""
    lo, hi = (pct - 0.05) * total / factor, (pct + 0.05) * total / factor
    return [k for k in range(int(max(0, lo // U * U)), int(hi) + U, U) if safe(k / total * factor, pct)]


def safe(x: float, pct: float) -> bool:
    """``x`` shows as ``pct`` at one decimal, not on the edge (so no rounding convention can differ)."""
    return r1(x) == pct and abs(x - pct) < 0.049


# ---------------------------------------------------------------- geography
class Geo:
    """Every gemeente code of 2019-2025 and the regions they make up each year."""

    def __init__(self):
        self.codes = sorted({r.key for y in POP_YEARS for r in R.regions_at("gemeente", y)})
        self.gi = {c: i for i, c in enumerate(self.codes)}
        self.G = len(self.codes)
        self.exists = np.zeros((self.G, len(POP_YEARS)), bool)
        self.vt = {}
        for yi, y in enumerate(POP_YEARS):
            for r in R.regions_at("gemeente", y):
                self.exists[self.gi[r.key], yi] = True
                self.vt[(r.key, y)] = r.vt_regio
        self.clash = {normalise(r.name) for y in POP_YEARS for lvl in ("provincie", "vt") for r in R.regions_at(lvl, y)}

    @lru_cache(maxsize=None)
    def members(self, key: str, year: int) -> np.ndarray:
        return np.array(sorted(self.gi[g.key] for g in R.members(key, f"{year}JJ00")), dtype=int)

    def vt_of(self, g: int, year: int) -> str:
        return self.vt.get((self.codes[g], year), "")

    def title(self, reg: R.Region) -> str:
        if reg.level == "gemeente" and normalise(reg.name) in self.clash:
            return f"{reg.name} (gemeente)"
        return reg.cbs_title


def normalise(name: str) -> str:
    return " ".join(str(name).split()).casefold()


GEO = Geo()
VT_ALL = sorted({r.key for y in POP_YEARS for r in R.regions_at("vt", y)})
ZW, DR = "VT22", "VT02"


def key_of(name: str, year: int = 2021) -> str:
    return R.resolve(name, period=f"{year}JJ00").region.key


# ---------------------------------------------------------------- constraints and fitting
class Con:
    """sum over gemeenten ``g``, half years ``t`` and leaves ``l`` (times ``w``) in [lo, hi]."""

    __slots__ = ("g", "t", "l", "w", "lo", "hi", "label")

    def __init__(self, g, t, l, lo, hi, w=1.0, label=""):
        self.g, self.t, self.l, self.w, self.lo, self.hi, self.label = g, t, l, w, lo, hi, label

    def agg(self, X):
        return self.w * X[np.ix_(self.g, self.t, self.l)].sum()


def point(region: str, period: str, leaves, value: float, w=1.0, label="", tol=TOL) -> Con:
    year = int(period[:4])
    return Con(GEO.members(region, year), periods_of(period), list(leaves), value - tol, value + tol, w, label)


def interval(region, period, leaves, lo, hi, label="") -> Con:
    year = int(period[:4])
    return Con(GEO.members(region, year), periods_of(period), list(leaves), lo, hi, 1.0, label)


TAU = 10.0  # half years over which an anchor's shift fades out beyond a region's outermost anchor


def factor_path(ts: list[float], fs: list[float]) -> np.ndarray:
    """Log-factors through the anchor points: linear between them, fading out (exp(-d/TAU))
    beyond the first and last, so a region's level moves smoothly and returns to its own trend."""
    t = np.arange(T, dtype=float)
    inner = np.interp(t, ts, fs)
    before = fs[0] * np.exp(-(ts[0] - t) / TAU)
    after = fs[-1] * np.exp(-(t - ts[-1]) / TAU)
    return np.exp(np.where(t < ts[0], before, np.where(t > ts[-1], after, inner)))


def anchor(X, cons: list[Con], parent=None, rounds: int = 1) -> None:
    """Move series smoothly to their anchors: per (gemeenten, leaves) a factor path over time
    (:func:`factor_path`), repeated in rounds so that nested areas with anchors in different years
    (Gelderland 2020, its VT-regio's 2023) settle together (backfitting). With ``parent`` (a
    partition) the leaves are renormalised after each round, so a large share reaches its anchor
    too. Constraints with ``label`` starting with '!' are left to the exact fit only."""
    groups: dict[tuple, list] = {}
    for c in cons:
        if not c.label.startswith("!"):
            groups.setdefault((tuple(c.g), tuple(c.l)), []).append(c)
    order = sorted(groups, key=lambda k: -len(k[0]))  # bigger areas first: a gemeente refines its region
    for _ in range(rounds):
        for key in order:
            pts = {}
            for c in groups[key]:
                a = c.agg(X)
                if a <= 0:
                    continue
                target = min(max(a, c.lo), c.hi)
                pts.setdefault(float(np.mean(c.t)), []).append(math.log(max(target, 1e-6) / a))
            if not pts:
                continue
            ts = sorted(pts)
            path_ = factor_path(ts, [float(np.mean(pts[t])) for t in ts])
            g, l = np.array(key[0]), np.array(key[1])
            X[np.ix_(g, np.arange(T), l)] *= path_[None, :, None]
        if parent is not None:
            s = X.sum(-1)
            X *= np.where(s > 0, parent / np.where(s > 0, s, 1), 0)[..., None]


def fit(X, cons: list[Con], parent=None, iters=3000, what="") -> list[str]:
    """Iterative proportional fitting: every constraint inside [lo, hi] and, with ``parent``,
    the leaves of each gemeente and half year adding up to it. Returns what could not be met."""
    for _ in range(iters):
        if parent is not None:
            s = X.sum(-1)
            X *= np.where(s > 0, parent / np.where(s > 0, s, 1), 0)[..., None]
        bad = 0
        for c in cons:
            a = c.agg(X)
            if c.lo <= a <= c.hi:
                continue
            bad += 1
            inner = 0.25 * (c.hi - c.lo)
            target = min(max(a, c.lo + inner), c.hi - inner)
            if a <= 0:
                X[np.ix_(c.g, c.t, c.l)] += target / (c.w * len(c.g) * len(c.t) * len(c.l))
            else:
                X[np.ix_(c.g, c.t, c.l)] *= target / a
        if bad == 0:
            break
    if parent is not None:
        s = X.sum(-1)
        X *= np.where(s > 0, parent / np.where(s > 0, s, 1), 0)[..., None]
    return [f"{what}: {c.label} = {c.agg(X):.1f} not in [{c.lo}, {c.hi}]" for c in cons if not (c.lo - 1e-6 <= c.agg(X) <= c.hi + 1e-6)]


# ---------------------------------------------------------------- population
BIG = {  # approximate size of large gemeenten (synthetic, near reality), 1 January 2021
    "GM0363": 872_000, "GM0599": 651_000, "GM0518": 548_000, "GM0344": 359_000, "GM0772": 235_000,
    "GM0014": 233_000, "GM0855": 220_000, "GM0034": 215_000, "GM0758": 184_000, "GM0268": 177_000,
    "GM0200": 164_000, "GM0153": 159_000, "GM0307": 157_000, "GM0394": 156_000, "GM0479": 156_000,
    "GM0796": 155_000, "GM0193": 129_000, "GM0637": 125_000, "GM0546": 125_000, "GM0935": 121_000,
    "GM0505": 119_000, "GM0228": 118_000, "GM0484": 112_000, "GM1783": 110_000, "GM0361": 109_000,
    "GM0114": 107_000, "GM0503": 103_000, "GM0983": 101_000, "GM0150": 100_000, "GM0080": 124_000,
}
SIZES = {  # more gemeenten near their size (synthetic, approximate inhabitants 2021), by name
    "Hilversum": 91_000, "Huizen": 41_500, "Gooise Meren": 58_000, "Blaricum": 11_600, "Laren": 11_200,
    "Wijdemeren": 24_000, "Eemnes": 9_300, "Purmerend": 81_000, "Edam-Volendam": 36_100, "Landsmeer": 11_500,
    "Oostzaan": 9_800, "Waterland": 17_200, "Wormerland": 16_500, "Beemster": 10_000, "Assen": 68_600,
    "Hoogeveen": 55_600, "Meppel": 34_500, "Midden-Drenthe": 33_500, "Tynaarlo": 34_000, "Aa en Hunze": 25_500,
    "Borger-Odoorn": 25_600, "Coevorden": 35_300, "De Wolden": 24_300, "Noordenveld": 32_600, "Westerveld": 19_700,
    "Mook en Middelaar": 7_800, "Heemstede": 27_400, "Medemblik": 45_000, "Neder-Betuwe": 24_500, "Nederweert": 17_000,
    "Nuenen, Gerwen en Nederwetten": 23_000, "Rheden": 43_600, "Stede Broec": 21_900, "Wijk bij Duurstede": 23_900,
    "Amstelveen": 91_700, "Almelo": 73_000, "Altena": 55_800, "Aalsmeer": 31_900, "Aalten": 27_100,
    "Achtkarspelen": 27_900, "Alblasserdam": 20_100, "Albrandswaard": 25_600, "Alphen-Chaam": 10_100, "Ameland": 3_800,
    "Asten": 16_900, "Baarle-Nassau": 7_000, "Baarn": 24_800, "Barendrecht": 49_400, "Schiermonnikoog": 950,
    "Vlieland": 1_150, "Terschelling": 4_950, "Rozendaal": 1_650, "Renswoude": 5_400, "Hengelo": 81_000,
    "Zoetermeer": 125_000, "Leiden": 125_000, "Dordrecht": 119_000, "Westland": 110_000, "Delft": 103_000,
    "Deventer": 101_000, "Venlo": 101_800, "Leeuwarden": 124_000, "Sittard-Geleen": 92_000, "Heerlen": 86_800,
    "Helmond": 92_000, "Oss": 92_000, "Hengelo (O.)": 81_000, "Súdwest-Fryslân": 90_000, "Amersfoort": 157_000,
    "Lelystad": 79_000, "Roosendaal": 77_500, "Schiedam": 79_000, "Leidschendam-Voorburg": 76_500,
    "Alphen aan den Rijn": 112_000, "Gouda": 73_600, "Vlaardingen": 74_500, "Hoorn": 73_800, "Velsen": 68_600,
    "Bergen op Zoom": 67_500, "Capelle aan den IJssel": 67_300, "Veenendaal": 66_000, "Katwijk": 66_000,
    "Zeist": 65_000, "Nieuwegein": 63_000, "Lansingerland": 62_500, "Hardenberg": 61_000, "Emmen": 107_000,
}
VT_POP_2021 = {  # approximate inhabitants of the VT-regio's (synthetic, near reality); Drenthe is solved
    "VT01": 1_060_000, "VT03": 425_000, "VT04": 651_000, "VT05": 690_000, "VT06": 550_000, "VT07": 255_000,
    "VT08": 586_000, "VT09": 1_120_000, "VT10": 820_000, "VT11": 532_000, "VT12": 550_000, "VT13": 515_000,
    "VT14": 830_000, "VT15": 470_000, "VT16": 660_000, "VT17": 670_000, "VT18": 1_300_000, "VT19": 628_000,
    "VT20": 1_370_000, "VT21": 640_000, "VT22": 345_000, "VT23": 385_000, "VT24": 480_000, "VT25": 600_000,
    "VT26": 780_000,
}
REAL_POP = {  # (region key, year) -> inhabitants on 1 January (see real_figures.yaml)
    **{("NL01", int(y)): int(v) for y, v in REAL["population_nl"]["values"].items()},
    **{("LD04", int(y)): int(v) for y, v in REAL["population_regional"]["zuid_nederland"].items()},
    **{("PV23", int(y)): int(v) for y, v in REAL["population_regional"]["overijssel"].items()},
    **{("GM0202", int(y)): int(v) for y, v in REAL["population_regional"]["arnhem"].items()},
    **{("GM0392", int(y)): int(v) for y, v in REAL["population_regional"]["haarlem"].items()},
    **{("GM0642", int(y)): int(v) for y, v in REAL["population_regional"]["zwijndrecht"].items()},
    ("GM0757", 2021): int(REAL["kwb_boxtel_2021"]["AantalInwoners_5"]),  # Boxtel
}
VERIFIED_POP_NL = {int(y) for y in REAL["population_nl"].get("verified_years", REAL["population_nl"]["values"])}


def largest_remainder(values: np.ndarray, total: int) -> np.ndarray:
    base = np.floor(values).astype(np.int64)
    rest = int(total - base.sum())
    order = np.argsort(-(values - base), kind="stable")
    if rest >= 0:
        base[order[:rest]] += 1
    else:
        base[order[::-1][: -rest]] -= 1
    return base


class Population:
    def __init__(self, drenthe_2021: int):
        G = GEO.G
        size = np.exp(rng.normal(math.log(26_000), 0.72, G)).clip(900, 95_000)
        for code, v in BIG.items():
            if code in GEO.gi:
                size[GEO.gi[code]] = v
        known = {GEO.gi[c] for c in BIG if c in GEO.gi}
        for name, v in SIZES.items():
            try:
                g = GEO.gi[R.resolve(name, level="gemeente", period="2021JJ00").region.key]
            except Exception:  # noqa: BLE001 - a name of another year: leave that gemeente random
                continue
            size[g] = v
            known.add(g)
        for vt, target in VT_POP_2021.items():  # the rest of each VT-regio fills it to about its size
            m = GEO.members(vt, 2021)
            free = [g for g in m if g not in known]
            rest = target - sum(size[g] for g in m if g in known)
            if free and rest > 1000 * len(free):
                size[free] *= rest / size[free].sum()
        # gemeenten made by a merger start as the sum of what they replace
        for row in R.changes():
            news = row["new"].split("|")
            if len(news) == 1 and news[0] in GEO.gi and row["old"] in GEO.gi:
                size[GEO.gi[news[0]]] += size[GEO.gi[row["old"]]] * (1.0 if news[0] not in BIG else 0.0)
        growth = rng.normal(0.0045, 0.0045, G) + 0.004 * (size > 100_000)
        self.pop = np.zeros((G, len(POP_YEARS)), np.int64)
        pins = dict(REAL_POP)
        pins[(DR, 2021)] = drenthe_2021
        # sizes meet the 2021 pins first, so that years with and without a pin follow one smooth path
        fixed21 = {GEO.gi[k]: v for (k, y), v in pins.items() if y == 2021 and k.startswith("GM")}
        for g, v in fixed21.items():
            size[g] = v
        grouped = np.zeros(G, bool)
        grouped[list(fixed21)] = True
        for (k, y), v in pins.items():
            if y == 2021 and k[:2] in ("VT", "PV", "LD"):
                m = GEO.members(k, 2021)
                free = m[~grouped[m]]
                size[free] *= (v - sum(size[g] for g in m if grouped[g])) / size[free].sum()
                grouped[m] = True
        alive21 = GEO.exists[:, POP_YEARS.index(2021)]
        free = np.where(alive21 & ~grouped)[0]
        size[free] *= (pins[("NL01", 2021)] - size[alive21 & grouped].sum()) / size[free].sum()
        for yi, y in enumerate(POP_YEARS):
            alive = GEO.exists[:, yi]
            want = size * (1 + growth) ** (y - 2021) * np.exp(rng.normal(0, 0.0008, G))
            want = np.where(alive, want, 0.0)
            fixed = {GEO.gi[k]: v for (k, yy), v in pins.items() if yy == y and k.startswith("GM")}
            groups = [(k, v) for (k, yy), v in pins.items() if yy == y and k[:2] in ("VT", "PV", "LD")]
            out = np.zeros(GEO.G, np.int64)
            taken = np.zeros(GEO.G, bool)
            for g, v in fixed.items():
                out[g], taken[g] = v, True
            for k, v in groups:  # disjoint areas (Drenthe, Overijssel, Zuid-Nederland)
                m = GEO.members(k, y)
                free = m[~taken[m]]
                rest = v - out[m].sum()
                out[free] = largest_remainder(want[free] / want[free].sum() * rest, rest)
                taken[m] = True
            free = np.where(alive & ~taken)[0]
            rest = pins[("NL01", y)] - out.sum()
            out[free] = largest_remainder(want[free] / want[free].sum() * rest, rest)
            self.pop[:, yi] = out
        self.young = rng.normal(0.195, 0.022, G).clip(0.13, 0.28)     # 0-18
        self.old = rng.normal(0.205, 0.035, G).clip(0.10, 0.32)       # 65+
        self.men = rng.normal(0.4965, 0.004, G)
        self.growth = growth
        self.area = (np.exp(rng.normal(math.log(95), 0.55, G)) * (size / 26_000) ** 0.25).clip(7, 480)  # km² land

    def at(self, year: int) -> np.ndarray:
        return self.pop[:, POP_YEARS.index(year)]

    def halves(self) -> np.ndarray:
        """Inhabitants per gemeente and half year (1 January of the year)."""
        return np.stack([self.at(year_of_t(t)) for t in range(T)], axis=1).astype(float)

    def region(self, key: str, year: int) -> int:
        return int(self.at(year)[GEO.members(key, year)].sum())


# ---------------------------------------------------------------- national paths
def path(points: dict[str, float]) -> np.ndarray:
    """A smooth national path through the given half-year values (log-linear between them)."""
    ts = sorted(TI[k] for k in points)
    vs = [math.log(points[HALVES[t]]) for t in ts]
    return np.exp(np.interp(np.arange(T), ts, vs))


NAT_A = path({**REAL["national_halfyear"]["adviezen"], "2022HJ02": 66_600, "2023HJ01": 70_700,
              "2023HJ02": 72_510, "2024HJ01": 75_200, "2024HJ02": 79_400,
              **REAL["national_halfyear_2025"]["adviezen"]})
NAT_M = path({**REAL["national_halfyear"]["meldingen"], "2022HJ02": 61_300, "2023HJ01": 63_150,
              "2023HJ02": 64_190, "2024HJ01": 64_100, "2024HJ02": 65_300,
              **REAL["national_halfyear_2025"]["meldingen"]})


def regional_effects(sd: float, keys=VT_ALL) -> dict[str, float]:
    eff = {k: float(math.exp(rng.normal(0, sd))) for k in keys}
    eff["VT27"] = math.sqrt(eff["VT16"] * eff["VT26"])
    return eff


def wobble(sd: float, rho: float = 0.7) -> dict[str, np.ndarray]:
    """A smooth regional deviation per VT-regio over the half years (AR(1), in logs)."""
    out = {}
    for k in VT_ALL:
        e = np.zeros(T)
        x = rng.normal(0, sd)
        for t in range(T):
            x = rho * x + math.sqrt(1 - rho * rho) * rng.normal(0, sd)
            e[t] = x
        out[k] = np.exp(e)
    out["VT27"] = np.sqrt(out["VT16"] * out["VT26"])
    return out


def vt_matrix(values: dict[str, float | np.ndarray]) -> np.ndarray:
    """Per gemeente and half year the value of its VT-regio of that year."""
    M = np.ones((GEO.G, T))
    for t in range(T):
        y = year_of_t(t)
        for g in range(GEO.G):
            vt = GEO.vt_of(g, y)
            if vt:
                v = values[vt]
                M[g, t] = v[t] if isinstance(v, np.ndarray) else v
    return M


def counts(pop: Population, nat: np.ndarray, vt_eff: dict, sd_gm=0.12, sd_wobble=0.03, scale=1.0) -> np.ndarray:
    """Expected counts per gemeente and half year, with noise of the size of the cell."""
    P = pop.halves()
    nl = np.array([pop.at(year_of_t(t)).sum() for t in range(T)], float)
    rate = nat / nl * scale
    gm = np.exp(rng.normal(0, sd_gm, GEO.G))
    X = P * rate[None, :] * vt_matrix(vt_eff) * vt_matrix(wobble(sd_wobble)) * gm[:, None]
    sd = np.minimum(0.6, 0.8 / np.sqrt(np.maximum(X, 0.5)))
    return X * np.exp(rng.normal(0, 1, X.shape) * sd)


def shares(nat: dict[str, np.ndarray | float], vt_sd: dict[str, float], gm_sd=0.06, noise=0.05,
           fixed_eff: dict | None = None, quiet: dict | None = None):
    """Leaf shares per gemeente, half year and leaf: national path x regional effects x noise."""
    leaves = list(nat)
    L = len(leaves)
    S = np.zeros((GEO.G, T, L))
    effs = {}
    for li, leaf in enumerate(leaves):
        base = nat[leaf] if isinstance(nat[leaf], np.ndarray) else np.full(T, float(nat[leaf]))
        eff = regional_effects(vt_sd.get(leaf, 0.15))
        for (vt, lf), v in (fixed_eff or {}).items():
            if lf == leaf:
                eff[vt] = v
        effs[leaf] = eff
        wob = wobble(0.03)
        for vt, f in (quiet or {}).items():
            wob[vt] = wob[vt] ** f
        gm = np.exp(rng.normal(0, gm_sd, GEO.G))
        nz = np.exp(rng.normal(0, noise, (GEO.G, T)))
        for vt, f in (quiet or {}).items():
            for t in range(T):
                m = GEO.members(vt, year_of_t(t))
                nz[m, t] = nz[m, t] ** f
        S[:, :, li] = base[None, :] * vt_matrix(eff) * vt_matrix(wob) * gm[:, None] * nz
    S /= S.sum(-1, keepdims=True)
    return leaves, S, effs


# ---------------------------------------------------------------- solving the seeds
def solve_drenthe(pop_guess: int) -> dict:
    """Drenthe 2021HJ01: population, adviezen and meldingen that give every Drenthe seed."""
    t_a, t_m = seed("adviezen_per_10k", "Drenthe"), seed("meldingen_per_10k", "Drenthe")
    best = None
    for m in range(700, 1700, U):
        pol = window(m, seed("melders_politie_pct", "Drenthe"))
        nb = window(m, seed("melders_burger_pct", "Drenthe"))
        if not (pol and nb):
            continue
        # CBS rounds each table on its own: 84852NED's total may differ a little from 84849NED's
        m2 = next((x for x in sorted(range(m - 10, m + 11, U), key=lambda x: abs(x - m))
                   if window(x, seed("meldingen_acuut_structureel_pct", "Drenthe"))), None)
        if m2 is None:
            continue
        ac = window(m2, seed("meldingen_acuut_structureel_pct", "Drenthe"))
        for a in range(900, 2300, U):
            nba = window(a, seed("adviesvragers_burger_pct", "Drenthe"))
            ov = window(a, seed("adviesvragers_beroepsmatig_overig_pct", "Drenthe"))
            if not (nba and ov):
                continue
            lo = max(a / (t_a + 0.05), m / (t_m + 0.05)) * 1e4
            hi = min(a / (t_a - 0.05), m / (t_m - 0.05)) * 1e4
            for p in range(int(lo) + 1, int(hi) + 1):
                if safe(a / p * 1e4, t_a) and safe(m / p * 1e4, t_m):
                    score = abs(p - pop_guess) / 2000 + abs(a - 31.5e-4 * pop_guess) / 50
                    if best is None or score < best[0]:
                        best = (score, dict(pop=p, A=a, M=m, M2=m2, pol=pol[len(pol) // 2], nb_m=nb[len(nb) // 2],
                                            acuut=ac[len(ac) // 2], nb_a=nba[len(nba) // 2], overig=ov[len(ov) // 2]))
                    break
    if best is None:
        raise RuntimeError("no Drenthe solution")
    return best[1]


def solve_zw(expected: float) -> dict:
    for m in sorted(range(900, 1700, U), key=lambda x: abs(x - expected)):
        wk = window(m, seed("duur_geweld_meldingen_pct", "Zaanstreek-Waterland", "niet langer dan 1 week"))
        l5 = window(m, seed("duur_geweld_meldingen_pct", "Zaanstreek-Waterland", "langer dan 5 jaar"))
        ac = window(m, seed("meldingen_acuut_structureel_pct", "Zaanstreek-Waterland"))
        if wk and l5 and ac:
            return dict(M=m, week=wk[len(wk) // 2], l5=l5[len(l5) // 2], acuut=ac[len(ac) // 2])
    raise RuntimeError("no Zaanstreek-Waterland solution")


def split5(total: int, weights) -> list[int]:
    """``total`` (a multiple of 5) over weights in multiples of 5."""
    w = np.asarray(weights, float)
    units = largest_remainder(w / w.sum() * (total // U), total // U)
    return [int(u) * U for u in units]


# ---------------------------------------------------------------- real figures as constraints
# Gelderland (PV) in 84852NED 2023 is exactly the sum of its three VT-regio's, but in the CBS crosswalk
# Mook en Middelaar (Limburg) belongs to VT Gelderland-Zuid. In 84852NED 2023 the snapshot therefore
# counts Mook's meldingen with the rest of Gelderland-Zuid (Mook's own 84852NED cells are 0 that year),
# so that the published provincie and VT rows all hold.
GELDERLAND_VT = ("VT05", "VT06", "VT14")
SHOWN_ONLY: set = set()
KEY_POS = {"r84849": 1, "r84848": 1, "r84852": 2, "r85361": 0, "r84851_totals": 0, "r82975": 1}


def region_key(name: str, period: str) -> str:
    """A CBS code as written, or a gemeente by its name in that year."""
    import re

    if re.fullmatch(r"(NL|LD|PV|VT|GM)\d{2,4}", str(name)):
        return str(name)
    return R.resolve(str(name), level="gemeente", period=period).region.key


def real_rows(block: str) -> list:
    out = []
    pos = KEY_POS[block]
    for row in REAL[block]["rows"]:
        row = list(row)
        row[pos] = region_key(row[pos], row[pos + 1])
        out.append(row)
    return out


def cat_key(table: str, dim: str, title: str) -> str:
    for d in SPECS[table]["dimensions"]:
        if d["key"] == dim:
            for c in d["categories"]:
                if normalise(c["title"]) == normalise(title):
                    return str(c["key"])
    raise KeyError((table, dim, title))


def measure_key(table: str, path: str) -> str:
    for m in SPECS[table]["measures"]:
        full = " › ".join([*(m.get("group") or []), m["title"]])
        if normalise(full) == normalise(path) or normalise(m["key"]) == normalise(path):
            return m["key"]
    raise KeyError((table, path))


class Marks:
    """Real cells (published CBS figures, '.' included) and cells that must show '.'."""

    def __init__(self):
        self.cells: list[tuple] = []  # (table, measure key, region key, period, {dim: cat key})
        self.dots: set[tuple] = set()  # (table, measure key, region key, period, cats tuple)
        self.values: list[dict] = []

    def real(self, table, measure, region, period, cats=None, dot=False):
        cats = dict(sorted((cats or {}).items()))
        self.cells.append((table, measure, region, period, cats))
        if dot:
            self.dots.add((table, measure, region, period, tuple(cats.items())))


MARKS = Marks()
UNMET: list[str] = []
NOTES: list[str] = []


# ---------------------------------------------------------------- leaves of each breakdown
# 84849NED: Totaal = niet beroepsmatig + beroepsmatig + rol/functie onbekend; the beroepsmatige part
# is split two ways, by organisation (partition, checked on the real 2023 figures) and by rol/functie.
TOP = ["nb", "prof", "unk"]
ORG = ["prev", "ha", "gzov", "ggz", "ko", "ond", "bl", "jz", "mw", "pol", "om", "recl", "jvand", "avt", "inzet", "ao"]
ROL = ["b_ond", "b_ko", "b_verpl", "b_medov", "b_psy", "b_para", "b_pol", "b_ovj", "b_jusand", "b_and"]
DUUR = ["d_week", "d_maand", "d_6m", "d_jaar", "d_5j", "d_lang", "d_onb"]
C849 = {  # category title -> (split, leaves)
    "Totaal": ("total", None), "Niet beroepsmatig totaal": ("top", ["nb"]), "Beroepsmatig totaal": ("top", ["prof"]),
    "Rol/functie onbekend": ("top", ["unk"]), "Niet van toepassing": ("top", ["nb"]), "Onbekend": ("top", ["unk"]),
    "Beroep: onderwijs: totaal": ("rol", ["b_ond"]), "Beroep: kinderopvang: totaal": ("rol", ["b_ko"]),
    "Beroep: medisch totaal": ("rol", ["b_verpl", "b_medov"]), "Beroep: medisch: verpleegkundige": ("rol", ["b_verpl"]),
    "Beroep: psychologen e.a.: totaal": ("rol", ["b_psy"]), "Beroep: paramedisch: totaal": ("rol", ["b_para"]),
    "Beroep: justitie: totaal": ("rol", ["b_pol", "b_ovj", "b_jusand"]), "Beroep: justitie: politieagent": ("rol", ["b_pol"]),
    "Beroep: justitie: officier van justitie": ("rol", ["b_ovj"]), "Beroep: justitie: anders": ("rol", ["b_jusand"]),
    "Beroepsmatig: anders": ("rol", ["b_and"]),
    "Gezondheidszorg: totaal": ("org", ["prev", "ha", "gzov"]), "Gezondheidszorg: preventieve basisvoorzieningen": ("org", ["prev"]),
    "Gezondheidszorg: huisarts": ("org", ["ha"]), "Gezondheidszorg: overig": ("org", ["gzov"]),
    "Geestelijke gezondheidszorg: totaal": ("org", ["ggz"]), "Kinderopvang": ("org", ["ko"]), "Onderwijs: totaal": ("org", ["ond"]),
    "Bureau Leerplicht": ("org", ["bl"]), "Jeugdzorg: totaal": ("org", ["jz"]), "Maatschappelijk werk: totaal": ("org", ["mw"]),
    "Justitie en veiligheid: totaal": ("org", ["pol", "om", "recl", "jvand"]), "J en V: politie: totaal": ("org", ["pol"]),
    "J en V: openbaar ministerie": ("org", ["om"]), "J en V: reclassering": ("org", ["recl"]), "J en V: anders": ("org", ["jvand"]),
    "Anders: Veilig Thuis: andere regio": ("org", ["avt"]), "Anders: VT: inzet regionaal maatwerk": ("org", ["inzet"]),
    "Andere organisatie: anders": ("org", ["ao"]),
    "Duur geweld: niet langer dan 1 week": ("duur", ["d_week"]), "Duur geweld: > 1 week, < 1 maand": ("duur", ["d_maand"]),
    "Duur geweld: > 1 maand, < 6 maanden": ("duur", ["d_6m"]), "Duur geweld: > 6 maanden, < 1 jaar": ("duur", ["d_jaar"]),
    "Duur geweld: > 1 jaar,< 5 jaar": ("duur", ["d_5j"]), "Duur geweld: langer dan 5 jaar": ("duur", ["d_lang"]),
    "Duur geweld: onbekend": ("duur", ["d_onb"]),
}
# national shares (of the parent) the series start from; real figures move them where known
NAT849 = {
    "A": {"top": {"nb": 0.44, "prof": 0.548, "unk": 0.012},
          "org": {"prev": 0.034, "ha": 0.040, "gzov": 0.076, "ggz": 0.083, "ko": 0.022, "ond": 0.156, "bl": 0.003,
                  "jz": 0.134, "mw": 0.119, "pol": 0.065, "om": 0.022, "recl": 0.018, "jvand": 0.022, "avt": 0.027,
                  "inzet": 0.001, "ao": 0.178},
          "rol": {"b_ond": 0.16, "b_ko": 0.03, "b_verpl": 0.026, "b_medov": 0.12, "b_psy": 0.06, "b_para": 0.02,
                  "b_pol": 0.07, "b_ovj": 0.01, "b_jusand": 0.04, "b_and": 0.464},
          "duur": {"d_week": 0.31, "d_maand": 0.08, "d_6m": 0.10, "d_jaar": 0.06, "d_5j": 0.15, "d_lang": 0.08, "d_onb": 0.22}},
    "M": {"top": {"nb": 0.085, "prof": 0.91, "unk": 0.005},
          "org": {"prev": 0.011, "ha": 0.010, "gzov": 0.067, "ggz": 0.019, "ko": 0.006, "ond": 0.045, "bl": 0.0013,
                  "jz": 0.023, "mw": 0.026, "pol": 0.700, "om": 0.011, "recl": 0.016, "jvand": 0.011, "avt": 0.007,
                  "inzet": 0.001, "ao": 0.046},
          "rol": {"b_ond": 0.05, "b_ko": 0.006, "b_verpl": 0.016, "b_medov": 0.06, "b_psy": 0.02, "b_para": 0.01,
                  "b_pol": 0.70, "b_ovj": 0.01, "b_jusand": 0.03, "b_and": 0.098},
          "duur": {"d_week": 0.52, "d_maand": 0.07, "d_6m": 0.07, "d_jaar": 0.04, "d_5j": 0.10, "d_lang": 0.03, "d_onb": 0.17}},
}
T2023 = TI["2023HJ01"]
# catalogue groups of adviesvragers (real national shares 2020-2022) as leaves
GROUP_LEAVES = {
    "Preventieve basisvoorzieningen": ("org", ["prev"]), "Huisarts": ("org", ["ha"]), "Overig gezondheidszorg": ("org", ["gzov"]),
    "GGZ": ("org", ["ggz"]), "Kinderopvang": ("org", ["ko"]), "Onderwijs": ("org", ["ond"]), "Jeugdhulp/zorg": ("org", ["jz"]),
    "Politie": ("org", ["pol"]), "Justitie en veiligheid, exclusief politie": ("org", ["om", "recl", "jvand"]),
    "Maatschappelijk werk": ("org", ["mw"]), "Beroepsmatig overig": ("org", ["avt", "inzet", "ao"]),
    "Burger": ("top", ["nb"]), "Onbekend": ("top", ["unk"]),
}
TAX = ["acute", "struct", "beide", "geen", "t_onb"]
BEO = ["vervolg", "overdracht", "b_geen", "inzet", "nognniet"]
C852_TAX = {"Totaal": None, "Acute onveiligheid": ["acute"], "Structurele onveiligheid": ["struct"],
            "Acute en structurele onveiligheid": ["beide"], "Geen acute of structurele onveiligheid": ["geen"], "Onbekend": ["t_onb"]}
C852_BEO = {"Totaal": None, "Vervolgstappen beleggen bij Veilig Thuis": ["vervolg"], "Overdracht": ["overdracht"],
            "Geen vervolgstappen nodig": ["b_geen"], "Inzet regionaal maatwerk Veilig Thuis": ["inzet"], "Nog niet beoordeeld": ["nognniet"]}
EB = ["eerste", "h_meer", "h_een", "v_tijdens", "v_na", "v_mon", "niet"]
M361 = {  # measure index (1-10) -> leaves
    1: EB, 2: ["eerste"], 3: ["h_meer", "h_een"], 4: ["h_meer"], 5: ["h_een"], 6: ["v_tijdens", "v_na", "v_mon"],
    7: ["v_tijdens"], 8: ["v_na"], 9: ["v_mon"], 10: ["niet"],
}


def idx(leaves: list[str], chosen) -> list[int]:
    return [leaves.index(x) for x in chosen]


class Build:
    """Every float series per gemeente and half year; region rows are sums of these."""

    def __init__(self):
        self.dr = solve_drenthe(494_000)
        self.pop = Population(self.dr["pop"])
        self.cons_total = {"A": [], "M": []}
        self.seed_counts = {}

    # -- totals (84847NED and the Totaal of every Veilig Thuis table) ----------------------
    def totals(self):
        nl21 = self.pop.at(2021).sum()
        eff_a = regional_effects(0.13)
        eff_m = {k: v ** 0.6 * math.exp(rng.normal(0, 0.10)) for k, v in eff_a.items()}
        eff_m["VT27"] = math.sqrt(eff_m["VT16"] * eff_m["VT26"])
        dr_a = seed("adviezen_per_10k", "Drenthe") / (NAT_A[T2021] / nl21 * 1e4)
        dr_m = seed("meldingen_per_10k", "Drenthe") / (NAT_M[T2021] / nl21 * 1e4)
        for eff, dr in ((eff_a, dr_a), (eff_m, dr_m)):
            for k in eff:  # Drenthe gets few adviesvragen and meldingen per inhabitant (a seed statement)
                eff[k] = max(eff[k], dr * 1.07)
            eff[DR] = dr
        self.eff_m = eff_m
        X = {"A": counts(self.pop, NAT_A, eff_a)[..., None], "M": counts(self.pop, NAT_M, eff_m)[..., None]}
        zw_m = float(X["M"][GEO.members(ZW, 2021), T2021].sum())
        self.zw = solve_zw(zw_m)
        c = self.cons_total
        for what, block in (("A", "adviezen"), ("M", "meldingen")):
            for p, v in REAL["national_halfyear"][block].items():
                c[what].append(point("NL01", p, [0], v, label=f"NL {p} {block}"))
            for p, v in REAL["national_halfyear_2025"][block].items():
                c[what].append(point("NL01", p, [0], v, label=f"NL {p} {block}"))
            for p, v in REAL["national_year"][block].items():
                c[what].append(point("NL01", p, [0], v, label=f"NL {p} {block}"))
        for key, vals in REAL["meldingen_2020_regional"]["values"].items():
            for p, v in vals.items():
                c["M"].append(point(key, p, [0], v, label=f"{key} {p} meldingen (84852NED)"))
        for row in real_rows("r84849"):
            title, key, p, a, m = row
            if title != "Totaal":
                continue
            for what, v in (("A", a), ("M", m)):
                if isinstance(v, (int, float)):
                    c[what].append(point(key, p, [0], v, label=f"{key} {p} {what} (84849NED)"))
        for row in real_rows("r84852"):
            tax, beo, key, p, v = row
            if ("84852NED", key, p) in SHOWN_ONLY:
                continue
            if tax == "Totaal" and beo == "Totaal":
                con = point(key, p, [0], v, label=f"{key} {p} M (84852NED)")
                if key == "PV25" and p == "2023JJ00":  # as CBS adds it up: the three VT-regio's
                    con.g = np.concatenate([GEO.members(vt, 2023) for vt in GELDERLAND_VT])
                c["M"].append(con)
        for key, p, vals in real_rows("r85361"):
            if vals.get(1) is not None:
                c["M"].append(point(key, p, [0], vals[1], label=f"{key} {p} M (85361NED)"))
                continue
            lo, hi = 0.0, 1e9
            for i in range(2, 11):  # CBS's percentages bound the total
                n, pct = vals.get(i), vals.get(i + 10)
                if n is not None and pct is not None and pct >= 5:
                    lo, hi = max(lo, (n - 2.0) / (pct + 0.05) * 100), min(hi, (n + 2.0) / (pct - 0.05) * 100)
            if lo < hi and hi < 1e9:
                con = interval(key, p, [0], lo + 0.2 * (hi - lo), hi - 0.2 * (hi - lo), label=f"{key} {p} M (85361NED %)")
                if key == "PV25" and p == "2023JJ00":  # CBS's Gelderland: its three VT-regio's (see above)
                    con.g = np.concatenate([GEO.members(vt, 2023) for vt in GELDERLAND_VT])
                c["M"].append(con)
        for key, p, a, m in real_rows("r84851_totals"):
            c["A"].append(point(key, p, [0], a, label=f"{key} {p} A (84851NED)"))
            c["M"].append(point(key, p, [0], m, label=f"{key} {p} M (84851NED)"))
        c["A"].append(point(DR, "2021HJ01", [0], self.dr["A"], label="Drenthe seed A"))
        c["M"].append(point(DR, "2021HJ01", [0], self.dr["M"], label="Drenthe seed M"))
        c["M"].append(point(ZW, "2021HJ01", [0], self.zw["M"], label="ZW seed M"))
        for what in ("A", "M"):
            anchor(X[what], c[what], rounds=20)
            UNMET.extend(fit(X[what], c[what], what=f"totaal {what}"))
        self.A, self.M = X["A"][..., 0], X["M"][..., 0]
        # 84852NED: Drenthe's 2021HJ01 total as that table rounds it; Groningen absorbs the difference
        self.M852 = self.M.copy()
        dr, gr = GEO.members(DR, 2021), GEO.members("VT08", 2021)
        s_dr, s_gr = self.M[dr, T2021].sum(), self.M[gr, T2021].sum()
        new = s_dr * self.dr["M2"] / self.dr["M"]
        self.M852[dr, T2021] *= new / s_dr
        self.M852[gr, T2021] *= (s_gr - (new - s_dr)) / s_gr
        mook = GEO.gi[key_of("Mook en Middelaar", 2023)]
        rest = np.array([g for g in GEO.members("VT06", 2023) if g != mook])
        for t in periods_of("2023JJ00"):
            self.M852[rest, t] *= (self.M852[rest, t].sum() + self.M852[mook, t]) / self.M852[rest, t].sum()
            self.M852[mook, t] = 0.0

    # -- 84849NED ------------------------------------------------------------------------
    def kenmerken(self):
        self.k849 = {}
        nl_groups = REAL["adviesvragers_organisatie_pct"]
        for what, total in (("A", self.A), ("M", self.M)):
            nat = NAT849[what]
            cons = {"top": [], "org": [], "rol": [], "duur": []}
            leaves = {"top": TOP, "org": ORG, "rol": ROL, "duur": DUUR}
            col = 3 if what == "A" else 4
            for rows in (real_rows("r84849"), real_rows("r84848")):
                for row in rows:
                    title, key, p, v = row[0], row[1], row[2], row[col]
                    split, lv = C849[title]
                    if split == "total" or v == "?":
                        continue
                    lo_hi = (0.3, 7.4) if v is None else (v - TOL, v + TOL)
                    cons[split].append(Con(GEO.members(key, int(p[:4])), periods_of(p), idx(leaves[split], lv), *lo_hi,
                                           label=f"{key} {p} {title} {what}"))
            # seeds and the real national shares of adviesvragers (2020-2022)
            if what == "A":
                for p, shares_ in nl_groups.items():
                    if p in ("source", "status"):
                        continue
                    a_nl = REAL["national_halfyear"]["adviezen"][p]
                    for label, (split, lv, v) in self._group_counts(a_nl, shares_, p).items():
                        cons[split].append(point("NL01", p, idx(leaves[split], lv), v, label=f"NL {p} {label}"))
                d = self.dr
                cons["top"].append(point(DR, "2021HJ01", [0], d["nb_a"], label="DR nb A"))
                ov = split5(d["overig"], [0.1, 0.01, 0.89])
                for leaf, v in zip(["avt", "inzet", "ao"], ov):
                    cons["org"].append(point(DR, "2021HJ01", idx(ORG, [leaf]), v, label=f"DR {leaf} A"))
                for leaf, v in (("ko", 20), ("ha", 30), ("mw", 100)):
                    cons["org"].append(point(DR, "2021HJ01", idx(ORG, [leaf]), v, label=f"DR {leaf} A (statement)"))
            else:
                d = self.dr
                nl_m = REAL["national_halfyear"]["meldingen"]["2021HJ01"]
                pol = window(nl_m, seed("melders_politie_pct", "Nederland"))
                cons["org"].append(point("NL01", "2021HJ01", idx(ORG, ["pol"]), pol[len(pol) // 2], label="NL pol M"))
                cons["org"].append(point(DR, "2021HJ01", idx(ORG, ["pol"]), d["pol"], label="DR pol M"))
                for leaf, v in (("ko", 5), ("ha", 5), ("mw", 10)):
                    cons["org"].append(point(DR, "2021HJ01", idx(ORG, [leaf]), v, label=f"DR {leaf} M (statement)"))
                cons["top"].append(point(DR, "2021HJ01", [0], d["nb_m"], label="DR nb M"))
                cons["duur"].append(point(ZW, "2021HJ01", [0], self.zw["week"], label="ZW week"))
                cons["duur"].append(point(ZW, "2021HJ01", [5], self.zw["l5"], label="ZW >5 jaar"))
            out = {}
            fixed = {}
            if what == "M":  # Drenthe: kinderopvang, huisarts and maatschappelijk werk melden weinig
                fixed = {(DR, "ko"): 0.45, (DR, "ha"): 0.4, (DR, "mw"): 0.45}
            else:
                fixed = {(DR, "ko"): 1.25, (DR, "ha"): 1.3, (DR, "mw"): 1.3}
            for split in ("top", "org", "rol", "duur"):
                natp = {k: np.full(T, v) for k, v in nat[split].items()}
                if split == "org":  # from 2023 maatschappelijk werk is not published apart (in 'anders')
                    natp["ao"] = natp["ao"] + np.where(np.arange(T) >= T2023, natp["mw"], 0)
                    natp["mw"] = np.where(np.arange(T) >= T2023, 1e-9, natp["mw"])
                if split == "top" and what == "A":
                    natp["nb"] = path({"2019HJ01": 0.43, "2020HJ01": 0.429, "2021HJ01": 0.448, "2022HJ01": 0.428,
                                       "2023HJ01": 0.441, "2025HJ01": 0.4416})
                quiet = {ZW: 0.3, DR: 0.3} if split in ("duur",) else None
                lv, S, _ = shares(natp, {k: 0.12 for k in natp} | ({"nb": 0.12} if split == "top" else {}),
                                  fixed_eff=fixed if split == "org" else None, quiet=quiet)
                parent = total if split in ("top", "duur") else out["top"][..., 1]
                X = S * parent[..., None]
                anchor(X, cons[split], parent=parent, rounds=8)
                UNMET.extend(fit(X, cons[split], parent=parent, what=f"84849 {what} {split}"))
                out[split] = X
            self.k849[what] = out

    def _group_counts(self, total: int, shares_: dict, period: str) -> dict:
        """Counts per catalogue group that show the real national shares, leaves in multiples of 5;
        Bureau Leerplicht (in no group) takes what is left."""
        choice = {}
        for label, pct in shares_.items():
            choice[label] = window(total, float(pct))
        target = total - round(0.002 * total)
        pick = {k: v[len(v) // 2] for k, v in choice.items()}
        for _ in range(200):  # move picks within their windows towards the target sum
            diff = sum(pick.values()) - target
            if abs(diff) < U:
                break
            step = -U if diff > 0 else U
            for k, opts in choice.items():
                i = opts.index(pick[k])
                j = i + (1 if step > 0 else -1)
                if 0 <= j < len(opts):
                    pick[k] = opts[j]
                    break
        out = {}
        for label, v in pick.items():
            split, lv = GROUP_LEAVES[label]
            parts = split5(v, [NAT849["A"][split][x] for x in lv]) if len(lv) > 1 else [v]
            for leaf, part in zip(lv, parts):
                out[f"{label}:{leaf}"] = (split, [leaf], part)
            MARKS.values.append({"indicator": "adviesvragers_type_pct", "region_key": "NL01", "period": period,
                                 "category": label, "tables": ["84849NED"]})
        return out

    # -- 84852NED ------------------------------------------------------------------------
    def veiligheid(self):
        cons = {"tax": [], "beo": []}
        for tax, beo, key, p, v in real_rows("r84852"):
            if ("84852NED", key, p) in SHOWN_ONLY or (tax == "Totaal" and beo == "Totaal"):
                continue
            if tax != "Totaal" and beo != "Totaal":
                continue  # no joint cells in the references
            split, lv = ("tax", C852_TAX[tax]) if tax != "Totaal" else ("beo", C852_BEO[beo])
            leaves = TAX if split == "tax" else BEO
            lo_hi = (0.3, 7.4) if v is None else (v - TOL, v + TOL)
            cons[split].append(Con(GEO.members(key, int(p[:4])), periods_of(p), idx(leaves, lv), *lo_hi, label=f"{key} {p} {tax}/{beo}"))
        # seeds: acute + structural + both, per leaf in multiples of 5
        nl_m = REAL["national_halfyear"]["meldingen"]["2021HJ01"]
        nl = window(nl_m, seed("meldingen_acuut_structureel_pct", "Nederland"))
        for key, total in (("NL01", nl[len(nl) // 2]), (ZW, self.zw["acuut"]), (DR, self.dr["acuut"])):
            for leaf, v in zip(["acute", "struct", "beide"], split5(total, [0.10, 0.80, 0.10])):
                cons["tax"].append(point(key, "2021HJ01", idx(TAX, [leaf]), v, label=f"{key} seed {leaf}"))
        # the worked examples: in ZW and Drenthe the share rose slightly up to 2020HJ02 and fell after
        # (synthetic anchors, not published figures)
        for key, shares_ in ((ZW, [53.4, 54.6, 55.8, 56.9]), (DR, [23.1, 23.9, 24.7, 25.4])):
            for p, pct in zip(["2019HJ01", "2019HJ02", "2020HJ01", "2020HJ02"], shares_):
                total = float(round5(self.M852[GEO.members(key, int(p[:4])), TI[p]].sum()))
                count = int(round5(pct / 100 * total))
                for leaf, v in zip(["acute", "struct", "beide"], split5(count, [0.10, 0.80, 0.10])):
                    cons["tax"].append(point(key, p, idx(TAX, [leaf]), v, label=f"{key} {p} {leaf} (example)"))
        # acute/structural share: nationally up to 2020HJ02, then down; ZW high, Drenthe low
        rise = path({"2019HJ01": 0.410, "2019HJ02": 0.420, "2020HJ01": 0.431, "2020HJ02": 0.442, "2021HJ01": 0.428,
                     "2022HJ01": 0.405, "2023HJ01": 0.385, "2025HJ01": 0.37})
        natt = {"acute": rise * 0.10, "struct": rise * 0.80, "beide": rise * 0.10, "geen": (1 - rise) * 0.93,
                "t_onb": (1 - rise) * 0.07}
        eff = {}
        for leaf in ("acute", "struct", "beide"):
            eff[(ZW, leaf)] = 55.6 / 42.8
            eff[(DR, leaf)] = 23.9 / 42.8
        lv, S, effs = shares(natt, {"acute": 0.12, "struct": 0.12, "beide": 0.12, "geen": 0.05, "t_onb": 0.3},
                             fixed_eff=eff, quiet={ZW: 0.0, DR: 0.0}, noise=0.03)
        X = S * self.M852[..., None]
        anchor(X, cons["tax"], parent=self.M852, rounds=8)
        UNMET.extend(fit(X, cons["tax"], parent=self.M852, what="84852 taxatie"))
        natb = {"vervolg": 0.45, "overdracht": 0.36, "b_geen": 0.10, "inzet": 0.05, "nognniet": 0.04}
        lv, S, _ = shares(natb, {k: 0.3 for k in natb}, fixed_eff={(DR, "overdracht"): 1.9, (DR, "vervolg"): 0.55})
        B = S * self.M852[..., None]
        anchor(B, cons["beo"], parent=self.M852, rounds=8)
        UNMET.extend(fit(B, cons["beo"], parent=self.M852, what="84852 beoordeling"))
        self.tax, self.beo = X, B

    # -- 84851NED: aard (more than one form per melding: no partition) --------------------
    def aard(self):
        ratio = {"cas": 0.785, "ond": 0.075, "vw": 0.066}
        self.k851 = {"A": self.A, "M": self.M}
        for m, r in ratio.items():
            eff = regional_effects(0.06)
            self.k851[m] = self.M * r * vt_matrix(eff) * np.exp(rng.normal(0, 0.03, self.M.shape))
        nat = {"A": {"km": 0.52, "gto": 0.03, "pg": 0.18, "oud": 0.035, "hgo": 0.05, "ap": 0.30, "geen": 0.004, "onb": 0.012, "mh": 0.004},
               "M": {"km": 0.53, "gto": 0.06, "pg": 0.37, "oud": 0.02, "hgo": 0.09, "ap": 0.21, "geen": 0.002, "onb": 0.006, "mh": 0.004}}
        self.aard_frac = {}
        for m in ("A", "M", "cas", "ond", "vw"):
            base = nat["A" if m == "A" else "M"]
            fr = {}
            for c, v in base.items():
                eff = regional_effects(0.10)
                fr[c] = np.minimum(0.95, v * vt_matrix(eff) * np.exp(rng.normal(0, 0.04, self.M.shape)))
            self.aard_frac[m] = fr

    # -- 84855NED: overdracht (a case can go to more than one organisation) ----------------
    def overdracht(self):
        eff = regional_effects(0.06)
        self.cas55 = (self.M * 0.93 * vt_matrix(eff) * np.exp(rng.normal(0, 0.03, self.M.shape)))[..., None]
        zw_total = float(self.cas55[GEO.members(ZW, 2021), T2021].sum())
        opts = [(t, k) for k in (5, 10, 15) for t in range(100, 3000, U) if safe(k / t * 100, seed("overdracht_rvdk_pct", "Zaanstreek-Waterland"))]
        t_zw, k_zw = min(opts, key=lambda o: abs(o[0] - zw_total))
        UNMET.extend(fit(self.cas55, [point(ZW, "2021HJ01", [0], t_zw, label="ZW 84855 totaal")], what="84855 totaal"))
        orgs = ["geen", "lokaal", "regulier", "politie", "om", "rvdk", "gi", "vo", "andere"]
        nat = {"geen": 0.30, "lokaal": 0.38, "regulier": 0.22, "politie": 0.09, "om": 0.012, "rvdk": 0.021, "gi": 0.05, "vo": 0.02, "andere": 0.10}
        effs = {o: regional_effects(0.25) for o in orgs}
        effs["rvdk"][ZW] = 0.33
        effs["om"][ZW] = 0.02
        self.org55 = np.stack([self.cas55[..., 0] * np.minimum(0.9, nat[o] * vt_matrix(effs[o]) * np.exp(rng.normal(0, 0.05, self.M.shape)))
                               for o in orgs], axis=-1)
        UNMET.extend(fit(self.org55, [point(ZW, "2021HJ01", [orgs.index("rvdk")], k_zw, label="ZW rvdk")], what="84855 rvdk"))
        self.ac55 = self.cas55[..., 0] * 0.47 * vt_matrix(regional_effects(0.08))
        q = {"om": 0.85, "politie": 0.75, "rvdk": 0.7, "gi": 0.7}
        self.acorg55 = np.stack([self.org55[..., i] * q.get(o, 0.45) for i, o in enumerate(orgs)], axis=-1)
        UNMET.extend(fit(self.acorg55, [Con(GEO.members(ZW, 2021), [T2021], [orgs.index("om")], 0.0, 1.5, label="ZW OM acuut")],
                         what="84855 OM acuut"))
        self.orgs55 = orgs

    # -- 85361NED --------------------------------------------------------------------------
    def betrokkenheid(self):
        cons = []
        for key, p, vals in real_rows("r85361"):
            for i in range(2, 11):
                v = vals.get(i, "missing")
                if v == "missing":
                    continue
                lo_hi = (0.3, 7.4) if v is None else (v - TOL, v + TOL)
                cons.append(Con(GEO.members(key, int(p[:4])), periods_of(p), idx(EB, M361[i]), *lo_hi, label=f"{key} {p} m{i}"))
        nat = {"eerste": 0.325, "h_meer": 0.335, "h_een": 0.043, "v_tijdens": 0.13, "v_na": 0.10, "v_mon": 0.05, "niet": 0.017}
        lv, S, _ = shares(nat, {k: 0.15 for k in nat})
        X = S * self.M[..., None]
        anchor(X, cons, parent=self.M, rounds=8)
        UNMET.extend(fit(X, cons, parent=self.M, what="85361"))
        self.eb = X

    # -- 82975NED: jeugdbescherming (no VT rows) --------------------------------------------
    def jeugdbescherming(self):
        ots = REAL["ots_national"]
        nat_ots = path({**ots["ots_gestart"], "2019HJ02": 4615, "2020HJ02": 4400, "2021HJ02": 3845, "2022HJ02": 3165,
                        "2023HJ02": 3200, "2024HJ01": 3150, "2024HJ02": 3100, "2025HJ01": 3050})
        nat_vots = path({"2019HJ01": 720, "2021HJ01": 700, "2022HJ01": 690, "2023HJ01": 675, "2025HJ01": 650})
        nat_bvp = path({"2019HJ01": 2950, "2021HJ01": 3050, "2023HJ01": 3110, "2025HJ01": 3000})
        nat_voogdij = path({"2019HJ01": 10500, "2022HJ01": 10375, "2023HJ01": 10360, "2025HJ01": 10250})
        eff = regional_effects(0.18)
        zw_rate = seed("ots_per_10k", "Zaanstreek-Waterland") / ((nat_ots[T2021] + nat_vots[T2021]) / self.pop.at(2021).sum() * 1e4)
        eff[ZW] = zw_rate
        self.j = {}
        for name, nat, sd in (("ots", nat_ots, 0.0), ("vots", nat_vots, 0.1), ("bvp", nat_bvp, 0.1), ("voogdij", nat_voogdij, 0.1)):
            e = {k: v * math.exp(rng.normal(0, sd)) for k, v in eff.items()} if sd else eff
            if name == "vots":
                e[ZW] = zw_rate
            self.j[name] = counts(self.pop, nat, e, sd_gm=0.15)[..., None]
        cons = {"ots": [], "vots": [], "bvp": [], "voogdij": []}
        for p, v in ots["ots_gestart"].items():
            cons["ots"].append(point("NL01", p, [0], v, label=f"NL OTS {p}"))
        for p, v in ots.get("ots_gestart_year", {}).items():
            cons["ots"].append(point("NL01", p, [0], v, label=f"NL OTS {p}"))
        for p, v in ots.get("vots_gestart", {}).items():
            cons["vots"].append(point("NL01", p, [0], v, label=f"NL VOTS {p}"))
        for name, key, p, v in real_rows("r82975"):
            w = 0.5 if (name == "voogdij" and p.endswith("JJ00")) else 1.0
            lo_hi = (0.3, 7.4) if v is None else (v - TOL, v + TOL)
            year = int(p[:4])
            cons[name].append(Con(GEO.members(key, year), periods_of(p), [0], lo_hi[0], lo_hi[1], w=w, label=f"{key} {p} {name}"))
        for name in cons:
            anchor(self.j[name], cons[name], rounds=8)
            UNMET.extend(fit(self.j[name], cons[name], what=f"82975 {name}"))


# ---------------------------------------------------------------- CBS-shaped output
def period_keys(table: str) -> list[str]:
    spec = SPECS[table]
    if spec.get("yearly"):
        return [f"{y}JJ00" for y in POP_YEARS]
    out = []
    for y in YEARS:
        out += [f"{y}HJ01", f"{y}HJ02", f"{y}JJ00"]
    return out + ["2025HJ01"]


def period_title(table: str, p: str) -> str:
    flag = PROVISIONAL.get(p, "")
    if p.endswith("JJ00"):
        return p[:4] + flag
    h = p[-1]
    if table == "82975NED":
        return f"{p[:4]} {h}e halfjaar{flag}"
    return f"{h}e halfjaar {p[:4]}{flag}"


def level_regions(table: str, year: int) -> list[R.Region]:
    levels = SPECS[table]["levels"]
    return [r for lvl in levels for r in R.regions_at(lvl, f"{year}JJ00")]


@lru_cache(maxsize=None)
def membership(table: str, year: int):
    regs = level_regions(table, year)
    return regs, [GEO.members(r.key, year) for r in regs]


def region_sums(members: list[np.ndarray], X: np.ndarray) -> np.ndarray:
    """Per region the sum of its gemeenten's rows of ``X`` (G x K), in a fixed order (no BLAS)."""
    return np.stack([X[m].sum(axis=0) for m in members])


def region_order(regs: list[R.Region]) -> list[R.Region]:
    lv = {l: i for i, l in enumerate(R.LEVELS)}
    newest = {r.key: R.get(r.key) for r in regs}
    return sorted({r.key: r for r in regs}.values(),
                  key=lambda r: (lv[r.level], GEO.title(newest[r.key]) if r.level == "gemeente" else r.key))


class Layout:
    """The dimension and measure rows of one table (from tables.yaml)."""

    def __init__(self, table: str):
        self.table = table
        self.spec = SPECS[table]
        self.dims = [(d["key"], [str(c["key"]) for c in d["categories"]]) for d in self.spec.get("dimensions") or []]
        self.measures = [m["key"] for m in self.spec["measures"]]
        self.geo = (self.spec.get("geo") or {}).get("key", "RegioS")
        self.width = (self.spec.get("geo") or {}).get("width", 6)

    def combos(self) -> list[tuple]:
        out = [()]
        for _, keys in self.dims:
            out = [c + (k,) for c in out for k in keys]
        return out

    def cat(self, dim_index: int, title: str) -> str:
        return cat_key(self.table, self.dims[dim_index][0], title)


def assemble(table: str, arrays: dict, *, year_mode=None, rounding=True, suppress=True, periods=None, by_year=False) -> pd.DataFrame:
    """Rows for every region and period of the table: ``arrays[(combo, measure)]`` is a gemeente x
    half-year float array (or x year for yearly tables); region = sum of its gemeenten."""
    lay = Layout(table)
    labels = list(arrays)
    periods = periods or period_keys(table)
    yearly = bool(SPECS[table].get("yearly"))
    frames = []
    stack = np.stack([arrays[k] for k in labels], axis=-1)  # G x T x K
    for p in periods:
        y = int(p[:4])
        regs, M = membership(table, y)
        if yearly or by_year:
            vals = region_sums(M, stack[:, POP_YEARS.index(y), :])
        else:
            ts = periods_of(p)
            part = stack[:, ts, :]
            if len(ts) == 1:
                vals = region_sums(M, part[:, 0, :])
            else:
                mean = np.array([1.0 if (year_mode or {}).get(m) != "mean" else 0.5 for (_c, m) in labels])
                vals = region_sums(M, part[:, 0, :] + part[:, 1, :]) * mean[None, :]
        if rounding:
            vals = round5(vals)
        df = pd.DataFrame(vals, columns=list(range(len(labels))))
        df["region"] = [r.key for r in regs]
        df["level"] = [r.level for r in regs]
        df["period"] = p
        frames.append(df)
    wide = pd.concat(frames, ignore_index=True)
    col = {lab: i for i, lab in enumerate(labels)}
    rows = []
    combos = list(dict.fromkeys(c for c, _ in labels))
    for combo in combos:
        part = pd.DataFrame({"region": wide["region"], "level": wide["level"], "period": wide["period"]})
        for m in lay.measures:
            part[m] = wide[col[(combo, m)]] if (combo, m) in col else np.nan
        for (dk, _), ck in zip(lay.dims, combo):
            part[dk] = ck
        rows.append(part)
    out = pd.concat(rows, ignore_index=True)
    if suppress:
        gm = out["level"].eq("gemeente")
        for m in lay.measures:
            out.loc[gm & out[m].eq(U), m] = np.nan
    return out


def write_table(out_dir: Path, table: str, df: pd.DataFrame, *, pct=None) -> tuple[int, pd.DataFrame]:
    lay = Layout(table)
    spec = SPECS[table]
    has_time = not spec.get("per_year")
    dims = [d for d, _ in lay.dims]
    regs = region_order([R.get(k) for k in df["region"].unique()])
    order_r = {r.key: i for i, r in enumerate(regs)}
    periods = [p for p in (period_keys(table) if has_time else [])]
    order_p = {p: i for i, p in enumerate(periods)}
    cat_order = {d: {k: i for i, k in enumerate(keys)} for d, keys in lay.dims}
    sort = df.assign(_r=df["region"].map(order_r), _p=df["period"].map(order_p) if has_time else 0,
                     **{f"_{d}": df[d].map(cat_order[d]) for d in dims})
    df = sort.sort_values([*(f"_{d}" for d in dims), "_r", "_p"], kind="stable").reset_index(drop=True)
    data = pd.DataFrame({"ID": np.arange(len(df), dtype=np.int64)})
    for d in dims:
        data[d] = df[d].astype(str)
    data[lay.geo] = df["region"].map(lambda k: k.ljust(lay.width))
    if has_time:
        data["Perioden"] = df["period"]
    for m in lay.measures:
        data[m] = df[m].astype("float64")
    # metadata in the CBS OData v3 shape
    props, pid = [], 0

    def add(row):
        nonlocal pid
        row = {"odata.type": f"Cbs.OData.{row['Type']}", "ID": pid, "Position": pid, "ParentID": row.pop("ParentID", None), **row}
        props.append(row)
        pid += 1
        return row["ID"]

    for d in spec.get("dimensions") or []:
        add({"Type": "Dimension", "Key": d["key"], "Title": d["title"], "Description": ""})
    add({"Type": "GeoDimension", "Key": lay.geo, "Title": (spec.get("geo") or {}).get("title", "Regio's"), "Description": ""})
    if has_time:
        add({"Type": "TimeDimension", "Key": "Perioden", "Title": "Perioden", "Description": ""})
    groups: dict[tuple, int] = {}
    for m in spec["measures"]:
        parent = None
        path_ = tuple(m.get("group") or [])
        for i in range(len(path_)):
            key = path_[: i + 1]
            if key not in groups:
                groups[key] = add({"Type": "TopicGroup", "Key": "", "Title": key[-1], "Description": "", "ParentID": parent})
            parent = groups[key]
        add({"Type": "Topic", "Key": m["key"], "Title": m["title"], "Description": "", "ParentID": parent,
             "Datatype": "Long" if m["unit"] == "aantal" else "Double", "Unit": m["unit"],
             "Decimals": 0 if m["unit"] == "aantal" else 1, "Default": "Impossible"})
    meta = {
        "TableInfos": [{
            "ID": 1, "Identifier": table, "Title": spec["title"], "ShortTitle": spec["title"][:60],
            "Modified": "2025-10-24T02:00:00", "Language": "nl", "Catalog": "CBS",
            "Frequency": "Perjaar" if (spec.get("yearly") or spec.get("per_year")) else "Perhalfjaar",
            "Period": f"{periods[0]} - {periods[-1]}" if periods else str(spec.get("year", "")),
            "Summary": "OEFENDATA: synthetische oefentabel in de structuur van deze CBS-tabel.",
            "Description": "OEFENDATA gemaakt door impactmonitor (scripts/generate_oefendata.py); niet voor beleid "
                           "gebruiken. Alleen de cellen die het manifest als echt markeert (real_cells) zijn "
                           "gepubliceerde CBS-cijfers; al het andere is verzonnen.",
        }],
        "DataProperties": props,
        "CategoryGroups": [],
    }
    for d in spec.get("dimensions") or []:
        meta[d["key"]] = [{"Key": str(c["key"]), "Title": c["title"], "Description": "", "CategoryGroupID": None}
                          for c in d["categories"]]
    meta[lay.geo] = [{"Key": r.key.ljust(lay.width), "Title": GEO.title(R.get(r.key)), "Description": "",
                      "CategoryGroupID": None} for r in regs]
    if has_time:
        meta["Perioden"] = [{"Key": p, "Title": period_title(table, p), "Description": "",
                             "Status": "Voorlopig" if p in PROVISIONAL else "Definitief"} for p in periods]
    (out_dir / f"{table}.meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    data.to_parquet(out_dir / f"{table}.parquet", index=False, compression="zstd", compression_level=9)
    return len(data), data


# ---------------------------------------------------------------- tables from the model
def leafsum(X, leaves_all, chosen):
    return X[..., idx(leaves_all, chosen)].sum(-1)


def tables_from(b: Build) -> dict[str, tuple[dict, dict]]:
    """Per table: (arrays, options) for :func:`assemble`."""
    out = {}
    out["84847NED"] = ({((), "GestarteAdviezen_1"): b.A, ((), "OntvangenMeldingen_2"): b.M}, {})
    # 84849NED
    lay = Layout("84849NED")
    arr = {}
    titles = {str(c["key"]): c["title"] for c in SPECS["84849NED"]["dimensions"][0]["categories"]}
    splits = {"top": TOP, "org": ORG, "rol": ROL, "duur": DUUR}
    for what, mk in (("A", "GestarteAdviezen_1"), ("M", "OntvangenMeldingen_2")):
        total = b.A if what == "A" else b.M
        for ck in lay.dims[0][1]:
            split, lv = C849[titles[ck]]
            arr[((ck,), mk)] = total if split == "total" else leafsum(b.k849[what][split], splits[split], lv)
    out["84849NED"] = (arr, {})
    # 84851NED
    lay = Layout("84851NED")
    cats = dict(zip(lay.dims[0][1], [None, "km", "gto", "pg", "oud", "hgo", "ap", "geen", "onb", "mh"]))
    arr = {}
    for m, mk in zip(("A", "M", "cas", "ond", "vw"), lay.measures):
        for ck, c in cats.items():
            arr[((ck,), mk)] = b.k851[m] if c is None else b.k851[m] * b.aard_frac[m][c]
    out["84851NED"] = (arr, {})
    # 84852NED
    lay = Layout("84852NED")
    tax_leaf = dict(zip(lay.dims[0][1], [None, *range(5)]))
    beo_leaf = dict(zip(lay.dims[1][1], [None, *range(5)]))
    Msafe = np.where(b.M852 > 0, b.M852, 1)
    arr = {}
    for tk, ti in tax_leaf.items():
        for bk, bi in beo_leaf.items():
            if ti is None and bi is None:
                v = b.M852
            elif ti is None:
                v = b.beo[..., bi]
            elif bi is None:
                v = b.tax[..., ti]
            else:
                v = b.tax[..., ti] * b.beo[..., bi] / Msafe
            arr[((tk, bk), "OntvangenMeldingen_1")] = v
    out["84852NED"] = (arr, {})
    # 84855NED
    lay = Layout("84855NED")
    arr = {}
    for i, ok in enumerate(lay.dims[0][1]):
        tot = b.cas55[..., 0] if i == 0 else b.org55[..., i - 1]
        ac = b.ac55 if i == 0 else b.acorg55[..., i - 1]
        arr[((ok, lay.dims[1][1][0]), "CasussenMetOverdracht_1")] = tot
        arr[((ok, lay.dims[1][1][1]), "CasussenMetOverdracht_1")] = ac
    out["84855NED"] = (arr, {})
    # 85361NED (counts; the relative measures follow from the rounded counts)
    lay = Layout("85361NED")
    arr = {((), lay.measures[i - 1]): leafsum(b.eb, EB, M361[i]) for i in range(1, 11)}
    out["85361NED"] = (arr, {})
    # 82975NED
    lay = Layout("82975NED")
    arr = {((), mk): b.j[n][..., 0] for n, mk in zip(("ots", "vots", "bvp", "voogdij"), lay.measures)}
    out["82975NED"] = (arr, {"suppress": False, "year_mode": {"Voogdij_4": "mean"}})
    return out


def fix_ots_seed(df: pd.DataFrame, b: Build) -> None:
    """ots_per_10k for Zaanstreek-Waterland 2021HJ01 sums rounded gemeente cells: make the sum show the seed."""
    members = [g.key for g in R.members(ZW, "2021JJ00")]
    pop = b.pop.region(ZW, 2021)
    ok = [k for k in range(0, 400, U) if safe(k / pop * 1e4, seed("ots_per_10k", "Zaanstreek-Waterland"))]
    rows = df[df["region"].isin(members) & df["period"].eq("2021HJ01")].index
    cols = ["GestarteTrajecten_1", "GestarteTrajecten_2"]
    now = int(df.loc[rows, cols].sum().sum())
    target = min(ok, key=lambda k: abs(k - now))
    step = U if target > now else -U
    i = 0
    while now != target:
        r = rows[i % len(rows)]
        if df.at[r, cols[0]] + step >= 0:
            df.at[r, cols[0]] += step
            now += step
        i += 1


def percentages_85361(df: pd.DataFrame) -> None:
    lay = Layout("85361NED")
    tot = df[lay.measures[0]]
    for i in range(10):
        n = df[lay.measures[i]]
        with np.errstate(divide="ignore", invalid="ignore"):
            pct = np.where((tot > 0) & n.notna(), n / tot.where(tot > 0) * 100, np.nan)
        df[lay.measures[i + 10]] = [r1(v) if not np.isnan(v) else np.nan for v in pct]


# ---------------------------------------------------------------- real marks
def real_cells() -> dict[str, list[tuple]]:
    """(measure key, region, period, {dim: cat key}, value or None for '.') per table."""
    out: dict[str, list] = {t: [] for t in SPECS}
    nat = REAL["national_halfyear"]
    for block, mks in (("adviezen", {"84847NED": "GestarteAdviezen_1", "84849NED": "GestarteAdviezen_1"}),
                       ("meldingen", {"84847NED": "OntvangenMeldingen_2", "84849NED": "OntvangenMeldingen_2",
                                      "84852NED": "OntvangenMeldingen_1"})):
        for src in (nat[block], REAL["national_halfyear_2025"][block]):
            for p, v in src.items():
                for t, mk in mks.items():
                    out[t].append((mk, "NL01", p, _totals(t), v))
    for p, v in REAL["national_year"]["meldingen"].items():
        tables = {"84852NED": "OntvangenMeldingen_1"} if p == "2020JJ00" else {"84847NED": "OntvangenMeldingen_2", "84849NED": "OntvangenMeldingen_2"}
        for t, mk in tables.items():
            out[t].append((mk, "NL01", p, _totals(t), v))
    for p, v in REAL["national_year"]["adviezen"].items():
        for t in ("84847NED", "84849NED"):
            out[t].append(("GestarteAdviezen_1", "NL01", p, _totals(t), v))
    for key, vals in REAL["meldingen_2020_regional"]["values"].items():
        for p, v in vals.items():
            out["84852NED"].append(("OntvangenMeldingen_1", key, p, _totals("84852NED"), v))
    for rows in (real_rows("r84849"), real_rows("r84848")):
        for title, key, p, a, m in rows:
            cats = {"KenmerkenAdviezenMeldingen": cat_key("84849NED", "KenmerkenAdviezenMeldingen", title)}
            for mk, v in (("GestarteAdviezen_1", a), ("OntvangenMeldingen_2", m)):
                if v == "?":
                    continue
                out["84849NED"].append((mk, key, p, cats, v))
                if title == "Totaal" and v is not None and key != "NL01":
                    out["84847NED"].append((mk, key, p, {}, v))
    for tax, beo, key, p, v in real_rows("r84852"):
        cats = {"Veiligheidstaxatie": cat_key("84852NED", "Veiligheidstaxatie", tax),
                "Veiligheidsbeoordeling": cat_key("84852NED", "Veiligheidsbeoordeling", beo)}
        out["84852NED"].append(("OntvangenMeldingen_1", key, p, cats, v))
    lay = Layout("85361NED")
    for key, p, vals in real_rows("r85361"):
        for i, v in vals.items():
            out["85361NED"].append((lay.measures[i - 1], key, p, {}, v))
    for key, p, a, m in real_rows("r84851_totals"):
        cats = {"KenmerkenAdviezenMeldingenDiensten": "T001388"}
        out["84851NED"] += [("GestarteAdviezen_1", key, p, cats, a), ("OntvangenMeldingen_2", key, p, cats, m)]
    lay = Layout("82975NED")
    names = dict(zip(("ots", "vots", "bvp", "voogdij"), lay.measures))
    for p, v in {**REAL["ots_national"]["ots_gestart"], **REAL["ots_national"].get("ots_gestart_year", {})}.items():
        out["82975NED"].append((names["ots"], "NL01", p, {}, v))
    for p, v in REAL["ots_national"].get("vots_gestart", {}).items():
        out["82975NED"].append((names["vots"], "NL01", p, {}, v))
    for name, key, p, v in real_rows("r82975"):
        out["82975NED"].append((names[name], key, p, {}, v))
    tot = {"Geslacht": "T001038", "Leeftijd": "10000"}
    for (key, year), v in REAL_POP.items():
        if key == "NL01" and year not in VERIFIED_POP_NL:
            continue
        if key == "GM0757":
            continue  # Boxtel's figure is from the wijken-en-buurten table
        out["03759ned"].append(("BevolkingOp1Januari_1", key, f"{year}JJ00", tot, v))
    for mk, v in REAL["kwb_boxtel_2021"].items():
        if mk not in ("source", "status"):
            out["85039NED"].append((mk, "GM0757", None, {}, v))
    return out


def _totals(table: str) -> dict:
    return {d["key"]: str(d["categories"][0]["key"]) for d in SPECS[table].get("dimensions") or []}


def apply_real(table: str, df: pd.DataFrame, cells: list[tuple]) -> list[str]:
    """Write the real values (and '.') into the rows; every real cell must already round to its value
    (the fit made it so) — a difference is reported, and the real value is what is kept."""
    problems = []
    lay = Layout(table)
    keycols = [d for d, _ in lay.dims] + ["region"] + (["period"] if "period" in df and not SPECS[table].get("per_year") else [])
    index = {tuple(r): i for i, r in zip(df.index, df[keycols].itertuples(index=False, name=None))}
    for mk, key, p, cats, v in cells:
        full = tuple([cats.get(d, _totals(table)[d]) for d, _ in lay.dims] + [key] + ([p] if "period" in keycols else []))
        i = index.get(full)
        if i is None:
            problems.append(f"{table}: geen rij voor {full}")
            continue
        have = df.at[i, mk]
        if (table, key, p) in SHOWN_ONLY:
            NOTES.append(f"{table} {mk} {full}: model {have:.0f}, gepubliceerd {v} (getoond zoals gepubliceerd)")
        if v is None:
            df.at[i, mk] = np.nan
        else:
            if (table, key, p) not in SHOWN_ONLY and not (abs(have - v) < 1e-9) and not mk.endswith(tuple(f"_{n}" for n in range(11, 21))):
                problems.append(f"{table} {mk} {full}: model {have} vs echt {v}")
            df.at[i, mk] = float(v)
    return problems


def mark_ids(table: str, data: pd.DataFrame, cells: list[tuple]) -> dict[str, list[int]]:
    lay = Layout(table)
    has_time = "Perioden" in data
    keycols = [d for d, _ in lay.dims] + [lay.geo] + (["Perioden"] if has_time else [])
    stripped = data[keycols].apply(lambda s: s.str.strip())
    index = {tuple(r): i for i, r in zip(data["ID"], stripped.itertuples(index=False, name=None))}
    out: dict[str, list[int]] = {}
    for mk, key, p, cats, _v in cells:
        full = tuple([cats.get(d, _totals(table)[d]) for d, _ in lay.dims] + [key] + ([p] if has_time else []))
        if full in index:
            out.setdefault(mk, []).append(int(index[full]))
    return {m: sorted(set(v)) for m, v in sorted(out.items())}


# ---------------------------------------------------------------- population and context
def population_arrays(pop: Population) -> dict:
    lay = Layout("03759ned")
    sexes, ages = lay.dims[0][1], lay.dims[1][1]
    P = pop.pop.astype(float)  # G x years
    young = np.rint(P * pop.young[:, None])
    old = np.rint(P * pop.old[:, None])
    mid = P - young - old
    parts = {ages[0]: P, ages[1]: young, ages[2]: mid, ages[3]: old}
    nxt = np.concatenate([P[:, 1:], P[:, -1:] * (1 + pop.growth[:, None])], axis=1)
    nxt = np.where(nxt > 0, nxt, P * (1 + pop.growth[:, None] / 2))
    avg_ratio = np.where(P > 0, (P + nxt) / 2 / np.where(P > 0, P, 1), 0)
    arr = {}
    for ak, v in parts.items():
        men = np.rint(v * pop.men[:, None])
        for sk, sv in zip(sexes, (v, men, v - men)):
            arr[((sk, ak), "BevolkingOp1Januari_1")] = sv
            arr[((sk, ak), "GemiddeldeBevolking_2")] = np.rint(sv * avg_ratio)
    return arr


def dedupe_population(pop: Population) -> None:
    """No two gemeenten (hence no two VT-regio's by chance) share a figure in a year: move one
    inhabitant between two free gemeenten of the same provincie where values clash."""
    pinned = {(k, y) for (k, y) in REAL_POP if k.startswith("GM")}
    for yi, y in enumerate(POP_YEARS):
        for _ in range(50):
            v = pop.pop[:, yi]
            alive = np.where(v > 0)[0]
            vals, counts_ = np.unique(v[alive], return_counts=True)
            dup = set(vals[counts_ > 1].tolist())
            vt_vals = [pop.region(k.key, y) for k in R.regions_at("vt", f"{y}JJ00")]
            if not dup and len(set(vt_vals)) == len(vt_vals):
                break
            for g in alive:
                code = GEO.codes[g]
                if v[g] in dup and (code, y) not in pinned:
                    pv = R.get(code, f"{y}JJ00").provincie
                    mates = [m for m in GEO.members(pv, y) if m != g and (GEO.codes[m], y) not in pinned and v[m] not in dup]
                    if mates:
                        m = max(mates, key=lambda i: v[i])
                        pop.pop[g, yi] += 1
                        pop.pop[m, yi] -= 1
                        dup.discard(v[g] - 1)
            if len(set(vt_vals)) != len(vt_vals):  # two VT-regio's alike: shift within their provincie
                seen = {}
                for r in R.regions_at("vt", f"{y}JJ00"):
                    val = pop.region(r.key, y)
                    if val in seen:
                        mem = GEO.members(r.key, y)
                        free = [m for m in mem if (GEO.codes[m], y) not in pinned]
                        g = free[0]
                        pv = R.get(GEO.codes[g], f"{y}JJ00").provincie
                        out = [m for m in GEO.members(pv, y) if m not in mem and (GEO.codes[m], y) not in pinned]
                        if out:
                            pop.pop[g, yi] += 3
                            pop.pop[out[0], yi] -= 3
                    seen[val] = r.key


def context_frame(table: str, pop: Population) -> pd.DataFrame:
    """Kerncijfers wijken en buurten of one year: gemeente rows and Nederland."""
    year = int(SPECS[table]["year"])
    yi = POP_YEARS.index(year)
    lay = Layout(table)
    P = pop.pop[:, yi].astype(float)
    local = np.random.default_rng(SEED + year)  # the same gemeente keeps its character over the years
    base = np.random.default_rng(SEED + 1)
    f015 = (pop.young * 0.83 + base.normal(0, 0.004, GEO.G)).clip(0.10, 0.24)
    f1525 = base.normal(0.118, 0.012, GEO.G).clip(0.08, 0.2) + 0.03 * (P > 150_000)
    hh_size = (base.normal(2.22, 0.12, GEO.G) - 0.25 * (P > 150_000)).clip(1.6, 2.8) * (1 - 0.003 * (year - 2021))
    one = (base.normal(0.36, 0.05, GEO.G) + 0.14 * (P > 150_000)).clip(0.2, 0.62)
    kids = (0.82 - one - base.normal(0.12, 0.02, GEO.G)).clip(0.18, 0.45)
    low = (base.normal(6.8, 1.4, GEO.G) + 3.5 * (P > 150_000) - 0.15 * (year - 2021) + local.normal(0, 0.15, GEO.G)).clip(2.5, 16)
    dens = P / pop.area
    oad = (dens ** 0.92 * base.normal(1.35, 0.12, GEO.G) + 80).clip(60, 7000) * (1 + 0.002 * (year - 2021))
    hh = np.rint(P / hh_size)
    vals = {
        "AantalInwoners_5": P, "k_0Tot15Jaar_8": np.rint(P * f015), "k_15Tot25Jaar_9": np.rint(P * f1525),
        "k_65JaarOfOuder_12": np.rint(P * pop.old), "HuishoudensTotaal_28": hh, "Eenpersoonshuishoudens_29": np.rint(hh * one),
        "HuishoudensMetKinderen_31": np.rint(hh * kids), "Bevolkingsdichtheid_33": np.rint(dens),
        "Omgevingsadressendichtheid_106": np.rint(oad), "HuishoudensMetEenLaagInkomen_72": np.round(low, 1),
    }
    if year == 2021:  # Boxtel's real figures (85039NED)
        g = GEO.gi["GM0757"]
        for mk, v in REAL["kwb_boxtel_2021"].items():
            if mk not in ("source", "status"):
                vals[mk][g] = v
    # no two VT-regio's alike by chance: nudge one gemeente of a VT-regio whose sum repeats another's
    vts = R.regions_at("vt", f"{year}JJ00")
    boxtel = GEO.gi["GM0757"]
    for m in ("k_0Tot15Jaar_8", "k_15Tot25Jaar_9", "k_65JaarOfOuder_12", "HuishoudensTotaal_28",
              "Eenpersoonshuishoudens_29", "HuishoudensMetKinderen_31"):
        for _ in range(20):
            seen, clash = {}, None
            for vt in vts:
                v = float(vals[m][GEO.members(vt.key, year)].sum())
                if v in seen:
                    clash = vt.key
                    break
                seen[v] = vt.key
            if clash is None:
                break
            g = max((g for g in GEO.members(clash, year) if g != boxtel), key=lambda i: P[i])
            vals[m][g] += 1
    rows = []
    alive = np.where(P > 0)[0]
    for g in alive:
        rows.append({"region": GEO.codes[g], "level": "gemeente", "period": None, **{m: float(vals[m][g]) for m in lay.measures}})
    nl = {m: float(vals[m][alive].sum()) for m in ("AantalInwoners_5", "k_0Tot15Jaar_8", "k_15Tot25Jaar_9", "k_65JaarOfOuder_12",
                                                   "HuishoudensTotaal_28", "Eenpersoonshuishoudens_29", "HuishoudensMetKinderen_31")}
    nl["Bevolkingsdichtheid_33"] = float(round(P[alive].sum() / pop.area[alive].sum()))
    nl["Omgevingsadressendichtheid_106"] = float(round(np.average(vals["Omgevingsadressendichtheid_106"][alive], weights=hh[alive])))
    nl["HuishoudensMetEenLaagInkomen_72"] = float(round(np.average(low[alive], weights=hh[alive]), 1))
    rows.insert(0, {"region": "NL01", "level": "land", "period": None, **nl})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- manifest and main
REAL_TEXT = [
    "Landelijke aantallen gestarte adviezen en ontvangen meldingen per halfjaar 2019-2022 (1e halfjaar) en 1e halfjaar 2025, en de jaartotalen 2020 en 2023",
    "Landelijke verdeling van adviesvragers naar organisatie, 1e halfjaar 2020, 2021 en 2022 (als indicatorwaarden)",
    "84852NED: meldingen per landsdeel en provincie 2020; Gelderland en zijn drie VT-regio's 2023 naar vervolg na de veiligheidsbeoordeling en acute onveiligheid",
    "84849NED/84848NED: rijen van Nederland, Drenthe (VT) en Assen 2023, landsdelen en tien gemeenten 1e halfjaar 2025, verpleegkundigen 2023 en kinderopvang 1e halfjaar 2023",
    "84851NED: totalen van Drenthe en Midden-Drenthe 2023",
    "85361NED: Nederland, Amsterdam en Groningen 2023; vervolgmeldingen per landsdeel, provincie en enkele gemeenten 2023",
    "82975NED: gestarte ondertoezichtstellingen Nederland (1e halfjaren 2019-2023, jaar 2022), voorlopige OTS; beëindigd volgens plan en voogdij per landsdeel en provincie",
    "Bevolking op 1 januari: Nederland, Zuid-Nederland, Overijssel, Arnhem, Haarlem, Zwijndrecht (03759ned); Boxtel 2021 (85039NED)",
    "Voorbeeldcijfers Zaanstreek-Waterland en Drenthe 1e halfjaar 2021 (Regioplan 2022, instrumenten 05 en 06), als indicatorwaarden",
]
SYNTHETIC_TEXT = [
    "alle overige regio's, perioden, categorieën en gemeenten (verzonnen met een model: niveau per regio, landelijke trend, ruis)",
    "de bevolking van de overige gemeenten en regio's, en alle contextkenmerken behalve Boxtel 2021",
    "tabel 84855NED (indeling volgens onze aanname) en categorietitels gemarkeerd als 'assumed' in tables.yaml",
    "Maatschappelijk werk: totaal (84849NED) staat vanaf 2023 niet apart ('.'): de echte landelijke cijfers 2023 laten er geen ruimte voor",
    "84852NED 2023: Mook en Middelaar telt mee bij Gelderland-Zuid, zoals de gepubliceerde rij Gelderland (PV) laat zien; de eigen cellen van Mook zijn in die tabel dat jaar 0",
    "het verloop van het aandeel acuut/structureel onveilig in Zaanstreek-Waterland en Drenthe tot 2e halfjaar 2020 is verzonnen zoals de voorbeelden het beschrijven (licht stijgend, daarna dalend)",
]


def seed_values() -> list[dict]:
    out = []
    cat = catalogue()
    for f in SEEDS["figures"]:
        key = "NL01" if f["region"] == "Nederland" else key_of(f["region"])
        out.append({"indicator": f["indicator"], "region_key": key, "period": SEEDS["period"],
                    "category": f.get("category") or "", "tables": list(cat[f["indicator"]].tables)})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(DATA / "snapshot"))
    ap.add_argument("--quiet", action="store_true", help="print nothing (no plausibility measures either)")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    b = Build()
    b.totals()
    b.kenmerken()
    b.veiligheid()
    b.aard()
    b.overdracht()
    b.betrokkenheid()
    b.jeugdbescherming()
    dedupe_population(b.pop)
    reals = real_cells()
    for old in out.glob("*"):  # the model is built: now replace the old snapshot
        if old.suffix in (".parquet", ".json"):
            old.unlink()
    rows, real_ids, problems = {}, {}, []
    for table, (arrays, opts) in tables_from(b).items():
        df = assemble(table, arrays, **opts)
        if table == "82975NED":
            fix_ots_seed(df, b)
        if table == "84849NED":  # not published apart from 2023 (see the manifest)
            late = df["period"].str[:4].astype(int) >= 2023
            df.loc[late & df["KenmerkenAdviezenMeldingen"].eq(cat_key("84849NED", "KenmerkenAdviezenMeldingen", "Maatschappelijk werk: totaal")),
                   ["GestarteAdviezen_1", "OntvangenMeldingen_2"]] = np.nan
        if table == "85361NED":
            percentages_85361(df)
        problems += apply_real(table, df, reals[table])
        rows[table], data = write_table(out, table, df)
        real_ids[table] = mark_ids(table, data, reals[table])
    df = assemble("03759ned", population_arrays(b.pop), rounding=False, suppress=False)
    problems += apply_real("03759ned", df, reals["03759ned"])
    rows["03759ned"], data = write_table(out, "03759ned", df)
    real_ids["03759ned"] = mark_ids("03759ned", data, reals["03759ned"])
    for table in ("85039NED", "85318NED", "85618NED", "85984NED"):
        df = context_frame(table, b.pop)
        problems += apply_real(table, df, reals[table])
        rows[table], data = write_table(out, table, df)
        real_ids[table] = mark_ids(table, data, reals[table])
    checksums = {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(out.glob("*.parquet")) + sorted(out.glob("*.meta.json"))}
    manifest = {
        "name": "oefendata",
        "synthetic": True,
        "format_version": 2,
        "generator": "scripts/generate_oefendata.py",
        "generator_version": GENERATOR_VERSION,
        "seed": SEED,
        "created": "2025-10-24",
        "host": None,
        "note": "OEFENDATA: verzonnen oefencijfers in de echte structuur van de CBS-tabellen (regiocodes, dimensies, "
                "categorieën, onderwerpen). Echt zijn alleen de cellen en waarden die dit manifest als echt markeert "
                "(real_cells, real_values: de gepubliceerde voorbeeldcijfers en de CBS-cijfers hieronder); al het andere "
                "is verzonnen. Niet gebruiken voor beleid.",
        "real": REAL_TEXT,
        "synthetic_parts": SYNTHETIC_TEXT,
        "periods": {"first": HALVES[0], "last": HALVES[-1], "provisional": sorted(PROVISIONAL)},
        "tables": {t: {"title": SPECS[t]["title"], "rows": n} for t, n in rows.items()},
        "real_cells": {t: ids for t, ids in real_ids.items() if ids},
        "real_values": seed_values() + MARKS.values,
        "checksums": checksums,
    }
    tmp = out / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, out / "manifest.json")
    if not args.quiet:
        print(f"oefendata geschreven naar {out}: " + ", ".join(f"{t} ({n} rijen)" for t, n in rows.items()))
        for line in UNMET + problems:
            print("LET OP:", line)
        for line in NOTES:
            print("NB:", line)
        print_checks(out)
    return 1 if (UNMET or problems) else 0


def print_checks(out: Path) -> None:
    """The plausibility measures of impactlib.oefendata_checks, on the snapshot just written."""
    from impactlib import settings
    from impactlib import oefendata_checks as checks

    settings.configure(source="snapshot", snapshot=str(out))
    s = checks.summary(location=str(out))
    print("Plausibiliteit van de oefendata:")
    print(f"- grootste uitschieter van één halfjaar (VT-regio's; {', '.join(checks.SPIKE_INDICATORS)}): {s['largest_spike']}")
    print(f"- paren VT-regio's met dezelfde bevolking: {len(s['identical_population_pairs'])}")
    print(f"- paren VT-regio's met dezelfde contextwaarde: {len(s['identical_context_pairs'])}")
    print(f"- grootste afwijking van een totaal van de som van zijn delen: {s['largest_sum_deviation']}")


if __name__ == "__main__":
    sys.exit(main())
