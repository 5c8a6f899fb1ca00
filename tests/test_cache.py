"""The local cache: manifest, checksums, atomic writes, superset answers, and the auto chain."""

from __future__ import annotations

import json
import os

import pytest
from mirror_fixtures import *  # noqa: F403 - fixtures and helpers
from mirror_fixtures import mirror_of, requires_snapshot, tiny_bundle

from impactlib import settings
from impactlib.errors import DataFault, NotAvailableError, UserInputError
from impactlib.sources import SnapshotSource, get_source
from impactlib.sources.cache import (
    CACHE_FORMAT,
    CacheSource,
    CacheStore,
    age_text,
    covers,
    export_snapshot,
    request_key,
)
from impactlib.sources.live import LiveSource
from impactlib.sources.v3 import V3Backend


def stored(tmp_path, bundle=None, **request) -> tuple[CacheStore, dict]:
    store = CacheStore(tmp_path / "cache")
    bundle = bundle or tiny_bundle()
    want = request_key(**request)
    return store, store.save(bundle.select(**request), want)


# --------------------------------------------------------------------------- requests
def test_request_keys_are_canonical_and_covering_is_superset():
    held = request_key(["VT22", "NL01  "], None, {"Kenmerk": ["B", "A"]})
    assert held == {"regions": ["NL01", "VT22"], "periods": None, "filters": {"Kenmerk": ["A", "B"]}}
    assert covers(held, request_key(["VT22"], ["2021HJ01"], {"Kenmerk": ["A"]}))
    assert not covers(held, request_key(["VT22"], None, None))  # wants every Kenmerk
    assert not covers(held, request_key(None, None, {"Kenmerk": ["A"]}))  # wants every region
    assert not covers(held, request_key(["VT02"], None, {"Kenmerk": ["A"]}))
    assert covers(request_key(), request_key(["VT02"], ["2021HJ02"], {"Kenmerk": ["A"]}))


def test_age_is_said_in_dutch():
    assert (age_text(0), age_text(1), age_text(12)) == ("vandaag", "1 dag oud", "12 dagen oud")


# --------------------------------------------------------------------------- store
def test_saved_part_has_a_full_manifest_entry_and_no_temp_files(tmp_path):
    store, entry = stored(tmp_path, regions=["VT22", "NL01"])
    manifest = json.loads((store.path / "manifest.json").read_text())
    assert manifest["format"] == CACHE_FORMAT and entry["id"] in manifest["entries"]
    saved = manifest["entries"][entry["id"]]
    for field in ("table_id", "host", "backend", "modified", "fetched_at", "filter", "rows", "sha256", "meta_sha256"):
        assert field in saved
    assert saved["rows"] == 8 and saved["modified"] == "2025-01-01T02:00:00" and saved["synthetic"] is True
    leftovers = [p for p in store.path.rglob("*") if p.name.startswith(".")]
    assert leftovers == []


def test_cache_answers_what_it_covers_and_keeps_oefendata_synthetic(tmp_path, capsys):
    store, _ = stored(tmp_path, regions=["VT22", "NL01"])
    bundle = CacheSource(store).table("99999NED", regions=["VT22"], periods=["2021HJ02"])
    assert len(bundle.data) == 2 and set(bundle.data["RegioS"]) == {"VT22  "}
    assert bundle.provenance["kind"] == "cache" and bundle.provenance["synthetic"] is True
    assert bundle.provenance["age_days"] == 0
    assert "opgehaald" in capsys.readouterr().err
    with pytest.raises(NotAvailableError, match="impactmonitor fetch --tables 99999NED"):
        CacheSource(store).table("99999NED", regions=["GM0479"])


def test_a_covering_part_replaces_the_parts_it_covers(tmp_path):
    store, small = stored(tmp_path, regions=["VT22"])
    big = store.save(tiny_bundle(), request_key())
    assert [e["id"] for e in store.entries()] == [big["id"]]
    assert not (store.path / small["data_file"]).exists()


def test_merged_unions_parts(tmp_path):
    store, _ = stored(tmp_path, regions=["VT22"])
    store.save(tiny_bundle().select(regions=["NL01"]), request_key(regions=["NL01"]))
    merged = store.merged("99999NED")
    assert sorted(merged.data["RegioS"].str.strip().unique()) == ["NL01", "VT22"] and len(merged.data) == 8


def test_merged_matches_measures_by_title_across_interfaces(tmp_path):
    # a v3-fetched part and a v4-fetched part (other measure key, same title) of one table
    store, _ = stored(tmp_path, regions=["VT22"])
    v4_part = tiny_bundle(measure_key="M001065").select(regions=["NL01"])
    store.save(v4_part, request_key(regions=["NL01"]))
    merged = store.merged("99999NED")
    key = merged.measure_key("Ontvangen meldingen")
    counts = merged.data.set_index(merged.data["RegioS"].str.strip())[key]
    assert counts.loc[["NL01", "VT22"]].notna().sum() >= 6  # no column of NaN for the older part
    assert [c for c in merged.data.columns if c in ("M001065", "OntvangenMeldingen_1")] == [key]


def test_truncated_file_is_reported_and_a_fault_offline(tmp_path, capsys):
    store, entry = stored(tmp_path)
    path = store.path / entry["data_file"]
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(DataFault) as exc:
        CacheSource(store).table("99999NED")
    assert "beschadigd" in str(exc.value) and "impactmonitor fetch" in str(exc.value)
    assert "controlegetal" in str(exc.value) and capsys.readouterr().err == ""  # one line: the error itself


def test_damaged_file_is_refetched_when_online(tmp_path, capsys):
    store, entry = stored(tmp_path)
    (store.path / entry["data_file"]).write_bytes(b"not parquet")
    with mirror_of(tiny_bundle()) as server:
        live = lambda: LiveSource([V3Backend(server.address, https=False)], store=store, successors={})  # noqa: E731
        bundle = CacheSource(store, refetch=live).table("99999NED", regions=["VT22"])
    assert bundle.provenance["kind"] == "live" and len(bundle.data) == 4
    assert "opnieuw opgehaald" in capsys.readouterr().err
    repaired = CacheSource(store, announce=False).table("99999NED", regions=["VT22"])
    assert repaired.provenance["kind"] == "cache"


def test_cache_of_another_format_is_reported_and_ignored(tmp_path, capsys):
    store, _ = stored(tmp_path)
    manifest = json.loads((store.path / "manifest.json").read_text())
    manifest["format"] = 99
    (store.path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(NotAvailableError) as exc:
        CacheSource(store).table("99999NED")
    assert "ander formaat (versie 99" in str(exc.value) and capsys.readouterr().err == ""
    assert CacheStore(store.path).entries() == [] and "ander formaat (versie 99" in capsys.readouterr().err
    store.save(tiny_bundle(), request_key())
    assert json.loads((store.path / "manifest.json").read_text())["format"] == CACHE_FORMAT


def test_garbled_manifest_counts_as_empty(tmp_path, capsys):
    store = CacheStore(tmp_path)
    (tmp_path / "manifest.json").write_text("{half")
    assert store.entries() == [] and "beschadigd" in capsys.readouterr().err


def test_notes_are_warnings_on_the_impactmonitor_logger_printed_as_the_cli_prints_them(tmp_path, capsys, caplog):
    store = CacheStore(tmp_path)
    (tmp_path / "manifest.json").write_text("{half")
    with caplog.at_level("WARNING", logger="impactmonitor"):
        assert store.entries() == []
    [record] = [r for r in caplog.records if r.name.startswith("impactmonitor.")]
    assert record.name == "impactmonitor.sources.cache" and record.levelname == "WARNING"
    assert capsys.readouterr().err == f"impactmonitor: {record.getMessage()}\n"  # one line, the CLI's shape


def test_a_failed_write_leaves_the_old_files_whole(tmp_path, monkeypatch):
    store, entry = stored(tmp_path)
    before = (store.path / "manifest.json").read_bytes()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        store.save(tiny_bundle(offset=5), request_key())
    monkeypatch.undo()
    assert (store.path / "manifest.json").read_bytes() == before
    assert not [p for p in store.path.rglob(".*")]
    assert store.load(store.entries()[0]).data.equals(tiny_bundle().data.reset_index(drop=True))


# --------------------------------------------------------------------------- snapshots from the cache
def test_export_snapshot_is_readable_and_stays_synthetic(tmp_path):
    store, _ = stored(tmp_path)
    out = tmp_path / "snap"
    manifest = export_snapshot(store, out, name="testsnap")
    snap = SnapshotSource(str(out))
    bundle = snap.table("99999NED", regions=["VT22"])
    assert len(bundle.data) == 4 and bundle.provenance["synthetic"] is True
    assert manifest["periods"] == {"first": "2021HJ01", "last": "2021HJ02", "provisional": []}
    assert snap.describe()["name"] == "testsnap"
    export_snapshot(store, out, name="again")  # an existing snapshot folder is replaced whole
    assert json.loads((out / "manifest.json").read_text())["name"] == "again"


def test_export_refuses_a_folder_that_is_not_a_snapshot(tmp_path):
    store, _ = stored(tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "report.txt").write_text("keep me")
    with pytest.raises(UserInputError):
        export_snapshot(store, tmp_path / "docs")
    assert (tmp_path / "docs" / "report.txt").read_text() == "keep me"


# --------------------------------------------------------------------------- choosing the source
def test_auto_falls_back_to_cache_and_says_so(tmp_path, capsys):
    settings.configure(cache_dir=str(tmp_path / "cache"))
    stored(tmp_path, regions=["VT22", "NL01"])
    src = get_source("auto")
    bundle = src.table("99999NED", regions=["VT22"])
    prov = bundle.provenance
    assert prov["kind"] == "cache" and prov["via"] == "auto" and "niet bereikbaar" in prov["fallback"]
    err = capsys.readouterr().err
    assert "Cijfers uit de cache" in err and err.count("\n") == 1


@requires_snapshot
def test_auto_ends_at_the_snapshot_labelled_oefendata(tmp_path, capsys):
    settings.configure(cache_dir=str(tmp_path / "empty"))
    bundle = get_source("auto").table("84852NED", regions=["VT22"], periods=["2021HJ01"])
    assert bundle.provenance["kind"] == "snapshot" and bundle.provenance["synthetic"] is True
    assert "OEFENDATA (synthetisch)" in capsys.readouterr().err


def test_auto_uses_live_and_fills_the_cache(tmp_path, monkeypatch, capsys):
    with mirror_of(tiny_bundle()) as server:
        monkeypatch.setenv("IMPACTMONITOR_CBS_HOST", server.address)
        settings.configure(cache_dir=str(tmp_path / "cache"))
        bundle = get_source("auto").table("99999NED", regions=["NL01"])
    assert bundle.provenance["kind"] == "live" and bundle.provenance["host"] == server.address
    assert "CBS live" in capsys.readouterr().err
    cached = CacheSource(CacheStore(tmp_path / "cache"), announce=False).table("99999NED", regions=["NL01"])
    assert cached.provenance["host"] == server.address and cached.provenance["synthetic"] is True


def test_auto_stops_asking_cbs_once_it_is_unreachable(tmp_path):
    settings.configure(cache_dir=str(tmp_path / "cache"))
    store, _ = stored(tmp_path)
    src = get_source("auto")
    calls = []
    live = src.live()
    original = live.info
    live.info = lambda *a, **k: (calls.append(a), original(*a, **k))[1]
    src.table("99999NED", regions=["NL01"])
    src.table("99999NED", regions=["VT22"])
    assert len(calls) == 1 and src.offline_reason


def test_settings_choose_the_source(tmp_path):
    settings.configure(source="cache", cache_dir=str(tmp_path))
    assert get_source().kind == "cache"
    with pytest.raises(UserInputError):
        settings.configure(source="ftp")


def test_tests_never_touch_the_users_cache(tmp_path):
    assert settings.current().cache_path.startswith(str(tmp_path))
    assert os.environ["IMPACTMONITOR_CBS_HOST"].startswith("127.0.0.1:")
