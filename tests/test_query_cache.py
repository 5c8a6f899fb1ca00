"""Queries remembered per process, and sources asked only for the rows a figure needs."""

import pandas as pd
import pytest
from mirror_fixtures import *  # noqa: F401,F403 - offline fixture, mirrors

from impactlib import query, settings
from impactlib.sources import SnapshotSource
from impactlib.sources.chooser import forget_sources

pytestmark = requires_snapshot  # noqa: F405


class Counting(SnapshotSource):
    """The bundled snapshot, recording every request."""

    kind = "counting"

    def __init__(self):
        super().__init__()
        self.asked = []

    def table(self, table_id, *, regions=None, periods=None, filters=None):
        self.asked.append((table_id, regions, periods, filters))
        return super().table(table_id, regions=regions, periods=periods, filters=filters)


@pytest.fixture
def counting(monkeypatch):
    src = Counting()
    monkeypatch.setattr(query, "get_source", lambda kind=None: src)
    query.clear_cache()
    yield src
    query.clear_cache()


def test_a_second_query_is_remembered_and_every_caller_gets_its_own_copy(counting):
    first = query.get_indicator("meldingen_acuut_structureel_pct", "Zaanstreek-Waterland", "2021HJ01")
    asked = len(counting.asked)
    first.loc[0, "value"] = -1.0
    first.attrs["source"]["tables"].append("verzonnen")
    again = query.get_indicator("meldingen_acuut_structureel_pct", "Zaanstreek-Waterland", "2021HJ01")
    assert len(counting.asked) == asked  # not asked again
    assert round(again["value"].iloc[0], 1) == 55.6 and "verzonnen" not in again.attrs["source"]["tables"]


def test_changed_settings_or_clear_cache_ask_again(counting):
    ask = lambda: query.get_indicator("ots_per_10k", "Drenthe", "2021HJ01", level="vt")  # noqa: E731
    before = ask()
    n = len(counting.asked)
    settings.configure(cache_dir="/elders")
    pd.testing.assert_frame_equal(ask(), before)
    assert len(counting.asked) > n
    n = len(counting.asked)
    query.clear_cache()
    ask()
    assert len(counting.asked) > n


def test_only_the_categories_regions_and_periods_of_the_terms_are_asked_for(counting):
    frame = query.get_indicator("meldingen_acuut_structureel_pct", "Zaanstreek-Waterland", "2021HJ01")
    data = [a for a in counting.asked if a[1] != []]
    assert all(a[1] == [] for a in counting.asked if a not in data)  # metadata only: no regions, no rows
    (table, regions, periods, filters), = data
    assert table == "84852NED" and regions == ["VT22", "NL01"] and periods == ["2021HJ01"]
    meta = SnapshotSource().table("84852NED")
    titles = {k: {r["Key"]: r["Title"] for r in meta.categories(k)} for k in filters}
    assert {titles["Veiligheidsbeoordeling"][k] for k in filters["Veiligheidsbeoordeling"]} == {"Totaal"}
    assert len(filters["Veiligheidstaxatie"]) == 4  # three unsafe categories and the total
    assert round(frame["value"].iloc[0], 1) == 55.6 and round(frame["national"].iloc[0], 1) == 42.8


def test_through_a_mirror_only_the_needed_rows_travel(monkeypatch, tmp_path):
    with mirror_of() as server:  # noqa: F405
        monkeypatch.setenv("IMPACTMONITOR_CBS_HOST", server.address)
        settings.configure(source="live", backend="v3")
        forget_sources()
        query.clear_cache()
        frame = query.get_indicator("ots_per_10k", "Zaanstreek-Waterland", "2021HJ01")
        served = dict(server.rows_served)
    query.clear_cache()
    # 82975NED and 03759ned have no VT rows: Zaanstreek-Waterland's 8 gemeenten of 2021, and Nederland
    assert served[("82975NED", "TypedDataSet")] == 9  # one half year
    assert served[("03759ned", "TypedDataSet")] == 9  # their population in that year, totals only
    assert round(frame["value"].iloc[0], 1) == 2.2


def test_fewer_periods_or_one_category_are_cut_from_a_remembered_series(counting):
    args = ("duur_geweld_meldingen_pct", "Drenthe")
    some = dict(period=["2021HJ01", "2020HJ02"], category="niet langer dan 1 week", level="vt")
    query.get_indicator(*args, None, level="vt")  # every half year and category
    n = len(counting.asked)
    part = query.get_indicator(*args, **some)
    assert len(counting.asked) == n
    query.clear_cache()
    direct = query.get_indicator(*args, **some)
    assert len(counting.asked) > n
    pd.testing.assert_frame_equal(part, direct)
    assert part.attrs == direct.attrs and list(part["period"]) == ["2020HJ02", "2021HJ01"]


def test_a_region_without_rows_is_a_clear_error_not_an_empty_frame(tmp_path):
    import shutil

    from impactlib.errors import NotAvailableError
    from impactlib.sources.snapshot import bundled_snapshot_dir

    copy = tmp_path / "snap"
    shutil.copytree(bundled_snapshot_dir(), copy)
    data = pd.read_parquet(copy / "84852NED.parquet")
    data[data["RegioS"].str.strip() != "VT19"].to_parquet(copy / "84852NED.parquet", index=False)
    settings.configure(snapshot=str(copy))
    query.clear_cache()
    try:
        with pytest.raises(NotAvailableError, match="Geen cijfers voor Twente in tabel 84852NED"):
            query.get_indicator("meldingen_acuut_structureel_pct", "Twente", "2021HJ01")
        all_vt = query.indicator_values("meldingen_acuut_structureel_pct", "vt", "2021HJ01")
        assert "VT19" not in set(all_vt["region_key"]) and len(all_vt) == 25  # a ranking goes on without it
    finally:
        query.clear_cache()
