"""Reading a local file into numbered rows: CSV (any separator, UTF-8 or Windows-1252) or ``.xlsx``.

Rows come as ``(excel_row_number, cells)``, the header first and numbered as Excel shows it
(header = row 1), so that :mod:`.validation` can name the cell of every problem. What cannot be
read at all (a folder, a device, an old ``.xls``, a binary file, a file over
:data:`MAX_FILE_BYTES`) is a :class:`~impactlib.errors.LocalFileError` with one Dutch line.
"""

from __future__ import annotations

import csv
import io
import stat
import zipfile
from pathlib import Path

import pandas as pd

from ..errors import LocalFileError
from .frame import required_columns, schema

#: Largest local file read (instrument 08 files are a few kB).
MAX_FILE_BYTES = 20 * 2**20


def frame_rows(frame: pd.DataFrame) -> list[tuple[int, list]]:
    """A DataFrame's rows as ``(row_number, cells)``, numbered as if its header were row 1."""
    header = (1, [str(c) for c in frame.columns])
    return [header] + [(i + 2, list(row)) for i, row in enumerate(frame.itertuples(index=False))]


def read_file(path: Path) -> tuple[list[tuple[int, list]], dict]:
    """Rows as ``(excel_row_number, cells)``, header first, plus how the file was read."""
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise LocalFileError([f"{path} is een map; geef een CSV- of Excel-bestand (.csv, .xlsx)."])
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device would be read forever
            raise LocalFileError([f"{path} is geen gewoon bestand (maar bijvoorbeeld een apparaat of pijp); "
                                  "geef een CSV- of Excel-bestand (.csv, .xlsx)."])
        if info.st_size > MAX_FILE_BYTES:
            raise LocalFileError([f"{path.name} is te groot ({info.st_size // 2**20} MB; hoogstens "
                                  f"{MAX_FILE_BYTES // 2**20} MB); een bestand met lokale indicatoren is veel kleiner."])
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise LocalFileError([f"Bestand {path} bestaat niet; controleer de naam en de map."]) from None
    except OSError as exc:
        raise LocalFileError([f"Bestand {str(path)[:120]} is niet te openen ({exc.strerror or exc})."]) from None
    if len(data) > MAX_FILE_BYTES:
        raise LocalFileError([f"{path.name} is te groot (hoogstens {MAX_FILE_BYTES // 2**20} MB)."])
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(path, data), {"path": str(path), "file_format": "xlsx"}
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise LocalFileError([f"{path.name} is een oud Excel-bestand (.xls); sla het op als .xlsx of als CSV."])
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise LocalFileError([f"{path.name} is geen geldig Excel-bestand (.xlsx); sla het opnieuw op in Excel of als CSV."])
    text, encoding = _decode(path, data)
    sep = _separator(text)
    rows = [(n, cells) for n, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=sep), start=1)]
    return rows, {"path": str(path), "file_format": "csv", "encoding": encoding, "separator": sep}


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    bad = LocalFileError([f"{path.name} is geen tekstbestand (CSV) en geen Excel-bestand (.xlsx); "
                          f"sla uw tabel in Excel op als 'CSV UTF-8' of als .xlsx."])
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode-tekst"
        try:
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise bad from None
    elif b"\x00" in data:
        raise bad
    else:
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise LocalFileError([f"De tekens in {path.name} zijn niet te lezen (geen UTF-8 of Windows-1252); "
                                  f"sla het bestand in Excel op als 'CSV UTF-8'."])
        encoding = "utf-8" if encoding == "utf-8-sig" else "windows-1252"
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\r\n")
    if controls > max(2, len(text) // 100) or not text.strip():
        raise bad if text.strip() else LocalFileError([f"{path.name} is leeg; verwacht een kopregel met {', '.join(required_columns())}."])
    return text.lstrip("\ufeff"), encoding


def _separator(text: str) -> str:
    """The separator that turns the first line into the most known column names."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    known = set(required_columns()) | set(schema().get("optional_columns", {}))

    def score(sep):
        cells = next(csv.reader([first], delimiter=sep), [])
        return (sum(c.strip().lower() in known for c in cells), first.count(sep))

    return max((";", ",", "\t"), key=score)


def _read_xlsx(path: Path, data: bytes) -> list[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise LocalFileError([f"{path.name} is geen leesbaar Excel-bestand ({exc.__class__.__name__}); "
                              f"sla het opnieuw op als .xlsx of als CSV."]) from None
    sheet = book.worksheets[0]
    rows = [(n, list(values)) for n, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
    book.close()
    return rows
