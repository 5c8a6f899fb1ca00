"""Each text measured once per process, whichever chart it is in.

matplotlib measures a label (width, height and descent) once per renderer. The layout of every
chart and the drawing of its SVG each have a renderer of their own, so the same region names,
tick numbers, titles and source lines were measured again for every chart: about 1 200
measurements per worked example, 0,15–0,2 CPU-s. A measurement depends only on the text, its
font properties, the resolution and the font settings, so :func:`remember` keeps it for the
process under a key of all of those, for the two renderers our charts use (Agg for layout and
PNG, SVG for the reports). Math and TeX text are measured as before.

The result is the same number matplotlib would compute: the charts are identical byte for
byte (tests/test_plots.py).
"""

from __future__ import annotations

import matplotlib
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.backends.backend_svg import RendererSVG

__all__ = ["remember", "forget"]

#: Settings that choose the font file or change its metrics (generic families resolve through
#: the font lists; hinting and kerning change widths).
_FONT_SETTINGS = ("font.family", "font.sans-serif", "font.serif", "font.monospace", "font.cursive",
                  "font.fantasy", "text.hinting", "text.hinting_factor", "text.kerning_factor")
#: Measurements kept at most (a chart needs about sixty; a long-lived kernel never grows past this).
MAX_KEPT = 20_000

_kept: dict = {}
_originals: dict = {}


def _settings() -> tuple:
    values = []
    for name in _FONT_SETTINGS:
        value = matplotlib.rcParams[name]
        values.append(tuple(value) if isinstance(value, list) else value)
    return tuple(values)


def _remembering(cls, measure):
    def get_text_width_height_descent(self, s, prop, ismath):
        if ismath:  # mathtext and TeX: as matplotlib does it
            return measure(self, s, prop, ismath)
        key = (cls, s, prop.copy(), getattr(self, "dpi", None), _settings())
        try:
            return _kept[key]
        except KeyError:
            pass
        if len(_kept) >= MAX_KEPT:
            _kept.clear()
        value = _kept[key] = measure(self, s, prop, ismath)
        return value

    get_text_width_height_descent.__doc__ = measure.__doc__
    get_text_width_height_descent.__wrapped__ = measure
    return get_text_width_height_descent


def remember() -> None:
    """Keep text measurements of the Agg and SVG renderers for this process (idempotent)."""
    for cls in (RendererAgg, RendererSVG):
        if cls not in _originals:
            _originals[cls] = cls.get_text_width_height_descent
            cls.get_text_width_height_descent = _remembering(cls, _originals[cls])


def forget() -> None:
    """Measure every text again, as matplotlib does on its own (and drop what was kept)."""
    for cls, measure in _originals.items():
        cls.get_text_width_height_descent = measure
    _originals.clear()
    _kept.clear()
