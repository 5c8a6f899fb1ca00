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

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from ..errors import DataFault, NotAvailableError
from ..tables import TableBundle

BUNDLED = "bundled"


def bundled_snapshot_dir() -> Path:
    return Path(str(resources.files("impactlib").joinpath("data/snapshot")))


def _dir(location: str | None) -> Path:
    return bundled_snapshot_dir() if location in (None, "", BUNDLED) else Path(location)


@lru_cache(maxsize=8)
def read_manifest(location: str | None = None) -> dict:
    path = _dir(location) / "manifest.json"
    if location not in (None, "", BUNDLED) and Path(location).exists() and not Path(location).is_dir():
        from ..errors import UserInputError

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
