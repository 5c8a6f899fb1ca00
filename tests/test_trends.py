import math

import pandas as pd
import pytest

from impactlib.compare.trends import default_from, describe_shape, period_change
from impactlib.errors import NotAvailableError
from impactlib.periods import half_years
from impactlib.query import get_indicator


def series(values, *, first="2019HJ01", counts=1000, provisional=(), national=None, unit="percent"):
    periods = half_years(first, "2030HJ02")[: len(values)]
    rows = []
    for i, (p, v) in enumerate(zip(periods, values)):
        rows.append(
            {
                "region_key": "VT22", "region": "Zaanstreek-Waterland", "period": p.key,
                "provisional": "*" if p.key in provisional else "", "category": "", "value": v,
                "unit": unit, "numerator": v * counts / 100 if unit == "percent" else v,
                "denominator": counts if unit == "percent" else math.nan,
                "national": (national or [40.0] * len(values))[i],
            }
        )
    return pd.DataFrame(rows)


def test_rise_then_fall_is_detected():
    df = series([50.0, 52.0, 54.0, 56.0, 53.0])
    shape = describe_shape(df)
    assert shape.rise_then_fall and shape.peak.key == "2020HJ02"
    assert shape.rose_before and shape.fell_after
    assert "steeg" in shape.sentence and "tweede halfjaar van 2020" in shape.sentence
    assert "daalde daarna tot 53,0 %" in shape.sentence


@pytest.mark.parametrize(
    "values, kind",
    [
        ([50.0, 51.0, 52.0], "stijgend"),
        ([52.0, 51.0, 50.0], "dalend"),
        ([50.0, 50.0, 50.0], "gelijk"),
        ([52.0, 48.0, 51.0], "daling dan stijging"),
        ([50.0, 55.0, 50.0, 56.0, 52.0], "stijging dan daling"),
        ([50.0, 56.0, 45.0, 55.0, 48.0], "wisselend"),
    ],
)
def test_shape_kinds(values, kind):
    assert describe_shape(series(values)).kind == kind


def test_shape_window_and_rounding():
    df = series([50.0, 52.0, 54.0, 53.0, 58.0])
    assert describe_shape(df).kind == "wisselend"
    assert describe_shape(df, end="2020HJ02").rise_then_fall
    assert describe_shape(df, start="2020HJ02").kind == "stijgend"
    # 50,04 and 50,01 read as the same 50,0
    assert describe_shape(series([50.04, 50.01, 50.02])).kind == "gelijk"
    with pytest.raises(NotAvailableError):
        describe_shape(df, start="2021HJ01")


def test_change_over_a_year_with_national_change():
    df = series([50.0, 52.0, 60.0], counts=2000, national=[40.0, 41.0, 42.5])
    t = period_change(df)
    assert (t.from_period.key, t.to_period.key) == ("2019HJ01", "2020HJ01")
    assert t.change == pytest.approx(10.0) and t.national_change == pytest.approx(2.5)
    assert t.verdict == "duidelijk gestegen" and not t.provisional
    assert "10,0 procentpunt" in t.sentence and "landelijk steeg het met 2,5 procentpunt" in t.sentence
    assert t.as_dict()["from"] == "2019HJ01"


def test_small_change_in_small_counts_is_not_called_a_change():
    t = period_change(series([50.0, 52.0, 60.0], counts=20), "2019HJ01", "2020HJ01")
    assert t.verdict == "ongeveer gelijk gebleven"
    assert "binnen de marge van toeval en afronding" in t.sentence


def test_provisional_period_is_flagged_in_result_and_sentence():
    df = series([50.0, 52.0, 60.0], provisional={"2020HJ01"})
    t = period_change(df)
    assert t.provisional and "(voorlopig cijfer)" in t.sentence
    assert describe_shape(df).provisional and "(voorlopig cijfer)" in describe_shape(df).sentence


def test_unknown_value_and_missing_period():
    t = period_change(series([50.0, 52.0, math.nan]))
    assert t.verdict == "niet te zeggen" and "niet te zeggen" in t.sentence
    with pytest.raises(NotAvailableError):
        period_change(series([50.0, 52.0]), "2019HJ01", "2022HJ01")


def test_default_from_is_a_year_earlier():
    assert default_from("2021HJ01").key == "2020HJ01"
    assert default_from("2021").key == "2020JJ00"


# ------------------------------------------------------------------ on the oefendata snapshot
@pytest.mark.parametrize("region", ["Zaanstreek-Waterland", "Drenthe"])
def test_rise_then_fall_up_to_2020hj02_in_snapshot(region):
    df = get_indicator("meldingen_acuut_structureel_pct", region, source="snapshot")
    shape = describe_shape(df, end="2021HJ01")
    assert shape.rise_then_fall and shape.peak.key == "2020HJ02"
