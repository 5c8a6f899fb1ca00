import math

import numpy as np
import pandas as pd
import pytest

from impactlib import regions
from impactlib.compare.peers import FACTORS, comparable_regions, nearest, parse_peers
from impactlib.errors import NotAvailableError, ParameterError, UnknownRegionError

IDS = [f.id for f in FACTORS]


def factors(rows: dict) -> pd.DataFrame:
    df = pd.DataFrame.from_dict(rows, orient="index", columns=IDS)
    df.index.name = "region_key"
    df.insert(0, "region", [f"Regio {k}" for k in df.index])
    df.attrs["factors"] = [{"id": i} for i in IDS]
    return df


BASE = factors(
    {
        "A": [300_000, 1500, 28.0, 18.0, 8.0, 6.5],
        "B": [310_000, 1450, 28.5, 18.5, 8.2, 6.4],  # nearly A
        "C": [900_000, 3500, 30.0, 14.0, 11.0, 8.0],
        "D": [500_000, 900, 26.0, 22.0, 6.5, 5.8],
        "E": [290_000, 1600, 27.5, 19.0, 7.9, 6.6],  # also close to A
        "F": [1_000_000, 4000, 31.0, 13.0, 12.0, 8.5],
    }
)


def test_nearest_excludes_region_and_sorts_by_distance():
    out = nearest(BASE, "A", k=3)
    assert "A" not in set(out["region_key"])
    assert set(out["region_key"][:2]) == {"B", "E"}
    assert len(out) == 3 and out["distance"].is_monotonic_increasing
    assert set(IDS) <= set(out.columns) and out.attrs["factors"]
    assert out.loc[0, "population"] in (310_000, 290_000)  # raw factors kept beside the distance


def test_distances_do_not_depend_on_units():
    scaled = BASE.copy()
    scaled["share_0_24"] = scaled["share_0_24"] / 100  # fraction instead of percent
    scaled["population"] = scaled["population"] * 1000
    a, b = nearest(BASE, "A", k=5), nearest(scaled, "A", k=5)
    assert list(a["region_key"]) == list(b["region_key"])
    np.testing.assert_allclose(a["distance"], b["distance"])


def test_missing_factor_counts_as_average():
    df = BASE.copy()
    df.loc["C", "low_income"] = math.nan
    out = nearest(df, "A", k=5)
    assert out["distance"].notna().all()


def test_user_list_keeps_distances():
    out = nearest(BASE, "A", peers=["F", "B"])
    assert list(out["region_key"]) == ["B", "F"]  # ordered by distance
    assert out["distance"].notna().all() and out.loc[0, "distance"] < out.loc[1, "distance"]


def test_parse_peers():
    zw = regions.resolve("Zaanstreek-Waterland").region
    assert parse_peers("auto", zw) is None and parse_peers(None, zw) is None
    assert [r.key for r in parse_peers("Twente, zeeland,Twente", zw)] == ["VT19", "VT23"]
    assert [r.name for r in parse_peers(["Drenthe"], zw)] == ["Drenthe"]
    with pytest.raises(ParameterError):
        parse_peers("Zaanstreek Waterland", zw)
    with pytest.raises(ParameterError):
        parse_peers(" , ", zw)
    with pytest.raises(UnknownRegionError):
        parse_peers("Atlantis", zw)


# ------------------------------------------------------------------ on the oefendata snapshot
def test_auto_peers_on_snapshot_exclude_region_and_come_with_factors():
    out = comparable_regions("Zaanstreek-Waterland", period="2021HJ01", source="snapshot")
    assert len(out) == 5 and "VT22" not in set(out["region_key"])
    assert all(regions.get(k).level == "vt" for k in out["region_key"])
    assert out[IDS].notna().all().all() and out["distance"].is_monotonic_increasing
    meta = out.attrs["factors"]
    assert {m["table"] for m in meta} == {"03759ned", "85039NED"} and all(m["year"] == 2021 for m in meta)
    assert all(m["how"] for m in meta)  # how a VT-regio's value follows from its gemeenten
    assert out.attrs["source"]["synthetic"] is True


def test_override_and_levels_on_snapshot():
    out = comparable_regions("Drenthe", peers="Twente,Zeeland", source="snapshot")
    assert set(out["region_key"]) == {"VT19", "VT23"} and out["distance"].notna().all()
    with pytest.raises(NotAvailableError):
        comparable_regions("Assen", source="snapshot")
    gm = comparable_regions("Assen", peers=["Emmen", "Meppel"], source="snapshot")
    assert set(gm["region"]) == {"Emmen", "Meppel"} and gm["distance"].is_monotonic_increasing
