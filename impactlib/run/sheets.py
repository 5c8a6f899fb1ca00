"""Printable exercise sheets: an exercise's material and answers as one HTML page, no kernel.

For participants without Python, ``impactmonitor exercise --format html`` writes, per region,
``<out>/oefeningen/<region-slug>/<question-id>[-antwoorden]-werkblad.html``: per "Vraag" the
figures (:func:`impactlib.exercises.material`), the choices to make in the served verkenner to
see them (:func:`impactlib.exercises.verkenner_steps`), a box to write in, or the model answer
(:func:`impactlib.exercises.model_answer`). The page is rendered in this process; every text
on it is escaped, and its wording is in ``impactlib/data/exercises.yaml`` (``sheet``).

>>> results = generate_sheets(["Twente"], "heftig-structureel-geweld", out="training")  # doctest: +SKIP
>>> results[0].html                                                                       # doctest: +SKIP
PosixPath('training/oefeningen/twente/heftig-structureel-geweld-werkblad.html')
"""

from __future__ import annotations

import html
from pathlib import Path

from .. import exercises, query, steps
from ..regions import Region
from .execute import describe_failure
from .export import banner_html, item_html, markdown_html
from .job import RunResult
from .paths import atomic_write, output_paths

__all__ = ["sheet_html", "sheet_path", "generate_sheets"]


def sheet_html(ex: steps.Example, *, answers: bool = False, verkenner_url: str | None = None) -> str:
    """A printable exercise sheet for one region: per "Vraag" the figures, where to find them in the
    verkenner, room to write, and (``answers``) the model answer. Every text is escaped."""
    esc, say = html.escape, exercises.texts()["sheet"]
    question = ex.question
    kind = say["answers_kind"] if answers else ""
    where = (f"<a href='{esc(verkenner_url, quote=True)}'>{esc(verkenner_url)}</a>" if verkenner_url
             else esc(say["no_address"]))
    parts = [
        "<!DOCTYPE html><html lang='nl'><head><meta charset='utf-8'>",
        f"<title>{esc(say['title'].format(region=ex.region.name, question=question.title, kind=kind))}</title>",
        f"<style>\n{say['css']}</style></head><body>",
    ]
    if ex.synthetic:
        parts.append(banner_html(steps.OEFENDATA_TEXT))
    region_line = say["region_line"].format(region=esc(ex.region.name), period=esc(ex.period.dutch),
                                            title=esc(ex.period.title),
                                            provisional=esc(say["provisional"]) if ex.period.is_provisional else "")
    parts += [
        f"<h1>{esc(say['heading'].format(question=question.title, kind=kind))}</h1>",
        f"<p>{region_line}</p>",
        f"<p>{esc(say['how']).format(where=where)}</p>",
    ]
    if ex.note:
        parts.append(f"<p><i>{esc(ex.note)}</i></p>")
    for exercise in exercises.exercises(question.id):
        parts.append(f"<section class='vraag'><h2>Vraag {exercise.number}. {esc(exercise.title)}</h2>")
        hints = exercises.verkenner_steps(question.id, exercise.number, ex.region, ex.period)
        if hints:
            items = "".join(f"<li>{markdown_html(h).strip().removeprefix('<p>').removesuffix('</p>')}</li>"
                            for h in hints)
            parts.append(f"<div class='kies'><b>{esc(say['in_verkenner'])}</b><ul>{items}</ul></div>")
        for item in exercise.material(ex):
            parts.append(item_html(item, f"Vraag {exercise.number}: {exercise.title} — {ex.region.name}"))
        if answers:
            parts.append(f"<div class='model'><b>{esc(say['model_answer'])}</b> "
                         f"{markdown_html(exercises.model_answer(ex, exercise.number))}</div>")
        else:
            parts.append(f"<div class='antwoord'>{esc(say['answer_box'])}</div>")
        parts.append("</section>")
    parts.append(f"<p class='bron'>{esc(query.source_label(ex.provenance))}</p></body></html>")
    return "\n".join(parts)


def sheet_path(out: str | Path, region: Region, question: str, answers: bool) -> Path:
    """``<out>/oefeningen/<region-slug>/<question-id>[-antwoorden]-werkblad.html``."""
    name = exercises.version_name(question, answers) + "-werkblad"
    return output_paths(Path(out or "outputs") / exercises.OUTPUT_FOLDER, region, name).html


def generate_sheets(
    regions: list[str], question: str, *, answers: bool = False, period: str | None = None,
    out: str | Path = "outputs", verkenner_url: str | None = None,
) -> list[RunResult]:
    """Write a printable HTML sheet per region (no notebook, no kernel); see :func:`sheet_html`.

    All regions get the same period (default: the newest half year of the question's headline).
    Results are :class:`~impactlib.run.job.RunResult` without a notebook; a region that fails
    does not stop the others: its result carries the error."""
    resolved, per = exercises.targets(regions, question, period)
    results = []
    for region in resolved:
        target = sheet_path(out, region, question, answers)
        result = RunResult(region, question, per, notebook=None)
        try:
            ex = exercises.prepare(region.key, question, per, level=region.level)
            target.parent.mkdir(parents=True, exist_ok=True)
            result.html = atomic_write(target, sheet_html(ex, answers=answers, verkenner_url=verkenner_url))
        except Exception as exc:  # noqa: BLE001 - reported per region, never a traceback
            result.error = describe_failure(exc)[0]
        results.append(result)
    return results
