"""How many people in a region might be victim? National prevalence, applied with care.

The Impactmonitor counts what Veilig Thuis registers, not how much violence there is. To
give a sense of urgency, national prevalence figures (``data/prevalence.yaml``: the
Prevalentiemonitor 2020, the 2022 estimate, the 2017 estimate for kindermishandeling) can be
applied to a region's population, "met een groot voorbehoud": it assumes the region sits
exactly at the national average. The answer is a range over the rates of one topic, and
the caveat stands in the same sentence.

Rates a user supplies (``rates=[{...}]``, same fields as the YAML) replace the defaults.

:func:`estimate` is the pure part; :func:`prevalence_estimates` reads the population.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from .. import regions as _regions
from ..catalogue import POPULATION_MEASURE, POPULATION_TABLE
from ..errors import ParameterError
from ..formatting import format_count, round_half_up
from ..regions import NATIONAL_KEY, Region
from ..sources import get_source
from ..yamlfiles import safe_load
from .narrative import region_phrase

__all__ = ["Rate", "Estimate", "default_rates", "estimate", "prevalence_estimates", "group_population"]


class Rate(BaseModel):
    """One national prevalence figure for one topic and population group."""

    model_config = ConfigDict(extra="forbid")
    topic: str
    group: Literal["16plus", "0to17", "total"]
    year: int
    source: str
    id: str = ""
    label: str = ""
    rate: float | None = None  # percent of the group
    national_count: float | None = None
    national_count_low: float | None = None
    national_count_high: float | None = None

    @model_validator(mode="after")
    def _one_figure(self):
        if self.rate is None and self.national_count is None and self.national_count_low is None:
            raise ValueError("geef 'rate' (procent) of 'national_count'")
        if self.rate is not None and not 0 <= self.rate <= 100:
            raise ValueError("'rate' is een percentage tussen 0 en 100")
        return self

    def percents(self, national_population: float) -> tuple[float, float]:
        """(low, high) percent of the group; from counts via the national population."""
        if self.rate is not None:
            return (self.rate, self.rate)
        low = self.national_count_low if self.national_count_low is not None else self.national_count
        high = self.national_count_high if self.national_count_high is not None else self.national_count
        return (low / national_population * 100, high / national_population * 100)


@dataclass(frozen=True)
class Estimate:
    topic: str
    region: str
    group: str  # Dutch label of the population group
    population: float  # the region's group population in ``year``
    year: int
    low: float  # rounded estimates (hundreds; tens below 1 000)
    high: float
    rates: list[Rate]
    sentence: str


@lru_cache(maxsize=1)
def _config() -> dict:
    text = resources.files("impactlib").joinpath("data/prevalence.yaml").read_text(encoding="utf-8")
    return safe_load(text)


def default_rates() -> list[Rate]:
    return [Rate(**r) for r in _config()["rates"]]


def _rates(rates) -> list[Rate]:
    if rates is None:
        return default_rates()
    try:
        return [r if isinstance(r, Rate) else Rate(**r) for r in rates]
    except (ValidationError, TypeError) as exc:
        first = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        raise ParameterError(
            f"Eigen prevalentiecijfer is niet bruikbaar ({first[:80]}); geef per cijfer topic, group "
            f"(16plus, 0to17 of total), year, source en rate (procent) of national_count."
        ) from None


def _round(x: float) -> float:
    return round_half_up(x, -1 if x < 1000 else -2)


def estimate(
    rates: list[Rate], region: str, population: dict[str, float], national: dict[int, dict[str, float]],
    year: int,
) -> list[Estimate]:
    """One estimate per topic: the region's group population times the lowest and highest rate.

    ``population``: group → the region's population; ``national``: year → group → national
    population (used to turn national counts into rates, nearest year).
    """
    out = []
    by_topic: dict[str, list[Rate]] = {}
    for r in rates:
        by_topic.setdefault(r.topic, []).append(r)
    topics, groups = _config()["topics"], _config()["groups"]
    for topic, items in by_topic.items():
        group = items[0].group
        if any(r.group != group for r in items):
            raise ParameterError(f"Prevalentiecijfers voor '{topic}' gelden voor verschillende groepen; kies één groep.")
        pcts = []
        for r in items:
            nat_year = min(national, key=lambda y: (abs(y - r.year), -y))
            pcts.extend(r.percents(national[nat_year][group]))
        pop = population[group]
        low, high = _round(pop * min(pcts) / 100), _round(pop * max(pcts) / 100)
        label = groups[group]["label"]
        what = topics.get(topic, topic.replace("_", " "))
        figures = "; ".join(r.label or f"{r.source} ({r.year})" for r in items)
        amount = f"ongeveer {format_count(low)}" if low == high else f"{format_count(low)} tot {format_count(high)}"
        sentence = (
            f"Met een groot voorbehoud omgerekend (landelijke cijfers: {figures}), en alleen als {region} "
            f"op het landelijke gemiddelde zit, zijn daar naar schatting {amount} {label} {what} "
            f"(op ongeveer {format_count(_round(pop))} {label} in {year})."
        )
        out.append(Estimate(topic, region, label, pop, year, low, high, items, sentence))
    return out


def group_population(region_key: str, year: int, *, source: str | None = None) -> dict[str, float]:
    """Population per group for one region and year (see ``groups`` in prevalence.yaml).

    A Veilig Thuis-regio's population is the sum of its gemeenten (03759ned has no VT rows). The
    age group 0–17 is used where the table has it; otherwise the groups follow the fallback shares.
    """
    from ..errors import LayoutError
    from ..query import region_totals

    key = f"{year}JJ00"
    total = float(region_totals(POPULATION_TABLE, POPULATION_MEASURE, [region_key], [key], source=source)["value"].iloc[0])
    try:
        young_frame = region_totals(POPULATION_TABLE, POPULATION_MEASURE, [region_key], [key],
                                    filter={"Leeftijd": ["0 tot 18 jaar"]}, source=source)
        young = float(young_frame["value"].iloc[0]) if len(young_frame) else math.nan
    except LayoutError:
        young = math.nan
    shares = {g: v["fallback_share"] for g, v in _config()["groups"].items()}
    if math.isnan(young):
        return {g: total * s for g, s in shares.items()}
    return {"total": total, "0to17": young, "16plus": total - young * 16 / 18}


def prevalence_estimates(
    region: str | Region, *, year: int | None = None, rates=None, level: str | None = None,
    source: str | None = None,
) -> list[Estimate]:
    """Estimates for ``region`` with the population of ``year`` (default: latest in the table)."""
    from ..query import table_meta

    reg = _regions.resolve(region, level).region
    chosen = _rates(rates)
    meta = table_meta(get_source(source), POPULATION_TABLE)
    years = sorted(int(k[:4]) for k in meta.period_titles() if k.endswith("JJ00"))
    use = year if year in years else max([y for y in years if year is None or y <= year] or years[:1])
    national = {y: group_population(NATIONAL_KEY, y, source=source) for y in years}
    population = group_population(reg.key, use, source=source)
    return estimate(chosen, region_phrase(reg), population, national, use)
