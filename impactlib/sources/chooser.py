"""Build the source a user asked for: ``live``, ``cache`` or ``auto`` (``snapshot`` lives in
:mod:`impactlib.sources`).

- ``live``: CBS itself (host: the ``cbs_host`` setting, ``IMPACTMONITOR_CBS_HOST``); what is fetched is also
  written to the cache, so the next offline session has it.
- ``cache``: only what ``impactmonitor fetch`` (or earlier live use) stored, offline: a
  damaged file or manifest is an error that says to run ``impactmonitor fetch`` (which
  repairs it); the network is never used.
- ``auto``: live with a short timeout — OData v3, then v4 under ``--backend auto`` — then the
  cache, then the bundled oefendata; one note (a warning on the ``impactmonitor.sources.auto``
  logger, printed by the CLI) for each step that failed and for the one it used, and the provenance records it (``backend``, ``via``, ``fallback``).
"""

from __future__ import annotations

import logging

from .. import settings
from ..errors import ImpactError, NotAvailableError, SourceUnavailable
from ..tables import TableBundle
from .cache import CacheSource, CacheStore, age_text
from .common import FIRST_CONTACT_TIMEOUT, gist
from .live import LiveSource, default_backends
from .snapshot import SnapshotSource
from ..wording import OEFENDATA_LABEL

__all__ = ["build_source", "forget_sources", "AutoSource", "PROBE_TIMEOUT"]

#: Seconds ``auto`` waits for CBS (each backend) before it turns to the next one or the cache.
PROBE_TIMEOUT = FIRST_CONTACT_TIMEOUT

_built: dict[tuple, object] = {}
log = logging.getLogger("impactmonitor.sources.auto")


def build_source(kind: str):
    """The source for ``kind`` (``live``, ``cache`` or ``auto``) under the current settings.

    One instance per kind, settings and CBS host for the whole process, so what it fetched,
    found unreachable or already said is remembered across calls; :func:`forget_sources`
    starts afresh (e.g. in a long notebook session once the network is back).
    """
    key = (kind, settings.current())  # the settings include the CBS hosts and schemes
    if key not in _built:
        _built[key] = _new_source(kind)
    return _built[key]


def forget_sources() -> None:
    _built.clear()


def _new_source(kind: str):
    s = settings.current()
    store = CacheStore(s.cache_path)
    if kind == "live":
        return LiveSource(default_backends(s.backend), store=store)
    if kind == "cache":
        return CacheSource(store)  # cache means offline: damage is reported, never repaired over the network
    if kind == "auto":
        return AutoSource(
            lambda: LiveSource(default_backends(s.backend), store=store),
            CacheSource(store, announce=False),
            SnapshotSource(s.snapshot),
        )
    raise ValueError(f"unknown source kind {kind!r}")


class AutoSource:
    """Live if CBS answers quickly, else the cache, else the snapshot — per table, with a note."""

    kind = "auto"

    def __init__(self, live_factory, cache: CacheSource, snapshot: SnapshotSource, *,
                 probe_timeout: float = PROBE_TIMEOUT):
        self._live_factory = live_factory
        self._live: LiveSource | None = None
        self.cache = cache
        self.snapshot = snapshot
        self.probe_timeout = probe_timeout
        self.offline_reason: str | None = None  # set once CBS failed to answer
        self._probed = False
        self._said: set[str] = set()

    def live(self) -> LiveSource:
        if self._live is None:
            self._live = self._live_factory()
        return self._live

    def table(self, table_id, *, regions=None, periods=None, filters=None) -> TableBundle:
        reasons = []
        if self.offline_reason is None:
            try:
                if not self._probed:  # first contact: a quick probe, so an outage costs seconds
                    self.live().info(table_id, timeout=self.probe_timeout, retries=0)
                    self._probed = True
                bundle = self.live().table(table_id, regions=regions, periods=periods, filters=filters)
                return self._used(bundle, "live", "")
            except SourceUnavailable as exc:
                self.offline_reason = gist(exc)
                reasons.append(self.offline_reason)
            except ImpactError as exc:  # a retired table or a garbled answer: this table only
                reasons.append(gist(exc))
        else:
            reasons.append(self.offline_reason)
        try:
            bundle = self.cache.table(table_id, regions=regions, periods=periods, filters=filters)
            return self._used(bundle, "cache", reasons[0])
        except ImpactError as exc:
            reasons.append(gist(exc))
        bundle = self.snapshot.table(table_id, regions=regions, periods=periods, filters=filters)
        return self._used(bundle, "snapshot", "; ".join(reasons))

    def _used(self, bundle: TableBundle, kind: str, reason: str) -> TableBundle:
        prov = dict(bundle.provenance, via="auto")
        if reason:
            prov["fallback"] = reason
        if kind not in self._said:
            self._said.add(kind)
            if kind == "live":
                log.warning(f"Bron: CBS live (OData {prov.get('backend')}, {prov.get('host')}).")
            elif kind == "cache":
                log.warning(f"CBS niet gebruikt: {reason}. Cijfers uit de cache (opgehaald "
                     f"{str(prov.get('fetched_at'))[:10]}, {age_text(prov.get('age_days'))}).")
            else:
                label = OEFENDATA_LABEL if prov.get("synthetic") else "de snapshot"
                log.warning(f"Geen live- of cachecijfers: {reason}. Gebruikt: {label}.")
        return TableBundle(bundle.table_id, bundle.meta, bundle.data, prov)

    def describe(self) -> dict:
        return {
            "kind": "auto",
            "order": ["live", "cache", "snapshot"],
            "live": self.live().describe(),
            "cache": self.cache.describe(),
            "snapshot": _safe(self.snapshot.describe),
        }


def _safe(fn) -> dict:
    try:
        return fn()
    except (ImpactError, NotAvailableError) as exc:
        return {"error": str(exc)}
