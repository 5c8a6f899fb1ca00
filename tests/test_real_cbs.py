"""The live path against tables shaped like the real CBS ones (tests/cbs_shaped.py, written by hand
from the reference notes, independent of tables.yaml, the generator and our own mirror).

Planted figures must come out exactly for the right region — or the answer is refused in one line:
never a neighbour's figure, never 100 % from a dropped filter, never an empty value without a reason.
"""

from __future__ import annotations

import json

import pytest
from cbs_shaped import ZW_POPULATION_2021, cbs_shaped, drifted
from mirror_fixtures import offline  # noqa: F401 - autouse: private settings, cache and closed hosts

from impactlib.cli import main


@pytest.fixture
def cbs(monkeypatch, tmp_path):
    with cbs_shaped() as server:
        monkeypatch.setenv("IMPACTMONITOR_CBS_HOST", server.address)
        monkeypatch.setenv("IMPACTMONITOR_CBS_HTTPS", "0")
        yield server


@pytest.fixture
def drifted_cbs(monkeypatch):
    with cbs_shaped(drifted()) as server:
        monkeypatch.setenv("IMPACTMONITOR_CBS_HOST", server.address)
        monkeypatch.setenv("IMPACTMONITOR_CBS_HTTPS", "0")
        yield server


def show(capsys, indicator, region="Zaanstreek-Waterland", period="2021HJ01", *extra):
    code = main(["show", indicator, "--region", region, "--period", period, "--source", "live",
                 "--backend", "v3", "--json", *extra])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else None), err


def test_a_count_comes_for_the_region_asked_not_its_neighbour_in_another_numbering(cbs, capsys):
    code, payload, _ = show(capsys, "meldingen_aantal")
    assert code == 0
    assert payload["region_key"] == "VT22" and payload["value"] == 800  # IJsselland (VT11) has 2 100
    assert payload["national"] == 60880 and payload["real"] is True and payload["national_real"] is True


def test_a_share_over_a_topic_dimension_is_matched_by_the_dimension_title(cbs, capsys):
    code, payload, _ = show(capsys, "melders_politie_pct")
    assert code == 0 and payload["value"] == 64.0  # 640 of 1 000; not 100 %, not IJsselland's 25 %
    assert payload["numerator"] == 640 and payload["denominator"] == 1000
    code, payload, _ = show(capsys, "adviesvragers_burger_pct", "Drenthe")
    assert payload["region_key"] == "VT02" and payload["value"] == 56.2  # 843 of 1 500


def test_per_10000_of_a_vt_regio_is_the_sum_of_its_gemeenten_of_that_year(cbs, capsys):
    code, payload, _ = show(capsys, "meldingen_per_10k")
    assert code == 0
    assert payload["denominator"] == sum(ZW_POPULATION_2021.values()) == 340_000
    assert payload["value"] == 23.5  # 800 / 340 000 × 10 000
    assert "Zaanstreek-Waterland in 03759ned: som van 8 gemeenten" in payload["source"]["label"]
    asked = [r for r in cbs.data_requests() if "/03759ned/" in r]
    assert asked and all("VT22" not in r for r in asked) and any("GM0370" in r for r in asked)  # Beemster in 2021


def test_acute_and_structural_unsafety_comes_from_veiligheidstaxatie(cbs, capsys):
    code, payload, _ = show(capsys, "meldingen_acuut_structureel_pct")
    assert code == 0 and payload["value"] == 50.2 and payload["national"] == 42.8  # 650 / 1 295; 26 055 / 60 880


def test_nested_measures_are_found_by_their_title_path(cbs, capsys):
    code, payload, _ = show(capsys, "vervolgmeldingen_pct", "Nederland", "2023")
    assert code == 0 and payload["value"] == 28.5 and payload["provisional"] is True  # 36 355 / 127 340


def test_fetch_asks_only_the_totals_it_needs_and_the_cache_then_stays_offline(cbs, capsys, tmp_path):
    cache = tmp_path / "cache"
    assert main(["fetch", "--tables", "84847NED", "03759ned", "84849NED", "--cache-dir", str(cache),
                 "--backend", "v3"]) == 0
    out = capsys.readouterr().out
    assert "3 van 3 tabellen" in out
    population = [r for r in cbs.data_requests() if "/03759ned/" in r and "RegioS+eq+%27%27" not in r]
    assert population and all("Geslacht+eq+%27T001038%27" in r and "Leeftijd+eq+%2710000%27" in r for r in population)
    before = len(cbs.requests)
    code = main(["show", "meldingen_per_10k", "--region", "Zaanstreek-Waterland", "--period", "2021HJ01",
                 "--source", "cache", "--cache-dir", str(cache), "--json"])
    assert code == 0 and json.loads(capsys.readouterr().out)["value"] == 23.5
    assert len(cbs.requests) == before  # --source cache opened no connection


def test_fetch_reports_a_selection_without_rows_instead_of_counting_it(cbs, capsys, tmp_path):
    code = main(["fetch", "--tables", "84852NED", "--periods", "2019HJ01", "--cache-dir", str(tmp_path / "c"),
                 "--backend", "v3"])
    out, err = capsys.readouterr()
    assert code == 1 and "geen enkele rij" in out and "0 van 1 tabellen" in out


def test_compare_ranks_on_live_data_under_the_right_names(cbs, capsys):
    code = main(["compare", "melders_politie_pct", "--region", "Zaanstreek-Waterland", "--period", "2021HJ01",
                 "--source", "live", "--backend", "v3", "--peers", "IJsselland,Drenthe", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    payload = json.loads(out)
    assert payload["value"] == 64.0 and payload["national"] == 64.2
    # ranked among the VT-regio's the table has: ZW 64,0 %, Drenthe 54,5 %, IJsselland 25,0 %
    assert (payload["rank"], payload["n_regions"]) == (1, 3)
    assert "Zaanstreek-Waterland" in " ".join(payload["sentences"]) and "IJsselland" not in payload["sentences"][0]


# --------------------------------------------------------------------------- drift is refused
def test_a_renamed_dimension_is_refused_in_one_line_naming_what_the_table_offers(drifted_cbs, capsys):
    code, payload, err = show(capsys, "melders_politie_pct")
    assert code == 1 and payload is None and err.count("\n") == 1 and "Traceback" not in err
    assert "84849NED" in err and "Kenmerken adviezen/meldingen" in err and "Melder en adviesvrager" in err


def test_a_region_code_titled_as_another_region_is_refused(drifted_cbs, capsys):
    code, payload, err = show(capsys, "meldingen_acuut_structureel_pct")
    assert code == 1 and payload is None and err.count("\n") == 1
    assert "VT22 'IJsselland (VT)'" in err and "Zaanstreek-Waterland" in err


def test_data_verify_passes_on_the_published_layout_and_names_what_drifted(monkeypatch, capsys):
    tables = ["84847NED", "84849NED", "84852NED", "85361NED", "03759ned"]
    with cbs_shaped() as server:
        monkeypatch.setenv("IMPACTMONITOR_CBS_HOST", server.address)
        monkeypatch.setenv("IMPACTMONITOR_CBS_HTTPS", "0")
        assert main(["data", "verify", "--backend", "v3", "--tables", *tables]) == 0
        assert "0 afwijkingen" in capsys.readouterr().out
    with cbs_shaped(drifted()) as server:
        monkeypatch.setenv("IMPACTMONITOR_CBS_HOST", server.address)
        assert main(["data", "verify", "--backend", "v3", "--tables", *tables, "--json"]) == 1
        report = json.loads(capsys.readouterr().out)
    failed = {(c["table"], c["kind"], c["term"]) for c in report["checks"] if c["status"] in ("missing", "mismatch")}
    assert ("84849NED", "dimension", "Kenmerken adviezen/meldingen") in failed
    assert ("84852NED", "region", "VT22") in failed
    assert report["ok"] is False


# --------------------------------------------------------------------------- the same through OData v4
@pytest.fixture
def cbs_v4(monkeypatch):
    from cbs_shaped import cbs_shaped_v4

    with cbs_shaped_v4() as server:
        monkeypatch.setenv("IMPACTMONITOR_CBS4_HOST", server.address)
        monkeypatch.setenv("IMPACTMONITOR_CBS4_HTTPS", "0")
        yield server


@pytest.mark.parametrize("indicator, region, period, value", [
    ("meldingen_acuut_structureel_pct", "Zaanstreek-Waterland", "2021HJ01", 50.2),
    ("melders_politie_pct", "Zaanstreek-Waterland", "2021HJ01", 64.0),
    ("meldingen_per_10k", "Zaanstreek-Waterland", "2021HJ01", 23.5),
    ("vervolgmeldingen_pct", "Nederland", "2023", 28.5),
])
def test_v4_gives_the_planted_figures_for_the_right_region(cbs_v4, capsys, indicator, region, period, value):
    code, payload, err = show(capsys, indicator, region, period, "--backend", "v4")
    assert code == 0, err
    assert payload["value"] == value and payload["source"]["backend"] == "v4"


def test_data_verify_over_v4_and_a_drifted_v4_region_title(monkeypatch, capsys):
    from cbs_shaped import cbs_shaped_v4

    tables = ["84847NED", "84849NED", "84852NED", "85361NED", "03759ned"]
    with cbs_shaped_v4() as server:
        monkeypatch.setenv("IMPACTMONITOR_CBS4_HOST", server.address)
        monkeypatch.setenv("IMPACTMONITOR_CBS4_HTTPS", "0")
        assert main(["data", "verify", "--backend", "v4", "--tables", *tables]) == 0
    with cbs_shaped_v4(drifted()) as server:
        monkeypatch.setenv("IMPACTMONITOR_CBS4_HOST", server.address)
        code, _, err = show(capsys, "meldingen_acuut_structureel_pct", "Zaanstreek-Waterland", "2021HJ01",
                            "--backend", "v4")
        assert code == 1 and "VT22 'IJsselland (VT)'" in err
        assert main(["data", "verify", "--backend", "v4", "--tables", *tables]) == 1


def test_a_worked_example_on_live_data_carries_the_planted_figures_under_the_right_name(cbs, tmp_path, capsys):
    import html
    import re

    out = tmp_path / "uit"
    code = main(["run", "--region", "Zaanstreek-Waterland", "--question", "eerder-beter-in-beeld", "--period",
                 "2021HJ01", "--source", "live", "--backend", "v3", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    page = (out / "zaanstreek-waterland" / "eerder-beter-in-beeld.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))
    assert "64,0 %" in text and "23,5" in text and "50,2 %" in text  # politie share, per 10 000, acute/structural
    assert "som van 8 gemeenten" in text and "OEFENDATA" not in text  # live figures are not labelled practice data
    assert "Traceback" not in text
