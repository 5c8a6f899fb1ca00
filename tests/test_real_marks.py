"""Real CBS figures in the oefendata are marked where a reader sees them: the worked example's
comparison table, the handout, the explorer's tables and the export (issue 14)."""

from __future__ import annotations

import pytest

from impactlib import explorer, export, steps

ZW, ACUUT = "Zaanstreek-Waterland", "meldingen_acuut_structureel_pct"


def test_export_has_a_column_for_real_figures():
    table = export.region_table(ZW)
    assert {"echt_cbs", "nederland_echt_cbs"} <= set(table.columns)
    row = table[(table.indicator == ACUUT) & (table.periode == "2021HJ01")].iloc[0]
    assert (row["echt_cbs"], row["nederland_echt_cbs"]) == ("ja", "ja")  # the published 55,6 % and 42,8 %
    assert set(table["echt_cbs"]) == {"ja", "nee"}  # the invented rest says so
    assert any("echt_cbs" in line for line in export.explanation(table, "xlsx"))


@pytest.fixture(scope="module")
def zw_example():
    return steps.prepare(region=ZW, question="heftig-structureel-geweld", period="2021HJ01")


def test_worked_example_table_says_which_figures_are_real(zw_example):
    table = steps.national_table(zw_example)
    row = table[table["Indicator"].str.startswith("Percentage meldingen met acute")].iloc[0]
    assert row[steps.REAL_COLUMN] == "regio en Nederland"
    assert "nee (oefencijfer)" in set(table[steps.REAL_COLUMN])
    assert steps.real_mark(True, False) == "alleen de regio" and steps.real_mark(False, True) == "alleen Nederland"


def test_explorer_tables_say_which_figures_are_real():
    pair = explorer.explore(ZW, ACUUT, "2021HJ01", "nederland").table
    assert pair[explorer.REAL_COLUMN].tolist() == ["ja", "ja"]
    everyone = explorer.explore(ZW, ACUUT, "2021HJ01", "alle").table
    assert "nee" in set(everyone[explorer.REAL_COLUMN])


def test_handout_table_says_which_figures_are_real(tmp_path):
    from impactlib.cli import main

    assert main(["handout", "parameters/zaanstreek-waterland.yaml", "--out", str(tmp_path)]) == 0
    page = next(tmp_path.rglob("gesprek-*.html")).read_text(encoding="utf-8")
    assert "<th scope=\"col\">Echt CBS-cijfer</th>" in page and "<td>regio en Nederland</td>" in page
