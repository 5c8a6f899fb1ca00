"""``impactmonitor regions``: the regions the tool knows, per level."""

from __future__ import annotations

from .. import regions as R
from .common import add_json, emit_json


def register(sub) -> None:
    p = sub.add_parser("regions", help="toon de regio's (Veilig Thuis-regio's, provincies, ...)")
    p.add_argument("--level", default=None, help="land, landsdeel, provincie, vt of gemeente (standaard: alle)")
    add_json(p)
    p.set_defaults(func=run)


def run(args) -> int:
    level = R.parse_level(args.level)
    items = [r for r in R.all_regions() if level is None or r.level == level]
    if args.json:
        emit_json([
            {"key": r.key, "name": r.name, "level": r.level, "cbs_title": r.cbs_title,
             "provincie": r.provincie or None, "vt_regio": r.vt_regio or None, "landsdeel": r.landsdeel or None}
            for r in items
        ])
        return 0
    current = None
    for r in items:
        if r.level != current:
            current = r.level
            count = sum(1 for x in items if x.level == current)
            label = R.LEVEL_LABELS[current]
            print(f"\n{label[0].upper()}{label[1:]} ({count})")
        parent = ""
        if r.vt_regio:
            parent = f"  (Veilig Thuis-regio {R.get(r.vt_regio).name})"
        elif r.provincie:
            parent = f"  (provincie {R.get(r.provincie).name})"
        print(f"  {r.key:<7} {r.name}{parent}")
    return 0
