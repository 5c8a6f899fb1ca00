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
    "lower_first",
    "category_text",
    "counts_text",
    "distribution_sentences",
    "long_lasting_sentence",
    "LONG_CATEGORIES",
    "dedupe_questions",
    "select_questions",
    "MAX_QUESTIONS",
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


#: Category labels of the catalogue as they read inside a sentence ("kwam 56,2 % van burgers").
CATEGORY_TEXT = {
    # who asks advice or reports (Type adviesvrager / Type melder)
    "Preventieve basisvoorzieningen": "de preventieve basisvoorzieningen in de gezondheidszorg",
    "Huisarts": "huisartsen",
    "Overig gezondheidszorg": "de overige gezondheidszorg",
    "GGZ": "de ggz",
    "Kinderopvang": "de kinderopvang",
    "Onderwijs": "het onderwijs",
    "Jeugdhulp/zorg": "de jeugdhulp en jeugdzorg",
    "Politie": "de politie",
    "Justitie en veiligheid, exclusief politie": "justitie en veiligheid (zonder de politie)",
    "Maatschappelijk werk": "het maatschappelijk werk",
    "Beroepsmatig overig": "overige beroepskrachten",
    "Burger": "burgers",
    # how long the violence lasted
    "niet langer dan 1 week": "niet langer dan een week",
    "> 1 week, < 1 maand": "tussen een week en een maand",
    "> 1 maand, < 6 maanden": "tussen een maand en een half jaar",
    "> 6 maanden, < 1 jaar": "tussen een half jaar en een jaar",
    "> 1 jaar, < 5 jaar": "tussen een en vijf jaar",
    "langer dan 5 jaar": "langer dan vijf jaar",
    # kind of violence
    "Kindermishandeling": "kindermishandeling",
    "Geweld tegen ouders": "geweld tegen ouders",
    "(Ex-)Partnergeweld": "(ex-)partnergeweld",
    "Ouderenmishandeling": "ouderenmishandeling",
    "Huiselijk geweld overig": "overig huiselijk geweld",
    "Andere problematiek": "andere problematiek",
    "Geen kindermishandeling/huiselijk geweld": "geen kindermishandeling of huiselijk geweld",
}
#: Categories of a 'duur van het geweld' distribution that lasted longer than a year.
LONG_CATEGORIES = ("> 1 jaar, < 5 jaar", "langer dan 5 jaar")
#: Step 6 asks at most this many questions.
MAX_QUESTIONS = 6

#: Nouns for the counts behind a share, by the measure the catalogue counts.
_NOUNS = {"Ontvangen meldingen": "meldingen", "Gestarte adviezen": "adviesvragen", "Casussen": "casussen"}


def lower_first(text: str) -> str:
    """Lower-case the first letter, also after an opening bracket: ``'(Vermoedelijke) duur'`` → ``'(vermoedelijke) duur'``.

    Abbreviations (``OM``, ``GGZ``) are left alone.
    """
    i = next((i for i, ch in enumerate(text) if ch.isalpha()), None)
    if i is None or text[i:i + 2].isupper():
        return text
    return text[:i] + text[i].lower() + text[i + 1:]


def category_text(category: str | None) -> str:
    """A category as it reads in running text: ``'Burger'`` → ``'burgers'``, ``'> 1 maand, < 6 maanden'``
    → ``'tussen een maand en een half jaar'``; unknown labels get a lower-case first letter."""
    if not category:
        return ""
    return CATEGORY_TEXT.get(category, lower_first(category))


def _noun(spec: IndicatorSpec) -> str | None:
    term = spec.denominator if spec.denominator not in (None, "population") else None
    return _NOUNS.get(getattr(term, "measure", None) or "")


def counts_text(indicator: IndicatorSpec | str, numerator, denominator) -> str:
    """``'Dat zijn 650 van de 1.295 meldingen.'`` for a share with known CBS counts, else ``''``."""
    spec = _spec(indicator)
    noun = _noun(spec)
    if spec.unit != "percent" or noun is None or any(x is None or x != x for x in (numerator, denominator)):
        return ""
    if not denominator:
        return ""
    if not numerator:
        return f"Dat zijn er 0 van de {format_number(denominator, 0)} {noun}."
    return f"Dat zijn {format_number(numerator, 0)} van de {format_number(denominator, 0)} {noun}."


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
    category: str | None = None, *, numerator=None, denominator=None, mark_provisional: bool = True,
) -> str:
    """The catalogue's sentence with period, region, value and category filled in.

    For rates per 10 000 the words "per 10.000 inwoners" follow the noun after the value
    ("23,5 meldingen per 10.000 inwoners"). The category reads as running text ("kwam 56,2 %
    van burgers", not "van: Burger"). With the CBS counts a share gets them in words ("Dat
    zijn 650 van de 1.295 meldingen."), and a share of nothing says so ("werd geen enkele
    casus overgedragen"). A provisional period adds "(voorlopig cijfer)" unless ``mark_provisional``
    is false (a table or chart that marks the period once).
    """
    spec, per = _spec(indicator), parse_period(period)
    template = spec.sentence or "{regio}, {periode}: {waarde}."
    template = template.replace(": {categorie}", " {categorie}")
    waarde = format_value(value, spec.unit)
    if spec.unit == "per_10k" and value == value:  # NaN stays "onbekend"
        waarde = format_number(value, 1)
        template = re.sub(r"\{waarde\}([^.]*?)(?= bij |\.|$)", r"{waarde}\1 per 10.000 inwoners", template, count=1)
    nothing = spec.unit == "percent" and value == value and (numerator == 0 or (numerator is None and value == 0))
    if nothing and "werd {waarde} " in template:
        template = template.replace("werd {waarde} ", "werd geen enkele casus ")
        template = template.replace("(onder meer) ", "")
    text = template.format(
        periode=per.dutch, regio=region_phrase(region), waarde=waarde, categorie=category_text(category)
    )
    text = text[:1].upper() + text[1:]
    if per.is_provisional and mark_provisional:
        text = text.rstrip(".") + f" {PROVISIONAL_NOTE}."
    if nothing and "geen enkele casus" in text:
        return text  # the sentence says it: no counts needed
    counts = counts_text(spec, numerator, denominator)
    return f"{text} {counts}" if counts else text


def distribution_sentences(
    indicator: IndicatorSpec | str, region: Region | str, period: Period | str, part, *,
    mark_provisional: bool = True, shown: int = 3,
) -> list[str]:
    """The largest category of a distribution in a sentence, then the next ones that occur.

    ``part``: the rows of one region and period (columns ``category``, ``value`` and, if known,
    ``numerator``/``denominator``). 'Onbekend' and categories of 0,0 % are not listed.
    """
    spec = _spec(indicator)
    known = part.dropna(subset=["value"])
    ranked = known[known["category"].str.lower() != "onbekend"].sort_values("value", ascending=False)
    where = region_phrase(region)
    if ranked.empty:
        return [f"Voor {where} zijn de cijfers over {parse_period(period).dutch} onbekend."]
    top = ranked.iloc[0]
    out = [level_sentence(spec, region, period, top["value"], top["category"], numerator=top.get("numerator"),
                          denominator=top.get("denominator"), mark_provisional=mark_provisional)
           + " Dat is de grootste categorie."]
    rest = [r for r in ranked.iloc[1:].itertuples() if format_value(r.value, spec.unit) != format_value(0.0, spec.unit)]
    rest = rest[:shown]
    if rest:
        listed = [f"{category_text(r.category)} ({format_value(r.value, spec.unit)})" for r in rest]
        joined = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " en " + listed[-1]
        out.append(f"Daarna volgen {joined}.")
    return out


def long_lasting_sentence(
    indicator: IndicatorSpec | str, region: Region | str, longest: tuple, over_a_year: tuple,
) -> str:
    """Long-lasting violence in one sentence: ``longest`` and ``over_a_year`` are
    ``(value, national, verdict)`` for "langer dan 5 jaar" and for all of "langer dan een jaar"."""
    spec = _spec(indicator)
    noun = "adviezen" if "advie" in spec.id else "meldingen"
    v5, n5, verdict5 = longest
    v1, n1, verdict1 = over_a_year
    text = (f"Bij {format_value(v5, spec.unit)} van de {noun} in {region_phrase(region)} duurde het geweld "
            f"(vermoedelijk) langer dan vijf jaar, landelijk bij {format_value(n5, spec.unit)}. "
            f"Langer dan een jaar duurde het bij {format_value(v1, spec.unit)}, landelijk bij "
            f"{format_value(n1, spec.unit)}")
    if verdict1 is not None and verdict1.verdict != "niet te zeggen":
        text += f": {_versus(verdict1.verdict, 'landelijk')}"
    return text + "."


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


def _family(spec: IndicatorSpec) -> str:
    """What kind of figure an indicator is, for the questions it raises."""
    if "acuut" in spec.id and "melders" not in spec.id and "overdracht" not in spec.id:
        return "ernst"
    if spec.id.startswith(("melders_", "adviesvragers_")):
        return "wie"
    if spec.id.startswith("duur_geweld"):
        return "duur"
    if spec.id.startswith(("overdracht_", "ots_", "vervolgstap")):
        return "keten"
    if spec.unit == "per_10k":
        return "omvang"
    return "overig"


def _subject(spec: IndicatorSpec, category: str | None) -> str:
    name = lower_first(spec.name)
    return f"het cijfer voor {name} ({category_text(category)})" if category else f"het cijfer voor {name}"


def questions(
    indicator: IndicatorSpec | str, region: Region | str, *, verdict: Verdict | None = None,
    trend: Trend | None = None, shape: Shape | None = None, has_peers: bool = False,
    category: str | None = None,
) -> list[str]:
    """Step-6 questions that follow from the findings (national verdict, trend, shape).

    The first question names the figure and the comparison ("Waarom ligt ... hoger dan
    landelijk (55,6 % tegen 42,8 %)?"); the follow-up questions depend on what the indicator
    means: only the severity of meldingen asks whether the caseload is heavier, only a
    rate per 10 000 asks about underreporting, a share of melders asks about the other partners.
    """
    spec, where = _spec(indicator), region_phrase(region)
    family = _family(spec)
    subject = _subject(spec, category)
    out: list[str] = []
    direction = verdict.direction if verdict else None
    if direction in ("hoger", "lager"):
        if verdict.unit == "per_10k":
            values = f" ({format_number(verdict.value, 1)} tegen {format_number(verdict.reference, 1)} per 10.000 inwoners)"
        else:
            values = f" ({format_value(verdict.value, verdict.unit)} tegen {format_value(verdict.reference, verdict.unit)})"
        if family == "duur" and category:
            noun = "adviezen" if "advie" in spec.id else "meldingen"
            often = "vaker" if direction == "hoger" else "minder vaak"
            out.append(f"Waarom duurde het geweld bij de {noun} in {where} {often} {category_text(category)} dan landelijk{values}?")
        else:
            out.append(f"Waarom ligt {subject} in {where} {direction} dan landelijk{values}?")
    if direction == "hoger":
        out += {
            "ernst": ["Is de caseload zwaarder, en zo ja, waarom?",
                      "Wordt er te laat gesignaleerd, of schieten preventieve maatregelen tekort?",
                      "Worden zaken hier sneller of vaker doorverwezen dan elders?"],
            "omvang": ["Wordt er hier meer gesignaleerd en gemeld, of speelt er meer geweld?"],
            "wie": ["Wat zegt dat over hoe vaak de andere partners advies vragen of melden?"],
            "duur": ["Komt het geweld hier eerder of later in beeld dan elders, en wie ziet het als eerste?"],
            "keten": ["Welke afspraken tussen Veilig Thuis en de partners in de keten verklaren dit?"],
        }.get(family, [])
    elif direction == "lager":
        out += {
            "ernst": ["Wordt geweld hier eerder gesignaleerd, of worden meldingen anders beoordeeld dan elders?"],
            "omvang": ["Wordt alles geregistreerd, en op dezelfde manier als in andere regio's?",
                       "Wordt er minder gesignaleerd of gemeld dan er speelt (onderrapportage)?"],
            "wie": ["Weten deze melders of adviesvragers Veilig Thuis te vinden, of gaan zij ergens anders heen?"],
            "duur": ["Komt het geweld hier eerder of later in beeld dan elders, en wie ziet het als eerste?"],
            "keten": ["Welke afspraken tussen Veilig Thuis en de partners in de keten verklaren dit?"],
        }.get(family, [])
    elif direction == "vergelijkbaar":
        out.append(f"Herkennen de partners dat {subject} in {where} niet afwijkt van landelijk?")
    elif verdict is not None:
        out.append("Welke eigen cijfers (bijvoorbeeld van Veilig Thuis zelf) kunnen dit beeld aanvullen?")
    if shape is not None:
        about = f" van {subject}" if not out else ""
        if shape.kind == "stijging dan daling":
            out.append(f"Wat verklaart de stijging{about} tot {shape.peak.dutch} en de daling daarna?")
        elif shape.kind == "daling dan stijging":
            out.append(f"Wat verklaart de daling{about} tot {shape.trough.dutch} en de stijging daarna?")
        elif shape.kind in ("stijgend", "dalend"):
            word = "stijging" if shape.kind == "stijgend" else "daling"
            out.append(f"Wat verklaart de {word}{about} sinds {shape.first.dutch}?")
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


def _normal(question: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", question.lower())


def dedupe_questions(found: list[str], *, similar: float = 0.8) -> list[str]:
    """Questions in order, each once: exact repeats and near-repeats (same words but a few) go."""
    import difflib

    def same(a: str, b: str) -> bool:
        if re.findall(r"\d+", a) != re.findall(r"\d+", b):
            return False  # questions about different figures are different questions
        words_a, words_b = set(_normal(a).split()), set(_normal(b).split())
        if words_a ^ words_b and len(words_a ^ words_b) <= 2 and len(words_a | words_b) <= 4:
            return False  # "Waarom A?" and "Waarom B?" differ in what they ask about
        return difflib.SequenceMatcher(None, _normal(a), _normal(b)).ratio() >= similar

    out: list[str] = []
    for q in found:
        if any(same(q, o) for o in out):
            continue
        out.append(q)
    return out


def select_questions(findings: list[list[str]], reflection: list[str], *, limit: int = MAX_QUESTIONS) -> list[str]:
    """At most ``limit`` questions for step 6, none repeated.

    ``findings``: per finding its questions, most important finding first (its first question
    is the one that names the figure). The first finding may bring one follow-up; every other
    finding brings its first question; the question's own reflection fills up, with at least
    two places kept for it when it has them.
    """
    keep = min(2, len(reflection))
    picked: list[str] = []
    if findings:
        picked += findings[0][:2]
        picked += [f[0] for f in findings[1:] if f]
    picked = dedupe_questions(picked)[: max(limit - keep, 0)]
    return dedupe_questions(picked + list(reflection))[:limit]


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
