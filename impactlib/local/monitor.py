"""Local figures beside the monitor's, stacked and never combined, as a frame or as Markdown.

:func:`beside_monitor` puts local rows and monitor rows in one tidy frame with a ``bron`` column
(``'lokaal: <bron>'`` or :data:`MONITOR_SOURCE`); it never adds, averages or merges figures of
different sources, and carries :data:`DEFINITION_WARNING`. :func:`local_markdown` is the same
as a Markdown section for notebooks and reports.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import query
from .. import regions as _regions
from ..catalogue import get_indicator_spec
from ..errors import NotAvailableError
from ..formatting import round_half_up
from ..periods import Period, parse_period
from ..safety import escape_markdown
from .frame import COLUMNS, THRESHOLD, LocalIndicators, display_value, empty_frame, is_synthetic, suppress_small
from ..wording import LOCAL_EXAMPLE_LINE, MONITOR_OEFENDATA_LINE

MONITOR_SOURCE = "CBS Impactmonitor"
DEFINITION_WARNING = (
    "Let op: lokale cijfers en de cijfers van de Impactmonitor (CBS) hebben elk hun eigen definitie, "
    "registratie en periode. Zet ze naast elkaar om het gesprek te voeden, maar tel ze nooit op en "
    "voeg ze nooit samen tot één cijfer."
)
DEFAULT_MONITOR_INDICATORS = (
    "meldingen_per_10k",
    "adviezen_per_10k",
    "meldingen_acuut_structureel_pct",
    "vervolgmeldingen_pct",
    "overdracht_politie_pct",
    "ots_per_10k",
)
_UNITS_FROM_MONITOR = {"percent": "percentage", "count": "aantal", "per_10k": "per_10k"}


def _local_frame(local: pd.DataFrame | LocalIndicators, threshold: int) -> pd.DataFrame:
    frame = suppress_small(local, threshold)
    return frame[COLUMNS]


def _overlaps(local_key: str, period: Period) -> bool:
    """Same period, or the same calendar year where one of the two is a whole year."""
    p = parse_period(local_key)
    return p.year == period.year and (p.half == period.half or 0 in (p.half, period.half))


def beside_monitor(
    local: pd.DataFrame | LocalIndicators,
    region,
    period=None,
    *,
    indicators: list[str] | tuple[str, ...] | None = None,
    level: str | None = None,
    threshold: int = THRESHOLD,
    source: str | None = None,
) -> pd.DataFrame:
    """Local figures and the monitor's figures for ``region`` side by side, one row each.

    Local rows of ``period`` (or of the calendar year it falls in; a yearly local figure keeps
    its own period label) get ``bron`` ``'lokaal: <bron>'``; the monitor's ``indicators``
    (default :data:`DEFAULT_MONITOR_INDICATORS`) for the region get ``'CBS Impactmonitor'``.
    Rows are only stacked, never added up or merged. ``frame.attrs`` holds ``warning``
    (:data:`DEFINITION_WARNING`), ``monitor_source`` (provenance) and ``synthetic``.
    ``period`` defaults to the newest half year of the monitor.
    """
    reg = _regions.resolve(region, level).region
    wanted = parse_period(period) if period is not None else query.latest_period(source=source)
    loc = _local_frame(local, threshold)
    loc = loc[[_overlaps(k, wanted) for k in loc["periode"]]].copy()
    loc["bron"] = "lokaal: " + loc["bron"]
    monitor, prov = _monitor_rows(reg, wanted, indicators or DEFAULT_MONITOR_INDICATORS, source)
    parts = [part for part in (monitor, loc) if len(part)]  # stacked, never combined
    frame = pd.concat(parts, ignore_index=True)[COLUMNS] if parts else empty_frame()
    frame["onderdrukt"] = frame["onderdrukt"].astype(bool)
    frame.attrs.update(
        warning=DEFINITION_WARNING,
        monitor_source=prov,
        region=reg,
        period=wanted,
        synthetic={"monitor": bool(prov.get("synthetic")), "lokaal": is_synthetic(local)},
    )
    return frame


def _monitor_rows(reg, period: Period, indicators, source) -> tuple[pd.DataFrame, dict]:
    halves = [period] if period.is_half_year else [Period(period.year, 1), Period(period.year, 2)]
    parts, provs = [], []
    for ind in indicators:
        spec = get_indicator_spec(ind, require_open=True)
        for half in halves:
            try:
                df = query.get_indicator(spec.id, reg, half.key, source=source)
            except NotAvailableError:
                continue
            provs.append(query.provenance(df))
            unit = _UNITS_FROM_MONITOR[spec.unit]
            shown = df["value"].map(lambda v: round_half_up(v, 1) if pd.notna(v) else np.nan)
            parts.append(pd.DataFrame({
                "bron": MONITOR_SOURCE, "indicator": spec.id, "omschrijving": spec.name, "categorie": df["category"],
                "niveau": reg.level, "gebied": reg.name, "periode": df["period"], "periodetitel": df["period_title"],
                "waarde": shown.astype(float), "eenheid": unit,
                "weergave": [display_value(v, unit) for v in shown], "onderdrukt": False,
                "opmerking": query.source_label(query.provenance(df)),
            }))
    frame = pd.concat(parts, ignore_index=True) if parts else empty_frame()
    prov = dict(provs[0]) if provs else {}
    if provs:  # one label for all monitor rows: every table used, synthetic if any part is
        prov["tables"] = list(dict.fromkeys(t for p in provs for t in p.get("tables", [])))
        prov["synthetic"] = any(p.get("synthetic") for p in provs)
    return frame, prov


# --------------------------------------------------------------------------- markdown
def _cell(text) -> str:
    """Text written in a local file, as literal Markdown (no HTML, no links)."""
    return escape_markdown(text)


def local_markdown(
    local: pd.DataFrame | LocalIndicators,
    region=None,
    period=None,
    *,
    indicators=None,
    level: str | None = None,
    threshold: int = THRESHOLD,
    source: str | None = None,
) -> str:
    """A Markdown section for notebooks and reports.

    With ``region``: the local figures beside the monitor's (:func:`beside_monitor`) and the
    warning about definitions. Without: the local figures alone (``period`` filters them).
    Suppressed counts show as ``<5``; synthetic figures are labelled at the top.
    """
    prov: dict = {}
    lines = ["### Lokale cijfers" + (" naast de Impactmonitor" if region is not None else ""), ""]
    if is_synthetic(local):
        lines += [f"**{LOCAL_EXAMPLE_LINE}**", ""]
    if region is not None:
        table = beside_monitor(local, region, period, indicators=indicators, level=level, threshold=threshold, source=source)
        prov = table.attrs["monitor_source"]
        if prov.get("synthetic"):
            lines += [f"**{MONITOR_OEFENDATA_LINE}**", ""]
        lines += [f"> {DEFINITION_WARNING}", ""]
    else:
        table = _local_frame(local, threshold)
        if period is not None:
            table = table[[_overlaps(k, parse_period(period)) for k in table["periode"]]]
        table = table.assign(bron="lokaal: " + table["bron"])
    lines += ["| Bron | Indicator | Gebied | Periode | Waarde |", "|---|---|---|---|---|"]
    for r in table.itertuples(index=False):
        name = r.omschrijving + (f" ({r.categorie})" if r.categorie else "")
        lines.append(f"| {_cell(r.bron)} | {_cell(name)} | {_cell(r.gebied)} | {_cell(r.periodetitel)} | {r.weergave} |")
    if table.empty:
        lines.append("| – | geen cijfers voor deze periode | | | |")
    notes = [f"Aantallen onder {threshold} staan er als '<{threshold}' (privacy: denk in totalen)."]
    if prov:
        notes.append(query.source_label(prov) + ".")
    lines += ["", " ".join(notes)]
    return "\n".join(lines) + "\n"
