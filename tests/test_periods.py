import pytest
from hypothesis import given, settings as hsettings, strategies as st

from impactlib.errors import ImpactError, PeriodError
from impactlib.periods import Period, half_years, parse_period


@pytest.mark.parametrize(
    "text,key,flag",
    [
        ("2021HJ01", "2021HJ01", ""),
        ("2021hj02", "2021HJ02", ""),
        ("2021JJ00", "2021JJ00", ""),
        ("1e halfjaar 2021*", "2021HJ01", "*"),
        ("2e halfjaar 2024**", "2024HJ02", "**"),
        ("2021H1", "2021HJ01", ""),
        ("2021-2", "2021HJ02", ""),
        ("2021 h2", "2021HJ02", ""),
        ("eerste halfjaar 2022", "2022HJ01", ""),
        ("2023", "2023JJ00", ""),
        ("2025HJ01*", "2025HJ01", "*"),
    ],
)
def test_parse_forms(text, key, flag):
    p = parse_period(text)
    assert p.key == key and p.provisional == flag


def test_dutch_words_and_titles():
    p = parse_period("2021HJ01")
    assert p.dutch == "het eerste halfjaar van 2021"
    assert p.with_flag("*").title == "1e halfjaar 2021*"
    assert parse_period("2021").dutch == "2021"
    assert p.previous().key == "2020HJ02" and p.next().key == "2021HJ02" and p.year_ago().key == "2020HJ01"


def test_order_ignores_flag():
    assert parse_period("2021HJ01*") == parse_period("2021HJ01")
    assert sorted([parse_period("2022H1"), parse_period("2021H2")])[0].key == "2021HJ02"


def test_half_years_range():
    keys = [p.key for p in half_years("2019HJ01", "2025HJ01")]
    assert keys[0] == "2019HJ01" and keys[-1] == "2025HJ01" and len(keys) == 13


@pytest.mark.parametrize("bad", ["2021HJ03", "2021Q1", "halfjaar", "", "2018HJ01", "21H1", None, 3.5])
def test_bad_periods(bad):
    with pytest.raises(PeriodError) as exc:
        parse_period(bad)
    assert "\n" not in str(exc.value)


@hsettings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=30), st.integers(), st.none()))
def test_parse_never_crashes_with_foreign_errors(value):
    try:
        p = parse_period(value)
    except ImpactError:
        return
    assert isinstance(p, Period) and parse_period(p.key) == p
