"""Charts stay in the report as inline SVG; an SVG that could run or load anything does not."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from impactlib.figures import render  # noqa: E402
from impactlib.safety import safe_svg  # noqa: E402


def _chart_svg() -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 2))
    ax = fig.subplots()
    ax.bar(["Zaanstreek-Waterland", "Nederland"], [55.6, 42.8])
    fig.suptitle("Acuut <onveilig> & structureel")
    out = render(fig)
    return out.data if isinstance(out.data, str) else out.data.decode()


def test_a_chart_passes_whole():
    svg = _chart_svg()
    assert svg.startswith("<svg") and safe_svg(svg) == svg


def test_script_handlers_and_foreign_links_do_not_pass():
    svg = _chart_svg()
    head = svg.index(">") + 1
    for bad in ("<script>alert(1)</script>", '<foreignObject><iframe src="x"/></foreignObject>',
                '<a href="javascript:alert(1)"><text>x</text></a>', '<image href="http://evil.example/x.png"/>',
                '<rect onload="alert(1)" width="1" height="1"/>', '<style>@import url(http://x)</style>'):
        assert safe_svg(svg[:head] + bad + svg[head:]) is None, bad
    assert safe_svg("<svg><unclosed") is None
