import math

import pandas as pd
import pytest

from impactlib.compare.ranking import ordinal, rank_table, rank_within, region_rank
from impactlib.errors import NotAvailableError, ParameterError
from impactlib.query import indicator_values


def frame(values: dict, period="2021HJ01"):
    return pd.DataFrame(
        {
            "region_key": [f"VT{i:02d}" for i in range(1, len(values) + 1)],
            "region": list(values),
            "period": period,
            "category": "",
            "value": list(values.values()),
        }
    )


def test_ties_share_the_lowest_place():
    df = frame({"A": 50.0, "B": 40.0, "C": 40.0, "D": 30.0})
    table = rank_table(df)
    assert table.set_index("region")["rank"].to_dict() == {"A": 1, "B": 2, "C": 2, "D": 4}
    r = region_rank(df, "C")
    assert (r.rank, r.n_regions, r.ties) == (2, 4, ["B"])
    assert r.text == "2e van 4"


def test_values_are_ranked_as_shown():
    df = frame({"A": 46.81, "B": 46.82, "C": 46.86})
    ranks = rank_table(df).set_index("region")["rank"].to_dict()
    assert ranks == {"C": 1, "A": 2, "B": 2}  # 46,8 and 46,8 share a place


def test_unknown_values_are_unranked_and_reported():
    df = frame({"A": 10.0, "B": math.nan, "C": 30.0})
    r = region_rank(df, "A")
    assert (r.rank, r.n_regions, r.unranked) == (2, 2, ["B"])
    missing = region_rank(df, "B")
    assert missing.rank is None and missing.text.startswith("geen plaats")
    assert rank_table(df)["region"].iloc[-1] == "B"


def test_region_by_key_and_errors():
    df = frame({"A": 1.0, "B": 2.0})
    assert region_rank(df, "VT02").rank == 1  # frame() numbers its rows VT01, VT02, ...
    with pytest.raises(NotAvailableError):
        region_rank(df, "Z")
    with pytest.raises(ParameterError):
        rank_table(pd.concat([frame({"A": 1.0}), frame({"A": 2.0}, period="2021HJ02")]))


def test_ordinal():
    assert [ordinal(n) for n in (1, 3, 26)] == ["1e", "3e", "26e"]


# ------------------------------------------------------------------ on the oefendata snapshot
def test_zaanstreek_waterland_in_top_five():
    df = indicator_values("meldingen_acuut_structureel_pct", "vt", "2021HJ01", source="snapshot")
    r = region_rank(df, "Zaanstreek-Waterland")
    assert r.n_regions == 26 and r.rank <= 5
    assert round(r.value, 1) == 55.6


def test_drenthe_among_lowest_meldingen_per_10k():
    df = indicator_values("meldingen_per_10k", "vt", "2021HJ01", source="snapshot")
    r = region_rank(df, "Drenthe")
    assert r.n_regions == 26 and r.rank >= 22


def test_rank_within_ranks_every_period_as_rank_table_does():
    two = pd.concat([frame({"A": 50.0, "B": 40.0, "C": 40.0, "D": math.nan}),
                     frame({"A": 10.0, "B": 46.81, "C": 46.86, "D": 46.82}, period="2021HJ02")], ignore_index=True)
    got = two.join(rank_within(two))
    for period, part in two.groupby("period"):
        expected = rank_table(part).set_index("region")["rank"]
        mine = got[got["period"] == period].set_index("region")
        assert mine["rank"].to_dict() == expected.to_dict()
        assert (mine["n_regions"].dropna() == part["value"].notna().sum()).all()
    assert pd.isna(got.loc[3, "n_regions"])  # no place, no count without a value
