import pytest

from impactlib.compare.prevalence import Rate, default_rates, estimate, group_population, prevalence_estimates
from impactlib.errors import ParameterError
from impactlib.sources import get_source

NATIONAL = {2020: {"16plus": 13_000_000, "0to17": 3_500_000, "total": 17_400_000},
            2022: {"16plus": 13_000_000, "0to17": 3_500_000, "total": 17_600_000}}
POP = {"16plus": 100_000, "0to17": 25_000, "total": 125_000}


def test_defaults_carry_source_and_year():
    rates = default_rates()
    assert {r.topic for r in rates} == {"huiselijk_geweld", "kindermishandeling"}
    assert all(r.source and r.year for r in rates)
    pm = next(r for r in rates if r.year == 2020)
    assert pm.rate == 8.0 and pm.group == "16plus" and "Prevalentiemonitor" in pm.source


def test_range_over_rates_with_caveat_in_the_sentence():
    rates = [Rate(topic="huiselijk_geweld", group="16plus", year=2020, source="PM", rate=8.0),
             Rate(topic="huiselijk_geweld", group="16plus", year=2022, source="S", national_count=1_300_000)]
    (e,) = estimate(rates, "de regio X", POP, NATIONAL, 2021)
    assert (e.low, e.high) == (8000, 10000)  # 8 % and 1,3 mln / 13 mln = 10 %
    assert e.sentence.startswith("Met een groot voorbehoud omgerekend")
    assert "8.000 tot 10.000 inwoners van 16 jaar en ouder" in e.sentence and "de regio X" in e.sentence


def test_count_ranges_and_rounding():
    rates = [Rate(topic="kindermishandeling", group="0to17", year=2017, source="WODC",
                  national_count_low=90_000, national_count_high=127_000)]
    (e,) = estimate(rates, "de gemeente Y", {"0to17": 7_000}, NATIONAL, 2021)
    # 7 000 × 90 000 / 3 500 000 = 180; × 127 000 / 3 500 000 = 254 → tens below 1 000
    assert (e.low, e.high) == (180, 250)


def test_user_rates_replace_defaults_and_are_checked():
    est = prevalence_estimates("Zaanstreek-Waterland", year=2021, source="snapshot",
                               rates=[{"topic": "huiselijk_geweld", "group": "16plus", "rate": 10, "year": 2023, "source": "eigen"}])
    assert len(est) == 1 and est[0].low == est[0].high and "ongeveer" in est[0].sentence
    with pytest.raises(ParameterError):
        prevalence_estimates("Drenthe", rates=[{"topic": "hg", "group": "16plus", "year": 2020, "source": "x"}])
    with pytest.raises(ParameterError):
        prevalence_estimates("Drenthe", rates=[{"topic": "hg", "group": "volwassenen", "rate": 5, "year": 2020, "source": "x"}])


def test_snapshot_population_groups_and_estimates():
    pop = group_population("VT22", 2021, source="snapshot")  # a VT-regio: the sum of its gemeenten
    assert pop["0to17"] < pop["16plus"] < pop["total"]
    assert pop["16plus"] == pytest.approx(pop["total"] - pop["0to17"] * 16 / 18)
    est = {e.topic: e for e in prevalence_estimates("Zaanstreek-Waterland", year=2021, source="snapshot")}
    hg = est["huiselijk_geweld"]
    assert hg.year == 2021 and 0 < hg.low < hg.high < hg.population * 0.2
    assert hg.low == pytest.approx(pop["16plus"] * 0.08, rel=0.01)
    assert "met een groot voorbehoud" in hg.sentence.lower() and "kinderen" in est["kindermishandeling"].sentence
