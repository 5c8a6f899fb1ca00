"""A new session on a filled cache folder (issue 19): checksums are verified once per file
version and process, the manifest is parsed once per version, metadata needs no data rows."""

from __future__ import annotations

import pytest
from mirror_fixtures import tiny_bundle

from impactlib.errors import DataFault
from impactlib.sources import cache as cache_module
from impactlib.sources.cache import CacheSource, CacheStore, request_key


@pytest.fixture
def filled(tmp_path):
    cache_module._verified.clear()
    cache_module._manifests.clear()
    store = CacheStore(tmp_path / "cache")
    entry = store.save(tiny_bundle(), request_key())
    return store, entry


def counting(monkeypatch):
    calls = []
    real = cache_module.sha256

    def sha(data):
        calls.append(len(data))
        return real(data)

    monkeypatch.setattr(cache_module, "sha256", sha)
    return calls


def test_a_second_session_does_not_hash_the_same_files_again(filled, monkeypatch):
    store, entry = filled
    calls = counting(monkeypatch)
    first = CacheSource(CacheStore(store.path), announce=False).table(entry["table_id"])
    assert len(calls) == 2  # data and metadata, once
    second = CacheSource(CacheStore(store.path), announce=False).table(entry["table_id"])
    assert len(calls) == 2
    assert first.data.equals(second.data) and len(first.data) == entry["rows"]


def test_a_file_changed_after_the_check_is_still_caught(filled):
    store, entry = filled
    CacheSource(CacheStore(store.path), announce=False).table(entry["table_id"])
    path = store.path / entry["data_file"]
    path.write_bytes(path.read_bytes()[:100])  # truncated: another size, another version
    with pytest.raises(DataFault, match="beschadigd"):
        CacheSource(CacheStore(store.path), announce=False).table(entry["table_id"])


def test_metadata_only_request_reads_no_rows_but_keeps_the_columns(filled):
    store, entry = filled
    meta = CacheSource(CacheStore(store.path), announce=False).table(entry["table_id"], regions=[])
    whole = CacheSource(CacheStore(store.path), announce=False).table(entry["table_id"])
    assert meta.data.empty and list(meta.data.columns) == list(whole.data.columns)
    assert list(meta.data.dtypes) == list(whole.data.dtypes) and meta.meta == whole.meta


def test_the_manifest_is_a_fresh_copy_for_every_caller(filled):
    store, entry = filled
    one = store.manifest()
    one["entries"].clear()
    assert entry["id"] in CacheStore(store.path).manifest()["entries"]
