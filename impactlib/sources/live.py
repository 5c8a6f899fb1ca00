"""Live CBS figures: the source that tries the CBS interfaces in turn and stitches successor tables.

>>> from impactlib.sources.live import LiveSource
>>> src = LiveSource()                       # opendata.cbs.nl over https (OData v3), then v4
>>> b = src.table("84852NED", regions=["VT22", "NL01"], periods=["2021HJ01"])  # doctest: +SKIP

:class:`LiveSource` answers ``table()`` like every source and tries its *backends* in order.
A backend speaks one CBS interface (:class:`~impactlib.sources.common.Backend`):
:class:`~impactlib.sources.v3.V3Backend` wraps ``cbsodata`` (OData v3),
:class:`~impactlib.sources.v4.V4Backend` speaks OData v4 (``datasets.cbs.nl``); what they
share (retries, deadlines, filters, status flags, provenance) is in
:mod:`impactlib.sources.common`. ``--backend auto`` (the default) tries v3, then v4
(:func:`default_backends`). This module is the only one that knows both backends.

A table CBS continues in a newer table (``successors`` in ``tables.yaml``) comes back as one
series (:func:`stitch`). A backend that did not answer is said in one note, a warning on the
``impactmonitor.sources.live`` logger (the CLI prints it as ``impactmonitor: <text>``).

The names this module used to define (``V3Backend``, ``build_filter``, ``Deadline``,
``cbs_host``, ...) are still importable from here; their homes are :mod:`.v3` and :mod:`.common`.
"""

from __future__ import annotations

import logging

import pandas as pd

from ..errors import ImpactError, SourceUnavailable, UserInputError
from ..tables import TableBundle
# Besides what this module uses, the names it used to define are imported here (see __all__),
# so ``from impactlib.sources.live import V3Backend`` and the like keep working.
from .common import DEFAULT_TIMEOUT, FIRST_CONTACT_TIMEOUT, MAX_PAGES, PROVENANCE_SET, SYNTHETIC_MARKER
from .common import Backend, Deadline, build_filter, call_with_retries, gist
from .parts import covers, request_key
from .v3 import DEFAULT_HOST, V3Backend, bundle_from_v3, cbs_host, cbs_https
from .v4 import V4Backend

__all__ = [
    "LiveSource", "Backend", "V3Backend", "default_backends", "build_filter", "bundle_from_v3", "stitch",
    "call_with_retries", "gist", "cbs_host", "cbs_https", "DEFAULT_HOST", "PROVENANCE_SET", "SYNTHETIC_MARKER",
    "FIRST_CONTACT_TIMEOUT", "Deadline", "MAX_PAGES",
]

log = logging.getLogger("impactmonitor.sources.live")


def default_backends(setting: str = "auto", *, timeout: float = DEFAULT_TIMEOUT) -> list:
    """The live backends for ``--backend auto|v3|v4``, in the order they are tried."""
    setting = (setting or "auto").lower()
    choices = {"auto": [V3Backend, V4Backend], "v3": [V3Backend], "v4": [V4Backend]}
    if setting not in choices:
        raise UserInputError(f"Backend '{setting}' bestaat niet. Kies uit: auto, v3, v4.")
    return [cls(timeout=timeout) for cls in choices[setting]]


def label(backend) -> str:
    """``'OData v3 (opendata.cbs.nl)'``: how a backend is named in notes."""
    return f"OData {backend.name} ({backend.host})"


def _configured_successors() -> dict[str, list[str]]:
    from ..catalogue import table_specs

    return {tid: list(spec.get("successors") or []) for tid, spec in table_specs().items() if spec.get("successors")}


# --------------------------------------------------------------------------- successor tables
def stitch(older: TableBundle, newer: TableBundle) -> TableBundle:
    """One time series from a table and its successor: the newer table wins a shared period.

    Measures are matched by title (successor tables often renumber their keys), dimension
    categories by key; the result keeps the older table's id and keys.
    """
    rename = newer.measure_renames(older)
    new_data = newer.data_keyed_like(older)
    dims = [d for d in older.dimensions() if d in older.data]
    data = pd.concat([older.data, new_data], ignore_index=True)
    data = data.drop_duplicates(subset=dims, keep="last").reset_index(drop=True)
    data["ID"] = range(len(data))
    meta = dict(older.meta)
    for dim in older.dimensions():
        merged = {r["Key"]: r for r in older.categories(dim)}
        merged.update({r["Key"]: r for r in newer.categories(dim)})
        meta[dim] = list(merged.values())
    known = {p["Key"] for p in older.properties()}
    meta["DataProperties"] = older.properties() + [
        {**p, "Key": rename.get(p["Key"], p["Key"])} for p in newer.properties()
        if p.get("Type") == "Topic" and rename.get(p["Key"], p["Key"]) not in known
    ]
    info = dict((older.meta.get("TableInfos") or [{}])[0])
    info["Modified"] = max(str(older.modified or ""), str(newer.modified or "")) or None
    meta["TableInfos"] = [info]
    prov = dict(older.provenance)
    prov.update(
        synthetic=bool(older.provenance.get("synthetic") or newer.provenance.get("synthetic")),
        modified=info["Modified"], stitched=[older.table_id, newer.table_id],
    )
    return TableBundle(older.table_id, meta, data, prov)



# --------------------------------------------------------------------------- the source
class LiveSource:
    """Figures straight from CBS; what it fetches it also writes to ``store`` (a cache).

    ``successors`` maps a table id to newer tables that continue its series (default: the
    ``successors`` lists in ``tables.yaml``); their rows are stitched in (:func:`stitch`).

    Backends are tried in order. One that another backend follows is first asked for the
    small ``TableInfos`` with a short timeout (``probe_timeout``, no retries), so an outage
    costs seconds, not a full timeout per table. A backend that is unreachable is said so in
    one note and skipped from then on (until every backend has failed); one that
    cannot serve a particular table (retired, garbled) is skipped for that table only.
    """

    kind = "live"

    def __init__(self, backends: list | None = None, *, store=None, successors: dict | None = None,
                 probe_timeout: float = FIRST_CONTACT_TIMEOUT):
        self.backends = list(backends) if backends is not None else default_backends()
        self.store = store
        self.successors = dict(successors) if successors is not None else _configured_successors()
        self.probe_timeout = probe_timeout
        self._memo: dict[str, list[tuple[dict, TableBundle]]] = {}
        self._answered: set[int] = set()  # id() of backends that have answered once
        self._down: set[int] = set()  # id() of backends found unreachable

    def table(self, table_id, *, regions=None, periods=None, filters=None) -> TableBundle:
        want = request_key(regions, periods, filters)
        for held, bundle in self._memo.get(table_id, []):
            if covers(held, want):
                return bundle.select(regions=regions, periods=periods, filters=filters)
        bundle = self._each_backend(table_id, lambda b: b.fetch(table_id, regions, periods, filters))
        for successor in self.successors.get(table_id, []):
            bundle = stitch(bundle, self._each_backend(successor, lambda b: b.fetch(successor, regions, periods, filters)))
        if self.store is not None and want["regions"] != []:  # a metadata-only answer adds nothing to a cache
            self.store.save_quietly(bundle, want)
        self._memo.setdefault(table_id, []).append((want, bundle))
        return bundle

    def info(self, table_id: str, **kwargs) -> dict:
        """``TableInfos`` of a table from the first backend that answers (``Modified`` etc.)."""
        quick = {**kwargs, "timeout": min(kwargs.get("timeout") or self.probe_timeout, self.probe_timeout), "retries": 0}
        return self._each_backend(table_id, lambda b: b.info(table_id, **kwargs),
                                  first=lambda b: b.info(table_id, **quick))

    def usable(self) -> list:
        """The backends still worth trying, in order (all of them once every one has failed)."""
        return [b for b in self.backends if id(b) not in self._down] or list(self.backends)

    def describe(self) -> dict:
        first = self.usable()[0].describe() if self.backends else {}
        return {"kind": "live", "synthetic": False, "host": first.get("host"), "backend": first.get("backend"),
                "backends": [b.describe() for b in self.backends]}

    def _each_backend(self, table_id: str, call, *, first=None):
        """``call(backend)`` on each usable backend until one answers. ``first(backend)``
        replaces it on a backend's first contact while another backend could take over
        (default: a quick ``info`` probe, then ``call``)."""
        first = first or (lambda b: (b.info(table_id, timeout=self.probe_timeout, retries=0), call(b))[1])
        errors: list[tuple[object, ImpactError]] = []
        backends = self.usable()
        for i, backend in enumerate(backends):
            try:
                quick = i + 1 < len(backends) and id(backend) not in self._answered
                result = first(backend) if quick else call(backend)
            except SourceUnavailable as exc:
                self._down.add(id(backend))
                errors.append((backend, exc))
                continue
            except ImpactError as exc:
                self._answered.add(id(backend))
                errors.append((backend, exc))
                continue
            self._answered.add(id(backend))
            self._down.discard(id(backend))
            for failed, exc in errors:
                log.warning("%s niet gebruikt: %s; gebruikt: %s.", label(failed), gist(exc), label(backend))
            return result
        if len(errors) == 1:
            raise errors[0][1]
        # every backend unreachable → SourceUnavailable; else the table-level fault (e.g. retired)
        kind = next((type(e) for _, e in errors if not isinstance(e, SourceUnavailable)), SourceUnavailable)
        advice = str(errors[-1][1]).partition("; ")[2]
        raise kind(", ".join(f"{b.name}: {gist(e)}" for b, e in errors) + (f"; {advice}" if advice else "."))
