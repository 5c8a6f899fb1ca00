"""What the v3 and v4 shapes of the mirror share: table infos, provenance rows, frames, integer measures.

Both shapes tell a client whether the figures are oefendata in two ways, as CBS clients read
either: the ``TableInfos``/``Properties`` description starts with
:data:`~impactlib.sources.common.SYNTHETIC_MARKER` (:func:`table_infos`), and an entity set
of our own, :data:`~impactlib.sources.common.PROVENANCE_SET`, holds ``synthetic``, ``kind``,
``name``, ``origin_host`` and ``fetched_at`` (:func:`provenance_rows`). The names come from
:mod:`impactlib.sources.common`, which the live backends read them with.
"""

from __future__ import annotations

import pandas as pd

from ..sources.common import PROVENANCE_SET, SYNTHETIC_MARKER
from ..tables import TableBundle

__all__ = ["table_infos", "provenance_rows", "frame", "all_integral", "INTEGER_TYPES", "PROVENANCE_SET"]

#: CBS ``Datatype`` values of whole-number measures (sent as JSON integers).
INTEGER_TYPES = ("Long", "Integer", "Short", "Int32", "Int64", "Byte")


def table_infos(bundle: TableBundle) -> list[dict]:
    """The ``TableInfos`` rows, the description marked when the figures are synthetic."""
    infos = [dict(row) for row in bundle.meta.get("TableInfos") or []] or [
        {"ID": 0, "Identifier": bundle.table_id, "Title": bundle.title, "Modified": bundle.modified}
    ]
    if bundle.provenance.get("synthetic"):
        desc = str(infos[0].get("Description") or "")
        if SYNTHETIC_MARKER not in desc:
            infos[0]["Description"] = f"{SYNTHETIC_MARKER}: {desc}".rstrip(": ")
    return infos


def provenance_rows(bundle: TableBundle) -> list[dict]:
    """The :data:`PROVENANCE_SET` rows (``Key``/``Title``) for a bundle."""
    prov = bundle.provenance
    values = {
        "synthetic": "true" if prov.get("synthetic") else "false",
        "kind": prov.get("kind") or "",
        "name": prov.get("name") or "",
        "origin_host": prov.get("origin_host") or prov.get("host") or "",
        "fetched_at": prov.get("fetched_at") or "",
    }
    return [{"Key": k, "Title": str(v), "Description": ""} for k, v in values.items()]


def frame(rows: list[dict]) -> pd.DataFrame:
    """Entity-set rows as a frame of plain objects (empty rows: an empty frame)."""
    return pd.DataFrame([dict(r) for r in rows], dtype=object) if rows else pd.DataFrame()


def all_integral(col: pd.Series) -> bool:
    """Every known value a whole number (a measure without a ``Datatype`` is then sent as integers)."""
    values = pd.to_numeric(col, errors="coerce").dropna()
    return bool(((values % 1) == 0).all())
