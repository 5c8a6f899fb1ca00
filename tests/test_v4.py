"""The OData v4 backend and the v4-shaped mirror, on 127.0.0.1 only."""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest
import requests
from mirror_fixtures import *  # noqa: F403 - fixtures and helpers
from mirror_fixtures import faulty_mirror, mirror_of, requires_snapshot, tiny_bundle

from impactlib.errors import DataFault, NotAvailableError, SourceUnavailable
from impactlib.mirror import MirrorServer, shelf_from_bundles, shelf_from_snapshot
from impactlib.mirror.v4 import V4Table
from impactlib.sources.live import LiveSource
from impactlib.sources.v3 import V3Backend
from impactlib.sources.v4 import V4Backend, cbs4_host, cbs4_https, known_values


@contextmanager
def v4_mirror(*bundles, page_size: int = 10_000, unknown: str = "attribute"):
    shelf = shelf_from_bundles(list(bundles)) if bundles else shelf_from_snapshot()
    with MirrorServer(shelf, api="v4", page_size=page_size, unknown=unknown) as server:
        yield server


def backend(server, **kwargs) -> V4Backend:
    return V4Backend(server.address, https=False, **kwargs)


def get(server, path: str, **params) -> requests.Response:
    return requests.get(f"http://{server.address}/odata/v1/CBS/{path}", params=params, timeout=5)


def cells(bundle) -> pd.DataFrame:
    """Tidy cells keyed by stripped dimension keys and measure TITLE, in a fixed order."""
    long = bundle.tidy()
    long["measure"] = long["measure"].map(bundle.measures())
    columns = sorted(long.columns)
    return long[columns].sort_values([c for c in columns if c != "value"]).reset_index(drop=True)


def one_line(exc) -> str:
    text = str(exc.value)
    assert "\n" not in text and "Traceback" not in text
    return text


# --------------------------------------------------------------------------- semantics
def test_value_attributes_mean_unknown_never_zero():
    obs = pd.DataFrame({"Value": [5, None, 0, 7, 3, "12"],
                        "ValueAttribute": ["None", "Missing", "None", "Impossible", "Confidential", None]})
    values = known_values(obs)
    assert values.isna().tolist() == [False, True, False, True, True, False]
    assert values[[0, 2, 5]].tolist() == [5.0, 0.0, 12.0] and values.dtype == np.float64


def test_host_and_scheme_from_environment(monkeypatch):
    monkeypatch.delenv("IMPACTMONITOR_CBS4_HOST")
    monkeypatch.delenv("IMPACTMONITOR_CBS4_HTTPS")
    assert cbs4_host() == "datasets.cbs.nl" and cbs4_https() is True
    assert V4Backend().root("84852NED") == "https://datasets.cbs.nl/odata/v1/CBS/84852NED"
    assert cbs4_https("127.0.0.1:8765") is False
    monkeypatch.setenv("IMPACTMONITOR_CBS4_HOST", "mirror.local:80")
    monkeypatch.setenv("IMPACTMONITOR_CBS4_HTTPS", "0")
    assert V4Backend().root("X") == "http://mirror.local:80/odata/v1/CBS/X"


# --------------------------------------------------------------------------- the v4 mirror
def test_mirror_answers_in_the_v4_shape():
    with v4_mirror(tiny_bundle()) as server:
        names = [r["name"] for r in get(server, "99999NED/").json()["value"]]
        props = get(server, "99999NED/Properties").json()
        measures = get(server, "99999NED/MeasureCodes").json()["value"]
        periods = get(server, "99999NED/PeriodenCodes").json()["value"]
        regions = get(server, "99999NED/RegioSCodes").json()["value"]
        obs = get(server, "99999NED/Observations").json()["value"]
        v3_path = requests.get(f"http://{server.address}/ODataApi/odata/99999NED/", timeout=5)
    assert {"Properties", "Dimensions", "MeasureCodes", "Observations", "PeriodenCodes"} <= set(names)
    assert props["Identifier"] == "99999NED" and "OEFENDATA" in props["Description"]
    assert [m["Title"] for m in measures] == ["Ontvangen meldingen", "Aandeel"]
    assert all(m["Identifier"].startswith("M") and m["Identifier"] != "OntvangenMeldingen_1" for m in measures)
    assert [(p["Title"], p["Status"]) for p in periods] == [("1e halfjaar 2021", "Definitief"), ("2e halfjaar 2021", "Voorlopig")]
    assert [r["Identifier"] for r in regions] == ["NL01", "VT22", "GM0479"]
    assert list(obs[0]) == ["Id", "Measure", "Veiligheidsbeoordeling", "RegioS", "Perioden", "Value", "StringValue", "ValueAttribute"]
    assert len(obs) == 24 and sum(o["ValueAttribute"] == "Missing" and o["Value"] is None for o in obs) == 2
    assert v3_path.status_code == 404


def test_mirror_filters_selects_and_pages():
    with v4_mirror(tiny_bundle(), page_size=3) as server:
        page = get(server, "99999NED/Observations", **{
            "$filter": "(RegioS eq 'VT22' or RegioS eq 'GM0479') and Perioden eq '2021HJ01'",
            "$select": "RegioS,Value"}).json()
        pages = [page["value"]]
        while "@odata.nextLink" in page:
            page = requests.get(page["@odata.nextLink"], timeout=5).json()
            pages.append(page["value"])
        window = get(server, "99999NED/Observations", **{"$top": "2", "$skip": "5"}).json()
        bad = get(server, "99999NED/Observations", **{"$filter": "RegioS eq"})
    assert [len(p) for p in pages] == [3, 3, 2]  # 2 regions × 2 categories × 2 measures
    assert {tuple(r) for p in pages for r in p} == {("RegioS", "Value")}
    assert {r["RegioS"] for p in pages for r in p} == {"VT22", "GM0479"}
    assert [r["Id"] for r in window["value"]] == [5, 6] and "@odata.nextLink" not in window
    assert bad.status_code == 400 and "error" in bad.json()


# --------------------------------------------------------------------------- the v4 backend
@pytest.mark.parametrize("unknown", ["attribute", "omit"])
def test_keys_padded_unknown_stays_unknown_provisional_kept(unknown):
    with v4_mirror(tiny_bundle(), unknown=unknown) as server:
        bundle = backend(server).fetch("99999NED", regions=["GM0479"])
    data = bundle.data
    assert set(data["RegioS"]) == {"GM0479"} and len(data) == 4  # absent cells still get their row
    count = bundle.measure_key("Ontvangen meldingen")
    assert data.loc[data["Perioden"] == "2021HJ02", count].isna().all()  # Missing / absent → NaN, never 0
    assert (data.loc[data["Perioden"] == "2021HJ01", bundle.measure_key("Aandeel")] == 0.0).all()  # a true zero
    assert bundle.period_titles() == {"2021HJ01": "1e halfjaar 2021", "2021HJ02": "2e halfjaar 2021*"}
    assert bundle.meta["RegioS"][0]["Key"] == "NL01  " and set(bundle.tidy()["RegioS"]) == {"GM0479"}


def test_absent_cells_get_their_row_as_unknown():
    with v4_mirror(tiny_bundle(), unknown="omit") as server:
        bundle = backend(server).fetch("99999NED", regions=["GM0479"], measures=["Ontvangen meldingen"])
        served = server.rows_served[("99999NED", "Observations")]
    values = bundle.data.set_index(["Veiligheidsbeoordeling", "Perioden"])[bundle.measure_key("Ontvangen meldingen")]
    assert served == 2 and len(values) == 4  # CBS sent 2 cells; the other 2 combinations are unknown
    assert values.isna().tolist() == [False, True, False, True]


def test_provenance_names_the_v4_backend_and_keeps_oefendata_synthetic():
    with v4_mirror(tiny_bundle(synthetic=True), tiny_bundle("88888NED", synthetic=False)) as server:
        b4 = backend(server)
        fake, real = b4.fetch("99999NED", regions=["NL01"]), b4.fetch("88888NED", regions=["NL01"])
    assert fake.provenance["backend"] == "v4" and fake.provenance["host"] == server.address
    assert fake.provenance["synthetic"] is True and real.provenance["synthetic"] is False
    assert fake.provenance["kind"] == "live" and fake.modified == "2025-01-01T02:00:00"
    assert fake.provenance["filter"] == "RegioS eq 'NL01'"


def test_filters_travel_to_the_server_by_key_or_title():
    with v4_mirror(tiny_bundle()) as server:
        bundle = backend(server).fetch("99999NED", regions=["VT22  "], periods=["2021HJ02"],
                                       filters={"Veiligheidsbeoordeling": ["Acuut onveilig"]},
                                       measures=["Ontvangen meldingen"])
        served = server.rows_served[("99999NED", "Observations")]
    assert served == 1 and len(bundle.data) == 1
    assert list(bundle.measures().values()) == ["Ontvangen meldingen"]
    assert bundle.data.iloc[0]["Veiligheidsbeoordeling"] == "A051101"
    assert "Measure eq 'M" in bundle.provenance["filter"]


def test_unknown_category_or_measure_is_a_clear_fault():
    with v4_mirror(tiny_bundle()) as server:
        with pytest.raises(DataFault, match="categorie 'Bestaat niet'"):
            backend(server).fetch("99999NED", filters={"Veiligheidsbeoordeling": ["Bestaat niet"]})
        with pytest.raises(DataFault, match="geen onderwerp 'Inwoners'"):
            backend(server).fetch("99999NED", measures=["Inwoners"])


def test_paging_is_followed():
    with v4_mirror(tiny_bundle(), page_size=5) as server:
        bundle = backend(server).fetch("99999NED")
        pages = [p for p in server.requests if "/Observations" in p]
    assert len(bundle.data) == 12 and len(pages) == 5  # 24 cells in pages of 5


@pytest.mark.parametrize("unknown", ["attribute", "omit"])
def test_v3_and_v4_give_identical_frames_for_the_same_cells(unknown):
    ask = {"regions": ["GM0479", "VT22"], "periods": ["2021HJ01", "2021HJ02"]}
    with mirror_of(tiny_bundle()) as v3, v4_mirror(tiny_bundle(), unknown=unknown) as v4:
        b3 = V3Backend(v3.address, https=False).fetch("99999NED", **ask)
        b4 = backend(v4).fetch("99999NED", **ask)
    pd.testing.assert_frame_equal(cells(b3), cells(b4))
    assert b3.period_titles() == b4.period_titles() and b3.region_titles() == b4.region_titles()
    assert b3.categories("Veiligheidsbeoordeling") == [
        {k: r[k] for k in ("Key", "Title", "Description", "CategoryGroupID")} for r in b4.categories("Veiligheidsbeoordeling")]


@requires_snapshot
def test_v3_and_v4_give_identical_frames_for_the_oefendata():
    ask = {"regions": ["VT22", "NL01", "GM0479"], "periods": ["2021HJ01", "2024HJ02", "2025HJ01"]}
    with mirror_of() as v3, v4_mirror(unknown="omit") as v4:
        for table_id in ("84852NED", "84849NED"):
            b3 = V3Backend(v3.address, https=False).fetch(table_id, **ask)
            b4 = backend(v4).fetch(table_id, **ask)
            pd.testing.assert_frame_equal(cells(b3), cells(b4))
            assert b4.period_titles()["2025HJ01"].endswith("*") and b3.dimensions() == b4.dimensions()


# --------------------------------------------------------------------------- failures
@contextmanager
def faulty_v4(*bundles, faults):
    with faulty_mirror(*bundles, faults=faults) as server:
        server.api = "v4"
        yield server


def test_unknown_table_says_it_does_not_exist():
    with v4_mirror(tiny_bundle()) as server, pytest.raises(NotAvailableError) as exc:
        backend(server).fetch("12345NED")
    assert "bestaat niet (meer)" in one_line(exc)


def test_server_error_is_retried_then_succeeds():
    with faulty_v4(tiny_bundle(), faults=[("/Observations", "500")]) as server:
        bundle = backend(server, backoff=0.01).fetch("99999NED", regions=["NL01"])
        attempts = [p for p in server.requests if "/Observations" in p]
    assert len(bundle.data) == 4 and len(attempts) == 2


@pytest.mark.parametrize("fault, error, words", [
    ("reset", SourceUnavailable, "verbinding verbroken"),
    ("garbled", DataFault, "geen geldige JSON"),
    ("empty", DataFault, "leeg antwoord"),
    ("nodata", DataFault, "geen Observations"),
])
def test_bad_answers_are_one_dutch_line(fault, error, words):
    with faulty_v4(tiny_bundle(), faults=[("99999NED", fault)]) as server, pytest.raises(error) as exc:
        backend(server).fetch("99999NED")
    assert words in one_line(exc)


def test_timeout_is_reported():
    with faulty_v4(tiny_bundle(), faults=[("/Observations", "slow")]) as server:
        with pytest.raises(SourceUnavailable) as exc:
            backend(server, timeout=0.3).fetch("99999NED")
    assert "antwoordt niet binnen 0.3 s" in one_line(exc)


def test_live_source_with_only_v4_caches_what_it_fetched(tmp_path):
    from impactlib.sources.cache import CacheStore

    store = CacheStore(tmp_path)
    with v4_mirror(tiny_bundle()) as server:
        LiveSource([backend(server)], store=store, successors={}).table("99999NED", regions=["VT22"])
    entry = store.entries("99999NED")[0]
    assert entry["backend"] == "v4" and entry["host"] == server.address
    cached = store.load(entry)
    assert cached.measure_key("Ontvangen meldingen").startswith("M") and len(cached.data) == 4


def test_v4_table_rejects_an_unknown_mode():
    with pytest.raises(ValueError):
        V4Table(tiny_bundle(), unknown="zero")


# --------------------------------------------------------------------------- the CLI
@requires_snapshot
def test_mirror_command_serves_the_v4_shape(monkeypatch, capsys):
    from impactlib.cli import main

    answers = []

    def serve_briefly(server):  # instead of serving until Ctrl+C: one request, then stop
        with server:
            url = f"http://{server.address}/odata/v1/CBS/84852NED/MeasureCodes"
            answers.append(requests.get(url, timeout=5).json())

    monkeypatch.setattr(MirrorServer, "serve_forever", serve_briefly)
    code = main(["mirror", "--api", "v4", "--port", "0"])
    banner = capsys.readouterr().out
    assert code == 0 and "Mirror (OData v4)" in banner and "/odata/v1/CBS/" in banner and "OEFENDATA" in banner
    assert "IMPACTMONITOR_CBS4_HOST=127.0.0.1:" in banner
    assert answers[0]["value"][0]["Title"] == "Ontvangen meldingen"
