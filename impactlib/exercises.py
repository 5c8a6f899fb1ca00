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

For participants without Python, :func:`impactlib.run.sheets.generate_sheets` (``impactmonitor
exercise --format html``) writes a printable sheet per region instead
(``<question-id>[-antwoorden]-werkblad.html``): per "Vraag" the figures, the choices to make in
the served verkenner to see them (:data:`VERKENNER_CHOICES`), a box to write in, or the model answer.

This module holds the exercises (:func:`exercises`), their material and their answers; the
fixed sentences of the answers and the sheet are in ``impactlib/data/exercises.yaml``. It
executes no notebook itself: :func:`job` describes one version as a
:class:`~impactlib.run.job.NotebookJob` and :mod:`impactlib.run` executes it, on warm kernels,
keeping a failed notebook as ``<question-id>[-antwoorden].mislukt.ipynb`` as for a run.

Questions (:data:`QUESTIONS`):

- ``heftig-structureel-geweld`` — is het heftige en structurele geweld teruggedrongen?
- ``eerder-beter-in-beeld`` — zijn de aard en omvang eerder en beter in beeld?
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from . import plots, query, steps
from .catalogue import get_indicator_spec
from .compare import narrative
from .errors import DataFault, ParameterError
from .formatting import format_value
from .params import EXERCISE_QUESTIONS, PROJECT_ROOT, load_question
from .regions import Region, resolve
from .yamlfiles import safe_load

if TYPE_CHECKING:  # run/ is imported when a version is made, not in the notebook's kernel
    from .run.job import NotebookJob, RunResult

__all__ = [
    "QUESTIONS", "ANSWER_TAG", "Exercise", "prepare", "exercises", "material", "model_answer", "show", "banner",
    "intro", "show_answer", "show_summary", "template", "version_name", "exercise_paths", "job", "targets",
    "generate", "FORMATS", "VERKENNER_CHOICES", "verkenner_steps", "texts",
]

QUESTIONS = EXERCISE_QUESTIONS
ANSWER_TAG = "modelantwoord"
TEMPLATE_DIR = PROJECT_ROOT / "notebooks" / "oefeningen"
OUTPUT_FOLDER = "oefeningen"  # <out>/oefeningen/<region-slug>/...
show, banner = steps.show, steps.banner
ACUTE = "meldingen_acuut_structureel_pct"
DURATION, LONG = "duur_geweld_meldingen_pct", "langer dan 5 jaar"


@cache
def texts() -> dict:
    """The prose of the exercises and the sheet (``impactlib/data/exercises.yaml``), read once."""
    return safe_load(resources.files("impactlib").joinpath("data/exercises.yaml").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Exercise:
    """One "Vraag": what the participant sees, and how the model answer is written.

    ``text`` is this Vraag's prose from ``impactlib/data/exercises.yaml`` (the sentences that
    do not depend on the figures); ``build_material(ex, text)`` and ``build_answer(ex, text)``
    make the charts and tables and the answer's lines from the region's figures and that text.
    """

    number: int
    title: str
    text: Mapping[str, str] = field(repr=False)
    build_material: Callable[[steps.Example, Mapping[str, str]], list] = field(repr=False)
    build_answer: Callable[[steps.Example, Mapping[str, str]], list[str]] = field(repr=False)

    def material(self, ex: steps.Example) -> list:
        return self.build_material(ex, self.text)

    def answer(self, ex: steps.Example) -> list[str]:
        return self.build_answer(ex, self.text)


# --------------------------------------------------------------------------- preparation
def _check_question(question: str) -> str:
    if question not in QUESTIONS:
        raise ParameterError(f"Voor beleidsvraag '{str(question)[:60]}' is geen oefening; kies uit: {', '.join(QUESTIONS)}.")
    return question


def prepare(region: str, question: str, period: str | None = None, *, level: str | None = None) -> steps.Example:
    """The region's figures for the question (as in the stappenplan, steps 1–6)."""
    return steps.prepare(region=region, question=_check_question(question), period=period, level=level)


def _comp(ex: steps.Example, indicator: str, category: str | None = None):
    """The comparison of one indicator (and category) for the example's region and period,
    memoised by the example (:func:`impactlib.steps.comparison`)."""
    return steps.comparison(ex, indicator, category)


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
    tables = list(dict.fromkeys(t for c in comps for t in c.source.get("tables", [])))
    return f"*{query.source_label({'tables': tables, 'synthetic': any(c.source.get('synthetic') for c in comps)})}*"


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


def _bars(indicator: str):
    """Material: the distribution of ``indicator`` in the region and Nederland."""
    return lambda ex, text: [plots.distribution_bars(ex.frames[indicator], ex.period)]


def _over_time(comp) -> list:
    frame = comp.series.copy()
    frame.attrs = dict(comp.series.attrs)
    return [plots.time_series(frame)]


def _change_in_a_year(indicator: str, category: str | None = None, *, level: bool = False):
    """Material and answer of a "Vraag" about the change in a year: the chart over time; the answer
    gives the shape and the change (``level``: the level and comparison first) and reads the change
    with the text's ``fell``, ``rose`` or ``same``, then its ``note`` (if any)."""
    def material(ex, text):
        return _over_time(_comp(ex, indicator, category))

    def answer(ex, text):
        c = _comp(ex, indicator, category)
        if level:
            out = _sentences(c) + ([c.shape.sentence] if c.shape is not None else [])
        else:
            out = [s.sentence for s in (c.shape, c.trend) if s is not None]
        word = c.trend.verdict if c.trend is not None else "niet te zeggen"
        out.append(text["fell"] if "gedaald" in word else text["rose"] if "gestegen" in word else text["same"])
        return out + ([text["note"]] if "note" in text else [])

    return material, answer


# --------------------------------------------------------------------------- heftig-structureel-geweld
def _h1_material(ex, text):
    c = _comp(ex, ACUTE)
    counts = pd.DataFrame([{
        "Regio": ex.region.name, "Acuut en/of structureel onveilig": format_value(c.row["numerator"], "count"),
        "Meldingen": format_value(c.row["denominator"], "count"), "Aandeel": _value(c),
        "Nederland": _value(c, "national_row"),
    }])
    return [_md(steps.md_table(counts) + "\n\n" + _source([c])), plots.region_vs_national_bar(c.series, ex.period)]


def _h1_answer(ex, text):
    c = _comp(ex, ACUTE)
    out = _sentences(c, trend=False) + [c.verdict.explanation]
    if c.rank is not None:
        out.append(narrative.rank_sentence(c.rank, ex.region))
    return out


def _h3_answer(ex, text):
    long, middle = (_comp(ex, DURATION, c) for c in (LONG, "> 1 jaar, < 5 jaar"))
    between = text["middle"].format(value=_value(middle), national=_value(middle, "national_row"))
    return _sentences(long) + [between, text["note"]]


_JUSTICE = ("overdracht_rvdk_pct", "overdracht_om_acuut_structureel_pct", "ots_per_10k")


def _h4_answer(ex, text):
    return [s for i in _JUSTICE for s in _sentences(_comp(ex, i))] + [text["note"]]


def _h5_material(ex, text):
    return [_md(steps.md_table(steps.indicator_table(ex.specs)) + "\n\n" + text["source"])]


def _h5_answer(ex, text):
    out = [text["missing"].format(name=s.name, where=s.where) for s in ex.missing_specs]
    c = _comp(ex, "vervolgmeldingen_pct")
    out.append(text["proxy"].format(value=_value(c), phrase=ex.phrase, period=ex.period.dutch,
                                    national=_value(c, "national_row")))
    return out + narrative.limits(c.spec, ex.region)[:2]


def _partners_answer(ex, text):
    head = _comp(ex, ex.question.headline)
    asked = narrative.questions(head.spec, ex.region, verdict=head.verdict, trend=head.trend,
                                shape=steps.notable_shape(head), has_peers=head.peers is not None)
    picked = list(dict.fromkeys(asked + list(ex.question.reflection)))[:6]
    return [text["lead"]] + [f"- {q}" for q in picked] + [text["note"]]


# --------------------------------------------------------------------------- eerder-beter-in-beeld
def _e1_material(ex, text):
    comps = [_comp(ex, "adviezen_per_10k"), _comp(ex, "meldingen_per_10k")]
    return _table(ex, comps) + _over_time(comps[1])


def _e1_answer(ex, text):
    return _sentences(_comp(ex, "adviezen_per_10k")) + _sentences(_comp(ex, "meldingen_per_10k")) + [text["note"]]


def _top(ex, indicator: str, n: int = 3) -> list[tuple[str, float]]:
    part = ex.frames[indicator]
    part = part[(part["period"] == ex.period.key) & (part["category"].str.lower() != "onbekend")].dropna(subset=["value"])
    part = part.sort_values("value", ascending=False).head(n)
    return list(zip(part["category"], part["value"]))


def _e2_answer(ex, text):
    top = "; ".join(f"{c} ({format_value(v, 'percent')})" for c, v in _top(ex, "adviesvragers_type_pct"))
    return (_sentences(_comp(ex, "adviesvragers_burger_pct"), trend=False)
            + [text["top"].format(phrase=ex.phrase, top=top), text["note"]])


_PROFESSIONS = ("Kinderopvang", "Onderwijs", "Huisarts", "Maatschappelijk werk")
_TYPES = ("adviesvragers_type_pct", "melders_type_pct")


def _advice_vs_reports(ex) -> pd.DataFrame:
    at = {k: ex.frames[k][ex.frames[k]["period"] == ex.period.key].set_index("category")["value"] for k in _TYPES}
    advice, reports = at[_TYPES[0]], at[_TYPES[1]]
    common = [c for c in advice.index if c in reports.index and c.lower() != "onbekend"]
    return pd.DataFrame({
        "Adviesvrager / melder": common,
        "Aandeel van de adviesvragen": [format_value(advice[c], "percent") for c in common],
        "Aandeel van de meldingen": [format_value(reports[c], "percent") for c in common],
    })


def _e3_material(ex, text):
    tables = sorted({t for k in _TYPES for t in ex.frames[k].attrs.get("source", {}).get("tables", [])})
    prov = {**ex.provenance, "tables": tables}
    return [_md(steps.md_table(_advice_vs_reports(ex)) + f"\n\n*{query.source_label(prov)}*")]


def _e3_answer(ex, text):
    table = _advice_vs_reports(ex).set_index("Adviesvrager / melder")
    out = [steps.advice_versus_reports(ex) or text["none"].format(phrase=ex.phrase)]
    named = [p for p in _PROFESSIONS if p in table.index]
    if named:
        listed = "; ".join(text["profession"].format(name=p, advice=table.loc[p].iloc[0], reports=table.loc[p].iloc[1])
                           for p in named)
        out.append(text["professions"].format(listed=listed))
    return out + [text["note"]]


#: Per question, the material and the answer of each "Vraag" in order (titles and prose: the data file).
_PARTNERS = (lambda ex, text: steps.step6_stands_out(ex), _partners_answer)
_PARTS = {
    "heftig-structureel-geweld": (
        (_h1_material, _h1_answer), _change_in_a_year(ACUTE), (_bars(DURATION), _h3_answer),
        (lambda ex, text: _table(ex, [_comp(ex, i) for i in _JUSTICE]), _h4_answer),
        (_h5_material, _h5_answer), _PARTNERS,
    ),
    "eerder-beter-in-beeld": (
        (_e1_material, _e1_answer), (_bars("adviesvragers_type_pct"), _e2_answer), (_e3_material, _e3_answer),
        _change_in_a_year(ACUTE), _change_in_a_year(DURATION, LONG, level=True), _PARTNERS,
    ),
}


@cache
def _registry() -> dict[str, tuple[Exercise, ...]]:
    prose = texts()
    return {question: tuple(Exercise(n, prose[question][n]["title"], prose[question][n], *made)
                            for n, made in enumerate(parts, start=1))
            for question, parts in _PARTS.items()}


# --------------------------------------------------------------------------- the notebook's calls
def exercises(question: str) -> tuple[Exercise, ...]:
    return _registry()[_check_question(question)]


def _exercise(ex: steps.Example, number: int) -> Exercise:
    found = {e.number: e for e in exercises(ex.question.id)}
    if number not in found:
        raise ParameterError(f"Vraag {number} bestaat niet bij deze oefening; kies 1 t/m {len(found)}.")
    return found[number]


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
def template(question: str) -> Path:
    path = TEMPLATE_DIR / f"{_check_question(question)}.ipynb"
    if not path.is_file():
        raise DataFault(f"Het oefennotebook {path} ontbreekt; de oefeningen draaien vanuit een kopie van het project.",
                        path=str(path))
    return path


def version_name(question: str, answers: bool) -> str:
    """The file name (without suffix) of a version: ``<question-id>`` or ``<question-id>-antwoorden``."""
    return f"{question}-antwoorden" if answers else question


def _output_paths(out: str | Path, region: Region, question: str, answers: bool):
    from .run.paths import output_paths

    return output_paths(Path(out or "outputs") / OUTPUT_FOLDER, region, version_name(question, answers))


def exercise_paths(out: str | Path, region: Region, question: str, answers: bool) -> tuple[Path, Path]:
    """``<out>/oefeningen/<region-slug>/<question-id>[-antwoorden].{ipynb,html}``."""
    paths = _output_paths(out, region, question, answers)
    return paths.notebook, paths.html


def job(region: Region, question: str, period: str, answers: bool, out: str | Path = "outputs") -> NotebookJob:
    """One version of the exercise for one region, as a :class:`~impactlib.run.job.NotebookJob`:
    a participant version keeps no model-answer cells (not even empty ones)."""
    from .run.job import NotebookJob

    return NotebookJob(
        template(question), {"region": region.name, "level": region.level, "period": period, "answers": answers},
        _output_paths(out, region, question, answers), region=region, question=question, period=period,
        drop_tags=() if answers else (ANSWER_TAG,), title="Oefening",
    )


def targets(regions: list[str], question: str, period: str | None) -> tuple[list[Region], str]:
    """The regions asked for, and the one period they all get (default: the headline's newest)."""
    q = load_question(_check_question(question))
    if not regions:
        raise ParameterError("Geef minstens één regio, bijvoorbeeld --regions Twente,Drenthe.")
    resolved = [resolve(r).region for r in regions]
    return resolved, query.check_period(q.headline, period).key


def generate(
    regions: list[str], question: str, *, answers: bool = False, period: str | None = None,
    out: str | Path = "outputs", jobs: int = 1,
) -> list[RunResult]:
    """Execute the exercise for each region (participant or answer version) and export HTML.

    All regions get the same period (default: the newest half year of the question's headline).
    The notebooks run through :func:`impactlib.run.job.execute_all` on ``jobs`` warm kernels and
    come back as :class:`~impactlib.run.job.RunResult`. A region that fails does not stop the
    others: its result carries the error, and its executed notebook is kept as
    ``<question-id>[-antwoorden].mislukt.ipynb`` (``result.notebook``).
    """
    from .run.job import execute_all

    template(question)
    resolved, per = targets(regions, question, period)
    return execute_all([job(r, question, per, answers, out) for r in resolved], max(1, jobs))


# --------------------------------------------------------------------------- printable sheets (no Python)
FORMATS = ("notebook", "html")

#: Per question and "Vraag": what to choose in the verkenner to see its figures (indicator id,
#: comparison key of :data:`impactlib.explorer.COMPARISONS`, category or None), from the data file.
VERKENNER_CHOICES: dict[tuple[str, int], tuple[tuple[str, str, str | None], ...]] = {
    (question, number): tuple(tuple(choice) for choice in text.get("verkenner", ()))
    for question in QUESTIONS for number, text in texts()[question].items()
}


def verkenner_steps(question: str, number: int, region: Region, period) -> list[str]:
    """The choices to make in the verkenner for "Vraag ``number``", as plain sentences."""
    from .explorer import COMPARISONS

    say = texts()["sheet"]
    out = []
    for indicator, comparison, category in VERKENNER_CHOICES.get((question, number), ()):
        spec = get_indicator_spec(indicator, require_open=True)
        what = say["indicator"].format(name=spec.name) + (say["category"].format(category=category) if category else "")
        out.append(say["choice"].format(region=region.name, what=what, period=period.title,
                                        comparison=COMPARISONS[comparison]))
    return out
