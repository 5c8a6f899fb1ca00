import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impactlib.compare.verdicts import VERDICTS, compare_values, interval, poisson_interval, wilson_interval


def test_small_counts_are_comparable_to_national():
    v = compare_values(50.0, 42.8, unit="percent", numerator=5, denominator=10)
    assert v.verdict == "vergelijkbaar"
    assert v.low < 42.8 < v.high
    assert "42,8 %" in v.explanation and "vijftallen" in v.explanation


def test_worked_examples_with_realistic_counts():
    assert compare_values(55.6, 42.8, unit="percent", numerator=600, denominator=1080).verdict == "duidelijk hoger"
    assert compare_values(23.9, 42.8, unit="percent", numerator=260, denominator=1090).verdict == "duidelijk lager"


@pytest.mark.parametrize(
    "value, reference, kwargs",
    [
        (math.nan, 42.8, {"numerator": math.nan, "denominator": 100}),
        (55.0, math.nan, {"numerator": 55, "denominator": 100}),
        (None, 42.8, {}),
        (55.0, 42.8, {"numerator": None, "denominator": None}),  # share without its counts
        (55.0, 42.8, {"numerator": 55, "denominator": 0}),
    ],
)
def test_unknown_or_suppressed_gives_niet_te_zeggen(value, reference, kwargs):
    v = compare_values(value, reference, unit="percent", **kwargs)
    assert v.verdict == "niet te zeggen"
    assert v.direction is None and not v.is_difference
    assert v.explanation.startswith("Een vergelijking is niet te maken")


def test_rounding_widens_the_band():
    for unit, args in (("percent", (50, 100)), ("per_10k", (50, 100_000)), ("count", (50,))):
        lo, hi = interval(unit, *args)
        lo0, hi0 = interval(unit, *args, rounding=0)
        assert lo < lo0 and hi > hi0


def test_rounding_can_turn_a_difference_into_vergelijkbaar():
    # 20 of 100 = 20 %: without rounding 30 % is outside, with rounding to 5 it is not.
    lo0, hi0 = interval("percent", 20, 100, rounding=0)
    lo, hi = interval("percent", 20, 100)
    reference = (hi0 + hi) / 2
    assert compare_values(20.0, reference, unit="percent", numerator=20, denominator=100, rounding=0).verdict == "iets lager"
    assert compare_values(20.0, reference, unit="percent", numerator=20, denominator=100).verdict == "vergelijkbaar"


def test_exact_edge_of_the_band_is_inside():
    low, high = interval("percent", 600, 1000)
    kw = dict(unit="percent", numerator=600, denominator=1000)
    assert compare_values(60.0, low, **kw).verdict == "vergelijkbaar"
    assert compare_values(60.0, high, **kw).verdict == "vergelijkbaar"
    assert compare_values(60.0, low - 1e-6, **kw).verdict == "iets hoger"
    assert compare_values(60.0, high + 1e-6, **kw).verdict == "iets lager"


def test_duidelijk_needs_99_9_band_and_ten_percent():
    # huge counts: far outside the 99.9 % band, but only 4 % relative difference
    v = compare_values(50.0, 48.0, unit="percent", numerator=500_000, denominator=1_000_000)
    assert v.verdict == "iets hoger"
    assert v.relative == pytest.approx(50 / 48 - 1)
    # outside the 95 % band but inside the 99.9 % band: "iets", even with a large relative gap
    low95, _ = interval("percent", 30, 50)
    low999, _ = interval("percent", 30, 50, level=0.999)
    ref = (low95 + low999) / 2
    v = compare_values(60.0, ref, unit="percent", numerator=30, denominator=50)
    assert abs(v.relative) >= 0.10 and v.verdict == "iets hoger"


def test_reference_counts_add_their_own_noise():
    kw = dict(unit="percent", numerator=580, denominator=1000)
    assert compare_values(58.0, 53.5, **kw).verdict == "iets hoger"
    with_counts = compare_values(58.0, 53.5, reference_numerator=535, reference_denominator=1000, **kw)
    assert with_counts.verdict == "vergelijkbaar"
    assert "vergelijkingscijfer" in with_counts.explanation


def test_rates_and_counts_use_poisson():
    assert compare_values(5.0, 3.0, unit="per_10k", numerator=5, denominator=10_000).verdict == "vergelijkbaar"
    v = compare_values(23.5, 30.0, unit="per_10k", numerator=1165, denominator=496_000)
    assert v.verdict == "duidelijk lager"
    assert "per 10.000 inwoners" in v.explanation
    # count: the value itself is the count
    assert compare_values(12, 10, unit="count").verdict == "vergelijkbaar"
    assert compare_values(2000, 1000, unit="count").verdict == "duidelijk hoger"


def test_interval_helpers():
    lo, hi = wilson_interval(0, 20)
    assert lo == 0 and 0 < hi < 0.2
    lo, hi = poisson_interval(0)
    assert lo == 0 and hi > 3
    assert interval("percent", 0, 10)[0] == 0 and interval("percent", 10, 10)[1] == 100


def test_unknown_unit_is_a_programming_error():
    with pytest.raises(ValueError):
        compare_values(1, 2, unit="promille", numerator=1, denominator=2)


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(1, 2000).map(lambda x: 5 * x),
    share=st.floats(0, 1),
    reference=st.floats(0, 100, allow_nan=False),
)
def test_inside_the_band_is_never_a_difference(n, share, reference):
    k = 5 * round(share * n / 5)
    value = k / n * 100
    v = compare_values(value, reference, unit="percent", numerator=k, denominator=n)
    assert v.verdict in VERDICTS
    inside = v.low <= reference <= v.high
    assert (v.verdict == "vergelijkbaar") == inside
    if v.is_difference:
        assert (v.direction == "hoger") == (reference < v.low)
