"""Shared helpers for the live-data tests: a tiny CBS table, mirrors and faulty servers on 127.0.0.1.

Import the fixtures into a test module (``from mirror_fixtures import *``); the autouse
fixture :func:`offline` makes sure no test reaches beyond this machine and that settings
and the cache folder are private to each test, and :func:`notes_on_stderr` prints the
library's notes as the CLI does, so a test reads them on stderr where a user does.
"""

from __future__ import annotations

import io
import json
import socket
import struct
import threading
import time
from contextlib import contextmanager

import cbsodata
import numpy as np
import pandas as pd
import pytest

from impactlib import settings
from impactlib.notes import printed_notes
from impactlib.mirror import MirrorServer, shelf_from_bundles
from impactlib.sources.chooser import forget_sources
from impactlib.sources.snapshot import bundled_snapshot_dir
from impactlib.tables import TableBundle

__all__ = [
    "offline", "notes_on_stderr", "tiny_bundle", "mirror_of", "faulty_mirror", "free_port", "requires_snapshot",
    "snapshot_bundle", "plain_cbsodata",
]

requires_snapshot = pytest.mark.skipif(
    not (bundled_snapshot_dir() / "manifest.json").exists(), reason="oefendata snapshot not generated yet"
)


@pytest.fixture()
def plain_cbsodata():
    """cbsodata pointed at a local mirror over http, restored afterwards."""
    old = (cbsodata.options.catalog_url, cbsodata.options.use_https)
    cbsodata.options.use_https = False
    yield cbsodata
    cbsodata.options.catalog_url, cbsodata.options.use_https = old


def free_port() -> int:
    """A port nobody listens on (bound, read, released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    """Live hosts (v3 and v4) = closed local ports; fresh settings; a private cache dir."""
    monkeypatch.setenv("IMPACTMONITOR_CBS_HOST", f"127.0.0.1:{free_port()}")
    monkeypatch.setenv("IMPACTMONITOR_CBS_HTTPS", "0")
    monkeypatch.setenv("IMPACTMONITOR_CBS4_HOST", f"127.0.0.1:{free_port()}")
    monkeypatch.setenv("IMPACTMONITOR_CBS4_HTTPS", "0")
    monkeypatch.setenv("IMPACTMONITOR_CACHE_DIR", str(tmp_path / "user-cache"))
    for name in ("IMPACTMONITOR_SOURCE", "IMPACTMONITOR_SNAPSHOT", "IMPACTMONITOR_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(settings, "_current", None)
    forget_sources()
    yield
    forget_sources()


@pytest.fixture(autouse=True)
def notes_on_stderr():
    """The library's notes (warnings on the ``impactmonitor`` loggers) as the CLI prints them:
    ``impactmonitor: <text>`` on stderr."""
    with printed_notes():
        yield


def tiny_bundle(table_id: str = "99999NED", *, synthetic: bool = True, modified: str = "2025-01-01T02:00:00",
                measure_key: str = "OntvangenMeldingen_1", periods=("2021HJ01", "2021HJ02"), offset: float = 0.0) -> TableBundle:
    """A hand-made CBS table: 2 categories × 3 regions × periods, one count and one share.

    ``2021HJ02`` is provisional by ``Status`` only (its title has no ``*``); one cell is
    unknown (NaN) and one is a true 0.
    """
    titles = {"2021HJ01": "1e halfjaar 2021", "2021HJ02": "2e halfjaar 2021", "2022HJ01": "1e halfjaar 2022"}
    meta = {
        "TableInfos": [{"ID": 1, "Identifier": table_id, "Title": "Testtabel huiselijk geweld",
                        "Modified": modified, "Description": "Een kleine testtabel."}],
        "DataProperties": [
            {"ID": 0, "Position": 0, "ParentID": None, "Type": "Dimension", "Key": "Veiligheidsbeoordeling",
             "Title": "Veiligheidsbeoordeling"},
            {"ID": 1, "Position": 1, "ParentID": None, "Type": "GeoDimension", "Key": "RegioS", "Title": "Regio's"},
            {"ID": 2, "Position": 2, "ParentID": None, "Type": "TimeDimension", "Key": "Perioden", "Title": "Perioden"},
            {"ID": 3, "Position": 3, "ParentID": None, "Type": "Topic", "Key": measure_key,
             "Title": "Ontvangen meldingen", "Datatype": "Long", "Unit": "aantal", "Decimals": 0},
            {"ID": 4, "Position": 4, "ParentID": None, "Type": "Topic", "Key": "Aandeel_2",
             "Title": "Aandeel", "Datatype": "Double", "Unit": "%", "Decimals": 1},
        ],
        "CategoryGroups": [],
        "Veiligheidsbeoordeling": [
            {"Key": "T001101", "Title": "Totaal", "Description": "", "CategoryGroupID": None},
            {"Key": "A051101", "Title": "Acuut onveilig", "Description": "", "CategoryGroupID": None},
        ],
        "RegioS": [
            {"Key": "NL01  ", "Title": "Nederland", "Description": "", "CategoryGroupID": None},
            {"Key": "VT22  ", "Title": "Zaanstreek-Waterland (VT)", "Description": "", "CategoryGroupID": None},
            {"Key": "GM0479", "Title": "Zaanstad", "Description": "", "CategoryGroupID": None},
        ],
        "Perioden": [
            {"Key": p, "Title": titles[p], "Description": "", "Status": "Voorlopig" if p != "2021HJ01" else "Definitief"}
            for p in periods
        ],
    }
    rows = []
    for cat in ("T001101", "A051101"):
        for i, reg in enumerate(("NL01  ", "VT22  ", "GM0479")):
            for j, per in enumerate(periods):
                count = 1000.0 * (3 - i) + 10 * j + (5 if cat == "A051101" else 0) + offset
                rows.append({"Veiligheidsbeoordeling": cat, "RegioS": reg, "Perioden": per,
                             measure_key: count, "Aandeel_2": round(12.34 + i + j / 10, 1)})
    data = pd.DataFrame(rows)
    data.insert(0, "ID", range(len(data)))
    data.loc[(data.RegioS == "GM0479") & (data.Perioden == periods[-1]), measure_key] = np.nan
    data.loc[(data.RegioS == "GM0479") & (data.Perioden == periods[0]), "Aandeel_2"] = 0.0
    prov = {"kind": "snapshot", "synthetic": synthetic, "name": "test"}
    return TableBundle(table_id, meta, data, prov)


def snapshot_bundle(table_id: str) -> TableBundle:
    from impactlib.sources.snapshot import SnapshotSource

    return SnapshotSource().table(table_id)


@contextmanager
def mirror_of(*bundles: TableBundle, page_size: int = 10_000):
    """A running mirror serving ``bundles`` (or the bundled snapshot when none are given)."""
    from impactlib.mirror import shelf_from_snapshot

    shelf = shelf_from_bundles(list(bundles)) if bundles else shelf_from_snapshot()
    with MirrorServer(shelf, page_size=page_size) as server:
        yield server


@contextmanager
def faulty_mirror(*bundles: TableBundle, faults: list[tuple[str, str]], page_size: int = 10_000):
    """A mirror that first answers matching requests wrongly.

    ``faults`` is a list of ``(path fragment, action)``; each is used once, by the first
    request whose path contains the fragment. Actions: ``'500'``, ``'404'``, ``'garbled'``,
    ``'empty'``, ``'reset'`` (TCP reset), ``'slow'`` (answer after 2 s), ``'nodata'``
    (a service document without data sets).
    """
    with mirror_of(*bundles, page_size=page_size) as server:
        base = server.httpd.RequestHandlerClass
        pending = list(faults)
        lock = threading.Lock()

        class Faulty(base):
            def do_GET(self):  # noqa: N802
                with lock:
                    hit = next((f for f in pending if f[0] in self.path), None)
                    if hit:
                        pending.remove(hit)
                if hit is None:
                    return super().do_GET()
                server.record(self.path)
                action = hit[1]
                if action == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.wfile, self.rfile = io.BytesIO(), io.BytesIO()
                    self.close_connection = True
                    return None
                if action == "slow":
                    time.sleep(2.0)
                    return super().do_GET()
                status, body = {
                    "500": (500, b'{"odata.error": {"message": {"value": "Internal"}}}'),
                    "404": (404, b'{"odata.error": {"message": {"value": "Not found"}}}'),
                    "garbled": (200, b'{"odata.metadata": "x", "value": [{"Key": '),
                    "empty": (200, b""),
                    "nodata": (200, json.dumps({"value": [{"name": "TableInfos", "url": "x"}]}).encode()),
                }[action]
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return None

        server.httpd.RequestHandlerClass = Faulty
        server.pending_faults = pending
        yield server
