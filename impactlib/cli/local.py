"""``impactmonitor local``: check local indicators (instrument 08) and show them beside the monitor.

- ``local check FILE``: validate a CSV/XLSX in the documented schema and summarise it.
- ``local show FILE --region R [--period P]``: local figures beside the monitor's, with the
  warning that they must never be added up; ``--markdown`` or ``--out FILE.xlsx|.csv``.
- ``local example [--out FILE]``: copy the example file (Kennemerland structure, synthetic).
"""

from __future__ import annotations

from pathlib import Path

from .. import export, local, query
from ..errors import ParameterError
from ..formatting import format_count
from .common import add_data_options, add_json, apply_data_options, emit_json, note
from ..wording import LOCAL_EXAMPLE_LINE, MONITOR_OEFENDATA_LINE


def register(sub) -> None:
    p = sub.add_parser("local", help="lokale indicatoren (instrument 08) controleren en naast de monitor zetten")
    actions = p.add_subparsers(dest="local_action", metavar="ACTIE")

    check = actions.add_parser("check", help="controleer een bestand met lokale indicatoren en vat het samen")
    check.add_argument("file", help="CSV- of Excel-bestand (.csv, .xlsx) met lokale indicatoren")
    _threshold(check)
    add_json(check)
    check.set_defaults(func=run_check)

    show = actions.add_parser("show", help="lokale cijfers naast de cijfers van de Impactmonitor")
    show.add_argument("file", help="CSV- of Excel-bestand (.csv, .xlsx) met lokale indicatoren")
    show.add_argument("--region", required=True, help="regio van de monitorcijfers, bijv. 'Kennemerland'")
    show.add_argument("--period", default=None, help="periode, bijv. 2024HJ01 of 2024 (standaard: nieuwste halfjaar)")
    show.add_argument("--level", default=None, help="niveau bij namen die vaker voorkomen: vt, provincie, landsdeel, gemeente")
    show.add_argument("--indicator", action="append", default=None,
                      help="monitorindicator om naast de lokale cijfers te zetten (herhaalbaar)")
    show.add_argument("--markdown", action="store_true", help="schrijf Markdown (voor een notitie of notebook)")
    show.add_argument("--out", default=None, help="schrijf de tabel naar een bestand (.xlsx of .csv)")
    _threshold(show)
    add_data_options(show)
    show.set_defaults(func=run_show)

    example = actions.add_parser("example", help="kopieer het voorbeeldbestand (opbouw Kennemerland, synthetische cijfers)")
    example.add_argument("--out", default=None, help=f"doelbestand (standaard: ./{local.example_path().name})")
    example.set_defaults(func=run_example)
    p.set_defaults(func=lambda args: p.print_help() or 2)


def _threshold(parser) -> None:
    parser.add_argument("--threshold", type=int, default=local.THRESHOLD,
                        help=f"aantallen onder deze drempel worden '<drempel' (standaard {local.THRESHOLD})")


def _load(args) -> local.LocalIndicators:
    if args.threshold < 1:
        raise ParameterError(f"--threshold {args.threshold} kan niet; kies 1 of hoger (standaard {local.THRESHOLD}).")
    try:
        return local.load_local(args.file, threshold=args.threshold)
    except local.LocalFileError as exc:
        if len(exc.errors) > 1:
            shown = exc.errors[: local.MAX_ERRORS]
            for line in shown:
                note(f"  {line}")
            if len(exc.errors) > len(shown):
                note(f"  ... en nog {len(exc.errors) - len(shown)} fouten.")
        raise


def _banner(data: local.LocalIndicators) -> None:
    if data.synthetic:
        print(LOCAL_EXAMPLE_LINE)


def run_check(args) -> int:
    data = _load(args)
    info = data.summary()
    rows = data.frame[["indicator", "omschrijving", "bron", "niveau", "gebied", "periode", "waarde", "eenheid", "weergave", "onderdrukt"]]
    if args.json:
        emit_json({**info, "cijfers": rows.to_dict(orient="records")})
        return 0
    sep = "tab" if info["scheidingsteken"] == "\t" else f"'{info['scheidingsteken']}'"
    how = f"CSV, scheidingsteken {sep}, {info['codering']}" if info["formaat"] == "csv" else "Excel"
    print(f"Lokale indicatoren: {info['bestand']} ({how})")
    _banner(data)
    counts = [(info["rijen"], "rij", "rijen"), (len(info["indicatoren"]), "indicator", "indicatoren"),
              (len(info["bronnen"]), "bron", "bronnen"), (len(info["gebieden"]), "gebied", "gebieden")]
    print("In orde: " + ", ".join(f"{format_count(n)} {one if n == 1 else many}" for n, one, many in counts) + ".")
    print(f"Onbekend: {info['onbekend']}; onderdrukt (aantal onder {data.threshold}, getoond als '<{data.threshold}'): {info['onderdrukt']}.")
    if info["genegeerde_kolommen"]:
        note(f"kolommen genegeerd (niet in het schema): {', '.join(info['genegeerde_kolommen'])}")
    for r in data.frame.itertuples(index=False):
        print(f"  {r.omschrijving[:55]:<55} {r.gebied[:18]:<18} {r.periodetitel:<17} {r.weergave:>14}   {r.bron}")
    return 0


def run_show(args) -> int:
    apply_data_options(args)
    data = _load(args)
    if args.out:
        export.target_paths(args.out)  # a wrong --out fails before any data is read
    table = local.beside_monitor(data, args.region, args.period, indicators=args.indicator, level=args.level,
                                 threshold=args.threshold, source=args.source)
    prov = table.attrs["monitor_source"]
    notes = [local.DEFINITION_WARNING,
             f"Aantallen onder {args.threshold} uit lokale bronnen staan er als '<{args.threshold}' (kolom onderdrukt)."]
    if prov.get("synthetic"):
        notes.insert(0, MONITOR_OEFENDATA_LINE)
    if data.synthetic:
        notes.insert(0, LOCAL_EXAMPLE_LINE)
    label = query.source_label(prov) if prov else ""
    if args.out:
        for f in export.write_table(table, args.out, notes + [label] if label else notes):
            print(f"Geschreven: {f}")
        return 0
    if args.json:
        emit_json({"waarschuwing": local.DEFINITION_WARNING, "toelichting": notes, "bron_monitor": label or None,
                   "cijfers": table.to_dict(orient="records")})
        return 0
    if args.markdown:
        print(local.local_markdown(data, args.region, args.period, indicators=args.indicator, level=args.level,
                                   threshold=args.threshold, source=args.source), end="")
        return 0
    print("\n".join(notes))
    for r in table.itertuples(index=False):
        name = r.omschrijving + (f" ({r.categorie})" if r.categorie else "")
        print(f"  {r.bron[:32]:<32} {name[:55]:<55} {r.gebied[:18]:<18} {r.periodetitel:<17} {r.weergave:>24}")
    if label:
        print(label)
    return 0


def run_example(args) -> int:
    source = local.example_path()
    target = Path(args.out or source.name)
    if target.is_dir() or str(args.out or "").endswith(("/", "\\")):
        target = target / source.name
    if target.suffix.lower() != ".csv":
        raise ParameterError(f"--out {target.name} moet op .csv eindigen (het voorbeeld is een CSV-bestand).")
    export.atomic_files({target: lambda tmp: tmp.write_bytes(source.read_bytes())})
    print(f"Voorbeeld geschreven: {target} (opbouw van de Kennemerland-set; de cijfers zijn SYNTHETISCH).")
    print("Kolommen:")
    for name, col in local.schema()["columns"].items():
        print(f"  {name:<13} {col['description']}")
    print(f"Controleer uw eigen bestand met: impactmonitor local check {target.name}")
    return 0
