"""Exercises for a training: the two questions of the national webinar, for a participant's own region.

Each question has a notebook in ``notebooks/oefeningen/<question-id>.ipynb``. It shows, per
"Vraag", the region's figures (:func:`material`), leaves a markdown cell for the participant's
answer (tagged ``antwoord``) and, when the parameter ``answers`` is true, shows a model
answer written from the region's own figures (:func:`model_answer`, cells tagged
``modelantwoord``)::

    oef = prepare("Twente", "heftig-structureel-geweld", "2021HJ01")
    model_answer(oef, 1)   # 'Van de meldingen ... in de regio Twente, was bij 34,1 % ...'

A trainer makes a version per participant (or an answer version) with :func:`generate`, which
the command ``impactmonitor exercise`` calls: ``<out>/oefeningen/<region-slug>/<question-id>
[-antwoorden].ipynb`` and ``.html``. A participant version has no model-answer cells at all.

For participants without Python, :func:`generate_sheets` (``impactmonitor exercise --format
html``) writes a printable sheet per region instead (``<question-id>[-antwoorden]-werkblad.html``):
per "Vraag" the figures, the choices to make in the served verkenner to see them
(:data:`VERKENNER_CHOICES`), a box to write in, or the model answer. Every text on it is escaped.

Questions (:data:`QUESTIONS`):

- ``heftig-structureel-geweld`` — is het heftige en structurele geweld teruggedrongen?
- ``eerder-beter-in-beeld`` — zijn de aard en omvang eerder en beter in beeld?
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pandas as pd

from . import plots, query, steps
from . import regions as _regions
from .catalogue import get_indicator_spec
from .compare import build_comparison, narrative
from .errors import DataFault, ParameterError
from .formatting import format_value
from .params import EXERCISE_QUESTIONS, PROJECT_ROOT, load_question
from .regions import Region

__all__ = [
    "QUESTIONS",
    "ANSWER_TAG",
    "Exercise",
    "ExerciseResult",
    "prepare",
    "exercises",
    "material",
    "model_answer",
    "show",
    "banner",
    "intro",
    "show_answer",
    "show_summary",
    "template",
    "exercise_paths",
    "generate",
    "FORMATS",
    "VERKENNER_CHOICES",
    "verkenner_steps",
    "sheet_html",
    "sheet_path",
    "generate_sheets",
]

QUESTIONS = EXERCISE_QUESTIONS
ANSWER_TAG = "modelantwoord"
TEMPLATE_DIR = PROJECT_ROOT / "notebooks" / "oefeningen"
show = steps.show


@dataclass(frozen=True)
class Exercise:
    """One "Vraag": what the participant sees, and how the model answer is written."""

    number: int
    title: str
    material: Callable[[steps.Example], list]
    answer: Callable[[steps.Example], list[str]]


# --------------------------------------------------------------------------- preparation
def _check_question(question: str) -> str:
    if question not in QUESTIONS:
        raise ParameterError(f"Voor beleidsvraag '{str(question)[:60]}' is geen oefening; kies uit: {', '.join(QUESTIONS)}.")
    return question


def prepare(region: str, question: str, period: str | None = None, *, level: str | None = None) -> steps.Example:
    """The region's figures for the question (as in the stappenplan, steps 1–6)."""
    return steps.prepare(region=region, question=_check_question(question), period=period, level=level)


def _comp(ex: steps.Example, indicator: str, category: str | None = None):
    """The comparison of one indicator (and category) for the example's region and period."""
    key = (indicator, category)
    if key not in ex._comparisons:
        ex._comparisons[key] = build_comparison(indicator, ex.region, ex.period, peers=ex.peers, category=category)
    return ex._comparisons[key]


def _md(text: str):
    from IPython.display import Markdown

    return Markdown(text)


def _label(comp) -> str:
    return f"{comp.spec.name}: {comp.category}" if comp.category else comp.spec.name


def _value(comp, which: str = "row") -> str:
    return format_value(getattr(comp, which)["value"], comp.unit)


def _sentences(comp, *, trend: bool = True) -> list[str]:
    """Level, comparison with Nederland and (optionally) the change in a year."""
    out = [narrative.level_sentence(comp.spec, comp.region, comp.period, comp.row["value"], comp.category)]
    if not comp.region.is_national and comp.unit != "count":
        out.append(narrative.comparison_sentence(comp.verdict))
    if trend and comp.trend is not None:
        out.append(comp.trend.sentence)
    return out


def _source(comps) -> str:
    prov = {"tables": [], "synthetic": False}
    for c in comps:
        prov["tables"] = list(dict.fromkeys([*prov["tables"], *c.source.get("tables", [])]))
        prov["synthetic"] = prov["synthetic"] or bool(c.source.get("synthetic"))
    return f"*{query.source_label(prov)}*"


def _table(ex: steps.Example, comps) -> list:
    """Region now, a year earlier and Nederland, one row per comparison, with the source."""
    rows = []
    for c in comps:
        earlier = "–" if c.trend is None else format_value(c.trend.value_from, c.unit)
        rows.append({
            "Indicator": _label(c), f"{ex.region.name}, {ex.period.title}": _value(c),
            "Een jaar eerder": earlier, "Nederland": _value(c, "national_row"),
        })
    return [_md(steps.md_table(pd.DataFrame(rows)) + "\n\n" + _source(comps))]


def _over_time(comp) -> list:
    frame = comp.series.copy()
    frame.attrs = dict(comp.series.attrs)
    return [plots.time_series(frame)]


def _trend_reading(comp, fell: str, rose: str, same: str) -> str:
    word = comp.trend.verdict if comp.trend is not None else "niet te zeggen"
    if "gedaald" in word:
        return fell
    if "gestegen" in word:
        return rose
    return same


# --------------------------------------------------------------------------- heftig-structureel-geweld
def _h1_material(ex):
    c = _comp(ex, "meldingen_acuut_structureel_pct")
    counts = pd.DataFrame([{
        "Regio": ex.region.name, "Acuut en/of structureel onveilig": format_value(c.row["numerator"], "count"),
        "Meldingen": format_value(c.row["denominator"], "count"), "Aandeel": _value(c),
        "Nederland": _value(c, "national_row"),
    }])
    return [_md(steps.md_table(counts) + "\n\n" + _source([c])), plots.region_vs_national_bar(c.series, ex.period)]


def _h1_answer(ex):
    c = _comp(ex, "meldingen_acuut_structureel_pct")
    out = _sentences(c, trend=False) + [c.verdict.explanation]
    if c.rank is not None:
        out.append(narrative.rank_sentence(c.rank, ex.region))
    return out


def _h2_material(ex):
    return _over_time(_comp(ex, "meldingen_acuut_structureel_pct"))


def _h2_answer(ex):
    c = _comp(ex, "meldingen_acuut_structureel_pct")
    out = [s.sentence for s in (c.shape, c.trend) if s is not None]
    out.append(_trend_reading(
        c,
        "Het aandeel is gedaald. Dat past bij minder heftig en structureel geweld in nieuwe meldingen, maar kan ook "
        "komen doordat er meer lichtere zaken worden gemeld.",
        "Het aandeel is gestegen: in deze cijfers is het heftige en structurele geweld niet teruggedrongen. Het kan ook "
        "zijn dat zware zaken beter in beeld komen of anders worden beoordeeld.",
        "Er is geen duidelijke verandering in een jaar: op grond van dit cijfer is niet te zeggen dat het heftige en "
        "structurele geweld is teruggedrongen.",
    ))
    out.append("De monitor telt meldingen, niet het geweld zelf; of het geweld echt minder is, vraagt het gesprek met partners.")
    return out


def _h3_material(ex):
    frame = ex.frames["duur_geweld_meldingen_pct"]
    return [plots.distribution_bars(frame, ex.period)]


def _h3_answer(ex):
    long, middle = (_comp(ex, "duur_geweld_meldingen_pct", c) for c in ("langer dan 5 jaar", "> 1 jaar, < 5 jaar"))
    out = _sentences(long)
    out.append(f"Bij nog eens {_value(middle)} van de meldingen duurde het geweld 1 tot 5 jaar (landelijk {_value(middle, 'national_row')}).")
    out.append("Veel langdurig geweld bij meldingen wijst op structureel geweld dat pas laat bij Veilig Thuis komt; "
               "als de aanpak werkt, zou dat aandeel door de tijd moeten dalen.")
    return out


_JUSTICE = ("overdracht_rvdk_pct", "overdracht_om_acuut_structureel_pct", "ots_per_10k")


def _h4_material(ex):
    return _table(ex, [_comp(ex, i) for i in _JUSTICE])


def _h4_answer(ex):
    out = []
    for i in _JUSTICE:
        out += _sentences(_comp(ex, i))
    out.append("Kleine aantallen maken deze percentages onzeker: een verschil is pas een verschil als het buiten de "
               "marge van toeval en afronding valt. Vraag de Raad voor de Kinderbescherming en het OM naar hun eigen cijfers.")
    return out


def _h5_material(ex):
    return [_md(steps.md_table(steps.indicator_table(ex.specs))
                + "\n\n*Bron: Impactmonitor HGKM, overzicht van indicatoren (instrument 02).*")]


def _h5_answer(ex):
    out = [f"'{s.name}' staat niet in de open data van CBS; u vindt het bij: {s.where}." for s in ex.missing_specs]
    c = _comp(ex, "vervolgmeldingen_pct")
    out.append(
        f"Een benadering in de open data is het aandeel vervolgmeldingen (een nieuwe melding terwijl Veilig Thuis al "
        f"betrokken is): {_value(c)} in {ex.phrase} in {ex.period.dutch}, landelijk {_value(c, 'national_row')}. "
        "Dat is geen recidive van plegers, maar zegt wel iets over geweld dat terugkomt."
    )
    out += narrative.limits(c.spec, ex.region)[:2]
    return out


def _questions_material(ex):
    return steps.step6_stands_out(ex)


def _questions_answer(ex):
    head = steps.comparison(ex, get_indicator_spec(ex.question.headline))
    asked = narrative.questions(head.spec, ex.region, verdict=head.verdict, trend=head.trend,
                                shape=steps.notable_shape(head), has_peers=head.peers is not None)
    picked = list(dict.fromkeys(asked + list(ex.question.reflection)))[:6]
    return ["Bijvoorbeeld:"] + [f"- {q}" for q in picked] + [
        "Stel open vragen en vraag partners naar hun eigen cijfers en ervaringen: de cijfers zijn een begin, geen oordeel."
    ]


# --------------------------------------------------------------------------- eerder-beter-in-beeld
def _e1_material(ex):
    comps = [_comp(ex, "adviezen_per_10k"), _comp(ex, "meldingen_per_10k")]
    return _table(ex, comps) + _over_time(comps[1])


def _e1_answer(ex):
    out = _sentences(_comp(ex, "adviezen_per_10k")) + _sentences(_comp(ex, "meldingen_per_10k"))
    out.append("Meer adviesvragen en meldingen per inwoner kan betekenen dat huiselijk geweld beter in beeld komt, maar "
               "ook dat er meer geweld is; het cijfer alleen zegt dat niet.")
    return out


def _top(ex, indicator: str, n: int = 3) -> list[tuple[str, float]]:
    part = ex.frames[indicator]
    part = part[(part["period"] == ex.period.key) & (part["category"].str.lower() != "onbekend")].dropna(subset=["value"])
    part = part.sort_values("value", ascending=False).head(n)
    return list(zip(part["category"], part["value"]))


def _e2_material(ex):
    return [plots.distribution_bars(ex.frames["adviesvragers_type_pct"], ex.period)]


def _e2_answer(ex):
    out = _sentences(_comp(ex, "adviesvragers_burger_pct"), trend=False)
    top = "; ".join(f"{c} ({format_value(v, 'percent')})" for c, v in _top(ex, "adviesvragers_type_pct"))
    out.append(f"De grootste groepen adviesvragers in {ex.phrase} zijn: {top}.")
    out.append("Veel adviesvragen van burgers kan betekenen dat Veilig Thuis goed bekend is, of dat professionals de weg "
               "minder goed vinden.")
    return out


_PROFESSIONS = ("Kinderopvang", "Onderwijs", "Huisarts", "Maatschappelijk werk")


def _advice_vs_reports(ex) -> pd.DataFrame:
    frames = {k: ex.frames[k] for k in ("adviesvragers_type_pct", "melders_type_pct")}
    at = {k: f[f["period"] == ex.period.key].set_index("category")["value"] for k, f in frames.items()}
    common = [c for c in at["adviesvragers_type_pct"].index if c in at["melders_type_pct"].index and c.lower() != "onbekend"]
    return pd.DataFrame({
        "Adviesvrager / melder": common,
        "Aandeel van de adviesvragen": [format_value(at["adviesvragers_type_pct"][c], "percent") for c in common],
        "Aandeel van de meldingen": [format_value(at["melders_type_pct"][c], "percent") for c in common],
    })


def _e3_material(ex):
    prov = {**ex.provenance, "tables": sorted({t for k in ("adviesvragers_type_pct", "melders_type_pct")
                                               for t in ex.frames[k].attrs.get("source", {}).get("tables", [])})}
    return [_md(steps.md_table(_advice_vs_reports(ex)) + f"\n\n*{query.source_label(prov)}*")]


def _e3_answer(ex):
    table = _advice_vs_reports(ex).set_index("Adviesvrager / melder")
    found = steps.advice_versus_reports(ex)
    out = [found or f"In {ex.phrase} is er geen beroepsgroep die veel vaker advies vraagt dan meldt."]
    named = [p for p in _PROFESSIONS if p in table.index]
    if named:
        listed = "; ".join(f"{p}: {table.loc[p].iloc[0]} van de adviesvragen, {table.loc[p].iloc[1]} van de meldingen"
                           for p in named)
        out.append(f"De beroepsgroepen waarop de scholing gericht is: {listed}.")
    out.append("Advies vragen zonder te melden kan goed zijn (de professional handelt zelf), maar kan ook betekenen dat "
               "signalen blijven liggen; bespreek met deze beroepsgroepen hoe zij de meldcode toepassen.")
    return out


def _e4_material(ex):
    return _over_time(_comp(ex, "meldingen_acuut_structureel_pct"))


def _e4_answer(ex):
    c = _comp(ex, "meldingen_acuut_structureel_pct")
    out = [s.sentence for s in (c.shape, c.trend) if s is not None]
    out.append(_trend_reading(
        c,
        "Het aandeel acuut en structureel onveilige meldingen daalt. Dat past bij geweld dat eerder in beeld komt, "
        "met lichtere problematiek en minder escalatie.",
        "Het aandeel stijgt: de meldingen zijn zwaarder geworden. Dat wijst er niet op dat geweld eerder in beeld komt.",
        "Er is geen duidelijke verandering in een jaar; of geweld eerder in beeld komt, is hier nog niet aan te zien.",
    ))
    return out


def _e5_material(ex):
    return _over_time(_comp(ex, "duur_geweld_meldingen_pct", "langer dan 5 jaar"))


def _e5_answer(ex):
    c = _comp(ex, "duur_geweld_meldingen_pct", "langer dan 5 jaar")
    out = _sentences(c)
    if c.shape is not None:
        out.append(c.shape.sentence)
    out.append(_trend_reading(
        c,
        "Minder meldingen over geweld dat al jaren duurt, past bij geweld dat eerder in beeld komt.",
        "Meer meldingen over geweld dat al jaren duurt: het geweld komt niet eerder in beeld.",
        "Het aandeel langdurig geweld veranderde niet duidelijk; eerder in beeld is hier (nog) niet aan te zien.",
    ))
    return out


_EXERCISES = {
    "heftig-structureel-geweld": (
        Exercise(1, "Hoe zwaar is de casuïstiek?", _h1_material, _h1_answer),
        Exercise(2, "Is het heftige en structurele geweld teruggedrongen?", _h2_material, _h2_answer),
        Exercise(3, "Hoe lang duurt het geweld?", _h3_material, _h3_answer),
        Exercise(4, "Gaan er minder zaken naar het justitiële kader?", _h4_material, _h4_answer),
        Exercise(5, "Wat kan de monitor niet beantwoorden?", _h5_material, _h5_answer),
        Exercise(6, "Welke vragen stelt u de partners?", _questions_material, _questions_answer),
    ),
    "eerder-beter-in-beeld": (
        Exercise(1, "Hoeveel adviesvragen en meldingen komen er binnen?", _e1_material, _e1_answer),
        Exercise(2, "Van wie komen de adviesvragen?", _e2_material, _e2_answer),
        Exercise(3, "Vragen professionals wel advies, maar melden ze weinig?", _e3_material, _e3_answer),
        Exercise(4, "Is de ernst van de meldingen afgenomen?", _e4_material, _e4_answer),
        Exercise(5, "Is de duur van het geweld afgenomen?", _e5_material, _e5_answer),
        Exercise(6, "Welke vragen stelt u de partners?", _questions_material, _questions_answer),
    ),
}


# --------------------------------------------------------------------------- the notebook's calls
def exercises(question: str) -> tuple[Exercise, ...]:
    return _EXERCISES[_check_question(question)]


def _exercise(ex: steps.Example, number: int) -> Exercise:
    found = [e for e in exercises(ex.question.id) if e.number == number]
    if not found:
        raise ParameterError(f"Vraag {number} bestaat niet bij deze oefening; kies 1 t/m {len(exercises(ex.question.id))}.")
    return found[0]


def material(ex: steps.Example, number: int) -> list:
    """Charts and tables with the region's figures for "Vraag ``number``"."""
    return _exercise(ex, number).material(ex)


def model_answer(ex: steps.Example, number: int) -> str:
    """The model answer for "Vraag ``number``" as Markdown, written from the region's figures.

    Sentences run on in one paragraph; lines starting with ``- `` form a list.
    """
    blocks: list[list[str]] = []
    for line in _exercise(ex, number).answer(ex):
        kind = line.startswith("- ")
        if not blocks or (blocks[-1][0].startswith("- ")) != kind:
            blocks.append([])
        blocks[-1].append(line)
    return "\n\n".join(("\n" if b[0].startswith("- ") else " ").join(b) for b in blocks)


def banner(ex: steps.Example) -> list:
    return steps.banner(ex)


def intro(ex: steps.Example) -> list:
    return [_md(
        f"**Uw regio:** {ex.region.name} · **cijfers over:** {ex.period.dutch} ({ex.period.title})"
        + (" — voorlopige cijfers" if ex.period.is_provisional else "")
        + (f"\n\n*{ex.note}*" if ex.note else "")
    )]


def show_answer(ex: steps.Example, number: int, answers: bool) -> None:
    """Show the model answer (only when ``answers`` is true)."""
    if answers:
        show([_md(f"> **Modelantwoord bij vraag {number}.** " + model_answer(ex, number).replace("\n", "\n> "))])


def summary(ex: steps.Example, answers: bool) -> dict:
    """The record the HTML export reads back (title and oefendata banner)."""
    kind = "antwoorden" if answers else "oefening"
    return {
        "region": ex.region.name, "question": ex.question.id, "period": ex.period.key, "answers": answers,
        "title": f"Oefening {ex.region.name}: {ex.question.title}" + (" (antwoorden)" if answers else ""),
        "kind": kind, "synthetic": ex.synthetic, "banner": steps.OEFENDATA_TEXT if ex.synthetic else None,
    }


def show_summary(ex: steps.Example, answers: bool) -> None:
    from IPython.display import display

    display({"application/json": summary(ex, answers)}, raw=True)


# --------------------------------------------------------------------------- generating versions
@dataclass
class ExerciseResult:
    region: Region
    question: str
    answers: bool
    notebook: Path | None  # None for a printable sheet (--format html)
    html: Path | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def template(question: str) -> Path:
    path = TEMPLATE_DIR / f"{_check_question(question)}.ipynb"
    if not path.is_file():
        raise DataFault(f"Het oefennotebook {path} ontbreekt; de oefeningen draaien vanuit een kopie van het project.")
    return path


def exercise_paths(out: str | Path, region: Region, question: str, answers: bool) -> tuple[Path, Path]:
    """``<out>/oefeningen/<region-slug>/<question-id>[-antwoorden].{ipynb,html}``."""
    from .run.paths import output_paths

    name = f"{question}-antwoorden" if answers else question
    paths = output_paths(Path(out or "outputs") / "oefeningen", region, name)
    return paths.notebook, paths.html


def _strip_answers(nb) -> None:
    """A participant version keeps no model-answer cells (not even empty ones)."""
    nb.cells = [c for c in nb.cells if ANSWER_TAG not in c.get("metadata", {}).get("tags", [])]


def _run_one(region: Region, question: str, period: str, answers: bool, out) -> ExerciseResult:
    import papermill as pm

    from .run.execute import CELL_TIMEOUT, KERNEL, describe_failure, read_summary
    from .run.export import write_html
    from .run.paths import new_temp

    notebook, html = exercise_paths(out, region, question, answers)
    result = ExerciseResult(region, question, answers, notebook)
    tmp = new_temp(notebook)
    try:
        pm.execute_notebook(
            str(template(question)), str(tmp), kernel_name=KERNEL, progress_bar=False, log_output=False,
            parameters={"region": region.name, "level": region.level, "period": period, "answers": answers},
            execution_timeout=CELL_TIMEOUT, extra_arguments=["--log-level=ERROR"],
        )
        nb = nbformat.read(tmp, as_version=4)
        if not answers:
            _strip_answers(nb)
        summary = read_summary(nb)
        nb.metadata["title"] = summary.get("title") or nb.metadata.get("title", "Oefening")
        nbformat.write(nb, tmp)
        os.replace(tmp, notebook)
        result.html = write_html(nb, html, summary=summary)
    except Exception as exc:  # noqa: BLE001 - reported per region, never a traceback
        result.error = describe_failure(exc)[0]
        for stale in (notebook, html):
            stale.unlink(missing_ok=True)
    finally:
        tmp.unlink(missing_ok=True)
    return result


def generate(
    regions: list[str], question: str, *, answers: bool = False, period: str | None = None,
    out: str | Path = "outputs", jobs: int = 1,
) -> list[ExerciseResult]:
    """Execute the exercise for each region (participant or answer version) and export HTML.

    All regions get the same period (default: the newest half year of the question's headline).
    A region that fails does not stop the others; its result carries the error.
    """
    from .run.execute import kernel_environment

    q = load_question(_check_question(question))
    template(question)
    if not regions:
        raise ParameterError("Geef minstens één regio, bijvoorbeeld --regions Twente,Drenthe.")
    resolved = [_regions.resolve(r).region for r in regions]
    per = query.check_period(q.headline, period).key
    kernel_environment()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(lambda r: _run_one(r, question, per, answers, out), resolved))



# --------------------------------------------------------------------------- printable sheets (no Python)
FORMATS = ("notebook", "html")

#: Per question and "Vraag": what to choose in the verkenner to see its figures
#: (indicator id, comparison key of :data:`impactlib.explorer.COMPARISONS`, category or None).
VERKENNER_CHOICES: dict[tuple[str, int], tuple[tuple[str, str, str | None], ...]] = {
    ("heftig-structureel-geweld", 1): (("meldingen_acuut_structureel_pct", "nederland", None),
                                       ("meldingen_acuut_structureel_pct", "alle", None)),
    ("heftig-structureel-geweld", 2): (("meldingen_acuut_structureel_pct", "tijd", None),),
    ("heftig-structureel-geweld", 3): (("duur_geweld_meldingen_pct", "nederland", "langer dan 5 jaar"),),
    ("heftig-structureel-geweld", 4): (("overdracht_rvdk_pct", "nederland", None),
                                       ("overdracht_om_acuut_structureel_pct", "nederland", None),
                                       ("ots_per_10k", "vergelijkbaar", None)),
    ("heftig-structureel-geweld", 5): (("vervolgmeldingen_pct", "tijd", None),),
    ("heftig-structureel-geweld", 6): (("meldingen_acuut_structureel_pct", "vergelijkbaar", None),),
    ("eerder-beter-in-beeld", 1): (("adviezen_per_10k", "nederland", None), ("meldingen_per_10k", "tijd", None)),
    ("eerder-beter-in-beeld", 2): (("adviesvragers_type_pct", "nederland", "Burger"),),
    ("eerder-beter-in-beeld", 3): (("melders_type_pct", "nederland", "Onderwijs"),
                                   ("adviesvragers_type_pct", "nederland", "Onderwijs")),
    ("eerder-beter-in-beeld", 4): (("meldingen_acuut_structureel_pct", "tijd", None),),
    ("eerder-beter-in-beeld", 5): (("duur_geweld_meldingen_pct", "tijd", "langer dan 5 jaar"),),
    ("eerder-beter-in-beeld", 6): (("meldingen_per_10k", "vergelijkbaar", None),),
}

_SHEET_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:48em;margin:1.5em auto;padding:0 1em;
line-height:1.45;color:#222}
h1{font-size:1.5em;margin-bottom:.2em} h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #bbb}
table{border-collapse:collapse;margin:.5em 0;font-size:.92em} th,td{border:1px solid #ccc;padding:2px 8px;text-align:left}
img{max-width:100%} .kies{background:#eef3f8;border-left:4px solid #9ecae1;padding:.4em .8em;margin:.6em 0}
.antwoord{border:1px solid #999;min-height:9em;margin:.6em 0;padding:.3em .6em;color:#777}
.model{background:#f3f8ee;border-left:4px solid #74c476;padding:.4em .8em}
.vraag{break-inside:avoid-page} .bron{color:#555;font-size:.85em}
@media print{body{margin:0;max-width:none} .vraag{break-inside:avoid} a{color:#222}}
"""


def _markdown_html(text: str) -> str:
    """Markdown from our own sentences and tables as HTML; any HTML inside it is escaped."""
    import mistune

    return mistune.create_markdown(escape=True, plugins=["table"])(text)


def _item_html(item, alt: str) -> str:
    import base64
    import html

    from matplotlib.figure import Figure

    if isinstance(item, Figure):
        import io

        buffer = io.BytesIO()
        item.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        return f"<p><img src='data:image/png;base64,{data}' alt='{html.escape(alt, quote=True)}'></p>"
    text = getattr(item, "data", item)
    return _markdown_html(str(text))


def verkenner_steps(question: str, number: int, region: Region, period) -> list[str]:
    """The choices to make in the verkenner for "Vraag ``number``", as plain sentences."""
    from .explorer import COMPARISONS

    out = []
    for indicator, comparison, category in VERKENNER_CHOICES.get((question, number), ()):
        spec = get_indicator_spec(indicator, require_open=True)
        what = f"indicator *{spec.name}*" + (f", categorie *{category}*" if category else "")
        out.append(f"Regio *{region.name}*, {what}, periode *{period.title}*, vergelijk met *{COMPARISONS[comparison]}*.")
    return out


def sheet_html(ex: steps.Example, *, answers: bool = False, verkenner_url: str | None = None) -> str:
    """A printable exercise sheet for one region: per "Vraag" the figures, where to find them in the
    verkenner, room to write, and (``answers``) the model answer. Every text is escaped."""
    import html

    from .run.export import banner_html

    esc = html.escape
    question = ex.question
    kind = " — antwoorden" if answers else ""
    where = (f"<a href='{esc(verkenner_url, quote=True)}'>{esc(verkenner_url)}</a>" if verkenner_url
             else "het adres dat de trainer geeft: http://.................................")
    parts = [
        "<!DOCTYPE html><html lang='nl'><head><meta charset='utf-8'>",
        f"<title>{esc(f'Oefening {ex.region.name}: {question.title}{kind}')}</title>",
        f"<style>{_SHEET_CSS}</style></head><body>",
    ]
    if ex.synthetic:
        parts.append(banner_html(steps.OEFENDATA_TEXT))
    parts += [
        f"<h1>Oefening: {esc(question.title)}{esc(kind)}</h1>",
        f"<p><b>Uw regio:</b> {esc(ex.region.name)} · <b>cijfers over:</b> {esc(ex.period.dutch)} "
        f"({esc(ex.period.title)}){' — voorlopige cijfers' if ex.period.is_provisional else ''}</p>",
        f"<p>U hebt alleen een browser nodig. Open de verkenner op {where} en kies bij elke vraag wat er in het "
        "blauwe vak staat. De cijfers staan ook op dit blad; schrijf uw antwoord in het vak eronder.</p>",
    ]
    if ex.note:
        parts.append(f"<p><i>{esc(ex.note)}</i></p>")
    for exercise in exercises(question.id):
        parts.append(f"<section class='vraag'><h2>Vraag {exercise.number}. {esc(exercise.title)}</h2>")
        hints = verkenner_steps(question.id, exercise.number, ex.region, ex.period)
        if hints:
            items = "".join(f"<li>{_markdown_html(h).strip().removeprefix('<p>').removesuffix('</p>')}</li>"
                            for h in hints)
            parts.append(f"<div class='kies'><b>In de verkenner:</b><ul>{items}</ul></div>")
        for item in exercise.material(ex):
            parts.append(_item_html(item, f"Vraag {exercise.number}: {exercise.title} — {ex.region.name}"))
        if answers:
            parts.append(f"<div class='model'><b>Modelantwoord.</b> {_markdown_html(model_answer(ex, exercise.number))}</div>")
        else:
            parts.append("<div class='antwoord'>Uw antwoord:</div>")
        parts.append("</section>")
    parts.append(f"<p class='bron'>{esc(query.source_label(ex.provenance))}</p></body></html>")
    return "\n".join(parts)


def sheet_path(out: str | Path, region: Region, question: str, answers: bool) -> Path:
    """``<out>/oefeningen/<region-slug>/<question-id>[-antwoorden]-werkblad.html``."""
    from .run.paths import output_paths

    name = f"{question}-antwoorden-werkblad" if answers else f"{question}-werkblad"
    return output_paths(Path(out or "outputs") / "oefeningen", region, name).html


def generate_sheets(
    regions: list[str], question: str, *, answers: bool = False, period: str | None = None,
    out: str | Path = "outputs", verkenner_url: str | None = None,
) -> list[ExerciseResult]:
    """Write a printable HTML sheet per region (no notebook, no kernel); see :func:`sheet_html`."""
    from .run.execute import describe_failure
    from .run.paths import atomic_write

    q = load_question(_check_question(question))
    if not regions:
        raise ParameterError("Geef minstens één regio, bijvoorbeeld --regions Twente,Drenthe.")
    resolved = [_regions.resolve(r).region for r in regions]
    per = query.check_period(q.headline, period).key
    results = []
    for region in resolved:
        target = sheet_path(out, region, question, answers)
        result = ExerciseResult(region, question, answers, notebook=None, html=None)
        try:
            ex = prepare(region.key, question, per, level=region.level)
            target.parent.mkdir(parents=True, exist_ok=True)
            result.html = atomic_write(target, sheet_html(ex, answers=answers, verkenner_url=verkenner_url))
        except Exception as exc:  # noqa: BLE001 - reported per region, never a traceback
            result.error = describe_failure(exc)[0]
        results.append(result)
    return results
