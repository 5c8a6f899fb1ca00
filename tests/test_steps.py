"""The library behind the stappenplan notebook (steps 1-6), without a kernel."""

from types import SimpleNamespace

import pandas as pd
import pytest
from matplotlib.figure import Figure

from impactlib import steps
from impactlib.catalogue import get_indicator_spec
from impactlib.errors import NotAvailableError, ParameterError
from impactlib.periods import parse_period


@pytest.fixture(scope="module")
def drenthe():
    return steps.prepare(region="Drenthe", question="eerder-beter-in-beeld", period="2021HJ01")


def text(items) -> str:
    return "\n".join(i.data for i in items if hasattr(i, "data"))


def test_prepare_reads_parameters_like_a_parameter_file(drenthe):
    assert drenthe.region.key == "VT03" and drenthe.period.key == "2021HJ01"
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
    assert steps.rank_band(rank, n) == band


def _comp(values, kind):
    periods = ["2019HJ01", "2019HJ02", "2020HJ01"]
    series = pd.DataFrame({"period": periods, "value": values})
    shape = SimpleNamespace(kind=kind, first=parse_period(periods[0]), last=parse_period(periods[-1]),
                            peak=parse_period(periods[1]), trough=parse_period(periods[1]))
    return SimpleNamespace(series=series, shape=shape)


def test_notable_shape_ignores_wobbles_within_rounding():
    assert steps.notable_shape(_comp([53.3, 57.5, 55.6], "stijging dan daling")) is not None
    assert steps.notable_shape(_comp([2.4, 2.2, 2.2], "daling dan stijging")) is None
    assert steps.notable_shape(_comp([1.0, 2.0, 3.0], "stijgend")) is None


def test_duplicated_figures_are_compared_once(drenthe):
    ids = [s.id for s in steps.compared_specs(drenthe)]
    assert "melders_politie_pct" in ids and "melders_type_pct" not in ids  # Politie = the same counts
    assert "adviesvragers_burger_pct" in ids and "adviesvragers_type_pct" not in ids
    assert "melders_acuut_type_pct" in ids


def test_advice_versus_reports_names_the_professions(drenthe):
    line = steps.advice_versus_reports(drenthe)
    assert "Kinderopvang (1,0 % van de adviesvragen, 0,5 % van de meldingen)" in line
    assert "Burger" not in line and "Politie" not in line


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
