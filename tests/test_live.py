"""The live v3 source against mirrors and faulty servers on 127.0.0.1."""

from __future__ import annotations

import pandas as pd
import pytest
from mirror_fixtures import *  # noqa: F403 - fixtures and helpers
from mirror_fixtures import faulty_mirror, free_port, mirror_of, requires_snapshot, snapshot_bundle, tiny_bundle

from impactlib import settings
from impactlib.errors import DataFault, NotAvailableError, SourceUnavailable, UserInputError
from impactlib.sources.common import build_filter
from impactlib.sources.live import LiveSource, default_backends, stitch
from impactlib.sources.v3 import V3Backend, cbs_host, cbs_https
from impactlib.sources.v4 import V4Backend


def live_for(server, **kwargs) -> LiveSource:
    return LiveSource([V3Backend(server.address, https=False, **kwargs)], successors={})


def one_line(exc) -> str:
    text = str(exc.value)
    assert "\n" not in text and "Traceback" not in text
    return text


# --------------------------------------------------------------------------- filters and settings
def test_filter_pads_region_keys_and_escapes_quotes():
    text = build_filter("RegioS", "Perioden", ["VT22", "NL01  "], ["2021HJ01"], {"Kenmerk": ["A'1"]})
    assert text == ("(RegioS eq 'VT22  ' or RegioS eq 'NL01  ') and Perioden eq '2021HJ01' "
                    "and Kenmerk eq 'A''1'")
    assert build_filter("RegioS", "Perioden") == ""


def test_host_and_scheme_from_environment(monkeypatch):
    monkeypatch.delenv("IMPACTMONITOR_CBS_HOST")
    monkeypatch.delenv("IMPACTMONITOR_CBS_HTTPS")
    assert cbs_host() == "opendata.cbs.nl" and cbs_https() is True
    assert cbs_https("127.0.0.1:8765") is False
    monkeypatch.setenv("IMPACTMONITOR_CBS_HTTPS", "0")
    assert cbs_https() is False
    monkeypatch.setenv("IMPACTMONITOR_CBS_HOST", "mirror.local:80")
    assert V3Backend().host == "mirror.local:80"


def test_hosts_and_schemes_are_settings_that_follow_the_environment_unless_set(monkeypatch):
    monkeypatch.delenv("IMPACTMONITOR_CBS_HTTPS")
    monkeypatch.delenv("IMPACTMONITOR_CBS4_HTTPS")
    monkeypatch.setenv("IMPACTMONITOR_CBS4_HOST", "127.0.0.1:9")
    now = settings.current()
    assert now.cbs4_host == "127.0.0.1:9" and now.cbs4_https is None  # read when asked, not at import
    assert settings.https_for(now.cbs4_host, now.cbs4_https) is False  # this computer: plain http
    assert settings.https_for("datasets.cbs.nl", None) is True and settings.https_for("localhost", True) is True
    settings.configure(cbs_host="mirror.local:80", cbs_https=True)  # set in code: beats the environment
    monkeypatch.setenv("IMPACTMONITOR_CBS_HOST", "elders:1")
    backend = V3Backend()
    assert (backend.host, backend.https) == ("mirror.local:80", True) and cbs_host() == "mirror.local:80"
    monkeypatch.setenv("IMPACTMONITOR_CBS4_HTTPS", "ja")
    assert settings.current().cbs4_https is True and V4Backend().root("X") == "https://127.0.0.1:9/odata/v1/CBS/X"



def test_settings_saved_and_restored_keep_following_the_environment(monkeypatch):
    monkeypatch.setenv("IMPACTMONITOR_CBS_HOST", "127.0.0.1:1")
    saved = settings.configured()
    settings.configure(source="live", cbs_host="127.0.0.1:2")
    assert settings.current().cbs_host == "127.0.0.1:2"
    settings.restore(saved)  # the host was left open: it follows the environment again
    monkeypatch.setenv("IMPACTMONITOR_CBS_HOST", "127.0.0.1:3")
    assert settings.current().source == saved.source and settings.current().cbs_host == "127.0.0.1:3"
    with pytest.raises(TypeError):
        settings.restore({"source": "live"})

def test_the_two_interfaces_share_one_module_and_never_import_each_other():
    import ast
    from pathlib import Path

    import impactlib.sources as package

    def imported(name):
        tree = ast.parse((Path(package.__file__).parent / f"{name}.py").read_text(encoding="utf-8"))
        return {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level == 1}

    assert {"v4", "live"}.isdisjoint(imported("v3")) and {"v3", "live"}.isdisjoint(imported("v4"))
    assert "common" in imported("v3") & imported("v4")
    assert {"v3", "v4"} <= imported("live")


def test_backend_setting_chooses_the_interfaces():
    assert [b.name for b in default_backends("auto")] == ["v3", "v4"]
    assert [b.name for b in default_backends("v4")] == ["v4"]
    with pytest.raises(UserInputError, match="v5"):
        default_backends("v5")


# --------------------------------------------------------------------------- fetching
def test_keys_stay_keys_unknown_stays_unknown_and_provisional_is_kept():
    with mirror_of(tiny_bundle()) as server:
        bundle = live_for(server).table("99999NED", regions=["GM0479"])
    data = bundle.data.sort_values("ID")
    assert set(data["RegioS"]) == {"GM0479"} and set(data["Veiligheidsbeoordeling"]) == {"T001101", "A051101"}
    hj2 = data[data["Perioden"] == "2021HJ02"]["OntvangenMeldingen_1"]
    assert hj2.isna().all()  # CBS '.'/null → NaN, never 0
    assert (data[data["Perioden"] == "2021HJ01"]["Aandeel_2"] == 0.0).all()  # a true zero stays 0
    assert bundle.period_titles() == {"2021HJ01": "1e halfjaar 2021", "2021HJ02": "2e halfjaar 2021*"}
    assert set(bundle.tidy()["RegioS"]) == {"GM0479"}


def test_padded_keys_in_data_and_stripped_in_tidy():
    with mirror_of(tiny_bundle()) as server:
        bundle = live_for(server).table("99999NED", regions=["VT22"], periods=["2021HJ01"])
    assert set(bundle.data["RegioS"]) == {"VT22  "}
    assert set(bundle.tidy()["RegioS"]) == {"VT22"}
    assert bundle.measure_key("ontvangen  meldingen") == "OntvangenMeldingen_1"


def test_provenance_names_host_backend_and_keeps_oefendata_synthetic():
    with mirror_of(tiny_bundle(synthetic=True), tiny_bundle("88888NED", synthetic=False)) as server:
        live = live_for(server)
        fake = live.table("99999NED", regions=["NL01"])
        real = live.table("88888NED", regions=["NL01"])
    assert fake.provenance["synthetic"] is True and real.provenance["synthetic"] is False
    assert fake.provenance["host"] == server.address and fake.provenance["backend"] == "v3"
    assert fake.provenance["kind"] == "live" and fake.provenance["modified"] == "2025-01-01T02:00:00"
    assert fake.provenance["filter"] == "RegioS eq 'NL01  '"


def test_categories_by_title_become_server_side_filters():
    with mirror_of(tiny_bundle()) as server:
        bundle = live_for(server).table("99999NED", regions=["VT22"], filters={"Veiligheidsbeoordeling": ["Acuut onveilig"]})
        served = server.rows_served[("99999NED", "TypedDataSet")]
    assert set(bundle.data["Veiligheidsbeoordeling"]) == {"A051101"}
    assert served == len(bundle.data) == 2


def test_unknown_category_title_is_a_clear_fault():
    with mirror_of(tiny_bundle()) as server, pytest.raises(DataFault, match="categorie 'Bestaat niet'"):
        live_for(server).table("99999NED", filters={"Veiligheidsbeoordeling": ["Bestaat niet"]})


def test_paging_is_followed():
    with mirror_of(tiny_bundle(), page_size=2) as server:
        bundle = live_for(server).table("99999NED")
        data_requests = [p for p in server.requests if "TypedDataSet" in p]
    assert len(bundle.data) == 12 and len(data_requests) == 6


def test_a_covered_request_is_answered_without_asking_again():
    with mirror_of(tiny_bundle()) as server:
        live = live_for(server)
        live.table("99999NED", regions=["VT22", "NL01"])
        before = len(server.requests)
        again = live.table("99999NED", regions=["VT22"], periods=["2021HJ02"])
        assert len(server.requests) == before
    assert len(again.data) == 2 and set(again.data["RegioS"].str.strip()) == {"VT22"}


@requires_snapshot
def test_round_trip_equals_the_snapshot_cells_and_only_filtered_rows_travel():
    with mirror_of() as server:
        fetched = live_for(server).table("84852NED", regions=["VT22", "NL01"])
        served = server.rows_served[("84852NED", "TypedDataSet")]
    snap = snapshot_bundle("84852NED")
    expected = snap.select(regions=["VT22", "NL01"]).data
    assert served == len(expected) < len(snap.data) / 10
    got = fetched.data.sort_values("ID").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected.sort_values("ID").reset_index(drop=True), check_dtype=False)
    assert fetched.meta["Perioden"][-1]["Title"].endswith("*")  # provisional flag survives


def test_successor_table_is_stitched_into_one_series():
    old = tiny_bundle("11111NED", periods=("2021HJ01", "2021HJ02"))
    new = tiny_bundle("22222NED", measure_key="Meldingen_7", periods=("2021HJ02", "2022HJ01"), offset=1.0,
                      modified="2025-06-01T02:00:00")
    with mirror_of(old, new) as server:
        live = LiveSource([V3Backend(server.address, https=False)], successors={"11111NED": ["22222NED"]})
        bundle = live.table("11111NED", regions=["NL01"], filters={"Veiligheidsbeoordeling": ["T001101"]})
    by_period = bundle.data.set_index("Perioden")["OntvangenMeldingen_1"]
    assert list(by_period.index) == ["2021HJ01", "2021HJ02", "2022HJ01"]
    assert by_period["2021HJ01"] == 3000 and by_period["2021HJ02"] == 3001  # newer table wins
    assert "2022HJ01" in bundle.period_titles() and bundle.modified == "2025-06-01T02:00:00"
    assert bundle.provenance["stitched"] == ["11111NED", "22222NED"]


def test_stitch_matches_measures_by_title():
    a, b = tiny_bundle("A"), tiny_bundle("B", measure_key="Renamed_9", periods=("2022HJ01",))
    out = stitch(a, b)
    assert "Renamed_9" not in out.data and len(out.data) == 18
    assert out.data["OntvangenMeldingen_1"].notna().sum() == 10 + 4  # unknown cells stay unknown


# --------------------------------------------------------------------------- failures
def test_timeout_is_reported_in_one_line():
    with faulty_mirror(tiny_bundle(), faults=[("TypedDataSet", "slow")]) as server:
        with pytest.raises(SourceUnavailable) as exc:
            live_for(server, timeout=0.3).table("99999NED")
    assert "antwoordt niet binnen 0.3 s" in one_line(exc)


def test_server_error_is_retried_with_backoff_then_succeeds():
    faults = [("TypedDataSet", "500"), ("TypedDataSet", "500")]
    with faulty_mirror(tiny_bundle(), faults=faults) as server:
        bundle = live_for(server, retries=2, backoff=0.01).table("99999NED", regions=["NL01"])
        attempts = [p for p in server.requests if "TypedDataSet" in p]
    assert len(bundle.data) == 4 and len(attempts) == 3


def test_server_error_gives_up_after_bounded_retries():
    faults = [("TypedDataSet", "500")] * 5
    with faulty_mirror(tiny_bundle(), faults=faults) as server:
        with pytest.raises(SourceUnavailable) as exc:
            live_for(server, retries=2, backoff=0.01).table("99999NED")
        attempts = [p for p in server.requests if "TypedDataSet" in p]
    assert len(attempts) == 3 and "serverfout 500" in one_line(exc) and "3 pogingen" in str(exc.value)


def test_unknown_table_says_it_does_not_exist_anymore():
    with mirror_of(tiny_bundle()) as server, pytest.raises(NotAvailableError) as exc:
        live_for(server).table("12345NED")
    assert "bestaat niet (meer)" in one_line(exc) and "12345NED" in str(exc.value)


def test_404_during_data_download_is_reported():
    with faulty_mirror(tiny_bundle(), faults=[("TypedDataSet", "404")]) as server:
        with pytest.raises(NotAvailableError, match="bestaat niet"):
            live_for(server).table("99999NED")


@pytest.mark.parametrize("fault, words", [
    ("garbled", "geen geldige JSON"),
    ("empty", "leeg antwoord"),
])
def test_bad_answers_are_data_faults(fault, words):
    with faulty_mirror(tiny_bundle(), faults=[("TypedDataSet", fault)]) as server:
        with pytest.raises(DataFault) as exc:
            live_for(server).table("99999NED")
    assert words in one_line(exc)


def test_a_service_document_without_data_is_a_data_fault():
    with faulty_mirror(tiny_bundle(), faults=[("99999NED/?", "nodata")]) as server:
        with pytest.raises(DataFault) as exc:
            live_for(server).table("99999NED")
    assert "geen OData-tabel" in one_line(exc)


def test_connection_reset_is_reported():
    with faulty_mirror(tiny_bundle(), faults=[("99999NED", "reset")]) as server:
        with pytest.raises(SourceUnavailable) as exc:
            live_for(server).table("99999NED")
    assert "verbinding verbroken" in one_line(exc)


def test_connection_refused_is_reported():
    backend = V3Backend(f"127.0.0.1:{free_port()}", https=False, timeout=2)
    with pytest.raises(SourceUnavailable) as exc:
        LiveSource([backend], successors={}).table("99999NED")
    assert "verbinding geweigerd" in one_line(exc)


def test_info_reads_modified():
    with mirror_of(tiny_bundle(modified="2025-03-04T02:00:00")) as server:
        info = live_for(server).info("99999NED")
    assert info["Modified"] == "2025-03-04T02:00:00" and info["Identifier"] == "99999NED"
