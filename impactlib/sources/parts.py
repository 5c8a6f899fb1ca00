"""What a part of the cache is, wherever it is stored: its request, its name, its bytes, its age.

A *part* is one table for one request. :func:`request_key` puts a request in canonical form
(sorted, stripped keys; ``None`` = everything) and :func:`covers` says whether a part holds
every row another request needs, so a cache (and the live source's memory) can answer a
narrow request from a wider one. A part lives under its table id (:func:`check_table_id`:
never a path), its files are written whole or not at all (:func:`atomic_write`) and checked
with :func:`sha256`; :func:`age_days` and :func:`newer` compare its dates with CBS's.

>>> covers(request_key(["NL01", "VT22"]), request_key(["VT22"]))
True
>>> covers(request_key(["VT22"], ["2021HJ01"]), request_key(["VT22"]))
False
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from ..errors import UserInputError
from ..safety import file_mode

__all__ = [
    "request_key", "covers", "sha256", "atomic_write", "parse_time", "age_days", "age_text",
    "valid_table_id", "check_table_id", "newer",
]


# --------------------------------------------------------------------------- requests
def _keys(values) -> list[str] | None:
    return None if values is None else sorted({str(v).strip() for v in values})


def request_key(regions=None, periods=None, filters=None) -> dict:
    """A request in canonical form: sorted, stripped keys; ``None`` = everything."""
    return {
        "regions": _keys(regions),
        "periods": _keys(periods),
        "filters": {d: _keys(v) for d, v in sorted((filters or {}).items())},
    }


def covers(held: dict, want: dict) -> bool:
    """Does a part fetched for ``held`` contain every row a request ``want`` needs?

    A request for no regions (``regions=[]``: the table's metadata only) needs no rows, so any
    part of the table answers it.
    """

    def within(have, need):
        return have is None or (need is not None and set(need) <= set(have))

    if want["regions"] == []:
        return True
    if not (within(held["regions"], want["regions"]) and within(held["periods"], want["periods"])):
        return False
    return all(within(keys, want["filters"].get(dim)) for dim, keys in held["filters"].items())


# --------------------------------------------------------------------------- files
def sha256(data: bytes) -> str:
    """The hex sha256 of ``data`` (what the manifest records for every file)."""
    return hashlib.sha256(data).hexdigest()


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, file_mode())  # the user's umask, not mkstemp's 0600
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- ages
def parse_time(text: str | None) -> datetime | None:
    """An ISO time (``None`` if unreadable); one without a zone counts as UTC."""
    try:
        moment = datetime.fromisoformat(str(text))
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def age_days(fetched_at: str | None) -> int | None:
    moment = parse_time(fetched_at)
    return None if moment is None else max(0, (datetime.now(timezone.utc) - moment).days)


def age_text(days: int | None) -> str:
    """``0`` → ``'vandaag'``, ``1`` → ``'1 dag oud'``, ``12`` → ``'12 dagen oud'``."""
    if days is None:
        return "leeftijd onbekend"
    return "vandaag" if days == 0 else f"{days} dag{'en' if days != 1 else ''} oud"


# --------------------------------------------------------------------------- names
def valid_table_id(table_id) -> bool:
    """A CBS table id: digits and letters, e.g. ``84852NED`` or ``03759ned`` (``_`` allowed, as in
    the assumed ``OTS_REGIO``); never a path (no ``/``, ``\\``, ``.``)."""
    return isinstance(table_id, str) and bool(re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z_]{1,31}", table_id))


def check_table_id(table_id) -> str:
    """``table_id`` if it is a CBS table id, else one Dutch line (so no name can point a file elsewhere)."""
    if not valid_table_id(table_id):
        shown = str(table_id).replace("\x00", "\\0").replace("\n", " ")[:40]
        raise UserInputError(f"Tabel-id '{shown}' is ongeldig; een CBS-tabel-id bestaat uit cijfers en letters, "
                             "bijvoorbeeld 84852NED of 03759ned.")
    return table_id


def newer(cbs_modified, cached_modified) -> bool:
    """Is CBS's ``Modified`` later than the cached part's? Unreadable dates count as newer
    (so one bad date from a server never freezes the cache as 'actueel')."""
    theirs, ours = parse_time(cbs_modified), parse_time(cached_modified)
    return theirs is None or ours is None or theirs > ours
