"""CBS OData v4 (``datasets.cbs.nl``) as a second live backend, answering in the v3 shape.

>>> from impactlib.sources.v4 import V4Backend
>>> b = V4Backend().fetch("84852NED", regions=["VT22"], periods=["2021HJ01"])  # doctest: +SKIP

CBS announced OData v4 as the successor of the v3 interface ``cbsodata`` speaks; when v3 is
down (as in February 2026) this backend keeps the monitor live. It talks to the documented
endpoints with ``requests`` (the ``cbsodata4`` client downloads whole CSV files into a
folder and cannot be given our timeouts, retries and one-line errors). Per table, under
``{scheme}://{host}/odata/v1/CBS/{TABLE}/``:

- ``Properties`` (one object: ``Identifier``, ``Title``, ``Modified``, ...) → ``TableInfos``;
- ``Dimensions`` (``Identifier``, ``Title``, ``Kind``) and ``MeasureCodes`` (``Identifier``,
  ``Title``, ``Unit``, ``Decimals``, ``DataType``) → ``DataProperties``;
- ``<Dimension>Codes`` (``Identifier``, ``Title``, ``Status`` for periods) → one category list
  per dimension, region keys padded as v3 sends them, provisional periods titled with ``*``;
- ``Observations`` (one row per cell: ``Measure``, one column per dimension, ``Value``,
  ``ValueAttribute``), asked for with a server-side ``$filter`` and ``$select`` and read
  page by page along ``@odata.nextLink``.

The answer is the same :class:`~impactlib.tables.TableBundle` the v3 backend gives: cells are
pivoted back to one row per dimension combination, and every combination asked for gets a
row, because v4 leaves empty cells out. A cell is known only when it has a numeric ``Value``
and no ``ValueAttribute`` (``"None"``); ``Missing``, ``Impossible``, ``Confidential`` and
any other marker, and an absent cell, are ``NaN`` (unknown), never 0.

Measure keys: v4 identifiers (``M001234``) differ from v3 keys (``OntvangenMeldingen_1``) and
one cannot be derived from the other, so the v4 ``Identifier`` *is* the ``Topic`` key here,
with the same CBS ``Title``. The project resolves measures by title
(:meth:`TableBundle.measure_key`), so the figures are the same whichever backend answered;
the ``ID`` column is the cell's position in the full table (codes in CBS order), stable
across requests but not v3's row number.

Host and scheme are the settings ``cbs4_host`` and ``cbs4_https`` (:mod:`impactlib.settings`):
``IMPACTMONITOR_CBS4_HOST`` (default ``datasets.cbs.nl``) and ``IMPACTMONITOR_CBS4_HTTPS``
(``1``/``0``; default ``0`` for 127.0.0.1/localhost, else ``1``).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from .. import settings
from ..errors import DataFault
from ..tables import TableBundle, pad_region_key
from .common import DEFAULT_TIMEOUT, PROVENANCE_SET, Deadline, build_filter, call_with_retries, flag_title, live_provenance

__all__ = ["V4Backend", "cbs4_host", "cbs4_https", "DEFAULT_HOST4", "known_values"]

DEFAULT_HOST4 = settings.DEFAULT_CBS4_HOST
_HOST_VARIABLE = "IMPACTMONITOR_CBS4_HOST"
#: ``ValueAttribute`` of an ordinary cell; every other marker means "no usable figure".
_PLAIN = ("", "none")


def cbs4_host() -> str:
    """The OData v4 host (setting ``cbs4_host``)."""
    return settings.current().cbs4_host


def cbs4_https(host: str | None = None) -> bool:
    """Whether to speak https to ``host`` (default: the ``cbs4_host`` setting)."""
    now = settings.current()
    return settings.https_for(host or now.cbs4_host, now.cbs4_https)


def known_values(obs: pd.DataFrame) -> pd.Series:
    """Cell values as floats: ``NaN`` unless ``Value`` is a number and ``ValueAttribute`` is plain.

    >>> obs = pd.DataFrame({"Value": [5, None, 0, 7], "ValueAttribute": ["None", "Missing", "None", "Impossible"]})
    >>> known_values(obs).tolist()
    [5.0, nan, 0.0, nan]
    """
    value = pd.to_numeric(obs.get("Value", pd.Series(np.nan, index=obs.index)), errors="coerce").astype(float)
    attribute = obs.get("ValueAttribute", pd.Series("None", index=obs.index)).fillna("None").astype(str)
    return value.where(attribute.str.strip().str.casefold().isin(_PLAIN))


def _norm(text) -> str:
    return " ".join(str(text).split()).casefold()


def _kind(kind) -> str:
    """v4 ``Kind`` → v3 ``Type`` (``GeoDetailDimension`` counts as the geo dimension)."""
    text = str(kind or "")
    return "GeoDimension" if "Geo" in text else "TimeDimension" if "Time" in text else "Dimension"


class V4Backend:
    """CBS OData v4 through ``requests``: same two methods and same bundles as the v3 backend."""

    name = "v4"

    def __init__(self, host: str | None = None, https: bool | None = None, *, catalog: str = "CBS",
                 timeout: float = DEFAULT_TIMEOUT, retries: int = 2, backoff: float = 0.5):
        self.host = host or cbs4_host()
        self.https = cbs4_https(self.host) if https is None else bool(https)
        self.catalog = catalog
        self.timeout = float(timeout)
        self.retries = max(0, int(retries))
        self.backoff = float(backoff)
        self._meta: dict[tuple[str, str], object] = {}

    def describe(self) -> dict:
        return {"backend": self.name, "host": self.host, "https": self.https, "timeout": self.timeout}

    def root(self, table_id: str) -> str:
        return f"{'https' if self.https else 'http'}://{self.host}/odata/v1/{self.catalog}/{table_id}"

    # -- the two backend methods ------------------------------------------------------
    def info(self, table_id: str, *, timeout: float | None = None, retries: int | None = None) -> dict:
        """The table's ``Properties`` as a v3 ``TableInfos`` row (``Identifier``, ``Title``, ``Modified``, ...)."""
        props = self._get(table_id, f"{self.root(table_id)}/Properties", timeout=timeout, retries=retries)
        if isinstance(props, dict) and isinstance(props.get("value"), list):  # served as a set
            props = (props["value"] or [{}])[0]
        if not isinstance(props, dict) or not props.get("Identifier") and not props.get("Title"):
            raise DataFault(f"{self.host} gaf een leeg antwoord voor tabel {table_id} (Properties).")
        row = {k: v for k, v in props.items() if not k.startswith("@") and not isinstance(v, (dict, list))}
        row.setdefault("Identifier", table_id)
        self._meta[(table_id, "Properties")] = {"ID": 0, **row}
        return self._meta[(table_id, "Properties")]

    def fetch(self, table_id: str, regions=None, periods=None, filters=None, *, measures=None) -> TableBundle:
        """Metadata once per table, then only the ``Observations`` the filter selects.

        ``filters`` maps a dimension to category keys or CBS titles; ``measures`` (titles or
        v4 identifiers) narrows the measures asked for, as a ``Measure`` filter.
        """
        names = self._names(table_id)
        if "Observations" not in names:
            raise DataFault(f"{self.host} gaf voor tabel {table_id} geen OData v4-tabel (geen Observations); "
                            f"controleer {_HOST_VARIABLE}.")
        infos = [self._meta.get((table_id, "Properties")) or self.info(table_id)]
        dims = [d for d in self._set(table_id, "Dimensions") if d.get("Identifier")]
        codes = {d["Identifier"]: self._set(table_id, f"{d['Identifier']}Codes") for d in dims}
        kinds = {d["Identifier"]: _kind(d.get("Kind")) for d in dims}
        geo = next((d for d, k in kinds.items() if k == "GeoDimension"), None)
        time = next((d for d, k in kinds.items() if k == "TimeDimension"), None)
        topics = self._measures(table_id, measures)
        unknown = [d for d in (filters or {}) if d not in kinds]
        if unknown:
            raise DataFault(f"Tabel {table_id} heeft geen dimensie {', '.join(unknown)}.")

        wanted = {}  # dimension → exact v4 identifiers asked for (None = all)
        for dim in kinds:
            asked = regions if dim == geo else periods if dim == time else (filters or {}).get(dim)
            wanted[dim] = None if asked is None else self._identifiers(table_id, dim, codes[dim], asked, dim in (geo, time))
        chosen = {d: ids for d, ids in wanted.items() if ids is not None}
        if measures is not None:
            chosen["Measure"] = [t["Identifier"] for t in topics]
        text = build_filter(geo or "RegioS", time or "Perioden", None, None, chosen)
        select = ",".join(["Measure", *kinds, "Value", "ValueAttribute"])
        obs = self._observations(table_id, text, select)

        groups = self._set(table_id, "MeasureGroups") if "MeasureGroups" in names else []
        meta = {
            "TableInfos": infos,
            "DataProperties": self._properties(dims, kinds, topics, groups),
            "CategoryGroups": [],
            **{dim: self._categories(codes[dim], dim == geo, dim == time) for dim in kinds},
        }
        data = self._grid(obs, kinds, codes, wanted, topics, geo)
        extra = self._provenance_rows(table_id, names)
        provenance = live_provenance(infos[0], extra, host=self.host, backend=self.name, filter_text=text)
        return TableBundle(table_id, meta, data, provenance)

    # -- shaping ----------------------------------------------------------------------
    @staticmethod
    def _properties(dims: list[dict], kinds: dict, topics: list[dict], groups: list[dict] = ()) -> list[dict]:
        """v3 ``DataProperties``: dimensions, ``TopicGroup`` rows for v4 ``MeasureGroups`` (so a
        nested measure keeps its title path) and one ``Topic`` per measure."""
        rows = [{"ID": i, "Position": i, "ParentID": None, "Type": kinds[d["Identifier"]], "Key": d["Identifier"],
                 "Title": d.get("Title") or d["Identifier"], "Description": d.get("Description") or ""}
                for i, d in enumerate(dims)]
        ids = {g.get("Id"): len(rows) + i for i, g in enumerate(groups)}
        for g in groups:
            rows.append({"ID": ids[g.get("Id")], "Position": ids[g.get("Id")], "ParentID": ids.get(g.get("ParentId")),
                         "Type": "TopicGroup", "Key": "", "Title": g.get("Title") or "", "Description": g.get("Description") or ""})
        for t in topics:
            i = len(rows)
            rows.append({"ID": i, "Position": i, "ParentID": ids.get(t.get("MeasureGroupId")), "Type": "Topic", "Key": t["Identifier"],
                         "Title": t.get("Title") or t["Identifier"], "Description": t.get("Description") or "",
                         "Datatype": t.get("DataType"), "Unit": t.get("Unit"), "Decimals": t.get("Decimals")})
        return rows

    @staticmethod
    def _categories(codes: list[dict], is_geo: bool, is_time: bool) -> list[dict]:
        out = []
        for c in codes:
            key = str(c["Identifier"])
            row = {"Key": pad_region_key(key) if is_geo else key, "Title": c.get("Title") or key.strip(),
                   "Description": c.get("Description") or "", "CategoryGroupID": c.get("DimensionGroupId")}
            if is_time:
                row["Status"] = c.get("Status")
                flag_title(row)
            out.append(row)
        return out

    @staticmethod
    def _grid(obs: pd.DataFrame, kinds: dict, codes: dict, wanted: dict, topics: list[dict], geo) -> pd.DataFrame:
        """One row per combination asked for (v3's ``TypedDataSet``), measures as float columns."""
        dims = list(kinds)
        measure_ids = [t["Identifier"] for t in topics]
        order = {d: [str(c["Identifier"]) for c in codes[d]] for d in dims}
        axes = [order[d] if wanted[d] is None else [k for k in order[d] if k in set(wanted[d])] for d in dims]
        index = pd.MultiIndex.from_tuples(list(itertools.product(*axes)), names=dims) if dims else None
        cells = obs.assign(v=known_values(obs)).drop_duplicates(subset=[*dims, "Measure"], keep="last")
        wide = cells.set_index([*dims, "Measure"])["v"].unstack("Measure") if len(cells) else pd.DataFrame()
        wide = wide.reindex(index=index, columns=measure_ids)
        data = wide.reset_index()
        position = {d: {k: i for i, k in enumerate(order[d])} for d in dims}
        ids = np.zeros(len(data), dtype="int64")
        for d in dims:  # the cell's number in the full table, first dimension slowest
            ids = ids * len(order[d]) + data[d].map(position[d]).to_numpy(dtype="int64")
        data.insert(0, "ID", ids)
        for d in dims:
            data[d] = data[d].astype(str)
        if geo in data:
            data[geo] = data[geo].map(pad_region_key)
        for m in measure_ids:
            data[m] = data[m].astype(float)
        data.columns.name = None
        return data[["ID", *dims, *measure_ids]]

    # -- requests ---------------------------------------------------------------------
    def _names(self, table_id: str) -> list[str]:
        if (table_id, "") not in self._meta:
            doc = self._get(table_id, f"{self.root(table_id)}/")
            self._meta[(table_id, "")] = [str(r.get("name") or r.get("url")) for r in doc.get("value", [])]
        return self._meta[(table_id, "")]

    def _set(self, table_id: str, name: str) -> list[dict]:
        """A metadata entity set, all pages, once per table."""
        if (table_id, name) not in self._meta:
            self._meta[(table_id, name)] = self._pages(table_id, f"{self.root(table_id)}/{name}", None)
        return self._meta[(table_id, name)]

    def _measures(self, table_id: str, asked) -> list[dict]:
        rows = [m for m in self._set(table_id, "MeasureCodes") if m.get("Identifier")]
        if asked is None:
            return rows
        out = []
        for want in asked:
            hit = next((m for m in rows if m["Identifier"] == want or _norm(m.get("Title")) == _norm(want)), None)
            if hit is None:
                raise DataFault(f"Tabel {table_id} heeft geen onderwerp '{want}'; beschikbaar: "
                                + ", ".join(str(m.get("Title")) for m in rows))
            out.append(hit)
        return out

    @staticmethod
    def _identifiers(table_id: str, dim: str, codes: list[dict], asked, lenient: bool) -> list[str]:
        """Exact identifiers for keys (padded or not) or CBS titles. Regions and periods the
        table does not know are kept as given (CBS then has no rows for them, as in v3)."""
        by_key = {str(c["Identifier"]).strip(): str(c["Identifier"]) for c in codes}
        by_title = {_norm(c.get("Title")): str(c["Identifier"]) for c in codes}
        out = []
        for value in asked:
            text = str(value).strip()
            hit = by_key.get(text) or by_title.get(_norm(text))
            if hit is None and not lenient:
                raise DataFault(f"Tabel {table_id}: categorie '{value}' ontbreekt in dimensie {dim}.")
            out.append(hit or text)
        return out

    def _observations(self, table_id: str, filter_text: str, select: str) -> pd.DataFrame:
        params = {"$select": select, **({"$filter": filter_text} if filter_text else {})}
        rows = self._pages(table_id, f"{self.root(table_id)}/Observations", params)
        columns = select.split(",")
        obs = pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame(columns=columns)
        return obs.astype({c: str for c in columns if c not in ("Value", "ValueAttribute")})

    def _provenance_rows(self, table_id: str, names: list[str]) -> dict:
        """The ``ImpactmonitorProvenance`` rows a mirror adds (``synthetic`` etc.), if any."""
        if PROVENANCE_SET not in names:
            return {}
        rows = self._set(table_id, PROVENANCE_SET)
        return {str(r.get("Identifier") or r.get("Key")): str(r.get("Title") or "") for r in rows}

    def _pages(self, table_id: str, url: str, params: dict | None) -> list[dict]:
        """Every row of an entity set, following ``@odata.nextLink``."""
        rows: list[dict] = []
        deadline = Deadline(self.timeout, host=self.host, table_id=table_id)  # one end time for all pages
        while url:
            body = self._get(table_id, url, params, deadline=deadline)
            if not isinstance(body, dict) or not isinstance(body.get("value"), list):
                raise DataFault(f"{self.host} gaf een onvolledig antwoord voor tabel {table_id} (geen OData v4-lijst); "
                                f"controleer {_HOST_VARIABLE}.")
            rows += body["value"]
            url, params = body.get("@odata.nextLink"), None
        return rows

    def _get(self, table_id: str, url: str, params: dict | None = None, *,
             timeout: float | None = None, retries: int | None = None, deadline: Deadline | None = None):
        timeout = self.timeout if timeout is None else timeout

        def once():
            within = deadline or Deadline(timeout, host=self.host, table_id=table_id)
            response = within.get(url, params=params, timeout=timeout, headers={"Accept": "application/json"})
            response.raise_for_status()
            return response.json()

        return call_with_retries(once, host=self.host, table_id=table_id, timeout=timeout,
                                 attempts=1 + (self.retries if retries is None else retries),
                                 backoff=self.backoff, host_variable=_HOST_VARIABLE)
