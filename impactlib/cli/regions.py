"""``impactmonitor regions``: the regions the tool knows, per level and per year."""

from __future__ import annotations

from .. import regions as R
from .common import add_json, emit_json


def register(sub) -> None:
    p = sub.add_parser("regions", help="toon de regio's (Veilig Thuis-regio's, provincies, gemeenten, ...)")
    p.add_argument("--level", default=None, help="land, landsdeel, provincie, vt of gemeente (standaard: alle)")
    p.add_argument("--period", default=None,
                   help="de indeling van deze periode, bijv. 2021HJ01 (26 VT-regio's) of 2024HJ01 (25); "
                        f"standaard de nieuwste ({R.LAST_YEAR})")
    add_json(p)
    p.set_defaults(func=run)


def run(args) -> int:
    level = R.parse_level(args.level)
    year = R.year_of(args.period)
    items = [r for r in R.all_regions(year) if level is None or r.level == level]
    names = {r.key: r.name for r in R.all_regions(year)}
    if args.json:
        emit_json([
            {"key": r.key, "name": r.name, "level": r.level, "cbs_title": r.cbs_title,
             "provincie": r.provincie or None, "vt_regio": r.vt_regio or None, "landsdeel": r.landsdeel or None,
             "vt_regio_name": names.get(r.vt_regio) if r.vt_regio else None,
             "first_year": R.years_of(r.key)[0],
             "last_year": R.years_of(r.key)[1] if R.years_of(r.key)[1] < R.LAST_YEAR else None}
            for r in items
        ])
        return 0
    print(f"Indeling van {year} (CBS-codes)")
    current = None
    for r in items:
        if r.level != current:
            current = r.level
            count = sum(1 for x in items if x.level == current)
            label = R.LEVEL_LABELS[current]
            print(f"\n{label[0].upper()}{label[1:]} ({count})")
        parent = ""
        if r.vt_regio:
            parent = f"  (Veilig Thuis-regio {names[r.vt_regio]})"
        elif r.provincie and r.level != "gemeente":
            parent = f"  (provincie {names[r.provincie]})"
        first, last = R.years_of(r.key)
        until = f"  [t/m {last}]" if last < R.LAST_YEAR else ""
        since = f"  [vanaf {first}]" if first > R.FIRST_YEAR else ""
        print(f"  {r.key:<7} {r.name}{parent}{since}{until}")
    return 0
