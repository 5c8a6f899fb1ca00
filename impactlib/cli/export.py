"""``impactmonitor export``: every open-data figure of one region in one xlsx or csv file."""

from __future__ import annotations

from .. import export
from .. import regions as R
from ..formatting import format_count
from .common import add_data_options, apply_data_options, emit_json, note
from ..wording import OEFENDATA_LINE


def register(sub) -> None:
    p = sub.add_parser("export", help="alle open-data-cijfers van één regio naar Excel of CSV")
    p.add_argument("--region", required=True, help="regio, bijv. 'Zaanstreek-Waterland', 'Drenthe' of 'Assen'")
    p.add_argument("--level", default=None, help="niveau bij namen die vaker voorkomen: vt, provincie, landsdeel, gemeente")
    p.add_argument("--format", choices=export.FORMATS, default=None,
                   help="xlsx (standaard; bladen samenvatting, cijfers, bronnen, toelichting) of csv (met een bestand <naam>_bronnen.csv)")
    p.add_argument("--out", default=None, help="uitvoerbestand (standaard: outputs/export/<regio>.xlsx)")
    p.add_argument("--period", default=None,
                   help="halfjaar van het blad samenvatting in xlsx, bijv. 2021HJ01 (standaard: het nieuwste)")
    add_data_options(p)
    p.set_defaults(func=run)


def run(args) -> int:
    apply_data_options(args)
    resolution = R.resolve(args.region, args.level)
    region = resolution.region
    out = args.out or export.default_path(region, args.format or "xlsx")
    export.target_paths(out, args.format)  # a wrong --out fails before any data is read
    period = None
    if args.period:
        from ..periods import parse_period

        period = parse_period(args.period).key
    table = export.region_table(region, source=args.source)
    files = export.write_export(table, out, args.format, period=period)
    missing = table.attrs["missing"]
    if args.json:
        emit_json({
            "region": region.name, "region_key": region.key, "region_level": region.level,
            "files": [str(f) for f in files], "rows": len(table), "indicators": int(table["indicator"].nunique()),
            "missing": missing, "synthetic": bool(table.attrs["synthetic"]), "note": resolution.note or None,
        })
        return 0
    note(resolution.note)
    if table.attrs["synthetic"]:
        print(OEFENDATA_LINE)
    print(f"{region.name} ({region.level_label}): {format_count(table['indicator'].nunique())} indicatoren, "
          f"{format_count(len(table))} rijen.")
    for f in files:
        print(f"Geschreven: {f}")
    for ind, reason in missing.items():
        note(f"{ind} ontbreekt: {reason}")
    return 0
