"""Local indicators (instrument 08): reading, validation, suppression, beside the monitor, CLI."""

import json
import math
import random
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

from impactlib import local, query
from impactlib.cli import main
from impactlib.local import LocalFileError, beside_monitor, load_local, local_markdown, suppress_small, validate

HEADER = "indicator;omschrijving;bron;niveau;gebied;periode;waarde;eenheid"
SMALL = [  # six rows, a count of 3 among them; no other figure is a standalone 3
    "huisverboden;Opgelegde tijdelijke huisverboden;Veilig Thuis Kennemerland;gemeente;Heemstede;2024HJ01;3;aantal",
    "huisverboden;Opgelegde tijdelijke huisverboden;Veilig Thuis Kennemerland;gemeente;Haarlem;2024HJ01;24;aantal",
    "mda;Casussen met MDA++-inzet;Veilig Thuis Kennemerland;vt;Kennemerland;2024HJ01;18;aantal",
    "triage;Werkdagen van melding tot triage;Veilig Thuis Kennemerland;vt;Kennemerland;2024HJ01;4,2;werkdagen",
    "uitval;Aandeel cliënten dat uitvalt;Blijf Groep;gemeente;Heemskerk;2024HJ01;14,5;percentage",
    "arij;Aandeel ARIJ met verhoogd risico;Blijf Groep;regio;Kennemerland;2024;;percentage",
]


def write(tmp_path, lines, name="lokaal.csv", encoding="utf-8", sep=";"):
    text = "\n".join([HEADER.replace(";", sep), *lines]) + "\n"
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------- reading
def test_example_file_has_kennemerland_structure_and_is_labelled_synthetic():
    data = load_local(local.example_path())
    frame = data.frame
    assert data.synthetic and frame["opmerking"].str.contains("SYNTHETISCH").all()
    assert data.separator == ";" and data.encoding == "utf-8"
    assert {"Veilig Thuis Kennemerland", "Sociaal Team Haarlem", "Sociaal Team Heemskerk", "Blijf Groep",
            "CJG Kennemerland", "CJG Heemstede", "RvdK Kennemerland"} == set(frame["bron"])
    assert set(frame["niveau"]) == {"vt", "gemeente", "wijk", "regio"}
    assert frame["onderdrukt"].sum() == 1 and frame["waarde"].isna().sum() == 2  # one suppressed, one unknown
    assert set(local.schema()["columns"]) <= set(frame.columns)
    assert "SYNTHETISCH" in (local.example_path().parent / "local_schema.yaml").read_text(encoding="utf-8")


def test_good_file_loads_with_decimal_comma_and_periods_of_all_forms(tmp_path):
    lines = SMALL[1:5] + ["ots;OTS per 10.000;RvdK Kennemerland;regio;Kennemerland;2023H2;1.234,5;per 10.000"]
    data = load_local(write(tmp_path, lines))
    f = data.frame.set_index("indicator")
    assert f.loc["triage", "waarde"] == 4.2 and f.loc["uitval", "waarde"] == 14.5
    assert f.loc["ots", "waarde"] == 1234.5 and f.loc["ots", "eenheid"] == "per_10k"
    assert f.loc["ots", "periode"] == "2023HJ02" and f.loc["uitval", "weergave"] == "14,5 %"
    assert validate(write(tmp_path, lines)) == []


def test_comma_separated_file_with_quoted_decimal_comma(tmp_path):
    lines = [
        'uitval,Aandeel cliënten dat uitvalt,Blijf Groep,regio,Kennemerland,2024,"14,5",percentage',
        "triage,Werkdagen tot triage,Veilig Thuis Kennemerland,vt,Kennemerland,2024H1,4.2,werkdagen",
    ]
    data = load_local(write(tmp_path, lines, sep=","))
    assert data.separator == "," and data.frame["waarde"].tolist() == [14.5, 4.2]
    assert data.frame["periode"].tolist() == ["2024JJ00", "2024HJ01"]


def test_comma_file_with_unquoted_decimal_comma_names_the_row(tmp_path):
    lines = ["uitval,Aandeel uitval,Blijf Groep,gemeente,Heemskerk,2024,14,5,percentage"]
    with pytest.raises(LocalFileError, match=r"^Rij 2: .*komma in een getal"):
        load_local(write(tmp_path, lines, sep=","))


def test_cp1252_file_is_read(tmp_path):
    path = write(tmp_path, SMALL[1:], encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    data = load_local(path)
    assert data.encoding == "windows-1252"
    assert "Aandeel cliënten dat uitvalt" in set(data.frame["omschrijving"])


def test_utf8_with_bom_and_capitalised_headers(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(("\ufeff" + HEADER.title() + ";Extra\n" + SMALL[2] + ";x\n").encode("utf-8"))
    data = load_local(path)
    assert len(data.frame) == 1 and data.ignored_columns == ["extra"]


def test_xlsx_file_loads_and_errors_use_sheet_rows(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(";"))
    sheet.append(["mda", "Casussen MDA++", "Veilig Thuis Kennemerland", "vt", "Kennemerland", "2024HJ01", 18, "aantal"])
    sheet.append(["uitval", "Aandeel uitval", "Blijf Groep", "regio", "Kennemerland", 2024, 14.5, "percentage"])
    book.save(tmp_path / "lokaal.xlsx")
    data = load_local(tmp_path / "lokaal.xlsx")
    assert data.file_format == "xlsx" and data.frame["waarde"].tolist() == [18.0, 14.5]
    assert data.frame["periode"].tolist() == ["2024HJ01", "2024JJ00"]
    sheet.append(["uitval", "Aandeel uitval", "Blijf Groep", "regio", "Kennemerland", 2023, "veel", "percentage"])
    book.save(tmp_path / "fout.xlsx")
    assert validate(tmp_path / "fout.xlsx") == ["Rij 4, kolom 'waarde': 'veel' is geen getal; schrijf bijv. 12 of 12,5 (leeg = onbekend)."]


@pytest.mark.parametrize("name", ["rommel.csv", "rommel.xlsx", "rommel.dat"])
def test_garbage_binary_file_gives_one_clear_line(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(random.Random(6).randbytes(4000) + b"\x00\x01\x02")
    with pytest.raises(LocalFileError) as info:
        load_local(path)
    message = str(info.value)
    assert name in message and "\n" not in message and ("CSV" in message or "Excel" in message)


def test_missing_file_and_missing_columns(tmp_path):
    with pytest.raises(LocalFileError, match="bestaat niet"):
        load_local(tmp_path / "nergens.csv")
    path = tmp_path / "kolommen.csv"
    path.write_text("indicator;gebied;waarde\nmda;Haarlem;4\n", encoding="utf-8")
    with pytest.raises(LocalFileError, match=r"^Rij 1: kolommen 'omschrijving', 'bron', 'niveau', 'periode', 'eenheid' ontbreken"):
        load_local(path)


# --------------------------------------------------------------------------- validation
def test_bad_row_fails_with_excel_row_and_column(tmp_path):
    lines = SMALL[1:5] + ["", "veel;Te veel;Blijf Groep;regio;Kennemerland;2024HJ01;veel;aantal"]
    path = write(tmp_path, lines)  # header row 1, four good rows, an empty row 6, the bad row 7
    with pytest.raises(LocalFileError) as info:
        load_local(path)
    assert str(info.value) == "Rij 7, kolom 'waarde': 'veel' is geen getal; schrijf bijv. 12 of 12,5 (leeg = onbekend)."


def test_every_error_one_line_first_in_message_with_count(tmp_path):
    lines = [
        SMALL[2],
        "mda;Casussen;VT;provincie;Kennemerland;2024Q3;12;aantal",
        ";Casussen;VT;vt;Kennemerland;2024;1.234;aantal",
        SMALL[2],
        "pct;Aandeel;VT;vt;Kennemerland;2024;120;percentage",
        "pct;Aandeel;VT;vt;Kennemerland;2023;12;kilo",
    ]
    errors = validate(write(tmp_path, lines))
    assert [e.split(":")[0] for e in errors] == [
        "Rij 3, kolom 'niveau'", "Rij 3, kolom 'periode'", "Rij 4, kolom 'indicator'", "Rij 4, kolom 'waarde'",
        "Rij 5", "Rij 6, kolom 'waarde'", "Rij 7, kolom 'eenheid'",
    ]
    assert "dezelfde indicator" in errors[4] and "rij 2" in errors[4]
    assert all("\n" not in e for e in errors)
    with pytest.raises(LocalFileError) as info:
        load_local(write(tmp_path, lines))
    assert str(info.value) == errors[0] + " (en nog 6 fouten)" and info.value.exit_code == 2


def test_unknown_values_stay_unknown_never_zero(tmp_path):
    lines = [f"i{n};Iets;Bron;vt;Kennemerland;2024;{v};percentage" for n, v in enumerate(["", ".", "onbekend"])]
    frame = load_local(write(tmp_path, lines)).frame
    assert frame["waarde"].isna().all() and (frame["weergave"] == "onbekend").all() and not frame["onderdrukt"].any()


# --------------------------------------------------------------------------- privacy
def test_suppress_small_threshold_is_a_parameter_and_spares_the_monitor():
    frame = pd.DataFrame({
        "bron": ["lokaal", "lokaal", "lokaal", local.MONITOR_SOURCE], "eenheid": ["aantal", "aantal", "percentage", "aantal"],
        "waarde": [7.0, 12.0, 2.0, 0.0], "weergave": ["7", "12", "2,0 %", "0"], "onderdrukt": False,
    })
    monitor = [False, False, False, True]  # the caller knows which rows it took from the monitor
    out = suppress_small(frame, threshold=10, monitor_rows=monitor)
    assert out["weergave"].tolist() == ["<10", "12", "2,0 %", "0"]
    assert out["onderdrukt"].tolist() == [True, False, False, False] and math.isnan(out["waarde"][0])
    assert suppress_small(out, threshold=10, monitor_rows=monitor).equals(out) and frame["waarde"][0] == 7.0
    # a label is not a monitor figure: without the mask the 'bron' column spares nothing (R57)
    assert suppress_small(frame, threshold=10)["weergave"].tolist() == ["<10", "12", "2,0 %", "<10"]


THREE = re.compile(r"(?<![\d.,])3(?:[.,]0+)?(?![\d.,])")


def _no_three_in_frame(frame):
    for value in frame.to_numpy().ravel():
        if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
            assert value != 3, frame
        elif isinstance(value, str):
            assert not THREE.search(value), value


def test_a_local_count_of_3_never_appears_in_any_output(tmp_path, capsys):
    path = write(tmp_path, SMALL)
    data = load_local(path)
    row = data.frame[data.frame.gebied == "Heemstede"].iloc[0]
    assert row.onderdrukt and row.weergave == "<5" and math.isnan(row.waarde)
    _no_three_in_frame(data.frame)

    side = beside_monitor(data, "Kennemerland", "2024HJ01", indicators=["meldingen_per_10k"])
    _no_three_in_frame(side)
    _no_three_in_frame(suppress_small(data))
    markdown = local_markdown(data, "Kennemerland", "2024HJ01", indicators=["meldingen_per_10k"])
    cells = [c.strip() for line in markdown.splitlines() if line.startswith("|") for c in line.strip("|").split("|")]
    assert "<5" in cells and not [c for c in cells if THREE.search(c)]
    assert not THREE.search(local_markdown(data))
    assert not THREE.search(local_markdown(pd.read_csv(path, sep=";", decimal=",").pipe(load_local).frame))

    texts = []
    for argv in (["local", "check", str(path)], ["local", "check", str(path), "--json"],
                 ["local", "show", str(path), "--region", "Kennemerland", "--period", "2024HJ01", "--indicator", "meldingen_per_10k"],
                 ["local", "show", str(path), "--region", "Kennemerland", "--period", "2024HJ01", "--indicator", "meldingen_per_10k", "--json"],
                 ["local", "show", str(path), "--region", "Kennemerland", "--period", "2024HJ01", "--indicator", "meldingen_per_10k", "--markdown"]):
        code, out, err = run(capsys, *argv)
        assert code == 0, err
        texts.append((out + err).replace(str(path), "<pad>"))  # the folder name is pytest's, not ours
    for text in texts:
        assert "<5" in text and not THREE.search(text), text
    payload = json.loads(texts[1])
    assert [r["waarde"] for r in payload["cijfers"] if r["gebied"] == "Heemstede"] == [None]

    for name in ("naast.csv", "naast.xlsx"):
        code, _, err = run(capsys, "local", "show", str(path), "--region", "Kennemerland", "--period", "2024HJ01",
                           "--indicator", "meldingen_per_10k", "--out", str(tmp_path / name))
        assert code == 0, err
    _no_three_in_frame(pd.read_csv(tmp_path / "naast.csv", sep=";", decimal=",", encoding="utf-8-sig", dtype=str).fillna(""))
    _no_three_in_frame(pd.read_excel(tmp_path / "naast.xlsx", sheet_name="cijfers", dtype=str).fillna(""))


# --------------------------------------------------------------------------- beside the monitor
def test_beside_monitor_stacks_sources_and_never_sums(tmp_path):
    lines = [
        "meldingen_per_10k;Meldingen per 10.000 inwoners (eigen telling);Veilig Thuis Kennemerland;vt;Kennemerland;2024HJ01;50,0;per_10k",
        "mda;Casussen met MDA++-inzet;Veilig Thuis Kennemerland;vt;Kennemerland;2024;18;aantal",
        "mda;Casussen met MDA++-inzet;Veilig Thuis Kennemerland;vt;Kennemerland;2023;16;aantal",
    ]
    data = load_local(write(tmp_path, lines))
    side = beside_monitor(data, "Kennemerland", "2024H1", indicators=["meldingen_per_10k"])
    monitor = query.get_indicator("meldingen_per_10k", "Kennemerland", "2024HJ01")["value"].iloc[0]
    same = side[side.indicator == "meldingen_per_10k"].set_index("bron")
    assert set(same.index) == {"CBS Impactmonitor", "lokaal: Veilig Thuis Kennemerland"}
    assert same.loc["lokaal: Veilig Thuis Kennemerland", "waarde"] == 50.0
    assert same.loc["CBS Impactmonitor", "waarde"] == round(monitor, 1)
    assert len(side) == 3  # monitor row, local 2024HJ01 row, local yearly 2024 row; not 2023
    assert set(side.loc[side.indicator == "mda", "periode"]) == {"2024JJ00"}
    assert "nooit op" in side.attrs["warning"] and side.attrs["synthetic"]["monitor"] is True
    assert side.attrs["synthetic"]["lokaal"] is False


def test_markdown_labels_synthetic_warns_and_names_sources():
    data = load_local(local.example_path())
    text = local_markdown(data, "Kennemerland", "2024HJ01")
    assert "synthetische voorbeeldcijfers" in text and "OEFENDATA" in text and local.DEFINITION_WARNING in text
    assert "| lokaal: Blijf Groep |" in text and "| CBS Impactmonitor |" in text and "<5" in text
    assert "CC BY 4.0" in text


# --------------------------------------------------------------------------- CLI
def test_cli_check_bad_file_exit_2_lists_errors(tmp_path, capsys):
    lines = [SMALL[2], "mda;Casussen;VT;vt;Kennemerland;2024;veel;aantal", "x;Y;VT;vt;K;2024;1;kilo"]
    code, out, err = run(capsys, "local", "check", str(write(tmp_path, lines)))
    assert code == 2 and out == ""
    assert err.strip().splitlines()[-1] == (
        "impactmonitor: Rij 3, kolom 'waarde': 'veel' is geen getal; schrijf bijv. 12 of 12,5 (leeg = onbekend). (en nog 1 fout)"
    )
    assert "Rij 4, kolom 'eenheid'" in err and "Traceback" not in err


def test_cli_example_then_check(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "local", "example")
    target = tmp_path / local.example_path().name
    assert code == 0 and target.read_bytes() == local.example_path().read_bytes() and "SYNTHETISCH" in out
    code, out, _ = run(capsys, "local", "check", target.name)
    assert code == 0 and "synthetische voorbeeldcijfers" in out and "26 rijen" in out
