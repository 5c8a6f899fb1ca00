"""A CBS-compatible OData endpoint (v3, or v4 with ``api="v4"``) on this machine, built on the standard library.

>>> from impactlib.mirror import MirrorServer, shelf_from_snapshot
>>> with MirrorServer(shelf_from_snapshot()) as server:          # doctest: +SKIP
...     import cbsodata
...     cbsodata.options.use_https = False
...     rows = cbsodata.get_data("84852NED", catalog_url=server.address,
...                              filters="RegioS eq 'VT22  ' and Perioden eq '2021HJ01'")

Paths answered, for ``ODataApi`` and ``ODataFeed`` alike:
``/ODataApi/odata/<table>/`` (service document), ``/ODataApi/odata/<table>/<EntitySet>``
and ``/ODataCatalog/Tables``. Large answers come in pages of ``page_size`` rows with an
``odata.nextLink``, as CBS's feed does. :attr:`MirrorServer.rows_served` counts the data
rows sent per table, so tests can check that a client asked only for what it needed.

With ``api="v4"`` the mirror answers as ``datasets.cbs.nl`` does instead (see
:mod:`impactlib.mirror.v4`): ``/odata/v1/CBS/<table>/`` (service document),
``/odata/v1/CBS/<table>/Properties`` (one object) and ``/odata/v1/CBS/<table>/<EntitySet>``
with ``$filter``, ``$select``, ``$top``, ``$skip`` and ``@odata.nextLink`` paging, plus the
catalogue ``/odata/v1/Datasets`` (``Identifier``, ``Catalog``, ``Title``, ``Modified``, ...;
what ``cbsodata4.get_observations`` looks a table up in) and ``/odata/v1/Catalogs``; the v3
paths then answer 404, and the other way round.
"""

from __future__ import annotations

import json
import sys
import threading
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

from ..errors import ImpactError
from ..tables import TableBundle
from .odata import ODataError, QueryOptions
from .v3 import DATA_SETS, ServedTable
from .v4 import V4Table

__all__ = ["MirrorServer", "TableShelf", "shelf_from_snapshot", "shelf_from_cache", "shelf_from_bundles"]

DEFAULT_PAGE_SIZE = 10_000
_APIS = {"odataapi": "ODataApi", "odatafeed": "ODataFeed"}
APIS = ("v3", "v4")


class TableShelf:
    """The tables a mirror serves: ids plus a loader, each table loaded once when first asked."""

    def __init__(self, table_ids: list[str], load: Callable[[str], TableBundle], describe: dict):
        self.ids = {t.lower(): t for t in table_ids}
        self._load = load
        self._served: dict[str, ServedTable] = {}
        self._lock = threading.Lock()
        self.description = describe

    def get(self, table_id: str) -> ServedTable | None:
        real = self.ids.get(table_id.lower())
        if real is None:
            return None
        with self._lock:
            if real not in self._served:
                self._served[real] = ServedTable(self._load(real))
            return self._served[real]


def shelf_from_snapshot(location: str | None = None) -> TableShelf:
    """Serve a snapshot folder (default: the bundled oefendata)."""
    from ..sources.snapshot import SnapshotSource

    source = SnapshotSource(location)
    return TableShelf(list(source.manifest().get("tables", {})), source.table, source.describe())


def shelf_from_cache(cache_dir: str | None = None) -> TableShelf:
    """Serve what the local cache holds (each table as the union of its cached parts)."""
    from ..errors import NotAvailableError
    from ..sources.cache import CacheStore

    store = CacheStore(cache_dir)
    ids = store.table_ids()
    if not ids:  # the user can fix this (exit 2), as for 'snapshot build' from an empty cache
        raise NotAvailableError(f"De cache {store.path} is leeg; vul hem eerst met 'impactmonitor fetch'.")
    return TableShelf(ids, store.merged, store.describe())


def shelf_from_bundles(bundles: list[TableBundle]) -> TableShelf:
    """Serve bundles held in memory (tests, notebooks)."""
    by_id = {b.table_id: b for b in bundles}
    return TableShelf(list(by_id), by_id.__getitem__, {"kind": "memory", "tables": list(by_id)})


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that hung up (e.g. after its own timeout) is no error worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class MirrorServer:
    """A threading HTTP server answering CBS OData v3 (or v4) requests from a :class:`TableShelf`.

    ``unknown`` is how the v4 shape sends an unknown cell: ``"attribute"`` (``Value: null``,
    ``ValueAttribute: "Missing"``) or ``"omit"`` (left out, as CBS leaves out empty cells).
    """

    def __init__(self, shelf: TableShelf, *, host: str = "127.0.0.1", port: int = 0,
                 page_size: int = DEFAULT_PAGE_SIZE, api: str = "v3", unknown: str = "attribute"):
        if api not in APIS:
            raise ValueError(f"api must be one of {APIS}, not {api!r}")
        self.shelf = shelf
        self.api = api
        self.unknown = unknown
        self._v4: dict[str, V4Table] = {}
        self.page_size = max(1, int(page_size))
        self.rows_served: Counter = Counter()  # (table id, entity set) → data rows sent
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self.httpd = _HTTPServer((host, port), _handler_for(self))
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def address(self) -> str:
        """``host:port``, the form ``cbsodata`` takes as ``catalog_url``."""
        return f"{self.httpd.server_address[0]}:{self.port}"

    def record(self, path: str, table_id: str | None = None, entity: str | None = None, rows: int = 0):
        with self._lock:
            if path:
                self.requests.append(path)
            if table_id and entity in (*DATA_SETS, "Observations"):
                self.rows_served[(table_id, entity)] += rows

    def v4_table(self, table_id: str) -> V4Table | None:
        """The table in the v4 shape (built once from the shelf's bundle)."""
        served = self.shelf.get(table_id)
        if served is None:
            return None
        with self._lock:
            if served.table_id not in self._v4:
                self._v4[served.table_id] = V4Table(served.bundle, unknown=self.unknown)
            return self._v4[served.table_id]

    def start(self) -> "MirrorServer":
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def stop(self) -> None:
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join()
            self._thread = None
        self.httpd.server_close()

    def __enter__(self) -> "MirrorServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _handler_for(server: MirrorServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):  # noqa: A002 - quiet by default
            pass

        def do_GET(self):  # noqa: N802
            parts = urlsplit(self.path)
            params = dict(parse_qsl(parts.query, keep_blank_values=True))
            segments = [s for s in parts.path.split("/") if s]
            route, error = (self.route_v4, _error_v4) if server.api == "v4" else (self.route, _error)
            try:
                status, body = route(segments, params)
            except ODataError as exc:
                status, body = 400, error(str(exc))
            except ImpactError as exc:  # e.g. a damaged cache part behind this table
                status, body = 500, error(str(exc))
            except Exception as exc:  # noqa: BLE001 - a client gets an OData error, not a hang
                status, body = 500, error(f"interne fout: {exc.__class__.__name__}")
            self.send_json(status, body)

        def route_v4(self, segments: list[str], params: dict):
            server.record(self.path)
            base = f"http://{self.headers.get('Host') or server.address}"
            if [s.lower() for s in segments] == ["odata", "v1", "datasets"]:
                return 200, self.datasets(base, params)
            if [s.lower() for s in segments] == ["odata", "v1", "catalogs"]:
                return 200, {"@odata.context": f"{base}/odata/v1/$metadata#Catalogs",
                             "value": [{"Identifier": "CBS", "Title": "CBS-tabellen (mirror van impactmonitor)",
                                        "Description": server.shelf.description.get("kind", ""), "Publisher": "CBS"}]}
            if len(segments) < 4 or [s.lower() for s in segments[:2]] != ["odata", "v1"] or len(segments) > 5:
                return 404, _error_v4("Onbekend pad; gebruik /odata/v1/CBS/<tabel>/.")
            table = server.v4_table(segments[3])
            if table is None:
                return 404, _error_v4(f"Tabel '{segments[3]}' bestaat niet in deze mirror.")
            root = f"{base}/{segments[0]}/{segments[1]}/{segments[2]}/{table.table_id}"
            if len(segments) == 4:
                return 200, {"@odata.context": f"{root}/$metadata",
                             "value": [{"name": n, "kind": "Singleton" if n == "Properties" else "EntitySet", "url": n}
                                       for n in table.names()]}
            name = segments[4]
            if name == "Properties":
                return 200, {"@odata.context": f"{root}/$metadata#Properties", **table.properties}
            if name not in table.sets:
                return 404, _error_v4(f"Tabel {table.table_id} heeft geen onderdeel '{name}'.")
            options = QueryOptions.from_params(params)
            rows, token = options.apply(table.frame(name), server.page_size)
            server.record("", table.table_id, name, len(rows))
            body = {"@odata.context": f"{root}/$metadata#{name}", "value": table.records(name, rows)}
            if token is not None:
                nxt = {k: v for k, v in params.items() if k != "$skiptoken"}
                nxt["$skiptoken"] = str(token)
                body["@odata.nextLink"] = f"{root}/{name}?{urlencode(nxt)}"
            return 200, body

        def route(self, segments: list[str], params: dict):
            base = f"http://{self.headers.get('Host') or server.address}"
            if [s.lower() for s in segments] == ["odatacatalog", "tables"]:
                server.record(self.path)
                return 200, self.catalog(base, params)
            if len(segments) < 3 or segments[0].lower() not in _APIS or segments[1].lower() != "odata":
                server.record(self.path)
                return 404, _error("Onbekend pad; gebruik /ODataApi/odata/<tabel>/ of /ODataFeed/odata/<tabel>/.")
            table = server.shelf.get(segments[2])
            if table is None or len(segments) > 4:
                server.record(self.path)
                return 404, _error(f"Tabel '{segments[2]}' bestaat niet in deze mirror.")
            root = f"{base}/{segments[0]}/{segments[1]}/{table.table_id}"
            if len(segments) == 3:
                server.record(self.path)
                return 200, {
                    "odata.metadata": f"{root}/$metadata",
                    "value": [{"name": n, "url": f"{root}/{n}"} for n in table.names()],
                }
            name = segments[3]
            if name not in table.sets:
                server.record(self.path)
                return 404, _error(f"Tabel {table.table_id} heeft geen onderdeel '{name}'.")
            options = QueryOptions.from_params(params)
            rows, token = options.apply(table.frame(name), server.page_size)
            server.record(self.path, table.table_id, name, len(rows))
            body = {"odata.metadata": f"{root}/$metadata#Cbs.OData.WebAPI.{name}",
                    "value": table.records(name, rows)}
            if token is not None:
                nxt = {k: v for k, v in params.items() if k != "$skiptoken"}
                nxt["$skiptoken"] = str(token)
                body["odata.nextLink"] = f"{root}/{name}?{urlencode(nxt)}"
            return 200, body

        def catalog(self, base: str, params: dict) -> dict:
            import pandas as pd

            rows = []
            for table_id in server.shelf.ids.values():
                info = server.shelf.get(table_id).sets["TableInfos"].iloc[0].to_dict()
                rows.append({
                    "Identifier": table_id, "Title": info.get("Title"),
                    "ShortTitle": info.get("ShortTitle") or info.get("Title"),
                    "Modified": info.get("Modified"), "Summary": info.get("Summary") or "",
                    "Description": info.get("Description") or "", "Language": "nl",
                    "Catalog": "CBS", "ApiUrl": f"{base}/ODataApi/odata/{table_id}",
                    "FeedUrl": f"{base}/ODataFeed/odata/{table_id}",
                })
            frame = pd.DataFrame(rows, dtype=object)
            page, _ = QueryOptions.from_params(params).apply(frame, max(len(rows), 1))
            return {"odata.metadata": f"{base}/ODataCatalog/$metadata#ODataCatalog.Tables",
                    "value": [{k: _plain(v) for k, v in r.items()} for r in page.to_dict("records")]}

        def datasets(self, base: str, params: dict) -> dict:
            """The v4 catalogue ``/odata/v1/Datasets``: one row per table, as ``cbsodata4.get_datasets`` reads it."""
            import pandas as pd

            fields = ("Identifier", "Title", "ShortTitle", "Description", "Summary", "Language", "Catalog",
                      "Modified", "Frequency", "Period", "Status", "DatasetType", "ObservationCount")
            rows = []
            for table_id in server.shelf.ids.values():
                props = server.v4_table(table_id).properties
                rows.append({**{f: props.get(f) for f in fields}, "ObservationsModified": props.get("Modified"),
                             "Source": "CBS (mirror van impactmonitor)"})
            frame = pd.DataFrame(rows, dtype=object)
            page, _ = QueryOptions.from_params(params).apply(frame, max(len(rows), 1))
            return {"@odata.context": f"{base}/odata/v1/$metadata#Datasets",
                    "value": [{k: _plain(v) for k, v in r.items()} for r in page.to_dict("records")]}

        def send_json(self, status: int, body: dict) -> None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json;odata=minimalmetadata;charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _plain(value):
    return None if isinstance(value, float) and value != value else value


def _error(message: str) -> dict:
    return {"odata.error": {"code": "", "message": {"lang": "nl-NL", "value": message}}}


def _error_v4(message: str) -> dict:
    return {"error": {"code": "", "message": message}}
