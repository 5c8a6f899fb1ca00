"""``impactmonitor exercise``: exercise notebooks per participant's region, or their answer versions.

    impactmonitor exercise --regions Twente,Drenthe --question heftig-structureel-geweld
    impactmonitor exercise --regions alle --question eerder-beter-in-beeld --answers --out training
"""

from __future__ import annotations

from ..errors import UserInputError
from ..regions import regions_at
from .common import add_data_options, apply_data_options, emit_json


def register(subparsers) -> None:
    from ..params import EXERCISE_QUESTIONS as QUESTIONS

    p = subparsers.add_parser(
        "exercise",
        help="maak oefennotebooks (of antwoordversies) voor de regio's van deelnemers",
        description="Maak per regio een oefennotebook met vragen over de eigen cijfers, als .ipynb (om in te "
        "werken) en .html (om te printen): <map>/oefeningen/<regio>/<vraag>.ipynb; met --answers de versie "
        f"met modelantwoorden (<vraag>-antwoorden). Oefeningen: {', '.join(QUESTIONS)}.",
    )
    p.add_argument("--regions", required=True,
                   help="regio's met komma's, bijvoorbeeld 'Twente,Drenthe'; 'alle' voor alle Veilig Thuis-regio's")
    p.add_argument("--question", required=True, choices=QUESTIONS, metavar="VRAAG", help=f"een van: {', '.join(QUESTIONS)}")
    p.add_argument("--answers", action="store_true", help="maak de versie met modelantwoorden (voor de trainer)")
    p.add_argument("--period", default=None, help="halfjaar, bijvoorbeeld 2021HJ01 (standaard: het nieuwste)")
    p.add_argument("--out", default="outputs", help="uitvoermap (standaard: outputs)")
    p.add_argument("--jobs", type=int, default=1, help="aantal notebooks tegelijk (standaard: 1)")
    add_data_options(p)
    p.set_defaults(func=run)


def parse_regions(text: str) -> list[str]:
    """``'Twente, Drenthe'`` → ``['Twente', 'Drenthe']``; ``'alle'`` → the 26 Veilig Thuis-regio's."""
    if text.strip().lower() in ("alle", "all", "vt"):
        return [r.key for r in regions_at("vt")]
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise UserInputError("Geef met --regions een of meer regio's, bijvoorbeeld --regions Twente,Drenthe.")
    return names


def run(args) -> int:
    from ..exercises import generate

    if args.jobs < 1:
        raise UserInputError(f"--jobs {args.jobs} kan niet; geef 1 of meer.")
    apply_data_options(args)
    results = generate(parse_regions(args.regions), args.question, answers=args.answers, period=args.period,
                       out=args.out, jobs=args.jobs)
    failed = [r for r in results if not r.ok]
    if args.json:
        emit_json([{"region": r.region.name, "notebook": str(r.notebook), "html": str(r.html) if r.html else None,
                    "error": r.error or None} for r in results])
    else:
        for r in results:
            print(f"{r.region.name}: {r.html}" if r.ok else f"{r.region.name}: MISLUKT: {r.error}")
        print(f"{len(results) - len(failed)} van {len(results)} oefeningen gemaakt"
              + (" (met modelantwoorden)." if args.answers else "."))
    return 1 if failed else 0
