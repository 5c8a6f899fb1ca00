"""Answers kept beside a cache folder, so a new process asks the disk, not pandas.

A query on the local cache is computed from CBS rows every time a process starts (a notebook
kernel, ``impactmonitor show``): read the parts, add up the terms, divide. The answer of that
computation is kept in ``<cache>/answers/<key>.arrow`` (Arrow IPC, the frame and its
provenance) and the next process reads that file instead.

An answer is valid only for the cache as it was: its key holds the question and a
*fingerprint* of the cache — the manifest's size and time, and the size and time of every
file the manifest lists — and of this code (the version and the catalogue, table and region
files). Fetching, repairing or damaging the cache changes the fingerprint, so an old answer
is never read; a file that cannot be read is as good as no file (the answer is computed).
Nothing here is ever executed: Arrow files hold data only.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

__all__ = ["AnswerShelf", "shelf_for"]

FOLDER = "answers"
#: Answers kept per cache folder at the most; beyond it the oldest half goes (old fingerprints).
MAX_ANSWERS = 2000
#: Schema metadata key holding the frame's ``attrs`` (its provenance) as JSON.
ATTRS_KEY = b"impactmonitor.attrs"
#: Data files the answers depend on besides the cache (their size and time are in the key).
_CODE_FILES = ("catalogue.yaml", "tables.yaml", "regions.csv", "gemeenten.csv", "aliases.csv",
               "region_changes.csv", "real_figures.yaml")


def _stat(path: Path) -> list:
    try:
        st = path.stat()
    except OSError:
        return [str(path), None]
    return [str(path), st.st_size, st.st_mtime_ns]


@lru_cache(maxsize=1)
def _code_stamp() -> str:
    from .. import __version__

    data = resources.files("impactlib").joinpath("data")
    here = Path(__file__).parent
    files = [Path(str(data.joinpath(name))) for name in _CODE_FILES]
    files += sorted(here.glob("*.py"))
    return json.dumps([__version__, *(_stat(f)[1:] for f in files)])


class AnswerShelf:
    """The answers of one cache folder (``folder/answers``)."""

    def __init__(self, folder: str | os.PathLike, manifest: str = "manifest.json"):
        self.folder = Path(folder)
        self.manifest = self.folder / manifest

    def fingerprint(self) -> str | None:
        """What the answers of this cache depend on, or ``None`` when there is no manifest."""
        stat = _stat(self.manifest)
        if stat[1] is None:
            return None
        try:
            entries = json.loads(self.manifest.read_text(encoding="utf-8")).get("entries", {})
            files = sorted(e[name] for e in entries.values() for name in ("data_file", "meta_file"))
        except (OSError, ValueError, AttributeError, KeyError, TypeError):
            return None
        return json.dumps([stat[1:], *(_stat(self.folder / f)[1:] for f in files), _code_stamp()])

    def _path(self, question: tuple, fingerprint: str) -> Path:
        digest = hashlib.sha1(json.dumps([repr(question), fingerprint]).encode("utf-8")).hexdigest()
        return self.folder / FOLDER / f"{digest}.arrow"

    def get(self, question: tuple) -> pd.DataFrame | None:
        """The answer kept for ``question`` under the cache as it is now, or ``None``."""
        import pyarrow as pa

        fingerprint = self.fingerprint()
        if fingerprint is None:
            return None
        path = self._path(question, fingerprint)
        try:
            with pa.memory_map(str(path), "r") as source:
                table = pa.ipc.open_file(source).read_all()
            frame = table.to_pandas()
            frame.attrs = json.loads(table.schema.metadata[ATTRS_KEY])
        except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
            return None
        return frame

    def put(self, question: tuple, frame: pd.DataFrame) -> None:
        """Keep ``frame`` as the answer to ``question``; a disk that refuses costs nothing."""
        import pyarrow as pa

        from ..sources.parts import atomic_write

        fingerprint = self.fingerprint()
        if fingerprint is None:
            return
        try:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            meta = dict(table.schema.metadata or {})
            meta[ATTRS_KEY] = json.dumps(frame.attrs, default=str).encode("utf-8")
            table = table.replace_schema_metadata(meta)
            sink = pa.BufferOutputStream()
            with pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)
            atomic_write(self._path(question, fingerprint), sink.getvalue().to_pybytes())
            self._prune()
        except (OSError, ValueError, TypeError, pa.ArrowException):
            return

    def _prune(self) -> None:
        with os.scandir(self.folder / FOLDER) as found:
            kept = [e for e in found if e.name.endswith(".arrow")]
        if len(kept) > MAX_ANSWERS:
            kept.sort(key=lambda e: e.stat().st_mtime_ns)
            for old in kept[: len(kept) // 2]:
                Path(old.path).unlink(missing_ok=True)


def shelf_for(src) -> AnswerShelf | None:
    """The answer shelf of a cache source (``None`` for any other source)."""
    if getattr(src, "kind", None) != "cache":
        return None
    store = getattr(src, "store", None)
    return AnswerShelf(store.path) if store is not None else None
