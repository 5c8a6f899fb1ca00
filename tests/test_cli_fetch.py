"""`impactmonitor fetch`, `snapshot build` and `data status`, end to end through a local mirror."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from mirror_fixtures import *  # noqa: F403 - fixtures and helpers
from mirror_fixtures import mirror_of, requires_snapshot, snapshot_bundle, tiny_bundle

from impactlib import regions as R
from impactlib import settings
from impactlib.cli import main
from impactlib.cli.fetch import default_tables, region_keys
from impactlib.errors import UnknownRegionError
from impactlib.sources.cache import CacheStore

SHOW = ["show", "meldingen_acuut_structureel_pct", "--region", "Zaanstreek-Waterland", "--period", "2021HJ01", "--json"]


def run_cli(argv, capsys) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


@contextlib.contextmanager
def cbs_at(server, monkeypatch):
    monkeypatch.setenv("IMPACTMONITOR_CBS_HOST", server.address)
    yield server


@pytest.fixture(scope="module")
def filled_cache(tmp_path_factory):
    """`impactmonitor fetch` with all defaults through a mirror of the oefendata (run once)."""
    if not snapshot_ready():
        pytest.skip("oefendata snapshot not generated yet")
    cache = tmp_path_factory.mktemp("cache")
    out = io.StringIO()
    with mirror_of() as server, pytest.MonkeyPatch.context() as mp:
        mp.setenv("IMPACTMONITOR_CBS_HOST", server.address)
        mp.setenv("IMPACTMONITOR_CBS_HTTPS", "0")
        mp.setattr(settings, "_current", None)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = main(["fetch", "--cache-dir", str(cache), "--json"])
        mp.setattr(settings, "_current", None)
    return {"dir": cache, "code": code, "report": json.loads(out.getvalue()), "host": server.address}


def snapshot_ready() -> bool:
    from impactlib.sources.snapshot import bundled_snapshot_dir

    return (bundled_snapshot_dir() / "manifest.json").exists()


# --------------------------------------------------------------------------- done-when
def test_fetch_fills_the_cache_with_every_default_table(filled_cache):
    assert filled_cache["code"] == 0
    statuses = {t["table"]: t["status"] for t in filled_cache["report"]["tables"]}
    assert set(statuses) == set(default_tables()) and set(statuses.values()) == {"opgehaald"}
    entries = CacheStore(filled_cache["dir"]).entries()
    assert {e["host"] for e in entries} == {filled_cache["host"]} and all(e["synthetic"] for e in entries)


def test_show_from_the_filled_cache_gives_the_published_figure(filled_cache, capsys):
    code, out, err = run_cli([*SHOW, "--source", "cache", "--cache-dir", str(filled_cache["dir"])], capsys)
    payload = json.loads(out)
    assert code == 0 and payload["value"] == 55.6
    assert payload["source"]["kind"] == "cache" and payload["source"]["synthetic"] is True
    assert f"via {filled_cache['host']}" in payload["source"]["label"]
    assert "Cijfers uit de cache" in err


def test_a_second_fetch_finds_everything_up_to_date(filled_cache, capsys, monkeypatch):
    with mirror_of() as server, cbs_at(server, monkeypatch):
        code, out, _ = run_cli(["fetch", "--cache-dir", str(filled_cache["dir"]), "--tables", "84852NED", "03759ned"], capsys)
        assert sum(server.rows_served.values()) == 0
    assert code == 0 and out.count("  actueel  ") == 2


def test_snapshot_build_makes_a_portable_snapshot(filled_cache, tmp_path, capsys):
    out_dir = tmp_path / "trainer-snapshot"
    code, out, _ = run_cli(["snapshot", "build", "--out", str(out_dir), "--cache-dir", str(filled_cache["dir"])], capsys)
    assert code == 0 and "OEFENDATA" in out and (out_dir / "manifest.json").exists()
    code, out, _ = run_cli([*SHOW, "--snapshot", str(out_dir)], capsys)
    payload = json.loads(out)
    assert payload["value"] == 55.6 and payload["source"]["kind"] == "snapshot" and payload["source"]["synthetic"]


def test_data_status_names_the_cache_and_its_provenance(filled_cache, capsys):
    code, out, _ = run_cli(["data", "status", "--source", "cache", "--cache-dir", str(filled_cache["dir"]), "--json"], capsys)
    status = json.loads(out)
    assert code == 0 and status["kind"] == "cache" and status["label"] == "OEFENDATA (synthetisch)"
    assert set(status["tables"]) == set(default_tables())
    assert status["tables"]["84852NED"]["host"] == filled_cache["host"]


# --------------------------------------------------------------------------- fetch behaviour
@requires_snapshot
def test_a_regions_fetch_asks_only_for_its_rows(tmp_path, capsys, monkeypatch):
    with mirror_of() as server, cbs_at(server, monkeypatch):
        code, _, _ = run_cli(["fetch", "--tables", "84852NED", "--regions", "Zaanstad",
                              "--cache-dir", str(tmp_path)], capsys)
        served = server.rows_served[("84852NED", "TypedDataSet")]
    from impactlib.query import catalogue_filters

    snap = snapshot_bundle("84852NED")
    every_year = list(range(R.FIRST_YEAR, R.LAST_YEAR + 1))
    wanted = ["GM0479", "NL01"] + [r.key for r in R.regions_at("vt", every_year)]  # + Nederland and every VT-regio
    used = catalogue_filters(snap)  # only the categories the catalogue adds up
    assert code == 0 and served == len(snap.select(regions=wanted, filters=used).data) < len(snap.data)


def test_fetch_refreshes_when_cbs_has_a_newer_table(tmp_path, capsys, monkeypatch):
    args = ["fetch", "--tables", "99999NED", "--regions", "alle", "--cache-dir", str(tmp_path), "--json"]
    with mirror_of(tiny_bundle(modified="2025-01-01T02:00:00")) as server, cbs_at(server, monkeypatch):
        run_cli(args, capsys)
    with mirror_of(tiny_bundle(modified="2025-07-01T02:00:00", offset=5)) as server, cbs_at(server, monkeypatch):
        code, out, _ = run_cli(args, capsys)
    assert code == 0 and json.loads(out)["tables"][0]["status"] == "vernieuwd"
    bundle = CacheStore(tmp_path).merged("99999NED")
    assert bundle.modified == "2025-07-01T02:00:00" and bundle.data["OntvangenMeldingen_1"].max() == 3015 + 5


def test_fetch_repairs_a_damaged_cache_file(tmp_path, capsys, monkeypatch):
    args = ["fetch", "--tables", "99999NED", "--regions", "alle", "--cache-dir", str(tmp_path), "--json"]
    with mirror_of(tiny_bundle()) as server, cbs_at(server, monkeypatch):
        run_cli(args, capsys)
        entry = CacheStore(tmp_path).entries()[0]
        (tmp_path / entry["data_file"]).write_bytes(b"\x00" * 10)
        code, out, err = run_cli(args, capsys)
    assert code == 0 and json.loads(out)["tables"][0]["status"] == "hersteld" and "beschadigd" in err
    assert len(CacheStore(tmp_path).merged("99999NED").data) == 12


def test_fetch_reports_a_missing_table_and_keeps_going(tmp_path, capsys, monkeypatch):
    with mirror_of(tiny_bundle()) as server, cbs_at(server, monkeypatch):
        code, out, _ = run_cli(["fetch", "--tables", "00000NED", "99999NED", "--regions", "alle",
                                "--cache-dir", str(tmp_path), "--json"], capsys)
    statuses = [t["status"] for t in json.loads(out)["tables"]]
    assert code == 0 and statuses == ["ontbreekt", "opgehaald"]


def test_fetch_without_cbs_fails_in_one_line(tmp_path, capsys):
    code, out, err = run_cli(["fetch", "--tables", "84852NED", "03759ned", "--cache-dir", str(tmp_path)], capsys)
    assert code == 1 and "niet bereikbaar" in out and "overgeslagen" in out
    assert err.count("\n") == 1 and "Traceback" not in err


def test_default_regions_cover_every_vt_region_for_ranking():
    assert region_keys(None) is None and region_keys(["alle"]) is None  # no region filter: every row
    every_year = list(range(R.FIRST_YEAR, R.LAST_YEAR + 1))
    vt = [r.key for r in R.regions_at("vt", every_year)]
    assert len(vt) == 27 and set(vt) <= set(region_keys(["vt"])) and "NL01" in region_keys(["vt"])
    keys = region_keys(["Zaanstad", "VT22"])
    zw = {g.key for y in every_year for g in R.members("VT22", y)}  # for tables without VT rows
    assert keys[:2] == ["GM0479", "VT22"] and zw <= set(keys) and "NL01" in keys and set(vt) <= set(keys)
    with pytest.raises(UnknownRegionError):
        region_keys(["Atlantis"])


@requires_snapshot
def test_data_status_says_oefendata_plainly(capsys):
    code, out, _ = run_cli(["data", "status"], capsys)
    assert code == 0 and "OEFENDATA (synthetisch)" in out
    code, out, _ = run_cli(["data", "status", "--json"], capsys)
    assert json.loads(out)["kind"] == "snapshot" and json.loads(out)["synthetic"] is True


def test_data_status_auto_picks_live_when_it_answers(capsys, monkeypatch):
    bundles = [tiny_bundle(t) for t in ("84847NED",)]
    with mirror_of(*bundles) as server, cbs_at(server, monkeypatch):
        code, out, _ = run_cli(["data", "status", "--source", "auto", "--json"], capsys)
    status = json.loads(out)
    assert code == 0 and status["active"] == "live" and status["live"]["reachable"] is True
