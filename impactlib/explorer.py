"""The verkenner: pick a region, indicator, period and comparison; see a chart, a sentence, a verdict.

Two layers, so the logic is testable without a browser:

- :func:`explore` is pure: it takes the four choices (and a category for a distribution) and
  returns an :class:`Exploration` that unpacks as ``(figure, sentence, verdict)``::

      fig, sentence, verdict = explore("Twente", "meldingen_per_10k", "2021HJ01", "nederland")

- :func:`build_ui` wraps it in ipywidgets (dropdowns, a PNG chart, the sentence, the verdict)
  and calls :func:`explore` again whenever a choice changes. :func:`show` is what
  ``notebooks/verkenner.ipynb`` calls: the widgets, plus — when no interactive front end runs
  the notebook (papermill, nbval) — the default view as plain output, so an HTML export shows
  something.

Comparisons (:data:`COMPARISONS`): ``nederland`` (the region beside the national figure, with
the noise-aware verdict), ``vergelijkbaar`` (the region among the regions most like it on
context factors), ``alle`` (all 26 Veilig Thuis-regio's ranked) and ``tijd`` (the series since
2019 up to the chosen half year with the national line; provisional periods shaded; the line
breaks where the region has no figure, e.g. after the 2023 change of the regions:
:func:`series_frame`, :func:`gap_note`).

Every view carries the table of its figures (``Exploration.table``, shown under the chart by
:func:`table_html`) and downloads of itself (:func:`downloads_html`): ``Exploration.csv()``
(Dutch Excel: ``;``, decimal comma, UTF-8 with BOM; title, OEFENDATA label and source line in
the file) and ``Exploration.png()`` (the chart with its source line and label). Everything comes from
:func:`impactlib.compare.build_comparison` and :mod:`impactlib.plots`; charts carry their source
line, and oefendata get a banner.
"""

from __future__ import annotations

import io
import math
import os
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd
from matplotlib.figure import Figure

from . import downloads, plots, query, settings
from . import regions as _regions
from .catalogue import get_indicator_spec, open_data_indicators
from .compare import build_comparison
from .compare import narrative
from .compare.report import COUNT_NOTE
from .errors import ImpactError, ParameterError
from .formatting import format_number
from .periods import parse_period
from .regions import NATIONAL_KEY

__all__ = [
    "COMPARISONS",
    "OEFENDATA_TEXT",
    "Exploration",
    "explore",
    "series_frame",
    "gap_note",
    "table_html",
    "downloads_html",
    "region_options",
    "indicator_options",
    "period_options",
    "category_options",
    "default_category",
    "build_ui",
    "show",
    "interactive_frontend",
    "LIVE_ENV",
]

COMPARISONS = {
    "nederland": "Nederland",
    "vergelijkbaar": "Vergelijkbare regio's",
    "alle": "Alle Veilig Thuis-regio's",
    "tijd": "In de tijd (sinds 2019)",
}
OEFENDATA_TEXT = (
    "OEFENDATA — deze verkenner toont synthetische oefencijfers met de opbouw van de CBS-tabellen "
    "(echt zijn alleen de gepubliceerde voorbeeldcijfers). Gebruik ze om te oefenen, niet voor beleid."
)
#: Set by ``impactmonitor verkenner`` for the kernels Voilà starts: the page is interactive.
LIVE_ENV = "IMPACTMONITOR_VERKENNER"
_DPI = 90


@dataclass
class Exploration:
    """What the verkenner shows for one set of choices; unpacks as ``(figure, sentence, verdict)``."""

    figure: Figure
    sentence: str
    verdict: str
    source: dict = field(default_factory=dict)  # provenance of the figures
    title: str = ""  # what is shown, for alt texts and headings
    table: pd.DataFrame = field(default_factory=pd.DataFrame)  # the figures of the chart
    decimals: dict = field(default_factory=dict)  # per table column: decimals shown
    notes: list = field(default_factory=list)  # said under the table and in the CSV
    name: str = ""  # for file names: indicator, region, comparison, period

    def __iter__(self):
        return iter((self.figure, self.sentence, self.verdict))

    def csv(self) -> bytes:
        """The table as CSV for Dutch Excel, with title, source line and oefendata label."""
        return downloads.dutch_csv(self.table, title=self.title, source_line=self.source_line,
                                   oefendata=OEFENDATA_TEXT if self.synthetic else None,
                                   decimals=self.decimals, notes=self.notes)

    def filename(self, extension: str) -> str:
        """``verkenner-<region>-<indicator>-<comparison>-<period>.<extension>``."""
        return f"verkenner-{downloads.slug(self.name or self.title, 120)}.{extension}"

    @property
    def synthetic(self) -> bool:
        return bool(self.source.get("synthetic"))

    @property
    def source_line(self) -> str:
        return query.source_label(self.source)

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=_DPI, bbox_inches="tight")
        return buffer.getvalue()


# --------------------------------------------------------------------------- choices
def region_options() -> list[tuple[str, str]]:
    """``(label, key)`` for the dropdown: Nederland, then the 26 Veilig Thuis-regio's by name."""
    vt = sorted(_regions.regions_at("vt"), key=lambda r: r.name)
    return [("Nederland", NATIONAL_KEY)] + [(r.name, r.key) for r in vt]


def indicator_options() -> list[tuple[str, str]]:
    """``(name, id)`` of every indicator in CBS open data, in catalogue order."""
    return [(s.name, s.id) for s in open_data_indicators()]


def category_options(indicator: str) -> list[str]:
    """The categories of a distribution (empty for a single figure)."""
    spec = get_indicator_spec(indicator, require_open=True)
    return spec.category_labels() if spec.kind == "distribution" else []


def period_options(indicator: str) -> list[tuple[str, str]]:
    """``(title, key)`` of every published half year, newest first ('*' = provisional)."""
    return [(p.title, p.key) for p in reversed(query.available_periods(indicator))]


def _comparison_key(comparison: str) -> str:
    wanted = str(comparison or "nederland").strip().lower()
    for key, label in COMPARISONS.items():
        if wanted in (key, label.lower()):
            return key
    raise ParameterError(
        f"Vergelijking '{str(comparison)[:40]}' bestaat niet; kies uit: {', '.join(COMPARISONS)}."
    )


def default_category(indicator: str, region: str = NATIONAL_KEY, period: str | None = None) -> str | None:
    """For a distribution: the region's largest category in ``period`` ('onbekend' aside)."""
    labels = category_options(indicator)
    if not labels:
        return None
    frame = query.get_indicator(indicator, _region(region), period or query.latest_period(indicator))
    known = frame[frame["category"].str.lower() != "onbekend"].dropna(subset=["value"])
    return str(known.sort_values("value", ascending=False)["category"].iloc[0]) if len(known) else labels[0]


def _region(region: str):
    """A Veilig Thuis-regio or Nederland, by name or key."""
    text = str(region).strip()
    return _regions.resolve(text, "land" if text in (NATIONAL_KEY, "Nederland") else "vt").region


# --------------------------------------------------------------------------- the pure part
@lru_cache(maxsize=256)
def _cached(indicator: str, region_key: str, period: str | None, category: str | None, now: settings.Settings):
    return build_comparison(indicator, _regions.get(region_key), period, category=category)


def _without_national(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts of a region and of Nederland do not share a scale: drop the national line."""
    out = frame.assign(national=math.nan)
    out.attrs = dict(frame.attrs)
    return out


def _all_regions(comp) -> pd.DataFrame:
    if comp.ranking is not None:
        frame = comp.ranking
    else:  # Nederland: show the Veilig Thuis-regio's around the national line
        frame = query.indicator_values(comp.spec.id, "vt", [comp.period], category=comp.category)
    frame = frame.copy()
    frame.attrs = dict(comp.series.attrs)
    return _without_national(frame) if comp.unit == "count" else frame


def _label(comp) -> str:
    return f"{comp.spec.name}: {comp.category}" if comp.category else comp.spec.name


def explore(
    region: str = "Zaanstreek-Waterland",
    indicator: str = "meldingen_acuut_structureel_pct",
    period: str | None = None,
    comparison: str = "nederland",
    category: str | None = None,
) -> Exploration:
    """Chart, sentence and verdict for one set of choices (see the module doc).

    ``region``: a Veilig Thuis-regio or Nederland (name or key); ``period``: a half year
    (``None``: the newest); ``category``: for a distribution (default: the region's largest).
    Raises the project's :class:`~impactlib.errors.UserInputError` for a bad choice.
    """
    spec = get_indicator_spec(indicator, require_open=True)
    how = _comparison_key(comparison)
    reg = _region(region)
    per = parse_period(period).key if period not in (None, "") else None
    label = spec.resolve_category(category) if category else default_category(spec.id, reg.key, per)
    comp = _cached(spec.id, reg.key, per, label, settings.current())
    value = comp.row["value"]
    sentences = [narrative.level_sentence(spec, reg, comp.period, value, comp.category)]
    national = reg.key == NATIONAL_KEY
    title = f"{_label(comp)} — {reg.name}, {comp.period.title}"

    notes: list[str] = []
    if how == "tijd" or (how == "nederland" and (national or spec.unit == "count")):
        frame = series_frame(comp)
        gaps = gap_note(frame, reg)
        notes = [gaps] if gaps else []
        figure = plots.time_series_with_breaks(frame, note=gaps)
        table = _time_table(frame, reg, comp.unit)
        title = f"{_label(comp)} — {reg.name}, {frame['period_title'].iloc[0]} t/m {comp.period.title}"
        if how == "tijd":
            sentences += [s.sentence for s in (comp.shape, comp.trend) if s is not None]
            verdict = (f"{comp.trend.verdict} sinds {comp.trend.from_period.title}" if comp.trend is not None
                       else "geen verandering te zeggen")
        elif national:
            verdict = "landelijk cijfer"
        else:
            sentences.append(COUNT_NOTE)
            verdict = "niet te vergelijken (aantal)"
        sentences += notes
    elif how == "nederland":
        if spec.kind == "distribution":
            every = query.get_indicator(spec.id, reg, comp.period)
            figure = plots.distribution_bars(every, comp.period)
            table = _distribution_table(every, comp.period, reg)
        else:
            figure = plots.region_vs_national_bar(comp.series, comp.period)
            table = _pair_table(comp)
        sentences.append(narrative.comparison_sentence(comp.verdict))
        verdict = _versus(comp.verdict.verdict, "landelijk")
    elif how == "vergelijkbaar" and comp.peers is not None and comp.ranking is not None:
        keys = [reg.key, *comp.peers["region_key"]]
        subset = _all_regions(comp)
        subset = subset[subset["region_key"].isin(keys)]
        figure = plots.ranked_dotplot(
            subset, reg.key, comp.period,
            title=f"{_label(comp)}, {comp.period.title}\n{reg.name} en vergelijkbare regio's",
        )
        order = {k: i for i, k in enumerate(keys)}
        table = _regions_table(subset.sort_values("region_key", key=lambda c: c.map(order)), comp, rank=False)
        pairs = list(zip(comp.peers["region"], comp.peers["value"]))
        sentences.append(narrative.peers_sentence(reg, pairs, spec.unit, comp.peer_verdict))
        word = comp.peer_verdict.verdict if comp.peer_verdict else "niet te zeggen"
        verdict = _versus(word, "de vergelijkingsregio's samen")
    else:
        everyone = _all_regions(comp)
        figure = plots.ranked_dotplot(everyone, None if national else reg.key, comp.period)
        table = _regions_table(everyone, comp, rank=True)
        if how == "vergelijkbaar":
            sentences.append(
                "Vergelijkbare regio's zijn er alleen voor een Veilig Thuis-regio; hier staan alle regio's."
                if national else " ".join(comp.notes[-1:]) or "Vergelijkbare regio's zijn hier niet te bepalen."
            )
        if comp.rank is not None:
            sentences.append(narrative.rank_sentence(comp.rank, reg))
            verdict = f"{comp.rank.text} Veilig Thuis-regio's (1 = hoogste)"
        else:
            verdict = "geen rangorde (landelijk cijfer)" if national else "geen plaats (cijfer onbekend)"
    source = dict(comp.source)
    decimals = {c: (0 if comp.unit == "count" or c == "Plaats" else 1) for c in table.columns}
    name = f"{reg.name}-{spec.id}-{how}-{comp.period.key}"
    return Exploration(figure, " ".join(s for s in sentences if s), verdict, source, title, table, decimals, notes, name)


# --------------------------------------------------------------------------- the table under the chart
_VALUE = {"percent": "Percentage (%)", "per_10k": "Per 10.000 inwoners", "count": "Aantal"}


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
    return _without_national(frame) if comp.unit == "count" else frame


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


def _time_table(frame: pd.DataFrame, region, unit: str) -> pd.DataFrame:
    out = pd.DataFrame({"Periode": frame["period_title"].tolist()})
    if region.key != NATIONAL_KEY:
        out[f"{region.name}: {_VALUE[unit].lower()}"] = frame["value"].astype(float).tolist()
        if unit != "count":
            out[f"Nederland: {_VALUE[unit].lower()}"] = frame["national"].astype(float).tolist()
    else:
        out[f"Nederland: {_VALUE[unit].lower()}"] = frame["value"].astype(float).tolist()
    return out


def _pair_table(comp) -> pd.DataFrame:
    row, nat = comp.row, comp.national_row
    return pd.DataFrame({
        "Regio": [comp.region.name, "Nederland"],
        "Periode": [comp.period.title, comp.period.title],
        _VALUE[comp.unit]: [float(row["value"]), float(nat["value"])],
        "Teller": [float(row["numerator"]), float(nat["numerator"])],
        "Noemer": [float(row["denominator"]), float(nat["denominator"])],
        REAL_COLUMN: [_yes_no(row.get("real")), _yes_no(nat.get("real"))],
    })


#: Column of the explorer's tables: a published CBS figure ('ja') or an invented oefencijfer ('nee').
REAL_COLUMN = "Echt CBS-cijfer"


def _yes_no(value) -> str:
    return "ja" if bool(value) and not (isinstance(value, float) and math.isnan(value)) else "nee"


def _distribution_table(every: pd.DataFrame, period, region) -> pd.DataFrame:
    part = every[every["period"] == period.key]
    return pd.DataFrame({
        "Categorie": part["category"].tolist(),
        f"{region.name} (%)": part["value"].astype(float).tolist(),
        "Nederland (%)": part["national"].astype(float).tolist(),
    })


def _regions_table(frame: pd.DataFrame, comp, *, rank: bool) -> pd.DataFrame:
    if rank:
        frame = frame.sort_values("value", ascending=False, na_position="last")
    out = pd.DataFrame({"Regio": frame["region"].tolist(), _VALUE[comp.unit]: frame["value"].astype(float).tolist()})
    if "real" in frame.columns:
        out[REAL_COLUMN] = [_yes_no(v) for v in frame["real"]]
    if rank and "rank" in frame.columns:
        out.insert(0, "Plaats", [float(r) for r in frame["rank"]])
    if comp.unit != "count":
        extra = {"Regio": "Nederland", _VALUE[comp.unit]: float(comp.national_row["value"])}
        if "real" in frame.columns:
            extra[REAL_COLUMN] = _yes_no(comp.national_row.get("real"))
        if rank and "Plaats" in out.columns:
            extra["Plaats"] = math.nan
        out = pd.concat([out, pd.DataFrame([extra])], ignore_index=True)
    return out


def _versus(word: str, reference: str) -> str:
    if word == "niet te zeggen":
        return "niet te zeggen"
    if word == "vergelijkbaar":
        return f"vergelijkbaar met {reference}"
    return f"{word} dan {reference}"


# --------------------------------------------------------------------------- display
def interactive_frontend() -> bool:
    """True when a front end that renders widgets runs this kernel (Voilà or JupyterLab).

    ``impactmonitor verkenner`` sets :data:`LIVE_ENV`; Voilà sets ``VOILA_KERNEL_ID`` and
    Jupyter Server ``JPY_SESSION_NAME`` in the kernels they start. papermill and nbval set none.
    """
    return any(os.environ.get(name) for name in (LIVE_ENV, "VOILA_KERNEL_ID", "JPY_SESSION_NAME"))


def _banner_html(text: str) -> str:
    from .run.export import banner_html

    return banner_html(text)


def _sentence_html(result: Exploration) -> str:
    import html

    return f"<p style='font-size:15px;max-width:50em'>{html.escape(result.sentence)}</p>"


def _verdict_html(result: Exploration) -> str:
    import html

    return (
        "<p style='font-size:15px'><b>Oordeel:</b> "
        f"<span style='background:#eef3f8;border:1px solid #9ecae1;padding:2px 8px;border-radius:4px'>"
        f"{html.escape(result.verdict)}</span></p>"
    )


def _source_html(result: Exploration) -> str:
    import html

    return f"<p style='color:#555;font-size:12px'>{html.escape(result.source_line)}</p>"


def table_html(result: Exploration) -> str:
    """The figures of the chart as an HTML table (Dutch numbers, 'onbekend' for unknown), with the source."""
    import html

    def cell(col, value):
        if isinstance(value, float):
            return format_number(value, result.decimals.get(col, 1)) if not math.isnan(value) else "onbekend"
        return html.escape(str(value))

    head = "".join(f"<th style='text-align:left;padding:2px 10px;border-bottom:1px solid #999'>{html.escape(str(c))}</th>"
                   for c in result.table.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td style='padding:2px 10px;text-align:{'right' if isinstance(v, float) else 'left'}'>"
                         f"{cell(c, v)}</td>" for c, v in zip(result.table.columns, row)) + "</tr>"
        for row in result.table.itertuples(index=False)
    )
    notes = "".join(f"<p style='color:#8a1c1c;font-size:12px'>{html.escape(n)}</p>" for n in result.notes)
    label = " OEFENDATA." if result.synthetic else ""
    return (f"<details open><summary style='font-size:14px;cursor:pointer'><b>De cijfers in de grafiek</b></summary>"
            f"<table style='border-collapse:collapse;font-size:13px;margin:6px 0'><caption style='text-align:left;"
            f"font-size:12px;color:#555'>{html.escape(result.title)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table>{notes}<p style='color:#555;font-size:12px'>"
            f"{html.escape(result.source_line)}{label}</p></details>")


def downloads_html(result: Exploration, png: bytes | None = None) -> str:
    """Links to download the current view as CSV (Dutch Excel) and PNG; both carry source and label."""
    png = png if png is not None else result.png()
    return ("<p style='font-size:14px'><b>Downloaden:</b> "
            + downloads.link_html(result.csv(), "text/csv;charset=utf-8", result.filename("csv"),
                                  "tabel als CSV (Excel)", "verkenner-download-csv")
            + downloads.link_html(png, "image/png", result.filename("png"), "grafiek als PNG", "verkenner-download-png")
            + "</p>")


def _error_html(exc: Exception) -> str:
    import html

    return f"<p style='color:#8a1c1c;font-size:15px'>Dit lukt niet: {html.escape(str(exc))}</p>"


def build_ui(
    region: str = "Zaanstreek-Waterland",
    indicator: str = "meldingen_acuut_structureel_pct",
    period: str | None = None,
    comparison: str = "nederland",
    category: str | None = None,
):
    """The verkenner as ipywidgets; each control carries a CSS class ``verkenner-<name>``."""
    import ipywidgets as w

    first = explore(region, indicator, period, comparison, category)
    reg = _region(region)
    def dropdown(name, description, options, value):
        box = w.Dropdown(options=options, value=value, description=description,
                         layout=w.Layout(width="50em"), style={"description_width": "8em"})
        box.add_class(f"verkenner-{name}")
        return box

    spec_id = get_indicator_spec(indicator).id
    comp_period = parse_period(period).key if period else period_options(spec_id)[0][1]
    controls = {
        "regio": dropdown("regio", "Regio", region_options(), reg.key),
        "indicator": dropdown("indicator", "Indicator", indicator_options(), spec_id),
        "categorie": dropdown("categorie", "Categorie", category_options(spec_id) or [""],
                              (get_indicator_spec(spec_id).resolve_category(category) if category
                               else default_category(spec_id, reg.key, comp_period)) or ""),
        "periode": dropdown("periode", "Periode", period_options(spec_id), comp_period),
        "vergelijking": dropdown("vergelijking", "Vergelijk met", [(v, k) for k, v in COMPARISONS.items()],
                                 _comparison_key(comparison)),
    }
    controls["categorie"].layout.display = None if category_options(spec_id) else "none"
    first_png = first.png()
    image = w.Image(value=first_png, format="png", layout=w.Layout(max_width="900px"))
    image.add_class("verkenner-grafiek")
    sentence = w.HTML(_sentence_html(first))
    sentence.add_class("verkenner-zin")
    verdict = w.HTML(_verdict_html(first))
    verdict.add_class("verkenner-oordeel")
    source = w.HTML(_source_html(first))
    source.add_class("verkenner-bron")
    table = w.HTML(table_html(first))
    table.add_class("verkenner-tabel")
    links = w.HTML(downloads_html(first, first_png))
    links.add_class("verkenner-downloads")
    busy = {"now": False}

    def refresh(_change=None):
        if busy["now"]:
            return
        try:
            result = explore(
                controls["regio"].value, controls["indicator"].value, controls["periode"].value,
                controls["vergelijking"].value, controls["categorie"].value or None,
            )
        except ImpactError as exc:
            sentence.value, verdict.value, table.value, links.value = _error_html(exc), "", "", ""
            return
        png = result.png()
        image.value = png
        sentence.value, verdict.value, source.value = _sentence_html(result), _verdict_html(result), _source_html(result)
        table.value, links.value = table_html(result), downloads_html(result, png)

    def indicator_changed(change):
        busy["now"] = True
        try:
            cats = category_options(change["new"])
            controls["categorie"].options = cats or [""]
            keep = controls["periode"].value
            options = period_options(change["new"])
            controls["periode"].options = options
            controls["periode"].value = keep if keep in [k for _, k in options] else options[0][1]
            controls["categorie"].value = default_category(
                change["new"], controls["regio"].value, controls["periode"].value) or ""
            controls["categorie"].layout.display = None if cats else "none"
        finally:
            busy["now"] = False
        refresh()

    controls["indicator"].observe(indicator_changed, names="value")
    for name in ("regio", "categorie", "periode", "vergelijking"):
        controls[name].observe(refresh, names="value")
    parts = [w.HTML(_banner_html(OEFENDATA_TEXT))] if first.synthetic else []
    parts += [w.VBox(list(controls.values())), image, sentence, verdict, table, links, source]
    return w.VBox(parts)


def show_static(region, indicator, period=None, comparison="nederland", category=None) -> None:
    """Display one view as plain output (PNG with alt text, sentence, verdict, source)."""
    from IPython.display import HTML, Image, Markdown, display

    result = explore(region, indicator, period, comparison, category)
    if result.synthetic:
        display(HTML(_banner_html(OEFENDATA_TEXT)))
    display(Markdown(f"**Standaardweergave** (vast beeld; kies in de verkenner zelf een andere regio of indicator): "
                     f"{result.title}"))
    display(Image(data=result.png(), format="png", alt=result.title))
    display(Markdown(f"{result.sentence}\n\n**Oordeel:** {result.verdict}\n\n*{result.source_line}*"))
    display(HTML(table_html(result)))


def show(
    region: str = "Zaanstreek-Waterland",
    indicator: str = "meldingen_acuut_structureel_pct",
    period: str | None = None,
    comparison: str = "nederland",
    category: str | None = None,
    static: bool | None = None,
) -> None:
    """Show the verkenner; ``static`` (default: when no interactive front end runs) adds the
    default view as plain output for HTML exports."""
    from IPython.display import display

    display(build_ui(region, indicator, period, comparison, category))
    if static if static is not None else not interactive_frontend():
        show_static(region, indicator, period, comparison, category)
