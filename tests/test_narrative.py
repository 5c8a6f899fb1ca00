import math

import pytest

from impactlib import regions
from impactlib.compare import narrative
from impactlib.compare.ranking import Rank
from impactlib.compare.trends import describe_shape
from impactlib.compare.verdicts import compare_values
from impactlib.periods import half_years

import pandas as pd

HIGHER = compare_values(55.6, 42.8, unit="percent", numerator=600, denominator=1080)
LOWER = compare_values(23.9, 42.8, unit="percent", numerator=260, denominator=1090)
SIMILAR = compare_values(50.0, 42.8, unit="percent", numerator=5, denominator=10)
UNKNOWN = compare_values(math.nan, 42.8, unit="percent")


@pytest.mark.parametrize(
    "name, level, phrase",
    [
        ("Zaanstreek-Waterland", None, "de regio Zaanstreek-Waterland"),
        ("Nederland", None, "Nederland"),
        ("Assen", None, "de gemeente Assen"),
        ("Drenthe", "provincie", "de provincie Drenthe"),
        ("Noord-Nederland", None, "het landsdeel Noord-Nederland"),
    ],
)
def test_region_phrase(name, level, phrase):
    assert narrative.region_phrase(regions.resolve(name, level).region) == phrase


def test_level_sentence_worked_example():
    text = narrative.level_sentence("meldingen_acuut_structureel_pct", "Zaanstreek-Waterland", "2021HJ01", 55.555)
    assert text == (
        "Van de meldingen die in het eerste halfjaar van 2021 bij Veilig Thuis binnenkwamen in de regio "
        "Zaanstreek-Waterland, was bij 55,6 % sprake van acuut en/of structureel onveilige casuïstiek."
    )


def test_level_sentence_rates_categories_and_provisional():
    text = narrative.level_sentence("meldingen_per_10k", "Drenthe", "2021HJ01", 23.5)
    assert "in de regio Drenthe 23,5 meldingen per 10.000 inwoners bij Veilig Thuis binnen." in text
    text = narrative.level_sentence("ots_per_10k", "Zaanstreek-Waterland", "2021HJ01*", 2.2)
    assert text.endswith("2,2 (voorlopige) ondertoezichtstellingen per 10.000 inwoners (voorlopig cijfer).")
    text = narrative.level_sentence("duur_geweld_meldingen_pct", "Assen", "2021HJ02", 61.0, "niet langer dan 1 week")
    assert text.startswith("Bij 61,0 % van de meldingen die in het tweede halfjaar van 2021")
    assert text.endswith("duurde het geweld (vermoedelijk) niet langer dan 1 week.")
    assert "onbekend" in narrative.level_sentence("meldingen_per_10k", "Drenthe", "2021HJ01", math.nan)


def test_comparison_sentences():
    assert narrative.comparison_sentence(HIGHER) == "Dat is duidelijk hoger dan landelijk (42,8 %)."
    assert narrative.comparison_sentence(LOWER) == "Dat is duidelijk lager dan landelijk (42,8 %)."
    assert narrative.comparison_sentence(SIMILAR).startswith("Dat is vergelijkbaar met landelijk (42,8 %); het verschil")
    assert narrative.comparison_sentence(UNKNOWN).startswith("Of dat afwijkt van landelijk (42,8 %), is niet te zeggen.")
    peer = compare_values(55.6, 40.0, unit="percent", numerator=600, denominator=1080)
    assert narrative.comparison_sentence(peer, "in Twente") == "Dat is duidelijk hoger dan in Twente (40,0 %)."


def test_rank_and_peer_sentences():
    r = Rank("Zaanstreek-Waterland", 2, 26, 55.6, ties=["Rotterdam Rijnmond"], unranked=["Zeeland"])
    text = narrative.rank_sentence(r, "Zaanstreek-Waterland")
    assert text == (
        "Daarmee staat de regio Zaanstreek-Waterland op de 2e plaats van 26 Veilig Thuis-regio's "
        "(1 = hoogste waarde), gedeeld met Rotterdam Rijnmond; zonder cijfer: Zeeland."
    )
    assert "geen plaats" in narrative.rank_sentence(Rank("X", None, 25, math.nan), "Drenthe")
    text = narrative.peers_sentence("Drenthe", [("Zeeland", 30.6), ("Friesland", 31.1)], "per_10k", LOWER)
    assert "Zeeland (30,6 per 10.000 inwoners), Friesland (31,1 per 10.000 inwoners)." in text
    assert text.endswith("Het cijfer is duidelijk lager dan die regio's samen (42,8 per 10.000 inwoners).")
    assert narrative.peers_sentence("Drenthe", [], "percent") == ""


def shape_frame(values):
    periods = half_years("2019HJ01", "2021HJ01")
    return pd.DataFrame(
        {"region_key": "VT03", "region": "Drenthe", "period": [p.key for p in periods], "provisional": "",
         "category": "", "value": values, "unit": "percent", "numerator": 1, "denominator": 1, "national": 40.0}
    )


def test_questions_follow_findings():
    shape = describe_shape(shape_frame([21.6, 22.7, 24.2, 25.4, 23.9]))
    q = narrative.questions("meldingen_acuut_structureel_pct", "Zaanstreek-Waterland", verdict=HIGHER, shape=shape, has_peers=True)
    assert q[0].startswith("Waarom ") and q[0].endswith("in de regio Zaanstreek-Waterland hoger dan landelijk?")
    assert "Is de caseload zwaarder, en zo ja, waarom?" in q
    assert any("te laat gesignaleerd" in s for s in q)
    assert "Wat verklaart de stijging tot het tweede halfjaar van 2020 en de daling daarna?" in q
    assert all(s.endswith("?") for s in q)
    low = narrative.questions("meldingen_per_10k", "Drenthe", verdict=LOWER)
    assert any("onderrapportage" in s for s in low) and any("geregistreerd" in s for s in low)
    assert not any("caseload" in s for s in low)
    assert narrative.questions("meldingen_per_10k", "Drenthe", verdict=SIMILAR)[0].startswith("Herkennen")
    assert "eigen cijfers" in narrative.questions("meldingen_per_10k", "Drenthe", verdict=UNKNOWN)[0]


def test_limits():
    zw = narrative.limits("meldingen_acuut_structureel_pct", "Zaanstreek-Waterland",
                          question_indicators=["recidive_pleger", "meldingen_acuut_structureel_pct"])
    assert any(s.startswith("'Recidive van de pleger") and "WODC Recidivemonitor" in s for s in zw)
    assert not any("Percentage meldingen met" in s for s in zw)  # open data is not a limit
    assert any("13 regio's, waaronder Zaanstreek-Waterland" in s for s in zw)
    dr = narrative.limits("meldingen_per_10k", "Drenthe", period="2025HJ01*")
    assert any("niet voor de regio Drenthe" in s for s in dr)
    assert dr[-1] == "Het cijfer voor het eerste halfjaar van 2025 is voorlopig; CBS kan het nog bijstellen."
    omvang = narrative.limits("aard_geweld_meldingen_pct", "Drenthe")
    assert any("Slachtoffers huiselijk geweld naar geslacht" in s for s in omvang)  # not-open indicator of the theme
