"""``impactmonitor handout``: the printable handout for steps 7–10 (the conversation with partners).

    impactmonitor handout parameters/zaanstreek-waterland.yaml --out uitvoer/
    impactmonitor handout --region Zaanstreek-Waterland --question heftig-structureel-geweld --period 2021HJ01
    impactmonitor handout --region Twente --question eerder-beter-in-beeld --out gesprek-twente.html

With a parameter file the handout uses exactly the region, question, period and the region's
own goal, context and trained groups of the worked example (``impactmonitor run`` with the
same file). Without a period, a run of the same region and question in the output folder
lends its parameters, so handout and worked example show the same figures.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UserInputError
from .common import add_data_options, apply_data_options, emit_json, note, questions_help


def register(subparsers) -> None:
    questions = questions_help()
    p = subparsers.add_parser(
        "handout",
        help="maak de handout voor het gesprek met partners (stap 7-10) als HTML om af te drukken",
        description="Maak voor een regio en beleidsvraag een handout voor het gesprek over de cijfers "
        "(stap 7-10): doel, partners, de cijfers van de regio met bronnen, het gesprek in vier fasen "
        "(herkennen, begrijpen, waarderen, verbeteren), conclusies, acties en afsluiting. Geef hetzelfde "
        "parameterbestand als bij 'impactmonitor run', of --region met --question. Standaard: "
        f"outputs/<regio>/gesprek-<vraag>.html.{questions}",
    )
    p.add_argument("params", nargs="?", metavar="PARAMS.yaml", help="parameterbestand, bijv. parameters/zaanstreek-waterland.yaml")
    p.add_argument("--region", default=None, help="regio, bijvoorbeeld Zaanstreek-Waterland")
    p.add_argument("--question", default=None, help="id van de beleidsvraag, bijvoorbeeld heftig-structureel-geweld")
    p.add_argument("--period", default=None, help="halfjaar, bijvoorbeeld 2021HJ01 (standaard: die van het parameterbestand "
                                                  "of van een run in de uitvoermap, anders het nieuwste)")
    p.add_argument("--level", default=None, help="niveau bij een dubbelzinnige naam: vt, provincie, gemeente, ...")
    p.add_argument("--peers", default="auto", help="'auto' of een lijst vergelijkbare regio's als 'Twente,Drenthe'")
    p.add_argument("--out", default=None, help="HTML-bestand of map (standaard: outputs/<regio>/gesprek-<vraag>.html)")
    add_data_options(p)
    p.set_defaults(func=run)


def _parameters(args):
    from ..handout import output_folder, run_parameters_near
    from ..params import load_parameters, make_parameters

    if args.params and (args.region or args.question):
        raise UserInputError("Geef óf een parameterbestand, óf --region met --question, niet allebei.")
    if args.params:
        params = load_parameters(args.params)
        if args.period:
            params = make_parameters({**params.model_dump(), "period": args.period}, where=args.params,
                                     near=Path(args.params).resolve().parent)
        return params, ""
    if not (args.region and args.question):
        raise UserInputError("Geef een parameterbestand (bijv. parameters/zaanstreek-waterland.yaml), "
                             "of --region met --question.")
    values = {"region": args.region, "level": args.level, "question": args.question, "period": args.period,
              "peers": args.peers}
    params = make_parameters(values, where="opdrachtregel")
    if args.period is None:
        from ..regions import resolve

        near = run_parameters_near(output_folder(args.out), resolve(params.region, params.level).region,
                                   params.question)
        if near:
            return make_parameters(near, where="uitgewerkt voorbeeld"), (
                f"Dezelfde cijfers als het uitgewerkte voorbeeld (stap 1–6) over {near['period']}.")
    return params, ""


def run(args) -> int:
    from ..handout import check_target, handout_from_parameters, output_folder, write_handout

    check_target(args.out)
    apply_data_options(args)
    params, reused = _parameters(args)
    h = handout_from_parameters(params, out=output_folder(args.out))
    if reused and not h.reused:
        h.reused = reused
    note(h.note)
    path = write_handout(h, args.out)
    if args.json:
        emit_json({"region": h.region.name, "question": h.question.id, "period": h.period.key,
                   "html": str(path), "synthetic": h.synthetic})
    else:
        print(f"Handout: {path}")
    return 0
