import json
import re

import pytest

from impactlib.cli import main
from impactlib.compare import compare_report
from impactlib.errors import NotAvailableError, ParameterError
from impactlib.wording import OEFENDATA_LINE

KEYS = {"indicator", "region", "period", "category", "unit", "value", "national", "verdict", "rank",
        "n_regions", "peers", "trend", "sentences", "source"}


@pytest.fixture(scope="module")
def zw():
    return compare_report("meldingen_acuut_structureel_pct", "Zaanstreek-Waterland", "2021HJ01", source="snapshot")


def test_report_keys_and_acceptance_zaanstreek_waterland(zw):
    assert set(zw) == KEYS
    assert (zw["value"], zw["national"]) == (55.6, 42.8)
    assert zw["verdict"].endswith("hoger") and zw["n_regions"] == 26 and zw["rank"] <= 5
    assert len(zw["peers"]) == 5 and all(set(p) == {"region", "value", "distance"} for p in zw["peers"])
    assert "Zaanstreek-Waterland" not in {p["region"] for p in zw["peers"]}
    assert [p["distance"] for p in zw["peers"]] == sorted(p["distance"] for p in zw["peers"])
    assert {"from", "to", "change", "national_change", "verdict"} <= set(zw["trend"])
    assert (zw["trend"]["from"], zw["trend"]["to"]) == ("2020HJ01", "2021HJ01")
    assert zw["source"]["synthetic"] is True and "84852NED" in zw["source"]["tables"]
    text = " ".join(zw["sentences"])
    assert "55,6 %" in text and "Dat is duidelijk hoger dan landelijk (42,8 %)." in zw["sentences"]
    assert "Wat verklaart de stijging tot het tweede halfjaar van 2020 en de daling daarna?" in zw["sentences"]
    json.dumps(zw)  # plain JSON types only


def test_report_drenthe_low_rate():
    r = compare_report("meldingen_per_10k", "Drenthe", "2021HJ01", source="snapshot")
    assert r["value"] == 23.5 and r["verdict"].endswith("lager")
    assert r["rank"] >= 22 and r["unit"] == "per_10k"
    assert any("onderrapportage" in s for s in r["sentences"])


def test_counts_are_not_compared_with_the_national_count():
    r = compare_report("meldingen_aantal", "Drenthe", "2021HJ01", source="snapshot")
    assert r["verdict"] == "niet te zeggen" and r["unit"] == "count"
    assert any("per 10.000 inwoners" in s for s in r["sentences"])
    assert not any(s.startswith("Dat is") for s in r["sentences"])
    assert isinstance(r["rank"], int) and r["trend"]["change"] == round(r["trend"]["change"])


def test_report_peer_override_category_and_levels():
    r = compare_report("melders_type_pct", "Drenthe", "2021HJ01", peers="Twente,Zeeland", category="politie",
                       source="snapshot")
    assert r["category"] == "Politie" and {p["region"] for p in r["peers"]} == {"Twente", "Zeeland"}
    gm = compare_report("meldingen_per_10k", "Assen", "2025HJ01", source="snapshot")
    assert gm["rank"] is None and gm["peers"] == [] and gm["trend"]["provisional"] is True
    assert any("(voorlopig cijfer)" in s for s in gm["sentences"])
    with pytest.raises(ParameterError):
        compare_report("melders_type_pct", "Drenthe", "2021HJ01", source="snapshot")
    with pytest.raises(NotAvailableError):
        compare_report("meldingen_per_10k", "Drenthe", "2030HJ01", source="snapshot")


def test_cli_text_output(capsys):
    code = main(["compare", "meldingen_acuut_structureel_pct", "--region", "Zaanstreek-Waterland",
                 "--period", "2021HJ01", "--source", "snapshot"])
    out = capsys.readouterr().out
    assert code == 0
    assert re.search(r"Rangorde:\s+[1-5]e van 26", out)
    assert "Waarde:      55,6 %" in out and "hoger dan landelijk" in out
    assert "Vergelijkbare regio's" in out and "kenmerken: Inwoners (03759ned" in out
    assert "Bron: CBS, 84852NED" in out and "\n" + OEFENDATA_LINE in out


def test_cli_json_and_peers(capsys):
    code = main(["compare", "meldingen_per_10k", "--region", "Drenthe", "--period", "2021HJ01",
                 "--peers", "Twente,Zeeland", "--source", "snapshot", "--json"])
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert code == 0 and set(data) == KEYS
    assert [p["region"] for p in data["peers"]] == ["Zeeland", "Twente"]
    assert "opgevat als Veilig Thuis-regio" in captured.err  # the level choice is told, on stderr


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["compare", "meldingen_per_10", "--region", "Drenthe"], "bestaat niet"),
        (["compare", "melders_type_pct", "--region", "Drenthe"], "--category"),
        (["compare", "meldingen_per_10k", "--region", "Drenthe", "--peers", "Drenthe"], "de regio zelf"),
        (["compare", "meldingen_per_10k", "--region", "Atlantis"], "onbekend"),
        (["compare", "meldingen_per_10k", "--region", "Drenthe", "--period", "2021H7"], "niet te lezen"),
    ],
)
def test_cli_errors_are_one_dutch_line_with_exit_2(argv, fragment, capsys):
    assert main([*argv, "--source", "snapshot"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert fragment in err[-1] and err[-1].startswith("impactmonitor: ")


def test_a_region_that_began_in_2023_is_compared_over_its_own_years():
    from impactlib.compare import build_comparison

    comp = build_comparison("meldingen_acuut_structureel_pct", "Oost-Brabant", "2025HJ01")
    years = {int(p[:4]) for p in comp.series["period"]}
    assert min(years) == 2023 and max(years) == 2025  # not 2019-2022, when VT27 did not exist
    assert any("bestaat als regio sinds 2023" in n for n in comp.notes)
