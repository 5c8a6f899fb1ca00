"""The JSON shapes of CBS's OData v3 service, made from a :class:`~impactlib.tables.TableBundle`.

One table is served as its entity sets, in the order CBS lists them in the service
document: ``TableInfos``, ``UntypedDataSet``, ``TypedDataSet``, ``DataProperties``,
``CategoryGroups``, one set per dimension, and ``ImpactmonitorProvenance`` — a set of our
own (``Key``/``Title`` rows, so ``cbsodata.get_data`` passes it by) that tells a client
whether the figures are oefendata. ``TableInfos[0]["Description"]`` carries the same
marker for clients that read nothing else (both shared with the v4 shape, :mod:`.common`).
"""

from __future__ import annotations

import math

import pandas as pd

from ..tables import TableBundle
from .common import INTEGER_TYPES, PROVENANCE_SET, all_integral, frame, provenance_rows, table_infos

__all__ = ["ServedTable", "INTEGER_TYPES", "DATA_SETS"]

DATA_SETS = ("UntypedDataSet", "TypedDataSet")


class ServedTable:
    """One table ready to be served: metadata sets as frames, data in typed and untyped form."""

    def __init__(self, bundle: TableBundle):
        self.bundle = bundle
        self.table_id = bundle.table_id
        self.sets: dict[str, pd.DataFrame | None] = {"TableInfos": frame(table_infos(bundle))}
        self.sets.update({name: None for name in DATA_SETS})
        self.sets["DataProperties"] = frame(bundle.properties())
        self.sets["CategoryGroups"] = frame(bundle.meta.get("CategoryGroups") or [])
        for dim in bundle.dimensions():
            self.sets[dim] = frame(bundle.categories(dim))
        self.sets[PROVENANCE_SET] = frame(provenance_rows(bundle))
        measures = [m for m in bundle.measures() if m in bundle.data]
        dims = [d for d in bundle.dimensions() if d in bundle.data]
        columns = (["ID"] if "ID" in bundle.data else []) + dims + measures
        self.data = bundle.data[columns].reset_index(drop=True)
        self.measures = measures
        types = {p["Key"]: p.get("Datatype") for p in bundle.properties()}
        self.integer = {
            m for m in measures
            if types.get(m) in INTEGER_TYPES
            or (types.get(m) is None and all_integral(self.data[m]))
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


def _json_value(value):
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    return value
