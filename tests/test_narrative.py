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
    assert text.endswith("duurde het geweld (vermoedelijk) niet langer dan een week.")
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
        {"region_key": "VT02", "region": "Drenthe", "period": [p.key for p in periods], "provisional": "",
         "category": "", "value": values, "unit": "percent", "numerator": 1, "denominator": 1, "national": 40.0}
    )


def test_questions_follow_findings():
    shape = describe_shape(shape_frame([21.6, 22.7, 24.2, 25.4, 23.9]))
    q = narrative.questions("meldingen_acuut_structureel_pct", "Zaanstreek-Waterland", verdict=HIGHER, shape=shape, has_peers=True)
    assert q[0].startswith("Waarom ") and "in de regio Zaanstreek-Waterland hoger dan landelijk (" in q[0]
    assert "Is de caseload zwaarder, en zo ja, waarom?" in q
    assert any("te laat gesignaleerd" in s for s in q)
    assert "Wat verklaart de stijging tot het tweede halfjaar van 2020 en de daling daarna?" in q
    assert all(s.endswith("?") for s in q)
    low = narrative.questions("meldingen_per_10k", "Drenthe", verdict=LOWER)
    assert any("onderrapportage" in s for s in low) and any("geregistreerd" in s for s in low)
    assert not any("caseload" in s for s in low)
    assert narrative.questions("meldingen_per_10k", "Drenthe", verdict=SIMILAR)[0].startswith("Herkennen")
    assert "eigen cijfers" in narrative.questions("meldingen_per_10k", "Drenthe", verdict=UNKNOWN)[0]


def test_questions_are_tied_to_what_the_indicator_means():
    """No 'Is de caseload zwaarder?' after a share of melders (issue 15)."""
    for ident in ("melders_politie_pct", "adviesvragers_burger_pct", "meldingen_per_10k", "overdracht_rvdk_pct"):
        for verdict in (HIGHER, LOWER):
            asked = narrative.questions(ident, "Drenthe", verdict=verdict)
            assert not any("caseload" in a for a in asked), ident
    who = narrative.questions("melders_politie_pct", "Drenthe", verdict=LOWER)
    assert any("melders" in a or "partners" in a for a in who[1:])
    duur = narrative.questions("duur_geweld_meldingen_pct", "Zaanstreek-Waterland", verdict=HIGHER,
                               category="niet langer dan 1 week")
    assert duur[0].startswith("Waarom duurde het geweld bij de meldingen in de regio Zaanstreek-Waterland vaker "
                              "niet langer dan een week dan landelijk")


def test_step6_selection_caps_at_six_and_drops_repeats():
    findings = [["Waarom A?", "Is de caseload zwaarder, en zo ja, waarom?", "Derde?"],
                ["Waarom B?", "Vervolg B?"], ["Waarom C?"], ["Waarom D?"], ["Waarom E?"], ["Waarom F?"]]
    reflection = ["Is de caseload zwaarder, en zo ja: waarom?", "Wat doen we eraan?", "Nog een vraag?"]
    chosen = narrative.select_questions(findings, reflection)
    assert len(chosen) == narrative.MAX_QUESTIONS == 6
    assert chosen[:2] == ["Waarom A?", "Is de caseload zwaarder, en zo ja, waarom?"]
    assert "Derde?" not in chosen and "Vervolg B?" not in chosen
    assert "Wat doen we eraan?" in chosen  # places kept for the question's own reflection
    assert not any("ja: waarom" in c for c in chosen)  # a near-repeat goes
    assert narrative.dedupe_questions(["Waarom X?", "Waarom X?"]) == ["Waarom X?"]
    police = "Waarom ligt het cijfer voor aandeel meldingen door de politie in de regio Drenthe lager dan landelijk (54,6 % tegen 64,2 %)?"
    citizens = "Waarom ligt het cijfer voor aandeel meldingen door burgers in de regio Drenthe hoger dan landelijk (11,1 % tegen 9,4 %)?"
    assert narrative.dedupe_questions([police, citizens]) == [police, citizens]


def test_sentences_read_as_written_by_a_person():
    burger = narrative.level_sentence("adviesvragers_type_pct", "Drenthe", "2021HJ01", 56.2, "Burger",
                                      numerator=650, denominator=1295)
    assert "kwam 56,2 % van burgers." in burger and "van: " not in burger
    assert burger.endswith("Dat zijn 650 van de 1.295 adviesvragen.")
    police = narrative.level_sentence("melders_type_pct", "Drenthe", "2021HJ01", 83.3, "Politie")
    assert "kwam 83,3 % van de politie." in police
    none = narrative.level_sentence("overdracht_om_acuut_structureel_pct", "Zaanstreek-Waterland", "2021HJ01", 0.0,
                                    numerator=0, denominator=200)
    assert "geen enkele casus overgedragen" in none and "0,0 %" not in none
    long = narrative.level_sentence("duur_geweld_meldingen_pct", "Zaanstreek-Waterland", "2021HJ01", 12.0,
                                    "> 1 maand, < 6 maanden")
    assert "duurde het geweld (vermoedelijk) tussen een maand en een half jaar." in long
    assert narrative.category_text("Maatschappelijk werk") == "het maatschappelijk werk"
    assert narrative.lower_first("(Vermoedelijke) duur") == "(vermoedelijke) duur"
    assert narrative.lower_first("OM en politie") == "OM en politie"
    quiet = narrative.level_sentence("ots_per_10k", "Zaanstreek-Waterland", "2021HJ01*", 2.2, mark_provisional=False)
    assert "voorlopig cijfer" not in quiet


def test_distribution_sentences_leave_zero_and_unknown_out():
    import pandas as pd

    part = pd.DataFrame({"category": ["Burger", "Politie", "Onderwijs", "Kinderopvang", "Onbekend"],
                         "value": [50.0, 30.0, 20.0, 0.0, 5.0], "numerator": [500, 300, 200, 0, 50],
                         "denominator": [1000] * 5})
    first, rest = narrative.distribution_sentences("melders_type_pct", "Drenthe", "2021HJ01", part)
    assert "kwam 50,0 % van burgers. Dat zijn 500 van de 1.000 meldingen. Dat is de grootste categorie." in first
    assert rest == "Daarna volgen de politie (30,0 %) en het onderwijs (20,0 %)."
    assert "kinderopvang" not in rest and "(0,0 %)" not in rest and "nbekend" not in rest


def test_long_lasting_sentence_names_both_thresholds():
    text = narrative.long_lasting_sentence("duur_geweld_meldingen_pct", "Zaanstreek-Waterland",
                                           (1.4, 3.0, None), (8.7, 12.2, LOWER))
    assert "Bij 1,4 % van de meldingen in de regio Zaanstreek-Waterland duurde het geweld (vermoedelijk) langer dan vijf jaar" in text
    assert "Langer dan een jaar duurde het bij 8,7 %, landelijk bij 12,2 %" in text


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
