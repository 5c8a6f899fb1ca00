"""The local cache of CBS tables: fetched once, used offline, checked on every read.

Layout of a cache folder (default ``settings.current().cache_path``)::

    manifest.json                    format version + one entry per cached part
    manifest.lock                    taken while a process writes (``filelock``)
    <table id>/<entry>.parquet       the TypedDataSet rows of that part
    <table id>/<entry>.meta.json     CBS metadata entity sets + provenance

A *part* is one table for one request (region keys, period keys, dimension keys; ``None``
= all). Its manifest entry records table id, host, backend, CBS ``Modified``, fetched_at,
the request and the ``$filter`` sent, row count and the sha256 of both files. A request is
answered from the newest part that *covers* it (:func:`~impactlib.sources.parts.covers`),
selecting locally; what a part is lives in :mod:`impactlib.sources.parts`, how a cache
becomes a portable snapshot in :func:`impactlib.sources.snapshot.export_snapshot`.

Every write goes to a temporary file in the same folder followed by ``os.replace``; a file
whose checksum no longer matches is reported and skipped (and refetched when online). A
cache written by another format version is reported and ignored. Reports are notes for the
user: warnings on the ``impactmonitor.sources.cache`` logger (the CLI prints them as
``impactmonitor: <text>``).
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import logging
import os
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from ..errors import CorruptEntry, DataFault, ImpactError, NotAvailableError
from ..tables import TableBundle
from .parts import age_days, age_text, atomic_write, check_table_id, covers, newer, request_key, sha256, valid_table_id
from .snapshot import export_snapshot  # importable from here as before, as are age_text, newer, ...

__all__ = [
    "CacheStore", "CacheSource", "CorruptEntry", "request_key", "covers", "export_snapshot", "CACHE_FORMAT",
    "age_text", "check_table_id", "newer",
]

CACHE_FORMAT = 1
MANIFEST = "manifest.json"
LOCK = "manifest.lock"
#: Seconds a writer waits for another process that is writing the same cache.
LOCK_TIMEOUT = 120

log = logging.getLogger("impactmonitor.sources.cache")

_ENTRY_TEXT = ("id", "table_id", "data_file", "meta_file", "sha256", "meta_sha256")


def _shown(value) -> str:
    return str(value).replace("\n", " ")[:20]


def _inside(name) -> bool:
    """A file name from the manifest that stays inside the cache folder (``<table>/<file>``)."""
    parts = Path(str(name)).parts
    return len(parts) == 2 and valid_table_id(parts[0]) and not parts[1].startswith(".") and ".." not in parts


def _well_formed(data: dict) -> bool:
    """The manifest has the shape this version writes: ``entries`` maps ids to complete entries
    whose files lie inside the cache folder."""
    entries = data.get("entries")
    if not isinstance(entries, dict):
        return False
    for entry in entries.values():
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in _ENTRY_TEXT):
            return False
        request = entry.get("request")
        if not isinstance(request, dict) or not isinstance(request.get("filters", {}), dict):
            return False
        if not all(k in request and (request[k] is None or isinstance(request[k], list)) for k in ("regions", "periods")):
            return False
        if not (_inside(entry["data_file"]) and _inside(entry["meta_file"]) and valid_table_id(entry["table_id"])):
            return False
    return True


#: Files whose checksum this process verified, by ``(path, size, mtime_ns)``: a cache file is
#: written once (to a temporary file, then renamed), so while its size and time stay the same
#: its bytes are the ones checked, and a new session need not hash it again.
_verified: dict[tuple[str, int, int], str] = {}
#: Parsed manifests by ``(path, size, mtime_ns)`` (callers get a copy).
_manifests: dict[tuple[str, int, int], dict] = {}
_MEMO_LIMIT = 4096


def _stat_key(path: Path) -> tuple[str, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (str(path), st.st_size, st.st_mtime_ns)


def _remember(memo: dict, key, value) -> None:
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    memo[key] = value


# --------------------------------------------------------------------------- the store
class CacheStore:
    """Read and write cached parts of CBS tables in one folder."""

    def __init__(self, path: str | os.PathLike | None = None):
        from .. import settings

        self.path = Path(path or settings.current().cache_path).expanduser()
        self._reported: set[str] = set()
        self._quiet = False
        #: ``(error type, reason)`` when the manifest is damaged or of another format.
        self.problem: tuple[type, str] | None = None
        #: Why the last :meth:`save_quietly` could not store its part (``None``: it could).
        self.write_error: str | None = None

    # -- manifest ---------------------------------------------------------------------
    def manifest(self) -> dict:
        """The manifest; an unreadable one or one of another format counts as empty."""
        path = self.path / MANIFEST
        empty = {"format": CACHE_FORMAT, "entries": {}}
        stat = _stat_key(path)
        if stat in _manifests:
            return copy.deepcopy(_manifests[stat])
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return empty
        except (OSError, ValueError):
            return self._unusable(DataFault, f"het cache-overzicht {path} is beschadigd", "de cache wordt opnieuw gevuld")
        if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
            version = data.get("format") if isinstance(data, dict) else "?"
            return self._unusable(NotAvailableError, f"de cache in {self.path} heeft een ander formaat (versie {_shown(version)}, "
                                  f"verwacht {CACHE_FORMAT})", "die wordt genegeerd en opnieuw opgehaald")
        if not _well_formed(data):
            return self._unusable(DataFault, f"het cache-overzicht {path} is beschadigd", "de cache wordt opnieuw gevuld")
        if stat is not None and stat == _stat_key(path):  # unchanged while it was read
            _remember(_manifests, stat, copy.deepcopy(data))
        return data

    def _unusable(self, kind: type, reason: str, consequence: str) -> dict:
        """A damaged manifest or one of another format counts as empty (its files stay as they are)."""
        self.problem = (kind, reason)
        self._report("manifest", f"{reason[:1].upper()}{reason[1:]}; {consequence}.")
        return {"format": CACHE_FORMAT, "entries": {}}

    def entries(self, table_id: str | None = None) -> list[dict]:
        """Manifest entries (of one table), newest first."""
        rows = [e for e in self.manifest()["entries"].values() if table_id in (None, e["table_id"])]
        return sorted(rows, key=lambda e: e.get("fetched_at") or "", reverse=True)

    def table_ids(self) -> list[str]:
        return sorted({e["table_id"] for e in self.entries()})

    def find(self, table_id: str, want: dict) -> list[dict]:
        """Entries of ``table_id`` that cover the request, newest first."""
        return [e for e in self.entries(table_id) if covers(e["request"], want)]

    # -- read -------------------------------------------------------------------------
    def _read(self, entry: dict, name: str, checksum: str) -> bytes:
        path = self.path / entry[name]
        try:
            data = path.read_bytes()
        except OSError:
            data = b""
        if sha256(data) != checksum:
            raise CorruptEntry(
                f"Cachebestand {path.name} van tabel {entry['table_id']} is beschadigd of onvolledig "
                "(controlegetal klopt niet)."
            )
        return data

    def _verify(self, entry: dict, name: str, checksum: str) -> Path:
        """The path of a cached file whose checksum holds (checked once per file version and process)."""
        path = self.path / entry[name]
        stat = _stat_key(path)
        if stat is None or _verified.get(stat) != checksum:
            self._read(entry, name, checksum)
            if stat is not None and stat == _stat_key(path):
                _remember(_verified, stat, checksum)
        return path

    def load(self, entry: dict, *, rows: bool = True) -> TableBundle:
        """The cached part as a bundle with ``kind: cache``; :class:`CorruptEntry` if damaged.

        ``rows=False``: the metadata with an empty frame of the same columns (a request for
        ``regions=[]``), without reading the data rows.
        """
        import pyarrow.parquet as pq

        meta_doc = json.loads(self._verify(entry, "meta_file", entry["meta_sha256"]).read_bytes())
        data_path = self._verify(entry, "data_file", entry["sha256"])
        try:
            if rows:
                data = pq.read_table(data_path).to_pandas()
            else:
                data = pq.read_schema(data_path).empty_table().to_pandas()
        except (OSError, ValueError) as exc:  # changed after the check: as damaged as a wrong checksum
            _verified.pop(_stat_key(data_path), None)
            raise CorruptEntry(f"Cachebestand {data_path.name} van tabel {entry['table_id']} is onleesbaar ({exc}).") from None
        prov = dict(meta_doc.get("provenance") or {})
        prov.update({
            "kind": "cache",
            "origin": prov.get("kind"),
            "synthetic": bool(entry.get("synthetic")),
            "host": entry.get("host"),
            "backend": entry.get("backend"),
            "fetched_at": entry.get("fetched_at"),
            "modified": entry.get("modified"),
            "cache_dir": str(self.path),
            "age_days": age_days(entry.get("fetched_at")),
        })
        return TableBundle(entry["table_id"], meta_doc["meta"], data, prov)

    def merged(self, table_id: str) -> TableBundle:
        """Every sound part of a table as one bundle (newest rows win); for mirror and snapshot."""
        bundles = []
        for entry in self.entries(table_id):
            try:
                bundles.append(self.load(entry))
            except CorruptEntry as exc:
                self._report(entry["id"], f"{exc} Dit deel wordt overgeslagen.")
        if not bundles:
            raise NotAvailableError(f"Tabel {table_id} zit niet (onbeschadigd) in de cache {self.path}.")
        newest = bundles[0]
        dims = [d for d in newest.dimensions() if d in newest.data]
        parts = [b.data_keyed_like(newest) for b in bundles]  # v3 and v4 parts name measures differently
        data = pd.concat(parts, ignore_index=True).drop_duplicates(subset=dims)
        data = data.sort_values("ID" if "ID" in data else dims).reset_index(drop=True)
        prov = dict(newest.provenance, synthetic=any(b.provenance.get("synthetic") for b in bundles))
        return TableBundle(table_id, newest.meta, data, prov)

    # -- write ------------------------------------------------------------------------
    def lock(self):
        """The lock that keeps two processes from writing the cache at once (``filelock``)."""
        from filelock import FileLock

        self.path.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.path / LOCK), timeout=LOCK_TIMEOUT)

    def clean_orphans(self) -> int:
        """Remove files no manifest entry names (left by an interrupted or concurrent writer).

        Only with a sound manifest, under the lock; returns the number of files removed.
        """
        if not self.path.is_dir():
            return 0
        with self.lock():
            entries = self.manifest()["entries"]
            if self.problem:
                return 0  # a damaged manifest does not say which files are in use
            used = {str(Path(e[k])) for e in entries.values() for k in ("data_file", "meta_file")}
            removed = 0
            for folder in [p for p in self.path.iterdir() if p.is_dir() and valid_table_id(p.name)]:
                for path in folder.iterdir():
                    if path.is_file() and str(Path(folder.name) / path.name) not in used:
                        path.unlink(missing_ok=True)
                        removed += 1
            for path in self.path.glob(f".{MANIFEST}.*.tmp"):
                path.unlink(missing_ok=True)
                removed += 1
            return removed

    def save(self, bundle: TableBundle, want: dict) -> dict:
        """Store a fetched bundle as the part for request ``want``; parts it covers are dropped.

        Files and manifest are written under :meth:`lock`, so two processes filling one cache
        never lose each other's entries."""
        check_table_id(bundle.table_id)
        with self.lock():
            return self._save(bundle, want)

    def _save(self, bundle: TableBundle, want: dict) -> dict:
        prov = bundle.provenance
        entry_id = hashlib.sha1(json.dumps([bundle.table_id, want], sort_keys=True).encode()).hexdigest()[:16]
        folder = Path(bundle.table_id)
        buf = io.BytesIO()
        bundle.data.reset_index(drop=True).to_parquet(buf, index=False)
        data = buf.getvalue()
        meta = json.dumps({"table_id": bundle.table_id, "meta": bundle.meta, "provenance": prov},
                          ensure_ascii=False, default=str).encode("utf-8")
        entry = {
            "id": entry_id,
            "table_id": bundle.table_id,
            "host": prov.get("host"),
            "backend": prov.get("backend"),
            "modified": bundle.modified,
            "fetched_at": prov.get("fetched_at") or datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "request": want,
            "filter": prov.get("filter", ""),
            "rows": int(len(bundle.data)),
            "synthetic": bool(prov.get("synthetic")),
            "format": CACHE_FORMAT,
            "data_file": str(folder / f"{entry_id}.parquet"),
            "meta_file": str(folder / f"{entry_id}.meta.json"),
            "sha256": sha256(data),
            "meta_sha256": sha256(meta),
        }
        atomic_write(self.path / entry["data_file"], data)
        atomic_write(self.path / entry["meta_file"], meta)
        manifest = self.manifest()
        entries = manifest["entries"]
        for other in [e for e in entries.values() if e["table_id"] == bundle.table_id and e["id"] != entry_id]:
            if covers(want, other["request"]):
                del entries[other["id"]]
                for name in ("data_file", "meta_file"):
                    if _inside(other[name]):
                        (self.path / other[name]).unlink(missing_ok=True)
        entries[entry_id] = entry
        manifest.update(format=CACHE_FORMAT, updated=entry["fetched_at"])
        atomic_write(self.path / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False).encode("utf-8"))
        return entry

    def save_quietly(self, bundle: TableBundle, want: dict) -> dict | None:
        """:meth:`save`, but a full disk or a read-only folder only costs a note."""
        try:
            return self.save(bundle, want)
        except OSError as exc:
            self.write_error = exc.strerror or exc.__class__.__name__
            self._report("write", f"Kon de cache in {self.path} niet bijwerken ({self.write_error}); "
                                  "de cijfers zijn wel opgehaald.")
            return None

    # -- reporting --------------------------------------------------------------------
    def describe(self) -> dict:
        """Provenance of the whole cache: per table its newest part (host, dates, rows)."""
        entries = self.entries()
        tables: dict[str, dict] = {}
        for e in entries:  # newest first: the first entry of a table describes it
            row = tables.setdefault(e["table_id"], {
                **{k: e.get(k) for k in ("host", "backend", "modified", "fetched_at", "rows", "synthetic")},
                "age_days": age_days(e.get("fetched_at")), "parts": 0,
            })
            row["parts"] += 1
        return {
            "kind": "cache",
            "location": str(self.path),
            "format": CACHE_FORMAT,
            "synthetic": any(e.get("synthetic") for e in entries),
            "hosts": sorted({e.get("host") or "" for e in entries} - {""}),
            "tables": dict(sorted(tables.items())),
        }

    def _report(self, key: str, text: str) -> None:
        if key not in self._reported:
            self._reported.add(key)
            if not self._quiet:
                log.warning(text)

    @contextmanager
    def quiet(self):
        """Keep remarks to oneself: the caller says them in its own one-line message."""
        self._quiet = True
        try:
            yield self
        finally:
            self._quiet = False


# --------------------------------------------------------------------------- the source
class CacheSource:
    """Answers from the cache. ``refetch`` (a callable returning a live source) repairs damage."""

    kind = "cache"

    def __init__(self, store: CacheStore | None = None, *, refetch=None, announce: bool = True):
        self.store = store or CacheStore()
        self.refetch = refetch
        self.announce = announce
        self._announced = False

    def table(self, table_id, *, regions=None, periods=None, filters=None) -> TableBundle:
        want = request_key(regions, periods, filters)
        with self.store.quiet():  # a damaged manifest is said in the one line raised below
            found = self.store.find(table_id, want)
        damaged = []
        for entry in found:
            try:
                bundle = self.store.load(entry, rows=regions is None or len(regions) > 0)
            except CorruptEntry as exc:
                damaged.append((entry, exc))
                continue
            for bad, exc in damaged:  # another, sound part answered: still say what is damaged
                self.store._report(bad["id"], str(exc))
            self.say_age(bundle.provenance)
            return bundle.select(regions=regions, periods=periods, filters=filters)
        if damaged:
            return self._repair(table_id, *damaged[0], regions, periods, filters)
        if self.store.problem:
            kind, reason = self.store.problem
            raise kind(f"Tabel {table_id} is niet uit de cache te lezen: {reason}; "
                       f"haal hem opnieuw op met 'impactmonitor fetch --tables {table_id}'.")
        raise NotAvailableError(
            f"Tabel {table_id} zit (voor deze regio's en perioden) niet in de cache {self.store.path}; "
            f"haal hem op met 'impactmonitor fetch --tables {table_id}'."
        )

    def _repair(self, table_id, entry, damage, regions, periods, filters) -> TableBundle:
        """Fetch the damaged part again, as a whole, so the new part takes its place in the cache."""
        if self.refetch is None:
            raise DataFault(f"{damage} Haal de tabel opnieuw op met 'impactmonitor fetch --tables {table_id}'.")
        held = entry["request"]
        try:
            bundle = self.refetch().table(table_id, regions=held.get("regions"), periods=held.get("periods"),
                                          filters=held.get("filters") or None)
        except ImpactError as exc:
            raise DataFault(f"{damage} Opnieuw ophalen lukt niet: {exc}") from None
        self.store._report(f"repaired:{entry['id']}",
                           f"{damage} Tabel {table_id} is opnieuw opgehaald bij {bundle.provenance.get('host')}.")
        return bundle.select(regions=regions, periods=periods, filters=filters)

    def say_age(self, prov: dict) -> None:
        """The note that figures come from the cache, and how old they are (once per source)."""
        if self.announce and not self._announced:
            self._announced = True
            log.warning(f"Cijfers uit de cache (opgehaald {str(prov.get('fetched_at'))[:10]}, "
                 f"{age_text(prov.get('age_days'))}).")

    def describe(self) -> dict:
        return self.store.describe()

