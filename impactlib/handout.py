"""Steps 7–10 of the stappenplan: a printable handout for the conversation about the figures.

The handout follows instrument 07 of the Impactmonitor and the NJi tool "Samen in gesprek over
cijfers": the goal and desired yield of the conversation, the partners to invite (a
checklist), the region's figures from its step 1–6 result (value, Nederland, verdict, trend,
place, with sources and caveats), the conversation in four phases — Herkennen, Begrijpen,
Waarderen, Verbeteren — with example questions filled in with the region's own figures, a
table for conclusions and actions (wie, wat, wanneer, kosten, besluit nodig?), the closing
questions and evaluation questions.

    >>> h = build_handout("Zaanstreek-Waterland", "heftig-structureel-geweld", "2021HJ01")  # doctest: +SKIP
    >>> write_handout(h)                                                                  # doctest: +SKIP
    PosixPath('outputs/zaanstreek-waterland/gesprek-heftig-structureel-geweld.html')

:func:`build_handout` collects the words and figures (a :class:`Handout`); the HTML comes from
``impactlib/templates/``: ``handout_sections.html.j2`` has one macro per section
(:func:`render_section`, used by ``notebooks/stappen_7-10_gesprek.ipynb``) and
``handout.html.j2`` puts them on one page with a print stylesheet (:func:`render_handout`).
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import steps
from .compare import narrative
from .compare.narrative import lower_first
from .compare.trends import PROVISIONAL_NOTE
from .formatting import format_value
from .errors import UserInputError
from .params import Question, load_question
from .periods import Period
from .query import source_label
from .regions import Region
from .steps.example import no_national

__all__ = [
    "PARTNERS",
    "PHASES",
    "SECTIONS",
    "CLOSING_QUESTIONS",
    "EVALUATION_QUESTIONS",
    "FigureRow",
    "Handout",
    "build_handout",
    "handout_from_parameters",
    "run_parameters_near",
    "output_folder",
    "PARTNER_ASK",
    "render_handout",
    "render_section",
    "default_path",
    "check_target",
    "write_handout",
    "show",
]

#: Partners to invite (step 7): name and what they bring to the conversation.
PARTNERS = (
    ("Veilig Thuis", "eigen registratie van adviezen, meldingen en vervolgstappen; uitleg bij trends"),
    ("Politie", "meldingen, tijdelijke huisverboden en zorgmeldingen uit de basisteams"),
    ("Wijkteams en sociale teams", "wat er na een overdracht door Veilig Thuis gebeurt; wachttijden"),
    ("Onderwijs en kinderopvang", "signalen van kinderen; hoe de meldcode wordt gebruikt"),
    ("Vrouwenopvang en maatschappelijke opvang", "opvang, ambulante hulp en kenmerken van cliënten"),
    ("Jeugdbescherming en jeugdhulp", "hulp aan kinderen en gezinnen, veiligheidsplannen"),
    ("Gecertificeerde instellingen (GI's)", "ondertoezichtstellingen en andere maatregelen, trajecten"),
    ("Raad voor de Kinderbescherming (RvdK)", "onderzoeken en verzoeken tot een beschermingsmaatregel"),
    ("Zorg- en Veiligheidshuis en OM", "complexe casuïstiek op het snijvlak van zorg en straf"),
    ("Huisartsen, GGD en jeugdgezondheidszorg", "signalen uit de zorg die Veilig Thuis niet altijd bereiken"),
    ("Ervaringsdeskundigen (kinderen, jongeren, ouders)", "wat de cijfers niet laten zien: hoe hulp wordt ervaren"),
    ('"Unusual suspects"', "bijvoorbeeld woningcorporaties, schuldhulp, sportclubs, kerken en moskeeën, bibliotheken"),
    ("Mensen die de cijfers verzamelen", "uitleg over definities en registratie"),
    ("Mensen die kunnen besluiten", "bestuurders of managers die acties en budget kunnen toezeggen"),
)
#: What to tell each partner beforehand (seed 07 Handreiking): preparation, time, role, follow-up.
PARTNER_ASK = ("Voorbereiding: de cijfers vooraf lezen en eigen cijfers meenemen. Tijd: het gesprek (ongeveer "
               "twee uur) en een korte reactie op het verslag. Rol: vertellen wat u in de praktijk ziet en "
               "meedenken over acties; mogelijk daarna een actie uitvoeren.")
EXPECTATION_PROMPTS = (
    "Laat aan het begin iedere deelnemer in één zin zeggen wat hij of zij van het gesprek verwacht.",
    "Wat wilt u na afloop weten, of samen hebben afgesproken?",
)
NOT_RECOGNISED = ("Herkent u een cijfer niet? Vraag dan wat het cijfer volgens u zou moeten zijn, en waarom; "
                  "noteer het verschil en zoek uit waar het vandaan komt (definitie, registratie of praktijk).")
PHASES = ("Herkennen", "Begrijpen", "Waarderen", "Verbeteren")
PHASE_INTROS = {
    "Herkennen": "Hoe verhouden deze cijfers zich tot wat u dagelijks ziet?",
    "Begrijpen": "Hoe komt het? Had u dit verwacht? Zijn er groepen voor wie het anders is?",
    "Waarderen": "Waar bent u trots op? Waar bent u niet tevreden over, en waarom?",
    "Verbeteren": "Willen we dit verbeteren? Met welke acties? Kunnen we doen wat een andere regio doet?",
}
CONVERSATION_TIPS = (
    "Zorg voor een veilige sfeer en bij voorkeur een onafhankelijke voorzitter; de gemeente is deelnemer, niet alleen opdrachtgever.",
    "Houd analyse, conclusies en acties uit elkaar: eerst samen kijken, dan concluderen, dan pas acties.",
    "Wees nieuwsgierig, vraag door en benoem emoties; de cijfers zijn een momentopname, geen waarheid.",
    "Gebruik de cijfers om te leren, niet om te oordelen over partners.",
    "Leg de cijfers naast de regiovisie, beleidsplannen en contextfactoren van de regio.",
    "Tel cijfers met verschillende definities (monitor, partners, lokale registraties) niet op en voeg ze niet samen.",
)
CONCLUSION_PROMPTS = (
    "Hoe verhouden de cijfers zich tot de doelen van het beleid en de regiovisie?",
    "Waar zijn we tevreden over, en waar is ruimte voor verbetering?",
    "Voor welke groepen of gebieden geldt het beeld (niet)?",
    "Welke trends zien we, en houden die aan?",
    "Welke extra cijfers hebben we nodig, en wie levert die?",
    "Van welke regio's kunnen we leren?",
    "Was het proces volledig: waren de juiste partners aan tafel?",
)
CLOSING_QUESTIONS = (
    "Waar stonden we?",
    "Waar staan we?",
    "Wat gaan we doen? (ik, de ander, wie nog meer)",
    "Wanneer spreken we elkaar weer?",
)
EVALUATION_QUESTIONS = (
    "Hoe ging het gesprek?",
    "Is het doel van het gesprek bereikt?",
    "Kon iedereen inbrengen wat hij of zij in de praktijk ziet?",
    "Waren de juiste partners aan tafel, en wie ontbrak er?",
    "Welke tips hebben we voor de volgende keer?",
)
SECTIONS = ("kop", "doel", "deelnemers", "cijfers", "gesprek", "conclusies", "acties", "afsluiting", "evaluatie", "bron")


@dataclass
class FigureRow:
    """One figure of the region for the handout, every value already in Dutch."""

    label: str
    value: str
    national: str
    verdict: str
    trend: str
    rank: str
    sentences: list[str]
    explanation: str
    real: str = ""  # in the oefendata: which of the two figures CBS published (see :func:`steps.real_mark`)


@dataclass
class Handout:
    region: Region
    question: Question
    period: Period
    title: str
    goal: str
    yields: list[str]
    figures: list[FigureRow]
    phases: dict[str, list[str]]
    closing: list[tuple[str, str]]  # (question, hint with the region's figures)
    caveats: list[str]
    missing: list[tuple[str, str]]  # indicators not in open data: (name, where)
    source: str
    synthetic: bool
    banner: str | None = None
    chart_png: str | None = None  # base64 PNG of the headline over time
    chart_alt: str = ""
    note: str = ""  # how an ambiguous region name was read
    provisional: bool = False  # the period is provisional: marked once, in the table head
    expectations: tuple = EXPECTATION_PROMPTS
    partner_ask: str = PARTNER_ASK
    reused: str = ""  # the run whose parameters the handout took, if any
    partners: tuple = PARTNERS
    tips: tuple = CONVERSATION_TIPS
    conclusion_prompts: tuple = CONCLUSION_PROMPTS
    evaluation: tuple = EVALUATION_QUESTIONS
    phase_intros: dict = field(default_factory=lambda: dict(PHASE_INTROS))

    @property
    def phrase(self) -> str:
        return narrative.region_phrase(self.region)


# --------------------------------------------------------------------------- building
# Values go without a provisional mark: the handout says once that the period is provisional.
_label, _value = steps.comparison_label, steps.figure_value


def _national(comp) -> str:
    return steps.figure_value(comp, national=True)


def _trend_text(comp) -> str:
    t = comp.trend
    if t is None:
        return "–"
    sign = "+" if t.change > 0 else ""
    change = sign + format_value(t.change, t.unit).replace(" per 10.000 inwoners", "")
    if t.unit == "percent":
        change = change.replace(" %", " procentpunt")
    return f"{t.verdict} ({change} t.o.v. {t.from_period.title})"


def _figure_row(ex, comp) -> FigureRow:
    national = ex.region.is_national
    # the period's provisional mark stands once above the table, not in every sentence
    sentences = [_unmark(comp, s.replace(f" {PROVISIONAL_NOTE}.", ".")) for s in comp.sentences[:1]]  # about the period only
    if comp.trend is not None:
        sentences.append(_unmark(comp, comp.trend.sentence))
    return FigureRow(
        label=_label(comp), value=_value(comp),
        national=_national(comp),
        verdict="–" if national else comp.verdict.verdict, trend=_trend_text(comp),
        rank=comp.rank.text if comp.rank else "–", sentences=sentences,
        explanation="" if national else comp.verdict.explanation,
        real=steps.real_mark(comp.row.get("real"), comp.national_row.get("real")) if ex.provenance.get("synthetic") else "",
    )


def _unmark(comp, text: str) -> str:
    """Leave out "(voorlopig cijfer)" after the chosen period's own value: the handout says once
    that the period is provisional (other provisional periods in a sentence keep their mark)."""
    if not comp.period.is_provisional:
        return text
    return text.replace(f"{_value(comp)} {PROVISIONAL_NOTE}", _value(comp))


def _versus(comp) -> str:
    v = comp.verdict.verdict
    if v == "niet te zeggen":
        return "niet duidelijk anders dan"
    return "vergelijkbaar met" if v == "vergelijkbaar" else f"{v} dan"


def _phases(ex, head, comps) -> dict[str, list[str]]:
    """The four phases, each with the figures of the question (not only the headline)."""
    label, where, per = lower_first(_label(head)), ex.phrase, ex.period
    value, national = _value(head), _national(head)
    others = [c for c in comps if c is not head and c.unit != "count" and not _nan(c.row["value"])]
    different = [c for c in others if c.verdict.is_difference]
    recognise = [
        f"In {per.dutch} was het cijfer voor {label} in {where} {value}; landelijk was het {national}. "
        "Hoe verhoudt dit cijfer zich tot wat u dagelijks in uw werk ziet?"
    ]
    recognise += [f"{_label(c)}: {_value(c)}, landelijk {_national(c)} ({c.verdict.verdict}). Herkent u dat?"
                  for c in (different + [c for c in others if c not in different])[:4]]
    if not different and not head.verdict.is_difference:
        recognise.append("Geen van de cijfers wijkt duidelijk af van landelijk. Klopt dat met uw beeld van de regio?")
    recognise.append(NOT_RECOGNISED)
    recognise.append("Welke eigen cijfers (Veilig Thuis, politie, vrouwenopvang, wijkteams) laten hetzelfde of iets anders zien?")

    if head.verdict.is_difference:
        understand = [f"Hoe komt het dat {label} in {where} {head.verdict.direction} ligt dan landelijk "
                      f"({value} tegen {national})? Had u dit verwacht?"]
    else:
        understand = [f"Het cijfer voor {label} in {where} ({value}) is {_versus(head)} landelijk ({national}). "
                      "Had u dit verwacht?"]
    if head.shape is not None:
        understand.append(f"{_unmark(head, head.shape.sentence)} Wat verklaart dit verloop?")
    understand += [f"Hoe komt het dat {lower_first(_label(c))} {c.verdict.direction} ligt dan landelijk "
                   f"({_value(c)} tegen {_national(c)})?" for c in different[:2]]
    understand.append("Zijn er groepen (leeftijd, soort geweld, gemeente of wijk) voor wie het beeld anders is?")
    understand += list(ex.question.reflection)[:2]

    value_q = []
    if head.trend is not None:
        value_q.append(f"{_unmark(head, head.trend.sentence)} Is dat de ontwikkeling die u met de aanpak en de regiovisie voor ogen had?")
    value_q += [f"{_unmark(c, c.trend.sentence)} Bent u daar tevreden over?" for c in others if c.trend is not None
                and c.trend.verdict.startswith("duidelijk")][:2]
    value_q.append("Op welke uitkomst bent u trots, en waarom?")
    unhappy = "Met welk cijfer bent u niet tevreden, en waarom?"
    if different or head.verdict.is_difference:
        c = head if head.verdict.is_difference else different[0]
        unhappy += f" Bijvoorbeeld: {lower_first(_label(c))} ({_value(c)}, {c.verdict.verdict} dan landelijk)."
    value_q.append(unhappy)

    improve = [f"Willen we {label} (nu {value}) veranderen? Naar welk niveau, en binnen welke termijn?"]
    improve += [f"En {lower_first(_label(c))} (nu {_value(c)}, landelijk {_national(c)})?" for c in different[:2]]
    if head.peers is not None and len(head.peers):
        listed = ", ".join(f"{r.region} ({format_value(r.value, head.unit)})" for r in head.peers.itertuples())
        improve.append(f"Regio's die op {where} lijken: {listed}. Kunnen we doen wat een van deze regio's doet, "
                       "en wie neemt daarover contact op?")
    improve.append("Welke acties passen daarbij, wie is eigenaar, en aan welke cijfers zien we of het werkt?")
    return dict(zip(PHASES, (recognise, understand, value_q, improve)))


def _nan(x) -> bool:
    return x is None or x != x


def _closing(ex, head) -> list[tuple[str, str]]:
    label = _label(head)
    stood = (f"{label}: {format_value(head.trend.value_from, head.unit)} "
             f"in {head.trend.from_period.dutch}." if head.trend is not None else "Het cijfer van een jaar eerder.")
    stand = f"{label}: {_value(head)} in {ex.period.dutch} (landelijk {_national(head)})."
    later = Period(ex.period.year + 1, ex.period.half)
    return list(zip(CLOSING_QUESTIONS, (
        stood, stand, "Per actie: wie doet wat, en wie moet er nog bij?",
        f"Bijvoorbeeld als de cijfers over {later.dutch} er zijn; spreek een datum af.",
    )))


def _chart(head) -> tuple[str | None, str]:
    from . import plots

    series = head.series.dropna(subset=["value"])
    if len(series) < 2:
        return None, ""
    fig = plots.time_series(no_national(head.series))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    alt = getattr(fig, "alt_text", None) or (fig._suptitle.get_text().replace("\n", " – ") if fig._suptitle else _label(head))
    return base64.b64encode(buffer.getvalue()).decode("ascii"), alt


def build_handout(
    region: str, question: str, period: str | None = None, *, level: str | None = None,
    peers: str | list[str] = "auto", chart: bool = True, indicators: list[str] | None = None,
    goal: str | None = None, context: str | None = None, trained_groups: list[str] | None = None,
    reused: str = "",
) -> Handout:
    """Collect the handout for ``region`` and ``question`` from the region's step 1–6 result.

    ``period``: a half year (default: the newest for the question's headline). The figures are
    the open indicators of the question, each compared as in the stappenplan
    (:func:`impactlib.steps.comparison`); ``chart=False`` leaves the headline chart out.
    ``goal``, ``context`` and ``trained_groups`` are the region's own (its parameter file);
    :func:`handout_from_parameters` passes them.
    """
    load_question(question)  # an unknown id fails here with the list of questions
    ex = steps.prepare(region=region, question=question, period=period, level=level, peers=peers,
                       indicators=indicators, goal=goal, context=context, trained_groups=trained_groups)
    comps = [steps.comparison(ex, spec) for spec in ex.open_specs]
    head = next(c for c in comps if c.spec.id == ex.question.headline)
    q = ex.question
    yields = [
        f"Een gedeeld beeld van wat de cijfers over {ex.phrase} zeggen: herkennen we ze, en begrijpen we ze?",
        "(Voorlopige) conclusies: waar zijn we tevreden, en waar is ruimte voor verbetering?",
        "Acties met een eigenaar, een termijn en een inschatting van de kosten; is er een bestuurlijk besluit nodig?",
        "Afspraken over extra cijfers van partners en over het volgende gesprek.",
    ]
    caveats = [
        "De cijfers zijn een momentopname en geen waarheid: ze tellen wat Veilig Thuis registreert, niet hoeveel geweld er is.",
        "Het oordeel (vergelijkbaar, iets of duidelijk hoger of lager) houdt rekening met toeval en met de afronding "
        "van aantallen door CBS op vijftallen.",
    ]
    caveats += narrative.limits(head.spec, ex.region, period=ex.period, question_indicators=[s.id for s in ex.specs])[1:]
    chart_png, chart_alt = _chart(head) if chart else (None, "")
    prov = dict(ex.provenance)
    for comp in comps:
        prov["tables"] = list(dict.fromkeys([*prov.get("tables", []), *comp.source.get("tables", [])]))
    return Handout(
        region=ex.region, question=q, period=ex.period,
        title=f"Samen in gesprek over de cijfers: {ex.region.name}",
        goal=ex.goal or (f"{q.why} Welk doel heeft {ex.phrase} met dit gesprek? Vul het hier in: "
                         "____________________"),
        yields=yields,
        figures=[_figure_row(ex, c) for c in comps], phases=_phases(ex, head, comps),
        closing=_closing(ex, head), caveats=caveats,
        missing=[(s.name, s.where) for s in ex.missing_specs],
        source=source_label(prov), synthetic=ex.synthetic,
        banner=steps.OEFENDATA_TEXT if ex.synthetic else None,
        chart_png=chart_png, chart_alt=chart_alt, note=ex.note, provisional=ex.period.is_provisional,
        reused=reused,
    )


def run_parameters_near(out: str | Path | None, region, question: str) -> dict | None:
    """The parameters of a run next to the handout (``<out>/<regio>/<vraag>.ipynb``), if any.

    A handout made next to a run reuses that run's region, period, question, peers and
    indicators, so both show the same figures.
    """
    import nbformat

    from .regions import resolve
    from .run.execute import read_summary
    from .run.paths import output_paths

    reg = region if isinstance(region, Region) else resolve(region).region
    try:
        paths = output_paths(out or "outputs", reg, question)
        if not paths.notebook.is_file():
            return None
        found = read_summary(nbformat.read(paths.notebook, as_version=4)).get("parameters")
    except Exception:  # noqa: BLE001 - an unreadable run is simply not reused
        return None
    return dict(found) if isinstance(found, dict) and found.get("question") == question else None


def output_folder(target: str | Path | None) -> Path | str | None:
    """The folder of an output target: the target itself when it is a folder (or not given),
    else the folder of the ``.html`` file. A run of the same region lying there lends its parameters."""
    return target if target is None or Path(target).is_dir() else Path(target).parent


def handout_from_parameters(params, *, out: str | Path | None = None, chart: bool = True) -> Handout:
    """The handout for a run's parameters (a :class:`~impactlib.params.RunParameters`).

    Region, question, period and the region's own goal, context and trained groups come
    from the parameter file, exactly as ``impactmonitor run`` uses them. When no period is
    given and a run of the same region and question lies in ``out``, its period is used.
    """
    values = params.model_dump()
    reused = ""
    if values.get("period") is None:
        near = run_parameters_near(output_folder(out), values["region"], values["question"])
        if near and near.get("period"):
            values["period"] = near["period"]
            reused = f"Dezelfde cijfers als het uitgewerkte voorbeeld (stap 1–6) over {near['period']}."
    return build_handout(
        values["region"], values["question"], values.get("period"), level=values.get("level"),
        peers=values.get("peers") or "auto", chart=chart, indicators=values.get("indicators"),
        goal=values.get("goal"), context=values.get("context"), trained_groups=values.get("trained_groups"),
        reused=reused,
    )


# --------------------------------------------------------------------------- rendering
@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(loader=PackageLoader("impactlib", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _sections():
    """The template module whose macros render one section each."""
    return _environment().get_template("handout_sections.html.j2").module


def render_section(handout: Handout, name: str) -> str:
    """One section (see :data:`SECTIONS`) as an HTML fragment inside ``<div class="gesprek">``."""
    if name not in SECTIONS:
        raise ValueError(f"unknown section {name!r}")
    body = getattr(_sections(), name)(handout)
    return f'<div class="gesprek">{body}</div>'


def render_handout(handout: Handout) -> str:
    """The whole handout as one self-contained HTML page with a print stylesheet."""
    return _environment().get_template("handout.html.j2").render(h=handout)


def default_path(handout: Handout, out: str | Path | None = "outputs") -> Path:
    """``<out>/<region-slug>/gesprek-<question-id>.html``."""
    from .run.paths import output_paths

    paths = output_paths(out, handout.region, f"gesprek-{handout.question.id}")
    return paths.html


def check_target(target: str | Path | None) -> None:
    """Fail early on an output that is neither a folder nor an ``.html`` file."""
    if target is not None and str(target).endswith(("/", "\\")) and not Path(target).is_dir():
        raise UserInputError(f"Map {str(target).rstrip('/').rstrip(chr(92))} bestaat niet; maak hem eerst aan of "
                             "geef met --out een bestaande map of een .html-bestand.")
    if target is not None and not Path(target).is_dir() and Path(target).suffix.lower() not in (".html", ".htm"):
        raise UserInputError(f"Uitvoerbestand {target} moet op .html eindigen (of een map zijn), bijvoorbeeld gesprek.html.")


def write_handout(handout: Handout, target: str | Path | None = None) -> Path:
    """Write the page atomically to ``target``: an ``.html`` file, or a folder that gets
    ``<folder>/<region-slug>/gesprek-<question-id>.html`` (default folder: ``outputs``)."""
    from .run.paths import atomic_write

    check_target(target)
    path = default_path(handout, target) if target is None or Path(target).is_dir() else Path(target)
    return atomic_write(path, render_handout(handout))


def show(handout: Handout, *sections: str) -> None:
    """Display sections in a notebook (default: all), styled like the page."""
    from IPython.display import HTML, display

    style = _sections().style()
    parts = [render_section(handout, s) for s in (sections or SECTIONS)]
    display(HTML(str(style) + "\n".join(parts)))
