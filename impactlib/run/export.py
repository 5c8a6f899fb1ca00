"""Executed notebook → one self-contained HTML report, in this process (no subprocess).

Report style by default: the code cells are hidden and only the text, tables and charts
remain; ``with_code=True`` keeps the code. Cells tagged ``impactmonitor-summary`` (the JSON
record for the runner) and ``oefendata-banner`` are left out; when the summary says the data
are oefendata, its banner text is placed at the very top of the page instead, so no reader
can miss it.
"""

from __future__ import annotations

import copy
import functools
import html
import re
import threading
from pathlib import Path

from .paths import atomic_write

__all__ = ["notebook_to_html", "warm_up", "write_html", "banner_html", "markdown_html", "item_html"]

HIDDEN_TAGS = ("impactmonitor-summary", "oefendata-banner", "injected-parameters", "parameters")
#: nbconvert's 'lab' page without the scripts it loads from other servers (see the template).
REPORT_TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "report" / "report.html.j2"

_BANNER_STYLE = (
    "background:#fff3cd;border:2px solid #b58100;color:#3d2c00;padding:12px 16px;"
    "margin:0 0 16px 0;font-family:sans-serif;font-size:15px;line-height:1.4"
)


def banner_html(text: str) -> str:
    """The oefendata banner as an HTML block (``role=alert`` so screen readers announce it)."""
    return f'<div class="oefendata-banner" role="alert" style="{_BANNER_STYLE}">{html.escape(text)}</div>'


def markdown_html(text: str) -> str:
    """Markdown from our own sentences and tables as HTML; any HTML inside it is escaped."""
    import mistune

    return mistune.create_markdown(escape=True, plugins=["table"])(text)


def item_html(item, alt: str) -> str:
    """One item a notebook would display (a matplotlib figure, Markdown, text) as HTML, without
    a kernel: a figure as an embedded PNG described by ``alt``, anything else as escaped Markdown."""
    import base64
    import io

    from matplotlib.figure import Figure

    if isinstance(item, Figure):
        buffer = io.BytesIO()
        item.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        return f"<p><img src='data:image/png;base64,{data}' alt='{html.escape(alt, quote=True)}'></p>"
    return markdown_html(str(getattr(item, "data", item)))


def _prepared(nb) -> tuple[object, dict[str, str]]:
    """A copy of ``nb`` whose rich outputs are safe HTML, and the charts to put back afterwards.

    - Each PNG with an ``alt`` text also gets an ``<img>`` carrying it: the HTML template
      ignores image metadata and prefers a ``text/html`` twin, so charts keep their
      description (accessibility) in the report.
    - Each SVG chart (named by its own ``<title>``, see :mod:`impactlib.figures`) is inlined if
      it is a plain drawing (:func:`impactlib.safety.safe_svg`; anything else is dropped). In
      the copy it stands as a comment with a one-off mark, and :func:`notebook_to_html` puts
      the drawing back into the finished page: nbconvert reads its page into BeautifulSoup
      once more, and the thousands of path elements of twenty charts were most of that work.
      No text of the notebook can forge the mark (it is new for every page, and every other
      output passes the allow-list, which keeps no comments).
    - Text from parameter, question and local files reaches the outputs as Markdown (escaped
      where it is made, :func:`impactlib.safety.escape_markdown`); every ``text/markdown``
      output is rendered and every ``text/html`` output cleaned with the allow-list of
      :func:`impactlib.safety.sanitise_html`, so no script, event handler, ``javascript:`` link
      or frame can reach a report that is mailed and published.
    """
    import secrets

    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    from ..safety import safe_svg, sanitise_html

    nb = copy.deepcopy(nb)
    mark, charts = secrets.token_hex(8), {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data, meta = output.get("data"), output.get("metadata", {})
            if not data:
                continue
            alt = meta.get("image/png", {}).get("alt") if isinstance(meta.get("image/png"), dict) else None
            svg = "".join(data.get("image/svg+xml") or "")
            if "text/html" in data:
                data["text/html"] = sanitise_html("".join(data["text/html"]))
            elif "image/png" in data and alt:
                png = str(data["image/png"]).replace("\n", "")
                data["text/html"] = sanitise_html(f'<img src="data:image/png;base64,{png}" alt="{html.escape(alt)}">')
            elif svg.startswith("<svg"):
                drawing = safe_svg(svg)  # a drawing passes whole; anything else is dropped
                data["text/html"] = ""
                if drawing:
                    data["text/html"] = f"<!--impactmonitor-chart:{mark}:{len(charts)}-->"
                    charts[data["text/html"]] = drawing
            elif "text/markdown" in data:
                data["text/html"] = sanitise_html(markdown2html_mistune("".join(data["text/markdown"])))
            if "text/html" in data:
                data.pop("text/markdown", None)
            for kind in [k for k in data if k in ("application/javascript", "image/svg+xml")
                         or k.startswith("application/vnd.jupyter.widget")]:
                del data[kind]  # script, or pictures that can carry script
    return nb, charts


#: What nbconvert's HTMLExporter adds to the finished page (nbconvert 7: ``img:not([alt])`` gets
#: an alt text; ``div.jp-Cell-inputWrapper`` and ``div.jp-OutputArea-output`` inside
#: ``.jp-Notebook``, the page's body, get ``tabindex="0"`` so a keyboard reaches them).
_TAG = re.compile(r"<(img|div)\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)(\s*/?)>", re.I)
_CLASS = re.compile(r"""\sclass\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_HAS_ALT = re.compile(r"""\salt(?=[\s=/]|$)""", re.I)
_FOCUSABLE = {"jp-Cell-inputWrapper", "jp-OutputArea-output"}
#: The alt text of an image that came without one (nbconvert writes the English of this).
NO_ALT = "Bij deze afbeelding is geen beschrijving gegeven."


def _accessible(page: str) -> str:
    """The page as nbconvert's HTMLExporter finishes it, without reading it into BeautifulSoup."""
    def tag(m: re.Match) -> str:
        name, attrs, end = m.group(1), m.group(2), m.group(3)
        if name.lower() == "img":
            if _HAS_ALT.search(attrs):
                return m.group(0)
            return f'<{name}{attrs} alt="{NO_ALT}"{end}>'
        cls = _CLASS.search(attrs)
        if not cls or not _FOCUSABLE & set((cls.group(1) or cls.group(2) or "").split()) or "tabindex" in attrs.lower():
            return m.group(0)
        return f'<{name}{attrs} tabindex="0"{end}>'

    return _TAG.sub(tag, page)


@functools.cache
def _report_exporter_class():
    """The exporter class (defined on first use: nbconvert loads only when a report is written)."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        """nbconvert's HTMLExporter, its page finished without BeautifulSoup (:func:`_accessible`).

        HTMLExporter reads the whole rendered page into BeautifulSoup to add alt texts and
        tab stops, and writes it out again; for a report of 600 KB that was most of the
        export after the template (and 0,4 s per process for BeautifulSoup's entity table and
        the CSS selectors). The part before is HTMLExporter's own, unchanged.
        """

        def from_notebook_node(self, nb, resources=None, **kw):
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self,
                                                     resources=resources)
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _accessible(page), resources

    return ReportExporter


#: One exporter per style for the whole process, used by one thread at a time: an exporter
#: registers filters per page, and a batch's threads would each compile the templates again.
_exporters: dict[bool, object] = {}
_export_lock = threading.Lock()


def _exporter(with_code: bool):
    """The HTML exporter of this style, built (templates compiled) once per process; use it
    while holding ``_export_lock``."""
    cache = _exporters
    if with_code not in cache:
        from traitlets.config import Config

        config = Config()
        config.TagRemovePreprocessor.enabled = True
        tags = HIDDEN_TAGS if not with_code else HIDDEN_TAGS[:2]
        config.TagRemovePreprocessor.remove_cell_tags = set(tags)
        # the lab page without scripts from other servers
        exporter = _report_exporter_class()(config=config, template_name="lab", extra_template_paths=[str(REPORT_TEMPLATE.parent)],
                                template_file=REPORT_TEMPLATE.name)
        # the notebook is checked once, after all preprocessors, instead of after each of them:
        # nbconvert's check with relaxed properties walks the whole schema every time
        exporter.optimistic_validation = True
        exporter.exclude_input = not with_code
        exporter.exclude_input_prompt = True
        exporter.exclude_output_prompt = True
        cache[with_code] = exporter
    return cache[with_code]


def notebook_to_html(nb, *, with_code: bool = False, summary: dict | None = None) -> str:
    """Render an executed notebook (a ``NotebookNode``) as HTML."""
    summary = summary or {}
    nb, charts = _prepared(nb)
    title = summary.get("title") or "Impactmonitor: stappenplan"
    with _export_lock:
        body, _ = _exporter(with_code).from_notebook_node(nb, resources={"metadata": {"name": title}})
    for placeholder, drawing in charts.items():
        body = body.replace(placeholder, drawing, 1)
    body = body.replace('<html lang="en">', '<html lang="nl">', 1)
    banner = summary.get("banner")
    if banner:
        head, sep, rest = body.partition("<body")
        tag_end = rest.index(">") + 1
        body = head + sep + rest[:tag_end] + "\n" + banner_html(banner) + rest[tag_end:]
    return body


def warm_up(with_code: bool = False) -> threading.Thread:
    """Prepare the exporter (libraries, compiled templates) in a background thread, now.

    The first report of a process costs about 0,3 s more than the next ones; a batch calls
    this while its kernels start and run their first notebooks, so no kernel waits for that
    when its first notebook is done. The page rendered here is a small one of our own, thrown away.
    """
    from nbformat.v4 import new_markdown_cell, new_notebook, new_output, new_code_cell

    def work() -> None:
        cell = new_code_cell("x", outputs=[new_output("display_data", data={"text/markdown": "*x*", "text/plain": "x"})])
        try:
            notebook_to_html(new_notebook(cells=[new_markdown_cell("# x"), cell]), with_code=with_code)
        except Exception:  # noqa: BLE001 - a failure here shows again, where it matters, at the first report
            pass

    thread = threading.Thread(target=work, name="impactmonitor-export-warm-up", daemon=True)
    thread.start()
    return thread


def write_html(nb, target: Path, *, with_code: bool = False, summary: dict | None = None) -> Path:
    """Render and write atomically; return the path."""
    return atomic_write(Path(target), notebook_to_html(nb, with_code=with_code, summary=summary))
