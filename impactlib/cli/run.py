"""``impactmonitor run``: the stappenplan notebook (steps 1–6) for a region, as notebook and HTML.

    impactmonitor run parameters/zaanstreek-waterland.yaml
    impactmonitor run --region Twente --question eerder-beter-in-beeld --period 2022HJ01
    impactmonitor run --all-regions --question heftig-structureel-geweld --jobs 4
    impactmonitor run --all-regions --level gemeente --within Zaanstreek-Waterland --question heftig-structureel-geweld
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import UserInputError
from ..params import load_parameters, make_parameters
from ..regions import resolve
from .common import add_data_options, apply_data_options, emit_json, note, questions_help


def register(subparsers) -> None:
    questions = questions_help()
    p = subparsers.add_parser(
        "run",
        help="maak het uitgewerkte voorbeeld (stap 1-6) voor een regio als notebook en HTML",
        description="Voer het stappenplan-notebook (stap 1-6) uit voor een regio en beleidsvraag en "
        f"schrijf <map>/<regio>/<vraag>.ipynb en .html.{questions}",
    )
    p.add_argument("params", nargs="?", metavar="PARAMS.yaml", help="parameterbestand, bijv. parameters/drenthe.yaml")
    p.add_argument("--region", help="regio (Veilig Thuis-regio, provincie, gemeente, ...)")
    p.add_argument("--level", help="niveau bij een dubbelzinnige naam: vt, provincie, gemeente, ...; bij --all-regions: "
                   "het niveau van de batch (standaard vt)")
    p.add_argument("--question", help="id van de beleidsvraag (routewijzer)")
    p.add_argument("--period", help="halfjaar, bijv. 2021HJ01 (standaard: het nieuwste halfjaar)")
    p.add_argument("--all-regions", action="store_true",
                   help="alle Veilig Thuis-regio's van de periode (26 t/m 2022, 25 vanaf 2023; of met --level alle gemeenten of provincies), met een overzicht index.html")
    p.add_argument("--within", metavar="REGIO",
                   help="bij --all-regions: alleen de regio's binnen deze Veilig Thuis-regio of provincie, "
                   "bijv. --level gemeente --within Zaanstreek-Waterland")
    p.add_argument("--jobs", type=int, default=None, help="aantal notebooks tegelijk bij --all-regions (standaard: aantal processorkernen)")
    p.add_argument("--out", default="outputs", help="uitvoermap (standaard: outputs)")
    p.add_argument("--with-code", action="store_true", help="toon de code in de HTML")
    add_data_options(p)
    p.set_defaults(func=run)


def _check_combination(args) -> None:
    if args.all_regions and (args.params or args.region):
        raise UserInputError("Gebruik --all-regions zonder parameterbestand en zonder --region.")
    if args.params and (args.region or args.question):
        raise UserInputError("Geef óf een parameterbestand, óf --region met --question, niet allebei.")
    if (args.all_regions or args.region) and not args.question:
        raise UserInputError("Geef met --question een beleidsvraag, bijvoorbeeld --question heftig-structureel-geweld.")
    if not (args.params or args.region or args.all_regions):
        raise UserInputError(
            "Geef een parameterbestand (bijv. parameters/drenthe.yaml), of --region met --question, of --all-regions met --question."
        )
    if getattr(args, "within", None) and not args.all_regions:
        raise UserInputError("--within hoort bij --all-regions, bijv. --all-regions --level gemeente --within Drenthe.")
    if args.jobs is not None and args.jobs < 1:
        raise UserInputError(f"--jobs {args.jobs} kan niet; geef 1 of meer.")


def run(args) -> int:
    from ..run import run_all, run_one
    from ..run.batch import batch_regions

    _check_combination(args)
    apply_data_options(args)
    if args.all_regions:
        make_parameters({"region": "Nederland", "question": args.question, "period": args.period}, where="opdrachtregel")
        chosen = batch_regions(args.level, args.within)
        batch = run_all(args.question, period=args.period, out=args.out, jobs=args.jobs, with_code=args.with_code,
                        regions=chosen, progress=not args.json and sys.stderr.isatty())  # no bar in logs or pipes
        if args.json:
            emit_json({
                "question": batch.question, "period": batch.period, "index": str(batch.index),
                "reports": [{"region": r.region.name, "html": str(r.html), "notebook": str(r.notebook)} for r in batch.succeeded],
                "failed": [{"region": r.region.name, "error": r.error, "notebook": str(r.notebook)} for r in batch.failed],
            })
        else:
            print(f"{len(batch.succeeded)} van {len(batch.results)} regio's gelukt ({batch.period}).")
            for r in batch.failed:
                print(f"Mislukt: {r.region.name}: {r.error}")
            print(f"Overzicht: {batch.index}")
        return 1 if batch.failed else 0

    remark = ""  # how an ambiguous region name was read: said once the run succeeded
    if args.params:
        params = load_parameters(args.params)
        if args.period:
            params = make_parameters({**params.model_dump(), "period": args.period}, where=args.params,
                                     near=Path(args.params).resolve().parent)
    else:
        params = make_parameters(
            {"region": args.region, "level": args.level, "question": args.question, "period": args.period},
            where="opdrachtregel",
        )
        remark = resolve(args.region, args.level).note
    result = run_one(params, args.out, with_code=args.with_code)
    note(remark)
    if args.json:
        emit_json({"region": result.region.name, "question": result.question, "period": result.period,
                   "notebook": str(result.notebook), "html": str(result.html), "summary": result.summary})
    else:
        print(f"Notebook: {result.notebook}")
        print(f"HTML:     {result.html}")
    return 0
