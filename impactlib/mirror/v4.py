"""The JSON shapes of CBS's OData v4 service (``datasets.cbs.nl``), made from a v3-shaped bundle.

A table is served under ``/odata/v1/CBS/<table>/`` as these entity sets:

- ``Properties``: one object (``Identifier``, ``Title``, ``Description``, ``Modified``, ...);
- ``Dimensions``: ``Identifier``, ``Title``, ``Kind`` (``Dimension``/``GeoDimension``/``TimeDimension``);
- ``MeasureCodes``: ``Identifier``, ``Index``, ``Title``, ``Unit``, ``Decimals``, ``DataType``,
  ``MeasureGroupId``; ``MeasureGroups`` (``Id``, ``Index``, ``Title``, ``ParentId``: the v3
  ``TopicGroup`` rows, so nested measures such as 85361NED's keep their title path);
- ``<Dimension>Codes``: ``Identifier`` (region keys unpadded), ``Index``, ``Title``,
  ``DimensionGroupId``; period codes carry ``Status`` (``Definitief``/``Voorlopig``/``Nader
  voorlopig``) and titles without ``*``;
- ``Observations``: one row per cell: ``Id``, ``Measure``, one column per dimension,
  ``Value``, ``StringValue``, ``ValueAttribute``;
- ``ImpactmonitorProvenance``: our own ``Identifier``/``Title`` rows saying whether the
  figures are oefendata (``Properties.Description`` carries the same marker).

Measure identifiers are made v4-like (``M001234``-style, never the v3 key), so clients must
match measures by title, as they must at CBS. An unknown cell (``NaN``) is sent with
``Value: null`` and ``ValueAttribute: "Missing"``, or — with ``unknown="omit"`` — left out,
as CBS leaves out empty cells; a client must treat both as unknown.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from ..tables import TableBundle
from .common import INTEGER_TYPES, PROVENANCE_SET, all_integral, frame, provenance_rows, table_infos

__all__ = ["V4Table", "measure_identifier", "UNKNOWN_CELLS"]

UNKNOWN_CELLS = ("attribute", "omit")
_STATUS = {"**": "Nader voorlopig", "*": "Voorlopig", "": "Definitief"}


def measure_identifier(index: int, key: str) -> str:
    """A v4-style measure code for the ``index``-th measure: ``'M001' + 3 digits from the v3 key``."""
    return f"M{index + 1:03d}{zlib.crc32(key.encode()) % 1000:03d}"


def _flag(title: str) -> str:
    return "**" if title.endswith("**") else "*" if title.endswith("*") else ""


class V4Table:
    """One table ready to be served in the v4 shape; ``Observations`` is built on first use."""

    def __init__(self, bundle: TableBundle, *, unknown: str = "attribute"):
        if unknown not in UNKNOWN_CELLS:
            raise ValueError(f"unknown must be one of {UNKNOWN_CELLS}, not {unknown!r}")
        self.bundle = bundle
        self.table_id = bundle.table_id
        self.unknown = unknown
        props = {p["Key"]: p for p in bundle.properties()}
        self.measures = [m for m in bundle.measures() if m in bundle.data]
        self.codes = {m: measure_identifier(i, m) for i, m in enumerate(self.measures)}
        self.dims = [d for d in bundle.dimensions() if d in bundle.data]
        self.integer = {m for m in self.measures if props[m].get("Datatype") in INTEGER_TYPES
                        or (props[m].get("Datatype") is None and all_integral(bundle.data[m]))}
        groups = [p for p in bundle.properties() if p.get("Type") == "TopicGroup"]
        group_id = {g.get("ID"): f"G{i + 1:03d}" for i, g in enumerate(groups)}
        info = table_infos(bundle)[0]
        self.properties = {
            "Identifier": self.table_id, "Title": info.get("Title") or self.table_id,
            "ShortTitle": info.get("ShortTitle") or info.get("Title"), "Description": info.get("Description") or "",
            "Summary": info.get("Summary") or "", "Language": info.get("Language") or "nl", "Catalog": "CBS",
            "Modified": info.get("Modified"), "Frequency": info.get("Frequency"), "Period": info.get("Period"),
            "Status": "Regulier", "DatasetType": "Numeric", "ObservationCount": int(len(bundle.data) * len(self.measures)),
        }
        self.sets: dict[str, pd.DataFrame | None] = {
            "Dimensions": frame([{"Identifier": d, "Title": props[d].get("Title") or d,
                                   "Description": props[d].get("Description") or "", "Kind": props[d].get("Type"),
                                   "ContainsGroups": False, "ContainsCodes": True} for d in self.dims]),
            "MeasureCodes": frame([{"Identifier": self.codes[m], "Index": i + 1, "Title": props[m].get("Title") or m,
                                     "Description": props[m].get("Description") or "",
                                     "MeasureGroupId": group_id.get(props[m].get("ParentID")),
                                     "DataType": props[m].get("Datatype") or ("Long" if m in self.integer else "Double"),
                                     "Unit": props[m].get("Unit"), "Decimals": props[m].get("Decimals"),
                                     "PresentationType": "Absolute"} for i, m in enumerate(self.measures)]),
            "MeasureGroups": frame([{"Id": group_id[g.get("ID")], "Index": i + 1, "Title": g.get("Title") or "",
                                      "Description": g.get("Description") or "", "ParentId": group_id.get(g.get("ParentID"))}
                                     for i, g in enumerate(groups)]),
            "Observations": None,
            PROVENANCE_SET: frame([{"Identifier": r["Key"], "Title": r["Title"]} for r in provenance_rows(bundle)]),
        }
        time = bundle.time_dimension()
        for dim in self.dims:
            rows = []
            for i, c in enumerate(bundle.categories(dim)):
                title = str(c.get("Title") or "")
                row = {"Identifier": str(c["Key"]).strip(), "Index": i + 1, "Title": title.rstrip("*").rstrip(),
                       "Description": c.get("Description") or "", "DimensionGroupId": c.get("CategoryGroupID")}
                if dim == time:
                    row["Status"] = c.get("Status") or _STATUS[_flag(title)]
                rows.append(row)
            self.sets[f"{dim}Codes"] = frame(rows)

    def names(self) -> list[str]:
        return ["Properties", *self.sets]

    def frame(self, name: str) -> pd.DataFrame:
        if name == "Observations" and self.sets[name] is None:
            self.sets[name] = self._observations()
        return self.sets[name]

    def _observations(self) -> pd.DataFrame:
        data = self.bundle.data.reset_index(drop=True)
        long = data[self.dims + self.measures].melt(id_vars=self.dims, var_name="Measure", value_name="Value")
        long["Measure"] = long["Measure"].map(self.codes)
        for d in self.dims:
            long[d] = long[d].astype(str).str.strip()
        missing = long["Value"].isna()
        long["ValueAttribute"] = np.where(missing, "Missing", "None")
        if self.unknown == "omit":
            long = long[~missing]
        long.insert(0, "Id", np.arange(len(long)))
        long["StringValue"] = None
        return long[["Id", "Measure", *self.dims, "Value", "StringValue", "ValueAttribute"]].reset_index(drop=True)

    def records(self, name: str, rows: pd.DataFrame) -> list[dict]:
        """JSON rows; observation values as CBS types them (``null`` when unknown)."""
        columns = {c: rows[c].astype(object).where(rows[c].notna(), None).tolist() for c in rows.columns}
        if name == "Observations" and {"Value", "Measure"} <= set(columns):
            integer = {self.codes[m] for m in self.integer}
            columns["Value"] = [int(v) if v is not None and m in integer and float(v).is_integer() else v
                                for v, m in zip(columns["Value"], columns["Measure"])]
        return [dict(zip(columns, values)) for values in zip(*columns.values())]
