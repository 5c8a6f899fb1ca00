"""The indicator catalogue (instrument 02): what the Impactmonitor holds and how to compute it.

>>> from impactlib.catalogue import get_indicator_spec
>>> spec = get_indicator_spec("meldingen_acuut_structureel_pct")
>>> spec.unit, spec.tables
('percent', ['84852NED'])
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .errors import NotAvailableError, UnknownCategoryError, UnknownIndicatorError
from .regions import normalise_name
from .regions.spelling import shown
from .yamlfiles import safe_load

__all__ = [
    "Term",
    "IndicatorSpec",
    "catalogue",
    "get_indicator_spec",
    "open_data_indicators",
    "themes",
    "sources",
    "table_specs",
    "table_spec",
    "dimension_spec",
    "context_table",
    "context_tables",
    "publishes",
    "catalogue_terms",
    "CONTEXT_MEASURES",
]


class Term(BaseModel):
    """Sum of one CBS measure over the listed categories of each dimension."""

    model_config = ConfigDict(extra="forbid")
    table: str
    #: CBS title (or title path ``'Group › Title'``) of the measure; a list is summed
    measure: str | list[str]
    filter: dict[str, list[str]] = Field(default_factory=dict)

    @property
    def measures(self) -> list[str]:
        return [self.measure] if isinstance(self.measure, str) else list(self.measure)


class IndicatorSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name: str
    theme: str
    source: int
    regional: Literal["ja", "nee", "deels"]
    time_series: bool
    availability: Literal["open_data", "not_in_open_data"]
    in_instrument_02: bool = True
    unit: Literal["count", "percent", "per_10k"] | None = None
    kind: Literal["value", "distribution"] = "value"
    numerator: Term | None = None
    denominator: Term | Literal["population"] | None = None
    dimension: str | None = None
    categories: dict[str, list[str]] | None = None
    sentence: str | None = None
    note: str | None = None
    where_found: str | None = None  # where a user finds a figure not in open data (else the source's)

    @property
    def is_open(self) -> bool:
        return self.availability == "open_data"

    @property
    def tables(self) -> list[str]:
        out = []
        for term in (self.numerator, self.denominator):
            if isinstance(term, Term) and term.table not in out:
                out.append(term.table)
        if self.denominator == "population":
            out.append(POPULATION_TABLE)
        return out

    @property
    def source_name(self) -> str:
        return sources()[self.source]["name"]

    @property
    def where(self) -> str:
        """Where a user finds the figure (for indicators not in open data)."""
        return self.where_found or sources()[self.source]["where"]

    @property
    def theme_label(self) -> str:
        return themes()[self.theme]

    def category_labels(self) -> list[str]:
        return list(self.categories or {})

    def resolve_category(self, category: str | None) -> str | None:
        """Map a user's category (label or CBS title, tolerant) to the catalogue label."""
        if category is None or category == "":
            return None
        if not self.categories:
            raise UnknownCategoryError(
                f"Indicator '{self.id}' heeft geen categorieën; laat --category weg."
            )
        wanted = normalise_name(category)
        for label, titles in self.categories.items():
            names = [label, *titles, *(t.split(":", 1)[-1] for t in titles)]
            if wanted in {normalise_name(n) for n in names}:
                return label
        close = difflib.get_close_matches(
            str(category).lower(), [c.lower() for c in self.categories], n=3, cutoff=0.5
        )
        sugg = [c for c in self.categories if c.lower() in close]
        raise UnknownCategoryError(
            f"Categorie '{str(category)[:60]}' bestaat niet bij '{self.id}'. Kies uit: "
            + "; ".join(self.categories) + ".",
            suggestions=sugg,
        )


POPULATION_TABLE = "03759ned"
POPULATION_MEASURE = "Bevolking op 1 januari"
#: The Kerncijfers wijken en buurten table of 2021 (one table per year: see :func:`context_table`).
CONTEXT_TABLE = "85039NED"


def _load_yaml(name: str) -> dict:
    text = resources.files("impactlib").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return safe_load(text)


@lru_cache(maxsize=1)
def catalogue() -> dict[str, IndicatorSpec]:
    """Every indicator of the monitor, by id, in catalogue order."""
    raw = _load_yaml("catalogue.yaml")
    return {row["id"]: IndicatorSpec(**row) for row in raw["indicators"]}


@lru_cache(maxsize=1)
def sources() -> dict[int, dict]:
    return {int(k): v for k, v in _load_yaml("sources.yaml")["sources"].items()}


@lru_cache(maxsize=1)
def themes() -> dict[str, str]:
    return dict(_load_yaml("sources.yaml")["themes"])


@lru_cache(maxsize=1)
def table_specs() -> dict[str, dict]:
    """``tables.yaml``: per CBS table its title, levels, dimensions and measures, each with a status."""
    return {str(k): v for k, v in _load_yaml("tables.yaml")["tables"].items()}


def table_spec(table_id: str) -> dict:
    """One table's entry in ``tables.yaml`` (``{}`` for a table the catalogue does not describe)."""
    return table_specs().get(str(table_id), {})


def dimension_spec(table_id: str, dimension: str) -> dict:
    """A dimension of ``tables.yaml`` by its key (``{}`` if not described)."""
    return next((d for d in table_spec(table_id).get("dimensions") or [] if d.get("key") == dimension), {})


def publishes(table_id: str, level: str) -> bool:
    """Does CBS publish rows of this region level in the table? (No: sum the gemeenten.)"""
    levels = table_spec(table_id).get("levels")
    return True if levels is None else level in levels


def context_tables() -> dict[int, str]:
    """Year → id of that year's Kerncijfers wijken en buurten table."""
    return {int(v["year"]): k for k, v in table_specs().items() if v.get("per_year")}


def context_table(year: int | None = None) -> str:
    """The wijken-en-buurten table of ``year`` (else the nearest earlier one, else the first)."""
    tables = context_tables()
    years = sorted(tables)
    if year is None:
        return tables[years[-1]]
    earlier = [y for y in years if y <= year]
    return tables[earlier[-1] if earlier else years[0]]


def open_data_indicators() -> list[IndicatorSpec]:
    return [s for s in catalogue().values() if s.is_open]


def get_indicator_spec(indicator_id: str, *, require_open: bool = False) -> IndicatorSpec:
    """Look an indicator up by id; misspellings get suggestions."""
    cat = catalogue()
    key = str(indicator_id).strip()
    if key in cat:
        spec = cat[key]
    else:
        close = difflib.get_close_matches(key.lower(), list(cat), n=3, cutoff=0.5)
        raise UnknownIndicatorError(
            f"Indicator '{shown(key)}' bestaat niet; zie 'impactmonitor indicators' voor de lijst.",
            suggestions=close,
        )
    if require_open and not spec.is_open:
        raise NotAvailableError(
            f"Indicator '{spec.id}' staat niet in de open data van CBS; u vindt deze bij: {spec.where}."
        )
    return spec


#: Context factors the comparison of regions reads from each wijken-en-buurten table.
CONTEXT_MEASURES = (
    "Bevolking › Aantal inwoners", "Bevolking › Leeftijdsgroepen › 0 tot 15 jaar",
    "Bevolking › Leeftijdsgroepen › 15 tot 25 jaar", "Bevolking › Leeftijdsgroepen › 65 jaar of ouder",
    "Bevolking › Particuliere huishoudens › Huishoudens totaal",
    "Bevolking › Particuliere huishoudens › Eenpersoonshuishoudens",
    "Stedelijkheid › Omgevingsadressendichtheid", "Inkomen › Inkomen van huishoudens › Huishoudens met een laag inkomen",
)


def catalogue_terms() -> dict[str, list[tuple[str, Term, dict]]]:
    """Per table: ``(indicator id, term, extra filter)`` for every term the open indicators use."""
    out: dict[str, list[tuple[str, Term, dict]]] = {}
    for spec in open_data_indicators():
        terms = [(spec.numerator, {})]
        if spec.kind == "distribution":
            terms = [(spec.numerator, {spec.dimension: titles}) for titles in spec.categories.values()]
        if isinstance(spec.denominator, Term):
            terms.append((spec.denominator, {}))
        if spec.denominator == "population":
            terms.append((Term(table=POPULATION_TABLE, measure=POPULATION_MEASURE), {}))
        for term, extra in terms:
            out.setdefault(term.table, []).append((spec.id, term, extra))
    for table_id in context_tables().values():
        for path in CONTEXT_MEASURES:
            out.setdefault(table_id, []).append(("vergelijkbare regio's", Term(table=table_id, measure=path), {}))
    return out
