"""Regions a table lacks: fetch their gemeenten and add them up (:class:`RollUp`).

CBS publishes no population per Veilig Thuis-regio (03759ned) and no VT rows of
jeugdbescherming (82975NED): such a region is the sum of its gemeenten *of that year*
(membership changes: Weesp, Brabant), and unknown as soon as one of them is unknown.
:func:`fetch` asks a source for exactly the rows a plan needs and refuses an answer in
which a region code is titled as another region (:func:`check_region_titles`).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .. import regions as _regions
from ..catalogue import publishes
from ..errors import NotAvailableError, RegionMismatch
from ..tables import TableBundle

__all__ = ["RollUp", "check_region_titles", "fetch"]


class RollUp:
    """Which region rows to ask a table for, and how to add gemeenten up to regions it lacks."""

    def __init__(self, table_id: str, region_keys: list[str], period_keys: list[str]):
        self.table_id = table_id
        self.direct: list[str] = []
        self.members: dict[tuple[str, int], list[str]] = {}  # (region, year) → gemeente keys
        years = sorted({int(p[:4]) for p in period_keys})
        for key in region_keys:
            level = _regions.get(key).level
            if publishes(table_id, level):
                self.direct.append(key)
                continue
            if not publishes(table_id, "gemeente"):
                raise NotAvailableError(f"Tabel {table_id} heeft geen cijfers per {_regions.LEVEL_LABELS[level]} "
                                        "en ook niet per gemeente om op te tellen.")
            for year in years:
                if _regions.exists(key, year):
                    self.members[(key, year)] = [g.key for g in _regions.members(key, year)]

    def keys(self) -> list[str]:
        """Region keys to fetch: the direct ones and every member gemeente."""
        gm = [g for keys in self.members.values() for g in keys]
        return list(dict.fromkeys([*self.direct, *gm]))

    def counts(self) -> dict[str, int]:
        """Region key → number of gemeenten summed (newest year), for the source line."""
        out = {}
        for (key, year), keys in sorted(self.members.items()):
            out[key] = len(keys)
        return out

    def roll_up(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` (region_key, period, v, r) with the summed regions added and only asked-for rows kept."""
        if not self.members:
            return frame[frame["region_key"].isin(self.direct)].reset_index(drop=True)
        rows = []
        indexed = frame.set_index(["region_key", "period"])
        values, real = indexed["v"], indexed["r"]
        periods = sorted(frame["period"].unique())
        for (key, year), keys in self.members.items():
            for period in (p for p in periods if int(p[:4]) == year):
                parts = [values.get((g, period), np.nan) for g in keys]
                known = all(not pd.isna(v) for v in parts)
                rows.append({"region_key": key, "period": period, "v": float(sum(parts)) if known else np.nan,
                             "r": known and all(bool(real.get((g, period), False)) for g in keys)})
        summed = pd.DataFrame(rows, columns=["region_key", "period", "v", "r"])
        direct = frame[frame["region_key"].isin(self.direct)]
        return pd.concat([direct, summed], ignore_index=True)


def check_region_titles(bundle: TableBundle, keys: Iterable[str]) -> None:
    """Refuse an answer in which a region code is titled as another region.

    CBS numbers VT-regio's alphabetically; a table (or a server) that gives code VT22 another
    title than Zaanstreek-Waterland would put one region's figures under another's name.
    """
    titles = bundle.region_titles()
    for key in keys:
        title = titles.get(str(key).strip())
        if title is not None and not _regions.title_matches(key, title):
            mine = _regions.get(key)
            raise RegionMismatch(
                f"Tabel {bundle.table_id} noemt regiocode {str(key).strip()} '{title}', maar die code is "
                f"{mine.level_label} {mine.name}; de cijfers worden niet getoond (zie 'impactmonitor data verify').",
                table_id=bundle.table_id, region=str(key).strip(), title=str(title),
            )


def fetch(src, table_id: str, plan: RollUp, period_keys: list[str], filters: dict) -> TableBundle:
    """The rows ``plan`` needs from ``src`` (its regions, ``period_keys``, the ``filters``' categories)."""
    bundle = src.table(table_id, regions=plan.keys(), periods=period_keys, filters=filters)
    check_region_titles(bundle, plan.keys())
    return bundle
