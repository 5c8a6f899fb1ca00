"""``impactmonitor compare``: a region against Nederland, its peers and its own past.

    impactmonitor compare meldingen_acuut_structureel_pct --region Zaanstreek-Waterland --period 2021HJ01
    impactmonitor compare meldingen_per_10k --region Drenthe --peers Twente,Zeeland --json
"""

from __future__ import annotations

import sys

from ..formatting import format_number, format_value
from ..query import source_label
from .common import add_data_options, apply_data_options, emit_json, note
from ..wording import OEFENDATA_LINE


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "compare",
        help="vergelijk een regio met Nederland, vergelijkbare regio's en eerdere perioden",
        description="Vergelijk een indicator voor een regio met Nederland (met oog voor toeval en "
        "afronding), met alle Veilig Thuis-regio's (rangorde), met vergelijkbare regio's en met "
        "een jaar eerder; met zinnen en vragen voor stap 6.",
    )
    parser.add_argument("indicator", metavar="INDICATOR", help="indicator-id, zie 'impactmonitor indicators'")
    parser.add_argument("--region", required=True, help="regio, bijvoorbeeld Zaanstreek-Waterland")
    parser.add_argument("--period", default=None, help="periode, bijvoorbeeld 2021HJ01 (standaard: de nieuwste)")
    parser.add_argument(
        "--peers", default="auto",
        help="'auto' (standaard: de 5 meest vergelijkbare VT-regio's) of een lijst als 'Twente,Drenthe'",
    )
    parser.add_argument("--category", default=None, help="categorie van een verdeling, bijvoorbeeld 'Politie'")
    parser.add_argument("--level", default=None, help="niveau van de regio: vt, provincie, landsdeel, gemeente, land")
    add_data_options(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    apply_data_options(args)
    from ..compare.report import build_comparison  # heavy (seaborn): load only when used

    comp = build_comparison(
        args.indicator, args.region, args.period, peers=args.peers, category=args.category, level=args.level,
    )
    note(" ".join(comp.notes))  # every remark in one line
    if args.json:
        emit_json(comp.as_dict())
        return 0
    sys.stdout.write("\n".join(_lines(comp)) + "\n")
    return 0


def _verdict_line(v) -> str:
    if v.verdict == "niet te zeggen":
        return f"niet te zeggen ({v.explanation[:1].lower()}{v.explanation[1:].rstrip('.')})"
    versus = "vergelijkbaar met" if v.verdict == "vergelijkbaar" else f"{v.verdict} dan"
    return f"{versus} landelijk (95 %-marge {format_value(v.low, v.unit)} tot {format_value(v.high, v.unit)})"


def _lines(comp) -> list[str]:
    unit, reg, per = comp.unit, comp.region, comp.period
    category = f" – {comp.category}" if comp.category else ""
    voorlopig = " (voorlopig cijfer)" if per.is_provisional else ""
    out = [
        f"{comp.spec.name}{category}",
        f"{reg.name}, {per.title}",
        "",
        f"Waarde:      {format_value(comp.row['value'], unit)}{voorlopig}",
        f"Nederland:   {format_value(comp.national_row['value'], unit)}",
    ]
    if not reg.is_national:
        out.append(f"Oordeel:     {_verdict_line(comp.verdict)}")
    if comp.rank is not None:
        out.append(f"Rangorde:    {comp.rank.text} (1 = hoogste waarde)")
    if comp.peers is not None and len(comp.peers):
        out.append("Vergelijkbare regio's (afstand op contextkenmerken):")
        for r in comp.peers.itertuples():
            out.append(f"  - {r.region}: {format_value(r.value, unit)} (afstand {format_number(r.distance, 2)})")
        factors = ", ".join(f"{f['label']} ({f['table']}, {f['year']})" for f in comp.peers.attrs.get("factors", []))
        out.append(f"  kenmerken: {factors}")
    if comp.trend is not None:
        t = comp.trend
        change = ("+" if t.change > 0 else "") + format_number(t.change, 0 if unit == "count" else 1)
        national = ("+" if t.national_change > 0 else "") + format_number(t.national_change, 0 if unit == "count" else 1)
        flag = " (voorlopig cijfer)" if t.provisional else ""
        out.append(
            f"Ontwikkeling: {t.from_period.key} → {t.to_period.key}: {change} (landelijk {national}), {t.verdict}{flag}"
        )
    out += ["", *comp.sentences, "", source_label(comp.source)]
    if comp.source.get("synthetic"):
        out.append(OEFENDATA_LINE)
    return out
