"""`--backend auto`: OData v3, then v4, then the cache, then the snapshot — one stderr line each.

Every server here listens on 127.0.0.1: a v3 "CBS" that resets or ignores connections, v3
and v4 mirrors, and closed ports (the autouse ``offline`` fixture points both live hosts at
closed ports unless a test says otherwise).
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading

import pytest
from mirror_fixtures import *  # noqa: F403 - fixtures and helpers
from mirror_fixtures import mirror_of, requires_snapshot, tiny_bundle

from impactlib import query, settings
from impactlib.cli import main
from impactlib.errors import NotAvailableError, SourceUnavailable, UserInputError
from impactlib.mirror import MirrorServer, shelf_from_bundles, shelf_from_snapshot
from impactlib.sources import get_source
from impactlib.sources.cache import CacheStore
from impactlib.sources.live import LiveSource, default_backends
from impactlib.sources.v3 import V3Backend
from impactlib.sources.v4 import V4Backend


class BrokenCBS:
    """A TCP server on 127.0.0.1 that resets every connection (``'reset'``) or accepts and
    never answers (``'silent'``), as the v3 servers did in February 2026."""

    def __init__(self, mode: str):
        self.mode = mode
        self.connections = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            if self.mode == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
            else:
                self._held.append(conn)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        for conn in self._held:
            conn.close()
        self.sock.close()


@contextlib.contextmanager
def v4_mirror(*bundles, page_size: int = 10_000):
    shelf = shelf_from_bundles(list(bundles)) if bundles else shelf_from_snapshot()
    with MirrorServer(shelf, api="v4", page_size=page_size) as server:
        yield server


def point(monkeypatch, v3=None, v4=None) -> None:
    """Aim the live hosts at local servers (``None``: leave the closed port)."""
    if v3 is not None:
        monkeypatch.setenv("IMPACTMONITOR_CBS_HOST", v3.address)
    if v4 is not None:
        monkeypatch.setenv("IMPACTMONITOR_CBS4_HOST", v4.address)


def lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.strip()]


# --------------------------------------------------------------------------- live: v3 → v4
def test_auto_falls_through_a_resetting_v3_to_v4(monkeypatch, capsys):
    with BrokenCBS("reset") as v3, v4_mirror(tiny_bundle(), tiny_bundle("88888NED")) as v4:
        point(monkeypatch, v3, v4)
        live = LiveSource(default_backends("auto"), successors={})
        first = live.table("99999NED", regions=["VT22"])
        second = live.table("88888NED", regions=["NL01"])
    assert first.provenance["backend"] == "v4" and first.provenance["host"] == v4.address
    assert second.provenance["backend"] == "v4"
    assert v3.connections == 1  # one quick attempt, no retries, and not asked again for the next table
    err = lines(capsys.readouterr().err)
    assert len(err) == 1
    assert f"OData v3 ({v3.address}) niet gebruikt" in err[0] and "verbinding verbroken" in err[0]
    assert f"gebruikt: OData v4 ({v4.address})" in err[0]
    assert live.describe()["backend"] == "v4"


def test_a_silent_v3_costs_only_the_short_first_contact_timeout(monkeypatch, capsys):
    with BrokenCBS("silent") as v3, v4_mirror(tiny_bundle()) as v4:
        backends = [V3Backend(v3.address, https=False, timeout=60), V4Backend(v4.address, https=False)]
        bundle = LiveSource(backends, successors={}, probe_timeout=0.3).table("99999NED", regions=["NL01"])
    assert bundle.provenance["backend"] == "v4" and v3.connections == 1
    assert "antwoordt niet binnen 0.3 s" in capsys.readouterr().err  # not the 60 s of a data request


def test_a_table_missing_in_v3_comes_from_v4_and_v3_stays_in_use(capsys):
    with mirror_of(tiny_bundle("11111NED")) as v3, v4_mirror(tiny_bundle("22222NED")) as v4:
        live = LiveSource([V3Backend(v3.address, https=False), V4Backend(v4.address, https=False)], successors={})
        only_v4 = live.table("22222NED", regions=["NL01"])
        in_v3 = live.table("11111NED", regions=["NL01"])
    assert only_v4.provenance["backend"] == "v4" and in_v3.provenance["backend"] == "v3"
    err = lines(capsys.readouterr().err)
    assert len(err) == 1 and "bestaat niet (meer)" in err[0] and "22222NED" in err[0]


def test_a_table_in_neither_interface_is_not_available_rather_than_offline():
    with mirror_of(tiny_bundle()) as v3, v4_mirror(tiny_bundle()) as v4:
        live = LiveSource([V3Backend(v3.address, https=False), V4Backend(v4.address, https=False)], successors={})
        with pytest.raises(NotAvailableError) as exc:
            live.table("00000NED")
    text = str(exc.value)
    assert text.startswith("v3: ") and ", v4: " in text and "\n" not in text


def test_backend_v3_does_not_try_v4(monkeypatch):
    with BrokenCBS("reset") as v3, v4_mirror(tiny_bundle()) as v4:
        point(monkeypatch, v3, v4)
        with pytest.raises(SourceUnavailable, match="verbinding verbroken"):
            LiveSource(default_backends("v3"), successors={}).table("99999NED")
        assert v4.requests == []


def test_backend_setting_is_checked():
    with pytest.raises(UserInputError, match="Kies uit: auto, v3, v4"):
        settings.configure(backend="v5")
    assert settings.configure(backend="V4").backend == "v4"


# --------------------------------------------------------------------------- auto source: → cache → snapshot
@requires_snapshot
def test_auto_source_uses_v4_when_v3_resets(monkeypatch, capsys):
    with BrokenCBS("reset") as v3, v4_mirror() as v4:
        point(monkeypatch, v3, v4)
        frame = query.get_indicator("meldingen_acuut_structureel_pct", "Zaanstreek-Waterland", "2021HJ01", source="auto")
    prov = query.provenance(frame)
    assert round(frame["value"].iloc[0], 1) == 55.6
    assert prov["kind"] == "live" and prov["backend"] == "v4" and prov["via"] == "auto"
    err = lines(capsys.readouterr().err)
    assert len(err) == 2 and "OData v3" in err[0] and "verbinding verbroken" in err[0]
    assert err[1] == f"impactmonitor: Bron: CBS live (OData v4, {v4.address})."


def test_auto_source_goes_on_to_the_cache_then_the_snapshot(monkeypatch, tmp_path, capsys):
    store = CacheStore(settings.current().cache_path)
    with mirror_of(tiny_bundle()) as v3:  # fill the cache once, while "CBS" still answers
        LiveSource([V3Backend(v3.address, https=False)], store=store, successors={}).table("99999NED")
    with BrokenCBS("reset") as v3:
        point(monkeypatch, v3)  # v4 stays a closed port
        source = get_source("auto")
        cached = source.table("99999NED", regions=["VT22"])
        with pytest.raises(NotAvailableError):  # in neither the cache nor the snapshot
            source.table("77777NED")
    assert cached.provenance["kind"] == "cache" and "v3:" in cached.provenance["fallback"]
    err = lines(capsys.readouterr().err)
    assert len(err) == 1 and "CBS niet gebruikt: v3: " in err[0] and ", v4: " in err[0]
    assert "verbinding verbroken" in err[0] and "verbinding geweigerd" in err[0] and "Cijfers uit de cache" in err[0]


@requires_snapshot
def test_auto_source_ends_at_the_snapshot(monkeypatch, capsys):
    with BrokenCBS("reset") as v3:
        point(monkeypatch, v3)
        bundle = get_source("auto").table("84852NED", regions=["VT22"])
    assert bundle.provenance["kind"] == "snapshot" and bundle.provenance["synthetic"] is True
    err = lines(capsys.readouterr().err)
    assert len(err) == 1 and "Geen live- of cachecijfers" in err[0] and "OEFENDATA" in err[0]


# --------------------------------------------------------------------------- done-when
@requires_snapshot
def test_fetch_through_v4_then_show_from_the_cache(monkeypatch, tmp_path, capsys):
    """`impactmonitor fetch` with v3 resetting and a v4 mirror, then `show --source cache`."""
    with BrokenCBS("reset") as v3, v4_mirror(page_size=100_000) as v4:  # paging: see test_v4.py
        point(monkeypatch, v3, v4)
        code = main(["fetch", "--cache-dir", str(tmp_path), "--json"])
    out = capsys.readouterr()
    report = json.loads(out.out)
    assert code == 0 and {t["status"] for t in report["tables"]} == {"opgehaald"}
    assert report["host"] == v4.address and v3.connections == 1
    assert lines(out.err)[0].startswith(f"impactmonitor: OData v3 ({v3.address}) niet gebruikt")
    assert {e["backend"] for e in CacheStore(tmp_path).entries()} == {"v4"}

    code = main(["show", "meldingen_acuut_structureel_pct", "--region", "Zaanstreek-Waterland", "--period", "2021HJ01",
                 "--source", "cache", "--cache-dir", str(tmp_path), "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0 and payload["value"] == 55.6
    assert payload["source"]["kind"] == "cache" and payload["source"]["backend"] == "v4"
    assert payload["source"]["host"] == v4.address and payload["source"]["synthetic"] is True
