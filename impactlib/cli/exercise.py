"""``impactmonitor exercise``: exercise notebooks per participant's region, or their answer versions.

    impactmonitor exercise --regions Twente,Drenthe --question heftig-structureel-geweld
    impactmonitor exercise --regions alle --question eerder-beter-in-beeld --answers --out training
    impactmonitor exercise --regions Twente,Drenthe --question heftig-structureel-geweld --format html \
        --verkenner-url http://192.168.1.20:8866/     # printable sheets for participants with only a browser
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
    p.add_argument("--format", choices=("notebook", "html"), default="notebook",
                   help="notebook (standaard: .ipynb om in te werken plus .html) of html: een printbaar werkblad "
                        "per regio (<vraag>-werkblad.html) voor deelnemers met alleen een browser en de verkenner")
    p.add_argument("--verkenner-url", default=None,
                   help="bij --format html: het adres van de verkenner in de zaal, bijvoorbeeld http://192.168.1.20:8866/ "
                        "(zoals 'impactmonitor verkenner --bind 0.0.0.0' het noemt)")
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
    from ..run.sheets import generate_sheets

    if args.jobs < 1:
        raise UserInputError(f"--jobs {args.jobs} kan niet; geef 1 of meer.")
    url = args.verkenner_url
    if url is not None and not (url.startswith("http://") or url.startswith("https://")):
        raise UserInputError(f"--verkenner-url '{url[:60]}' is geen webadres; begin met http://, bijvoorbeeld "
                             "http://192.168.1.20:8866/.")
    if url is not None and args.format != "html":
        raise UserInputError("--verkenner-url hoort bij --format html (het werkblad); laat het weg of voeg --format html toe.")
    apply_data_options(args)
    if args.format == "html":
        results = generate_sheets(parse_regions(args.regions), args.question, answers=args.answers,
                                  period=args.period, out=args.out, verkenner_url=url)
    else:
        results = generate(parse_regions(args.regions), args.question, answers=args.answers, period=args.period,
                           out=args.out, jobs=args.jobs)
    failed = [r for r in results if not r.ok]
    if args.json:
        emit_json([{"region": r.region.name, "notebook": str(r.notebook) if r.notebook else None,
                    "html": str(r.html) if r.html else None,
                    "error": r.error or None} for r in results])
    else:
        for r in results:
            kept = r.failure is not None and r.notebook is not None and r.notebook.exists()  # the failed notebook
            print(f"{r.region.name}: {r.html}" if r.ok else f"{r.region.name}: MISLUKT: {r.error}"
                  + (f"; zie {r.notebook}" if kept else ""))
        what = "werkbladen" if args.format == "html" else "oefeningen"
        print(f"{len(results) - len(failed)} van {len(results)} {what} gemaakt"
              + (" (met modelantwoorden)." if args.answers else "."))
    return 1 if failed else 0
