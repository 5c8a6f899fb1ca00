"""Step 6: what stands out, the questions the figures raise, and what the monitor cannot answer.

What counts as standing out is decided in :mod:`impactlib.compare.findings`; this module
applies it to the example's comparisons and puts it in words.
"""

from __future__ import annotations

import pandas as pd

from ..catalogue import IndicatorSpec, get_indicator_spec
from ..compare import findings
from .display import esc, label, md, md_table, source_line
from .example import Example, at_period, compared_specs, comparison
from .question import groups_text
from .region_figures import figure_sentences

_ADVICE, _REPORTS = "adviesvragers_type_pct", "melders_type_pct"


def _advice_and_reports(ex: Example) -> tuple[pd.Series, pd.Series] | None:
    """The shares of 'Type adviesvrager' and 'Type melder' in the period, when the question has both."""
    if not {_ADVICE, _REPORTS} <= {s.id for s in ex.open_specs}:
        return None
    return tuple(at_period(ex, get_indicator_spec(i)).set_index("category")["value"] for i in (_ADVICE, _REPORTS))


def advice_groups(ex: Example, *, ratio: float = 2.0) -> list[str]:
    """:func:`impactlib.compare.findings.advice_groups` of the example's period: professions
    whose share of adviesvragen is at least ``ratio`` × their share of meldingen."""
    shares = _advice_and_reports(ex)
    return findings.advice_groups(*shares, ratio=ratio) if shares else []


def advice_versus_reports(ex: Example, *, ratio: float = 2.0) -> str | None:
    """The sentence on professions that ask advice relatively often but report little
    (:func:`impactlib.compare.findings.advice_versus_reports` of the example's period)."""
    shares = _advice_and_reports(ex)
    return findings.advice_versus_reports(*shares, ex.phrase, ratio=ratio) if shares else None


def _finding(ex: Example, spec: IndicatorSpec) -> str | None:
    """One bullet on what stands out for an indicator (see :func:`impactlib.compare.findings.finding`)."""
    comp = comparison(ex, spec)
    distribution = figure_sentences(ex, spec)[0] if spec.kind == "distribution" else None
    found = findings.finding(comp, distribution=distribution)
    return None if found is None else f"**{label(spec, comp.category)}:** {found}"


def step6_stands_out(ex: Example) -> list:
    """What stands out: clear differences, extreme places, turns over time, largest categories."""
    bullets = [f for f in (_finding(ex, spec) for spec in compared_specs(ex)) if f]
    contrast = advice_versus_reports(ex)
    if contrast:
        bullets.append(contrast)
    if not bullets:
        bullets.append("Geen van de cijfers wijkt duidelijk af van het landelijke beeld of van de andere regio's.")
    return [md("\n".join(f"- {b}" for b in bullets) + "\n\n" + source_line(ex.provenance))]


def step6_questions(ex: Example) -> list:
    """At most six questions the figures raise, none repeated, each tied to its indicator.

    The headline comes first, then every other clear difference or visible turn (one
    question each), the contrast between advice and reports, and the question's own
    reflection (see :func:`impactlib.compare.narrative.select_questions`).
    """
    from ..compare.narrative import questions, select_questions

    found: list[list[str]] = []
    specs = sorted(compared_specs(ex), key=lambda s: s.id != ex.question.headline)
    for spec in specs:
        comp = comparison(ex, spec)
        shape = findings.notable_shape(comp)
        if comp.verdict.verdict.startswith("duidelijk") or shape is not None:
            asked = questions(spec, ex.region, verdict=None if ex.region.is_national else comp.verdict,
                              trend=comp.trend, shape=shape, has_peers=comp.peers is not None,
                              category=comp.category)
            if asked:
                found.append(asked)
    groups = advice_groups(ex)
    if groups:  # right after the headline: the seed's own point for Drenthe
        found.insert(1 if found else 0, [f"Hoe lezen we dat {groups_text(groups)} wel advies vragen maar weinig melden?"])
    chosen = select_questions(found, [esc(q) for q in ex.question.reflection])
    return [md("Vragen voor het gesprek met de partners (stap 7 en 8):\n\n" + "\n".join(f"- {q}" for q in chosen))]


def step6_cannot_answer(ex: Example) -> list:
    """What the monitor cannot answer, with the missing indicators and where to find them."""
    from ..compare.narrative import limits

    head = get_indicator_spec(ex.question.headline)
    lines = limits(head, ex.region, period=ex.period, question_indicators=[s.id for s in ex.specs])
    lines += [f"'{s.name}' is over {ex.period.dutch} (nog) niet gepubliceerd." for s in ex.unpublished_specs]
    text = "\n".join(f"- {line}" for line in lines)
    if ex.missing_specs:
        table = pd.DataFrame({"Ontbrekende indicator": [s.name for s in ex.missing_specs],
                              "Waar te vinden": [s.where for s in ex.missing_specs]})
        text += "\n\n**Indicatoren die de beleidsvraag nodig heeft maar die niet in de open data staan:**\n\n"
        text += md_table(table) + "\n\n*Bron: Impactmonitor HGKM, overzicht van indicatoren (instrument 02).*"
    return [md(text)]
