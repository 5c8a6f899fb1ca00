"""The JSON shapes of CBS's OData v3 service, made from a :class:`~impactlib.tables.TableBundle`.

One table is served as its entity sets, in the order CBS lists them in the service
document: ``TableInfos``, ``UntypedDataSet``, ``TypedDataSet``, ``DataProperties``,
``CategoryGroups``, one set per dimension, and ``ImpactmonitorProvenance`` — a set of our
own (``Key``/``Title`` rows, so ``cbsodata.get_data`` passes it by) that tells a client
whether the figures are oefendata. ``TableInfos[0]["Description"]`` carries the same
marker for clients that read nothing else.
"""

from __future__ import annotations

import math

import pandas as pd

from ..sources.live import PROVENANCE_SET, SYNTHETIC_MARKER
from ..tables import TableBundle

__all__ = ["ServedTable", "INTEGER_TYPES"]

INTEGER_TYPES = ("Long", "Integer", "Short", "Int32", "Int64", "Byte")
DATA_SETS = ("UntypedDataSet", "TypedDataSet")


def _table_infos(bundle: TableBundle) -> list[dict]:
    infos = [dict(row) for row in bundle.meta.get("TableInfos") or []] or [
        {"ID": 0, "Identifier": bundle.table_id, "Title": bundle.title, "Modified": bundle.modified}
    ]
    if bundle.provenance.get("synthetic"):
        desc = str(infos[0].get("Description") or "")
        if SYNTHETIC_MARKER not in desc:
            infos[0]["Description"] = f"{SYNTHETIC_MARKER}: {desc}".rstrip(": ")
    return infos


def _provenance_rows(bundle: TableBundle) -> list[dict]:
    prov = bundle.provenance
    values = {
        "synthetic": "true" if prov.get("synthetic") else "false",
        "kind": prov.get("kind") or "",
        "name": prov.get("name") or "",
        "origin_host": prov.get("origin_host") or prov.get("host") or "",
        "fetched_at": prov.get("fetched_at") or "",
    }
    return [{"Key": k, "Title": str(v), "Description": ""} for k, v in values.items()]


class ServedTable:
    """One table ready to be served: metadata sets as frames, data in typed and untyped form."""

    def __init__(self, bundle: TableBundle):
        self.bundle = bundle
        self.table_id = bundle.table_id
        self.sets: dict[str, pd.DataFrame | None] = {"TableInfos": _frame(_table_infos(bundle))}
        self.sets.update({name: None for name in DATA_SETS})
        self.sets["DataProperties"] = _frame(bundle.properties())
        self.sets["CategoryGroups"] = _frame(bundle.meta.get("CategoryGroups") or [])
        for dim in bundle.dimensions():
            self.sets[dim] = _frame(bundle.categories(dim))
        self.sets[PROVENANCE_SET] = _frame(_provenance_rows(bundle))
        measures = [m for m in bundle.measures() if m in bundle.data]
        dims = [d for d in bundle.dimensions() if d in bundle.data]
        columns = (["ID"] if "ID" in bundle.data else []) + dims + measures
        self.data = bundle.data[columns].reset_index(drop=True)
        self.measures = measures
        types = {p["Key"]: p.get("Datatype") for p in bundle.properties()}
        self.integer = {
            m for m in measures
            if types.get(m) in INTEGER_TYPES
            or (types.get(m) is None and _all_integral(self.data[m]))
        }
        self.decimals = {p["Key"]: p.get("Decimals") for p in bundle.properties()}

    def names(self) -> list[str]:
        return list(self.sets)

    def frame(self, name: str) -> pd.DataFrame:
        return self.data if name in DATA_SETS else self.sets[name]

    def records(self, name: str, rows: pd.DataFrame) -> list[dict]:
        """JSON rows: typed numbers (``null`` = unknown) or untyped strings (``'.'``)."""
        if name not in DATA_SETS:
            return [{k: _json_value(v) for k, v in row.items()} for row in rows.to_dict("records")]
        typed = name == "TypedDataSet"
        out = []
        for row in rows.to_dict("records"):
            for k, v in row.items():
                if k in self.measures:
                    row[k] = self._typed(k, v) if typed else self._untyped(k, v)
                elif k == "ID":
                    row[k] = int(v)
                else:
                    row[k] = _json_value(v)
            out.append(row)
        return out

    def _typed(self, key, value):
        if value is None or pd.isna(value):
            return None
        return int(value) if key in self.integer and float(value).is_integer() else float(value)

    def _untyped(self, key, value) -> str:
        if value is None or pd.isna(value):
            return "."
        if key in self.integer and float(value).is_integer():
            return str(int(value))
        decimals = self.decimals.get(key)
        return f"{float(value):.{int(decimals)}f}" if isinstance(decimals, int) else repr(float(value))


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([dict(r) for r in rows], dtype=object) if rows else pd.DataFrame()


def _all_integral(col: pd.Series) -> bool:
    values = pd.to_numeric(col, errors="coerce").dropna()
    return bool(((values % 1) == 0).all())


def _json_value(value):
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    return value
