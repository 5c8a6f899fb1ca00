"""The worked example: its parameters validated, every open indicator fetched once.

:func:`prepare` reads the notebook's parameters like a parameter file and fetches each open
indicator once for the region (every half year, every category). :func:`comparison` gives
the :class:`~impactlib.compare.report.Comparison` of one indicator (national verdict, rank
among the Veilig Thuis-regio's, comparable regions, trend), computed when first needed and
kept on the :class:`Example`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import query
from .. import regions as _regions
from ..catalogue import IndicatorSpec, get_indicator_spec
from ..frame import without_national
from ..params import Question, load_question, make_parameters
from ..periods import Period
from ..regions import Region

#: First half year of the monitor's time series.
SERIES_START = "2019HJ01"


@dataclass
class Example:
    """Everything the steps need, fetched once."""

    region: Region
    period: Period
    question: Question
    specs: list[IndicatorSpec]
    title: str
    peers: str | list[str] = "auto"
    local_file: Path | None = None
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)  # indicators published for the period
    note: str = ""  # how an ambiguous region name was read
    goal: str | None = None  # the region's own goal (parameter file), never the question's
    context: str | None = None  # the region's own context (parameter file)
    trained_groups: list[str] | None = None  # 'Type melder' categories the region trained
    parameters: dict = field(default_factory=dict)  # the validated run parameters (for a handout next to a run)
    _comparisons: dict = field(default_factory=dict, repr=False)  # memo of :func:`comparison`

    @property
    def open_specs(self) -> list[IndicatorSpec]:
        """Indicators in CBS open data with a figure for the chosen period."""
        return [s for s in self.specs if s.id in self.frames]

    @property
    def unpublished_specs(self) -> list[IndicatorSpec]:
        """Open-data indicators whose table has no figure (yet) for the chosen period."""
        return [s for s in self.specs if s.is_open and s.id not in self.frames]

    @property
    def missing_specs(self) -> list[IndicatorSpec]:
        return [s for s in self.specs if not s.is_open]

    @property
    def provenance(self) -> dict:
        """Merged provenance of every frame: tables, and ``synthetic`` if any part is."""
        provs = [f.attrs.get("source", {}) for f in self.frames.values()]
        tables = list(dict.fromkeys(t for p in provs for t in p.get("tables", [])))
        first = provs[0] if provs else {}
        return {**first, "tables": tables, "synthetic": any(p.get("synthetic") for p in provs)}

    @property
    def synthetic(self) -> bool:
        return bool(self.provenance.get("synthetic"))

    @property
    def phrase(self) -> str:
        """How sentences name the region: ``'de regio Drenthe'``, ``'de gemeente Zaanstad'``."""
        from ..compare.narrative import region_phrase

        return region_phrase(self.region)


def prepare(
    region: str,
    question: str,
    period: str | None = None,
    *,
    level: str | None = None,
    indicators: list[str] | None = None,
    peers: str | list[str] = "auto",
    title: str | None = None,
    local_file: str | None = None,
    goal: str | None = None,
    context: str | None = None,
    trained_groups: list[str] | None = None,
) -> Example:
    """Validate the notebook's parameters and fetch every open indicator once.

    Raises the same :class:`~impactlib.errors.ParameterError` as a parameter file would.
    """
    params = make_parameters(
        {"region": region, "level": level, "question": question, "period": period,
         "indicators": indicators, "peers": peers, "title": title, "local_file": local_file,
         "goal": goal, "context": context, "trained_groups": trained_groups},
        where="notebookparameters",
    )
    resolution = _regions.resolve(params.region, params.level)
    reg = resolution.region
    q = load_question(params.question)
    specs = [get_indicator_spec(i) for i in (params.indicators or q.indicators)]
    chosen = query.check_period(q.headline, params.period)
    fetched = {s.id: query.get_indicator(s.id, reg, None) for s in specs if s.is_open}
    frames = {k: f for k, f in fetched.items() if chosen.key in set(f["period"])}
    flags = next((f.loc[f["period"] == chosen.key, "provisional"].iloc[0] for f in frames.values()), "")
    default_title = f"{reg.name}: {q.title}"
    return Example(
        region=reg, period=chosen.with_flag(flags or ""), question=q, specs=specs,
        title=params.title or default_title, peers=params.peers,
        local_file=Path(params.local_file) if params.local_file else None, frames=frames, note=resolution.note,
        goal=params.goal, context=params.context, trained_groups=params.trained_groups,
        parameters={**params.model_dump(), "period": chosen.key},
    )


# --------------------------------------------------------------------------- comparisons
def _focus_category(ex: Example, spec: IndicatorSpec) -> str | None:
    """The category a distribution is compared on: the question's headline category for the
    headline indicator, otherwise the region's largest category (leaving 'onbekend' aside)."""
    if spec.kind != "distribution":
        return None
    if spec.id == ex.question.headline and ex.question.headline_category:
        return ex.question.headline_category
    part = at_period(ex, spec).dropna(subset=["value"])
    part = part[part["category"].str.lower() != "onbekend"]
    return str(part.sort_values("value", ascending=False)["category"].iloc[0]) if len(part) else spec.category_labels()[0]


def comparison(ex: Example, indicator: str | IndicatorSpec, category: str | None = None):
    """The :class:`~impactlib.compare.report.Comparison` of one indicator for the example's
    region, period and peers, computed once per example.

    ``indicator``: an id or an :class:`~impactlib.catalogue.IndicatorSpec`; ``category``: the
    category of a distribution to compare (default: the question's headline category for the
    headline indicator, otherwise the region's largest category).
    """
    from ..compare import build_comparison

    spec = indicator if isinstance(indicator, IndicatorSpec) else get_indicator_spec(indicator)
    chosen = category if category is not None else _focus_category(ex, spec)
    key = (spec.id, chosen)
    if key not in ex._comparisons:
        ex._comparisons[key] = build_comparison(spec.id, ex.region, ex.period, peers=ex.peers, category=chosen)
    return ex._comparisons[key]


def compared_specs(ex: Example) -> list[IndicatorSpec]:
    """The open indicators step 5 and 6 discuss: a distribution whose compared category is the
    very same figure as a single-value indicator of the set (same counts) is left out."""
    def key(spec):
        comp = comparison(ex, spec)
        return (comp.row["numerator"], comp.row["denominator"], comp.national_row["value"])

    singles = {key(s) for s in ex.open_specs if s.kind != "distribution"}
    return [s for s in ex.open_specs if s.kind != "distribution" or key(s) not in singles]


# --------------------------------------------------------------------------- the example's frames
def at_period(ex: Example, spec: IndicatorSpec) -> pd.DataFrame:
    """The rows of one indicator in the chosen half year (every category of a distribution)."""
    frame = ex.frames[spec.id]
    return frame[frame["period"] == ex.period.key]


def no_national(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame for a chart: a count's national line left out (:func:`impactlib.frame.without_national`).

    Shares and rates of a region and of Nederland share a scale and keep the line; counts do not.
    """
    return without_national(frame) if (frame["unit"] == "count").all() else frame
