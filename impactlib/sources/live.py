"""Live CBS figures, asking CBS only for the rows that are needed.

>>> from impactlib.sources.live import LiveSource
>>> src = LiveSource()                       # opendata.cbs.nl over https, OData v3
>>> b = src.table("84852NED", regions=["VT22", "NL01"], periods=["2021HJ01"])  # doctest: +SKIP

:class:`LiveSource` answers ``table()`` like every source and tries its *backends* in order.
A backend speaks one CBS interface through two methods: ``info(table_id)`` (the
``TableInfos`` row, one small request) and ``fetch(table_id, regions, periods, filters)``
(a :class:`~impactlib.tables.TableBundle` in the v3 shape). :class:`V3Backend` wraps
``cbsodata`` (OData v3); :class:`~impactlib.sources.v4.V4Backend` speaks OData v4
(``datasets.cbs.nl``). ``--backend auto`` (the default) tries v3, then v4.

What the v3 backend takes care of:

- a server-side ``$filter`` on padded region keys (``RegioS eq 'NL01  '``), period keys and
  dimension categories (given as keys or as CBS titles, resolved from the table's metadata);
  ``cbsodata`` follows ``odata.nextLink`` paging;
- keys stay keys (entity sets via ``get_meta``, not ``get_data``); ``.``/null → NaN, never 0; the
  provisional flag (``*``/``**``) from the ``Perioden`` titles or ``Status``;
- timeouts, bounded retries with backoff on 5xx, and one Dutch line for every failure;
- provenance: host, backend, filter, fetched_at, CBS ``Modified``. Figures served by an
  ``impactmonitor mirror`` from oefendata stay labelled synthetic (see :data:`PROVENANCE_SET`).

Host and scheme come from ``IMPACTMONITOR_CBS_HOST`` (default ``opendata.cbs.nl``) and
``IMPACTMONITOR_CBS_HTTPS`` (``1``/``0``; default ``0`` for 127.0.0.1/localhost, else ``1``).
"""

from __future__ import annotations

import json
import os
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Protocol

import cbsodata
import pandas as pd
import requests

from ..errors import DataFault, ImpactError, LayoutError, NotAvailableError, SourceUnavailable, UserInputError
from ..tables import TableBundle, pad_region_key
from .cache import covers, note, request_key

__all__ = [
    "LiveSource", "Backend", "V3Backend", "default_backends", "build_filter", "bundle_from_v3", "stitch",
    "call_with_retries", "gist", "cbs_host", "cbs_https", "DEFAULT_HOST", "PROVENANCE_SET", "SYNTHETIC_MARKER",
    "FIRST_CONTACT_TIMEOUT", "Deadline", "MAX_PAGES",
]

DEFAULT_HOST = "opendata.cbs.nl"
#: Entity set an ``impactmonitor mirror`` adds: Key/Title rows such as ``synthetic: true``.
PROVENANCE_SET = "ImpactmonitorProvenance"
#: Put in ``TableInfos[0]["Description"]`` by a mirror serving oefendata.
SYNTHETIC_MARKER = "OEFENDATA (synthetisch)"
DEFAULT_TIMEOUT = 30.0
#: Seconds a backend gets for its first, small answer when another backend could take over.
FIRST_CONTACT_TIMEOUT = 4.0
_LOCAL_HOSTS = ("127.0.0.1", "localhost")
_DATA_SETS = ("TypedDataSet", "UntypedDataSet")
_options_lock = threading.Lock()


def cbs_host() -> str:
    return os.environ.get("IMPACTMONITOR_CBS_HOST", "").strip() or DEFAULT_HOST


def cbs_https(host: str | None = None) -> bool:
    raw = os.environ.get("IMPACTMONITOR_CBS_HTTPS", "").strip().lower()
    if raw in ("1", "true", "ja", "yes"):
        return True
    if raw in ("0", "false", "nee", "no"):
        return False
    return (host or cbs_host()).split(":")[0] not in _LOCAL_HOSTS


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# --------------------------------------------------------------------------- filters
def _quote(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _any_of(field: str, values: list[str]) -> str:
    parts = [f"{field} eq {_quote(v)}" for v in values] or [f"{field} eq ''"]
    return parts[0] if len(parts) == 1 else "(" + " or ".join(parts) + ")"


def build_filter(geo: str, time_dim: str, regions=None, periods=None, filters=None, *, width: int = 6) -> str:
    """The OData ``$filter`` for region keys (padded, as CBS stores them), periods and categories.

    >>> build_filter("RegioS", "Perioden", ["VT22", "NL01"], ["2021HJ01"])
    "(RegioS eq 'VT22  ' or RegioS eq 'NL01  ') and Perioden eq '2021HJ01'"
    """
    clauses = []
    if regions is not None:
        clauses.append(_any_of(geo, [pad_region_key(r, width) for r in regions]))
    if periods is not None:
        clauses.append(_any_of(time_dim, [str(p).strip() for p in periods]))
    for dim, keys in (filters or {}).items():
        clauses.append(_any_of(dim, list(keys)))
    return " and ".join(clauses)


# --------------------------------------------------------------------------- v3 answers → bundle
def _status_flag(row: dict) -> str:
    status = str(row.get("Status") or "").casefold()
    return "**" if "nader voorlopig" in status else ("*" if "voorlopig" in status else "")


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
        flag = _status_flag(row)
        if flag and not str(row.get("Title") or "").endswith("*"):
            row["Title"] = f"{row.get('Title') or row['Key']}{flag}"
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
    provenance = {
        "kind": "live",
        "synthetic": extra.get("synthetic") == "true" or SYNTHETIC_MARKER in str(info.get("Description") or ""),
        "host": host,
        "backend": backend,
        "fetched_at": now_iso(),
        "modified": info.get("Modified"),
        "filter": filter_text,
    }
    provenance.update({k: extra[k] for k in ("name", "origin_host") if extra.get(k)})
    return TableBundle(table_id, sets, data[["ID", *dims, *measures]], provenance)


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


# --------------------------------------------------------------------------- deadlines
#: Pages one request may follow along ``odata.nextLink`` (10.000 rows each at CBS).
MAX_PAGES = 500


class Deadline:
    """One end time for one request to CBS, all its pages included, and a bound on pages.

    :meth:`get` sends one page: the body is read as it arrives and the read stops once the
    deadline has passed (``requests.Timeout``), so a server that trickles one byte every few
    seconds cannot keep a request busy past ``timeout`` s. A ``nextLink`` that points back to
    a page already read, or more than :data:`MAX_PAGES` pages, is a :class:`DataFault`.
    """

    def __init__(self, timeout: float, *, host: str, table_id: str, max_pages: int = MAX_PAGES):
        self.timeout = float(timeout)
        self.end = time.monotonic() + self.timeout
        self.host, self.table_id, self.max_pages = host, table_id, max_pages
        self.seen: set[str] = set()

    def left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise requests.Timeout(f"deadline of {self.timeout:g} s passed")
        return left

    def page(self, url: str) -> None:
        """Before a page is asked for: not one that was read already, not one too many."""
        if url in self.seen:
            raise DataFault(f"{self.host} verwijst voor tabel {self.table_id} naar een pagina die al gelezen is "
                            "(odata.nextLink in een kring); probeer het later opnieuw of gebruik --source cache.")
        if len(self.seen) >= self.max_pages:
            raise DataFault(f"{self.host} stuurt voor tabel {self.table_id} meer dan {self.max_pages} pagina's; "
                            "dat is geen CBS-tabel. Controleer IMPACTMONITOR_CBS_HOST.")

    def send(self, session: requests.Session, prepared, **kwargs) -> requests.Response:
        """``session.send`` within the deadline, the body read to the end (or the deadline)."""
        self.page(prepared.url)
        kwargs.update(stream=True, timeout=min(float(kwargs.get("timeout") or self.timeout), self.left()))
        import urllib3.exceptions as u3

        response = session.send(prepared, **kwargs)
        try:
            chunks = []
            while True:
                left = self.left()
                sock = getattr(getattr(response.raw, "_connection", None), "sock", None)
                if sock is not None:
                    sock.settimeout(min(left, kwargs["timeout"]))  # no single read past the deadline
                try:
                    chunk = response.raw.read1(65536, decode_content=True)
                except (u3.ReadTimeoutError, TimeoutError) as exc:
                    raise requests.Timeout(str(exc)) from None
                except (u3.ProtocolError, u3.DecodeError, OSError) as exc:
                    raise requests.ConnectionError(str(exc)) from None
                if not chunk:
                    break
                chunks.append(chunk)
            response._content = b"".join(chunks)
            response._content_consumed = True
            if response.status_code < 400:
                self.seen.add(prepared.url)  # a page read (a failed one may be asked again)
        finally:
            response.close()
        return response

    def get(self, url: str, *, params=None, headers=None, timeout: float | None = None) -> requests.Response:
        with requests.Session() as session:
            prepared = requests.Request("GET", url, params=params, headers=headers).prepare()
            return self.send(session, prepared, timeout=timeout)


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


# --------------------------------------------------------------------------- backends
class Backend(Protocol):
    """One CBS interface. Every backend returns bundles in the v3 shape (``meta`` entity sets,
    ``data`` with padded region keys and float measures) and records itself as
    ``provenance["backend"]``, so the rest of the project never sees which one answered."""

    name: str  # "v3" or "v4"
    host: str

    def info(self, table_id: str, *, timeout: float | None = None, retries: int | None = None) -> dict: ...

    def fetch(self, table_id: str, regions=None, periods=None, filters=None) -> TableBundle: ...

    def describe(self) -> dict: ...


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


def _http_status(exc: requests.HTTPError) -> int | None:
    for e in (exc, exc.__cause__):
        response = getattr(e, "response", None)
        if response is not None:
            return response.status_code
    return None


def call_with_retries(once, *, host: str, table_id: str, timeout: float, attempts: int, backoff: float,
                      host_variable: str = "IMPACTMONITOR_CBS_HOST"):
    """Run ``once()`` (one exchange with a CBS server) and turn every failure into one Dutch line.

    5xx answers are retried ``attempts - 1`` times with exponential backoff; a refused or
    reset connection and a timeout are :class:`SourceUnavailable` at once (no retry), so a
    caller with another backend or a cache falls through quickly. Shared by every backend.
    """
    for attempt in range(attempts):
        try:
            return once()
        except requests.HTTPError as exc:
            status = _http_status(exc)
            if status == 404:
                raise NotAvailableError(
                    f"Tabel {table_id} bestaat niet (meer) bij {host} (HTTP 404); "
                    "zoek op StatLine naar de opvolger of gebruik --source cache."
                ) from None
            if status is not None and status >= 500 and attempt + 1 < attempts:
                time.sleep(backoff * 2**attempt)
                continue
            if status is not None and status >= 500:
                raise SourceUnavailable(
                    f"{host} geeft serverfout {status} voor tabel {table_id}, ook na {attempts} "
                    "pogingen; probeer het later opnieuw of gebruik --source cache."
                ) from None
            raise DataFault(f"{host} weigert het verzoek voor tabel {table_id} (HTTP {status}).") from None
        except json.JSONDecodeError as exc:  # before RequestException: requests' own one is both
            if not exc.doc.strip():
                raise DataFault(f"{host} gaf een leeg antwoord voor tabel {table_id}; probeer het later opnieuw.") from None
            raise DataFault(
                f"{host} gaf een onleesbaar antwoord (geen geldige JSON) voor tabel {table_id}; "
                "probeer het later opnieuw."
            ) from None
        except requests.Timeout:
            raise SourceUnavailable(
                f"{host} antwoordt niet binnen {timeout:g} s (tabel {table_id}); "
                "probeer het later opnieuw of gebruik --source cache."
            ) from None
        except requests.RequestException as exc:
            text = str(exc).lower()
            reason = ("verbinding geweigerd" if "refused" in text
                      else "verbinding verbroken" if ("reset" in text or "aborted" in text)
                      else "geen verbinding")
            raise SourceUnavailable(
                f"{host} is niet bereikbaar ({reason}, tabel {table_id}); "
                "controleer de internetverbinding of gebruik --source cache."
            ) from None
        except (KeyError, ValueError, TypeError, AttributeError):
            raise DataFault(
                f"{host} gaf een onvolledig antwoord voor tabel {table_id} (geen OData-tabel); "
                f"controleer {host_variable}."
            ) from None
    raise AssertionError("unreachable")  # pragma: no cover


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


def default_backends(setting: str = "auto", *, timeout: float = DEFAULT_TIMEOUT) -> list:
    """The live backends for ``--backend auto|v3|v4``, in the order they are tried."""
    from .v4 import V4Backend

    setting = (setting or "auto").lower()
    choices = {"auto": [V3Backend, V4Backend], "v3": [V3Backend], "v4": [V4Backend]}
    if setting not in choices:
        raise UserInputError(f"Backend '{setting}' bestaat niet. Kies uit: auto, v3, v4.")
    return [cls(timeout=timeout) for cls in choices[setting]]


def gist(exc: Exception) -> str:
    """The 'what happened' half of a one-line message (before the advice after ';')."""
    return str(exc).split("; ")[0].rstrip(".")


def label(backend) -> str:
    """``'OData v3 (opendata.cbs.nl)'``: how a backend is named in notes."""
    return f"OData {backend.name} ({backend.host})"


def _configured_successors() -> dict[str, list[str]]:
    from ..catalogue import table_specs

    return {tid: list(spec.get("successors") or []) for tid, spec in table_specs().items() if spec.get("successors")}


# --------------------------------------------------------------------------- the source
class LiveSource:
    """Figures straight from CBS; what it fetches it also writes to ``store`` (a cache).

    ``successors`` maps a table id to newer tables that continue its series (default: the
    ``successors`` lists in ``tables.yaml``); their rows are stitched in (:func:`stitch`).

    Backends are tried in order. One that another backend follows is first asked for the
    small ``TableInfos`` with a short timeout (``probe_timeout``, no retries), so an outage
    costs seconds, not a full timeout per table. A backend that is unreachable is said so on
    stderr in one line and skipped from then on (until every backend has failed); one that
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
                note(f"{label(failed)} niet gebruikt: {gist(exc)}; gebruikt: {label(backend)}.")
            return result
        if len(errors) == 1:
            raise errors[0][1]
        # every backend unreachable → SourceUnavailable; else the table-level fault (e.g. retired)
        kind = next((type(e) for _, e in errors if not isinstance(e, SourceUnavailable)), SourceUnavailable)
        advice = str(errors[-1][1]).partition("; ")[2]
        raise kind(", ".join(f"{b.name}: {gist(e)}" for b, e in errors) + (f"; {advice}" if advice else "."))
