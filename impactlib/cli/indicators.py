"""``impactmonitor indicators``: every indicator of the monitor, with availability."""

from __future__ import annotations

from ..catalogue import catalogue, themes
from ..errors import UserInputError
from .common import add_json, emit_json

_REGIONAL = {"ja": "regionaal", "nee": "alleen landelijk", "deels": "deels regionaal"}


def register(sub) -> None:
    p = sub.add_parser("indicators", help="toon alle indicatoren van de Impactmonitor")
    p.add_argument("--theme", default=None, help="alleen dit thema: " + ", ".join(themes()))
    add_json(p)
    p.set_defaults(func=run)


def run(args) -> int:
    theme = args.theme
    if theme is not None and theme not in themes():
        match = [k for k, v in themes().items() if theme.lower() in (k.lower(), v.lower())]
        if not match:
            raise UserInputError(f"Thema '{theme[:40]}' bestaat niet. Kies uit: {', '.join(themes())}.")
        theme = match[0]
    specs = [s for s in catalogue().values() if theme is None or s.theme == theme]
    if args.json:
        emit_json([
            {"id": s.id, "name": s.name, "theme": s.theme, "theme_label": s.theme_label,
             "source": s.source_name, "regional": s.regional, "time_series": s.time_series,
             "availability": s.availability, "unit": s.unit, "tables": s.tables if s.is_open else [],
             "categories": s.category_labels(), "where": None if s.is_open else s.where}
            for s in specs
        ])
        return 0
    current = None
    for s in specs:
        if s.theme != current:
            current = s.theme
            print(f"\n{s.theme_label}")
        avail = "open data: " + ", ".join(s.tables) if s.is_open else f"niet in open data — {s.where}"
        ts = "tijdreeks" if s.time_series else "geen tijdreeks"
        print(f"  {s.id}\n      {s.name}\n      {s.source_name}; {_REGIONAL[s.regional]}; {ts}; {avail}")
    return 0
