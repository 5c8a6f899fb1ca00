"""The HTML of the verkenner: sentence, verdict, source line, the table and the download links.

Every text is escaped; the widgets of :mod:`.app` show these fragments and the static view of
an exported notebook shows :func:`table_html` too.
"""

from __future__ import annotations

import html
import math

from .. import downloads
from ..formatting import format_number
from .exploration import Exploration


def banner_html(text: str) -> str:
    """The oefendata banner of the reports (imported on use: :mod:`impactlib.run` is heavy to load)."""
    from ..run.export import banner_html as run_banner

    return run_banner(text)


def sentence_html(result: Exploration) -> str:
    return f"<p style='font-size:15px;max-width:50em'>{html.escape(result.sentence)}</p>"


def verdict_html(result: Exploration) -> str:
    return (
        "<p style='font-size:15px'><b>Oordeel:</b> "
        f"<span style='background:#eef3f8;border:1px solid #9ecae1;padding:2px 8px;border-radius:4px'>"
        f"{html.escape(result.verdict)}</span></p>"
    )


def source_html(result: Exploration) -> str:
    return f"<p style='color:#555;font-size:12px'>{html.escape(result.source_line)}</p>"


def table_html(result: Exploration) -> str:
    """The figures of the chart as an HTML table (Dutch numbers, 'onbekend' for unknown), with the source."""
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


def error_html(exc: Exception) -> str:
    return f"<p style='color:#8a1c1c;font-size:15px'>Dit lukt niet: {html.escape(str(exc))}</p>"
