"""The room's own CBS: both PyPI clients, unmocked, against ``impactmonitor mirror``.

``cbsodata`` (OData v3) reads the v3 mirror, ``cbsodata4`` (OData v4) the v4 mirror, which
serves the catalogue ``/odata/v1/Datasets`` that ``cbsodata4.get_observations`` looks the table
up in. The command is started with ``--bind 0.0.0.0`` and reached at 127.0.0.2, another
loopback address: it serves beyond 127.0.0.1 without any traffic leaving this machine.
"""

import os
import subprocess
import sys

import pandas as pd
import pytest
import requests

from impactlib import regions
from impactlib.mirror import MirrorServer, shelf_from_snapshot
from mirror_fixtures import free_port, plain_cbsodata, requires_snapshot, snapshot_bundle  # noqa: F401 - fixture
from serving import wait_until_serving

cbsodata = pytest.importorskip("cbsodata")
cbsodata4 = pytest.importorskip("cbsodata4", reason="cbsodata4 ontbreekt; installeer met pip install -e '.[test]'")

TABLE = "84852NED"
PERIOD = "2021HJ01"
pytestmark = requires_snapshot


def _key(name: str) -> str:
    return regions.resolve(name).region.key


def _expected(name: str) -> pd.DataFrame:
    return snapshot_bundle(TABLE).select(regions=[_key(name)], periods=[PERIOD]).data


def _reachable(url: str, process) -> None:
    """Any answer will do: the mirror is up (a slow first answer on a busy machine is retried)."""
    wait_until_serving(url, process, what="impactmonitor mirror", timeout=20, answer_timeout=1, pause=0.2,
                       any_status=True)


def _mirror_command(api: str, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "impactlib", "mirror", "--api", api, "--bind", "0.0.0.0", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()


def test_v4_catalogue_lists_every_table_with_the_fields_cbsodata4_reads():
    with MirrorServer(shelf_from_snapshot(), api="v4") as server:
        answer = requests.get(f"http://{server.address}/odata/v1/Datasets", timeout=5)
        one = requests.get(f"http://{server.address}/odata/v1/Datasets",
                           params={"$filter": f"Identifier eq '{TABLE}'"}, timeout=5).json()["value"]
        ids = set(server.shelf.ids.values())
    assert answer.status_code == 200
    rows = answer.json()["value"]
    assert {r["Identifier"] for r in rows} == ids
    assert all(r["Catalog"] == "CBS" and r["Title"] and r["Modified"] for r in rows)
    assert [r["Identifier"] for r in one] == [TABLE]
    # the client's own reading of it: dates parsed, filtered on the catalogue
    with MirrorServer(shelf_from_snapshot(), api="v4") as server:
        toc = cbsodata4.get_datasets(base_url=f"http://{server.address}/odata/v1")
    assert TABLE in set(toc["Identifier"]) and toc["Modified"].notna().all()


def test_cbsodata4_get_observations_returns_the_mirrors_rows(tmp_path):
    name = "Zaanstreek-Waterland"
    with MirrorServer(shelf_from_snapshot(), api="v4") as server:
        base = f"http://{server.address}/odata/v1"
        obs = cbsodata4.get_observations(TABLE, base_url=base, download_dir=tmp_path / "obs",
                                         RegioS=_key(name), Perioden=PERIOD)
        served = server.rows_served[(TABLE, "Observations")]
        table = server.v4_table(TABLE)
    expected = _expected(name)
    measures = [m for m in table.measures]
    assert len(obs) == served == len(expected) * len(measures) > 0
    assert set(obs["RegioS"]) == {_key(name)} and set(obs["Perioden"]) == {PERIOD}
    assert obs.attrs["meta"].identifier == TABLE
    # every served value is the mirror's own cell: compare one measure cell by cell
    measure = measures[0]
    mine = obs[obs["Measure"] == table.codes[measure]]
    dims = [d for d in table.dims if d not in ("RegioS", "Perioden")]
    theirs = expected.assign(**{d: expected[d].astype(str).str.strip() for d in dims})
    merged = mine.merge(theirs[dims + [measure]], on=dims)
    assert len(merged) == len(expected)
    assert (merged["Value"].astype(float).fillna(-1) == merged[measure].astype(float).fillna(-1)).all()


def test_cbsodata_get_data_with_filters_returns_the_mirrors_rows(plain_cbsodata):
    name = "Zaanstreek-Waterland"
    key = f"{_key(name):<6}"
    with MirrorServer(shelf_from_snapshot()) as server:
        data = plain_cbsodata.get_data(TABLE, catalog_url=server.address,
                                       filters=f"RegioS eq '{key}' and Perioden eq '{PERIOD}'")
        served = server.rows_served[(TABLE, "TypedDataSet")]
    assert len(data) == len(_expected(name)) == served > 0
    assert {r["Perioden"] for r in data} == {"1e halfjaar 2021"}
    assert all(name in r["RegioS"] for r in data)


def test_mirror_command_bound_to_all_addresses_serves_both_clients_at_another_loopback(plain_cbsodata, tmp_path):
    name = "Drenthe"
    port_v3, port_v4 = free_port(), free_port()
    v3, v4 = _mirror_command("v3", port_v3), _mirror_command("v4", port_v4)
    try:
        assert "0.0.0.0" in v3.stdout.readline() and "0.0.0.0" in v4.stdout.readline()
        _reachable(f"http://127.0.0.2:{port_v3}/ODataCatalog/Tables", v3)
        _reachable(f"http://127.0.0.2:{port_v4}/odata/v1/Datasets", v4)
        rows = plain_cbsodata.get_data(TABLE, catalog_url=f"127.0.0.2:{port_v3}",
                                       filters=f"RegioS eq '{_key(name):<6}' and Perioden eq '{PERIOD}'")
        obs = cbsodata4.get_observations(TABLE, base_url=f"http://127.0.0.2:{port_v4}/odata/v1",
                                         download_dir=tmp_path / "room", RegioS=_key(name), Perioden=PERIOD)
    finally:
        _stop(v3)
        _stop(v4)
    assert len(rows) == len(_expected(name)) > 0
    assert len(obs) > 0 and set(obs["RegioS"]) == {_key(name)}
