"""The local OData v3 mirror: $filter parsing, CBS-shaped answers, paging, and plain cbsodata."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest
import requests
from mirror_fixtures import *  # noqa: F403 - fixtures and helpers
from mirror_fixtures import free_port, mirror_of, requires_snapshot, snapshot_bundle, tiny_bundle

from impactlib.mirror.odata import ODataError, QueryOptions, compile_filter, parse_select
from impactlib.sources.common import PROVENANCE_SET, SYNTHETIC_MARKER

FRAME = pd.DataFrame({
    "RegioS": ["NL01  ", "VT22  ", "GM0479", "VT02  "],
    "Perioden": ["2021HJ01", "2021HJ01", "2021HJ02", "2021HJ02"],
    "Waarde": [10.0, None, 0.0, 7.5],
})


def rows(expr: str) -> list[str]:
    return FRAME[compile_filter(expr)(FRAME)]["RegioS"].tolist()


def get(server, path: str, **params) -> requests.Response:
    return requests.get(f"http://{server.address}{path}", params=params, timeout=5)


# --------------------------------------------------------------------------- $filter
def test_filter_eq_and_or_with_parentheses():
    assert rows("RegioS eq 'VT22  '") == ["VT22  "]
    assert rows("(RegioS eq 'NL01  ' or RegioS eq 'VT02  ') and Perioden eq '2021HJ02'") == ["VT02  "]
    assert rows("RegioS eq 'NL01  ' or RegioS eq 'VT02  ' and Perioden eq '2021HJ01'") == ["NL01  "]


def test_filter_keys_compare_exactly_like_cbs():
    assert rows("RegioS eq 'NL01'") == []  # CBS pads region keys; unpadded finds nothing


def test_filter_functions_not_and_numbers():
    assert rows("substringof('VT', RegioS)") == ["VT22  ", "VT02  "]
    assert rows("startswith(RegioS, 'GM')") == ["GM0479"]
    assert rows("not substringof('VT', RegioS)") == ["NL01  ", "GM0479"]
    assert rows("Waarde eq 0") == ["GM0479"]  # a true zero is not unknown
    assert rows("Waarde eq null") == ["VT22  "]
    assert rows("Waarde gt 5 and RegioS ne 'NL01  '") == ["VT02  "]


def test_filter_quotes_can_be_doubled():
    frame = pd.DataFrame({"T": ["'s-Hertogenbosch", "Tilburg"]})
    assert compile_filter("T eq '''s-Hertogenbosch'")(frame).tolist() == [True, False]


@pytest.mark.parametrize("bad", ["RegioS eq", "(RegioS eq 'x'", "Onbekend eq 'x'", "RegioS like 'x'",
                                 "RegioS eq 'x' extra", "'x' eq 'y'", "RegioS eq 'x' $ 1"])
def test_bad_filters_raise(bad):
    with pytest.raises(ODataError):
        compile_filter(bad)(FRAME)


def test_select_top_skip_and_skiptoken():
    assert parse_select("Perioden, RegioS", list(FRAME.columns)) == ["Perioden", "RegioS"]
    with pytest.raises(ODataError):
        parse_select("Nope", list(FRAME.columns))
    page, token = QueryOptions.from_params({"$top": "3", "$skip": "1"}).apply(FRAME, page_size=2)
    assert page["RegioS"].tolist() == ["VT22  ", "GM0479"] and token == 2
    page, token = QueryOptions.from_params({"$top": "3", "$skip": "1", "$skiptoken": "2"}).apply(FRAME, 2)
    assert page["RegioS"].tolist() == ["VT02  "] and token is None
    with pytest.raises(ODataError):
        QueryOptions.from_params({"$format": "atom"})


# --------------------------------------------------------------------------- answers
@pytest.mark.parametrize("api", ["ODataApi", "ODataFeed"])
def test_service_document_lists_cbs_entity_sets(api):
    with mirror_of(tiny_bundle()) as server:
        doc = get(server, f"/{api}/odata/99999NED/", **{"$format": "json"}).json()
    names = [v["name"] for v in doc["value"]]
    assert names[:5] == ["TableInfos", "UntypedDataSet", "TypedDataSet", "DataProperties", "CategoryGroups"]
    assert {"Veiligheidsbeoordeling", "RegioS", "Perioden", PROVENANCE_SET} <= set(names)
    assert doc["odata.metadata"].endswith(f"/{api}/odata/99999NED/$metadata")
    assert doc["value"][2]["url"].startswith(f"http://{server.address}/{api}/odata/99999NED/")


def test_typed_and_untyped_data_sets_as_cbs_sends_them():
    with mirror_of(tiny_bundle()) as server:
        flt = "RegioS eq 'GM0479'"
        typed = get(server, "/ODataApi/odata/99999NED/TypedDataSet", **{"$filter": flt}).json()
        untyped = get(server, "/ODataApi/odata/99999NED/UntypedDataSet", **{"$filter": flt}).json()
    assert typed["odata.metadata"].endswith("#Cbs.OData.WebAPI.TypedDataSet")
    first, last = typed["value"][0], typed["value"][1]
    assert first["RegioS"] == "GM0479" and isinstance(first["OntvangenMeldingen_1"], int)
    assert last["OntvangenMeldingen_1"] is None  # unknown is null, not 0
    assert first["Aandeel_2"] == 0.0
    assert untyped["value"][1]["OntvangenMeldingen_1"] == "."
    assert untyped["value"][0]["OntvangenMeldingen_1"] == "1000" and untyped["value"][0]["Aandeel_2"] == "0.0"


def test_region_keys_stay_padded_and_select_limits_columns():
    with mirror_of(tiny_bundle()) as server:
        body = get(server, "/ODataFeed/odata/99999NED/TypedDataSet",
                   **{"$select": "RegioS,Perioden", "$filter": "Perioden eq '2021HJ01'", "$top": "3"}).json()
    assert [r["RegioS"] for r in body["value"]] == ["NL01  ", "VT22  ", "GM0479"]
    assert set(body["value"][0]) == {"RegioS", "Perioden"}


def test_paging_with_next_link_keeps_the_filter():
    with mirror_of(tiny_bundle(), page_size=2) as server:
        body = get(server, "/ODataFeed/odata/99999NED/TypedDataSet", **{"$filter": "Veiligheidsbeoordeling eq 'A051101'"}).json()
        assert len(body["value"]) == 2 and "odata.nextLink" in body
        collected = list(body["value"])
        while "odata.nextLink" in body:
            body = requests.get(body["odata.nextLink"], timeout=5).json()
            collected += body["value"]
    assert len(collected) == 6 and {r["Veiligheidsbeoordeling"] for r in collected} == {"A051101"}
    assert [r["ID"] for r in collected] == sorted(r["ID"] for r in collected)


def test_errors_come_as_odata_errors():
    with mirror_of(tiny_bundle()) as server:
        missing = get(server, "/ODataApi/odata/00000NED/")
        bad = get(server, "/ODataApi/odata/99999NED/TypedDataSet", **{"$filter": "RegioS eq"})
        unknown_set = get(server, "/ODataApi/odata/99999NED/Bestaatniet")
    assert missing.status_code == 404 and "odata.error" in missing.json()
    assert bad.status_code == 400 and "$filter" in bad.json()["odata.error"]["message"]["value"]
    assert unknown_set.status_code == 404


def test_synthetic_data_is_marked_in_table_infos_and_provenance_set():
    with mirror_of(tiny_bundle(synthetic=True), tiny_bundle("88888NED", synthetic=False)) as server:
        fake = get(server, "/ODataApi/odata/99999NED/TableInfos").json()["value"][0]
        real = get(server, "/ODataApi/odata/88888NED/TableInfos").json()["value"][0]
        prov = get(server, f"/ODataApi/odata/99999NED/{PROVENANCE_SET}").json()["value"]
    assert SYNTHETIC_MARKER in fake["Description"] and SYNTHETIC_MARKER not in real["Description"]
    assert {"Key": "synthetic", "Title": "true", "Description": ""} in prov


# --------------------------------------------------------------------------- plain cbsodata
def test_plain_cbsodata_get_data_follows_paging_and_titles(plain_cbsodata):
    with mirror_of(tiny_bundle(), page_size=4) as server:
        data = plain_cbsodata.get_data("99999NED", catalog_url=server.address,
                                       filters="RegioS eq 'VT22  ' or RegioS eq 'NL01  '")
        tables = plain_cbsodata.get_table_list(catalog_url=server.address)
    assert len(data) == 8  # 2 categories × 2 regions × 2 periods, over two pages
    assert {r["RegioS"] for r in data} == {"Nederland", "Zaanstreek-Waterland (VT)"}
    assert [t["Identifier"] for t in tables] == ["99999NED"]


@requires_snapshot
def test_plain_cbsodata_on_the_oefendata_snapshot(plain_cbsodata):
    with mirror_of() as server:
        data = plain_cbsodata.get_data("84852NED", catalog_url=server.address,
                                       filters="RegioS eq 'VT22  ' and Perioden eq '2021HJ01'")
        served = server.rows_served[("84852NED", "TypedDataSet")]
    expected = snapshot_bundle("84852NED").select(regions=["VT22"], periods=["2021HJ01"]).data
    assert len(data) == len(expected) == served > 0
    assert {r["Perioden"] for r in data} == {"1e halfjaar 2021"}


@requires_snapshot
def test_mirror_command_serves_cbsodata(plain_cbsodata, tmp_path):
    """Done-when: `impactmonitor mirror --port P` answers plain cbsodata.get_data."""
    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "impactlib", "mirror", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        first = proc.stdout.readline()
        assert f"127.0.0.1:{port}" in first and "OEFENDATA" in first
        plain_cbsodata.options.catalog_url = f"127.0.0.1:{port}"
        data = plain_cbsodata.get_data("84852NED", filters="RegioS eq 'VT22  ' and Perioden eq '2021HJ01'")
        assert len(data) == 36 and all(r["RegioS"] == "Zaanstreek-Waterland (VT)" for r in data)
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def test_mirror_command_reports_a_busy_port(capsys):
    from impactlib.cli import main

    with mirror_of(tiny_bundle()) as server:
        code = main(["mirror", "--port", str(server.port)])
    err = capsys.readouterr().err
    assert code == 1 and "kies een andere poort" in err and err.count("\n") == 1


def test_mirror_of_an_empty_cache_is_a_user_error(tmp_path, capsys):
    from impactlib.cli import main

    code = main(["mirror", "--source", "cache", "--cache-dir", str(tmp_path / "leeg"), "--port", "0"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "is leeg; vul hem eerst met 'impactmonitor fetch'" in err
