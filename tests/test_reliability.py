"""Reliability (issue 7): every row of docs/betrouwbaarheid.md, one test each.

Each row asserts what a user meets when something goes wrong: exactly one line on stderr
(``impactmonitor: <Dutch message>`` with the key words of the table), no traceback, the
exit code of the table (2 = the input can be improved, 1 = a fault outside the user's
control, 0 = handled with a remark, 130 = interrupted), no file left behind in the working
folder or the output folder, and for cache faults a cache that is byte for byte the same.

Test ids carry the row id (``R07``); :func:`test_table_and_tests_match` keeps the table and
this file in step. Commands run in-process (``impactlib.cli.main``) unless a real process
is the point (console script, ``--debug`` tracebacks, Ctrl+C while starting, a disk that
is really full). Network faults come from the small servers of ``mirror_fixtures`` on
127.0.0.1; a full disk is simulated; the tests run as root, where ``chmod`` does not stop
writes, so an unwritable folder is a path *under a regular file*.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from mirror_fixtures import *  # noqa: F403 - the autouse 'offline' fixture: no test leaves 127.0.0.1
from mirror_fixtures import faulty_mirror, mirror_of, snapshot_bundle
from nbformat.v4 import new_code_cell, new_notebook

from impactlib import export, regions, settings, steps
from impactlib.cli import main
from impactlib.errors import ImpactError, ParameterError
from impactlib.params import RunParameters, _parse_question, load_parameters, make_parameters
from impactlib.run import batch, execute
from impactlib.sources import chooser
from impactlib.sources.v3 import V3Backend
from impactlib.sources.snapshot import bundled_snapshot_dir

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "betrouwbaarheid.md"
SHOW = ["show", "meldingen_per_10k", "--region", "Drenthe", "--level", "vt", "--period", "2021HJ01"]
QUESTION_IDS = ("adviesvragers, duur-geweld, eerder-beter-in-beeld, heftig-structureel-geweld, meldingen-komen-terug, "
                "na-de-melding, ouderenmishandeling, professionals-melden, regiovisie-monitoren, zorg-en-veiligheid")
LOCAL_HEADER = "indicator;omschrijving;bron;niveau;gebied;periode;waarde;eenheid"


# --------------------------------------------------------------------------- helpers
def tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` with its bytes (empty when the folder does not exist)."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def one_line(err: str, *words: str) -> str:
    """stderr is exactly one line ``impactmonitor: ...`` holding every word; no traceback."""
    lines = err.splitlines()
    assert len(lines) == 1 and err.endswith("\n"), err
    assert lines[0].startswith("impactmonitor: ") and "Traceback" not in err, err
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A fresh working folder (the cwd) whose files must be the same after every command."""
    folder = tmp_path / "werkmap"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def cli(capsys, argv) -> tuple[int, str, str]:
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse's usage errors end the process, as they do from the console
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_row(capsys, work, argv, code, words, *, files=None, stderr_lines=1):
    """Run ``argv`` in ``work`` (after writing ``files``); check code, stderr and leftovers."""
    for name, content in (files or {}).items():
        (work / name).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    before = tree(work)
    got, out, err = cli(capsys, argv)
    assert got == code, (got, err)
    if stderr_lines:
        one_line(err, *words)
    else:
        assert err == "", err
    assert tree(work) == before, "a command left a file behind"
    return out, err


def console(*argv, cwd=None, env=None, timeout=120) -> subprocess.CompletedProcess:
    """The installed console script (``python -m impactlib`` when it is not installed)."""
    exe = Path(sys.executable).with_name("impactmonitor")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "impactlib"]
    return subprocess.run(cmd + [str(a) for a in argv], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=timeout)


# --------------------------------------------------------------------------- R01-R24: input on the command line
ROWS = [
    ("R01", SHOW[:3] + ["Atlantis", "--period", "2021HJ01"], 2, ["Regio 'Atlantis' is onbekend", "impactmonitor regions"]),
    ("R02", SHOW[:3] + ["Zaanstreek Waterlandd", "--period", "2021HJ01"], 2,
     ["Regio 'Zaanstreek Waterlandd' is onbekend", "Bedoelde u 'Zaanstreek-Waterland'"]),
    ("R03", SHOW[:3] + ["Groningen", "--period", "2021HJ01"], 0,
     ["'Groningen' opgevat als Veilig Thuis-regio Groningen", "ook beschikbaar als provincie (--level provincie)"]),
    ("R04", SHOW[:3] + ["Drenthe", "--level", "gemeente", "--period", "2021HJ01"], 2,
     ["'Drenthe' bestaat niet als gemeente, wel als Veilig Thuis-regio, provincie."]),
    ("R05", SHOW[:3] + ["Drenthe", "--level", "planeet"], 2,
     ["Niveau 'planeet' bestaat niet. Kies uit: land, landsdeel, provincie, vt, gemeente."]),
    ("R06", ["compare", "meldingen_per_10k", "--region", "Zaanstad", "--period", "2021HJ01"], 0,
     ["Een rangorde wordt alleen gegeven voor Veilig Thuis-regio's", "Zaanstad is een gemeente", "--peers"]),
    ("R07", SHOW[:6] + ["--period", "2021XX"], 2, ["Periode '2021XX' is niet te lezen", "2021HJ01", "2021JJ00"]),
    ("R08", SHOW[:6] + ["--period", "2018HJ01"], 2, ["Periode '2018HJ01' valt buiten de reeks", "begint in 2019"]),
    ("R09", SHOW[:6] + ["--period", "2031HJ01"], 2,
     ["Periode 2031HJ01 is (nog) niet gepubliceerd voor 'meldingen_per_10k'", "beschikbaar: 2019HJ01 t/m"]),
    ("R10", ["show", "meldingen_per_1k", "--region", "Drenthe"], 2,
     ["Indicator 'meldingen_per_1k' bestaat niet", "impactmonitor indicators", "Bedoelde u 'meldingen_per_10k'"]),
    ("R11", ["show", "recidive_pleger", "--region", "Drenthe"], 2,
     ["Indicator 'recidive_pleger' staat niet in de open data van CBS", "WODC"]),
    ("R12", ["show", "duur_geweld_meldingen_pct", "--region", "Drenthe", "--level", "vt", "--category", "eeuwig"], 2,
     ["Categorie 'eeuwig' bestaat niet bij 'duur_geweld_meldingen_pct'. Kies uit:", "langer dan 5 jaar"]),
    ("R14", SHOW + ["--source", "magisch"], 2,
     ["argument --source: ongeldige keuze: 'magisch' (kies uit 'auto', 'live', 'cache', 'snapshot')"]),
    ("R21", SHOW[:3] + ["../../etc"], 2, ["Regio '../../etc' is onbekend"]),
    ("R22", ["run", "--region", "Drenthe", "--question", "../../etc/passwd", "--out", "uit"], 2,
     ["opdrachtregel: sleutel 'question': Beleidsvraag '../../etc/passwd' bestaat niet; kies uit: " + QUESTION_IDS]),
]


@pytest.mark.parametrize("row, argv, code, words", [pytest.param(*r, id=r[0]) for r in ROWS])
def test_cli_rows(capsys, work, row, argv, code, words):
    out, _ = run_row(capsys, work, argv, code, words)
    if code == 0:
        assert "Nederland" in out and "OEFENDATA" in out  # the figure follows the remark
    else:
        assert out == ""


def test_R13_suppressed_cell_stays_unknown(capsys, work):
    out, _ = run_row(capsys, work, ["show", "overdracht_rvdk_pct", "--region", "Zaanstad", "--period", "2021HJ01"],
                     0, [], stderr_lines=0)
    assert "onbekend   (Nederland: " in out and " 0,0 %" not in out
    out, _ = run_row(capsys, work, ["compare", "overdracht_rvdk_pct", "--region", "Zaanstad", "--period", "2021HJ01"],
                     0, ["Zaanstad is een gemeente"])
    assert "Waarde:      onbekend" in out and "niet te zeggen (" in out and "het cijfer van de regio is onbekend" in out


# --------------------------------------------------------------------------- R15-R20, R23, R55: parameter files
YAML_ROWS = [
    ("R15", None, [], 2, ["Parameterbestand nietbestaand.yaml bestaat niet; geef het pad naar een .yaml-bestand."]),
    ("R16", "kapot.yaml", "region: Drenthe\nquestion: adviesvragers\n  period: : x\n", 2,
     ["kapot.yaml (regel 3): geen geldige YAML; verwacht regels als 'sleutel: waarde'."]),
    ("R17", "mist.yaml", "question: adviesvragers\n", 2, ["mist.yaml: sleutel 'region' ontbreekt."]),
    ("R18", "type.yaml", "region: Drenthe\nquestion: adviesvragers\nperiod: [2021]\n", 2,
     ["type.yaml: sleutel 'period': Periode '[2021]' is niet te lezen."]),
    ("R19", "extra.yaml", "region: Drenthe\nquestion: adviesvragers\nkleur: rood\n", 2,
     ["extra.yaml: sleutel 'kleur' is onbekend; toegestane sleutels: level, region, period, question, indicators, "
      "peers, title, local_file, goal, context, trained_groups."]),
    ("R20", "vraag.yaml", "region: Drenthe\nquestion: beter-weten\n", 2,
     [f"vraag.yaml: sleutel 'question': Beleidsvraag 'beter-weten' bestaat niet; kies uit: {QUESTION_IDS}.",
      "Bedoelde u 'eerder-beter-in-beeld'?"]),
    ("R23", "nul.yaml", 'region: "Dren\\0the/../x"\nquestion: adviesvragers\n', 2,
     ["nul.yaml: sleutel 'region': Regio 'Dren\\0the/../x' is onbekend", "Bedoelde u 'Drenthe'"]),
    ("R55", "peers.yaml", "region: Drenthe\nquestion: adviesvragers\npeers: 12\n", 2,
     ["peers.yaml: sleutel 'peers' moet 'auto' of een lijst met regio's zijn (gegeven: 12)."]),
]


@pytest.mark.parametrize("row, name, text, code, words", [pytest.param(*r, id=r[0]) for r in YAML_ROWS])
def test_parameter_file_rows(capsys, work, row, name, text, code, words):
    files = {name: text} if name else {}
    line = run_row(capsys, work, ["run", name or "nietbestaand.yaml", "--out", "uit"], code, words, files=files)[1]
    assert "\x00" not in line and not (work / "uit").exists()


# --------------------------------------------------------------------------- R24-R26, R51: output folders and files
def test_R24_output_folder_is_a_file(capsys, work):
    run_row(capsys, work, ["run", "--region", "Drenthe", "--question", "adviesvragers", "--period", "2021HJ01",
                           "--out", "afile"], 2, [f"Uitvoermap {work / 'afile'} is een bestand; geef met --out een map op."],
            files={"afile": "x"})


def test_R25_output_folder_cannot_be_made(capsys, work):
    # Root ignores chmod, so the unwritable folder is a path under a regular file (ENOTDIR).
    run_row(capsys, work, ["run", "--region", "Drenthe", "--question", "adviesvragers", "--period", "2021HJ01",
                           "--out", "afile/sub"], 1,
            [f"Kan map {work / 'afile' / 'sub' / 'drenthe'} niet maken (", "kies met --out een schrijfbare map."],
            files={"afile": "x"})


def half_then(exc):
    """A writer that puts half a file on disk and then fails with ``exc``."""
    def write(table, tmp):
        Path(tmp).write_bytes(b"PK\x03\x04half a workbook")
        raise exc
    return write


def test_R26_disk_full_during_export(capsys, work, monkeypatch):
    monkeypatch.setattr(export, "_write_xlsx", half_then(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))))
    (work / "vol").mkdir()
    run_row(capsys, work, ["export", "--region", "Drenthe", "--level", "vt", "--out", "vol/drenthe.xlsx"], 1,
            ["Kan niet schrijven in vol (No space left on device); kies met --out een map waarin u mag schrijven."])
    assert list((work / "vol").iterdir()) == []


def test_R51_ctrl_c_during_export(capsys, work, monkeypatch):
    monkeypatch.setattr(export, "_write_xlsx", half_then(KeyboardInterrupt()))
    run_row(capsys, work, ["export", "--region", "Drenthe", "--level", "vt", "--out", "uit/drenthe.xlsx"], 130,
            ["impactmonitor: afgebroken."])
    assert tree(work / "uit") == {}


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full to make a disk that is really full")
def test_R26_a_really_full_disk_gives_one_line_and_no_file(tmp_path):
    """Every temporary file of the export points at /dev/full: each write fails with ENOSPC
    inside openpyxl/zipfile. One line, exit 1, and no 'Exception ignored' traceback when the
    process ends (bug: a half-open ZipFile complained again on garbage collection)."""
    driver = tmp_path / "vol_driver.py"
    driver.write_text(
        "import os, sys, tempfile\n"
        "real = tempfile.mkstemp\n"
        "def full(*a, **k):\n"
        "    fd, path = real(*a, **k)\n"
        "    os.unlink(path); os.symlink('/dev/full', path)\n"
        "    return fd, path\n"
        "tempfile.mkstemp = full\n"
        "from impactlib.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    res = subprocess.run([sys.executable, str(driver), "export", "--region", "Assen", "--out", tmp_path / "vol" / "a.xlsx"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 1, res.stderr
    one_line(res.stderr, "No space left on device", "--out")
    assert "Exception ignored" not in res.stderr
    assert tree(tmp_path / "vol") == {}


def test_export_counts_rows_with_a_dutch_thousands_separator(capsys, work):
    code, out, _ = cli(capsys, ["export", "--region", "Drenthe", "--level", "vt", "--out", "uit/drenthe.csv"])
    rows = len(pd.read_csv(work / "uit" / "drenthe.csv", sep=";", encoding="utf-8-sig"))
    assert code == 0 and rows > 999
    assert f"{rows // 1000}.{rows % 1000:03d} rijen" in out and f"{rows} rijen" not in out


# --------------------------------------------------------------------------- R27-R30, R50: the cache
@pytest.fixture(scope="module")
def filled_cache(tmp_path_factory):
    """A cache with 84847NED and 03759ned (what 'show meldingen_per_10k' needs), fetched once."""
    cache = tmp_path_factory.mktemp("cache")
    with mirror_of(snapshot_bundle("84847NED"), snapshot_bundle("03759ned")) as server, \
            pytest.MonkeyPatch.context() as mp:
        mp.setenv("IMPACTMONITOR_CBS_HOST", server.address)
        mp.setenv("IMPACTMONITOR_CBS_HTTPS", "0")
        mp.setattr(settings, "_current", None)
        chooser.forget_sources()
        assert main(["fetch", "--tables", "84847NED", "03759ned", "--regions", "Drenthe", "--cache-dir", str(cache),
                     "--backend", "v3", "--json"]) == 0
        mp.setattr(settings, "_current", None)
    chooser.forget_sources()
    return cache


@pytest.fixture
def cache(filled_cache, tmp_path, capsys):
    capsys.readouterr()  # the fetch of the module fixture said its piece
    copy = tmp_path / "cache"
    shutil.copytree(filled_cache, copy)
    return copy


def damage_data_file(cache: Path) -> Path:
    path = next((cache / "84847NED").glob("*.parquet"))
    path.write_bytes(path.read_bytes()[:100])
    return path


def test_R27_damaged_cache_file_offline(capsys, work, cache):
    damage_data_file(cache)
    before = tree(cache)
    run_row(capsys, work, SHOW + ["--source", "cache", "--cache-dir", cache, "--backend", "v3"], 1,
            ["Cachebestand", "van tabel 84847NED is beschadigd of onvolledig (controlegetal klopt niet).",
             "Haal de tabel opnieuw op met 'impactmonitor fetch --tables 84847NED'."])
    assert tree(cache) == before


def test_R27_damaged_cache_file_is_repaired_by_fetch(capsys, work, cache, monkeypatch):
    damaged = damage_data_file(cache)
    others = {k: v for k, v in tree(cache).items() if "84847NED" not in k and k not in ("manifest.json", "manifest.lock")}
    with mirror_of(snapshot_bundle("84847NED"), snapshot_bundle("03759ned")) as server:
        monkeypatch.setenv("IMPACTMONITOR_CBS_HOST", server.address)
        code, out, err = cli(capsys, ["fetch", "--tables", "84847NED", "--regions", "Drenthe", "--cache-dir", cache,
                                      "--backend", "v3"])
    assert code == 0 and "hersteld" in out and "beschadigd" in err and "Traceback" not in err
    assert {k: v for k, v in tree(cache).items() if k in others} == others  # the rest of the cache untouched
    chooser.forget_sources()
    code, out, err = cli(capsys, SHOW + ["--source", "cache", "--cache-dir", cache])
    assert code == 0 and "Nederland" in out and damaged.exists() and "beschadigd" not in err  # repaired


def test_R28_cache_of_another_version(capsys, work, cache):
    manifest = json.loads((cache / "manifest.json").read_text())
    (cache / "manifest.json").write_text(json.dumps({**manifest, "format": 99}))
    before = tree(cache)
    run_row(capsys, work, SHOW + ["--source", "cache", "--cache-dir", cache], 2,
            [f"Tabel 84847NED is niet uit de cache te lezen: de cache in {cache} heeft een ander formaat "
             "(versie 99, verwacht 1); haal hem opnieuw op met 'impactmonitor fetch --tables 84847NED'."])
    assert tree(cache) == before


def test_R29_damaged_cache_manifest(capsys, work, cache):
    (cache / "manifest.json").write_text('{"format": 1, "entries": {')
    before = tree(cache)
    run_row(capsys, work, SHOW + ["--source", "cache", "--cache-dir", cache], 1,
            [f"Tabel 84847NED is niet uit de cache te lezen: het cache-overzicht {cache / 'manifest.json'} is "
             "beschadigd; haal hem opnieuw op met 'impactmonitor fetch --tables 84847NED'."])
    assert tree(cache) == before


def test_R30_table_not_in_the_cache(capsys, work, tmp_path):
    empty = tmp_path / "leeg"
    run_row(capsys, work, SHOW + ["--source", "cache", "--cache-dir", empty], 2,
            [f"Tabel 84847NED zit (voor deze regio's en perioden) niet in de cache {empty}; "
             "haal hem op met 'impactmonitor fetch --tables 84847NED'."])
    assert tree(empty) == {}


def test_R50_snapshot_of_an_empty_cache(capsys, work, tmp_path):
    empty = tmp_path / "leeg"
    empty.mkdir()
    run_row(capsys, work, ["snapshot", "build", "--out", "snap", "--cache-dir", empty], 2,
            [f"De cache {empty} is leeg; vul hem eerst met 'impactmonitor fetch'."])
    assert tree(empty) == {}


# --------------------------------------------------------------------------- R31-R39: CBS faults
def test_R31_no_internet_with_source_live(capsys, work, tmp_path):
    run_row(capsys, work, SHOW + ["--source", "live", "--cache-dir", tmp_path / "c"], 1,
            ["v3: ", "is niet bereikbaar (verbinding geweigerd, tabel 84847NED), v4: ",
             "controleer de internetverbinding of gebruik --source cache."])
    assert tree(tmp_path / "c") == {}


def test_R32_no_internet_and_no_cache_with_source_auto(capsys, work, tmp_path):
    out, _ = run_row(capsys, work, SHOW + ["--source", "auto", "--cache-dir", tmp_path / "c"], 0,
                     ["Geen live- of cachecijfers: v3: ", "niet bereikbaar", "niet in de cache",
                      "Gebruikt: OEFENDATA (synthetisch)."])
    assert "OEFENDATA" in out and "Nederland" in out


@pytest.fixture
def quick_cbs(monkeypatch):
    """CBS OData v3 only, with a 1 s timeout and quick retries (the real ones wait 30 s)."""
    monkeypatch.setattr(chooser, "default_backends",
                        lambda setting="auto", **_: [V3Backend(timeout=1.0, retries=2, backoff=0.01)])


CBS_ROWS = [
    ("R33", "TypedDataSet", "slow", 1, ["antwoordt niet binnen 1 s (tabel 84847NED)", "--source cache"]),
    ("R34", "TypedDataSet", "500", 1, ["geeft serverfout 500 voor tabel 84847NED, ook na 3 pogingen",
                                       "probeer het later opnieuw of gebruik --source cache."]),
    ("R35", "TypedDataSet", "404", 2, ["Tabel 84847NED bestaat niet (meer) bij", "(HTTP 404)", "StatLine"]),
    ("R36", "TypedDataSet", "garbled", 1, ["gaf een onleesbaar antwoord (geen geldige JSON) voor tabel 84847NED"]),
    ("R37", "TypedDataSet", "empty", 1, ["gaf een leeg antwoord voor tabel 84847NED; probeer het later opnieuw."]),
    ("R38", "TypedDataSet", "reset", 1, ["is niet bereikbaar (verbinding verbroken, tabel 84847NED)"]),
    ("R39", "84847NED/?", "nodata", 1, ["gaf voor tabel 84847NED geen OData-tabel (geen TypedDataSet)",
                                        "controleer IMPACTMONITOR_CBS_HOST."]),
]


@pytest.mark.parametrize("row, where, fault, code, words", [pytest.param(*r, id=r[0]) for r in CBS_ROWS])
def test_cbs_fault_rows(capsys, work, tmp_path, monkeypatch, quick_cbs, row, where, fault, code, words):
    cache_dir = tmp_path / "c"
    with faulty_mirror(snapshot_bundle("84847NED"), snapshot_bundle("03759ned"), faults=[(where, fault)] * 3) as server:
        monkeypatch.setenv("IMPACTMONITOR_CBS_HOST", server.address)
        line = run_row(capsys, work, SHOW + ["--source", "live", "--cache-dir", cache_dir], code, words)[1]
    assert server.address in line
    assert tree(cache_dir) == {}  # nothing half-fetched was cached


# --------------------------------------------------------------------------- R40-R46, R54: local files
LOCAL_OK = "mda;Casussen MDA;VT K;vt;Kennemerland;2024HJ01;18;aantal"
LOCAL_ROWS = [
    ("R40", "waarde.csv", "\n".join([LOCAL_HEADER, LOCAL_OK, LOCAL_OK.replace("2024HJ01", "2023HJ02"),
                                     LOCAL_OK.replace("2024HJ01", "2023HJ01").replace(";18;", ";veel;")]), 2,
     ["Rij 4, kolom 'waarde': 'veel' is geen getal; schrijf bijv. 12 of 12,5 (leeg = onbekend)."]),
    ("R41", "niveau.csv", "\n".join([LOCAL_HEADER, LOCAL_OK, LOCAL_OK.replace(";vt;", ";planeet;")]), 2,
     ["Rij 3, kolom 'niveau': 'planeet' is geen niveau; kies uit gemeente, wijk, regio, vt."]),
    ("R42", "kolom.csv", "indicator;omschrijving;bron;niveau;gebied;periode\nmda;Casussen MDA;VT K;vt;Kennemerland;2024HJ01",
     2, ["Rij 1: kolommen 'waarde', 'eenheid' ontbreken; verwacht indicator, omschrijving, bron, niveau, gebied, "
         "periode, waarde, eenheid (gevonden: indicator, omschrijving, bron, niveau, gebied, periode)."]),
    ("R43", "pipe.csv", "\n".join([LOCAL_HEADER, LOCAL_OK]).replace(";", "|"), 2,
     ["Rij 1: de kolommen zijn niet gescheiden door ';', ',' of een tab (gevonden: indicator|omschrijving|",
      "sla het bestand op als CSV met ';' als scheidingsteken."]),
    ("R45", "bin.csv", bytes(range(256)) * 4, 2,
     ["bin.csv is geen tekstbestand (CSV) en geen Excel-bestand (.xlsx); sla uw tabel in Excel op als 'CSV UTF-8'"]),
    ("R46", "fake.xlsx", b"dit is geen excel", 2,
     ["fake.xlsx is geen geldig Excel-bestand (.xlsx); sla het opnieuw op in Excel of als CSV."]),
]


@pytest.mark.parametrize("row, name, content, code, words", [pytest.param(*r, id=r[0]) for r in LOCAL_ROWS])
def test_local_file_rows(capsys, work, row, name, content, code, words):
    out, _ = run_row(capsys, work, ["local", "check", name], code, words, files={name: content})
    assert out == ""


@pytest.mark.parametrize("encoding, sep", [("utf-16", ";"), ("cp1252", ";"), ("utf-8", "\t")])
def test_R44_other_encodings_and_tabs_are_read(capsys, work, encoding, sep):
    text = "\n".join([LOCAL_HEADER, LOCAL_OK.replace("Casussen", "Cliënten")]).replace(";", sep) + "\n"
    out, _ = run_row(capsys, work, ["local", "check", "lijst.csv"], 0, [], files={"lijst.csv": text.encode(encoding)},
                     stderr_lines=0)
    shown = {"utf-16": "utf-16", "cp1252": "windows-1252", "utf-8": "utf-8"}[encoding]
    assert f"Lokale indicatoren: lijst.csv (CSV, scheidingsteken {'tab' if sep == chr(9) else repr(sep)}, {shown})" in out
    assert "Cliënten MDA" in out


def test_R54_local_count_below_5_never_reaches_the_worked_example(tmp_path):
    """Bug: the stappenplan showed the local CSV as it was (a count of 3 appeared)."""
    csv = tmp_path / "lokaal.csv"
    csv.write_text("\n".join([
        LOCAL_HEADER,
        "huisverboden;Opgelegde huisverboden;Politie;gemeente;Emmen;2021HJ01;3;aantal",
        "mda;Casussen MDA;VT Drenthe;vt;Drenthe;2021HJ01;18;aantal",
    ]) + "\n", encoding="utf-8")
    ex = steps.prepare(region="Drenthe", question="adviesvragers", period="2021HJ01", local_file=str(csv),
                       indicators=["adviezen_per_10k"])
    text = "\n".join(item.data for item in steps.local_figures(ex))
    emmen = next(line for line in text.splitlines() if "Emmen" in line)
    assert emmen.endswith("| <5 |") and not re.search(r"\b3\b", emmen)
    assert "| 18 |" in text and "CBS Impactmonitor" in text and "eigen registratie (lokaal.csv)" in text
    bad = tmp_path / "kapot.csv"
    bad.write_text("indicator;periode;waarde\nx;2021HJ01;4\n", encoding="utf-8")
    ex.local_file = bad
    with pytest.raises(ParameterError, match="sleutel 'local_file': kapot.csv: Rij 1: kolommen") as exc:
        steps.local_figures(ex)
    assert type(exc.value) is ParameterError  # the runner recognises this type by name in the kernel


# --------------------------------------------------------------------------- R47, R48, R52: notebooks
PARAMETERS = ('region = "Nederland"\nlevel = None\nperiod = None\nquestion = "adviesvragers"\nindicators = None\n'
              'peers = "auto"\ntitle = None\nlocal_file = None')
FIGURE = ('from IPython.display import Markdown, display\nfrom impactlib.formatting import format_number\n'
          'from impactlib.query import get_indicator\n'
          'frame = get_indicator("meldingen_per_10k", region, period, level=level)\n'
          'value = format_number(frame["value"].iloc[0])  # fails when the snapshot has no rows for the region\n'
          'display(Markdown(f"{region}: {value}"))')
SUMMARY = ('display({"application/json": {"title": region, "period_title": "1e halfjaar 2021", "source": "Bron: CBS",'
           ' "headline": {"label": "Meldingen per 10.000 inwoners", "text": value}}}, raw=True)')


def template(folder: Path, *bodies: str, parameters: str = PARAMETERS, name: str = "sjabloon.ipynb") -> Path:
    cells = [new_code_cell(parameters, metadata={"tags": ["parameters"]})] + [new_code_cell(b) for b in bodies]
    cells[-1].metadata["tags"] = ["impactmonitor-summary"]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / name
    nbformat.write(nb, path)
    return path


EXERCISE = "heftig-structureel-geweld"


def exercise_template(folder: Path, monkeypatch, *bodies: str) -> None:
    """The exercise's notebook replaced by a small one with the exercise's parameters."""
    from impactlib import exercises

    (folder / "oefeningen").mkdir()
    template(folder / "oefeningen", *bodies, parameters='region = "Nederland"\nlevel = None\nperiod = None\nanswers = False',
             name=f"{EXERCISE}.ipynb")
    monkeypatch.setattr(exercises, "TEMPLATE_DIR", folder / "oefeningen")


@pytest.fixture
def kernel_env(monkeypatch):
    """The runner hands data settings to kernels through os.environ: restore it afterwards."""
    for name in ("IMPACTMONITOR_SOURCE", "IMPACTMONITOR_CACHE_DIR", "IMPACTMONITOR_SNAPSHOT", "IMPACTMONITOR_BACKEND"):
        monkeypatch.setenv(name, os.environ.get(name, ""))


def test_R47_a_notebook_cell_raises(capsys, work, tmp_path, monkeypatch, kernel_env):
    monkeypatch.setattr(execute, "TEMPLATE", template(tmp_path, 'raise ValueError("deze cel is kapot")'))
    failed = work / "uit" / "drenthe" / "eerder-beter-in-beeld.mislukt.ipynb"
    code, out, err = cli(capsys, ["run", "--region", "Drenthe", "--level", "vt", "--question", "eerder-beter-in-beeld",
                                  "--period", "2021HJ01", "--out", "uit"])
    assert code == 1 and out == ""
    one_line(err, "Het notebook voor Drenthe (eerder-beter-in-beeld) stopte met een fout: ValueError: deze cel is kapot;",
             f"zie {failed}")
    assert sorted(tree(work / "uit")) == ["drenthe/eerder-beter-in-beeld.mislukt.ipynb"]  # kept for inspection only
    kept = nbformat.read(failed, as_version=4)
    assert any(o.get("ename") == "ValueError" for c in kept.cells for o in c.get("outputs", []))
    # an exercise runs through the same runner: its failed notebook is kept the same way
    exercise_template(tmp_path, monkeypatch, 'raise ValueError("deze cel is kapot")')
    failed = work / "oef" / "oefeningen" / "drenthe" / f"{EXERCISE}.mislukt.ipynb"
    code, out, err = cli(capsys, ["exercise", "--regions", "Drenthe", "--question", EXERCISE, "--period", "2021HJ01",
                                  "--out", "oef"])
    assert code == 1 and err == ""
    assert out.splitlines() == [f"Drenthe: MISLUKT: ValueError: deze cel is kapot; zie {failed}", "0 van 1 oefeningen gemaakt."]
    assert sorted(tree(work / "oef")) == [f"oefeningen/drenthe/{EXERCISE}.mislukt.ipynb"]


def test_R48_batch_with_one_failing_region(capsys, work, tmp_path, monkeypatch, kernel_env):
    """Twente's rows are removed from a copy of the snapshot (--snapshot): its notebook fails,
    Drenthe and Zeeland finish; index.html lists Twente with its message and failed notebook."""
    snap = tmp_path / "snapshot"
    shutil.copytree(bundled_snapshot_dir(), snap)
    table = pd.read_parquet(snap / "84847NED.parquet")
    table[table["RegioS"].str.strip() != "VT19"].to_parquet(snap / "84847NED.parquet", index=False)
    monkeypatch.setattr(execute, "TEMPLATE", template(tmp_path, FIGURE, SUMMARY))
    chosen = [regions.resolve(name, "vt").region for name in ("Drenthe", "Twente", "Zeeland")]
    monkeypatch.setattr(batch, "regions_at", lambda level: chosen)
    code, out, err = cli(capsys, ["run", "--all-regions", "--question", "adviesvragers", "--period", "2021HJ01",
                                  "--jobs", "3", "--snapshot", snap, "--out", "uit"])
    assert code == 1
    assert "mislukt: Twente: Geen cijfers voor Twente in tabel 84847NED" in err and err.count("\n") == 1 and "Traceback" not in err
    index = work / "uit" / "index.html"
    assert out.splitlines() == [
        "2 van 3 regio's gelukt (2021HJ01).",
        next(line for line in out.splitlines() if line.startswith("Mislukt: Twente: Geen cijfers voor Twente")),
        f"Overzicht: {index}",
    ]
    page = index.read_text(encoding="utf-8")
    assert "Twente</strong>: Geen cijfers voor Twente" in page and "twente/adviesvragers.mislukt.ipynb" in page
    assert '<td>Drenthe</td><td>23,5</td><td><a href="drenthe/adviesvragers.html">' in page
    assert "zeeland/adviesvragers.html" in page and "2 van 3 regio's gelukt" in page
    files = sorted(tree(work / "uit"))
    assert files == ["drenthe/adviesvragers.html", "drenthe/adviesvragers.ipynb", "index.html",
                     "twente/adviesvragers.mislukt.ipynb", "zeeland/adviesvragers.html", "zeeland/adviesvragers.ipynb"]


def full_disk(handler, buf, path):
    """papermill's local writer on a full disk: half the notebook reaches the file, then ENOSPC."""
    Path(path).write_text(buf[: len(buf) // 2], encoding="utf-8")
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_R52_disk_full_during_run(capsys, work, tmp_path, monkeypatch, kernel_env):
    from papermill.iorw import LocalHandler

    monkeypatch.setattr(execute, "TEMPLATE", template(tmp_path, FIGURE, SUMMARY))
    monkeypatch.setattr(LocalHandler, "write", full_disk)
    code, out, err = cli(capsys, ["run", "--region", "Drenthe", "--level", "vt", "--question", "adviesvragers",
                                  "--period", "2021HJ01", "--out", "uit"])
    assert code == 1 and out == ""
    one_line(err, "No space left on device", "--out")
    assert tree(work / "uit") == {}  # no truncated notebook kept as .mislukt.ipynb, no temporary file
    # an exercise on the same full disk: the same message, for its region
    exercise_template(tmp_path, monkeypatch, FIGURE, SUMMARY)
    code, out, err = cli(capsys, ["exercise", "--regions", "Drenthe", "--question", EXERCISE, "--period", "2021HJ01",
                                  "--out", "oef"])
    folder = work / "oef" / "oefeningen" / "drenthe"
    assert code == 1 and err == ""
    assert out.splitlines() == [f"Drenthe: MISLUKT: Kan niet schrijven in {folder} (No space left on device); kies met "
                                "--out een map waarin u mag schrijven.", "0 van 1 oefeningen gemaakt."]
    assert tree(work / "oef") == {}


# --------------------------------------------------------------------------- R49, R53 and the console script
def test_R49_mirror_port_in_use(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        res = console("mirror", "--port", port, cwd=tmp_path, timeout=60)
    assert res.returncode == 1 and res.stdout == ""
    one_line(res.stderr, f"Kan de mirror niet starten op 127.0.0.1:{port} (", "kies een andere poort met --port.")
    assert tree(tmp_path) == {}


def test_R53_ctrl_c_while_the_program_starts(tmp_path):
    """Ctrl+C while the libraries are still being imported (here: when pandas is imported)."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import sys\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'pandas':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Interrupt())\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")]))}
    work = tmp_path / "werkmap"
    work.mkdir()
    res = console("show", "meldingen_per_10k", "--region", "Drenthe", cwd=work, env=env)
    assert res.returncode == 130 and res.stdout == ""
    assert res.stderr == "impactmonitor: afgebroken.\n"
    assert tree(work) == {}


def test_done_when_commands_print_one_line_and_create_nothing(tmp_path):
    """The three commands of issue 7's 'Done when', through the real console script."""
    work = tmp_path / "werkmap"
    work.mkdir()
    (work / "kapot.yaml").write_text("region: Drenthe\nquestion: [heftig-structureel-geweld\n  period: 2021HJ01\n")
    before = tree(work)
    out_dir = tmp_path / "uit"
    for argv, words in [
        (["show", "x", "--region", "../../etc"], ["Indicator 'x' bestaat niet"]),
        (["run", "kapot.yaml", "--out", out_dir], ["kapot.yaml (regel ", "geen geldige YAML"]),
        (["run", "--region", "Atlantis", "--question", "heftig-structureel-geweld"],  # default --out: outputs
         ["opdrachtregel: sleutel 'region': Regio 'Atlantis' is onbekend"]),
    ]:
        res = console(*argv, cwd=work)
        assert res.returncode == 2 and res.stdout == ""
        one_line(res.stderr, *words)
        assert tree(work) == before and not out_dir.exists() and not (work / "outputs").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["werkmap"]


def test_debug_shows_the_traceback(tmp_path):
    """Only with --debug (the same command without it: R01, one line)."""
    res = console("--debug", "show", "meldingen_per_10k", "--region", "Atlantis", cwd=tmp_path)
    assert res.returncode != 0 and "Traceback" in res.stderr and "UnknownRegionError" in res.stderr


def test_ctrl_c_anywhere_in_main_is_one_line(capsys, monkeypatch):
    import impactlib.cli as cli_package

    def interrupted(*_):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_package, "build_parser", interrupted)
    assert main(["regions"]) == 130
    assert capsys.readouterr().err == "impactmonitor: afgebroken.\n"


# --------------------------------------------------------------------------- parameters, property-based
_SHOWN_KEYS = ["region", "level", "period", "question", "indicators", "peers", "title", "local_file", "kleur", "", "../x"]
_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=40),
    st.sampled_from(["Drenthe", "Groningen", "auto", "2021HJ01", "2021", "adviesvragers", "../../etc", "Dren\x00the",
                     "meldingen_per_10k", "vt", "gemeente", "/etc/passwd", "a\nb", "Twente, drenthe"]),
)
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.text(max_size=5), inner, max_size=3), max_leaves=6)
_keys = st.one_of(st.sampled_from(_SHOWN_KEYS), st.text(max_size=10), st.integers(), st.none())
_dicts = st.one_of(
    st.dictionaries(_keys, _values, max_size=6),
    st.fixed_dictionaries({"region": st.sampled_from(["Drenthe", "Twente", "Zaanstad"]),
                           "question": st.sampled_from(["adviesvragers", "duur-geweld"])},
                          optional={k: _values for k in _SHOWN_KEYS[1:] if k not in ("question",)}),
)


def _own_error(exc: ImpactError) -> None:
    text = str(exc)
    assert isinstance(exc, ParameterError)
    assert "\n" not in text and "\x00" not in text and len(text) < 2000


@given(_dicts)
@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_parameter_dict_is_valid_or_a_parameter_error(values):
    try:
        params = make_parameters(values, where="x.yaml")
    except ImpactError as exc:
        _own_error(exc)
    else:
        assert isinstance(params, RunParameters) and params.question and params.region


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)
_yaml_texts = st.one_of(
    _text,
    _dicts.map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
    st.binary(max_size=100),
)


@given(_yaml_texts)
@example('indicators:\n- "\\0"\nquestion: a\nregion: Drenthe')  # found by hypothesis: a NUL as indicator name
@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_parameter_or_question_file_is_valid_or_a_parameter_error(content):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.yaml"
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        for load in (load_parameters, _parse_question):
            try:
                load(path)
            except ImpactError as exc:
                _own_error(exc)


def test_parameter_messages_show_the_value_as_typed():
    with pytest.raises(ParameterError) as exc:
        make_parameters({"region": "../../etc", "question": "adviesvragers"}, where="opdrachtregel")
    assert "Regio '../../etc' is onbekend" in str(exc.value)
    with pytest.raises(ParameterError) as exc:
        make_parameters({"region": "Drenthe", "question": "adviesvragers", "peers": 12}, where="p.yaml")
    assert str(exc.value) == "p.yaml: sleutel 'peers' moet 'auto' of een lijst met regio's zijn (gegeven: 12)."
    with pytest.raises(ParameterError) as exc:
        make_parameters({"region": "Drenthe", "question": "a\x00b/" + "x" * 100}, where="p.yaml")
    assert "Beleidsvraag 'a\\0b/xxx" in str(exc.value) and "…'" in str(exc.value) and "\x00" not in str(exc.value)
    with pytest.raises(ParameterError, match=r"sleutel '1' is onbekend"):
        make_parameters({"region": "Drenthe", "question": "adviesvragers", 1: "x"})


# --------------------------------------------------------------------------- R56-R71: round 2 (issue 16)
PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(1)>[klik](javascript:alert(1))<iframe srcdoc=x></iframe>"


class _Live(HTMLParser):
    """What in a page could run: script text, event handlers, javascript: URLs, frames."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        self._script = tag == "script"
        if tag in ("iframe", "frame", "object", "embed"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") and "alert" in (value or ""):
                self.found.append(f"{tag} {name}=")
            if name in ("href", "src", "action", "srcdoc") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}=javascript:")

    def handle_endtag(self, tag):
        self._script = False

    def handle_data(self, data):
        if self._script and "alert(1)" in data:
            self.found.append("<script>alert(1)")


def live_parts(page: str) -> list[str]:
    parser = _Live()
    parser.feed(page)
    return parser.found


def test_R56_no_script_from_a_file_reaches_the_worked_example(tmp_path, kernel_env, monkeypatch):
    """Every text field of a parameter file, of a question file next to it and of a local CSV
    carries script, an event handler, a javascript: link and a frame; the real 'impactmonitor
    run' makes HTML in which none of them is live (the text is shown, escaped)."""
    folder = tmp_path / "params"
    (folder / "questions").mkdir(parents=True)
    question = yaml.safe_load((ROOT / "parameters" / "questions" / "adviesvragers.yaml").read_text(encoding="utf-8"))
    question.update(id="eigen-vraag", title=PAYLOAD, why=PAYLOAD, goal=PAYLOAD, sub_questions=[PAYLOAD, PAYLOAD],
                    reflection=[PAYLOAD], dashboard=[PAYLOAD])
    (folder / "questions" / "eigen-vraag.yaml").write_text(yaml.safe_dump(question, allow_unicode=True), encoding="utf-8")
    (folder / "lokaal.csv").write_text(
        f"{LOCAL_HEADER}\nmda;{PAYLOAD};{PAYLOAD};gemeente;{PAYLOAD};2021HJ01;18;aantal\n", encoding="utf-8")
    (folder / "p.yaml").write_text(yaml.safe_dump({
        "region": "Drenthe", "level": "vt", "question": "eigen-vraag", "period": "2021HJ01", "title": PAYLOAD,
        "local_file": "lokaal.csv", "indicators": ["adviezen_per_10k"]}), encoding="utf-8")
    res = console("run", folder / "p.yaml", "--out", tmp_path / "uit", cwd=tmp_path, timeout=600)
    assert res.returncode == 0, res.stderr
    page = (tmp_path / "uit" / "drenthe" / "eigen-vraag.html").read_text(encoding="utf-8")
    assert live_parts(page) == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown as text, not dropped silently
    assert "javascript:alert" not in page.replace("(javascript:alert(1))", "")  # never as a URL
    assert "<iframe" not in page.lower()
    # the second line of defence on its own: HTML and Markdown that reach an output unescaped
    from nbformat.v4 import new_output

    from impactlib.run.export import notebook_to_html

    raw = '<a href="javascript:alert(1)">k</a><img src=x onerror=alert(1)><iframe src="https://x"></iframe>'
    cell = new_code_cell("x", outputs=[new_output("display_data", data={"text/html": PAYLOAD + raw}),
                                       new_output("display_data", data={"text/markdown": PAYLOAD + raw})])
    assert live_parts(notebook_to_html(new_notebook(cells=[cell]))) == []


def test_R57_small_local_count_is_suppressed_whatever_its_source_says(capsys, work):
    text = f"{LOCAL_HEADER}\nhuisverboden;Opgelegde huisverboden;CBS Impactmonitor;gemeente;Emmen;2021HJ01;3;aantal\n"
    out, _ = run_row(capsys, work, ["local", "check", "lijst.csv"], 0, [], files={"lijst.csv": text}, stderr_lines=0)
    emmen = next(line for line in out.splitlines() if "Emmen" in line)
    assert "<5" in emmen and not re.search(r"\b3\b", emmen.replace("CBS Impactmonitor", ""))
    code, _, _ = cli(capsys, ["local", "show", "lijst.csv", "--region", "Drenthe", "--level", "vt", "--period",
                              "2021HJ01", "--out", "uit/lokaal.csv"])
    table = pd.read_csv(work / "uit" / "lokaal.csv", sep=";", encoding="utf-8-sig", dtype=str)
    row = table[table["gebied"] == "Emmen"].iloc[0]
    assert code == 0 and row["weergave"] == "<5" and pd.isna(row["waarde"]) and row["onderdrukt"] == "True"


def test_R58_no_formula_in_an_export(capsys, work):
    from openpyxl import load_workbook

    text = f"{LOCAL_HEADER}\nmda;=1+2;@SUM(A1:A2);gemeente;+Emmen;2021HJ01;18;aantal\n"
    (work / "lijst.csv").write_text(text, encoding="utf-8")
    for out in ("uit/lokaal.xlsx", "uit/lokaal.csv"):
        code, _, err = cli(capsys, ["local", "show", "lijst.csv", "--region", "Drenthe", "--level", "vt",
                                    "--period", "2021HJ01", "--out", out])
        assert code == 0, err
    book = load_workbook(work / "uit" / "lokaal.xlsx")
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.value for c in cells if c.data_type == "f" or str(c.value).startswith(("=", "+", "@"))]
    assert {"'=1+2", "'+Emmen"} <= {c.value for c in cells}
    rows = list(csv.reader((work / "uit" / "lokaal.csv").read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    fields = [f for row in rows for f in row]
    assert "'=1+2" in fields and "'+Emmen" in fields and not [f for f in fields if f[:1] in ("=", "+", "@")]


def test_R59_fetch_that_stores_nothing_is_a_failure(capsys, work, tmp_path, monkeypatch):
    from impactlib.sources import cache as cache_module

    def full(path, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(cache_module, "atomic_write", full)
    with mirror_of(snapshot_bundle("84847NED")) as server:
        monkeypatch.setenv("IMPACTMONITOR_CBS_HOST", server.address)
        code, out, err = cli(capsys, ["fetch", "--tables", "84847NED", "--regions", "Drenthe", "--cache-dir",
                                      tmp_path / "c", "--backend", "v3"])
    assert code == 1 and "Traceback" not in err
    assert "(0 van 1 tabellen bijgewerkt of actueel" in out
    assert "Tabel 84847NED is opgehaald maar niet in de cache" in out and "No space left on device" in out
    assert "Niet gelukt: Tabel 84847NED is opgehaald maar niet in de cache" in err


def test_R60_two_file_csv_export_is_both_or_neither(capsys, work):
    (work / "drenthe.csv").write_text("oud", encoding="utf-8")
    (work / "drenthe_bronnen.csv").mkdir()  # the second file cannot be put in place
    run_row(capsys, work, ["export", "--region", "Drenthe", "--level", "vt", "--out", "drenthe.csv"], 1,
            ["Kan niet schrijven in", "kies met --out een map waarin u mag schrijven."])
    assert (work / "drenthe.csv").read_text(encoding="utf-8") == "oud"


def test_R61_disk_full_while_the_html_is_written_keeps_the_old_pair(capsys, work, tmp_path, monkeypatch, kernel_env):
    monkeypatch.setattr(execute, "TEMPLATE", template(tmp_path, FIGURE, SUMMARY))
    folder = work / "uit" / "drenthe"
    folder.mkdir(parents=True)
    (folder / "adviesvragers.ipynb").write_text("oud notebook", encoding="utf-8")
    (folder / "adviesvragers.html").write_text("oud rapport", encoding="utf-8")
    real = Path.write_text

    def full(self, *args, **kwargs):
        if self.suffix == ".html":
            real(self, "half", encoding="utf-8")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full)
    code, out, err = cli(capsys, ["run", "--region", "Drenthe", "--level", "vt", "--question", "adviesvragers",
                                  "--period", "2021HJ01", "--out", "uit"])
    monkeypatch.setattr(Path, "write_text", real)
    assert code == 1 and out == ""
    one_line(err, "No space left on device", "--out")
    assert tree(work / "uit") == {"drenthe/adviesvragers.html": b"oud rapport", "drenthe/adviesvragers.ipynb": b"oud notebook"}


def test_R62_ctrl_c_during_a_batch_cleans_up_and_lists_what_finished(capsys, work, monkeypatch, kernel_env):
    import threading
    import time

    from impactlib.run.execute import RunResult
    from impactlib.run.paths import new_temp, output_paths

    chosen = [regions.resolve(name, "vt").region for name in ("Drenthe", "Twente", "Zeeland")]
    monkeypatch.setattr(batch, "regions_at", lambda level: chosen)
    finished, release = threading.Event(), threading.Event()

    def fake_start(job, worker):  # the kernel's half of each notebook (job.start), in the batch's threads
        region, paths = job.region, job.paths
        if region.name == "Drenthe":
            new_temp(paths.notebook).rename(paths.notebook)
            paths.html.write_text("rapport", encoding="utf-8")
            finished.set()
            return lambda: RunResult(region, job.question, job.period, paths.notebook, html=paths.html)
        new_temp(paths.notebook)  # a notebook half way, as papermill leaves it
        if region.name == "Twente":
            release.wait(60)
            return lambda: RunResult(region, job.question, job.period, paths.notebook, error="te laat")
        finished.wait(60)
        time.sleep(0.5)  # Drenthe's result is handed over first
        raise KeyboardInterrupt

    monkeypatch.setattr(batch, "start", fake_start)
    try:
        code, out, err = cli(capsys, ["run", "--all-regions", "--question", "adviesvragers", "--period", "2021HJ01",
                                      "--jobs", "3", "--out", "uit"])
    finally:
        release.set()
    assert code == 130 and err == "impactmonitor: afgebroken.\n"
    files = sorted(tree(work / "uit"))
    assert files == ["drenthe/adviesvragers.html", "drenthe/adviesvragers.ipynb", "index.html"], files
    page = (work / "uit" / "index.html").read_text(encoding="utf-8")
    assert 'href="drenthe/adviesvragers.html"' in page and "1 van 3 regio's gelukt" in page
    assert "Twente</strong>: afgebroken voordat dit notebook klaar was" in page


def test_R63_table_id_with_path_characters(capsys, work, tmp_path):
    run_row(capsys, work, ["fetch", "--tables", "../../../x", "--cache-dir", tmp_path / "c"], 2,
            ["Tabel-id '../../../x' is ongeldig; een CBS-tabel-id bestaat uit cijfers en letters, bijvoorbeeld 84852NED"])
    assert not (tmp_path / "c").exists() and not (tmp_path / "x").exists()


def test_R64_two_writers_on_one_cache_keep_every_entry_and_orphans_go(tmp_path, monkeypatch):
    import threading
    import time

    from mirror_fixtures import tiny_bundle

    from impactlib.sources.cache import CacheStore, request_key

    real = CacheStore.manifest

    def slow(self):  # a slow disk: both writers read the manifest before either writes it
        data = real(self)
        time.sleep(0.3)
        return data

    monkeypatch.setattr(CacheStore, "manifest", slow)
    path = tmp_path / "cache"
    writers = [threading.Thread(target=lambda t=t: CacheStore(path).save(tiny_bundle(t), request_key()))
               for t in ("99991NED", "99992NED")]
    for w in writers:
        w.start()
    for w in writers:
        w.join(60)
    monkeypatch.setattr(CacheStore, "manifest", real)
    store = CacheStore(path)
    assert store.table_ids() == ["99991NED", "99992NED"]
    (path / "99991NED" / "0123456789abcdef.parquet").write_bytes(b"orphan")
    (path / ".manifest.json.abc.tmp").write_bytes(b"half")
    assert store.clean_orphans() == 2
    assert sorted(tree(path)) == sorted(
        ["manifest.json", "manifest.lock"] + [e[k] for e in store.entries() for k in ("data_file", "meta_file")])


class _Server:
    """A small HTTP server on 127.0.0.1 with one ``handle(request)``; it stops by itself."""

    def __init__(self, handle):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        import threading

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                handle(self)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.address = f"127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def _trickle(request):
    """Headers at once, then one byte every 0.1 s (400 bytes: 40 s, if nobody stops reading)."""
    import time

    request.send_response(200)
    request.send_header("Content-Type", "application/json")
    request.send_header("Content-Length", "400")
    request.end_headers()
    try:
        for _ in range(400):
            request.wfile.write(b" ")
            request.wfile.flush()
            time.sleep(0.1)
    except OSError:
        pass


def test_R65_one_deadline_per_request_and_no_endless_pages():
    import threading

    import cbsodata

    from impactlib.sources.v4 import V4Backend

    outcome: dict = {}

    def attempt(name, fn):
        try:
            fn()
        except ImpactError as exc:
            outcome[name] = str(exc)
        except Exception as exc:  # noqa: BLE001
            outcome[name] = f"{exc.__class__.__name__}: {exc}"
        else:
            outcome[name] = "no error"

    with _Server(_trickle) as slow:
        v3 = V3Backend(host=slow.address, https=False, timeout=1.0, retries=0)
        worker = threading.Thread(target=attempt, args=("trickle", lambda: v3.info("84847NED")), daemon=True)
        worker.start()
        worker.join(30)
    assert outcome.get("trickle", "").startswith(f"{slow.address} antwoordt niet binnen 1 s (tabel 84847NED)")

    served = []

    def self_link(request):
        served.append(request.path)
        if len(served) > 3000:  # the server gives up in the end, whatever the client does
            request.send_response(500)
            request.end_headers()
            return
        link = f"http://{loop.address}{request.path}"
        body = json.dumps({"odata.metadata": "x", "value": [{"ID": 1}], "odata.nextLink": link,
                           "@odata.nextLink": link}).encode()
        request.send_response(200)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    with _Server(self_link) as loop:
        v3 = V3Backend(host=loop.address, https=False, timeout=10.0, retries=0)
        v4 = V4Backend(host=loop.address, https=False, timeout=10.0, retries=0)
        calls = [("v3", lambda: v3._call("84847NED", cbsodata.get_meta, "84847NED", "TypedDataSet")),
                 ("v4", lambda: v4._pages("84847NED", f"http://{loop.address}/odata/v1/CBS/84847NED/Observations", None))]
        for name, call in calls:
            worker = threading.Thread(target=attempt, args=(name, call), daemon=True)
            worker.start()
            worker.join(60)
    for name in ("v3", "v4"):
        assert "verwijst voor tabel 84847NED naar een pagina die al gelezen is (odata.nextLink in een kring)" in \
            outcome.get(name, ""), outcome
    assert len(served) < 10


BOMB = ("region: Drenthe\nquestion: adviesvragers\nx0: &a0 [Twente, Twente, Twente, Twente, Twente, Twente]\n"
        + "".join(f"x{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 8))
        + "peers: [" + ", ".join(["*a7"] * 9) + "]\n")  # 'billion laughs': 9^8 regions once the aliases are followed


@pytest.mark.parametrize("name, content, argv_extra, words", [
    ("bom.yaml", BOMB, [], ["bom.yaml: te veel waarden (meer dan 10.000, ook via YAML-verwijzingen"]),
    ("groot.yaml", "region: '" + "Drenthe" * 150_000 + "'\nquestion: adviesvragers\n", [],
     ["groot.yaml is te groot voor een parameterbestand"]),
    (None, None, ["show", "meldingen_per_10k", "--region", "ab" * 63_000], ["Regio 'abab", "is onbekend"]),
], ids=["yaml-alias-bomb", "1MB-region", "126kB-region"])
def test_R66_large_input_is_refused_quickly(tmp_path, name, content, argv_extra, words):
    if name:
        (tmp_path / name).write_text(content, encoding="utf-8")
    argv = argv_extra or ["run", name, "--out", "uit"]
    res = console(*argv, cwd=tmp_path, timeout=120)  # before: minutes of difflib or an exponential walk
    assert res.returncode == 2 and res.stdout == ""
    one_line(res.stderr, *words)
    assert len(res.stderr) < 2000


def test_R67_source_cache_never_uses_the_network(capsys, work, cache, monkeypatch):
    damage_data_file(cache)
    before = tree(cache)
    with mirror_of(snapshot_bundle("84847NED"), snapshot_bundle("03759ned")) as server:
        monkeypatch.setenv("IMPACTMONITOR_CBS_HOST", server.address)
        run_row(capsys, work, SHOW + ["--source", "cache", "--cache-dir", cache], 1,
                ["is beschadigd of onvolledig", "impactmonitor fetch --tables 84847NED"])
        (cache / "manifest.json").write_text("{kapot")
        chooser.forget_sources()
        run_row(capsys, work, SHOW + ["--source", "cache", "--cache-dir", cache], 1, ["cache-overzicht", "beschadigd"])
        assert server.requests == []  # CBS (here: the mirror) was never asked
    assert {k: v for k, v in tree(cache).items() if k != "manifest.json"} == \
        {k: v for k, v in before.items() if k != "manifest.json"}


def _full_disk_for_snapshot(monkeypatch, cache):
    real = Path.write_bytes

    def full(self, data):
        if ".snap." in str(self):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)


@pytest.mark.parametrize("case", ["long-name", "symlink-loop", "system-file", "port-70000", "manifest-shape",
                                  "snapshot-full-disk"])
def test_R68_no_english_fallback(capsys, work, cache, monkeypatch, case):
    if case == "long-name":
        argv, code, words = ["run", "a" * 300 + ".yaml"], 2, ["is niet te openen (File name too long)"]
    elif case == "symlink-loop":
        (work / "lus.yaml").symlink_to(work / "lus.yaml")
        argv, code, words = ["run", "lus.yaml"], 2, ["Parameterbestand lus.yaml is niet te openen ("]
    elif case == "system-file":
        argv, code, words = SHOW + ["--snapshot", "/etc/passwd"], 2, ["Snapshot /etc/passwd is geen map"]
    elif case == "port-70000":
        argv, code, words = ["mirror", "--port", "70000"], 2, ["poort 70000 bestaat niet", "impactmonitor mirror --help"]
    elif case == "manifest-shape":
        (cache / "manifest.json").write_text(json.dumps({"format": 1, "entries": ["x"]}))
        argv, code, words = SHOW + ["--source", "cache", "--cache-dir", cache], 1, ["cache-overzicht", "is beschadigd"]
    else:
        _full_disk_for_snapshot(monkeypatch, cache)
        argv, code, words = ["snapshot", "build", "--out", "snap", "--cache-dir", cache], 1, [
            "Kan de snapshot niet schrijven in snap (No space left on device)"]
    before = tree(work)
    got, out, err = cli(capsys, argv)
    assert got == code, err
    line = one_line(err, *words)
    assert "onverwachte fout" not in line and tree(work) == before


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_R69_local_check_reads_regular_files_only(capsys, work, kind):
    if kind == "fifo":
        os.mkfifo(work / "pijp.csv")
        target = "pijp.csv"
    else:
        target = "/dev/zero"
    run_row(capsys, work, ["local", "check", target], 2, ["is geen gewoon bestand", "CSV- of Excel-bestand"])


def test_R70_question_next_to_the_file_gm_suffix_and_bad_dates(capsys, work, cache, monkeypatch):
    from impactlib.sources.parts import newer

    (work / "questions").mkdir()
    question = (ROOT / "parameters" / "questions" / "adviesvragers.yaml").read_text(encoding="utf-8")
    (work / "questions" / "eigen-vraag.yaml").write_text(question.replace("id: adviesvragers", "id: eigen-vraag"))
    (work / "p.yaml").write_text("region: Drenthe\nquestion: eigen-vraag\nperiod: 2021HJ01\n")
    assert execute.fill_period(load_parameters(work / "p.yaml")).period == "2021HJ01"  # run accepts what validation did
    run_row(capsys, work, SHOW[:3] + ["Drenthe (gm)", "--period", "2021HJ01"], 2,
            ["'Drenthe (gm)' bestaat niet als gemeente, wel als Veilig Thuis-regio, provincie."])
    assert newer("2025-10-15T02:00:00", "niet-een-datum") and newer("niet-een-datum", "2025-10-15T02:00:00")
    assert not newer("2025-10-15T02:00:00", "2025-10-15T02:00:00+00:00")
    manifest = json.loads((cache / "manifest.json").read_text())
    for entry in manifest["entries"].values():
        entry["modified"] = "zzzz"  # one bad date from a server
    (cache / "manifest.json").write_text(json.dumps(manifest))
    with mirror_of(snapshot_bundle("84847NED"), snapshot_bundle("03759ned")) as server:
        monkeypatch.setenv("IMPACTMONITOR_CBS_HOST", server.address)
        code, out, _ = cli(capsys, ["fetch", "--tables", "84847NED", "--regions", "Drenthe", "--cache-dir", cache,
                                    "--backend", "v3", "--json"])
    assert code == 0 and [t["status"] for t in json.loads(out)["tables"]] == ["vernieuwd"]


def test_R71_minor_messages_and_file_modes(capsys, work, filled_cache):
    run_row(capsys, work, ["local", "show", "x.csv", "--region", "Drenthe", "--threshold", "veel"], 2,
            ["argument --threshold: 'veel' is geen geheel getal (zie 'impactmonitor local show --help')"])
    run_row(capsys, work, ["--kleur"], 2, ["onbekende argumenten: --kleur (zie 'impactmonitor --help')"])
    run_row(capsys, work, ["handout", "--region", "Drenthe", "--question", "adviesvragers", "--out", "ontbreekt/map/"],
            2, ["Map ontbreekt/map bestaat niet"])
    _, err = run_row(capsys, work, SHOW[:3] + ["\x1b[2J\x1b[31mDrenthe\x1b]0;titel\x07"], 2, ["is onbekend"])
    assert "\x1b" not in err and "\x07" not in err
    mode = 0o666 & ~batch_umask()
    code, _, _ = cli(capsys, ["export", "--region", "Drenthe", "--level", "vt", "--out", "uit/drenthe.csv"])
    assert code == 0
    for path in [work / "uit" / "drenthe.csv", work / "uit" / "drenthe_bronnen.csv", filled_cache / "manifest.json",
                 *filled_cache.glob("*/*.parquet")]:
        assert path.stat().st_mode & 0o777 == mode, path


def batch_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --------------------------------------------------------------------------- the table itself
def _table() -> list[list[str]]:
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if re.match(r"^\| R\d\d \|", line):
            rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]])
    return rows


def test_table_and_tests_match():
    """Every row of the table names tests here that exist and carry its id, every row id used
    here is in the table, and the exit codes of the parametrised rows are the table's."""
    rows = _table()
    assert len(rows) >= 20 and all(len(r) == 5 for r in rows)
    ids = [r[0] for r in rows]
    assert len(set(ids)) == len(ids)
    source = Path(__file__).read_text(encoding="utf-8")
    assert set(re.findall(r"(?<![A-Za-z0-9])R\d\d(?!\d)", source)) == set(ids)
    codes = {r[0]: r[-2] for r in (*ROWS, *YAML_ROWS, *CBS_ROWS, *LOCAL_ROWS)}  # (id, ..., code, words)
    for row_id, _, _, code, tests in rows:
        assert code in {"0", "1", "2", "130"}, row_id
        assert codes.get(row_id, int(code)) == int(code), row_id
        names = re.findall(r"`(test_\w+)(?:\[(R\d\d)\])?`", tests)
        assert names, (row_id, tests)
        for name, param in names:
            assert callable(globals().get(name)), name
            assert row_id in (param or name), (row_id, tests)
