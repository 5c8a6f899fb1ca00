"""Local and regional indicators (instrument 08) beside the figures of the Impactmonitor.

A region's own figures (MDA-casussen, werkdagen tot triage, wachtlijsten, ...) come in a CSV
or Excel file in the schema of ``data/local_schema.yaml``: columns ``indicator, omschrijving,
bron, niveau, gebied, periode, waarde, eenheid``.

>>> from impactlib.local import load_local, beside_monitor, local_markdown
>>> local = load_local("lokale_cijfers.csv")                                # doctest: +SKIP
>>> table = beside_monitor(local, "Kennemerland", "2024HJ01")              # doctest: +SKIP
>>> print(local_markdown(local, "Kennemerland", "2024HJ01"))               # doctest: +SKIP

Three rules hold in everything this module returns:

- **Errors name the cell.** :func:`load_local` reads ``;`` and ``,`` separated CSV (decimal
  comma or point), UTF-8 or Windows-1252, and ``.xlsx``. Every problem becomes one Dutch line
  with the row number as Excel shows it (header = row 1) and the column; they are collected
  in :class:`LocalFileError` ``.errors`` and its message is the first line plus a count.
- **Counts below the threshold never appear.** Counts (eenheid ``aantal``) below ``threshold``
  (default 5) are replaced on loading: ``waarde`` becomes NaN, ``onderdrukt`` True and
  ``weergave`` ``"<5"``. The original number is not kept anywhere.
- **Sources are never mixed.** :func:`beside_monitor` puts local rows and monitor rows in one
  tidy frame with a ``bron`` column (``'lokaal: <bron>'`` or ``'CBS Impactmonitor'``); it never
  adds, averages or merges figures of different sources, and carries :data:`DEFINITION_WARNING`.
"""

from __future__ import annotations

import csv
import io
import re
import stat
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import query
from . import regions as _regions
from .catalogue import get_indicator_spec
from .errors import LocalFileError, NotAvailableError, PeriodError
from .formatting import format_count, format_number, format_percent, round_half_up
from .periods import Period, parse_period
from .safety import escape_markdown

__all__ = [
    "LocalIndicators",
    "LocalFileError",
    "load_local",
    "validate",
    "suppress_small",
    "beside_monitor",
    "local_markdown",
    "schema",
    "example_path",
    "THRESHOLD",
    "MONITOR_SOURCE",
    "DEFINITION_WARNING",
    "DEFAULT_MONITOR_INDICATORS",
]

THRESHOLD = 5
MAX_ERRORS = 10
#: Largest local file read (instrument 08 files are a few kB).
MAX_FILE_BYTES = 20 * 2**20
MONITOR_SOURCE = "CBS Impactmonitor"
DEFINITION_WARNING = (
    "Let op: lokale cijfers en de cijfers van de Impactmonitor (CBS) hebben elk hun eigen definitie, "
    "registratie en periode. Zet ze naast elkaar om het gesprek te voeden, maar tel ze nooit op en "
    "voeg ze nooit samen tot één cijfer."
)
DEFAULT_MONITOR_INDICATORS = (
    "meldingen_per_10k",
    "adviezen_per_10k",
    "meldingen_acuut_structureel_pct",
    "vervolgmeldingen_pct",
    "overdracht_politie_pct",
    "ots_per_10k",
)
#: Columns of every frame this module returns (``categorie`` only for monitor figures).
COLUMNS = [
    "bron", "indicator", "omschrijving", "categorie", "niveau", "gebied", "periode", "periodetitel",
    "waarde", "eenheid", "weergave", "onderdrukt", "opmerking",
]
_UNITS_FROM_MONITOR = {"percent": "percentage", "count": "aantal", "per_10k": "per_10k"}
_UNKNOWN = {"", ".", "-", "?", "onbekend", "nb", "n.b.", "na", "nan"}
_SUPPRESSED = re.compile(r"^<\s*(\d+)$")
_MUST_FILL = {
    "indicator": "een korte naam voor de indicator",
    "omschrijving": "de omschrijving (de afgesproken definitie)",
    "bron": "de registratie waar het cijfer vandaan komt",
    "gebied": "de naam van het gebied",
}


@dataclass
class LocalIndicators:
    """A validated local file: the tidy ``frame`` (already suppressed) and where it came from."""

    frame: pd.DataFrame
    path: str
    file_format: str  # "csv", "xlsx" or "tabel"
    encoding: str = ""
    separator: str = ""
    threshold: int = THRESHOLD
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def synthetic(self) -> bool:
        """True when the file marks its figures as made up (the word 'synthetisch')."""
        return _is_synthetic(self.frame)

    def summary(self) -> dict:
        f = self.frame
        periods = sorted({parse_period(p) for p in f["periode"]})
        return {
            "bestand": self.path,
            "formaat": self.file_format,
            "codering": self.encoding or None,
            "scheidingsteken": self.separator or None,
            "rijen": len(f),
            "indicatoren": sorted(f["indicator"].unique()),
            "bronnen": sorted(f["bron"].unique()),
            "gebieden": sorted(f["gebied"].unique()),
            "perioden": [p.key for p in periods],
            "onbekend": int((f["waarde"].isna() & ~f["onderdrukt"]).sum()),
            "onderdrukt": int(f["onderdrukt"].sum()),
            "drempel": self.threshold,
            "synthetisch": self.synthetic,
            "genegeerde_kolommen": list(self.ignored_columns),
        }


def _is_synthetic(frame: pd.DataFrame | LocalIndicators) -> bool:
    frame = frame.frame if isinstance(frame, LocalIndicators) else frame
    notes = frame["opmerking"] if "opmerking" in frame else pd.Series(dtype=str)
    return bool(notes.fillna("").astype(str).str.contains("synthetisch", case=False).any())


# --------------------------------------------------------------------------- schema
@lru_cache(maxsize=1)
def schema() -> dict:
    """The documented schema (``impactlib/data/local_schema.yaml``)."""
    text = resources.files("impactlib").joinpath("data/local_schema.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def example_path() -> Path:
    """The shipped example with the structure of the Kennemerland set (synthetic values)."""
    return Path(str(resources.files("impactlib").joinpath("data/voorbeeld_lokale_indicatoren_kennemerland.csv")))


def _required() -> list[str]:
    return list(schema()["columns"])


def _choice(column: str, text: str) -> str | None:
    word = re.sub(r"\s+", " ", str(text).strip().lower())
    word = schema().get("aliases", {}).get(column, {}).get(word, word)
    return word if word in schema()["columns"][column]["choices"] else None


# --------------------------------------------------------------------------- reading
def load_local(source: str | Path | pd.DataFrame, *, threshold: int = THRESHOLD) -> LocalIndicators:
    """Read, validate and suppress a local file; raise :class:`LocalFileError` if it is wrong.

    ``source`` is a ``.csv``/``.xlsx`` path or a DataFrame with the schema's columns (its rows
    are numbered as if the header were row 1). Counts below ``threshold`` are suppressed at once.
    """
    if isinstance(source, pd.DataFrame):
        raw, info = _frame_rows(source), {"path": "(tabel)", "file_format": "tabel"}
    else:
        raw, info = _read_file(Path(source))
    frame, errors, ignored = _parse(raw)
    if errors:
        raise LocalFileError(errors)
    return LocalIndicators(suppress_small(frame, threshold), threshold=threshold, ignored_columns=ignored, **info)


def validate(source: str | Path | pd.DataFrame) -> list[str]:
    """Every problem of a local file, one Dutch line each (an empty list: the file is fine)."""
    try:
        raw = _frame_rows(source) if isinstance(source, pd.DataFrame) else _read_file(Path(source))[0]
    except LocalFileError as exc:
        return exc.errors
    return _parse(raw)[1]


def _frame_rows(frame: pd.DataFrame) -> list[tuple[int, list]]:
    header = (1, [str(c) for c in frame.columns])
    return [header] + [(i + 2, list(row)) for i, row in enumerate(frame.itertuples(index=False))]


def _read_file(path: Path) -> tuple[list[tuple[int, list]], dict]:
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
        raise bad if text.strip() else LocalFileError([f"{path.name} is leeg; verwacht een kopregel met {', '.join(_required())}."])
    return text.lstrip("\ufeff"), encoding


def _separator(text: str) -> str:
    """The separator that turns the first line into the most known column names."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    known = set(_required()) | set(schema().get("optional_columns", {}))

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


# --------------------------------------------------------------------------- validating
def _text(cell) -> str:
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip()


def _number(cell) -> float:
    """A cell as a number: Excel numbers as they are, text with a decimal comma or point.

    Both separators present: the last one is the decimal mark ("1.234,5" and "1,234.5");
    one kind only: a single mark is decimal ("12,5", "12.5"), repeated marks group thousands.
    Raises ``ValueError`` for anything else.
    """
    if isinstance(cell, (int, float, np.number)) and not isinstance(cell, bool):
        return float(cell)
    text = re.sub(r"[\s\u00a0%]", "", str(cell))
    if "," in text and "." in text:
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "")
    for mark in (",", "."):
        if text.count(mark) > 1:  # only as thousands grouping: 1.234.567
            if not re.fullmatch(rf"[+-]?\d{{1,3}}(\{mark}\d{{3}})+", text):
                raise ValueError(cell)
            text = text.replace(mark, "")
    if not re.fullmatch(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)", text):
        raise ValueError(cell)
    return float(text.replace(",", "."))


def _parse(rows: list[tuple[int, list]]) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Check every row; return the tidy frame, the error lines and the ignored columns."""
    rows = [(n, cells) for n, cells in rows if any(_text(c) for c in cells)]
    if not rows:
        return _empty(), [f"Het bestand is leeg; verwacht een kopregel met {', '.join(_required())}."], []
    head_row, header = rows[0]
    names = [_text(c).lower() for c in header]
    missing = [c for c in _required() if c not in names]
    if len(missing) == len(_required()) and sum(c in " ".join(names) for c in _required()) > 1:
        return _empty(), [  # every column name is there, but in one cell: another separator
            f"Rij {head_row}: de kolommen zijn niet gescheiden door ';', ',' of een tab (gevonden: "
            f"{' '.join(n for n in names if n)[:120]}); sla het bestand op als CSV met ';' als scheidingsteken."
        ], []
    if missing:
        found = ", ".join(n for n in names if n) or "niets"
        return _empty(), [
            f"Rij {head_row}: kolom{'men' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)} "
            f"{'ontbreken' if len(missing) > 1 else 'ontbreekt'}; verwacht {', '.join(_required())} (gevonden: {found[:120]})."
        ], []
    doubles = sorted({n for n in names if n and names.count(n) > 1})
    if doubles:
        return _empty(), [f"Rij {head_row}: kolom {doubles[0]!r} staat er meer dan eens in; houd één kolom per naam."], []
    index = {n: i for i, n in enumerate(names) if n}
    ignored = [n for n in index if n not in _required() and n not in schema().get("optional_columns", {})]
    errors, out, seen = [], [], {}
    for n, cells in rows[1:]:
        extra = [c for c in cells[len(names):] if _text(c)]
        if extra:
            errors.append(f"Rij {n}: {len(names) + len(extra)} of meer velden, maar {len(names)} kolommen in de kopregel; "
                          f"staat er een komma in een getal? Zet het getal tussen aanhalingstekens of gebruik ';'.")
            continue
        record, row_errors = _row(n, {k: (cells[i] if i < len(cells) else None) for k, i in index.items()})
        errors += row_errors
        if row_errors:
            continue
        key = (record["indicator"], record["niveau"], record["gebied"].lower(), record["periode"])
        if key in seen:
            errors.append(f"Rij {n}: dezelfde indicator, hetzelfde gebied en dezelfde periode als rij {seen[key]}; "
                          f"houd één rij per indicator, gebied en periode.")
            continue
        seen[key] = n
        out.append(record)
    frame = pd.DataFrame(out, columns=COLUMNS) if out else _empty()
    if not out and not errors:
        errors.append(f"Rij {head_row}: er staan geen cijfers onder de kopregel.")
    return frame, errors, ignored


def _row(n: int, cell: dict) -> tuple[dict, list[str]]:
    errs = []

    def err(col, text):
        errs.append(f"Rij {n}, kolom '{col}': {text}")

    text = {k: _text(v) for k, v in cell.items()}
    for col, what in _MUST_FILL.items():
        if not text[col]:
            err(col, f"is leeg; vul {what} in.")
    level = _choice("niveau", text["niveau"])
    if level is None:
        err("niveau", f"'{text['niveau'][:40]}' is geen niveau; kies uit {', '.join(schema()['columns']['niveau']['choices'])}.")
    unit = _choice("eenheid", text["eenheid"])
    if unit is None:
        err("eenheid", f"'{text['eenheid'][:40]}' is geen eenheid; kies uit {', '.join(schema()['columns']['eenheid']['choices'])}.")
    period = None
    try:
        period = parse_period(text["periode"])
    except PeriodError:
        err("periode", f"'{text['periode'][:40]}' is geen periode; gebruik bijv. 2021HJ01, 2021H1 of 2021.")
    value, suppressed = np.nan, False
    raw = text["waarde"]
    if _SUPPRESSED.match(raw):
        suppressed = True  # already hidden by the supplier, e.g. "<5"
    elif raw.lower() not in _UNKNOWN:
        try:
            value = _number(cell["waarde"])
        except ValueError:
            err("waarde", f"'{raw[:40]}' is geen getal; schrijf bijv. 12 of 12,5 (leeg = onbekend).")
    if not np.isnan(value) and unit:
        problem = _unit_problem(value, unit)
        if problem:
            err("waarde", f"'{raw[:40]}' {problem}")
    record = {
        "bron": text["bron"], "indicator": text["indicator"], "omschrijving": text["omschrijving"], "categorie": "",
        "niveau": level, "gebied": text["gebied"], "periode": period.key if period else "",
        "periodetitel": period.title if period else "", "waarde": value, "eenheid": unit,
        "weergave": f"<{_SUPPRESSED.match(raw).group(1)}" if suppressed else _display(value, unit),
        "onderdrukt": suppressed, "opmerking": text.get("opmerking", ""),
    }
    return record, errs


def _unit_problem(value: float, unit: str) -> str | None:
    if unit == "aantal" and (value < 0 or not float(value).is_integer()):
        return "is geen geheel aantal; schrijf een aantal zonder decimalen en zonder punt (1234, niet 1.234)."
    if unit == "percentage" and not 0 <= value <= 100:
        return "ligt niet tussen 0 en 100; schrijf een percentage als 12,5 (niet 0,125)."
    if unit != "gemiddelde" and value < 0:
        return "is negatief; dat kan niet bij deze eenheid."
    return None


def _display(value: float, unit: str | None) -> str:
    """Dutch text for one local figure, e.g. ``'12,5 %'``, ``'1.234'``, ``'8,0 werkdagen'``."""
    if value is None or np.isnan(value):
        return "onbekend"
    if unit == "aantal":
        return format_count(value)
    if unit == "percentage":
        return format_percent(value)
    suffix = {"per_10k": " per 10.000 inwoners", "per_1000": " per 1.000 inwoners"}.get(unit, f" {unit}")
    return format_number(value, 1) + ("" if unit == "gemiddelde" else suffix)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=COLUMNS)


# --------------------------------------------------------------------------- privacy
def suppress_small(frame: pd.DataFrame | LocalIndicators, threshold: int = THRESHOLD, *,
                   monitor_rows=None) -> pd.DataFrame:
    """Hide local counts below ``threshold``: ``waarde`` NaN, ``onderdrukt`` True, ``weergave`` '<5'.

    Applies to every row with eenheid ``aantal`` except the ``monitor_rows`` (a boolean mask
    the caller passes for rows it took from the monitor itself; CBS publishes its own counts,
    rounded to 5). What a row's ``bron`` says — even "CBS Impactmonitor" — never exempts a
    count: that column is written by the user. Idempotent; returns a copy.
    """
    frame = (frame.frame if isinstance(frame, LocalIndicators) else frame).copy()
    spared = pd.Series(False if monitor_rows is None else list(monitor_rows), index=frame.index, dtype=bool)
    small = (
        frame["eenheid"].eq("aantal")
        & frame["waarde"].notna()
        & (frame["waarde"] < threshold)
        & ~spared
    )
    frame.loc[small, "waarde"] = np.nan
    frame.loc[small, "onderdrukt"] = True
    frame.loc[small, "weergave"] = f"<{threshold}"
    frame["onderdrukt"] = frame["onderdrukt"].astype(bool)
    return frame


# --------------------------------------------------------------------------- beside the monitor
def _local_frame(local: pd.DataFrame | LocalIndicators, threshold: int) -> pd.DataFrame:
    frame = suppress_small(local, threshold)
    return frame[COLUMNS]


def _overlaps(local_key: str, period: Period) -> bool:
    """Same period, or the same calendar year where one of the two is a whole year."""
    p = parse_period(local_key)
    return p.year == period.year and (p.half == period.half or 0 in (p.half, period.half))


def beside_monitor(
    local: pd.DataFrame | LocalIndicators,
    region,
    period=None,
    *,
    indicators: list[str] | tuple[str, ...] | None = None,
    level: str | None = None,
    threshold: int = THRESHOLD,
    source: str | None = None,
) -> pd.DataFrame:
    """Local figures and the monitor's figures for ``region`` side by side, one row each.

    Local rows of ``period`` (or of the calendar year it falls in; a yearly local figure keeps
    its own period label) get ``bron`` ``'lokaal: <bron>'``; the monitor's ``indicators``
    (default :data:`DEFAULT_MONITOR_INDICATORS`) for the region get ``'CBS Impactmonitor'``.
    Rows are only stacked, never added up or merged. ``frame.attrs`` holds ``warning``
    (:data:`DEFINITION_WARNING`), ``monitor_source`` (provenance) and ``synthetic``.
    ``period`` defaults to the newest half year of the monitor.
    """
    reg = _regions.resolve(region, level).region
    wanted = parse_period(period) if period is not None else query.latest_period(source=source)
    loc = _local_frame(local, threshold)
    loc = loc[[_overlaps(k, wanted) for k in loc["periode"]]].copy()
    loc["bron"] = "lokaal: " + loc["bron"]
    monitor, prov = _monitor_rows(reg, wanted, indicators or DEFAULT_MONITOR_INDICATORS, source)
    parts = [part for part in (monitor, loc) if len(part)]  # stacked, never combined
    frame = pd.concat(parts, ignore_index=True)[COLUMNS] if parts else _empty()
    frame["onderdrukt"] = frame["onderdrukt"].astype(bool)
    frame.attrs.update(
        warning=DEFINITION_WARNING,
        monitor_source=prov,
        region=reg,
        period=wanted,
        synthetic={"monitor": bool(prov.get("synthetic")), "lokaal": _is_synthetic(local)},
    )
    return frame


def _monitor_rows(reg, period: Period, indicators, source) -> tuple[pd.DataFrame, dict]:
    halves = [period] if period.is_half_year else [Period(period.year, 1), Period(period.year, 2)]
    parts, provs = [], []
    for ind in indicators:
        spec = get_indicator_spec(ind, require_open=True)
        for half in halves:
            try:
                df = query.get_indicator(spec.id, reg, half.key, source=source)
            except NotAvailableError:
                continue
            provs.append(query.provenance(df))
            unit = _UNITS_FROM_MONITOR[spec.unit]
            shown = df["value"].map(lambda v: round_half_up(v, 1) if pd.notna(v) else np.nan)
            parts.append(pd.DataFrame({
                "bron": MONITOR_SOURCE, "indicator": spec.id, "omschrijving": spec.name, "categorie": df["category"],
                "niveau": reg.level, "gebied": reg.name, "periode": df["period"], "periodetitel": df["period_title"],
                "waarde": shown.astype(float), "eenheid": unit,
                "weergave": [_display(v, unit) for v in shown], "onderdrukt": False,
                "opmerking": query.source_label(query.provenance(df)),
            }))
    frame = pd.concat(parts, ignore_index=True) if parts else _empty()
    prov = dict(provs[0]) if provs else {}
    if provs:  # one label for all monitor rows: every table used, synthetic if any part is
        prov["tables"] = list(dict.fromkeys(t for p in provs for t in p.get("tables", [])))
        prov["synthetic"] = any(p.get("synthetic") for p in provs)
    return frame, prov


# --------------------------------------------------------------------------- markdown
def _cell(text) -> str:
    """Text written in a local file, as literal Markdown (no HTML, no links)."""
    return escape_markdown(text)


def local_markdown(
    local: pd.DataFrame | LocalIndicators,
    region=None,
    period=None,
    *,
    indicators=None,
    level: str | None = None,
    threshold: int = THRESHOLD,
    source: str | None = None,
) -> str:
    """A Markdown section for notebooks and reports.

    With ``region``: the local figures beside the monitor's (:func:`beside_monitor`) and the
    warning about definitions. Without: the local figures alone (``period`` filters them).
    Suppressed counts show as ``<5``; synthetic figures are labelled at the top.
    """
    prov: dict = {}
    lines = ["### Lokale cijfers" + (" naast de Impactmonitor" if region is not None else ""), ""]
    if _is_synthetic(local):
        lines += ["**LET OP: het lokale bestand bevat synthetische voorbeeldcijfers (verzonnen om te oefenen).**", ""]
    if region is not None:
        table = beside_monitor(local, region, period, indicators=indicators, level=level, threshold=threshold, source=source)
        prov = table.attrs["monitor_source"]
        if prov.get("synthetic"):
            lines += ["**LET OP: de cijfers van de Impactmonitor hier zijn OEFENDATA (synthetisch).**", ""]
        lines += [f"> {DEFINITION_WARNING}", ""]
    else:
        table = _local_frame(local, threshold)
        if period is not None:
            table = table[[_overlaps(k, parse_period(period)) for k in table["periode"]]]
        table = table.assign(bron="lokaal: " + table["bron"])
    lines += ["| Bron | Indicator | Gebied | Periode | Waarde |", "|---|---|---|---|---|"]
    for r in table.itertuples(index=False):
        name = r.omschrijving + (f" ({r.categorie})" if r.categorie else "")
        lines.append(f"| {_cell(r.bron)} | {_cell(name)} | {_cell(r.gebied)} | {_cell(r.periodetitel)} | {r.weergave} |")
    if table.empty:
        lines.append("| – | geen cijfers voor deze periode | | | |")
    notes = [f"Aantallen onder {threshold} staan er als '<{threshold}' (privacy: denk in totalen)."]
    if prov:
        notes.append(query.source_label(prov) + ".")
    lines += ["", " ".join(notes)]
    return "\n".join(lines) + "\n"
