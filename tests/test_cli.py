"""The CLI contract of the foundation: regions, indicators, show."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from impactlib.cli import main

DATA = Path(__file__).resolve().parents[1] / "impactlib" / "data"
SEEDS = yaml.safe_load((DATA / "seed_figures.yaml").read_text(encoding="utf-8"))


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("fig", SEEDS["figures"], ids=lambda f: f"{f['indicator']}-{f['region']}")
def test_show_json_gives_every_seed_figure(capsys, fig):
    argv = ["show", fig["indicator"], "--region", fig["region"], "--period", "2021HJ01", "--json"]
    if fig.get("category"):
        argv += ["--category", fig["category"]]
    code, out, _ = run(capsys, *argv)
    assert code == 0
    payload = json.loads(out)
    assert payload["value"] == fig["value"]
    assert payload["source"]["synthetic"] is True and payload["source"]["kind"] == "snapshot"
    assert set(payload) >= {"indicator", "region", "region_level", "period", "value", "unit", "national", "provisional", "source"}
    assert set(payload["source"]) >= {"kind", "synthetic", "tables"}
    if fig.get("category"):
        assert payload["category"] == fig["category"]


def test_show_text_is_dutch_with_national_and_banner(capsys):
    code, out, _ = run(capsys, "show", "meldingen_acuut_structureel_pct", "--region", "zaanstreek waterland", "--period", "2021H1")
    assert code == 0
    assert "55,6 %" in out and "42,8 %" in out and "OEFENDATA" in out and "84852NED" in out and "CBS" in out


def test_show_notes_level_choice(capsys):
    code, out, err = run(capsys, "show", "meldingen_per_10k", "--region", "Drenthe", "--period", "2021HJ01", "--json")
    assert code == 0 and "Veilig Thuis-regio" in err and json.loads(out)["region_level"] == "vt"
    code, out, _ = run(capsys, "show", "meldingen_per_10k", "--region", "Drenthe", "--level", "provincie", "--period", "2021HJ01", "--json")
    assert json.loads(out)["region_level"] == "provincie"


def test_show_defaults_to_latest_half_year(capsys):
    code, out, _ = run(capsys, "show", "meldingen_aantal", "--region", "Utrecht", "--json")
    payload = json.loads(out)
    assert payload["period"] == "2025HJ01" and payload["provisional"] is True


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["show", "meldingen_per_10k", "--region", "Atlantis", "--period", "2021HJ01"], "Regio 'Atlantis' is onbekend"),
        (["show", "meldingen_per_10k", "--region", "Zaanstrek", "--period", "2021HJ01"], "Bedoelde u 'Zaanstreek-Waterland'"),
        (["show", "meldingen_per_10k", "--region", "Drenthe", "--period", "2021HJ03"], "Periode '2021HJ03' is niet te lezen"),
        (["show", "meldingen_per_10k", "--region", "Drenthe", "--period", "2031HJ01"], "niet gepubliceerd"),
        (["show", "meldingen_per_10", "--region", "Drenthe"], "Bedoelde u 'meldingen_per_10k'"),
        (["show", "outcome_trauma_kind", "--region", "Drenthe"], "niet in de open data"),
        (["show", "duur_geweld_meldingen_pct", "--region", "Drenthe", "--category", "eeuwig"], "Categorie 'eeuwig' bestaat niet"),
        (["show", "x", "--region", "../../etc"], "bestaat niet"),
        (["regions", "--level", "wijk"], "Niveau 'wijk' bestaat niet"),
        (["indicators", "--theme", "nonsense"], "Thema 'nonsense' bestaat niet"),
    ],
)
def test_bad_input_one_line_exit_2(capsys, argv, needle):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert needle in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_regions_json_and_levels_per_period(capsys):
    code, out, _ = run(capsys, "regions", "--level", "vt", "--period", "2021HJ01", "--json")
    items = {r["key"]: r for r in json.loads(out)}
    assert code == 0 and len(items) == 26 and {"key", "name", "level", "provincie"} <= set(items["VT22"])
    assert items["VT22"]["name"] == "Zaanstreek-Waterland" and items["VT02"]["name"] == "Drenthe"
    code, out, _ = run(capsys, "regions", "--level", "vt", "--period", "2024HJ01", "--json")
    items = {r["key"]: r for r in json.loads(out)}
    assert len(items) == 25 and items["VT27"]["name"] == "Oost-Brabant" and "VT16" not in items
    code, out, _ = run(capsys, "regions", "--level", "gemeente", "--period", "2024HJ01", "--json")
    gemeenten = json.loads(out)
    assert len(gemeenten) == 342 and all(g["vt_regio"] and g["vt_regio_name"] for g in gemeenten)
    code, out, _ = run(capsys, "regions")
    assert "Veilig Thuis-regio (25)" in out and "Zaanstad" in out


def test_indicators_json_lists_every_row(capsys):
    from impactlib.catalogue import catalogue

    code, out, _ = run(capsys, "indicators", "--json")
    items = json.loads(out)
    assert [i["id"] for i in items] == list(catalogue())
    assert {i["availability"] for i in items} == {"open_data", "not_in_open_data"}
    code, out, _ = run(capsys, "indicators", "--theme", "outcome")
    assert "Verbetering outcome" in out and "meldingen_per_10k" not in out


def test_console_script_no_traceback():
    exe = Path(sys.executable).with_name("impactmonitor")
    res = subprocess.run([str(exe), "show", "x", "--region", "../../etc"], capture_output=True, text=True)
    assert res.returncode == 2 and "Traceback" not in res.stderr and res.stderr.count("\n") == 1
    res = subprocess.run([str(exe), "show"], capture_output=True, text=True)
    assert res.returncode == 2 and "Traceback" not in res.stderr


def test_the_command_line_does_not_build_the_iri_grammar_jsonschema_would_import():
    """The CLI process leaves out jsonschema's optional IRI checker (0,9 s to import); notebooks
    are still read, validated and written."""
    code = (
        "import sys, impactlib.cli, nbformat\n"
        "from nbformat.v4 import new_code_cell, new_notebook\n"
        "nb = nbformat.reads(nbformat.writes(new_notebook(cells=[new_code_cell('1')])), as_version=4)\n"
        "nbformat.validate(nb)\n"
        "print(sys.modules.get('rfc3987_syntax', 'weg'))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "None"
