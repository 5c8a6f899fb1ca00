"""The banner, the introduction and steps 1–3: the question, its analysis, the indicators."""

from __future__ import annotations

import pandas as pd

from .. import query
from ..catalogue import IndicatorSpec, sources
from .display import OEFENDATA_TEXT, esc, md, md_table
from .example import Example


def banner(ex: Example) -> list:
    """The oefendata banner, only when (part of) the data are synthetic."""
    return [md(f"> **{OEFENDATA_TEXT}**")] if ex.synthetic else []


def intro(ex: Example) -> list:
    lines = [
        f"# {esc(ex.title)}",
        f"Uitgewerkt voorbeeld van het *Stappenplan kennisgestuurd werken met de Impactmonitor* (stap 1–6) "
        f"voor {ex.phrase}, met de cijfers over {ex.period.dutch} ({ex.period.title})"
        + (". De cijfers over deze periode zijn voorlopig: CBS kan ze nog bijstellen" if ex.period.is_provisional else "")
        + ".",
    ]
    if ex.note:
        lines.append(f"*{ex.note}*")
    return [md("\n\n".join(lines))]


def groups_text(groups: list[str]) -> str:
    """Professional groups in running text: ``'de kinderopvang, huisartsen en het onderwijs'``."""
    from ..compare.narrative import category_text

    names = [category_text(g) for g in groups]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]


def step1_question(ex: Example) -> list:
    """The question (generic), and the region's own goal and context from its parameter file.

    Without ``goal``/``context`` the step asks for them instead of stating anything about the
    region; ``trained_groups`` names the professional groups a training was aimed at.
    """
    q = ex.question
    lines = [f"**Beleidsvraag:** {esc(q.title)}", f"**Waarom deze vraag:** {esc(q.why)}"]
    if ex.goal:
        lines.append(f"**Doel van {ex.phrase}:** {esc(ex.goal)}")
    else:
        lines.append(f"**Doel:** welk doel heeft {ex.phrase} met deze vraag, en wat moet het opleveren? "
                     "*(Vul het doel in het parameterbestand in onder `goal`.)*")
    if ex.context:
        lines.append(f"**Wat er speelt in {ex.phrase}:** {esc(ex.context)}")
    else:
        lines.append(f"**Context:** wat heeft {ex.phrase} de afgelopen jaren gedaan of veranderd waarvan u de gevolgen "
                     "in de cijfers wilt zien? *(Vul dit in het parameterbestand in onder `context`.)*")
    if ex.trained_groups:
        lines.append(f"**Beroepsgroepen waarop de scholing gericht is:** {esc(groups_text(ex.trained_groups))}.")
    elif ex.question.id == "eerder-beter-in-beeld":
        lines.append("**Beroepsgroepen:** op welke beroepsgroepen is de scholing gericht? *(Noem ze in het "
                     "parameterbestand onder `trained_groups`, bijvoorbeeld `[Onderwijs, Kinderopvang, Huisarts]`; "
                     "dan laat stap 5 hun aandeel door de tijd zien.)*")
    return [md("\n\n".join(lines))]


def step2_analysis(ex: Example) -> list:
    q = ex.question
    subs = "\n".join(f"{i}. {esc(s)}" for i, s in enumerate(q.sub_questions, 1))
    pages = ", ".join(f"*{esc(p)}*" for p in q.dashboard)
    return [md(
        f"Om de beleidsvraag te beantwoorden zijn deze deelvragen nodig:\n\n{subs}\n\n"
        f"In het dashboard van de Impactmonitor staan de bijbehorende cijfers op: {pages}."
    )]


def _yes_no(value) -> str:
    return {"ja": "ja", "nee": "nee (alleen landelijk)", "deels": "deels (13 regio's)", True: "ja", False: "nee"}[value]


def indicator_table(specs: list[IndicatorSpec], unpublished: set[str] | None = None,
                    answers: dict[str, list[int]] | None = None) -> pd.DataFrame:
    """Step 3 as a frame: name, which sub-question it answers, source, regional, time series, where.

    ``unpublished``: ids of open indicators without a figure for the chosen period;
    ``answers``: the question's indicator → sub-question numbers (column left out without it).
    """
    rows = []
    for s in specs:
        if not s.is_open:
            where = f"niet in open data; te vinden bij: {s.where}"
        elif s.id in (unpublished or set()):
            where = "open data CBS, maar (nog) niet voor deze periode"
        else:
            where = "open data CBS (in dit voorbeeld)"
        row = {"Indicator": s.name}
        if answers is not None:
            row["Deelvraag"] = ", ".join(map(str, answers.get(s.id, []))) or "–"
        rows.append({
            **row,
            "Bron": s.source_name,
            "Regionaal": _yes_no(s.regional),
            "Tijdreeks": _yes_no(s.time_series),
            "Beschikbaar": where,
        })
    return pd.DataFrame(rows)


def step3_indicators(ex: Example) -> list:
    n_open, n_missing = len(ex.open_specs), len(ex.missing_specs)
    text = (
        f"Uit het overzicht van indicatoren van de Impactmonitor passen {len(ex.specs)} indicatoren bij de "
        f"deelvragen. {n_open} zijn als open data van CBS beschikbaar en worden hieronder uitgewerkt"
    )
    if n_missing:
        text += f"; {n_missing} {'staat' if n_missing == 1 else 'staan'} niet in de open data (zie stap 6)."
    else:
        text += "."
    if ex.unpublished_specs:
        text += f" Voor {len(ex.unpublished_specs)} is er (nog) geen cijfer over {ex.period.dutch}."
    tables = query.cited_tables(sorted({t for s in ex.open_specs for t in s.tables}))
    origin = ", ".join(sorted({sources()[s.source]["owner"] for s in ex.specs}))
    unpublished = {s.id for s in ex.unpublished_specs}
    if ex.question.answers:
        text += " De kolom *Deelvraag* zegt welke deelvraag uit stap 2 het cijfer helpt beantwoorden."
    answers = ex.question.answers or None
    return [md(text + "\n\n" + md_table(indicator_table(ex.specs, unpublished, answers)) + "\n\n"
               + f"*Bron: Impactmonitor HGKM, overzicht van indicatoren (instrument 02); bronhouders: {origin}. "
               + f"Open data: CBS-tabellen {', '.join(tables)} (CC BY 4.0).*")]
