"""Rank regions on one indicator in one period (1 = highest value).

Values are ranked as they are shown (rounded half up to one decimal), so two regions that
both read "55,6 %" share a place; ties take the lowest place of the group (``method="min"``:
1, 2, 2, 4). Regions with an unknown value get no place and are listed in
:attr:`Rank.unranked`.

>>> import pandas as pd
>>> frame = pd.DataFrame({"region_key": ["A", "B", "C"], "region": ["A", "B", "C"],
...                       "value": [10.0, 30.0, float("nan")]})
>>> region_rank(frame, "A").rank, region_rank(frame, "A").n_regions
(2, 2)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..errors import NotAvailableError, ParameterError
from ..formatting import round_half_up

__all__ = ["Rank", "rank_table", "rank_within", "region_rank", "ordinal"]


@dataclass(frozen=True)
class Rank:
    region: str
    rank: int | None  # None when the region's value is unknown
    n_regions: int  # regions with a known value
    value: float
    ties: list[str] = field(default_factory=list)  # other regions sharing the place
    unranked: list[str] = field(default_factory=list)  # regions with an unknown value

    @property
    def text(self) -> str:
        """``'3e van 26'`` or ``'geen plaats (onbekend)'``."""
        if self.rank is None:
            return "geen plaats (cijfer onbekend)"
        return f"{ordinal(self.rank)} van {self.n_regions}"


def ordinal(n: int) -> str:
    """Dutch ordinal as written in figures: ``1e``, ``2e``, ``26e``."""
    return f"{int(n)}e"


def rank_table(frame: pd.DataFrame, *, decimals: int = 1) -> pd.DataFrame:
    """The frame (one row per region, one period and category) with a ``rank`` column.

    Sorted by rank (unknown values last); ``rank`` is a nullable integer.
    """
    if "period" in frame and frame["period"].nunique() > 1:
        raise ParameterError("Rangschikken kan alleen binnen één periode; kies één periode.")
    if "category" in frame and frame["category"].nunique() > 1:
        raise ParameterError("Rangschikken kan alleen binnen één categorie; kies één categorie.")
    out = frame.copy()
    out["rank"] = _places(out["value"], decimals)
    return out.sort_values(["rank", "region"], na_position="last").reset_index(drop=True)


def _shown(values: pd.Series, decimals: int) -> pd.Series:
    return values.astype(float).map(lambda v: round_half_up(v, decimals))


def _places(values: pd.Series, decimals: int) -> pd.Series:
    """The place of every value as shown (1 = highest, ties share the lowest); unknown: <NA>."""
    return _shown(values, decimals).rank(method="min", ascending=False).astype("Int64")


def rank_within(frame: pd.DataFrame, by=("period", "category"), *, decimals: int = 1) -> pd.DataFrame:
    """Every row's place within its ``by`` group (e.g. each VT-regio per period and category).

    The same rule as :func:`rank_table`, for a frame of many periods at once; returns a frame
    on ``frame``'s index with ``rank`` and ``n_regions`` (regions with a known value in the
    group), both nullable integers and <NA> where the row's own value is unknown.
    """
    by = list(by)
    shown = _shown(frame["value"], decimals)
    groups = shown.groupby([frame[c] for c in by], sort=False)
    ranked = groups.rank(method="min", ascending=False).astype("Int64")
    counted = groups.transform("count").astype("Int64").where(shown.notna())
    return pd.DataFrame({"rank": ranked, "n_regions": counted}, index=frame.index)


def region_rank(frame: pd.DataFrame, region: str, *, decimals: int = 1) -> Rank:
    """The place of ``region`` (a name or a key) among the regions in ``frame``."""
    table = rank_table(frame, decimals=decimals)
    hit = table[(table["region"] == region) | (table["region_key"] == region)]
    if hit.empty:
        raise NotAvailableError(f"Regio '{region}' staat niet in de rangschikking.")
    row = hit.iloc[0]
    unranked = table.loc[table["rank"].isna(), "region"].tolist()
    rank = None if pd.isna(row["rank"]) else int(row["rank"])
    ties = [] if rank is None else table.loc[(table["rank"] == rank) & (table["region"] != row["region"]), "region"].tolist()
    return Rank(str(row["region"]), rank, int(table["rank"].notna().sum()), float(row["value"]), ties, unranked)
