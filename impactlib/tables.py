"""CBS tables as they travel through the project: :class:`TableBundle`.

A bundle is one CBS OData v3 table, or a filtered part of it, in CBS's own structure:

- ``meta``: the metadata entity sets exactly as the OData service returns them
  (``TableInfos``, ``DataProperties``, ``CategoryGroups`` and one list per dimension, e.g.
  ``RegioS``, ``Perioden``, ``Veiligheidsbeoordeling``; each dimension row has ``Key``,
  ``Title``, ``Description``, ``CategoryGroupID``).
- ``data``: the ``TypedDataSet`` rows as a DataFrame: ``ID``, one column per dimension holding
  CBS keys (region keys padded to 6 characters, as CBS sends them) and one float column per
  measure key; a CBS ``.``/null is ``NaN`` (unknown, never 0).
- ``provenance``: where it came from (``kind`` snapshot/cache/live, ``synthetic``, ``host``,
  ``backend``, ``fetched_at``, ``modified``).

The snapshot, the cache, the live client and the mirror all speak bundles, so a figure
computed from any of them goes through the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .errors import DataFault, NotAvailableError

__all__ = ["TableBundle", "DIMENSION_TYPES", "pad_region_key"]

DIMENSION_TYPES = ("Dimension", "GeoDimension", "TimeDimension")


def pad_region_key(key: str) -> str:
    """CBS pads region keys to six characters: ``'NL01'`` → ``'NL01  '``."""
    return str(key).strip().ljust(6)


@dataclass
class TableBundle:
    table_id: str
    meta: dict
    data: pd.DataFrame
    provenance: dict = field(default_factory=dict)

    # -- metadata helpers -------------------------------------------------------------
    @property
    def title(self) -> str:
        infos = self.meta.get("TableInfos") or [{}]
        return infos[0].get("Title", self.table_id)

    @property
    def modified(self) -> str | None:
        infos = self.meta.get("TableInfos") or [{}]
        return infos[0].get("Modified")

    def properties(self) -> list[dict]:
        return list(self.meta.get("DataProperties", []))

    def dimensions(self) -> list[str]:
        """Dimension names in table order, e.g. ``['Veiligheidstaxatie', ..., 'RegioS', 'Perioden']``."""
        return [p["Key"] for p in self.properties() if p.get("Type") in DIMENSION_TYPES]

    def geo_dimension(self) -> str:
        for p in self.properties():
            if p.get("Type") == "GeoDimension":
                return p["Key"]
        return "RegioS"

    def time_dimension(self) -> str:
        for p in self.properties():
            if p.get("Type") == "TimeDimension":
                return p["Key"]
        return "Perioden"

    def topic_dimensions(self) -> list[str]:
        return [d for d in self.dimensions() if d not in (self.geo_dimension(), self.time_dimension())]

    def measures(self) -> dict[str, str]:
        """Measure key → title, e.g. ``{'OntvangenMeldingen_1': 'Ontvangen meldingen'}``."""
        return {p["Key"]: p.get("Title", p["Key"]) for p in self.properties() if p.get("Type") == "Topic"}

    def measure_key(self, title: str) -> str:
        """Resolve a measure by its CBS title (tolerant of case and spacing), not by key."""
        want = " ".join(title.split()).casefold()
        for key, t in self.measures().items():
            if " ".join(str(t).split()).casefold() == want or key == title:
                return key
        raise DataFault(
            f"Tabel {self.table_id} heeft geen onderwerp '{title}'; beschikbaar: "
            + ", ".join(self.measures().values())
        )

    def measure_renames(self, reference: "TableBundle") -> dict[str, str]:
        """Map this bundle's measure keys to ``reference``'s keys for the same title.

        CBS renumbers keys between a table and its successor, and OData v3 and v4 name
        measures differently; titles are what stays the same.
        """
        by_title = {" ".join(str(t).split()).casefold(): k for k, t in reference.measures().items()}
        return {k: by_title.get(" ".join(str(t).split()).casefold(), k) for k, t in self.measures().items()}

    def data_keyed_like(self, reference: "TableBundle") -> pd.DataFrame:
        """``data`` with measure columns renamed to ``reference``'s keys (matched by title)."""
        return self.data.rename(columns=self.measure_renames(reference))

    def categories(self, dimension: str) -> list[dict]:
        return list(self.meta.get(dimension, []))

    def category_keys(self, dimension: str, titles: list[str]) -> list[str]:
        """Keys of categories by title (as CBS titles them), in the given order."""
        rows = self.categories(dimension)
        by_title = {" ".join(str(r["Title"]).split()).casefold(): r["Key"] for r in rows}
        out = []
        for t in titles:
            k = by_title.get(" ".join(t.split()).casefold())
            if k is None:
                raise DataFault(
                    f"Tabel {self.table_id}: categorie '{t}' ontbreekt in dimensie {dimension}."
                )
            out.append(k)
        return out

    def total_key(self, dimension: str) -> str:
        """The key of the 'Totaal' category of a topic dimension."""
        for r in self.categories(dimension):
            if str(r["Title"]).strip().casefold().startswith("totaal"):
                return r["Key"]
        raise DataFault(f"Tabel {self.table_id}: dimensie {dimension} heeft geen totaal.")

    def period_titles(self) -> dict[str, str]:
        return {r["Key"].strip(): r["Title"] for r in self.categories(self.time_dimension())}

    def region_titles(self) -> dict[str, str]:
        return {r["Key"].strip(): r["Title"] for r in self.categories(self.geo_dimension())}

    # -- selection --------------------------------------------------------------------
    def select(
        self,
        *,
        regions: list[str] | None = None,
        periods: list[str] | None = None,
        filters: dict[str, list[str]] | None = None,
    ) -> "TableBundle":
        """Rows for the given region keys, period keys and dimension keys (None = all)."""
        df = self.data
        mask = pd.Series(True, index=df.index)
        geo, time = self.geo_dimension(), self.time_dimension()
        if regions is not None and geo in df:
            mask &= df[geo].str.strip().isin([r.strip() for r in regions])
        if periods is not None and time in df:
            mask &= df[time].str.strip().isin([p.strip() for p in periods])
        for dim, keys in (filters or {}).items():
            if dim in df:
                mask &= df[dim].str.strip().isin([k.strip() for k in keys])
        return TableBundle(self.table_id, self.meta, df[mask].reset_index(drop=True), dict(self.provenance))

    def require_rows(self, what: str) -> None:
        if self.data.empty:
            raise NotAvailableError(f"Geen cijfers in tabel {self.table_id} voor {what}.")

    def tidy(self) -> pd.DataFrame:
        """Long format: one row per cell (dimension keys stripped, ``measure``, ``value``)."""
        dims = [d for d in self.dimensions() if d in self.data]
        value_cols = [m for m in self.measures() if m in self.data]
        long = self.data.melt(id_vars=dims, value_vars=value_cols, var_name="measure", value_name="value")
        for d in dims:
            long[d] = long[d].astype(str).str.strip()
        return long
