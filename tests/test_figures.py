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


def _slow_chart(folder, n):
    """A chart builder that notes in ``folder`` which process drew chart ``n``."""
    import os
    import time

    time.sleep(0.1)
    (folder / f"drawn-{n}-{os.getpid()}").touch()
    return chart(values=(1.0, float(n)))


def _batch_kernel(folder, cache, barrier, results):
    import os

    os.environ[figures.CACHE_ENV] = str(cache)
    figures.clear_memory()
    barrier.wait()
    drawn = figures.cached_all([(_slow_chart, (folder, n), {}) for n in range(6)])
    results.put([r.data for r in drawn])


def test_kernels_asking_for_the_same_charts_at_once_draw_each_only_once(tmp_path):
    import multiprocessing

    context = multiprocessing.get_context("fork")
    cache, marks = tmp_path / "grafieken", tmp_path / "getekend"
    cache.mkdir()
    marks.mkdir()
    barrier, results = context.Barrier(2), context.Queue()
    kernels = [context.Process(target=_batch_kernel, args=(marks, cache, barrier, results)) for _ in range(2)]
    for k in kernels:
        k.start()
    pages = [results.get(timeout=60) for _ in kernels]
    for k in kernels:
        k.join(timeout=60)
    drawn = sorted(p.name.split("-")[1] for p in marks.iterdir())
    assert drawn == [str(n) for n in range(6)]  # every chart drawn once in all, not once per kernel
    assert pages[0] == pages[1] and len(set(pages[0])) == 6
    assert not list(cache.glob("*.claim"))


def test_a_chart_claimed_by_a_live_kernel_is_waited_for_and_one_of_a_dead_kernel_drawn_here(tmp_path, monkeypatch):
    import subprocess
    import sys
    import threading

    monkeypatch.setenv(figures.CACHE_ENV, str(tmp_path))
    figures.clear_memory()
    calls = []

    def build(n):
        calls.append(n)
        return chart(values=(1.0, float(n)))

    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    try:
        waited, orphan = figures.content_key(build, 1), figures.content_key(build, 2)
        (tmp_path / f"{waited}.claim").write_text(str(alive.pid))
        (tmp_path / f"{orphan}.claim").write_text(str(dead.pid))
        other = figures.render(chart(values=(9.0, 9.0)))  # what the other kernel stores, a moment later
        threading.Timer(0.3, figures._store, (waited, other)).start()
        got = figures.cached_all([(build, (1,), {}), (build, (2,), {}), (build, (3,), {})])
    finally:
        alive.kill()
        alive.wait()
    assert calls == [3, 2]  # its own first, then the dead kernel's; the live kernel's taken from it
    assert got[0].data == other.data and all(isinstance(g, figures.Rendered) for g in got)


def test_without_a_cache_folder_cached_all_just_draws(monkeypatch):
    monkeypatch.delenv(figures.CACHE_ENV, raising=False)
    got = figures.cached_all([(chart, (), {"values": (1.0, 2.0)}), (chart, (), {})])
    assert all(isinstance(g, Figure) for g in got)
