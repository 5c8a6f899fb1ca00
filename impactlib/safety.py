"""Text from files made safe for what it becomes: Markdown, HTML, a spreadsheet cell, a terminal.

Parameter files, question files and local CSVs are written by people, and the reports made
from them are mailed and published. Every piece of such text passes one of these helpers
before it reaches an output:

- :func:`escape_markdown` — text that becomes Markdown: HTML characters and link syntax are
  escaped, so ``<script>`` or ``[klik](javascript:...)`` is shown as written, never run;
- :func:`sanitise_html` — HTML that Markdown or a library rendered: an allow-list of tags,
  attributes and URL schemes (``nh3``, the Ammonia sanitiser), the second line of defence;
- :func:`neutralise_cell` / :func:`neutralise_frame` — a cell of an xlsx/csv export that
  starts with ``= + - @`` (or a tab or carriage return) gets a leading ``'``, so a
  spreadsheet shows it as text and never runs it as a formula (OWASP CSV injection);
- :func:`terminal_text` — a name printed to the terminal without ANSI escape sequences or
  other control characters;
- :func:`replace_together` — several finished temporary files moved onto their targets
  all together or not at all (the CSV pair of an export, the notebook and HTML of a run).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = [
    "escape_markdown", "sanitise_html", "safe_svg", "neutralise_cell", "neutralise_frame", "terminal_text", "replace_together",
    "MAX_NAME", "file_mode", "dir_mode",
]

#: Longest region, question or indicator name worth comparing with the known names.
MAX_NAME = 200

def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The permissions a new file gets under the user's umask (``mkstemp`` makes files 0600)."""
    return 0o666 & ~_umask()


def dir_mode() -> int:
    """The permissions a new folder gets under the user's umask (``mkdtemp`` makes folders 0700)."""
    return 0o777 & ~_umask()


_MD_SPECIAL = re.compile(r"([\\`*_\[\]()#|!~{}])")


def escape_markdown(text) -> str:
    """``text`` as literal Markdown on one line: ``& < >`` as entities, Markdown punctuation
    backslash-escaped (no links, images, emphasis or headings), newlines as spaces."""
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"[\r\n\t\x0b\x0c]+", " ", text)
    text = "".join(c for c in text if ord(c) >= 32 and c != "\x7f")
    return _MD_SPECIAL.sub(r"\\\1", text)


_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "small",
    "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
_ATTRIBUTES = {
    "*": {"class", "title", "role", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align"},
    "ol": {"start"},
}
_SCHEMES = {"http", "https", "mailto", "data"}


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute in ("href", "src") and value.strip().lower().startswith("data:"):
        # data: only for pictures, never as a link target or a non-image document
        return value if tag == "img" and value.strip().lower().startswith("data:image/") else None
    return value


def sanitise_html(fragment: str) -> str:
    """``fragment`` with only harmless HTML left: allow-listed tags and attributes, links to
    http(s)/mailto, pictures as http(s) or ``data:image/...``; ``<script>``/``<style>``
    content, event handlers (``onerror=``), ``javascript:`` URLs and ``<iframe>`` are removed."""
    import nh3

    return nh3.clean(
        str(fragment), tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=_SCHEMES,
        attribute_filter=_attribute_filter, link_rel="noopener noreferrer", strip_comments=True,
    )


#: What a chart's SVG may contain: matplotlib's drawing elements, nothing that runs or loads.
_SVG_TAGS = {
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan", "title",
    "desc", "defs", "clipPath", "use", "style", "metadata", "linearGradient", "radialGradient", "stop", "mask",
    "pattern", "symbol", "marker", "image",
}


def safe_svg(svg: str) -> str | None:
    """``svg`` if it is a plain drawing (the charts :mod:`impactlib.figures` writes), else ``None``.

    Parsed as XML: every element must be a drawing element (no ``script``, ``foreignObject``,
    ``iframe``), no attribute may be an event handler (``on...``), links (``href``) may only
    point inside the picture (``#id``) or at an embedded ``data:image/png``, and style sheets may
    not import or call URLs other than ``#id``. Checked, not rewritten: a chart passes whole or
    not at all.
    """
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(str(svg))
    except ET.ParseError:
        return None
    for el in root.iter():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag not in _SVG_TAGS:
            return None
        for name, value in el.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                return None
            if local == "href" and not (value.startswith("#") or value.startswith("data:image/png;base64,")):
                return None
            if "javascript:" in value.lower() or re.search(r"url\(\s*['\"]?(?!#)", value):
                return None
        if tag == "style" and (el.text or "") and re.search(r"@import|url\(\s*['\"]?(?!#)|expression\(", el.text or "", re.I):
            return None
    return str(svg)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value):
    """A text cell that a spreadsheet would run as a formula, made plain text with a leading ``'``.

    Numbers, empty cells and other values come back unchanged.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def neutralise_frame(frame):
    """A copy of a DataFrame with :func:`neutralise_cell` applied to every text cell and column name."""
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise_cell)
    out.columns = [neutralise_cell(c) for c in out.columns]
    return out


_ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")


def terminal_text(text) -> str:
    """``text`` fit for a terminal: ANSI escape sequences removed, other control characters
    shown as ``\\xNN`` (NUL as ``\\0``), so a name can never recolour or rewrite the screen."""
    text = _ANSI.sub("", str(text))
    out = []
    for c in text:
        if c == "\x00":
            out.append("\\0")
        elif ord(c) < 32 or 0x7f <= ord(c) < 0xa0:
            out.append(f"\\x{ord(c):02x}")
        else:
            out.append(c)
    return "".join(out)


def replace_together(moves: dict[Path, Path]) -> None:
    """Move each finished temporary file (value) onto its target (key), all or none.

    Existing targets are first kept aside (a hard link, else a copy); if any move fails,
    every target that was already replaced gets its old file back (or disappears when it is
    new) and the error is raised. The temporary files are left to the caller to remove.
    """
    import shutil

    backups: dict[Path, Path] = {}
    done: list[Path] = []
    try:
        for target in moves:
            if target.is_file():
                backup = target.with_name(f".{target.name}.{os.getpid()}.oud")
                backup.unlink(missing_ok=True)
                try:
                    os.link(target, backup)
                except OSError:
                    shutil.copy2(target, backup)
                backups[target] = backup
        for target, tmp in moves.items():
            os.replace(tmp, target)
            done.append(target)
    except BaseException:
        for target in done:
            if target not in backups:
                try:
                    target.unlink(missing_ok=True)
                except OSError:
                    pass
        for target, backup in backups.items():
            try:
                os.replace(backup, target)
            except OSError:
                pass
        raise
    for backup in backups.values():
        try:
            backup.unlink(missing_ok=True)
        except OSError:
            pass
