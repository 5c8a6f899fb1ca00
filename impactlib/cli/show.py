"""``impactmonitor show``: one indicator for one region and period, with Nederland beside it."""

from __future__ import annotations

import math

from .. import query
from .. import regions as R
from ..catalogue import get_indicator_spec
from ..formatting import format_value, round_half_up
from ..wording import OEFENDATA_LINE
from .common import add_data_options, apply_data_options, emit_json, note


def register(sub) -> None:
    p = sub.add_parser("show", help="toon één indicator voor een regio en periode")
    p.add_argument("indicator", help="id uit 'impactmonitor indicators', bijv. meldingen_acuut_structureel_pct")
    p.add_argument("--region", required=True, help="regio, bijv. 'Zaanstreek-Waterland' of 'Drenthe'")
    p.add_argument("--period", default=None, help="periode, bijv. 2021HJ01 of 2021H1 (standaard: nieuwste halfjaar)")
    p.add_argument("--category", default=None, help="categorie bij een verdeling, bijv. 'langer dan 5 jaar'")
    p.add_argument("--level", default=None, help="niveau bij namen die vaker voorkomen: vt, provincie, landsdeel, gemeente")
    add_data_options(p)
    p.set_defaults(func=run)


def _num(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round_half_up(x, 1)


def run(args) -> int:
    apply_data_options(args)
    spec = get_indicator_spec(args.indicator, require_open=True)
    resolution = R.resolve(args.region, args.level, period=args.period)
    period = args.period or query.latest_period(spec.id).key
    df = query.get_indicator(spec.id, resolution.region, period, category=args.category)
    prov = query.provenance(df)
    if spec.kind == "distribution" and not args.category:
        rows = df
    else:
        rows = df.head(1)
    first = rows.iloc[0]
    payload = {
        "indicator": spec.id,
        "name": spec.name,
        "region": resolution.region.name,
        "region_key": resolution.region.key,
        "region_level": resolution.region.level,
        "period": first["period"],
        "period_title": first["period_title"],
        "value": _num(first["value"]),
        "real": bool(first["real"]),
        "unit": spec.unit,
        "national": _num(first["national"]),
        "national_real": bool(first["national_real"]),
        "provisional": bool(first["provisional"]),
        "numerator": _num(first["numerator"]),
        "denominator": _num(first["denominator"]),
        "source": {"kind": prov.get("kind"), "synthetic": bool(prov.get("synthetic")), "tables": prov.get("tables", []),
                   "host": prov.get("host"), "backend": prov.get("backend"), "fetched_at": prov.get("fetched_at"),
                   "label": query.source_label(prov)},
    }
    if args.category or spec.kind == "distribution":
        payload["category"] = first["category"] if args.category else None
    if spec.kind == "distribution" and not args.category:
        payload["categories"] = [
            {"category": r["category"], "value": _num(r["value"]), "real": bool(r["real"]),
             "national": _num(r["national"]), "national_real": bool(r["national_real"])}
            for _, r in rows.iterrows()
        ]
    if resolution.note:
        payload["note"] = resolution.note
    note(resolution.note)
    if args.json:
        emit_json(payload)
        return 0
    if prov.get("synthetic"):
        print(OEFENDATA_LINE)
    where = resolution.region.name if resolution.region.is_national else f"{resolution.region.name} ({resolution.region.level_label})"
    print(f"{spec.name}\n{where}, {first['period_title']}")
    if payload.get("categories"):
        for c in payload["categories"]:
            print(f"  {c['category']:<45} {format_value(c['value'], spec.unit):>12}   Nederland {format_value(c['national'], spec.unit)}")
    else:
        print(f"  {format_value(first['value'], spec.unit)}   (Nederland: {format_value(first['national'], spec.unit)})")
    if first["provisional"]:
        print("  Voorlopig cijfer (*): CBS kan dit nog bijstellen.")
    print(query.source_label(prov))
    return 0
