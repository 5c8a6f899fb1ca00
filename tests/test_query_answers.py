"""A new process on a filled cache folder reads the answer kept on disk, and never a stale one."""

from __future__ import annotations

import pandas as pd
import pytest
from mirror_fixtures import requires_snapshot, snapshot_bundle

from impactlib import query, settings
from impactlib.catalogue import get_indicator_spec
from impactlib.query import answers
from impactlib.sources.cache import CacheStore, request_key
from impactlib.sources.chooser import forget_sources

ASK = ("meldingen_acuut_structureel_pct", "Zaanstreek-Waterland", "2021HJ01")


@pytest.fixture
def cache(tmp_path):
    store = CacheStore(tmp_path / "cache")
    for table in get_indicator_spec(ASK[0]).tables:
        store.save(snapshot_bundle(table), request_key())
    settings.configure(source="cache", cache_dir=str(store.path))
    yield store
    forget_sources()
    query.clear_cache()


def new_session():
    forget_sources()
    query.clear_cache()


def computed(monkeypatch) -> list:
    """Count the computations from CBS rows (an answer read from disk is none)."""
    calls, real = [], query._indicator_frame
    monkeypatch.setattr(query, "_indicator_frame", lambda *a, **k: calls.append(a) or real(*a, **k))
    return calls


@requires_snapshot
def test_the_next_session_reads_the_same_answer_from_disk(cache, monkeypatch):
    calls = computed(monkeypatch)
    new_session()
    first = query.get_indicator(ASK[0], region=ASK[1], period=ASK[2])
    assert len(calls) == 1 and list((cache.path / answers.FOLDER).glob("*.arrow"))
    new_session()
    again = query.get_indicator(ASK[0], region=ASK[1], period=ASK[2])
    assert len(calls) == 1  # not computed again
    pd.testing.assert_frame_equal(again, first)
    assert again.attrs == first.attrs and round(float(again["value"].iloc[0]), 1) == 55.6


@requires_snapshot
def test_a_changed_cache_or_a_damaged_answer_is_computed_again(cache, monkeypatch, capsys):
    calls = computed(monkeypatch)
    new_session()
    first = query.get_indicator(ASK[0], region=ASK[1], period=ASK[2])
    table = get_indicator_spec(ASK[0]).tables[0]
    cache.save(snapshot_bundle(table), request_key(regions=["VT22"]))  # the cache changes: a new manifest
    new_session()
    query.get_indicator(ASK[0], region=ASK[1], period=ASK[2])
    assert len(calls) == 2
    for kept in (cache.path / answers.FOLDER).glob("*.arrow"):
        kept.write_bytes(b"geen arrow")
    new_session()
    again = query.get_indicator(ASK[0], region=ASK[1], period=ASK[2])
    assert len(calls) == 3
    pd.testing.assert_frame_equal(again, first)


@requires_snapshot
def test_an_answer_from_disk_still_says_it_comes_from_the_cache(cache, caplog):
    new_session()
    query.get_indicator(ASK[0], region=ASK[1], period=ASK[2])
    new_session()
    caplog.clear()
    with caplog.at_level("WARNING", logger="impactmonitor"):
        query.get_indicator(ASK[0], region=ASK[1], period=ASK[2])
    assert any("Cijfers uit de cache" in r.getMessage() for r in caplog.records)


def test_the_shelf_keeps_a_bounded_number_of_answers(tmp_path, monkeypatch):
    (tmp_path / "manifest.json").write_text('{"format": 1, "entries": {}}')
    shelf = answers.AnswerShelf(tmp_path)
    monkeypatch.setattr(answers, "MAX_ANSWERS", 4)
    frame = pd.DataFrame({"value": [1.0]})
    for i in range(6):
        shelf.put(("vraag", i), frame)
    assert 2 <= len(list((tmp_path / answers.FOLDER).glob("*.arrow"))) <= 4
    assert shelf.get(("vraag", 5)) is not None  # the newest stays
