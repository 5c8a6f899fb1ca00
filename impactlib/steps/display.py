"""Display helpers shared by the stappenplan, the exercises and the handout.

Every step returns a list of display items (:class:`IPython.display.Markdown` for text and
tables, matplotlib figures for charts); :func:`show` puts them in a notebook. Tables go
through :func:`md_table`, text from a parameter or question file through :func:`esc`, and
every table and chart ends with :func:`source_line`.
"""

from __future__ import annotations

import pandas as pd

from .. import query
from ..catalogue import IndicatorSpec
from ..formatting import format_value
from ..safety import escape_markdown
from ..wording import oefendata_banner

#: The oefendata banner: shown above every worked example on synthetic figures.
OEFENDATA_TEXT = oefendata_banner()  # the report's banner (wording.py holds every oefendata text)

#: Column of the step-5 table that says, in the oefendata, which figures are real CBS figures.
REAL_COLUMN = "Echt CBS-cijfer"


def show(items) -> None:
    """Display Markdown, tables and figures in a notebook; figures go out as SVG (see
    :mod:`impactlib.figures`) and close."""
    from IPython.display import display
    from matplotlib.figure import Figure

    from ..figures import Rendered, show_figure

    for item in items if isinstance(items, (list, tuple)) else [items]:
        if item is None:
            continue
        if isinstance(item, (Figure, Rendered)):
            show_figure(item)
        else:
            display(item)


def esc(text) -> str:
    """Text from a parameter or question file, made safe for Markdown/HTML (see :func:`escape_markdown`)."""
    return escape_markdown(text)


def md(text: str):
    """``text`` as a Markdown display item."""
    from IPython.display import Markdown

    return Markdown(text)


def md_table(frame: pd.DataFrame) -> str:
    """A small frame as a Markdown table (cells are text already; ``|`` is escaped)."""
    def cell(x) -> str:
        return str(x).replace("|", "\\|").replace("\n", " ")

    head = "| " + " | ".join(cell(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = ["| " + " | ".join(cell(x) for x in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


def source_line(prov: dict, extra: dict | None = None) -> str:
    """The italic source line under a table or chart (see :func:`impactlib.query.source_label`).

    ``extra``: the provenance of figures shown beside ``prov`` (the comparable regions'
    factors, say); its tables are named too, and it makes the line oefendata if it is.
    """
    if extra:
        prov = {**prov, "tables": list(dict.fromkeys([*prov["tables"], *extra.get("tables", [])])),
                "synthetic": prov.get("synthetic") or extra.get("synthetic")}
    return f"*{query.source_label(prov)}*"


def label(spec: IndicatorSpec, category: str | None) -> str:
    """How a table row names a figure: the indicator, and the compared category of a distribution."""
    return f"{spec.name}: {category}" if category else spec.name


def comparison_label(comp) -> str:
    """:func:`label` of a :class:`~impactlib.compare.report.Comparison`."""
    return label(comp.spec, comp.category)


def figure_value(comp, *, national: bool = False) -> str:
    """The region's (or Nederland's) value of a comparison in Dutch, without a provisional mark."""
    return format_value((comp.national_row if national else comp.row)["value"], comp.unit)


def real_mark(region_real, national_real) -> str:
    """``'regio en Nederland'``, ``'alleen Nederland'``, ``'alleen de regio'`` or ``'nee (oefencijfer)'``."""
    region_real, national_real = bool(region_real), bool(national_real)
    if region_real and national_real:
        return "regio en Nederland"
    if region_real or national_real:
        return "alleen de regio" if region_real else "alleen Nederland"
    return "nee (oefencijfer)"
