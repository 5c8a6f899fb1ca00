"""Charts for steps 5 and 6, one function per picture, all in one style.

Every function takes a tidy frame from :mod:`impactlib.query` (its ``attrs["source"]``
carries the provenance) and returns a :class:`matplotlib.figure.Figure` built without
pyplot, so nothing piles up in memory and notebooks show the figure they get back.
Each chart has Dutch labels, decimal commas on the axes and a source line under it naming
CBS and the tables (:func:`impactlib.query.source_label`); oefendata get an extra warning.

- :func:`region_vs_national_bar` — the region beside Nederland for one period;
- :func:`time_series` — the region over time with the national line, provisional periods marked;
- :func:`time_series_with_breaks` — the same for one region, the line broken where a figure is missing;
- :func:`ranked_dotplot` — every region of one period, sorted, the region highlighted;
- :func:`distribution_bars` — categories (melder type, duur) for the region and Nederland;
- :func:`tile_map` — the 26 Veilig Thuis-regio's as tiles on a hand-made grid.
"""

from __future__ import annotations

import math
import textwrap

import matplotlib
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter

from .catalogue import get_indicator_spec
from .errors import NotAvailableError
from .formatting import format_number
from .periods import parse_period
from .query import source_label
from .regions import NATIONAL_KEY

__all__ = [
    "region_vs_national_bar",
    "time_series",
    "time_series_with_breaks",
    "ranked_dotplot",
    "distribution_bars",
    "tile_map",
    "TILE_GRID",
    "REGION_COLOUR",
    "NATIONAL_COLOUR",
    "OTHER_COLOUR",
]

REGION_COLOUR = "#d95f02"
NATIONAL_COLOUR = "#4d4d4d"
OTHER_COLOUR = "#9ecae1"
_STYLE = "whitegrid"
_UNIT_LABEL = {"percent": "Percentage (%)", "per_10k": "Per 10.000 inwoners", "count": "Aantal"}
_SYNTHETIC_NOTE = "Let op: OEFENDATA – verzonnen cijfers om mee te oefenen, niet voor beleid."

#: Hand-made grid (column, row; row 0 in the north) for the 26 Veilig Thuis-regio's.
TILE_GRID = {
    "VT02": (2, 0), "VT01": (3, 0),
    "VT10": (1, 1), "VT03": (3, 1),
    "VT11": (1, 2), "VT26": (2, 2), "VT04": (3, 2), "VT05": (4, 2),
    "VT12": (0, 3), "VT13": (1, 3), "VT14": (2, 3), "VT06": (3, 3),
    "VT15": (0, 4), "VT16": (1, 4), "VT09": (2, 4), "VT07": (3, 4),
    "VT17": (0, 5), "VT18": (1, 5), "VT08": (2, 5), "VT22": (3, 5),
    "VT19": (0, 6), "VT20": (1, 6), "VT21": (2, 6), "VT23": (3, 6), "VT24": (4, 6),
    "VT25": (4, 7),
}


# --------------------------------------------------------------------------- helpers
def _tick(value: float, _pos=None) -> str:
    """Axis numbers with a decimal comma and as few decimals as the tick needs."""
    for decimals in (0, 1, 2):
        if abs(value - round(value, decimals)) < 1e-9:
            return format_number(value, decimals)
    return format_number(value, 2)


def _new(width: float, height: float):
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)  # one renderer for layout and saving: text is measured once, not per pass
    with sns.axes_style(_STYLE):
        ax = fig.add_subplot()
    return fig, ax


def _prov(frame: pd.DataFrame) -> dict:
    prov = dict(frame.attrs.get("source") or {})
    if not prov and "source" in frame and len(frame):
        return {"label": str(frame["source"].iloc[0])}
    return prov


def _finish(fig: Figure, prov: dict, title: str) -> Figure:
    """Title, source line (and oefendata note) under the chart, tight layout."""
    lines = [prov.get("label") or source_label(prov)]
    if prov.get("synthetic"):
        lines.append(_SYNTHETIC_NOTE)
    wrapped = [w for line in lines for w in textwrap.wrap(line, 130)]
    width = int(fig.get_figwidth() * 11)
    fig.suptitle("\n".join(w for line in title.split("\n") for w in textwrap.wrap(line, width)), fontsize=11, x=0.01, ha="left")
    fig.text(0.01, 0.01, "\n".join(wrapped), fontsize=7, color="#555555", ha="left", va="bottom")
    height = fig.get_figheight()
    fig.tight_layout(rect=(0, (0.16 * len(wrapped) + 0.08) / height, 1, 1))
    return fig


def _unit(frame: pd.DataFrame) -> str:
    return str(frame["unit"].iloc[0]) if len(frame) else "percent"


def _label(frame: pd.DataFrame) -> str:
    try:
        return get_indicator_spec(str(frame["indicator"].iloc[0])).name
    except Exception:  # noqa: BLE001 - a title is never worth an error
        return str(frame["indicator"].iloc[0])


def _one_period(frame: pd.DataFrame, period) -> tuple[pd.DataFrame, object]:
    if frame.empty:
        raise NotAvailableError("Geen cijfers om te tekenen.")
    key = parse_period(period).key if period is not None else sorted(frame["period"])[-1]
    part = frame[frame["period"] == key]
    if part.empty:
        raise NotAvailableError(f"Periode {key} zit niet in de cijfers voor deze grafiek.")
    return part, parse_period(key).with_flag(str(part["provisional"].iloc[0] or ""))


def _short(value: float, unit: str) -> str:
    return format_number(value, 0 if unit == "count" else 1) + (" %" if unit == "percent" else "")


# --------------------------------------------------------------------------- pictures
def region_vs_national_bar(frame: pd.DataFrame, period=None, *, title: str | None = None) -> Figure:
    """Two bars: the region and Nederland in one period (default: the latest in ``frame``)."""
    part, per = _one_period(frame, period)
    row, unit = part.iloc[0], _unit(part)
    data = pd.DataFrame({"wie": [row["region"], "Nederland"], "waarde": [row["value"], row["national"]]})
    fig, ax = _new(6, 3.6)
    sns.barplot(data=data, x="wie", y="waarde", hue="wie", palette=[REGION_COLOUR, NATIONAL_COLOUR], legend=False, ax=ax)
    for i, v in enumerate(data["waarde"]):
        ax.annotate(_short(v, unit) if not pd.isna(v) else "onbekend", (i, 0 if pd.isna(v) else v),
                    ha="center", va="bottom", fontsize=9, xytext=(0, 3), textcoords="offset points")
    ax.set_xlabel("")
    ax.set_ylabel(_UNIT_LABEL[unit])
    ax.yaxis.set_major_formatter(FuncFormatter(_tick))
    ax.margins(y=0.15)
    category = f" – {row['category']}" if row.get("category") else ""
    return _finish(fig, _prov(frame), title or f"{_label(part)}{category}\n{row['region']} en Nederland, {per.title}")


def time_series(frame: pd.DataFrame, *, title: str | None = None) -> Figure:
    """The region(s) over the periods in ``frame`` with the national line; '*' = provisional."""
    if frame.empty:
        raise NotAvailableError("Geen cijfers om te tekenen.")
    unit = _unit(frame)
    periods = sorted({parse_period(k).with_flag(f or "") for k, f in zip(frame["period"], frame["provisional"])})
    pos = {p.key: i for i, p in enumerate(periods)}
    data = frame.assign(x=frame["period"].map(pos))
    national = data.drop_duplicates("period")[["x", "national"]].sort_values("x")
    fig, ax = _new(8, 4)
    regions = list(dict.fromkeys(data["region"]))
    palette = [REGION_COLOUR] + sns.color_palette("tab10", max(len(regions) - 1, 1)).as_hex()[: len(regions) - 1]
    if not (data["region_key"] == NATIONAL_KEY).all():
        sns.lineplot(data=data, x="x", y="value", hue="region", hue_order=regions, palette=palette[: len(regions)],
                     marker="o", ax=ax)
    ax.plot(national["x"], national["national"], color=NATIONAL_COLOUR, linestyle="--", marker=".", label="Nederland")
    provisional = [pos[p.key] for p in periods if p.is_provisional]
    if provisional:
        ax.axvspan(min(provisional) - 0.5, max(provisional) + 0.5, color="#eeeeee", zorder=0)
        ax.text(max(provisional) + 0.45, 0.98, "voorlopig", transform=ax.get_xaxis_transform(),
                ha="right", va="top", fontsize=8, color="#555555")
    ax.set_xticks(range(len(periods)), [p.short for p in periods], rotation=45, ha="right")
    ax.set_xlim(-0.5, len(periods) - 0.5)
    ax.set_xlabel("Periode (* = voorlopig cijfer)")
    ax.set_ylabel(_UNIT_LABEL[unit])
    ax.yaxis.set_major_formatter(FuncFormatter(_tick))
    ax.legend(title="", frameon=False)
    who = ", ".join(regions)
    return _finish(fig, _prov(frame), title or f"{_label(frame)}\n{who}, {periods[0].title} t/m {periods[-1].title}")


def ranked_dotplot(frame: pd.DataFrame, region: str | None = None, period=None, *, title: str | None = None) -> Figure:
    """All regions of one period sorted high to low; ``region`` (name or key) highlighted."""
    part, per = _one_period(frame, period)
    unit = _unit(part)
    data = part.dropna(subset=["value"]).sort_values("value", ascending=False)
    focus = data["region"].eq(region) | data["region_key"].eq(region)
    data = data.assign(kleur=np.where(focus, "regio", "overig"))
    fig, ax = _new(7, max(4.0, 0.24 * len(data) + 1.4))
    sns.scatterplot(data=data, x="value", y="region", hue="kleur", palette={"regio": REGION_COLOUR, "overig": OTHER_COLOUR},
                    s=60, legend=False, ax=ax)
    national = part["national"].iloc[0]
    if not pd.isna(national):
        ax.axvline(national, color=NATIONAL_COLOUR, linestyle="--", linewidth=1)
        ax.text(national, 1.0, f" Nederland {_short(national, unit)}", transform=ax.get_xaxis_transform(),
                fontsize=8, color=NATIONAL_COLOUR, va="bottom")
    for label in ax.get_yticklabels():
        if label.get_text() in set(data.loc[focus, "region"]):
            label.set_color(REGION_COLOUR)
            label.set_fontweight("bold")
    ax.set_xlabel(_UNIT_LABEL[unit])
    ax.set_ylabel("")
    ax.xaxis.set_major_formatter(FuncFormatter(_tick))
    missing = part.loc[part["value"].isna(), "region"].tolist()
    extra = f" (zonder cijfer: {', '.join(missing)})" if missing else ""
    return _finish(fig, _prov(frame), title or f"{_label(part)}, {per.title}: alle regio's{extra}")


def distribution_bars(frame: pd.DataFrame, period=None, *, title: str | None = None) -> Figure:
    """Categories of a distribution indicator for one region beside Nederland."""
    part, per = _one_period(frame, period)
    region = str(part["region"].iloc[0])
    long = pd.concat([
        pd.DataFrame({"categorie": part["category"], "wie": region, "waarde": part["value"]}),
        pd.DataFrame({"categorie": part["category"], "wie": "Nederland", "waarde": part["national"]}),
    ], ignore_index=True)
    fig, ax = _new(8, max(3.5, 0.45 * part["category"].nunique() + 1.5))
    sns.barplot(data=long, y="categorie", x="waarde", hue="wie", palette=[REGION_COLOUR, NATIONAL_COLOUR], ax=ax)
    ax.set_xlabel(_UNIT_LABEL[_unit(part)])
    ax.set_ylabel("")
    ax.xaxis.set_major_formatter(FuncFormatter(_tick))
    ax.legend(title="", frameon=False)
    return _finish(fig, _prov(frame), title or f"{_label(part)}\n{region} en Nederland, {per.title}")


def tile_map(frame: pd.DataFrame, region: str | None = None, period=None, *, title: str | None = None) -> Figure:
    """The 26 Veilig Thuis-regio's as tiles (no geometry), coloured by the indicator."""
    part, per = _one_period(frame, period)
    unit = _unit(part)
    values = part.set_index("region_key")["value"]
    names = part.set_index("region_key")["region"]
    known = values.reindex(list(TILE_GRID)).dropna()
    cmap = sns.color_palette("crest", as_cmap=True)
    low, high = (known.min(), known.max()) if len(known) else (0.0, 1.0)
    norm = matplotlib.colors.Normalize(vmin=low, vmax=high if high > low else low + 1)
    fig, ax = _new(6.5, 7.5)
    for key, (col, row) in TILE_GRID.items():
        value = values.get(key, math.nan)
        colour = "#dddddd" if pd.isna(value) else cmap(norm(value))
        focus = region is not None and (key == region or names.get(key) == region)
        ax.add_patch(Rectangle((col, -row), 0.95, 0.95, facecolor=colour, edgecolor="black" if focus else "white",
                               linewidth=2.5 if focus else 0.5))
        text_colour = "white" if not pd.isna(value) and norm(value) > 0.55 else "black"
        name = "\n".join(textwrap.wrap(str(names.get(key, key)), 12))
        shown = "onbekend" if pd.isna(value) else _short(value, unit)
        ax.text(col + 0.475, -row + 0.475, f"{name}\n{shown}", ha="center", va="center", fontsize=6.5,
                color=text_colour, fontweight="bold" if focus else "normal")
    ax.set_xlim(-0.1, 5.05)
    ax.set_ylim(-7.1, 1.05)
    ax.set_aspect("equal")
    ax.axis("off")
    bar = fig.colorbar(matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.5, format=FuncFormatter(_tick))
    bar.set_label(_UNIT_LABEL[unit])
    return _finish(fig, _prov(frame), title or f"{_label(part)}, {per.title}\nVeilig Thuis-regio's (schematisch, geen kaart)")


def time_series_with_breaks(frame: pd.DataFrame, *, title: str | None = None, note: str | None = None) -> Figure:
    """One region over time with the national line; the line breaks where a figure is missing.

    Unlike :func:`time_series`, a period without a figure for the region (``value`` NaN, e.g.
    because the region did not exist in that year after the 2023 change of the Veilig
    Thuis-regio's) is never bridged: the line stops and starts again, a lone figure is a dot.
    Provisional periods ('*') are shaded; ``note`` is written in the chart (e.g. which periods
    are missing). A frame of Nederland alone draws the national line only; a ``national`` column
    of NaN (counts) draws none.
    """
    if frame.empty:
        raise NotAvailableError("Geen cijfers om te tekenen.")
    unit = _unit(frame)
    periods = sorted({parse_period(k).with_flag(f or "") for k, f in zip(frame["period"], frame["provisional"])})
    pos = {p.key: i for i, p in enumerate(periods)}
    data = frame.assign(x=frame["period"].map(pos)).sort_values("x")
    fig, ax = _new(8, 4)
    national_only = bool((data["region_key"] == NATIONAL_KEY).all())
    region = str(data["region"].iloc[0])
    if not national_only:
        ax.plot(data["x"], data["value"].astype(float), color=REGION_COLOUR, marker="o", label=region)
    national = data.drop_duplicates("period")[["x", "national"]]
    if national["national"].notna().any():
        ax.plot(national["x"], national["national"].astype(float), color=NATIONAL_COLOUR, linestyle="--",
                marker=".", label="Nederland")
    provisional = [pos[p.key] for p in periods if p.is_provisional]
    if provisional:
        ax.axvspan(min(provisional) - 0.5, max(provisional) + 0.5, color="#eeeeee", zorder=0)
        ax.text(max(provisional) + 0.45, 0.98, "voorlopig", transform=ax.get_xaxis_transform(),
                ha="right", va="top", fontsize=8, color="#555555")
    if note:
        ax.text(0.01, 0.02, "\n".join(textwrap.wrap(note, 95)), transform=ax.transAxes, fontsize=7.5,
                color="#8a1c1c", ha="left", va="bottom", bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8})
    ax.set_xticks(range(len(periods)), [p.short for p in periods], rotation=45, ha="right")
    ax.set_xlim(-0.5, len(periods) - 0.5)
    ax.set_xlabel("Periode (* = voorlopig cijfer)")
    ax.set_ylabel(_UNIT_LABEL[unit])
    ax.yaxis.set_major_formatter(FuncFormatter(_tick))
    ax.legend(title="", frameon=False)
    who = "Nederland" if national_only else region
    return _finish(fig, _prov(frame), title or f"{_label(frame)}\n{who}, {periods[0].title} t/m {periods[-1].title}")
