"""All open-data figures of one region in one file (recommendation 3.1 of the monitor).

>>> from impactlib.export import region_table, write_export
>>> table = region_table("Zaanstreek-Waterland")                       # doctest: +SKIP
>>> write_export(table, "outputs/export/zaanstreek-waterland.xlsx")     # doctest: +SKIP

:func:`region_table` returns one row per indicator, category and period with Dutch column
names (:data:`COLUMNS`): the region's value, the CBS counts behind it, Nederland in the same
period and, for a Veilig Thuis-regio, its rank among the 26 VT-regio's (1 = highest value;
equal values share the lowest rank number). Unknown figures stay empty, never 0.

:func:`write_export` writes an Excel workbook (sheets ``samenvatting`` — one row per
indicator for the chosen or newest period with Nederland, rank, verdict and margin —,
``cijfers`` with an autofilter and a frozen header, ``bronnen``, ``toelichting``; the oefendata
label stands above the data on every sheet) or a CSV pair (``<naam>.csv`` and ``<naam>_bronnen.csv``; ``;`` as separator
and a decimal comma, as Dutch Excel expects). Files appear whole or not at all: everything is
written to temporary files in the target folder first and moved into place with
:func:`os.replace`. Oefendata are flagged at the top of the sources, plainly.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from . import query
from . import regions as _regions
from .catalogue import get_indicator_spec, open_data_indicators, table_specs
from .errors import DataFault, NotAvailableError, ParameterError
from .formatting import round_half_up
from .regions import Region
from .safety import file_mode, neutralise_cell, neutralise_frame, replace_together
from .wording import OEFENDATA_EXPORT

__all__ = [
    "COLUMNS",
    "EXPORT_NAMES",
    "FORMATS",
    "OEFENDATA_NOTE",
    "region_table",
    "summary_table",
    "SUMMARY_COLUMNS",
    "sources_table",
    "header_lines",
    "explanation",
    "default_path",
    "target_paths",
    "write_export",
    "write_table",
    "atomic_files",
]

#: The export edge, the one place English column names meet the Dutch headers a reader sees:
#: every column of :func:`region_table`, in order (the frame's name → the file's name).
EXPORT_NAMES = {
    "indicator": "indicator", "name": "naam", "category": "categorie", "period": "periode",
    "period_title": "periodetitel", "provisional": "voorlopig", "value": "waarde", "real": "echt_cbs",
    "unit": "eenheid", "numerator": "teller", "denominator": "noemer", "national": "nederland",
    "national_real": "nederland_echt_cbs", "rank": "rang", "n_regions": "aantal_regios", "source": "bron",
}
COLUMNS = list(EXPORT_NAMES.values())
YES_NO = {True: "ja", False: "nee"}
FORMATS = ("xlsx", "csv")
UNIT_LABELS = {"percent": "procent", "per_10k": "per 10.000 inwoners", "count": "aantal"}
PROVISIONAL_LABELS = {"": "nee", "*": "ja", "**": "ja (nader voorlopig)"}
LICENCE = "CBS, CC BY 4.0: vrij te gebruiken met bronvermelding 'CBS'"
OEFENDATA_NOTE = OEFENDATA_EXPORT  # the first line of an oefendata export (see wording.py)
SOURCE_COLUMNS = ["indicator", "naam", "bron", "cbs_tabellen", "licentie", "opmerking"]
#: Dutch headers of the summary sheet (the region's own name replaces "Regio").
SUMMARY_COLUMNS = ["Indicator", "Categorie", "Periode", "Regio", "Nederland", "Eenheid", "Rang (1 = hoogste)",
                   "Oordeel t.o.v. Nederland", "Marge (95 %)", "Bron"]


# --------------------------------------------------------------------------- the table
def region_table(region: str | Region, *, level: str | None = None, source: str | None = None) -> pd.DataFrame:
    """Every open-data indicator for one region, all half years, beside Nederland.

    ``frame.attrs`` holds ``region`` (the :class:`Region`), ``note`` (how an ambiguous name
    was read), ``synthetic``, ``source`` (one provenance per indicator id) and ``missing``
    (indicator id → Dutch reason, for indicators the source has no figures for here).
    """
    resolution = _regions.resolve(region, level)
    reg = resolution.region
    parts, provenances, missing = [], {}, {}
    for spec in open_data_indicators():
        try:
            if reg.level == "vt":
                frame = _with_rank(query.indicator_values(spec.id, "vt", None, source=source), reg)
            else:
                frame = query.get_indicator(spec.id, reg, None, source=source).assign(rank=np.nan, n_regions=np.nan)
        except NotAvailableError as exc:
            missing[spec.id] = str(exc)
            continue
        provenances[spec.id] = query.provenance(frame)
        parts.append(_as_shown(frame, spec.name))
    if not parts:
        raise NotAvailableError(f"Geen enkele indicator heeft cijfers voor {reg.name}; kies een andere regio of bron.")
    table = pd.concat(parts, ignore_index=True)[list(EXPORT_NAMES)].rename(columns=EXPORT_NAMES)
    table.attrs.update(
        region=reg,
        note=resolution.note,
        source=provenances,
        missing=missing,
        synthetic=any(p.get("synthetic") for p in provenances.values()),
    )
    return table


def _display(values: pd.Series) -> pd.Series:
    """Round to one decimal the way every other output does (55,6 %, never 55,5 %)."""
    return values.map(lambda v: round_half_up(v, 1) if pd.notna(v) else np.nan).astype(float)


def _with_rank(frame: pd.DataFrame, region: Region) -> pd.DataFrame:
    """The region's rows with its place among every VT-regio per period and category
    (:func:`impactlib.compare.ranking.rank_within`, on the shown value): ``rank``, ``n_regions``."""
    from .compare.ranking import rank_within

    ranked = rank_within(frame)
    frame = frame.assign(rank=ranked["rank"].astype(float), n_regions=ranked["n_regions"].astype(float))
    return frame[frame["region_key"] == region.key]


def _as_shown(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """The frame as the file shows it (English names still): rounded values, whole counts, Dutch labels."""
    whole = lambda s: s.round().astype("Int64")  # noqa: E731 - counts and ranks are whole numbers
    return pd.DataFrame(
        {
            "indicator": frame["indicator"],
            "name": name,
            "category": frame["category"],
            "period": frame["period"],
            "period_title": frame["period_title"],
            "provisional": frame["provisional"].map(PROVISIONAL_LABELS),
            "value": _display(frame["value"]),
            "real": frame["real"].astype(bool).map(YES_NO),
            "unit": frame["unit"].map(UNIT_LABELS),
            "numerator": whole(frame["numerator"]),
            "denominator": whole(frame["denominator"]),
            "national": _display(frame["national"]),
            "national_real": frame["national_real"].astype(bool).map(YES_NO),
            "rank": whole(frame["rank"]),
            "n_regions": whole(frame["n_regions"]),
            "source": frame["source"],
        }
    )


def sources_table(table: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator: name, source, CBS tables with titles, licence, catalogue note."""
    titles = table_specs()
    rows = []
    for ind in dict.fromkeys([*table["indicator"], *table.attrs.get("missing", {})]):
        spec = get_indicator_spec(ind)
        real = query.cited_tables(spec.tables)
        tables = "; ".join(f"{t} ({titles[t]['title']})" if t in titles else t for t in real)
        unnamed = "" if len(real) == len(spec.tables) else (
            "Het CBS-tabelnummer van (een deel van) dit cijfer is nog niet vastgesteld; het staat daarom niet als tabel vermeld.")
        remark = " ".join(filter(None, [spec.note, unnamed, table.attrs.get("missing", {}).get(ind)]))
        rows.append([ind, spec.name, spec.source_name, tables, LICENCE, remark])
    return pd.DataFrame(rows, columns=SOURCE_COLUMNS)


def summary_table(table: pd.DataFrame, period: str | None = None) -> pd.DataFrame:
    """One row per indicator (and category) for ``period`` (default: the newest in ``table``).

    Columns :data:`SUMMARY_COLUMNS` with the region's name for "Regio": the value, Nederland,
    the rank among the Veilig Thuis-regio's, the noise-aware verdict and its 95 % margin.
    """
    from .compare.verdicts import compare_values
    from .formatting import format_number

    reg: Region = table.attrs["region"]
    english = table.rename(columns={v: k for k, v in EXPORT_NAMES.items()})  # back from the export edge
    halves = sorted(p for p in english["period"].unique() if "HJ" in str(p))
    key = period or (halves[-1] if halves else sorted(english["period"].unique())[-1])
    part = english[english["period"] == key]
    if part.empty:
        raise NotAvailableError(f"Periode {key} zit niet in de export van {reg.name}; kies uit {', '.join(halves)}.")
    rows = []
    units = {v: k for k, v in UNIT_LABELS.items()}
    for r in part.itertuples(index=False):
        unit = units.get(r.unit, "percent")
        verdict, margin = "", ""
        if unit != "count" and pd.notna(r.value) and pd.notna(r.national) and not reg.is_national:
            v = compare_values(float(r.value), float(r.national), unit=unit,
                               numerator=None if pd.isna(r.numerator) else float(r.numerator),
                               denominator=None if pd.isna(r.denominator) else float(r.denominator))
            verdict = v.verdict
            if v.low == v.low and v.high == v.high:
                margin = f"{format_number(v.low, 1)} tot {format_number(v.high, 1)}"
        rank = "" if pd.isna(r.rank) else f"{int(r.rank)} van {int(r.n_regions)}"
        rows.append([r.name, r.category or "", r.period_title, r.value, r.national, r.unit, rank, verdict, margin,
                     r.source])
    columns = [reg.name if c == "Regio" else c for c in SUMMARY_COLUMNS]
    out = pd.DataFrame(rows, columns=columns)
    out.attrs["period"] = key
    return out


def header_lines(table: pd.DataFrame) -> list[str]:
    """What a reader must see first: the oefendata warning (if any) and what the file holds."""
    reg: Region = table.attrs["region"]
    kinds = sorted({p.get("kind", "") for p in table.attrs.get("source", {}).values()} - {""})
    lines = [OEFENDATA_NOTE] if table.attrs.get("synthetic") else []
    lines.append(
        f"Impactmonitor huiselijk geweld en kindermishandeling: alle open-data-indicatoren voor "
        f"{reg.name} ({reg.level_label}); gemaakt op {date.today():%d-%m-%Y}; databron: {', '.join(kinds) or 'onbekend'}."
    )
    return lines


def explanation(table: pd.DataFrame, fmt: str = "xlsx") -> list[str]:
    """How to read the figures, one Dutch line each (sheet ``toelichting``)."""
    reg: Region = table.attrs["region"]
    lines = [
        f"Elke rij is één indicator, categorie en periode voor {reg.name}; de kolommen zijn hieronder uitgelegd.",
        "waarde: het cijfer van de regio. 'procent' is een aandeel van het totaal in dezelfde regio en periode; "
        "'per 10.000 inwoners' is het aantal gedeeld door de bevolking op 1 januari van dat jaar, maal 10.000. "
        "Percentages en cijfers per 10.000 inwoners zijn afgerond op één decimaal.",
        "teller en noemer: de CBS-aantallen achter een aandeel of cijfer per 10.000 inwoners. CBS rondt aantallen af "
        "op veelvouden van 5, dus kleine verschillen kunnen ruis zijn; de bevolking (noemer) is exact.",
        "Lege cel: onbekend (bij CBS '.'), bijvoorbeeld geheim wegens kleine aantallen of niet te berekenen. "
        "Een lege cel is nooit 0.",
        "voorlopig: 'ja' is een voorlopig cijfer (bij CBS '*'), 'ja (nader voorlopig)' is '**'; CBS kan deze "
        "cijfers nog bijstellen.",
        "nederland: hetzelfde cijfer voor heel Nederland in dezelfde periode (en categorie).",
        "echt_cbs en nederland_echt_cbs: 'ja' is een door CBS gepubliceerd cijfer, 'nee' een verzonnen oefencijfer "
        "(alleen in de oefendata; cijfers van CBS zelf zijn altijd 'ja').",
        "rang en aantal_regios: de plaats van de regio onder de Veilig Thuis-regio's van die periode met een bekend cijfer "
        "(1 = hoogste waarde; gelijke waarden delen het laagste rangnummer). Alleen bij Veilig Thuis-regio's. "
        "Een hoge of lage rang is op zich niet goed of slecht: lees het cijfer met de context van de regio.",
        "bron: de CBS-tabellen waaruit het cijfer berekend is (licentie CC BY 4.0, vermeld 'CBS' als bron).",
    ]
    if fmt == "xlsx":
        lines += [
            "Blad samenvatting: één rij per indicator (en categorie) voor één halfjaar (standaard het nieuwste; kies "
            "een ander met --period), met Nederland, de rang, het oordeel en de marge.",
            "Oordeel t.o.v. Nederland: vergelijkbaar, iets of duidelijk hoger of lager; het houdt rekening met toeval en "
            "met de afronding van CBS op vijftallen. Marge (95 %): de waarden waarbinnen het cijfer van de regio door "
            "toeval en afronding had kunnen liggen; valt Nederland daarbinnen, dan heet het verschil vergelijkbaar.",
        ]
    if fmt == "csv":
        lines.append("CSV: scheidingsteken ';' en decimale komma, zoals Nederlandse Excel verwacht (UTF-8).")
    return lines


# --------------------------------------------------------------------------- paths
def default_path(region: Region, fmt: str = "xlsx", folder: str | Path = "outputs/export") -> Path:
    """``outputs/export/<region-slug>.<fmt>``."""
    return Path(folder) / f"{region.slug}.{fmt}"


def target_paths(path: str | Path, fmt: str | None = None) -> tuple[str, list[Path]]:
    """Check the output path and return the format and the file(s) it will produce.

    The format follows ``fmt`` or the file extension; a folder, a clash between both or an
    unknown extension is the user's mistake (:class:`ParameterError`).
    """
    path = Path(path).expanduser()
    ext = path.suffix.lower().lstrip(".")
    if path.is_dir():
        raise ParameterError(f"--out {path} is een map; geef een bestandsnaam, bijvoorbeeld {path / 'regio.xlsx'}.")
    if fmt is None:
        if ext not in FORMATS:
            raise ParameterError(f"Bestand {path.name} heeft geen bekende extensie; gebruik .xlsx of .csv (of --format).")
        fmt = ext
    if fmt not in FORMATS:
        raise ParameterError(f"Formaat '{fmt}' bestaat niet; kies xlsx of csv.")
    if ext != fmt:
        raise ParameterError(f"--out {path.name} past niet bij --format {fmt}; gebruik een naam op .{fmt}.")
    if fmt == "csv":
        return fmt, [path, path.with_name(f"{path.stem}_bronnen.csv")]
    return fmt, [path]


# --------------------------------------------------------------------------- writing
def write_export(table: pd.DataFrame, path: str | Path, fmt: str | None = None, *, period: str | None = None) -> list[Path]:
    """Write ``table`` (from :func:`region_table`) as xlsx or csv; return the files written.

    ``period``: the half year of the xlsx summary sheet (default: the newest).
    """
    fmt, paths = target_paths(path, fmt)
    if fmt == "xlsx":
        summary = summary_table(table, period)  # a wrong period fails before anything is written
        table = table.copy(deep=False)
        table.attrs = {**table.attrs, "summary_period": summary.attrs["period"]}
        writers = [lambda tmp: _write_xlsx(table, tmp)]
    else:
        writers = [lambda tmp: _write_csv(table, tmp), lambda tmp: _write_sources_csv(table, tmp)]
    atomic_files(dict(zip(paths, writers)))
    return paths


def write_table(frame: pd.DataFrame, path: str | Path, notes: list[str], fmt: str | None = None) -> list[Path]:
    """Any tidy table with its notes: xlsx sheets ``cijfers`` and ``toelichting``, or a CSV
    plus ``<naam>_toelichting.csv``. Empty cells stay empty; writing is atomic."""
    fmt, paths = target_paths(path, fmt)
    notes_frame = pd.DataFrame({"toelichting": notes})
    if fmt == "xlsx":
        def fill(xl):
            neutralise_frame(frame).to_excel(xl, sheet_name="cijfers", index=False)
            neutralise_frame(notes_frame).to_excel(xl, sheet_name="toelichting", index=False)
        atomic_files({paths[0]: lambda tmp: _save_xlsx(tmp, fill)})
        return paths[:1]
    paths = [paths[0], paths[0].with_name(f"{paths[0].stem}_toelichting.csv")]
    atomic_files({
        paths[0]: lambda tmp: _write_csv(frame, tmp),
        paths[1]: lambda tmp: _write_csv(notes_frame, tmp),
    })
    return paths


def atomic_files(writers: dict[Path, Callable[[Path], None]]) -> None:
    """Run each writer on a temporary file beside its target, then move all into place.

    Nothing reaches a target unless every writer succeeded; temporary files never remain.
    A disk problem becomes a :class:`DataFault` (exit code 1) with one Dutch line.
    """
    temps: dict[Path, Path] = {}
    try:
        for target, write in writers.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}")
            os.close(fd)
            temps[target] = Path(tmp)
            os.chmod(tmp, file_mode())  # the user's umask, not mkstemp's 0600
            write(temps[target])
        replace_together({target: tmp for target, tmp in temps.items()})  # both files of a pair, or neither
    except OSError as exc:
        where = next(iter(writers)).parent
        raise DataFault(
            f"Kan niet schrijven in {where} ({exc.strerror or exc}); kies met --out een map waarin u mag schrijven."
        ) from None
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)


def _save_xlsx(tmp: Path, fill: Callable) -> None:
    """Build a workbook in memory with ``fill(excel_writer)``, then write it in one go.

    A full disk then fails in one plain write that :func:`atomic_files` reports, never inside
    the zip library (whose half-open archive would complain again, with a traceback, when
    Python collects it).
    """
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        fill(xl)
    tmp.write_bytes(buf.getvalue())


def _write_xlsx(table: pd.DataFrame, tmp: Path) -> None:
    _save_xlsx(tmp, lambda xl: _fill_xlsx(table, xl))


def _label_rows(sheet, lines: list[str]) -> None:
    from openpyxl.styles import Font

    for i, line in enumerate(lines, start=1):
        sheet.cell(row=i, column=1, value=line).font = Font(bold=True, color="C00000" if "OEFENDATA" in line else None)


def _fill_xlsx(table: pd.DataFrame, xl, summary: pd.DataFrame | None = None) -> None:
    """Sheets in the order a reader needs them: summary, long table, sources, explanation.

    Every sheet starts with the oefendata label (if any) and what the file holds; the data
    follow below an empty row, with a frozen header and (summary, long table) an autofilter.
    """
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sources = neutralise_frame(sources_table(table))
    head = [neutralise_cell(line) for line in header_lines(table)]
    summary = summary_table(table, table.attrs.get("summary_period")) if summary is None else summary
    reg: Region = table.attrs["region"]
    when = summary["Periode"].iloc[0] if len(summary) else ""
    summary_head = head + [f"Samenvatting voor {reg.name}, {when}: elk cijfer naast Nederland, met rang, oordeel "
                           "en marge (zie het blad toelichting). Alle halfjaren staan op het blad cijfers."]
    starts = {"samenvatting": len(summary_head) + 1, "cijfers": len(head) + 1, "bronnen": len(head) + 1,
              "toelichting": len(head) + 1}
    neutralise_frame(summary).to_excel(xl, sheet_name="samenvatting", index=False, startrow=starts["samenvatting"])
    neutralise_frame(table).to_excel(xl, sheet_name="cijfers", index=False, startrow=starts["cijfers"])
    sources.to_excel(xl, sheet_name="bronnen", index=False, startrow=starts["bronnen"])
    pd.DataFrame({"toelichting": explanation(table, "xlsx")}).to_excel(
        xl, sheet_name="toelichting", index=False, startrow=starts["toelichting"])
    book = xl.book
    for name in starts:
        lines = summary_head if name == "samenvatting" else head
        for i, line in enumerate(lines, start=1):
            book[name].cell(row=i, column=1, value=line).font = Font(bold=True, color="C00000" if "OEFENDATA" in line else None)
        header_row = starts[name] + 1
        book[name].freeze_panes = f"A{header_row + 1}"
    for name, data in (("samenvatting", summary), ("cijfers", table)):
        header_row = starts[name] + 1
        book[name].auto_filter.ref = f"A{header_row}:{get_column_letter(len(data.columns))}{header_row + len(data)}"
    for ws, widths in ((book["samenvatting"], [60, 24, 18, 14, 12, 20, 16, 22, 16, 60]),
                       (book["cijfers"], [34, 50, 30, 10, 18, 10, 10, 20, 10, 10, 11, 7, 13, 60]),
                       (book["bronnen"], [34, 60, 40, 60, 45, 60]), (book["toelichting"], [160])):
        for col, width in zip("ABCDEFGHIJKLMN", widths):
            ws.column_dimensions[col].width = width


def _write_csv(table: pd.DataFrame, tmp: Path) -> None:
    neutralise_frame(table).to_csv(tmp, sep=";", decimal=",", index=False, encoding="utf-8-sig")


def _write_sources_csv(table: pd.DataFrame, tmp: Path) -> None:
    """The sources as a CSV that reads like the xlsx sheet: note first, then the table."""
    buf = io.StringIO()
    out = csv.writer(buf, delimiter=";", lineterminator="\n")
    for line in header_lines(table):
        out.writerow([neutralise_cell(line)])
    out.writerow([])
    out.writerow(SOURCE_COLUMNS)
    out.writerows(neutralise_frame(sources_table(table)).itertuples(index=False))
    out.writerow([])
    out.writerow(["toelichting"])
    for line in explanation(table, "csv"):
        out.writerow([neutralise_cell(line)])
    tmp.write_text(buf.getvalue(), encoding="utf-8-sig")
