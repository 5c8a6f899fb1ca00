"""CBS OData v3 (``opendata.cbs.nl``) through ``cbsodata``: the first live backend.

>>> from impactlib.sources.v3 import V3Backend
>>> b = V3Backend().fetch("84852NED", regions=["VT22", "NL01"], periods=["2021HJ01"])  # doctest: +SKIP

A backend speaks one CBS interface through two methods: ``info(table_id)`` (the
``TableInfos`` row, one small request) and ``fetch(table_id, regions, periods, filters)``
(a :class:`~impactlib.tables.TableBundle` in the v3 shape); see
:class:`~impactlib.sources.common.Backend`. What the v3 backend takes care of:

- a server-side ``$filter`` on padded region keys (``RegioS eq 'NL01  '``), period keys and
  dimension categories (given as keys or as CBS titles, resolved from the table's metadata);
  ``cbsodata`` follows ``odata.nextLink`` paging;
- keys stay keys (entity sets via ``get_meta``, not ``get_data``); ``.``/null → NaN, never 0; the
  provisional flag (``*``/``**``) from the ``Perioden`` titles or ``Status``;
- timeouts, bounded retries with backoff on 5xx, and one Dutch line for every failure
  (shared with v4 in :mod:`impactlib.sources.common`);
- provenance: host, backend, filter, fetched_at, CBS ``Modified``.

Host and scheme are the settings ``cbs_host`` and ``cbs_https``
(:mod:`impactlib.settings`): ``IMPACTMONITOR_CBS_HOST`` (default ``opendata.cbs.nl``) and
``IMPACTMONITOR_CBS_HTTPS`` (``1``/``0``; default ``0`` for 127.0.0.1/localhost, else ``1``).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

import cbsodata
import pandas as pd

from .. import settings
from ..errors import DataFault, LayoutError
from ..tables import TableBundle
from .common import DEFAULT_TIMEOUT, PROVENANCE_SET, Deadline, build_filter, call_with_retries, flag_title, live_provenance

__all__ = ["V3Backend", "bundle_from_v3", "cbs_host", "cbs_https", "DEFAULT_HOST"]

DEFAULT_HOST = settings.DEFAULT_CBS_HOST
_DATA_SETS = ("TypedDataSet", "UntypedDataSet")
_options_lock = threading.Lock()


def cbs_host() -> str:
    """The OData v3 host (setting ``cbs_host``)."""
    return settings.current().cbs_host


def cbs_https(host: str | None = None) -> bool:
    """Whether to speak https to ``host`` (default: the ``cbs_host`` setting)."""
    now = settings.current()
    return settings.https_for(host or now.cbs_host, now.cbs_https)


# --------------------------------------------------------------------------- v3 answers → bundle
def bundle_from_v3(table_id: str, raw: dict, *, host: str, backend: str = "v3", filter_text: str = "") -> TableBundle:
    """Turn ``cbsodata.download_data(..., typed=True)`` output into a bundle (keys kept)."""
    sets = {k: [dict(r) for r in v] for k, v in raw.items() if isinstance(v, list)}
    rows = sets.pop("TypedDataSet", None)
    untyped = sets.pop("UntypedDataSet", None)
    extra = {str(r.get("Key")): str(r.get("Title") or "") for r in sets.pop(PROVENANCE_SET, [])}
    if not sets.get("DataProperties"):
        raise DataFault(f"{host} gaf voor tabel {table_id} geen beschrijving van de kolommen (DataProperties).")
    bundle = TableBundle(table_id, sets, pd.DataFrame())
    for row in sets.get(bundle.time_dimension(), []):
        flag_title(row)
    dims, measures = bundle.dimensions(), list(bundle.measures())
    data = pd.DataFrame(rows if rows is not None else (untyped or []))
    for col in ["ID", *dims, *measures]:
        if col not in data:
            data[col] = pd.Series(dtype=object)
    data["ID"] = pd.to_numeric(data["ID"], errors="coerce").fillna(-1).astype("int64")
    for d in dims:
        data[d] = data[d].astype(str)
    for m in measures:  # '.', '      .', None → NaN (unknown), never 0
        col = data[m] if pd.api.types.is_numeric_dtype(data[m]) else data[m].astype(str).str.strip()
        data[m] = pd.to_numeric(col, errors="coerce").astype(float)
    info = (sets.get("TableInfos") or [{}])[0]
    provenance = live_provenance(info, extra, host=host, backend=backend, filter_text=filter_text)
    return TableBundle(table_id, sets, data[["ID", *dims, *measures]], provenance)


# --------------------------------------------------------------------------- cbsodata, within our limits
@contextmanager
def _deadline_sessions(deadline: Deadline):
    """cbsodata makes a ``requests.Session`` per page: let each send within ``deadline``.

    Called with :data:`_options_lock` held (cbsodata is driven through module globals).
    """
    module = cbsodata.cbsodata3 if hasattr(cbsodata, "cbsodata3") else cbsodata
    original = module.Session

    class _Session(original):
        def send(self, request, **kwargs):
            return deadline.send(super(), request, **kwargs)

    module.Session = _Session
    try:
        yield
    finally:
        module.Session = original


@contextmanager
def _scheme(use_https: bool):
    """cbsodata keeps the scheme in a global option: set it for one call, then restore it."""
    with _options_lock:
        old = cbsodata.options.use_https
        cbsodata.options.use_https = use_https
        try:
            yield
        finally:
            cbsodata.options.use_https = old


class V3Backend:
    """CBS OData v3 through ``cbsodata`` (``catalog_url`` = host, scheme per call)."""

    name = "v3"

    def __init__(self, host: str | None = None, https: bool | None = None, *,
                 timeout: float = DEFAULT_TIMEOUT, retries: int = 2, backoff: float = 0.5):
        self.host = host or cbs_host()
        self.https = cbs_https(self.host) if https is None else bool(https)
        self.timeout = float(timeout)
        self.retries = max(0, int(retries))
        self.backoff = float(backoff)
        self._meta: dict[tuple[str, str], list[dict]] = {}

    def describe(self) -> dict:
        return {"backend": self.name, "host": self.host, "https": self.https, "timeout": self.timeout}

    # -- the two backend methods ------------------------------------------------------
    def info(self, table_id: str, *, timeout: float | None = None, retries: int | None = None) -> dict:
        """The table's ``TableInfos`` row (``Modified``, ``Title``, ...)."""
        info = self._call(table_id, cbsodata.get_info, table_id, timeout=timeout, retries=retries)
        if not info:
            raise DataFault(f"{self.host} gaf een leeg antwoord voor tabel {table_id} (TableInfos).")
        return info

    def fetch(self, table_id: str, regions=None, periods=None, filters=None) -> TableBundle:
        """Metadata once per table, then only the ``TypedDataSet`` rows the filter selects.

        Each entity set is asked for with ``cbsodata.get_meta``: ``download_data(typed=True)``
        of cbsodata 1.3.5 fetches the *Untyped* set and every metadata set on each call.
        """
        names = [row.get("name") for row in self._meta_set(table_id, "")]
        if "TypedDataSet" not in names:
            raise DataFault(f"{self.host} gaf voor tabel {table_id} geen OData-tabel (geen TypedDataSet); "
                            "controleer IMPACTMONITOR_CBS_HOST.")
        raw = {n: self._meta_set(table_id, n) for n in names if n and n not in _DATA_SETS}
        shape = TableBundle(table_id, {"DataProperties": raw.get("DataProperties", [])}, pd.DataFrame())
        unknown = [d for d in (filters or {}) if d not in shape.dimensions()]
        if unknown:  # never drop a filter: a dimension the table lacks is an error, not "all rows"
            raise LayoutError(f"Tabel {table_id} bij {self.host} heeft geen dimensie {', '.join(unknown)}; wel: "
                              + ", ".join(shape.dimensions()) + ".", table_id=table_id, term=unknown[0],
                              offered=shape.dimensions())
        keys = {dim: self._category_keys(table_id, dim, values) for dim, values in (filters or {}).items()}
        geo_keys = [str(r.get("Key", "")) for r in raw.get(shape.geo_dimension(), [])]
        width = max((len(k) for k in geo_keys), default=6)  # 6 (RegioS), 10 (WijkenEnBuurten)
        text = build_filter(shape.geo_dimension(), shape.time_dimension(), regions, periods, keys, width=width)
        raw["TypedDataSet"] = self._call(table_id, cbsodata.get_meta, table_id, "TypedDataSet", filters=text or None)
        return bundle_from_v3(table_id, raw, host=self.host, backend=self.name, filter_text=text)

    # -- helpers ----------------------------------------------------------------------
    def _meta_set(self, table_id: str, name: str) -> list[dict]:
        if (table_id, name) not in self._meta:
            self._meta[(table_id, name)] = self._call(table_id, cbsodata.get_meta, table_id, name)
        return self._meta[(table_id, name)]

    def _category_keys(self, table_id: str, dim: str, values) -> list[str]:
        """Exact CBS keys for keys or titles (CBS pads some keys, e.g. ``'10000  '``)."""
        rows = self._meta_set(table_id, dim)
        by_key = {str(r["Key"]).strip(): r["Key"] for r in rows}
        plain = [str(v) for v in values]
        titles = [v for v in plain if v.strip() not in by_key]
        found = dict(zip(titles, TableBundle(table_id, {dim: rows}, pd.DataFrame()).category_keys(dim, titles)))
        return [by_key.get(v.strip()) or found[v] for v in plain]

    def _call(self, table_id: str, fn, *args, timeout: float | None = None, retries: int | None = None, **kwargs):
        """Run a cbsodata call with timeout and retries; every failure becomes one Dutch line."""
        timeout = self.timeout if timeout is None else timeout

        def once():
            with _scheme(self.https), _deadline_sessions(Deadline(timeout, host=self.host, table_id=table_id)):
                return fn(*args, catalog_url=self.host, timeout=timeout, **kwargs)

        return call_with_retries(once, host=self.host, table_id=table_id, timeout=timeout,
                                 attempts=1 + (self.retries if retries is None else retries), backoff=self.backoff)
