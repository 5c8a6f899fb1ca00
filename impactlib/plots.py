"""Charts for steps 5 and 6, one function per picture, all in one style.

Every function takes a tidy frame from :mod:`impactlib.query` (the frame contract of
:mod:`impactlib.frame`; its ``attrs["source"]`` carries the provenance) and returns a
:class:`matplotlib.figure.Figure` built without pyplot, so nothing piles up in memory and
notebooks show the figure they get back. Each chart has Dutch labels, decimal commas on the
axes and a source line under it naming CBS and the tables
(:func:`impactlib.query.source_label`); oefendata get an extra warning.

Like seaborn's, every function takes ``ax=None``: without it the function makes its own
figure (sized for the chart, title above, source line below); with an ``ax`` it draws into
that axes only — its title on the axes, nothing else on the figure — and returns the figure
the axes belongs to, so the stappenplan and the handout can put charts side by side and
write one title and one source line with :func:`finish_figure`::

    fig = Figure(figsize=(12, 4)); left, right = fig.subplots(1, 2)
    plots.region_vs_national_bar(frame, ax=left); plots.time_series(series, ax=right)
    plots.finish_figure(fig, frame, "Meldingen in Twente")

- :func:`region_vs_national_bar` — the region beside Nederland for one period;
- :func:`time_series` — the region over time with the national line, provisional periods marked;
- :func:`time_series_with_breaks` — the same for one region, the line broken where a figure is missing;
- :func:`ranked_dotplot` — every region of one period, sorted, the region highlighted;
- :func:`distribution_bars` — categories (melder type, duur) for the region and Nederland;
- :func:`tile_map` — the Veilig Thuis-regio's of a period as tiles on a hand-made grid.

Every figure carries ``fig.alt_text``: the title and the values it shows, in Dutch notation
("Zaanstreek-Waterland 55,6 %, Nederland 42,8 %"), for screen readers (the notebook and the
handout put it in the image's ``alt``). The source line is as large as the tick labels, so it
stays readable on a projector.
"""

from __future__ import annotations

import math
import textwrap
import weakref

import matplotlib
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter

from .catalogue import get_indicator_spec
from .errors import NotAvailableError
from .formatting import format_number
from .frame import long_form
from .periods import parse_period
from .query import source_label
from .regions import NATIONAL_KEY
from .textsize import remember as _remember_text_sizes
from .wording import OEFENDATA_CAPTION

__all__ = [
    "region_vs_national_bar",
    "time_series",
    "time_series_with_breaks",
    "ranked_dotplot",
    "distribution_bars",
    "tile_map",
    "finish_figure",
    "TILE_GRID",
    "REGION_COLOUR",
    "NATIONAL_COLOUR",
    "OTHER_COLOUR",
]

_remember_text_sizes()  # the same labels recur in every chart: measured once per process

REGION_COLOUR = "#d95f02"
NATIONAL_COLOUR = "#4d4d4d"
OTHER_COLOUR = "#9ecae1"
_STYLE = "whitegrid"
_UNIT_LABEL = {"percent": "Percentage (%)", "per_10k": "Per 10.000 inwoners", "count": "Aantal"}
_SYNTHETIC_NOTE = OEFENDATA_CAPTION

#: Hand-made grid (column, row; row 0 in the north) for the Veilig Thuis-regio's (CBS codes).
#: Oost-Brabant (VT27, from 2023) takes the tile of Brabant Noordoost, whose area it includes.
TILE_GRID = {
    "VT04": (2, 0), "VT08": (3, 0),
    "VT17": (1, 1), "VT02": (3, 1),
    "VT22": (1, 2), "VT03": (2, 2), "VT11": (3, 2), "VT19": (4, 2),
    "VT12": (0, 3), "VT01": (1, 3), "VT07": (2, 3), "VT14": (3, 3),
    "VT09": (0, 4), "VT10": (1, 4), "VT20": (2, 4), "VT05": (3, 4),
    "VT18": (0, 5), "VT24": (1, 5), "VT06": (2, 5), "VT16": (3, 5), "VT27": (3, 5),
    "VT23": (0, 6), "VT21": (1, 6), "VT15": (2, 6), "VT26": (3, 6), "VT13": (4, 6),
    "VT25": (4, 7),
}


# --------------------------------------------------------------------------- helpers
def _tick(value: float, _pos=None) -> str:
    """Axis numbers with a decimal comma and as few decimals as the tick needs."""
    for decimals in (0, 1, 2):
        if abs(value - round(value, decimals)) < 1e-9:
            return format_number(value, decimals)
    return format_number(value, 2)


#: Figures this module made (and so lays out); a figure of the caller's is only drawn into.
_MADE_HERE: "weakref.WeakSet[Figure]" = weakref.WeakSet()


def _new(width: float, height: float, ax=None):
    """A figure of ``width`` × ``height`` inches with one axes — or the given ``ax`` and its figure."""
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=(width, height))
    _MADE_HERE.add(fig)
    FigureCanvasAgg(fig)  # one renderer for layout and saving: text is measured once, not per pass
    with sns.axes_style(_STYLE):
        ax = fig.add_subplot()
    return fig, ax


def _prov(frame: pd.DataFrame) -> dict:
    prov = dict(frame.attrs.get("source") or {})
    if not prov and "source" in frame and len(frame):
        return {"label": str(frame["source"].iloc[0])}
    return prov


#: Size of tick labels, source line and oefendata note: one size, readable on a projector.
CAPTION_SIZE = 10


def _alt(fig: Figure, title: str, values: str) -> None:
    """``fig.alt_text``: the title on one line and the values the chart shows."""
    fig.alt_text = " – ".join(t for t in title.split("\n") if t) + (f". {values}" if values else "")


def _finish(fig: Figure, prov: dict, title: str, values: str = "", ax=None) -> Figure:
    """Title, source line (and oefendata note) under the chart, tight layout, alt text.

    In a figure of the caller's (a chart drawn into its ``ax``) only the axes gets the title and
    the figure's alt text gains this chart's; the caller finishes it (:func:`finish_figure`).
    """
    if ax is not None and fig not in _MADE_HERE:
        width = int(ax.get_position().width * fig.get_figwidth() * 11) or 1
        ax.set_title("\n".join(w for line in title.split("\n") for w in textwrap.wrap(line, width)), fontsize=11, loc="left")
        ax.tick_params(labelsize=CAPTION_SIZE)
        ax.alt_text = " – ".join(t for t in title.split("\n") if t) + (f". {values}" if values else "")
        fig.alt_text = " ".join(getattr(a, "alt_text", "") for a in fig.axes if getattr(a, "alt_text", ""))
        return fig
    lines = [prov.get("label") or source_label(prov)]
    if prov.get("synthetic"):
        lines.append(_SYNTHETIC_NOTE)
    wrapped = [w for line in lines for w in textwrap.wrap(line, int(fig.get_figwidth() * 12))]
    width = int(fig.get_figwidth() * 11)
    fig.suptitle("\n".join(w for line in title.split("\n") for w in textwrap.wrap(line, width)), fontsize=12, x=0.01, ha="left")
    fig.text(0.01, 0.01, "\n".join(wrapped), fontsize=CAPTION_SIZE, color="#444444", ha="left", va="bottom")
    for ax in fig.axes:
        ax.tick_params(labelsize=CAPTION_SIZE)
    _tight(fig, caption=(0.2 * len(wrapped) + 0.1) / fig.get_figheight())
    # tight_layout leaves a placeholder layout engine behind, and with any engine savefig draws
    # the whole figure once more before drawing it for real; the layout is done, so none is kept
    # (whatever a user's matplotlibrc says about automatic layout)
    with matplotlib.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)
    _alt(fig, title, values)
    return fig


def _tight(fig: Figure, caption: float) -> None:
    """Tight layout above a caption of ``caption`` (a fraction of the figure's height).

    ``tight_layout(rect=...)`` measures every label twice: once for the margins, once more for
    the rectangle. With one axes the second pass only adds the rectangle's bottom to the
    bottom margin (text has the same size wherever the axes sits), so a chart of its own is
    measured once and moved up; a figure with several axes, whose spacing depends on the
    rectangle, takes matplotlib's two passes.
    """
    if len(fig.axes) != 1:
        fig.tight_layout(rect=(0, caption, 1, 1))
        return
    fig.tight_layout()
    fig.subplots_adjust(bottom=fig.subplotpars.bottom + caption)


def finish_figure(fig: Figure, frame: pd.DataFrame, title: str) -> Figure:
    """Finish a figure composed of charts drawn with ``ax=...``: one title above, the source
    line of ``frame`` (and the oefendata note) below, tight layout; the alt text is the title
    followed by what every chart in it shows."""
    shown = " ".join(getattr(a, "alt_text", "") for a in fig.axes if getattr(a, "alt_text", ""))
    return _finish(fig, _prov(frame), title, shown)


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


def _value(value, unit: str) -> str:
    """A value for the alt text, in Dutch notation: ``'55,6 %'``, ``'23,5 per 10.000 inwoners'``."""
    from .formatting import format_value

    return format_value(value, unit)


def _short(value: float, unit: str) -> str:
    return format_number(value, 0 if unit == "count" else 1) + (" %" if unit == "percent" else "")


# --------------------------------------------------------------------------- pictures
def region_vs_national_bar(frame: pd.DataFrame, period=None, *, title: str | None = None, ax=None) -> Figure:
    """Two bars: the region and Nederland in one period (default: the latest in ``frame``)."""
    part, per = _one_period(frame, period)
    row, unit = part.iloc[0], _unit(part)
    data = long_form(part.iloc[[0]])  # the region's bar, then Nederland's
    fig, ax = _new(6, 3.6, ax)
    # two bars drawn as seaborn's barplot draws them (its 0.75 saturation, width 0.8, no grid across
    # the categories), without its statistics machinery: a tenth of a second less per chart
    where = range(len(data))
    ax.bar(where, data["value"], width=0.8, color=[sns.utils.desaturate(c, 0.75) for c in
                                                   (REGION_COLOUR, NATIONAL_COLOUR)][: len(data)])
    ax.set_xticks(where, data["who"])
    ax.set_xlim(-0.5, len(data) - 0.5)
    ax.xaxis.grid(False)
    for i, v in enumerate(data["value"]):
        ax.annotate(_short(v, unit) if not pd.isna(v) else "onbekend", (i, 0 if pd.isna(v) else v),
                    ha="center", va="bottom", fontsize=9, xytext=(0, 3), textcoords="offset points")
    ax.set_xlabel("")
    ax.set_ylabel(_UNIT_LABEL[unit])
    ax.yaxis.set_major_formatter(FuncFormatter(_tick))
    ax.margins(y=0.15)
    category = f" – {row['category']}" if row.get("category") else ""
    values = f"{row['region']} {_value(row['value'], unit)}, Nederland {_value(row['national'], unit)}."
    return _finish(fig, _prov(frame), title or f"{_label(part)}{category}\n{row['region']} en Nederland, {per.title}", values, ax=ax)


def _period_axis(ax, periods, pos: dict, unit: str) -> None:
    """The x axis of a series over half years: provisional periods shaded and named, one tick per
    period, the unit on the y axis with Dutch numbers, the legend. Shared by both series charts."""
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


def time_series(frame: pd.DataFrame, *, title: str | None = None, ax=None) -> Figure:
    """The region(s) over the periods in ``frame`` with the national line; '*' = provisional.

    Where a region's area changed inside the series (the 2023 Brabant change, Weesp in 2022) its
    line breaks at the change and a dotted line marks it: the two parts are not one trend.
    """
    from . import regions as _regions

    if frame.empty:
        raise NotAvailableError("Geen cijfers om te tekenen.")
    unit = _unit(frame)
    periods = sorted({parse_period(k).with_flag(f or "") for k, f in zip(frame["period"], frame["provisional"])})
    pos = {p.key: i for i, p in enumerate(periods)}
    data = frame.assign(x=frame["period"].map(pos))
    changes = {k: [y for y, _ in _regions.boundary_changes(k) if periods[0].year < y <= periods[-1].year]
               for k in data["region_key"].unique()}
    data["segment"] = [f"{k}|{sum(int(str(p)[:4]) >= y for y in changes.get(k, []))}"
                       for k, p in zip(data["region_key"], data["period"])]
    national = data.drop_duplicates("period")[["x", "national"]].sort_values("x")
    fig, ax = _new(8, 4, ax)
    regions = list(dict.fromkeys(data["region"]))
    palette = [REGION_COLOUR] + sns.color_palette("tab10", max(len(regions) - 1, 1)).as_hex()[: len(regions) - 1]
    if not (data["region_key"] == NATIONAL_KEY).all():
        # the lines as seaborn's lineplot draws them (one line per region and segment, dots with a white
        # edge, a figure that is missing bridged within a segment, an empty labelled line per region for
        # the legend), without its semantic mapping: a tenth of a second less per chart
        style = {"marker": "o", "markeredgewidth": 0.75, "markeredgecolor": "w"}
        shown = data.dropna(subset=["x", "value"])
        for name, colour in zip(regions, palette):
            own = shown[shown["region"] == name].sort_values(["segment", "x", "value"])
            for _, part in own.groupby("segment"):
                ax.plot(part["x"], part["value"], color=colour, **style)
        for name, colour in zip(regions, palette):
            ax.add_artist(Line2D([], [], label=name, color=colour, **style))
    for year in sorted({y for ys in changes.values() for y in ys}):
        first = min((i for i, p in enumerate(periods) if p.year >= year), default=None)
        if first is not None:
            ax.axvline(first - 0.5, color="#555555", linestyle=":", linewidth=1)
            ax.text(first - 0.45, 0.02, "indeling gewijzigd", transform=ax.get_xaxis_transform(), fontsize=8,
                    color="#555555", rotation=90, va="bottom")
    if national["national"].notna().any():
        ax.plot(national["x"], national["national"], color=NATIONAL_COLOUR, linestyle="--", marker=".", label="Nederland")
    _period_axis(ax, periods, pos, unit)
    who = ", ".join(regions)
    lines = []
    for name in regions:
        own = data[data["region"] == name].sort_values("x")
        lines.append(f"{name}: " + "; ".join(f"{periods[int(x)].title} {_value(v, unit)}" for x, v in zip(own["x"], own["value"])))
    if national["national"].notna().any():
        lines.append("Nederland: " + "; ".join(f"{periods[int(x)].title} {_value(v, unit)}"
                                                for x, v in zip(national["x"], national["national"])))
    values = ". ".join(lines) + "." + (" Perioden met * zijn voorlopig." if any(p.is_provisional for p in periods) else "")
    return _finish(fig, _prov(frame), title or f"{_label(frame)}\n{who}, {periods[0].title} t/m {periods[-1].title}", values, ax=ax)


def ranked_dotplot(frame: pd.DataFrame, region: str | None = None, period=None, *, title: str | None = None, ax=None) -> Figure:
    """All regions of one period sorted high to low; ``region`` (name or key) highlighted."""
    part, per = _one_period(frame, period)
    unit = _unit(part)
    data = part.dropna(subset=["value"]).sort_values("value", ascending=False)
    focus = data["region"].eq(region) | data["region_key"].eq(region)
    fig, ax = _new(7, max(4.0, 0.24 * len(data) + 1.4), ax)
    # the dots as seaborn's scatterplot draws them (white edge 0.08·√s wide, the regions as categories
    # top to bottom), without its semantic mapping: a tenth of a second less per chart
    ax.scatter(data["value"], data["region"], s=60, c=np.where(focus, REGION_COLOUR, OTHER_COLOUR),
               edgecolor="w", linewidth=0.08 * math.sqrt(60))
    ax.invert_yaxis()
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
    shown = data[focus]
    values = ""
    if len(shown):
        place = list(data["region"]).index(shown["region"].iloc[0]) + 1
        values = (f"{shown['region'].iloc[0]} {_value(shown['value'].iloc[0], unit)}, {place}e van {len(data)} "
                  f"(hoogste waarde eerst)")
    if not pd.isna(national):
        values += (", " if values else "") + f"Nederland {_value(national, unit)}"
    if len(data):
        values += (f"; hoogste {data['region'].iloc[0]} {_value(data['value'].iloc[0], unit)}, laagste "
                   f"{data['region'].iloc[-1]} {_value(data['value'].iloc[-1], unit)}.")
    return _finish(fig, _prov(frame), title or f"{_label(part)}, {per.title}: alle regio's{extra}", values, ax=ax)


def distribution_bars(frame: pd.DataFrame, period=None, *, title: str | None = None, ax=None) -> Figure:
    """Categories of a distribution indicator for one region beside Nederland."""
    part, per = _one_period(frame, period)
    region = str(part["region"].iloc[0])
    long = long_form(part)  # every category for the region, then for Nederland
    fig, ax = _new(8, max(3.5, 0.45 * part["category"].nunique() + 1.5), ax)
    # the bars as seaborn's barplot(y="category", x="value", hue="who") draws them (categories top to
    # bottom in the order they come, the hue levels side by side in 0.8 of a row, its 0.75 saturation,
    # an unknown value without a bar), without its statistics: a bootstrap per bar for one value each
    categories = list(dict.fromkeys(long["category"]))
    row = {c: i for i, c in enumerate(categories)}
    levels = list(dict.fromkeys(long["who"]))
    height = 0.8 / len(levels)
    colours = [sns.utils.desaturate(c, 0.75) for c in (REGION_COLOUR, NATIONAL_COLOUR)]
    for i, who in enumerate(levels):
        bars = long[long["who"].eq(who) & long["value"].notna()].groupby("category", sort=False)["value"].mean()
        ax.barh([row[c] - 0.4 + i * height for c in bars.index], bars.to_numpy(), height=height, align="edge",
                color=colours[min(i, len(colours) - 1)], label=who)
    ax.set_yticks(range(len(categories)), categories)
    ax.set_ylim(len(categories) - 0.5, -0.5)
    ax.yaxis.grid(False)
    unit = _unit(part)
    for bars in ax.containers:  # the value at the end of every bar
        ax.bar_label(bars, labels=[_short(b.get_width(), unit) if not pd.isna(b.get_width()) else "onbekend"
                                   for b in bars], padding=3, fontsize=CAPTION_SIZE - 1)
    ax.margins(x=0.15)
    ax.set_xlabel(_UNIT_LABEL[unit])
    ax.set_ylabel("")
    ax.xaxis.set_major_formatter(FuncFormatter(_tick))
    ax.legend(title="", frameon=False)
    values = "; ".join(f"{c}: {region} {_value(v, unit)}, Nederland {_value(n, unit)}"
                       for c, v, n in zip(part["category"], part["value"], part["national"])) + "."
    return _finish(fig, _prov(frame), title or f"{_label(part)}\n{region} en Nederland, {per.title}", values, ax=ax)


def tile_map(frame: pd.DataFrame, region: str | None = None, period=None, *, title: str | None = None, ax=None) -> Figure:
    """The Veilig Thuis-regio's of the period's year as tiles (no geometry), coloured by the indicator."""
    from . import regions as _regions

    part, per = _one_period(frame, period)
    unit = _unit(part)
    values = part.set_index("region_key")["value"]
    names = part.set_index("region_key")["region"]
    grid = {k: pos for k, pos in TILE_GRID.items() if _regions.exists(k, per)}
    known = values.reindex(list(grid)).dropna()
    cmap = sns.color_palette("crest", as_cmap=True)
    low, high = (known.min(), known.max()) if len(known) else (0.0, 1.0)
    norm = matplotlib.colors.Normalize(vmin=low, vmax=high if high > low else low + 1)
    fig, ax = _new(6.5, 7.5, ax)
    for key, (col, row) in grid.items():
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
    focus_key = next((k for k in TILE_GRID if region is not None and (k == region or names.get(k) == region)), None)
    alt = ""
    if focus_key is not None:
        alt = f"{names.get(focus_key, focus_key)} {_value(values.get(focus_key, math.nan), unit)}; "
    if len(known):
        alt += (f"van {_value(low, unit)} ({names.get(known.idxmin(), '')}) tot {_value(high, unit)} "
                f"({names.get(known.idxmax(), '')}).")
    return _finish(fig, _prov(frame), title or f"{_label(part)}, {per.title}\nVeilig Thuis-regio's (schematisch, geen kaart)", alt, ax=ax)


def time_series_with_breaks(frame: pd.DataFrame, *, title: str | None = None, note: str | None = None, ax=None) -> Figure:
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
    fig, ax = _new(8, 4, ax)
    national_only = bool((data["region_key"] == NATIONAL_KEY).all())
    region = str(data["region"].iloc[0])
    if not national_only:
        ax.plot(data["x"], data["value"].astype(float), color=REGION_COLOUR, marker="o", label=region)
    national = data.drop_duplicates("period")[["x", "national"]]
    if national["national"].notna().any():
        ax.plot(national["x"], national["national"].astype(float), color=NATIONAL_COLOUR, linestyle="--",
                marker=".", label="Nederland")
    if note:
        ax.text(0.01, 0.02, "\n".join(textwrap.wrap(note, 95)), transform=ax.transAxes, fontsize=7.5,
                color="#8a1c1c", ha="left", va="bottom", bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8})
    _period_axis(ax, periods, pos, unit)
    who = "Nederland" if national_only else region
    return _finish(fig, _prov(frame), title or f"{_label(frame)}\n{who}, {periods[0].title} t/m {periods[-1].title}", ax=ax)
