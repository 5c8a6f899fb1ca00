"""The library behind the stappenplan notebook (steps 1-6), without a kernel."""

import re
from types import SimpleNamespace

import pandas as pd
import pytest
from matplotlib.figure import Figure

from impactlib import steps
from impactlib.catalogue import get_indicator_spec
from impactlib.compare import findings
from impactlib.errors import NotAvailableError, ParameterError
from impactlib.periods import parse_period


@pytest.fixture(scope="module")
def drenthe():
    return steps.prepare(region="Drenthe", question="eerder-beter-in-beeld", period="2021HJ01")


def text(items) -> str:
    return "\n".join(i.data for i in items if hasattr(i, "data"))


def test_prepare_reads_parameters_like_a_parameter_file(drenthe):
    assert drenthe.region.key == "VT02" and drenthe.period.key == "2021HJ01"
    assert drenthe.title == "Drenthe: Hebben we de aard en omvang van HGKM eerder en beter in beeld?"
    assert "provincie" in drenthe.note and drenthe.synthetic
    assert set(drenthe.frames) == {s.id for s in drenthe.open_specs}
    with pytest.raises(ParameterError, match="notebookparameters: sleutel 'question'"):
        steps.prepare(region="Drenthe", question="onbekend")
    with pytest.raises(NotAvailableError, match="2030HJ01"):
        steps.prepare(region="Drenthe", question="adviesvragers", period="2030HJ01")


def test_prepare_without_period_takes_the_newest_half_year():
    ex = steps.prepare(region="Twente", question="adviesvragers", indicators=["adviezen_per_10k"])
    assert ex.period == parse_period("2025HJ01") and ex.period.is_provisional
    assert [s.id for s in ex.specs] == ["adviezen_per_10k"]


def test_banner_only_for_synthetic_data(drenthe):
    assert "OEFENDATA" in text(steps.banner(drenthe))
    real = steps.Example(drenthe.region, drenthe.period, drenthe.question, drenthe.specs, "t",
                         frames={k: _unsynthetic(f) for k, f in drenthe.frames.items()})
    assert steps.banner(real) == []


def _unsynthetic(frame):
    out = frame.copy()
    out.attrs = {"source": {**frame.attrs["source"], "synthetic": False}}
    return out


def test_indicator_table_says_where_missing_indicators_are():
    table = steps.indicator_table([get_indicator_spec("ots_per_10k"), get_indicator_spec("recidive_pleger")])
    assert list(table.columns) == ["Indicator", "Bron", "Regionaal", "Tijdreeks", "Beschikbaar"]
    assert table.iloc[0]["Beschikbaar"].startswith("open data")
    assert "WODC Recidivemonitor" in table.iloc[1]["Beschikbaar"] and table.iloc[1]["Regionaal"].startswith("nee")


def test_md_table_escapes_pipes():
    md = steps.md_table(pd.DataFrame({"a": ["x|y"], "b": ["1,5 %"]}))
    assert md.splitlines() == ["| a | b |", "|---|---|", "| x\\|y | 1,5 % |"]


@pytest.mark.parametrize("rank, n, band", [(1, 26, "hoogste"), (5, 26, "hoogste"), (6, 26, None),
                                           (22, 26, "laagste"), (21, 26, None), (None, 26, None), (1, 4, None)])
def test_rank_band(rank, n, band):
    assert findings.rank_band(rank, n) == band


def _comp(values, kind):
    periods = ["2019HJ01", "2019HJ02", "2020HJ01"]
    series = pd.DataFrame({"period": periods, "value": values})
    shape = SimpleNamespace(kind=kind, first=parse_period(periods[0]), last=parse_period(periods[-1]),
                            peak=parse_period(periods[1]), trough=parse_period(periods[1]))
    return SimpleNamespace(series=series, shape=shape)


def test_notable_shape_ignores_wobbles_within_rounding():
    assert findings.notable_shape(_comp([53.3, 57.5, 55.6], "stijging dan daling")) is not None
    assert findings.notable_shape(_comp([2.4, 2.2, 2.2], "daling dan stijging")) is None
    assert findings.notable_shape(_comp([1.0, 2.0, 3.0], "stijgend")) is None


def test_advice_groups_compares_shares_of_advice_and_reports():
    advice = pd.Series({"Kinderopvang": 4.0, "Huisarts": 2.0, "Politie": 1.0, "Burger": 30.0, "Onderwijs": 0.5})
    reports = pd.Series({"Kinderopvang": 1.5, "Huisarts": 1.5, "Politie": 40.0, "Burger": 5.0, "Onderwijs": 0.1})
    assert findings.advice_groups(advice, reports) == ["Kinderopvang"]  # not a citizen, not below 1 %
    assert findings.advice_groups(advice, reports, ratio=1.2) == ["Kinderopvang", "Huisarts"]
    assert findings.advice_versus_reports(advice, reports, "de regio X").startswith(
        "Deze beroepsgroepen vragen in de regio X relatief vaak advies")
    assert findings.advice_versus_reports(advice, reports.mul(10), "de regio X") is None


def test_comparison_is_memoised_and_takes_an_id_or_a_spec(drenthe):
    spec = get_indicator_spec("melders_politie_pct")
    assert steps.comparison(drenthe, "melders_politie_pct") is steps.comparison(drenthe, spec)
    chosen = steps.comparison(drenthe, "melders_type_pct", "Politie")
    assert chosen.category == "Politie" and chosen is steps.comparison(drenthe, "melders_type_pct", "Politie")


def test_duplicated_figures_are_compared_once(drenthe):
    ids = [s.id for s in steps.compared_specs(drenthe)]
    assert "melders_politie_pct" in ids and "melders_type_pct" not in ids  # Politie = the same counts
    assert "adviesvragers_burger_pct" in ids and "adviesvragers_type_pct" not in ids
    assert "melders_acuut_type_pct" not in ids  # not in CBS's open tables: named, not computed
    assert "melders_acuut_type_pct" in [s.id for s in drenthe.specs if not s.is_open]


def test_advice_versus_reports_names_the_professions(drenthe):
    line = steps.advice_versus_reports(drenthe)
    # the seed: kinderopvang, huisarts and maatschappelijk werk ask advice but report little
    assert re.search(r"de kinderopvang \(\d+,\d % van de adviesvragen, \d+,\d % van de meldingen\)", line)
    assert "huisarts" in line and "maatschappelijk werk" in line
    assert "urger" not in line and "olitie" not in line
    assert "Kinderopvang" in steps.advice_groups(drenthe)


def test_step4_gives_a_sentence_and_a_chart_per_indicator(drenthe):
    items = steps.step4_figures(drenthe)
    charts = [i for i in items if isinstance(i, Figure)]
    assert len(charts) == len(drenthe.open_specs)
    assert all(c.texts and "Bron: CBS" in c.texts[-1].get_text() for c in charts)


def test_local_figures(tmp_path, drenthe):
    csv = tmp_path / "lokaal.csv"
    csv.write_text("indicator;omschrijving;bron;niveau;gebied;periode;waarde;eenheid\n"
                   "triage;Werkdagen tot triage;VT Drenthe;vt;Drenthe;2021HJ01;4;werkdagen\n", encoding="utf-8")
    ex = steps.Example(drenthe.region, drenthe.period, drenthe.question, drenthe.specs, "t", local_file=csv)
    shown = text(steps.local_figures(ex))
    assert "| lokaal: VT Drenthe | Werkdagen tot triage | Drenthe | 1e halfjaar 2021 | 4,0 werkdagen |" in shown
    assert "eigen registratie (lokaal.csv)" in shown and "CBS Impactmonitor" in shown
    assert steps.local_figures(drenthe) == []


def test_summary_carries_the_headline(drenthe):
    s = steps.summary(drenthe)
    assert s["headline"]["text"] == "23,5 per 10.000 inwoners" and s["headline"]["verdict"] == "duidelijk lager"
    assert s["banner"] == steps.OEFENDATA_TEXT and s["period"] == "2021HJ01" and "CBS" in s["source"]


def test_indicator_without_a_figure_for_the_period_is_listed_not_fatal(drenthe):
    frames = dict(drenthe.frames)
    frames.pop("vervolgstap_pct")
    ex = steps.Example(drenthe.region, drenthe.period, drenthe.question, drenthe.specs, "t", frames=frames)
    assert [s.id for s in ex.unpublished_specs] == ["vervolgstap_pct"]
    assert "vervolgstap_pct" not in [s.id for s in ex.open_specs]
    step3 = text(steps.step3_indicators(ex))
    assert "(nog) niet voor deze periode" in step3 and "Voor 1 is er (nog) geen cijfer" in step3
    assert "Vervolgstap na de veiligheidsbeoordeling bij Veilig Thuis' is over" in text(steps.step6_cannot_answer(ex))


# --------------------------------------------------------------------------- issue 15: examples as they are
@pytest.fixture(scope="module")
def drenthe_own():
    """Drenthe with its own goal, context and trained groups, as parameters/drenthe.yaml gives them."""
    from impactlib.params import PROJECT_ROOT, load_parameters

    p = load_parameters(PROJECT_ROOT / "parameters" / "drenthe.yaml")
    return steps.prepare(region=p.region, level=p.level, question=p.question, period=p.period,
                         goal=p.goal, context=p.context, trained_groups=p.trained_groups)


@pytest.fixture(scope="module")
def zaanstreek():
    return steps.prepare(region="Zaanstreek-Waterland", question="heftig-structureel-geweld", period="2021HJ01")


@pytest.fixture(scope="module")
def gelderland_zuid():
    return steps.prepare(region="Gelderland-Zuid", question="eerder-beter-in-beeld", period="2021HJ01")


def test_another_region_gets_no_sentence_about_drentes_training(gelderland_zuid):
    every = text(steps.step1_question(gelderland_zuid)) + text(steps.step2_analysis(gelderland_zuid))
    assert "investeert" not in every and "Drenthe" not in every
    assert "welk doel heeft de regio Gelderland-Zuid" in every and "`goal`" in every
    assert "`trained_groups`" in every  # asked, not asserted
    assert "trained_groups" in text(steps.step5_core(gelderland_zuid))


def test_the_regions_own_goal_context_and_groups_are_shown_and_escaped(drenthe_own):
    shown = text(steps.step1_question(drenthe_own))
    assert "**Doel van de regio Drenthe:** Beter zicht" in shown
    assert "Drenthe investeert in extra scholing" in shown
    assert "het onderwijs, de kinderopvang, huisartsen en het maatschappelijk werk" in shown
    risky = steps.prepare(region="Twente", question="duur-geweld", period="2021HJ01", goal="<script>x</script> & meer")
    assert "&lt;script&gt;x&lt;/script&gt; &amp; meer" in text(steps.step1_question(risky))


def test_eerder_beter_in_beeld_shows_exactly_the_trained_groups_over_time(drenthe_own):
    table = steps.trained_groups_table(drenthe_own)
    assert list(dict.fromkeys(table["Beroepsgroep"])) == ["Het onderwijs", "De kinderopvang", "Huisartsen",
                                                          "Het maatschappelijk werk"]
    assert set(table["Aandeel van de"]) == {"adviesvragen", "meldingen"}
    assert {"1e halfjaar 2019", "Verschil"} <= set(table.columns)
    items = steps.step5_core(drenthe_own)
    charts = [i for i in items if isinstance(i, Figure)]
    assert len(charts) == 2
    assert all("Huisartsen" in c.alt_text and "%" in c.alt_text for c in charts)


def test_heftig_structureel_geweld_compares_long_lasting_violence(zaanstreek):
    spec = get_indicator_spec("duur_geweld_meldingen_pct")
    table, sentence = steps.long_lasting_table(zaanstreek, spec)
    assert list(table["Duur van het geweld"]) == ["langer dan vijf jaar", "langer dan een jaar (een tot vijf jaar en langer)"]
    assert table[zaanstreek.region.name].iloc[0] == "1,4 %"  # the published figure
    assert "1,4 %" in sentence and "langer dan een jaar" in sentence.lower()
    assert "Langdurig geweld" in text(steps.step5_core(zaanstreek))


def test_step3_says_which_sub_question_each_indicator_answers(zaanstreek):
    shown = text(steps.step3_indicators(zaanstreek))
    assert "| Indicator | Deelvraag |" in shown
    assert "| Percentage meldingen met acute en/of structurele onveilige casuïstiek | 1, 2 |" in shown


@pytest.mark.parametrize("region, question", [
    ("Zaanstreek-Waterland", "heftig-structureel-geweld"), ("Drenthe", "eerder-beter-in-beeld"),
    ("Gelderland-Zuid", "eerder-beter-in-beeld"), ("Twente", "professionals-melden"), ("Utrecht", "zorg-en-veiligheid"),
])
def test_step6_asks_at_most_six_questions_none_repeated(region, question):
    ex = steps.prepare(region=region, question=question, period="2021HJ01")
    asked = [line[2:] for line in text(steps.step6_questions(ex)).splitlines() if line.startswith("- ")]
    assert 1 <= len(asked) <= 6 and len(set(asked)) == len(asked)
    for spec in steps.compared_specs(ex):  # no caseload question after a share of melders or adviesvragers
        if spec.id.startswith(("melders_", "adviesvragers_")) and spec.id != ex.question.headline:
            assert not any("caseload" in a and spec.name.lower() in a.lower() for a in asked)


def test_what_stands_out_always_carries_value_and_comparison(drenthe):
    for line in text(steps.step6_stands_out(drenthe)).splitlines():
        if line.startswith("- **"):
            assert "landelijk" in line and any(ch.isdigit() for ch in line.split(":**")[1][:12]), line


def test_comparable_regions_table_starts_with_the_region_and_its_factors(zaanstreek):
    shown = text(steps.step5_peers(zaanstreek))
    table = shown[shown.index("| Regio |"):]
    assert table.splitlines()[2].startswith("| Zaanstreek-Waterland (zelf) | – |")
    assert "Inwoners" in table.splitlines()[0] and "Ze lijken op de regio Zaanstreek-Waterland in: inwoners" in shown


def test_every_chart_has_alt_text_with_the_regions_value(zaanstreek):
    charts = [i for f in (steps.step4_figures, steps.step5_all_regions) for i in f(zaanstreek) if isinstance(i, Figure)]
    assert charts
    for chart in charts:
        assert "Zaanstreek-Waterland" in chart.alt_text
    head = charts[0].alt_text
    assert "Zaanstreek-Waterland 55,6 %, Nederland 42,8 %" in head


def test_provisional_mark_once_in_step4_not_in_every_sentence():
    ex = steps.prepare(region="Twente", question="duur-geweld")  # the newest half year is provisional
    assert ex.period.is_provisional
    shown = text(steps.step4_figures(ex))
    assert shown.count("voorlopig") == 1
