"""Where outputs go, and how they are written without ever leaving half a file.

Every output path is built from slugs inside the chosen output folder
(``<out>/<region-slug>/<question-id>.html``), so no region or question name can point a
file elsewhere. Files are written to a temporary file in the same folder and then moved
into place with :func:`os.replace`, which is atomic on one file system.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataFault, UserInputError
from ..regions import Region, slug

__all__ = ["OutputPaths", "output_paths", "atomic_write", "temp_path", "new_temp", "DEFAULT_OUT"]

DEFAULT_OUT = "outputs"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Permissions a finished output gets (``mkstemp`` makes files private to the user).
_FILE_MODE = 0o666 & ~_umask()


@dataclass(frozen=True)
class OutputPaths:
    folder: Path
    notebook: Path
    html: Path
    failed: Path  # the executed notebook of a failed run, kept for inspection


def output_paths(out: str | Path, region: Region, question_id: str) -> OutputPaths:
    """``<out>/<region-slug>/<question-slug>.{ipynb,html}``, guaranteed inside ``out``."""
    base = Path(out or DEFAULT_OUT).expanduser().resolve()
    if base.exists() and not base.is_dir():
        raise UserInputError(f"Uitvoermap {base} is een bestand; geef met --out een map op.")
    folder = base / region.slug
    name = slug(question_id)
    paths = OutputPaths(folder, folder / f"{name}.ipynb", folder / f"{name}.html", folder / f"{name}.mislukt.ipynb")
    if base not in paths.notebook.resolve().parents:  # slugs cannot escape, but check anyway
        raise UserInputError(f"Uitvoerpad valt buiten {base}; gebruik een gewone regio- en vraagnaam.")
    return paths


def _ensure_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataFault(f"Kan map {folder} niet maken ({exc.strerror or exc}); kies met --out een schrijfbare map.") from None


def new_temp(target: Path) -> Path:
    """A fresh, empty temporary file in ``target``'s folder (hidden, ``.tmp`` before the suffix)."""
    target = Path(target)
    _ensure_folder(target.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp" + target.suffix, dir=target.parent)
    os.close(fd)
    os.chmod(tmp, _FILE_MODE)
    return Path(tmp)


@contextmanager
def temp_path(target: Path):
    """Yield a temporary path next to ``target``; on success move it onto ``target``."""
    tmp = new_temp(target)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write(target: Path, content: str | bytes) -> Path:
    """Write text or bytes to ``target`` atomically; return ``target``."""
    try:
        with temp_path(target) as tmp:
            if isinstance(content, bytes):
                tmp.write_bytes(content)
            else:
                tmp.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise DataFault(f"Kan {target} niet schrijven ({exc.strerror or exc}); kies met --out een schrijfbare map.") from None
    return Path(target)
