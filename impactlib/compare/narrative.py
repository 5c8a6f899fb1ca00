"""Dutch sentences for steps 5 and 6: levels, comparisons, trends, questions and limits.

The sentences follow the worked examples (Zaanstreek-Waterland, Drenthe):

>>> from impactlib.compare.narrative import comparison_sentence
>>> from impactlib.compare.verdicts import compare_values
>>> v = compare_values(55.6, 42.8, unit="percent", numerator=600, denominator=1080)
>>> comparison_sentence(v)
'Dat is duidelijk hoger dan landelijk (42,8 %).'

Numbers go through :mod:`impactlib.formatting`, periods through :attr:`Period.dutch`; a
provisional figure always carries "(voorlopig cijfer)". :func:`questions` turns findings into
the questions of step 6 ("Waarom ...?", "Is de caseload zwaarder?"); :func:`limits` says what
the monitor cannot answer.
"""

from __future__ import annotations

import re

from .. import regions as _regions
from ..catalogue import IndicatorSpec, catalogue, get_indicator_spec
from ..formatting import format_number, format_value
from ..periods import Period, parse_period
from ..regions import Region
from .ranking import Rank, ordinal
from .trends import PROVISIONAL_NOTE, Shape, Trend
from .verdicts import Verdict

__all__ = [
    "region_phrase",
    "value_text",
    "level_sentence",
    "comparison_sentence",
    "rank_sentence",
    "peers_sentence",
    "questions",
    "limits",
    "OUTCOME_REGIONS",
]

#: The 13 regions of the Verwey-Jonker outcome cohort (not in CBS open data).
OUTCOME_REGIONS = (
    "Amsterdam-Amstelland", "Brabant Noordoost", "Flevoland", "Gooi en Vechtstreek", "Groningen",
    "Haaglanden", "IJsselland", "Kennemerland", "Hart van Brabant", "Rotterdam Rijnmond", "Twente",
    "Utrecht", "Zaanstreek-Waterland",
)

_PHRASE = {
    "vt": "de regio {}",
    "gemeente": "de gemeente {}",
    "provincie": "de provincie {}",
    "landsdeel": "het landsdeel {}",
}


def region_phrase(region: Region | str) -> str:
    """``'de regio Zaanstreek-Waterland'``, ``'Nederland'``, ``'de gemeente Assen'``, ..."""
    reg = region if isinstance(region, Region) else _regions.resolve(region).region
    if reg.level == "land":
        return reg.name
    return _PHRASE[reg.level].format(reg.name)


def value_text(value: float, unit: str, provisional: bool = False) -> str:
    """``'55,6 %'``; with ``(voorlopig cijfer)`` for a provisional period."""
    text = format_value(value, unit)
    return f"{text} {PROVISIONAL_NOTE}" if provisional else text


def _spec(indicator: IndicatorSpec | str) -> IndicatorSpec:
    return indicator if isinstance(indicator, IndicatorSpec) else get_indicator_spec(indicator)


def _name_lower(spec: IndicatorSpec) -> str:
    return spec.name[:1].lower() + spec.name[1:]


def level_sentence(
    indicator: IndicatorSpec | str, region: Region | str, period: Period | str, value: float,
    category: str | None = None,
) -> str:
    """The catalogue's sentence with period, region, value and category filled in.

    For rates per 10 000 the words "per 10.000 inwoners" follow the noun after the value
    ("23,5 meldingen per 10.000 inwoners"). A provisional period adds "(voorlopig cijfer)".
    """
    spec, per = _spec(indicator), parse_period(period)
    template = spec.sentence or "{regio}, {periode}: {waarde}."
    waarde = format_value(value, spec.unit)
    if spec.unit == "per_10k" and value == value:  # NaN stays "onbekend"
        waarde = format_number(value, 1)
        template = re.sub(r"\{waarde\}([^.]*?)(?= bij |\.|$)", r"{waarde}\1 per 10.000 inwoners", template, count=1)
    text = template.format(
        periode=per.dutch, regio=region_phrase(region), waarde=waarde, categorie=category or ""
    )
    text = text[:1].upper() + text[1:]
    if per.is_provisional:
        text = text.rstrip(".") + f" {PROVISIONAL_NOTE}."
    return text


def _versus(word: str, reference: str) -> str:
    return f"vergelijkbaar met {reference}" if word == "vergelijkbaar" else f"{word} dan {reference}"


def comparison_sentence(verdict: Verdict, reference_label: str = "landelijk") -> str:
    """``'Dat is duidelijk hoger dan landelijk (42,8 %).'`` (noise-aware, see verdicts)."""
    ref = f"{reference_label} ({format_value(verdict.reference, verdict.unit)})"
    if verdict.verdict == "niet te zeggen":
        return f"Of dat afwijkt van {ref}, is niet te zeggen. {verdict.explanation}"
    text = f"Dat is {_versus(verdict.verdict, ref)}"
    if verdict.verdict == "vergelijkbaar" and verdict.difference:
        text += "; het verschil valt binnen de marge van toeval en afronding"
    return text + "."


def rank_sentence(rank: Rank, region: Region | str, level_label: str = "Veilig Thuis-regio's") -> str:
    """``'Daarmee staat de regio X op de 2e plaats van 26 Veilig Thuis-regio's (1 = hoogste waarde).'``"""
    where = region_phrase(region)
    if rank.rank is None:
        return f"Voor {where} is geen plaats in de rangorde te geven, omdat het cijfer onbekend is."
    text = f"Daarmee staat {where} op de {ordinal(rank.rank)} plaats van {rank.n_regions} {level_label} (1 = hoogste waarde)"
    if rank.ties:
        text += f", gedeeld met {', '.join(rank.ties)}"
    if rank.unranked:
        text += f"; zonder cijfer: {', '.join(rank.unranked)}"
    return text + "."


def peers_sentence(
    region: Region | str, peers: list[tuple[str, float]], unit: str, verdict: Verdict | None = None,
) -> str:
    """Name the comparable regions with their values and, if given, the verdict against them."""
    if not peers:
        return ""
    listed = ", ".join(f"{name} ({format_value(v, unit)})" for name, v in peers)
    text = f"Regio's die op achtergrondkenmerken op {region_phrase(region)} lijken: {listed}."
    if verdict is not None and verdict.verdict != "niet te zeggen":
        ref = f"die regio's samen ({format_value(verdict.reference, unit)})"
        text += f" Het cijfer is {_versus(verdict.verdict, ref)}."
    return text


def questions(
    indicator: IndicatorSpec | str, region: Region | str, *, verdict: Verdict | None = None,
    trend: Trend | None = None, shape: Shape | None = None, has_peers: bool = False,
) -> list[str]:
    """Step-6 questions that follow from the findings (national verdict, trend, shape)."""
    spec, where = _spec(indicator), region_phrase(region)
    subject = f"het cijfer voor {_name_lower(spec)}"
    out: list[str] = []
    direction = verdict.direction if verdict else None
    if direction == "hoger":
        out += [
            f"Waarom ligt {subject} in {where} hoger dan landelijk?",
            "Is de caseload zwaarder, en zo ja, waarom?",
            "Wordt er te laat gesignaleerd, of schieten preventieve maatregelen tekort?",
            "Worden zaken hier sneller of vaker doorverwezen dan elders?",
        ]
    elif direction == "lager":
        out += [
            f"Waarom ligt {subject} in {where} lager dan landelijk?",
            "Wordt alles geregistreerd, en op dezelfde manier als in andere regio's?",
            "Wordt er minder gesignaleerd of gemeld dan er speelt (onderrapportage)?",
        ]
    elif direction == "vergelijkbaar":
        out.append(f"Herkennen de partners dat {subject} in {where} niet afwijkt van landelijk?")
    elif verdict is not None:
        out.append("Welke eigen cijfers (bijvoorbeeld van Veilig Thuis zelf) kunnen dit beeld aanvullen?")
    if shape is not None:
        if shape.kind == "stijging dan daling":
            out.append(f"Wat verklaart de stijging tot {shape.peak.dutch} en de daling daarna?")
        elif shape.kind == "daling dan stijging":
            out.append(f"Wat verklaart de daling tot {shape.trough.dutch} en de stijging daarna?")
        elif shape.kind in ("stijgend", "dalend"):
            word = "stijging" if shape.kind == "stijgend" else "daling"
            out.append(f"Wat verklaart de {word} sinds {shape.first.dutch}?")
    if trend is not None and trend.verdict.startswith("duidelijk") and trend.national_change == trend.national_change:
        up = trend.change > 0
        if (trend.national_change > 0) != up or trend.national_change == 0:
            out.append(
                f"Waarom is het cijfer in {where} {'gestegen' if up else 'gedaald'} terwijl het landelijk "
                f"{'niet steeg' if up else 'niet daalde'}?"
            )
    if has_peers and direction in ("hoger", "lager"):
        out.append("Wat doen vergelijkbare regio's anders, en wat kunnen we van hen leren?")
    return out


def limits(
    indicator: IndicatorSpec | str, region: Region | str, *, period: Period | str | None = None,
    question_indicators: list[str] | None = None,
) -> list[str]:
    """What the monitor cannot answer for this question and region.

    ``question_indicators``: catalogue ids the user's question needs; those not in CBS open
    data are named with where to find them (default: the not-open indicators of the theme).
    """
    spec = _spec(indicator)
    reg = region if isinstance(region, Region) else _regions.resolve(region).region
    out = [
        "De Impactmonitor telt wat Veilig Thuis registreert, niet hoeveel geweld er werkelijk is; een "
        "verschil kan ook komen doordat er anders wordt gemeld of geregistreerd.",
        "Waarom een cijfer hoog of laag is, zegt de monitor niet: dat vraagt het gesprek met partners.",
    ]
    if question_indicators is None:
        needed = [s for s in catalogue().values() if s.theme == spec.theme and not s.is_open]
    else:
        needed = [get_indicator_spec(i) for i in question_indicators]
    for s in needed:
        if not s.is_open:
            out.append(f"'{s.name}' staat niet in de open data van CBS; u vindt het bij: {s.where}.")
    if reg.level == "vt" and reg.name in OUTCOME_REGIONS:
        out.append(
            f"Cijfers over de uitkomsten na een melding (outcome, Verwey-Jonker) zijn er voor 13 regio's, "
            f"waaronder {reg.name}, maar niet in de open data; vraag ze op via de eigen Veilig Thuis-organisatie."
        )
    elif not reg.is_national:
        out.append(
            f"Cijfers over de uitkomsten na een melding (outcome, Verwey-Jonker) zijn er maar voor 13 regio's, "
            f"niet voor {region_phrase(reg)}."
        )
    out.append(
        "Onderzoekscijfers over de omvang van het geweld, slachtoffers, daders en recidive zijn er alleen landelijk."
    )
    if period is not None and parse_period(period).is_provisional:
        out.append(f"Het cijfer voor {parse_period(period).dutch} is voorlopig; CBS kan het nog bijstellen.")
    return out
