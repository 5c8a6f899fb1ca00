"""From the second region of a level on, answers are rows of the whole level's frame: the same rows."""

from __future__ import annotations

import pandas as pd
import pytest

from impactlib import query, regions
from impactlib.errors import ImpactError
from impactlib.query import memo
from impactlib.sources import get_source

CASES = [
    ("meldingen_acuut_structureel_pct", None, "VT22", None),
    ("meldingen_acuut_structureel_pct", None, "VT02", "2021HJ01"),
    ("meldingen_per_10k", None, "VT22", None),  # population summed from gemeenten: its own source line
    ("ots_per_10k", None, "VT22", "2021HJ01"),  # 8 gemeenten summed in 2021 (Beemster), 7 since 2022
    ("meldingen_aantal", None, "VT16", None),  # Brabant Noordoost: ends in 2022
    ("meldingen_aantal", None, "VT27", ["2023HJ01", "2024HJ01"]),  # Oost-Brabant: from 2023
    ("melders_politie_pct", None, "PV23", None),
]


def _other(key: str) -> str:
    level = regions.get(key).level
    return next(r.key for r in regions.regions_at(level, 2021) if r.key != key)


def _ask(indicator, category, key, period):
    return query.indicator_values(indicator, [key], period, category=category)


@pytest.mark.parametrize("indicator, category, key, period", CASES)
def test_rows_from_the_whole_level_equal_the_regions_own(indicator, category, key, period):
    query.clear_cache()
    alone = _ask(indicator, category, key, period)
    query.clear_cache()
    _ask(indicator, category, _other(key), period)  # a first region of the level
    widened = _ask(indicator, category, key, period)
    level = regions.get(key).level
    whole_keys = tuple(r.key for r in regions.regions_at(level, list(range(regions.FIRST_YEAR, regions.LAST_YEAR + 1))))
    assert memo.peek(("indicator", indicator, None, whole_keys, None, query.source_key(get_source()))) is not None
    pd.testing.assert_frame_equal(widened, alone)
    assert widened.attrs == alone.attrs


def test_a_distribution_category_from_the_whole_level():
    spec_id = "adviesvragers_type_pct"
    query.clear_cache()
    label = query.indicator_values(spec_id, ["VT22"], "2021HJ01")["category"].iloc[0]
    alone = query.indicator_values(spec_id, ["VT22"], "2021HJ01", category=label)
    query.clear_cache()
    query.indicator_values(spec_id, ["VT02"], "2021HJ01", category=label)
    widened = query.indicator_values(spec_id, ["VT22"], "2021HJ01", category=label)
    pd.testing.assert_frame_equal(widened, alone)


def test_a_region_outside_its_years_is_refused_alike():
    messages = []
    for warm in (False, True):
        query.clear_cache()
        if warm:
            _ask("meldingen_aantal", None, "VT22", "2021HJ01")
        with pytest.raises(ImpactError) as info:
            _ask("meldingen_aantal", None, "VT27", "2021HJ01")
        messages.append((type(info.value), str(info.value)))
    assert messages[0] == messages[1]


def test_a_region_seen_only_inside_an_all_regions_question_still_counts_as_another():
    query.clear_cache()
    ind = "meldingen_acuut_structureel_pct"
    query.indicator_values(ind, "vt", ["2021HJ01"])  # every region, one period (step 5 of a first region)
    query.indicator_values(ind, ["VT02"], None)  # then one region's series: the whole level is computed
    whole_keys = tuple(r.key for r in regions.regions_at("vt", list(range(regions.FIRST_YEAR, regions.LAST_YEAR + 1))))
    assert memo.peek(("indicator", ind, None, whole_keys, None, query.source_key(get_source()))) is not None


def test_one_region_asked_again_is_not_widened():
    query.clear_cache()
    ind = "meldingen_acuut_structureel_pct"
    query.indicator_values(ind, ["VT22"], None)
    query.indicator_values(ind, ["VT22"], ["2021HJ01"])
    whole_keys = tuple(r.key for r in regions.regions_at("vt", list(range(regions.FIRST_YEAR, regions.LAST_YEAR + 1))))
    assert memo.peek(("indicator", ind, None, whole_keys, None, query.source_key(get_source()))) is None


GEMEENTE_CASES = [
    ("meldingen_acuut_structureel_pct", "GM0479", "GM0439", None),  # Zaanstad after Purmerend (Zaanstreek-Waterland)
    ("ots_per_10k", "GM0415", "GM0385", "2021HJ01"),  # per 10 000 inwoners: population summed per gemeente
    ("meldingen_aantal", "GM0753", "GM0743", None),  # Best after Asten: Oost-Brabant since 2023
]


@pytest.mark.parametrize("indicator, key, first, period", GEMEENTE_CASES)
def test_a_gemeente_after_a_neighbour_is_a_row_of_their_veilig_thuis_regio(indicator, key, first, period):
    query.clear_cache()
    alone = _ask(indicator, None, key, period)
    query.clear_cache()
    _ask(indicator, None, first, period)  # a first gemeente of the same Veilig Thuis-regio
    widened = _ask(indicator, None, key, period)
    pd.testing.assert_frame_equal(widened, alone)
    assert widened.attrs == alone.attrs
    group = query._computed_with("gemeente", [regions.get(key)])
    assert group and {regions.get(key).key, first} <= {g.key for g in group}
    assert {g.vt_regio for g in group} == {regions.get(key).vt_regio} and len(group) < 60
    keys = tuple(g.key for g in group)
    assert memo.peek(("indicator", indicator, None, keys, None, query.source_key(get_source()))) is not None


def test_a_gemeente_of_another_veilig_thuis_regio_is_computed_alone():
    query.clear_cache()
    ind = "meldingen_acuut_structureel_pct"
    _ask(ind, None, "GM0479", None)  # Zaanstad (Zaanstreek-Waterland)
    _ask(ind, None, "GM0743", None)  # Asten (Oost-Brabant): the first of its group
    for key in ("GM0479", "GM0743"):
        keys = tuple(g.key for g in query._computed_with("gemeente", [regions.get(key)]))
        assert memo.peek(("indicator", ind, None, keys, None, query.source_key(get_source()))) is None


@pytest.mark.parametrize("indicator, key, level, period", [
    ("meldingen_acuut_structureel_pct", "GM0479", "gemeente", None),  # Zaanstad: its Veilig Thuis-regio's gemeenten
    ("ots_per_10k", "VT22", "vt", "2021HJ01"),  # Zaanstreek-Waterland: every VT-regio
])
def test_in_a_batch_over_the_level_the_first_region_is_already_a_row_of_the_whole(monkeypatch, indicator, key,
                                                                                    level, period):
    query.clear_cache()
    alone = _ask(indicator, None, key, period)
    region = regions.get(key)
    keys = tuple(r.key for r in query._computed_with(level, [region]))
    whole = ("indicator", indicator, None, keys, None, query.source_key(get_source()))
    assert memo.peek(whole) is None  # a single question: computed alone
    query.clear_cache()
    monkeypatch.setenv(query.BATCH_LEVEL_ENV, level)
    first = _ask(indicator, None, key, period)
    assert memo.peek(whole) is not None
    pd.testing.assert_frame_equal(first, alone)
    assert first.attrs == alone.attrs
    query.clear_cache()
    monkeypatch.setenv(query.BATCH_LEVEL_ENV, "provincie")  # a batch over another level changes nothing here
    _ask(indicator, None, key, period)
    assert memo.peek(whole) is None


def test_a_batch_tells_its_kernels_the_level_and_forgets_it_afterwards(tmp_path, monkeypatch):
    import os

    from impactlib.run import batch

    seen = []
    monkeypatch.delenv(query.BATCH_LEVEL_ENV, raising=False)
    monkeypatch.setattr(batch, "pooled", lambda tasks, work, size: seen.append(os.environ.get(query.BATCH_LEVEL_ENV)) or [])
    regs = batch.batch_regions("gemeente", "Zaanstreek-Waterland")
    with pytest.raises(KeyError):  # no results: the index cannot be written, the environment is restored anyway
        batch.run_all("heftig-structureel-geweld", out=tmp_path, regions=regs, progress=False)
    assert seen == ["gemeente"] and query.BATCH_LEVEL_ENV not in os.environ
