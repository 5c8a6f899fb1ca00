"""The bundled practice snapshot ("oefendata") and portable snapshots made from a cache.

A snapshot is a folder (or the package's ``data/snapshot``) with, per table,
``<id>.meta.json`` (CBS metadata entity sets) and ``<id>.parquet`` (the TypedDataSet), plus
``manifest.json`` saying what is real and what is synthetic.

In the oefendata most figures are invented; the real ones are marked one by one:
``manifest["real_cells"]`` maps a table id to ``{measure key: [row ID, ...]}`` (cells that are
published CBS figures), and ``manifest["real_values"]`` lists published *indicator values*
(``{indicator, region_key, period, category}``; e.g. a share CBS published whose counts it did not).
A bundle carries its table's marks as ``provenance["real_cells"]``; :mod:`impactlib.query`
turns them into the ``real`` column.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
from datetime import datetime, timezone
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from ..errors import DataFault, NotAvailableError, UserInputError
from ..safety import dir_mode
from ..tables import TableBundle
from .parts import sha256
from ..wording import NOT_FOR_POLICY, OEFENDATA_LABEL

BUNDLED = "bundled"


def bundled_snapshot_dir() -> Path:
    return Path(str(resources.files("impactlib").joinpath("data/snapshot")))


def _dir(location: str | None) -> Path:
    return bundled_snapshot_dir() if location in (None, "", BUNDLED) else Path(location)


@lru_cache(maxsize=8)
def read_manifest(location: str | None = None) -> dict:
    path = _dir(location) / "manifest.json"
    if location not in (None, "", BUNDLED) and Path(location).exists() and not Path(location).is_dir():
        raise UserInputError(f"Snapshot {location} is geen map; geef met --snapshot een snapshot-map "
                             "(met manifest.json), zoals 'impactmonitor snapshot build' die maakt.")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataFault(
            f"Snapshot ontbreekt ({path}); maak de oefendata met 'python scripts/generate_oefendata.py'."
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataFault(f"Snapshot-manifest {path} is beschadigd ({exc.__class__.__name__}).") from None
    except OSError as exc:  # a name too long, a symlink loop, a folder without rights
        raise DataFault(f"Snapshot {_dir(location)} is niet te lezen ({exc.strerror or exc.__class__.__name__}); "
                        "geef met --snapshot een snapshot-map.") from None


@lru_cache(maxsize=32)
def _load(location: str | None, table_id: str) -> TableBundle:
    folder = _dir(location)
    manifest = read_manifest(location)
    meta_path, data_path = folder / f"{table_id}.meta.json", folder / f"{table_id}.parquet"
    if not meta_path.exists():
        raise NotAvailableError(
            f"Tabel {table_id} zit niet in de snapshot ({', '.join(manifest.get('tables', {}))})."
        )
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        data = pd.read_parquet(data_path)
    except Exception as exc:  # noqa: BLE001 - any read error means a damaged snapshot
        raise DataFault(f"Snapshot-tabel {table_id} is niet te lezen ({exc.__class__.__name__}).") from None
    real = (manifest.get("real_cells") or {}).get(table_id) or {}
    provenance = {
        "real_cells": {m: sorted(int(i) for i in ids) for m, ids in real.items()},
        "real_values": [v for v in manifest.get("real_values") or [] if table_id in (v.get("tables") or [table_id])],
        "kind": "snapshot",
        "synthetic": bool(manifest.get("synthetic", False)),
        "name": manifest.get("name", "snapshot"),
        "host": manifest.get("host"),
        "fetched_at": manifest.get("created"),
        "modified": (meta.get("TableInfos") or [{}])[0].get("Modified"),
    }
    return TableBundle(table_id, meta, data, provenance)


class SnapshotSource:
    kind = "snapshot"

    def __init__(self, location: str | None = None):
        self.location = None if location in (None, "", BUNDLED) else str(location)

    def table(self, table_id, *, regions=None, periods=None, filters=None) -> TableBundle:
        bundle = _load(self.location, table_id)
        if regions is None and periods is None and not filters:
            return bundle
        return bundle.select(regions=regions, periods=periods, filters=filters)

    def manifest(self) -> dict:
        return read_manifest(self.location)

    def describe(self) -> dict:
        m = self.manifest()
        return {
            "kind": "snapshot",
            "synthetic": bool(m.get("synthetic")),
            "name": m.get("name"),
            "location": str(_dir(self.location)),
            "created": m.get("created"),
            "tables": m.get("tables", {}),
            "periods": m.get("periods"),
            "note": m.get("note"),
            "real": m.get("real", []),
        }


# --------------------------------------------------------------------------- portable snapshots
def export_snapshot(store, out: str | os.PathLike, *, name: str | None = None) -> dict:
    """Write a cache (a :class:`~impactlib.sources.cache.CacheStore`) as a snapshot folder that
    :class:`SnapshotSource` reads.

    Per table ``<id>.meta.json`` and ``<id>.parquet`` (all cached parts merged) plus
    ``manifest.json``; the folder appears whole or not at all (built aside, then renamed).
    Oefendata stays marked synthetic.
    """
    out = Path(out).expanduser()
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / "manifest.json").exists())):
        raise UserInputError(f"{out} bestaat al en is geen snapshot-map; kies een andere --out.")
    ids = store.table_ids()
    if not ids:
        raise NotAvailableError(f"De cache {store.path} is leeg; vul hem eerst met 'impactmonitor fetch'.")
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}."))
    try:
        os.chmod(work, dir_mode())  # the user's umask, not mkdtemp's 0700
        tables, checksums, periods, provisional, hosts, synthetic = {}, {}, set(), set(), set(), False
        for table_id in ids:
            bundle = store.merged(table_id)
            buf = io.BytesIO()
            bundle.data.to_parquet(buf, index=False)
            files = {f"{table_id}.parquet": buf.getvalue(),
                     f"{table_id}.meta.json": json.dumps(bundle.meta, ensure_ascii=False, indent=1).encode("utf-8")}
            for fname, data in files.items():
                (work / fname).write_bytes(data)
                checksums[fname] = sha256(data)
            prov = bundle.provenance
            synthetic |= bool(prov.get("synthetic"))
            hosts.add(prov.get("host") or "")
            titles = bundle.period_titles()
            time = bundle.time_dimension()
            keys = set(bundle.data[time].str.strip()) if len(bundle.data) and time in bundle.data else set()  # KWB: no periods
            periods |= keys
            provisional |= {k for k in keys if str(titles.get(k, "")).endswith("*")}
            tables[table_id] = {"title": bundle.title, "rows": int(len(bundle.data)), "modified": bundle.modified,
                                "fetched_at": prov.get("fetched_at"), "host": prov.get("host"),
                                "synthetic": bool(prov.get("synthetic"))}
        halves = sorted(p for p in periods if "HJ" in p) or sorted(periods)
        manifest = {
            "name": name or ("oefendata" if synthetic else "cbs-cache"),
            "synthetic": synthetic,
            "format_version": 1,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "host": ", ".join(sorted(hosts - {""})) or None,
            "source": "cache",
            "note": (f"{OEFENDATA_LABEL}: {NOT_FOR_POLICY}." if synthetic
                     else "Cijfers van CBS (CC BY 4.0), opgehaald in de lokale cache."),
            "periods": {"first": halves[0] if halves else None, "last": halves[-1] if halves else None,
                        "provisional": sorted(provisional)},
            "tables": tables,
            "checksums": checksums,
        }
        (work / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        old = None
        if out.exists():
            old = out.with_name(f".{out.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(out, old)
        os.replace(work, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return manifest
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
