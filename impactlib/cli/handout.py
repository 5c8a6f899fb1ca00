"""``impactmonitor handout``: the printable handout for steps 7–10 (the conversation with partners).

    impactmonitor handout --region Zaanstreek-Waterland --question heftig-structureel-geweld --period 2021HJ01
    impactmonitor handout --region Twente --question eerder-beter-in-beeld --out gesprek-twente.html
"""

from __future__ import annotations

from .common import add_data_options, apply_data_options, emit_json, note, questions_help


def register(subparsers) -> None:
    questions = questions_help()
    p = subparsers.add_parser(
        "handout",
        help="maak de handout voor het gesprek met partners (stap 7-10) als HTML om af te drukken",
        description="Maak voor een regio en beleidsvraag een handout voor het gesprek over de cijfers "
        "(stap 7-10): doel, partners, de cijfers van de regio met bronnen, het gesprek in vier fasen "
        "(herkennen, begrijpen, waarderen, verbeteren), conclusies, acties en afsluiting. Standaard: "
        f"outputs/<regio>/gesprek-<vraag>.html.{questions}",
    )
    p.add_argument("--region", required=True, help="regio, bijvoorbeeld Zaanstreek-Waterland")
    p.add_argument("--question", required=True, help="id van de beleidsvraag, bijvoorbeeld heftig-structureel-geweld")
    p.add_argument("--period", default=None, help="halfjaar, bijvoorbeeld 2021HJ01 (standaard: het nieuwste)")
    p.add_argument("--level", default=None, help="niveau bij een dubbelzinnige naam: vt, provincie, gemeente, ...")
    p.add_argument("--peers", default="auto", help="'auto' of een lijst vergelijkbare regio's als 'Twente,Drenthe'")
    p.add_argument("--out", default=None, help="HTML-bestand of map (standaard: outputs/<regio>/gesprek-<vraag>.html)")
    add_data_options(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..handout import build_handout, check_target, write_handout

    check_target(args.out)
    apply_data_options(args)
    h = build_handout(args.region, args.question, args.period, level=args.level, peers=args.peers)
    note(h.note)
    path = write_handout(h, args.out)
    if args.json:
        emit_json({"region": h.region.name, "question": h.question.id, "period": h.period.key,
                   "html": str(path), "synthetic": h.synthetic})
    else:
        print(f"Handout: {path}")
    return 0
