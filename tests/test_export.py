"""Export of one region: contents, ranks, empty unknowns, oefendata note, atomic writes, CLI."""

import csv
import json
import os

import numpy as np
import openpyxl
import pandas as pd
import pytest

from impactlib import export, query
from impactlib.catalogue import get_indicator_spec
from impactlib.cli import main
from impactlib.compare.ranking import rank_within
from impactlib.errors import DataFault, NotAvailableError, ParameterError
from impactlib.formatting import round_half_up
from impactlib.regions import resolve


@pytest.fixture(scope="module")
def zw():
    return export.region_table("Zaanstreek-Waterland", source="snapshot")


@pytest.fixture(scope="module")
def drenthe_pv():
    return export.region_table("Drenthe", level="provincie", source="snapshot")


@pytest.fixture(scope="module")
def assen():
    return export.region_table("Assen", source="snapshot")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def no_temp_files(folder):
    return not [p for p in folder.iterdir() if ".tmp" in p.name]


# --------------------------------------------------------------------------- contents
def test_vt_export_holds_every_indicator_with_national_and_rank(zw):
    assert list(zw.columns) == export.COLUMNS
    assert zw["indicator"].nunique() >= 20 and zw.attrs["missing"] == {}
    row = zw[(zw.indicator == "meldingen_acuut_structureel_pct") & (zw.periode == "2021HJ01")]
    assert len(row) == 1
    row = row.iloc[0]
    assert row.waarde == 55.6 and row.nederland == 42.8
    assert 1 <= row.rang <= 5 and row.aantal_regios == 26
    assert row.eenheid == "procent" and row.voorlopig == "nee" and "84852NED" in row.bron
    assert set(zw.periode) == {p.key for p in query.available_periods()}


def test_rank_is_place_among_vt_regios_on_shown_values(zw):
    every = query.indicator_values("meldingen_per_10k", "vt", None, source="snapshot")
    every["shown"] = every["value"].map(lambda v: round_half_up(v, 1))
    mine = zw[zw.indicator == "meldingen_per_10k"].set_index("periode")
    for period, group in every.groupby("period"):
        own = group.loc[group.region == "Zaanstreek-Waterland", "shown"].iloc[0]
        assert mine.loc[period, "rang"] == 1 + (group["shown"] > own).sum()
        assert mine.loc[period, "aantal_regios"] == group["shown"].notna().sum()


def test_ties_share_the_lowest_rank_and_unknown_gets_none():
    region = resolve("Zaanstreek-Waterland").region
    frame = pd.DataFrame({
        "region_key": ["VT08", region.key, "VT04", "VT02", "VT11"],
        "period": "2021HJ01", "category": "",
        "value": [20.04, 20.0, 10.0, np.nan, 5.0],
    })
    mine = frame["region_key"] == region.key  # the export ranks with compare.ranking.rank_within
    assert rank_within(frame)[mine][["rank", "n_regions"]].values.tolist() == [[1, 4]]
    frame.loc[1, "value"] = np.nan
    ranked = rank_within(frame)[mine]
    assert pd.isna(ranked["rank"].iloc[0]) and pd.isna(ranked["n_regions"].iloc[0])


def test_other_levels_have_national_but_no_rank(drenthe_pv):
    assert drenthe_pv.attrs["region"].level == "provincie"
    assert drenthe_pv["indicator"].nunique() >= 20
    assert drenthe_pv["rang"].isna().all() and drenthe_pv["aantal_regios"].isna().all()
    assert drenthe_pv["nederland"].notna().any()


def test_suppressed_gemeente_cells_stay_empty_never_zero(assen, tmp_path):
    truth = query.get_indicator("meldingen_acuut_structureel_pct", "Assen", None, source="snapshot")
    assert truth["value"].isna().all()  # suppressed in the oefendata
    mine = assen[assen.indicator == "meldingen_acuut_structureel_pct"]
    assert len(mine) == len(truth) and mine["waarde"].isna().all()
    assert assen["indicator"].nunique() >= 20 and assen["rang"].isna().all()

    export.write_export(assen, tmp_path / "assen.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "assen.xlsx")["cijfers"]
    first = header_row(sheet)
    header = [c.value for c in sheet[first]]
    col = header.index("waarde")
    rows = [r for r in sheet.iter_rows(min_row=first + 1, values_only=True) if r[0] == "meldingen_acuut_structureel_pct"]
    assert rows and all(r[col] is None for r in rows)

    export.write_export(assen, tmp_path / "assen.csv")
    with open(tmp_path / "assen.csv", encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter=";") if r["indicator"] == "meldingen_acuut_structureel_pct"]
    assert rows and all(r["waarde"] == "" and r["rang"] == "" for r in rows)


def header_row(sheet, first: str = "indicator") -> int:
    """The row number of a sheet's column header (below the label lines)."""
    return next(i for i, row in enumerate(sheet.iter_rows(values_only=True), start=1) if row[0] == first)


# --------------------------------------------------------------------------- files
def test_xlsx_has_figures_sources_with_oefendata_note_and_explanation(zw, tmp_path):
    files = export.write_export(zw, tmp_path / "zw.xlsx")
    assert files == [tmp_path / "zw.xlsx"]
    book = openpyxl.load_workbook(files[0])
    assert book.sheetnames == ["samenvatting", "cijfers", "bronnen", "toelichting"]
    first = header_row(book["cijfers"])
    assert book["cijfers"].max_row == len(zw) + first
    sources = [[c for c in row] for row in book["bronnen"].iter_rows(values_only=True)]
    assert "OEFENDATA" in sources[0][0]
    table_rows = [r for r in sources if r[0] in set(zw.indicator)]
    assert {r[0] for r in table_rows} == set(zw.indicator)
    for r in table_rows:
        real = [t for t in get_indicator_spec(r[0]).tables if query.is_cbs_table_id(t)]
        assert "CC BY 4.0" in r[4] and all(t in r[3] for t in real)
    text = " ".join(str(r[0]) for r in book["toelichting"].iter_rows(values_only=True))
    for needle in ("10.000", "veelvouden van 5", "'.'", "'*'", "nooit 0", "Veilig Thuis-regio's van die periode", "echt_cbs"):
        assert needle in text


def test_csv_pair_reads_back_in_dutch_excel_style(zw, tmp_path):
    files = export.write_export(zw, tmp_path / "zw.csv")
    assert [f.name for f in files] == ["zw.csv", "zw_bronnen.csv"]
    back = pd.read_csv(files[0], sep=";", decimal=",", encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    assert len(back) == len(zw) and list(back.columns) == export.COLUMNS
    row = back[(back.indicator == "meldingen_acuut_structureel_pct") & (back.periode == "2021HJ01")].iloc[0]
    assert row.waarde == 55.6 and row.nederland == 42.8
    first = files[1].read_text(encoding="utf-8-sig").splitlines()[0]
    assert "OEFENDATA" in first


def test_failed_write_leaves_no_file_and_keeps_the_old_one(zw, tmp_path, monkeypatch):
    def broken(table, tmp):
        tmp.write_bytes(b"PK half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "_write_xlsx", broken)
    target = tmp_path / "zw.xlsx"
    with pytest.raises(DataFault, match="Kan niet schrijven"):
        export.write_export(zw, target)
    assert not target.exists() and no_temp_files(tmp_path)

    target.write_bytes(b"old")
    with pytest.raises(DataFault):
        export.write_export(zw, target)
    assert target.read_bytes() == b"old" and no_temp_files(tmp_path)


def test_csv_pair_is_all_or_nothing(zw, tmp_path, monkeypatch):
    def broken(table, tmp):
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(export, "_write_sources_csv", broken)
    with pytest.raises(DataFault):
        export.write_export(zw, tmp_path / "zw.csv")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name,fmt,needle", [
    (".", None, "is een map"),
    ("x.txt", None, "geen bekende extensie"),
    ("x.csv", "xlsx", "past niet bij"),
])
def test_wrong_output_paths_are_the_users_mistake(tmp_path, name, fmt, needle):
    with pytest.raises(ParameterError, match=needle):
        export.target_paths(tmp_path / name, fmt)


# --------------------------------------------------------------------------- CLI
def test_cli_writes_default_path(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "export", "--region", "Assen")
    target = tmp_path / "outputs" / "export" / "assen-gemeente.xlsx"
    assert code == 0 and target.exists() and "OEFENDATA" in out and str(target.relative_to(tmp_path)) in out
    assert no_temp_files(target.parent)


def test_cli_json_and_csv(capsys, tmp_path, monkeypatch, zw):
    monkeypatch.setattr(export, "region_table", lambda region, source=None: zw)
    code, out, _ = run(capsys, "export", "--region", "zaanstreek waterland", "--format", "csv",
                       "--out", str(tmp_path / "zw.csv"), "--json")
    payload = json.loads(out)
    assert code == 0 and payload["indicators"] >= 20 and payload["synthetic"] is True
    assert [os.path.basename(f) for f in payload["files"]] == ["zw.csv", "zw_bronnen.csv"]


def test_cli_directory_as_out_is_exit_2(capsys, tmp_path):
    code, _, err = run(capsys, "export", "--region", "Zaanstreek-Waterland", "--out", str(tmp_path))
    assert code == 2 and "is een map" in err and len(err.strip().splitlines()) == 1


def test_cli_unwritable_folder_is_exit_1(capsys, tmp_path, monkeypatch, zw):
    monkeypatch.setattr(export, "region_table", lambda region, source=None: zw)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(export.tempfile, "mkstemp", refuse)
    code, _, err = run(capsys, "export", "--region", "Zaanstreek-Waterland", "--out", str(tmp_path / "zw.xlsx"))
    assert code == 1 and "Kan niet schrijven" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "zw.xlsx").exists()


# --------------------------------------------------------------------------- summary sheet (issue 15)
def test_xlsx_opens_on_a_summary_with_label_dutch_headers_and_the_seed_figure(zw, tmp_path):
    export.write_export(zw, tmp_path / "zw.xlsx", period="2021HJ01")
    book = openpyxl.load_workbook(tmp_path / "zw.xlsx")
    sheet = book.worksheets[0]
    assert sheet.title == "samenvatting"
    assert "OEFENDATA" in str(sheet["A1"].value)  # the label comes first, above the data
    first = header_row(sheet, "Indicator")
    header = [c.value for c in sheet[first]]
    assert header == ["Indicator", "Categorie", "Periode", "Zaanstreek-Waterland", "Nederland", "Eenheid",
                      "Rang (1 = hoogste)", "Oordeel t.o.v. Nederland", "Marge (95 %)", "Bron"]
    assert sheet.freeze_panes == f"A{first + 1}" and sheet.auto_filter.ref.startswith(f"A{first}:")
    rows = {r[0]: r for r in sheet.iter_rows(min_row=first + 1, values_only=True)}
    head = rows[get_indicator_spec("meldingen_acuut_structureel_pct").name]
    assert (head[2], head[3], head[4], head[7]) == ("1e halfjaar 2021", 55.6, 42.8, "duidelijk hoger")
    assert head[6].endswith("van 26") and " tot " in head[8]


def test_every_xlsx_sheet_has_the_label_above_the_data_and_the_long_table_an_autofilter(zw, tmp_path):
    export.write_export(zw, tmp_path / "zw.xlsx")
    book = openpyxl.load_workbook(tmp_path / "zw.xlsx")
    for sheet in book.worksheets:
        assert "OEFENDATA" in str(sheet["A1"].value), sheet.title
    cijfers = book["cijfers"]
    first = header_row(cijfers)
    assert cijfers.freeze_panes == f"A{first + 1}" and cijfers.auto_filter.ref == f"A{first}:P{first + len(zw)}"  # 16 columns
    # newest half year by default
    summary = export.summary_table(zw)
    newest = max(p for p in zw["periode"] if "HJ" in p)
    assert summary.attrs["period"] == newest


def test_summary_rejects_a_period_that_is_not_in_the_export(zw, tmp_path):
    with pytest.raises(NotAvailableError):
        export.write_export(zw, tmp_path / "zw.xlsx", period="2030HJ01")
    assert not (tmp_path / "zw.xlsx").exists()
