"""Charts as SVG, drawn once per content in a batch (issue 19)."""

import re

import matplotlib

matplotlib.use("Agg")

import nbformat  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from nbformat.v4 import new_code_cell, new_notebook, new_output  # noqa: E402

from impactlib import figures  # noqa: E402
from impactlib.run.export import notebook_to_html  # noqa: E402


def chart(title="Meldingen\nZaanstad en Nederland", values=(1.0, 2.0)):
    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    ax.bar(["Zaanstad", "Nederland"], list(values))
    fig.suptitle(title)
    fig.text(0.01, 0.01, "Bron: CBS, 10.000 inwoners")
    return fig


def test_a_bar_chart_is_a_compact_svg_that_names_itself():
    out = figures.render(chart())
    assert out.mime == "image/svg+xml" and out.data.startswith("<svg ")
    assert 'aria-label="Meldingen – Zaanstad en Nederland"' in out.data
    assert "<title>Meldingen – Zaanstad en Nederland</title>" in out.data
    assert ">Zaanstad</text>" in out.data  # real text, not glyph paths
    assert "10.000 inwoners" in out.data  # numbers in text keep their digits
    assert "<?xml" not in out.data and "<metadata>" not in out.data and "Computer Modern" not in out.data
    assert out.data.rstrip().endswith("</svg>")


def test_png_on_request_is_sharper_than_before():
    out = figures.render(chart(), "png")
    assert out.mime == "image/png" and out.data[:8] == b"\x89PNG\r\n\x1a\n"
    data, meta = out.bundle()
    assert meta == {"image/png": {"alt": out.alt}} and isinstance(data["image/png"], str)


def test_without_a_cache_folder_cached_just_draws(monkeypatch):
    monkeypatch.delenv(figures.CACHE_ENV, raising=False)
    assert isinstance(figures.cached(chart), Figure)


def test_in_a_batch_the_same_chart_is_drawn_once(tmp_path, monkeypatch):
    monkeypatch.setenv(figures.CACHE_ENV, str(tmp_path))
    figures.clear_memory()
    calls = []

    def build(frame, region):
        calls.append(region)
        return chart(values=tuple(frame["value"]))

    frame = pd.DataFrame({"value": [1.0, 2.0]})
    first = figures.cached(build, frame, "VT01")
    assert isinstance(first, Figure)
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.append((a, k)))
    figures.show_figure(first)
    figures.clear_memory()  # another kernel of the batch: only the folder is shared
    again = figures.cached(build, frame.copy(), "VT01")
    assert isinstance(again, figures.Rendered) and calls == ["VT01"]
    assert again.data == shown[0][0][0]["image/svg+xml"]
    other = figures.cached(build, pd.DataFrame({"value": [1.0, 3.0]}), "VT01")  # other content: drawn
    assert isinstance(other, Figure) and calls == ["VT01", "VT01"]
    assert isinstance(figures.cached(build, frame, "VT02"), Figure)  # another highlight: drawn


def test_the_html_report_inlines_the_svg_with_its_title():
    svg = figures.render(chart()).data
    c = new_code_cell("steps.show(...)")
    c.outputs = [new_output("display_data", data={"image/svg+xml": svg, "text/plain": "Meldingen"},
                            metadata={"image/svg+xml": {"alt": "Meldingen"}})]
    nb = new_notebook(cells=[c])
    page = notebook_to_html(nbformat.from_dict(nb))
    assert "<title>Meldingen – Zaanstad en Nederland</title>" in page
    assert len(re.findall(r'<svg [^>]*role="img"', page)) == 1 and "No description has been provided" not in page


def test_the_report_carries_each_safe_chart_exactly_as_drawn_and_drops_an_unsafe_one():
    svg = figures.render(chart()).data
    head = svg.index(">") + 1
    unsafe = svg[:head] + "<script>alert(1)</script>" + svg[head:]
    cells = []
    for drawing in (svg, unsafe, svg):
        c = new_code_cell("steps.show(...)")
        c.outputs = [new_output("display_data", data={"image/svg+xml": drawing, "text/plain": "Meldingen"})]
        cells.append(c)
    forged = new_code_cell("display(Markdown(...))")  # text that imitates the mark a chart stands in for
    forged.outputs = [new_output("display_data", data={"text/markdown": "<!--impactmonitor-chart:0:0--> tekst"})]
    page = notebook_to_html(nbformat.from_dict(new_notebook(cells=[*cells, forged])))
    assert page.count(svg) == 2  # both safe charts, byte for byte as matplotlib wrote them
    assert "alert(1)" not in page and "impactmonitor-chart" not in page and "tekst" in page
