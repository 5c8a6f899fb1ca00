"""The figures under each chart of the verkenner: the series over time and the table of every view.

:func:`series_frame` gives the region's series since 2019 with a row for every half year (NaN
where the region has no figure, so a chart breaks there) and :func:`gap_note` says where and why.
The ``*_table`` functions build the Dutch table shown under a chart and downloaded as CSV;
:data:`REAL_COLUMN` marks a published CBS figure ('ja') or an invented oefencijfer ('nee').
"""

from __future__ import annotations

import math

import pandas as pd

from .. import query
from ..errors import ImpactError
from ..frame import without_national
from ..periods import parse_period
from ..regions import NATIONAL_KEY

#: Column of the explorer's tables: a published CBS figure ('ja') or an invented oefencijfer ('nee').
REAL_COLUMN = "Echt CBS-cijfer"
#: Heading of the value column, per unit.
VALUE_HEADINGS = {"percent": "Percentage (%)", "per_10k": "Per 10.000 inwoners", "count": "Aantal"}


def all_regions_frame(comp) -> pd.DataFrame:
    """Every Veilig Thuis-regio of the comparison's period (around the national line for Nederland)."""
    if comp.ranking is not None:
        frame = comp.ranking
    else:  # Nederland: show the Veilig Thuis-regio's around the national line
        frame = query.indicator_values(comp.spec.id, "vt", [comp.period], category=comp.category)
    frame = frame.copy()
    frame.attrs = dict(comp.series.attrs)
    return without_national(frame) if comp.unit == "count" else frame


def series_frame(comp) -> pd.DataFrame:
    """The region's series since the first half year up to the chosen period, one row per period.

    A period without a row for the region (it did not exist then, e.g. after the 2023 change
    of the Veilig Thuis-regio's) gets a row with ``value`` NaN, so a chart breaks there
    instead of joining the figures around it; the national figure is filled in for it.
    Counts get no national figure (another scale).
    """
    series = comp.series
    wanted = [p for p in query.available_periods(comp.spec.id) if p.is_half_year and p <= comp.period]
    keys = [p.key for p in wanted] or sorted(series["period"])
    have = series.drop_duplicates("period").set_index("period")
    missing = [k for k in keys if k not in have.index or pd.isna(have.loc[k, "national"])]
    national = None
    if missing and comp.unit != "count":
        try:
            national = query.indicator_values(comp.spec.id, [NATIONAL_KEY], missing, category=comp.category)
            national = national.drop_duplicates("period").set_index("period")
        except ImpactError:
            national = None
    rows = []
    for p in wanted or [parse_period(k) for k in keys]:
        if p.key in have.index:
            row = have.loc[p.key].to_dict()
        else:
            row = {c: have[c].iloc[0] for c in ("region_key", "region", "level", "indicator", "category", "unit",
                                               "source") if c in have.columns}
            row.update(value=math.nan, numerator=math.nan, denominator=math.nan, national=math.nan,
                       period_title=p.title, provisional=p.provisional)
        if national is not None and p.key in national.index and pd.isna(row.get("national")):
            row["national"] = national.loc[p.key, "value"]
        row["period"] = p.key
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["provisional"] = frame["provisional"].fillna("")
    frame.attrs = dict(series.attrs)
    return without_national(frame) if comp.unit == "count" else frame


def gap_note(frame: pd.DataFrame, region) -> str | None:
    """A sentence naming the periods without a figure for the region, or ``None``."""
    if region.key == NATIONAL_KEY or frame.empty:
        return None
    known = frame["value"].notna().tolist()
    if all(known):
        return None
    titles = frame["period_title"].tolist()
    if not any(known):
        return f"Voor {region.name} is er in deze periodes geen cijfer."
    first, last = known.index(True), len(known) - 1 - known[::-1].index(True)
    inside = [t for t, k, i in zip(titles, known, range(len(known))) if not k and first < i < last]
    parts = []
    if inside:
        parts.append(f"Voor {', '.join(inside)} is er geen cijfer voor {region.name}; de lijn is daar onderbroken.")
    if first > 0:
        parts.append(f"Voor {region.name} zijn er pas cijfers vanaf {titles[first]}.")
    if last < len(known) - 1:
        parts.append(f"Na {titles[last]} zijn er geen cijfers meer voor {region.name}.")
    parts.append("Dat kan komen door de nieuwe indeling van de Veilig Thuis-regio's in 2023; "
                 "vergelijk cijfers van voor en na zo'n breuk niet zonder meer.")
    return " ".join(parts)


def time_table(frame: pd.DataFrame, region, unit: str) -> pd.DataFrame:
    """The view over time: one row per half year, the region's and the national value."""
    out = pd.DataFrame({"Periode": frame["period_title"].tolist()})
    if region.key != NATIONAL_KEY:
        out[f"{region.name}: {VALUE_HEADINGS[unit].lower()}"] = frame["value"].astype(float).tolist()
        if unit != "count":
            out[f"Nederland: {VALUE_HEADINGS[unit].lower()}"] = frame["national"].astype(float).tolist()
    else:
        out[f"Nederland: {VALUE_HEADINGS[unit].lower()}"] = frame["value"].astype(float).tolist()
    return out


def pair_table(comp) -> pd.DataFrame:
    """The region beside Nederland: value, numerator, denominator and whether each is a real CBS figure."""
    row, nat = comp.row, comp.national_row
    return pd.DataFrame({
        "Regio": [comp.region.name, "Nederland"],
        "Periode": [comp.period.title, comp.period.title],
        VALUE_HEADINGS[comp.unit]: [float(row["value"]), float(nat["value"])],
        "Teller": [float(row["numerator"]), float(nat["numerator"])],
        "Noemer": [float(row["denominator"]), float(nat["denominator"])],
        REAL_COLUMN: [_yes_no(row.get("real")), _yes_no(nat.get("real"))],
    })


def _yes_no(value) -> str:
    return "ja" if bool(value) and not (isinstance(value, float) and math.isnan(value)) else "nee"


def distribution_table(every: pd.DataFrame, period, region) -> pd.DataFrame:
    """A distribution: one row per category, the region's and the national percentage."""
    part = every[every["period"] == period.key]
    return pd.DataFrame({
        "Categorie": part["category"].tolist(),
        f"{region.name} (%)": part["value"].astype(float).tolist(),
        "Nederland (%)": part["national"].astype(float).tolist(),
    })


def regions_table(frame: pd.DataFrame, comp, *, rank: bool) -> pd.DataFrame:
    """Regions (ranked, or in the given order) with Nederland last for anything but counts."""
    if rank:
        frame = frame.sort_values("value", ascending=False, na_position="last")
    out = pd.DataFrame({"Regio": frame["region"].tolist(), VALUE_HEADINGS[comp.unit]: frame["value"].astype(float).tolist()})
    if "real" in frame.columns:
        out[REAL_COLUMN] = [_yes_no(v) for v in frame["real"]]
    if rank and "rank" in frame.columns:
        out.insert(0, "Plaats", [float(r) for r in frame["rank"]])
    if comp.unit != "count":
        extra = {"Regio": "Nederland", VALUE_HEADINGS[comp.unit]: float(comp.national_row["value"])}
        if "real" in frame.columns:
            extra[REAL_COLUMN] = _yes_no(comp.national_row.get("real"))
        if rank and "Plaats" in out.columns:
            extra["Plaats"] = math.nan
        out = pd.concat([out, pd.DataFrame([extra])], ignore_index=True)
    return out
