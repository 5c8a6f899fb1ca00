"""What every CBS interface shares: retries and one-line errors, deadlines, filters, status flags, provenance.

The two backends, :mod:`impactlib.sources.v3` (OData v3 through ``cbsodata``) and
:mod:`impactlib.sources.v4` (OData v4 through ``requests``), are siblings: each imports this
module and never the other, as xarray's backends share ``backends.common``. The live source
(:mod:`impactlib.sources.live`) is the one place that knows both.

A backend meets the :class:`Backend` protocol and, whichever interface it speaks:

- sends a server-side ``$filter`` built by :func:`build_filter` (region keys padded as CBS
  stores them, a quote doubled inside a key);
- marks provisional periods as CBS titles them (``*``, ``**`` for *nader voorlopig*,
  :func:`status_flag`);
- runs every exchange through :func:`call_with_retries` (bounded retries with backoff on
  5xx, one Dutch line for every failure) within one :class:`Deadline` per request;
- records where its figures came from with :func:`live_provenance` (host, backend, filter,
  fetched_at, CBS ``Modified``); figures an ``impactmonitor mirror`` serves from oefendata
  stay labelled synthetic (:data:`PROVENANCE_SET`, :data:`SYNTHETIC_MARKER`).

Hosts and schemes are settings (:mod:`impactlib.settings`: ``cbs_host``, ``cbs4_host``, ...).
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from typing import Protocol

import requests

from ..errors import DataFault, NotAvailableError, SourceUnavailable
from ..tables import TableBundle, pad_region_key
from ..wording import OEFENDATA_LABEL

__all__ = [
    "Backend", "Deadline", "call_with_retries", "http_status", "build_filter", "status_flag", "flag_title",
    "live_provenance", "gist", "now_iso", "DEFAULT_TIMEOUT", "FIRST_CONTACT_TIMEOUT", "MAX_PAGES", "PROVENANCE_SET", "SYNTHETIC_MARKER",
]

#: Entity set an ``impactmonitor mirror`` adds: Key/Title rows such as ``synthetic: true``.
PROVENANCE_SET = "ImpactmonitorProvenance"
#: Put in ``TableInfos[0]["Description"]`` by a mirror serving oefendata.
SYNTHETIC_MARKER = OEFENDATA_LABEL
DEFAULT_TIMEOUT = 30.0
#: Seconds a backend gets for its first, small answer when another backend could take over.
FIRST_CONTACT_TIMEOUT = 4.0
#: Pages one request may follow along ``odata.nextLink`` (10.000 rows each at CBS).
MAX_PAGES = 500


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def gist(exc: Exception) -> str:
    """The 'what happened' half of a one-line message (before the advice after ';')."""
    return str(exc).split("; ")[0].rstrip(".")


# --------------------------------------------------------------------------- the protocol
class Backend(Protocol):
    """One CBS interface. Every backend returns bundles in the v3 shape (``meta`` entity sets,
    ``data`` with padded region keys and float measures) and records itself as
    ``provenance["backend"]``, so the rest of the project never sees which one answered."""

    name: str  # "v3" or "v4"
    host: str

    def info(self, table_id: str, *, timeout: float | None = None, retries: int | None = None) -> dict: ...

    def fetch(self, table_id: str, regions=None, periods=None, filters=None) -> TableBundle: ...

    def describe(self) -> dict: ...


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


# --------------------------------------------------------------------------- status and provenance
def status_flag(row: dict) -> str:
    """``'**'`` (nader voorlopig), ``'*'`` (voorlopig) or ``''`` from a period's ``Status``.

    >>> status_flag({"Status": "Nader voorlopig"}), status_flag({"Status": "Voorlopig"}), status_flag({})
    ('**', '*', '')
    """
    status = str(row.get("Status") or "").casefold()
    return "**" if "nader voorlopig" in status else ("*" if "voorlopig" in status else "")


def flag_title(row: dict) -> None:
    """Append the provisional flag to a period row's ``Title``, as StatLine shows it (once)."""
    flag = status_flag(row)
    if flag and not str(row.get("Title") or "").endswith("*"):
        row["Title"] = f"{row.get('Title') or row['Key']}{flag}"


def live_provenance(info: dict, extra: dict, *, host: str, backend: str, filter_text: str) -> dict:
    """The provenance of a bundle fetched live: where, how, when and how new CBS says it is.

    ``info`` is the ``TableInfos`` row, ``extra`` the :data:`PROVENANCE_SET` rows (key → title)
    a mirror adds; oefendata served by a mirror stays ``synthetic``.
    """
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
    return provenance


# --------------------------------------------------------------------------- deadlines
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


# --------------------------------------------------------------------------- retries
def http_status(exc: requests.HTTPError) -> int | None:
    """The HTTP status behind an error (``None`` if there was no answer)."""
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
            status = http_status(exc)
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
