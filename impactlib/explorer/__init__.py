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

The package: :mod:`.choices` (what the dropdowns list), :mod:`.exploration` (:func:`explore`,
:class:`Exploration`), :mod:`.tables` (the series and the table of every view), :mod:`.markup`
(the HTML fragments, table and download links) and :mod:`.app` (the widgets, :func:`show`).
"""

from .app import LIVE_ENV, build_ui, interactive_frontend, show, show_static
from .choices import (
    COMPARISONS, DEFAULT_COMPARISON, DEFAULT_INDICATOR, DEFAULT_REGION, category_options, default_category,
    indicator_options, period_options, region_options,
)
from .exploration import OEFENDATA_TEXT, Exploration, explore, warm_up
from .markup import downloads_html, table_html
from .tables import REAL_COLUMN, gap_note, series_frame

__all__ = [
    "COMPARISONS",
    "OEFENDATA_TEXT",
    "REAL_COLUMN",
    "DEFAULT_REGION",
    "DEFAULT_INDICATOR",
    "DEFAULT_COMPARISON",
    "Exploration",
    "explore",
    "warm_up",
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
    "show_static",
    "interactive_frontend",
    "LIVE_ENV",
]
