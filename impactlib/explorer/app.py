"""The verkenner as a widget app: dropdowns, chart, sentence, verdict, table and downloads.

:func:`build_ui` wraps :func:`~.exploration.explore` in ipywidgets and calls it again whenever a
choice changes. :func:`show` is what ``notebooks/verkenner.ipynb`` calls: the widgets, plus — when
no interactive front end runs the notebook (papermill, nbval) — the default view as plain output
(:func:`show_static`), so an HTML export shows something; in an interactive front end (Voilà,
JupyterLab) it also prepares the first change (:func:`~.exploration.warm_up`), under Voilà while
the pre-heated kernel waits for its participant.
"""

from __future__ import annotations

import os

from ..catalogue import get_indicator_spec
from ..errors import ImpactError
from ..periods import parse_period
from .choices import (
    COMPARISONS, DEFAULT_COMPARISON, DEFAULT_INDICATOR, DEFAULT_REGION, category_options, comparison_key,
    default_category, indicator_options, period_options, region_options, vt_or_national,
)
from .exploration import OEFENDATA_TEXT, explore, warm_up
from .markup import banner_html, downloads_html, error_html, sentence_html, source_html, table_html, verdict_html

#: Set by ``impactmonitor verkenner`` for the kernels Voilà starts: the page is interactive.
LIVE_ENV = "IMPACTMONITOR_VERKENNER"


def interactive_frontend() -> bool:
    """True when a front end that renders widgets runs this kernel (Voilà or JupyterLab).

    ``impactmonitor verkenner`` sets :data:`LIVE_ENV`; Voilà sets ``VOILA_KERNEL_ID`` and
    Jupyter Server ``JPY_SESSION_NAME`` in the kernels they start. papermill and nbval set none.
    """
    return any(os.environ.get(name) for name in (LIVE_ENV, "VOILA_KERNEL_ID", "JPY_SESSION_NAME"))


def build_ui(region: str = DEFAULT_REGION, indicator: str = DEFAULT_INDICATOR, period: str | None = None,
             comparison: str = DEFAULT_COMPARISON, category: str | None = None):
    """The verkenner as ipywidgets; each control carries a CSS class ``verkenner-<name>``."""
    import ipywidgets as w

    def tagged(widget, name):
        widget.add_class(f"verkenner-{name}")
        return widget

    def dropdown(name, description, options, value):
        return tagged(w.Dropdown(options=options, value=value, description=description,
                                 layout=w.Layout(width="50em"), style={"description_width": "8em"}), name)

    first = explore(region, indicator, period, comparison, category)
    reg = vt_or_national(region)
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
                                 comparison_key(comparison)),
    }
    controls["categorie"].layout.display = None if category_options(spec_id) else "none"
    first_png = first.png()
    image = tagged(w.Image(value=first_png, format="png", layout=w.Layout(max_width="900px")), "grafiek")
    sentence = tagged(w.HTML(sentence_html(first)), "zin")
    verdict = tagged(w.HTML(verdict_html(first)), "oordeel")
    source = tagged(w.HTML(source_html(first)), "bron")
    table = tagged(w.HTML(table_html(first)), "tabel")
    links = tagged(w.HTML(downloads_html(first, first_png)), "downloads")
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
            sentence.value, verdict.value, table.value, links.value = error_html(exc), "", "", ""
            return
        png = result.png()
        image.value = png
        sentence.value, verdict.value, source.value = sentence_html(result), verdict_html(result), source_html(result)
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
    parts = [w.HTML(banner_html(OEFENDATA_TEXT))] if first.synthetic else []
    parts += [w.VBox(list(controls.values())), image, sentence, verdict, table, links, source]
    return w.VBox(parts)


def show_static(region, indicator, period=None, comparison=DEFAULT_COMPARISON, category=None) -> None:
    """Display one view as plain output (PNG with alt text, sentence, verdict, source)."""
    from IPython.display import HTML, Image, Markdown, display

    result = explore(region, indicator, period, comparison, category)
    if result.synthetic:
        display(HTML(banner_html(OEFENDATA_TEXT)))
    display(Markdown(f"**Standaardweergave** (vast beeld; kies in de verkenner zelf een andere regio of indicator): "
                     f"{result.title}"))
    display(Image(data=result.png(), format="png", alt=result.title))
    display(Markdown(f"{result.sentence}\n\n**Oordeel:** {result.verdict}\n\n*{result.source_line}*"))
    display(HTML(table_html(result)))


def show(region: str = DEFAULT_REGION, indicator: str = DEFAULT_INDICATOR, period: str | None = None,
         comparison: str = DEFAULT_COMPARISON, category: str | None = None, static: bool | None = None) -> None:
    """Show the verkenner; ``static`` (default: when no interactive front end runs) adds the
    default view as plain output for HTML exports."""
    from IPython.display import display

    display(build_ui(region, indicator, period, comparison, category))
    live = interactive_frontend()
    if static if static is not None else not live:
        show_static(region, indicator, period, comparison, category)
    if live:  # someone will change a choice here: the first change should not be the slow one
        warm_up(region, indicator, period, comparison, category)
