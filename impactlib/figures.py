"""Charts as they go into a notebook and its HTML report: rendered small, cached by content.

:func:`render` turns a matplotlib figure into a :class:`Rendered` chart. Our bar, line, dot
and tile charts go out as SVG with real text (``svg.fonttype = none``): measured on the
worked example, SVG is about three times smaller than a PNG at 100 dpi and cheaper to
write, and a vector stays sharp on a projector at any zoom. A chart with very many marks
(where SVG would grow large) goes out as a PNG at :data:`PNG_DPI` instead.

:func:`cached` draws a chart once per content: with a cache folder (the batch sets
``IMPACTMONITOR_FIGURE_CACHE`` for its kernels) a chart whose builder and inputs were
drawn before — e.g. the ranking of all Veilig Thuis-regio's shown for every gemeente of one
VT-regio — comes back already rendered, without drawing. Without a cache folder it simply
returns the figure.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import os
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Rendered", "render", "cached", "cached_all", "show_figure", "cache_folder", "CACHE_ENV", "PNG_DPI"]

CACHE_ENV = "IMPACTMONITOR_FIGURE_CACHE"
#: Resolution of the rare PNG chart: sharp on a projector (1,5× the old 100 dpi).
PNG_DPI = 150
#: Marks above which a chart goes out as PNG (an SVG grows with every mark, a PNG does not).
SVG_MAX_MARKS = 3000
#: The font names the SVG text asks for; the chart was laid out with DejaVu Sans.
FONT_STACK = "'DejaVu Sans', 'Liberation Sans', Arial, Helvetica, sans-serif"
_MEMORY_SIZE = 64


@dataclass(frozen=True)
class Rendered:
    """A chart ready for display: ``mime`` (``image/svg+xml`` or ``image/png``), data, alt text."""

    mime: str
    data: str | bytes
    alt: str

    def bundle(self) -> tuple[dict, dict]:
        """The display data and metadata as IPython shows them (PNG data base64-encoded)."""
        import base64

        data = self.data if self.mime == "image/svg+xml" else base64.b64encode(self.data).decode("ascii")
        return {self.mime: data, "text/plain": self.alt}, {self.mime: {"alt": self.alt}}

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.bundle()


def _alt(fig) -> str:
    """The chart's alt text: the one the plot function wrote (title and values), else its title."""
    if getattr(fig, "alt_text", None):
        return str(fig.alt_text)
    title = fig._suptitle.get_text().replace("\n", " – ") if getattr(fig, "_suptitle", None) else ""
    return title or "Grafiek"


def _marks(fig) -> int:
    """A rough count of the marks an SVG would write (points, bars, line vertices)."""
    n = 0
    for ax in fig.axes:
        for coll in ax.collections:
            n += max(len(coll.get_offsets()), len(coll.get_paths()))
        n += len(ax.patches) + sum(len(line.get_xdata()) for line in ax.lines)
    return n


_HEAD = re.compile(r"^.*?(?=<svg)", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_FONTS = re.compile(r"font-family: [^;\"]*")
_GAPS = re.compile(r">\s+<")
_GROUP_IDS = re.compile(r'<g id="[^"]*">')
_GEOMETRY = re.compile(r'(\s(?:d|x|y|x1|x2|y1|y2|width|height|transform|viewBox|points)=")([^"]*)"')
_LONG_NUMBER = re.compile(r"(-?\d+\.\d\d)\d+")
_PATH_BREAKS = re.compile(r"\s*\n\s*")


def _compact_svg(svg: str, alt: str) -> str:
    """Drop the XML prolog and metadata, shorten the font list, name the chart for screen readers."""
    svg = _HEAD.sub("", svg, count=1)
    svg = _METADATA.sub("", svg, count=1)
    svg = _FONTS.sub(f"font-family: {FONT_STACK}", svg)
    svg = _GROUP_IDS.sub("<g>", svg)  # never referenced, and unique ids matter once inlined
    svg = _GEOMETRY.sub(lambda m: m.group(1) + _LONG_NUMBER.sub(r"\1", m.group(2)) + '"', svg)
    svg = _PATH_BREAKS.sub(" ", svg)
    svg = _GAPS.sub("><", svg)
    label = html.escape(alt, quote=True)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
    head_end = svg.index(">") + 1
    return svg[:head_end] + f"<title>{html.escape(alt)}</title>" + svg[head_end:]


def render(fig, fmt: str | None = None) -> Rendered:
    """The figure as SVG (default for our charts) or PNG (``fmt="png"``, or very many marks)."""
    import matplotlib

    alt = _alt(fig)
    fmt = fmt or ("png" if _marks(fig) > SVG_MAX_MARKS else "svg")
    buffer = io.BytesIO()
    if fmt == "png":
        fig.savefig(buffer, format="png", dpi=PNG_DPI, bbox_inches="tight")
        return Rendered("image/png", buffer.getvalue(), alt)
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "impactmonitor"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})  # laid out by plots._finish: one drawing pass
    return Rendered("image/svg+xml", _compact_svg(buffer.getvalue().decode("utf-8"), alt), alt)


def show_figure(fig) -> None:
    """Display a figure (or an already rendered chart) in a notebook and close the figure."""
    from IPython.display import display

    if isinstance(fig, Rendered):
        rendered = fig
    else:
        rendered = render(fig)
        key = getattr(fig, "_impactmonitor_key", None)
        if key:
            _store(key, rendered)
        _close(fig)
    data, metadata = rendered.bundle()
    display(data, metadata=metadata, raw=True)


def _close(fig) -> None:
    try:
        import matplotlib.pyplot as plt

        plt.close(fig)
    except Exception:  # noqa: BLE001 - a figure made without pyplot needs no closing
        pass


# --------------------------------------------------------------------------- cache by content
_memory: OrderedDict = OrderedDict()
_lock = threading.Lock()


def cache_folder() -> Path | None:
    """The batch's shared folder of rendered charts, or ``None`` (no caching)."""
    folder = os.environ.get(CACHE_ENV, "").strip()
    return Path(folder) if folder else None


def _fingerprint(value, digest) -> None:
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        digest.update(b"frame")
        digest.update(json.dumps([list(map(str, value.columns)), [str(t) for t in value.dtypes]]).encode())
        digest.update(pd.util.hash_pandas_object(value, index=True).values.tobytes())
        digest.update(json.dumps(value.attrs, sort_keys=True, default=str).encode())
    elif isinstance(value, (list, tuple)):
        digest.update(f"seq{len(value)}".encode())
        for item in value:
            _fingerprint(item, digest)
    elif isinstance(value, dict):
        _fingerprint(sorted(value.items(), key=lambda kv: str(kv[0])), digest)
    else:
        digest.update(f"{type(value).__name__}:{value!s}".encode())


def content_key(builder, *args, **kwargs) -> str:
    """A digest of the builder and everything it draws from."""
    digest = hashlib.sha256(f"{builder.__module__}.{builder.__qualname__}".encode())
    _fingerprint(list(args), digest)
    _fingerprint(kwargs, digest)
    return digest.hexdigest()[:32]


def _load(key: str) -> Rendered | None:
    folder = cache_folder()
    if folder is None:
        return None
    with _lock:
        hit = _memory.get((str(folder), key))
        if hit is not None:
            _memory.move_to_end((str(folder), key))
            return hit
    try:
        meta = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        raw = (folder / f"{key}.{meta['ext']}").read_bytes()
    except (OSError, ValueError, KeyError):
        return None
    data = raw.decode("utf-8") if meta["mime"] == "image/svg+xml" else raw
    rendered = Rendered(meta["mime"], data, meta["alt"])
    _remember(key, rendered)
    return rendered


def _remember(key: str, rendered: Rendered) -> None:
    with _lock:
        _memory[(str(cache_folder()), key)] = rendered
        while len(_memory) > _MEMORY_SIZE:
            _memory.popitem(last=False)


def _store(key: str, rendered: Rendered) -> None:
    _remember(key, rendered)
    folder = cache_folder()
    if folder is None:
        return
    from .sources.parts import atomic_write

    ext = "svg" if rendered.mime == "image/svg+xml" else "png"
    raw = rendered.data.encode("utf-8") if isinstance(rendered.data, str) else rendered.data
    try:  # the data first, then the record that points to it: a reader sees both or neither
        atomic_write(folder / f"{key}.{ext}", raw)
        atomic_write(folder / f"{key}.json", json.dumps({"mime": rendered.mime, "ext": ext, "alt": rendered.alt}).encode())
    except OSError:
        pass  # a cache that cannot be written only costs drawing the chart again


def cached(builder, *args, **kwargs):
    """``builder(*args, **kwargs)``, drawn once per content when a cache folder is set.

    Returns the figure (drawn now; :func:`show_figure` stores its rendering) or, when the
    same chart was drawn before in this batch, the :class:`Rendered` chart.
    """
    if cache_folder() is None:
        return builder(*args, **kwargs)
    key = content_key(builder, *args, **kwargs)
    hit = _load(key)
    if hit is not None:
        return hit
    fig = builder(*args, **kwargs)
    fig._impactmonitor_key = key
    return fig


#: Seconds a kernel waits for a chart another kernel of the batch claimed, before it draws it itself.
CLAIM_WAIT = 60.0
_POLL = 0.02


def _claim(folder: Path, key: str) -> bool:
    """Claim the drawing of ``key`` for this process (a file only one process can create)."""
    try:
        fd = os.open(folder / f"{key}.claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    except OSError:
        return True  # a folder that takes no claim: draw it, as without a cache
    with os.fdopen(fd, "w") as handle:
        handle.write(str(os.getpid()))
    return True


def _claimer_alive(folder: Path, key: str) -> bool:
    """Whether the process that claimed ``key`` still runs (and so will store the chart)."""
    try:
        pid = int((folder / f"{key}.claim").read_text(encoding="ascii").strip() or 0)
    except (OSError, ValueError):
        return False  # the claim is gone (drawn, or given up) or unreadable
    if pid <= 0 or os.name == "nt":  # not yet filled in; on Windows os.kill would end the process
        return True  # trusted until CLAIM_WAIT
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def cached_all(calls: list[tuple]) -> list:
    """``[builder(*args, **kwargs) for builder, args, kwargs in calls]``, shared by the kernels of a batch.

    Without a cache folder every chart is simply drawn (figures, as :func:`cached` gives them).
    With one, the charts come back rendered (:class:`Rendered`), and the kernels of a batch that
    ask for the same charts at the same moment — the first notebook of each kernel, drawing the
    ranking of all Veilig Thuis-regio's — share the work instead of each drawing all of them:
    a kernel claims a chart nobody drew or claimed yet (a file only one process can create),
    draws and stores it, and moves on to the next; a chart another kernel claimed it takes from
    the folder once that kernel stored it. A kernel that died with a claim (its process is gone)
    or takes longer than :data:`CLAIM_WAIT` seconds is not waited for: the chart is drawn here.
    """
    import time

    folder = cache_folder()
    if folder is None:
        return [builder(*args, **kwargs) for builder, args, kwargs in calls]
    keys = [content_key(builder, *args, **kwargs) for builder, args, kwargs in calls]
    out: list = [None] * len(calls)

    def draw(i: int) -> None:
        builder, args, kwargs = calls[i]
        try:
            fig = builder(*args, **kwargs)
            out[i] = render(fig)
            _store(keys[i], out[i])
            _close(fig)
        finally:
            try:
                (folder / f"{keys[i]}.claim").unlink()
            except OSError:
                pass

    waiting = []
    for i, key in enumerate(keys):
        out[i] = _load(key)
        if out[i] is not None:
            continue
        if _claim(folder, key):
            draw(i)
        else:
            waiting.append(i)
    for i in waiting:
        deadline = time.monotonic() + CLAIM_WAIT
        while out[i] is None:
            out[i] = _load(keys[i])
            if out[i] is not None:
                break
            if not _claimer_alive(folder, keys[i]) or time.monotonic() > deadline:
                out[i] = _load(keys[i])  # stored just before the claim went
                if out[i] is None:
                    draw(i)
                break
            time.sleep(_POLL)
    return out


def clear_memory() -> None:
    """Forget the rendered charts kept in this process (the folder stays)."""
    with _lock:
        _memory.clear()
