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

from .errors import LayoutError, NotAvailableError

__all__ = ["TableBundle", "DIMENSION_TYPES", "PATH_SEPARATOR", "pad_region_key", "norm_title"]

DIMENSION_TYPES = ("Dimension", "GeoDimension", "TimeDimension")
#: How nested measure titles are joined: ``'Ontvangen meldingen › Hermelding › Totaal'``.
PATH_SEPARATOR = " › "


def pad_region_key(key: str, width: int = 6) -> str:
    """CBS pads region keys: ``'NL01'`` → ``'NL01  '`` (``width`` 10 in the wijken-en-buurten tables)."""
    return str(key).strip().ljust(width)


def norm_title(text) -> str:
    """A title folded for matching: case, runs of spaces and the path separator's spacing."""
    parts = [" ".join(str(p).split()).casefold() for p in str(text).replace("›", "\x00").split("\x00")]
    return "\x00".join(p for p in parts if p)


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

    def measure_paths(self) -> dict[str, str]:
        """Measure key → title path through its groups (``TopicGroup`` parents), e.g.
        ``'Ontvangen meldingen › Vervolgmelding tijdens betrokkenheid VT › Totaal'``; a measure
        without groups has its plain title."""
        by_id = {p.get("ID"): p for p in self.properties() if p.get("ID") is not None}
        out = {}
        for p in self.properties():
            if p.get("Type") != "Topic":
                continue
            titles, parent, seen = [str(p.get("Title", p["Key"]))], p.get("ParentID"), set()
            while parent is not None and parent in by_id and parent not in seen:
                seen.add(parent)
                titles.insert(0, str(by_id[parent].get("Title", "")))
                parent = by_id[parent].get("ParentID")
            out[p["Key"]] = PATH_SEPARATOR.join(t for t in titles if t)
        return out

    def measure_key(self, title: str) -> str:
        """Resolve a measure by its CBS title path (``'Group › Title'``) or, where unique, its
        plain title — tolerant of case and spacing, never by guessing. :class:`LayoutError` names
        what the table offers when nothing (or more than one measure) fits."""
        want = norm_title(title)
        paths = self.measure_paths()
        if title in paths:
            return title
        exact = [k for k, p in paths.items() if norm_title(p) == want]
        if len(exact) == 1:
            return exact[0]
        leaf = [k for k, p in paths.items() if norm_title(p).split("\x00")[-1] == want]
        if len(leaf) == 1 and not exact:
            return leaf[0]
        if len(leaf) > 1 or len(exact) > 1:
            raise LayoutError(
                f"Tabel {self.table_id}: onderwerp '{title}' is niet eenduidig; noem de groep erbij: "
                + "; ".join(paths[k] for k in (exact or leaf)) + ".",
                table_id=self.table_id, term=title, offered=list(paths.values()),
            )
        raise LayoutError(
            f"Tabel {self.table_id} heeft geen onderwerp '{title}'; beschikbaar: " + "; ".join(paths.values()) + ".",
            table_id=self.table_id, term=title, offered=list(paths.values()),
        )

    def dimension_key(self, name: str, title: str | None = None) -> str:
        """The key of a dimension given by key or by title (``title`` as a second way to find it)."""
        props = [p for p in self.properties() if p.get("Type") in DIMENSION_TYPES]
        for p in props:
            if p["Key"] == name:
                return p["Key"]
        for want in (name, title):
            if want:
                hit = [p["Key"] for p in props if norm_title(p.get("Title", "")) == norm_title(want)]
                if len(hit) == 1:
                    return hit[0]
        offered = [f"{p['Key']} ('{p.get('Title', '')}')" for p in props]
        shown = f"{name}" + (f" ('{title}')" if title and title != name else "")
        raise LayoutError(
            f"Tabel {self.table_id} heeft geen dimensie {shown}; wel: " + ", ".join(offered) + ".",
            table_id=self.table_id, term=shown, offered=offered,
        )

    def measure_renames(self, reference: "TableBundle") -> dict[str, str]:
        """Map this bundle's measure keys to ``reference``'s keys for the same title.

        CBS renumbers keys between a table and its successor, and OData v3 and v4 name
        measures differently; titles are what stays the same. Nested measures are matched by
        their whole title path (82975NED has two measures titled "Gestarte trajecten").
        """
        by_path = {norm_title(t): k for k, t in reference.measure_paths().items()}
        return {k: by_path.get(norm_title(t), k) for k, t in self.measure_paths().items()}

    def data_keyed_like(self, reference: "TableBundle") -> pd.DataFrame:
        """``data`` with measure columns renamed to ``reference``'s keys (matched by title)."""
        return self.data.rename(columns=self.measure_renames(reference))

    def categories(self, dimension: str) -> list[dict]:
        return list(self.meta.get(dimension, []))

    def category_keys(self, dimension: str, titles: list[str]) -> list[str]:
        """Keys of categories by title (as CBS titles them), in the given order; a title the
        dimension lacks is a :class:`LayoutError` naming what it has (with the closest titles)."""
        import difflib

        rows = self.categories(dimension)
        by_title = {norm_title(r["Title"]): r["Key"] for r in rows}
        out = []
        for t in titles:
            k = by_title.get(norm_title(t))
            if k is None:
                offered = [str(r["Title"]) for r in rows]
                close = difflib.get_close_matches(str(t), offered, n=3, cutoff=0.5)
                raise LayoutError(
                    f"Tabel {self.table_id}: categorie '{t}' ontbreekt in dimensie {dimension}; "
                    f"die heeft {len(offered)} categorieën" + (f", o.a. {', '.join(offered[:6])}" if offered else "") + ".",
                    table_id=self.table_id, term=f"{dimension}: {t}", offered=offered, suggestions=close,
                )
            out.append(k)
        return out

    def total_key(self, dimension: str) -> str:
        """The key of the 'Totaal' category of a topic dimension."""
        for r in self.categories(dimension):
            if str(r["Title"]).strip().casefold().startswith("totaal"):
                return r["Key"]
        raise LayoutError(f"Tabel {self.table_id}: dimensie {dimension} heeft geen totaal.",
                          table_id=self.table_id, term=f"{dimension}: Totaal",
                          offered=[str(r["Title"]) for r in self.categories(dimension)])

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
            if dim not in df and dim not in self.dimensions():
                raise LayoutError(f"Tabel {self.table_id} heeft geen dimensie {dim}; wel: "
                                  + ", ".join(self.dimensions()) + ".", table_id=self.table_id, term=dim,
                                  offered=self.dimensions())
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
