"""The stappenplan (steps 1–6) as library calls: the notebook holds words, this holds the work.

``notebooks/stappenplan_1-6.ipynb`` calls one function per part of a step and shows what it
returns::

    ex = steps.prepare(region="Drenthe", question="eerder-beter-in-beeld", period="2021HJ01")
    steps.show(steps.banner(ex))            # the oefendata banner (when the data are synthetic)
    steps.show(steps.step3_indicators(ex))  # the indicator table from the catalogue

Every function takes the prepared :class:`Example` and returns a list of display items:
:class:`IPython.display.Markdown` for text and tables, matplotlib figures for charts.
:func:`show` renders them (figures as PNG, then closed). All text is Dutch, all numbers go
through :mod:`impactlib.formatting`, and every chart and table carries its source line.

:func:`prepare` fetches each open indicator once for the region (every half year, every
category); the comparisons of step 5 (national verdict, rank among the Veilig Thuis-regio's,
comparable regions, trend) come from :func:`impactlib.compare.build_comparison`, one per
indicator, computed when first needed and kept on the :class:`Example`.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import query
from . import regions as _regions
from .catalogue import IndicatorSpec, get_indicator_spec, sources
from .errors import ParameterError
from .formatting import format_percent, format_value, round_half_up
from .params import Question, load_question, make_parameters
from .periods import Period, parse_period
from .regions import Region
from .safety import escape_markdown

__all__ = [
    "Example",
    "OEFENDATA_TEXT",
    "prepare",
    "show",
    "banner",
    "intro",
    "step1_question",
    "step2_analysis",
    "step3_indicators",
    "step4_figures",
    "local_figures",
    "step5_national",
    "step5_peers",
    "step5_core",
    "trained_groups_table",
    "long_lasting_table",
    "step5_all_regions",
    "step5_over_time",
    "step6_stands_out",
    "step6_questions",
    "step6_cannot_answer",
    "summary",
    "show_summary",
    "comparison",
    "compared_specs",
    "focus_category",
    "indicator_table",
    "national_table",
    "md_table",
    "rank_band",
    "notable_shape",
    "advice_versus_reports",
    "finding",
]

OEFENDATA_TEXT = (
    "OEFENDATA — Dit uitgewerkte voorbeeld gebruikt synthetische oefencijfers met de opbouw van de "
    "CBS-tabellen. Echt zijn alleen de gepubliceerde cijfers uit de voorbeelden Zaanstreek-Waterland "
    "en Drenthe (1e halfjaar 2021) en enkele landelijke cijfers; alle andere cijfers zijn verzonnen. "
    "Gebruik de uitkomsten niet voor beleid: haal echte cijfers op bij CBS (--source live)."
)

#: First half year of the monitor's time series.
SERIES_START = "2019HJ01"


# --------------------------------------------------------------------------- preparation
@dataclass
class Example:
    """Everything the steps need, fetched once."""

    region: Region
    period: Period
    question: Question
    specs: list[IndicatorSpec]
    title: str
    peers: str | list[str] = "auto"
    local_file: Path | None = None
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)  # indicators published for the period
    note: str = ""  # how an ambiguous region name was read
    goal: str | None = None  # the region's own goal (parameter file), never the question's
    context: str | None = None  # the region's own context (parameter file)
    trained_groups: list[str] | None = None  # 'Type melder' categories the region trained
    parameters: dict = field(default_factory=dict)  # the validated run parameters (for a handout next to a run)
    _comparisons: dict = field(default_factory=dict, repr=False)

    @property
    def open_specs(self) -> list[IndicatorSpec]:
        """Indicators in CBS open data with a figure for the chosen period."""
        return [s for s in self.specs if s.id in self.frames]

    @property
    def unpublished_specs(self) -> list[IndicatorSpec]:
        """Open-data indicators whose table has no figure (yet) for the chosen period."""
        return [s for s in self.specs if s.is_open and s.id not in self.frames]

    @property
    def missing_specs(self) -> list[IndicatorSpec]:
        return [s for s in self.specs if not s.is_open]

    @property
    def provenance(self) -> dict:
        """Merged provenance of every frame: tables, and ``synthetic`` if any part is."""
        provs = [f.attrs.get("source", {}) for f in self.frames.values()]
        tables = list(dict.fromkeys(t for p in provs for t in p.get("tables", [])))
        first = provs[0] if provs else {}
        return {**first, "tables": tables, "synthetic": any(p.get("synthetic") for p in provs)}

    @property
    def synthetic(self) -> bool:
        return bool(self.provenance.get("synthetic"))

    @property
    def phrase(self) -> str:
        """How sentences name the region: ``'de regio Drenthe'``, ``'de gemeente Zaanstad'``."""
        from .compare.narrative import region_phrase

        return region_phrase(self.region)


def prepare(
    region: str,
    question: str,
    period: str | None = None,
    *,
    level: str | None = None,
    indicators: list[str] | None = None,
    peers: str | list[str] = "auto",
    title: str | None = None,
    local_file: str | None = None,
    goal: str | None = None,
    context: str | None = None,
    trained_groups: list[str] | None = None,
) -> Example:
    """Validate the notebook's parameters and fetch every open indicator once.

    Raises the same :class:`~impactlib.errors.ParameterError` as a parameter file would.
    """
    params = make_parameters(
        {"region": region, "level": level, "question": question, "period": period,
         "indicators": indicators, "peers": peers, "title": title, "local_file": local_file,
         "goal": goal, "context": context, "trained_groups": trained_groups},
        where="notebookparameters",
    )
    resolution = _regions.resolve(params.region, params.level)
    reg = resolution.region
    q = load_question(params.question)
    specs = [get_indicator_spec(i) for i in (params.indicators or q.indicators)]
    chosen = query.check_period(q.headline, params.period)
    fetched = {s.id: query.get_indicator(s.id, reg, None) for s in specs if s.is_open}
    frames = {k: f for k, f in fetched.items() if chosen.key in set(f["period"])}
    flags = next((f.loc[f["period"] == chosen.key, "provisional"].iloc[0] for f in frames.values()), "")
    default_title = f"{reg.name}: {q.title}"
    return Example(
        region=reg, period=chosen.with_flag(flags or ""), question=q, specs=specs,
        title=params.title or default_title, peers=params.peers,
        local_file=Path(params.local_file) if params.local_file else None, frames=frames, note=resolution.note,
        goal=params.goal, context=params.context, trained_groups=params.trained_groups,
        parameters={**params.model_dump(), "period": chosen.key},
    )


# --------------------------------------------------------------------------- display
def show(items) -> None:
    """Display Markdown, tables and figures in a notebook; figures go out as SVG (see
    :mod:`impactlib.figures`) and close."""
    from IPython.display import display
    from matplotlib.figure import Figure

    from .figures import Rendered, show_figure

    for item in items if isinstance(items, (list, tuple)) else [items]:
        if item is None:
            continue
        if isinstance(item, (Figure, Rendered)):
            show_figure(item)
        else:
            display(item)


def esc(text) -> str:
    """Text from a parameter or question file, made safe for Markdown/HTML (see :func:`escape_markdown`)."""
    return escape_markdown(text)


def _md(text: str):
    from IPython.display import Markdown

    return Markdown(text)


def _source_line(prov: dict) -> str:
    return f"*{query.source_label(prov)}*"


def md_table(frame: pd.DataFrame) -> str:
    """A small frame as a Markdown table (cells are text already; ``|`` is escaped)."""
    def cell(x) -> str:
        return str(x).replace("|", "\\|").replace("\n", " ")

    head = "| " + " | ".join(cell(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = ["| " + " | ".join(cell(x) for x in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


# --------------------------------------------------------------------------- banner, intro, steps 1-3
def banner(ex: Example) -> list:
    """The oefendata banner, only when (part of) the data are synthetic."""
    return [_md(f"> **{OEFENDATA_TEXT}**")] if ex.synthetic else []


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
    return [_md("\n\n".join(lines))]


def _groups_text(groups: list[str]) -> str:
    from .compare.narrative import category_text

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
        lines.append(f"**Beroepsgroepen waarop de scholing gericht is:** {esc(_groups_text(ex.trained_groups))}.")
    elif ex.question.id == "eerder-beter-in-beeld":
        lines.append("**Beroepsgroepen:** op welke beroepsgroepen is de scholing gericht? *(Noem ze in het "
                     "parameterbestand onder `trained_groups`, bijvoorbeeld `[Onderwijs, Kinderopvang, Huisarts]`; "
                     "dan laat stap 5 hun aandeel door de tijd zien.)*")
    return [_md("\n\n".join(lines))]


def step2_analysis(ex: Example) -> list:
    q = ex.question
    subs = "\n".join(f"{i}. {esc(s)}" for i, s in enumerate(q.sub_questions, 1))
    pages = ", ".join(f"*{esc(p)}*" for p in q.dashboard)
    return [_md(
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
    return [_md(text + "\n\n" + md_table(indicator_table(ex.specs, unpublished, answers)) + "\n\n"
                + f"*Bron: Impactmonitor HGKM, overzicht van indicatoren (instrument 02); bronhouders: {origin}. "
                + f"Open data: CBS-tabellen {', '.join(tables)} (CC BY 4.0).*")]


def local_figures(ex: Example) -> list:
    """The region's own figures from ``local_file`` beside the monitor's, never mixed with them.

    The file is read and checked by :func:`impactlib.local.load_local` (schema of instrument
    08, errors naming row and column); local counts below 5 are suppressed (shown as
    ``<5``) before anything is displayed.
    """
    if ex.local_file is None:
        return []
    from .local import LocalFileError, load_local, local_markdown

    try:
        local = load_local(ex.local_file)
    except LocalFileError as exc:  # a plain ParameterError: the runner knows that type by name
        raise ParameterError(f"notebookparameters: sleutel 'local_file': {ex.local_file.name}: {exc}") from None
    return [_md(local_markdown(local, ex.region, ex.period) + f"\n*Bron lokale cijfers: eigen registratie ({escape_markdown(ex.local_file.name)}).*")]


# --------------------------------------------------------------------------- comparisons
def focus_category(ex: Example, spec: IndicatorSpec) -> str | None:
    """The category a distribution is compared on: the question's headline category for the
    headline indicator, otherwise the region's largest category (leaving 'onbekend' aside)."""
    if spec.kind != "distribution":
        return None
    if spec.id == ex.question.headline and ex.question.headline_category:
        return ex.question.headline_category
    part = _at_period(ex, spec).dropna(subset=["value"])
    part = part[part["category"].str.lower() != "onbekend"]
    return str(part.sort_values("value", ascending=False)["category"].iloc[0]) if len(part) else spec.category_labels()[0]


def comparison(ex: Example, spec: IndicatorSpec):
    """The :class:`~impactlib.compare.report.Comparison` of one indicator (cached per example)."""
    from .compare import build_comparison

    if spec.id not in ex._comparisons:
        ex._comparisons[spec.id] = build_comparison(
            spec.id, ex.region, ex.period, peers=ex.peers, category=focus_category(ex, spec),
        )
    return ex._comparisons[spec.id]


def compared_specs(ex: Example) -> list[IndicatorSpec]:
    """The open indicators step 5 and 6 discuss: a distribution whose compared category is the
    very same figure as a single-value indicator of the set (same counts) is left out."""
    def key(spec):
        comp = comparison(ex, spec)
        return (comp.row["numerator"], comp.row["denominator"], comp.national_row["value"])

    singles = {key(s) for s in ex.open_specs if s.kind != "distribution"}
    return [s for s in ex.open_specs if s.kind != "distribution" or key(s) not in singles]


def _at_period(ex: Example, spec: IndicatorSpec) -> pd.DataFrame:
    frame = ex.frames[spec.id]
    return frame[frame["period"] == ex.period.key]


def _label(spec: IndicatorSpec, category: str | None) -> str:
    return f"{spec.name}: {category}" if category else spec.name


def _no_national(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts of a region and of Nederland do not share a scale: leave the national line out."""
    out = frame.copy()
    if (out["unit"] == "count").all():
        out["national"] = math.nan
    out.attrs = dict(frame.attrs)
    return out


# --------------------------------------------------------------------------- step 4
def _figure_sentences(ex: Example, spec: IndicatorSpec) -> list[str]:
    """The step-4 sentences of one indicator (words from :mod:`impactlib.compare.narrative`).

    The period's provisional mark is given once for the step, not in every sentence.
    """
    from .compare.narrative import distribution_sentences, level_sentence

    part = _at_period(ex, spec)
    if spec.kind != "distribution":
        row = part.iloc[0]
        if pd.isna(row["value"]):
            return [f"Voor {ex.phrase} is dit cijfer over {ex.period.dutch} onbekend: CBS publiceert het niet, "
                    f"bijvoorbeeld omdat de aantallen te klein zijn."]
        return [level_sentence(spec, ex.region, ex.period, row["value"], numerator=row.get("numerator"),
                               denominator=row.get("denominator"), mark_provisional=False)]
    return distribution_sentences(spec, ex.region, ex.period, part, mark_provisional=False)


def step4_figures(ex: Example) -> list:
    """Per open indicator: the sentence in the style of the worked examples and a chart."""
    from . import plots

    items: list = []
    if ex.period.is_provisional:
        items.append(_md(f"*De cijfers over {ex.period.dutch} zijn voorlopig ({ex.period.title}): CBS kan ze nog bijstellen.*"))
    for spec in ex.open_specs:
        items.append(_md(f"### {spec.name}\n\n" + " ".join(_figure_sentences(ex, spec))))
        frame = ex.frames[spec.id]
        if spec.kind == "distribution":
            with warnings.catch_warnings():  # Nederland beside itself: one colour is enough
                warnings.simplefilter("ignore", UserWarning)
                items.append(plots.distribution_bars(frame, ex.period))
        elif spec.unit == "count" or ex.region.is_national:
            items.append(plots.time_series(_no_national(frame[frame["period"] <= ex.period.key])))
        else:
            items.append(plots.region_vs_national_bar(frame, ex.period))
    return items


# --------------------------------------------------------------------------- step 5
def national_table(ex: Example) -> pd.DataFrame:
    """Region against Nederland for every open indicator, with the noise-aware verdict."""
    rows = []
    for spec in compared_specs(ex):
        comp = comparison(ex, spec)
        row = {
            "Indicator": _label(spec, comp.category),
            ex.region.name: format_value(comp.row["value"], spec.unit),
            "Nederland": format_value(comp.national_row["value"], spec.unit),
            "Oordeel": comp.verdict.verdict if not ex.region.is_national else "",
        }
        if ex.provenance.get("synthetic"):  # oefendata: say which figures CBS really published
            row[REAL_COLUMN] = real_mark(comp.row.get("real"), comp.national_row.get("real"))
        rows.append(row)
    return pd.DataFrame(rows)


#: Column of the step-5 table that says, in the oefendata, which figures are real CBS figures.
REAL_COLUMN = "Echt CBS-cijfer"


def real_mark(region_real, national_real) -> str:
    """``'regio en Nederland'``, ``'alleen Nederland'``, ``'alleen de regio'`` or ``'nee (oefencijfer)'``."""
    region_real, national_real = bool(region_real), bool(national_real)
    if region_real and national_real:
        return "regio en Nederland"
    if region_real or national_real:
        return "alleen de regio" if region_real else "alleen Nederland"
    return "nee (oefencijfer)"


def _prov_line(ex: Example, extra: dict | None = None) -> str:
    prov = ex.provenance
    if extra:
        prov = {**prov, "tables": list(dict.fromkeys([*prov["tables"], *extra.get("tables", [])])),
                "synthetic": prov.get("synthetic") or extra.get("synthetic")}
    return _source_line(prov)


def step5_national(ex: Example) -> list:
    if ex.region.is_national:
        return [_md("Dit voorbeeld gaat over Nederland zelf; vergelijk hieronder met de Veilig Thuis-regio's en over de tijd.")]
    text = (
        "Het landelijke cijfer geeft context. Het oordeel houdt rekening met toeval en met de afronding "
        "van CBS op vijftallen: *vergelijkbaar* betekent dat het verschil binnen die marge valt, *iets* of "
        "*duidelijk* hoger of lager dat het daarbuiten valt (duidelijk: ook bij 99,9 % zekerheid en minstens "
        "10 % verschil)."
    )
    lines = []
    for spec in compared_specs(ex):
        comp = comparison(ex, spec)
        if comp.verdict.is_difference:
            lines.append(
                f"- {_label(spec, comp.category)}: {format_value(comp.row['value'], spec.unit)} in {ex.phrase} "
                f"tegen {format_value(comp.national_row['value'], spec.unit)} landelijk — {comp.verdict.verdict}."
            )
    found = ("\n\n**Verschillen met Nederland:**\n\n" + "\n".join(lines)) if lines else (
        "\n\nGeen van de cijfers wijkt duidelijk af van het landelijke cijfer.")
    table = national_table(ex)
    legend = (f"\n\n*{REAL_COLUMN}*: welke cijfers in deze oefendata door CBS zijn gepubliceerd; de andere zijn "
              "verzonnen om mee te oefenen." if REAL_COLUMN in table.columns else "")
    return [_md(text + "\n\n" + md_table(table) + legend + "\n\n" + _prov_line(ex) + found)]


def step5_peers(ex: Example) -> list:
    """The region beside comparable regions (chosen on context factors, or given)."""
    from . import plots
    from .compare.narrative import peers_sentence

    head = comparison(ex, get_indicator_spec(ex.question.headline))
    if head.peers is None:
        return [_md(" ".join(head.notes[-1:]) or "Vergelijkbare regio's zijn hier niet te bepalen.")]
    peers = head.peers
    factors = peers.attrs.get("factors", [])
    how = ("gekozen op achtergrondkenmerken die voor huiselijk geweld ertoe doen (bevolkingsopbouw, "
           "stedelijkheid, inkomen, gezinnen)" if ex.peers == "auto" else "zelf opgegeven")
    ftable = peers_table(ex, peers)
    years = sorted({f["year"] for f in factors})
    labels = [f["label"].split(" (")[0].lower() for f in factors]
    on = (", ".join(labels[:-1]) + " en " + labels[-1]) if len(labels) > 1 else "".join(labels)
    items = [_md(
        f"De vergelijkingsregio's zijn {how}. Ze lijken op {ex.phrase} in: {on} (kenmerken van "
        f"{', '.join(map(str, years))}). De eerste rij is {ex.region.name} zelf; hoe kleiner de afstand, hoe meer "
        f"een regio erop lijkt.\n\n" + md_table(ftable) + "\n\n"
        + _source_line(peers.attrs.get("source", {}))
    )]
    rows = []
    for spec in compared_specs(ex):
        comp = comparison(ex, spec)
        if comp.peers is None:
            continue
        row = {"Indicator": _label(spec, comp.category), ex.region.name: format_value(comp.row["value"], spec.unit)}
        row.update({r.region: format_value(r.value, spec.unit) for r in comp.peers.itertuples()})
        row["Oordeel t.o.v. de vergelijkbare regio's samen"] = comp.peer_verdict.verdict if comp.peer_verdict else "–"
        rows.append(row)
    sentence = peers_sentence(ex.region, list(zip(head.peers["region"], head.peers["value"])), head.unit, head.peer_verdict)
    items.append(_md(f"**{_label(head.spec, head.category)}.** {sentence}\n\n" + md_table(pd.DataFrame(rows))
                     + "\n\n" + _prov_line(ex, peers.attrs.get("source"))))
    keys = [ex.region.key, *peers["region_key"]]
    if head.ranking is not None:
        subset = head.ranking[head.ranking["region_key"].isin(keys)].copy()
        subset.attrs = dict(head.series.attrs)
        items.append(plots.ranked_dotplot(subset, ex.region.key, ex.period,
                                          title=f"{_label(head.spec, head.category)}, {ex.period.title}\n"
                                                f"{ex.region.name} en vergelijkbare regio's"))
    return items


def peers_table(ex: Example, peers: pd.DataFrame) -> pd.DataFrame:
    """The region's own row, then the comparable regions, with the factors that made them similar."""
    from .compare.peers import context_factors

    factors = peers.attrs.get("factors", [])
    own = {"region": f"{ex.region.name} (zelf)", "distance": 0.0}
    if factors and ex.region.level == "vt":
        try:
            mine = context_factors([ex.region.key], factors[0]["year"])
            own.update({f["id"]: mine[f["id"]].iloc[0] for f in factors if f["id"] in mine})
        except Exception:  # noqa: BLE001 - the table still shows the peers
            pass
    rows = pd.concat([pd.DataFrame([own]), peers], ignore_index=True)
    table = pd.DataFrame({"Regio": rows["region"],
                          "Afstand": ["–" if i == 0 else format_value(d, "") for i, d in enumerate(rows["distance"])]})
    for f in factors:
        table[f["label"]] = [
            format_value(v, "count") if f["id"] in ("population", "address_density") else format_value(v, "")
            for v in rows.get(f["id"], pd.Series([math.nan] * len(rows)))
        ]
    return table


def trained_groups_table(ex: Example) -> pd.DataFrame | None:
    """The share of each trained professional group, from the start of the series to the period.

    One row per group and per indicator (adviesvragen, meldingen): first half year, the
    chosen half year, the change and Nederland in the chosen half year. ``None`` without
    ``trained_groups`` or without the distributions in the question.
    """
    from .compare.narrative import category_text

    if not ex.trained_groups:
        return None
    rows = []
    for ident, noun in (("adviesvragers_type_pct", "adviesvragen"), ("melders_type_pct", "meldingen")):
        if ident not in ex.frames:
            continue
        frame = ex.frames[ident]
        frame = frame[(frame["period"] >= SERIES_START) & (frame["period"] <= ex.period.key)]
        first_key = frame["period"].min()
        for group in ex.trained_groups:
            part = frame[frame["category"] == group].set_index("period")
            if part.empty:
                continue
            start, now = part["value"].get(first_key), part["value"].get(ex.period.key)
            change = now - start if not (pd.isna(start) or pd.isna(now)) else math.nan
            sign = "+" if change > 0 else ""
            rows.append({
                "Beroepsgroep": category_text(group)[:1].upper() + category_text(group)[1:],
                "Aandeel van de": noun,
                parse_period(first_key).title: format_percent(start),
                ex.period.title: format_percent(now),
                "Verschil": "onbekend" if pd.isna(change) else sign + format_percent(change).replace(" %", " procentpunt"),
                f"Nederland {ex.period.title}": format_percent(part["national"].get(ex.period.key)),
            })
    return pd.DataFrame(rows) if rows else None


def _trained_series(ex: Example, ident: str) -> pd.DataFrame:
    """The trained groups as lines of one chart: each group takes the place of a region."""
    from .compare.narrative import category_text

    frame = ex.frames[ident]
    part = frame[frame["category"].isin(ex.trained_groups) & (frame["period"] >= SERIES_START)
                 & (frame["period"] <= ex.period.key)].copy()
    part["region"] = [category_text(c)[:1].upper() + category_text(c)[1:] for c in part["category"]]
    part["region_key"] = part["category"]
    part["national"] = math.nan
    part.attrs = dict(frame.attrs)
    return part


def long_lasting_table(ex: Example, spec: IndicatorSpec) -> tuple[pd.DataFrame, str] | None:
    """'Langer dan 5 jaar' and all of 'langer dan een jaar' beside Nederland, with the verdict."""
    from .compare.narrative import LONG_CATEGORIES, long_lasting_sentence
    from .compare.verdicts import compare_values

    part = _at_period(ex, spec).set_index("category")
    if not set(LONG_CATEGORIES) <= set(part.index):
        return None
    denominator = part["denominator"].iloc[0]

    def row(categories, label):
        sub = part.loc[list(categories)]
        value, national = sub["value"].sum(min_count=len(categories)), sub["national"].sum(min_count=len(categories))
        numerator = sub["numerator"].sum(min_count=len(categories))
        verdict = compare_values(value, national, unit="percent", numerator=numerator, denominator=denominator)
        return (value, national, verdict), {
            "Duur van het geweld": label, ex.region.name: format_percent(value), "Nederland": format_percent(national),
            "Oordeel": verdict.verdict,
        }

    five, row5 = row(LONG_CATEGORIES[-1:], "langer dan vijf jaar")
    year, row1 = row(LONG_CATEGORIES, "langer dan een jaar (een tot vijf jaar en langer)")
    return pd.DataFrame([row5, row1]), long_lasting_sentence(spec, ex.region, five, year)


def step5_core(ex: Example) -> list:
    """The core of the question: the trained groups over time, long-lasting violence."""
    from . import plots

    items: list = []
    if ex.trained_groups:
        table = trained_groups_table(ex)
        if table is not None:
            items.append(_md(
                f"**De beroepsgroepen waarop de scholing gericht is.** Stijgt hun aandeel in de adviesvragen en "
                f"meldingen? Hieronder hun aandeel vanaf {parse_period(SERIES_START).dutch} tot {ex.period.dutch}.\n\n"
                + md_table(table) + "\n\n" + _prov_line(ex)))
            for ident, what in (("adviesvragers_type_pct", "adviesvragen"), ("melders_type_pct", "meldingen")):
                if ident in ex.frames:
                    series = _trained_series(ex, ident)
                    if len(series):
                        items.append(plots.time_series(series, title=f"Aandeel van de {what} per beroepsgroep waarop de "
                                                                     f"scholing gericht is\n{ex.region.name}"))
    elif ex.question.id == "eerder-beter-in-beeld":
        items.append(_md("Welke beroepsgroepen zijn geschoold? Noem ze in het parameterbestand onder `trained_groups`; "
                         "dan staat hier hoe hun aandeel in de adviesvragen en meldingen zich ontwikkelt."))
    for spec in ex.open_specs:
        if spec.id.startswith("duur_geweld"):
            found = long_lasting_table(ex, spec)
            if found is not None:
                table, sentence = found
                items.append(_md(f"**Langdurig geweld: {lower_label(spec)}.** {sentence}\n\n" + md_table(table)
                                 + "\n\n" + _prov_line(ex)))
    return items


def lower_label(spec: IndicatorSpec) -> str:
    from .compare.narrative import lower_first

    return lower_first(spec.name)


def rank_band(rank, n: int) -> str | None:
    """``'hoogste'`` for the top fifth, ``'laagste'`` for the bottom fifth, else ``None``."""
    if rank is None or n < 5:
        return None
    fifth = max(1, round(n / 5))
    if rank <= fifth:
        return "hoogste"
    if rank > n - fifth:
        return "laagste"
    return None


def _rank_sentences(ex: Example, comp) -> str:
    from .compare.narrative import rank_sentence

    text = rank_sentence(comp.rank, ex.region)
    band = rank_band(comp.rank.rank, comp.rank.n_regions)
    if band:
        text += f" {ex.region.name} hoort daarmee bij de Veilig Thuis-regio's met de {band} cijfers."
    return text


def step5_all_regions(ex: Example) -> list:
    """All Veilig Thuis-regio's at a glance: each figure ranked, the region highlighted."""
    from . import plots
    from .figures import cached

    items: list = []
    highlight = ex.region.key if ex.region.level == "vt" else ex.region.vt_regio
    if ex.region.level != "vt":
        parent = _regions.get(highlight).name if highlight else None
        items.append(_md(f"Een rangorde geldt voor de 26 Veilig Thuis-regio's; {ex.region.name} zelf staat er niet in."
                         + (f" Gemarkeerd is de Veilig Thuis-regio {parent}, waar {ex.region.name} bij hoort." if parent else "")))
    for spec in compared_specs(ex):
        comp = comparison(ex, spec)
        if ex.region.level == "vt" and comp.ranking is not None:
            frame, text = comp.ranking, _rank_sentences(ex, comp)
        else:
            frame, text = query.indicator_values(spec.id, "vt", ex.period, category=comp.category), ""
        if not frame.attrs.get("source"):
            frame = frame.copy()
            frame.attrs = dict(comp.series.attrs)
        items.append(_md(f"**{_label(spec, comp.category)}.** {text}".strip()))
        # the same for every gemeente of one VT-regio (and every provincie): drawn once per batch
        items.append(cached(plots.ranked_dotplot, _no_national(frame), highlight, ex.period))
        if spec.id == ex.question.headline:
            items.append(cached(plots.tile_map, frame, highlight, ex.period))
    return items


def _series_to_latest(ex: Example, spec: IndicatorSpec, category: str | None) -> pd.DataFrame:
    frame = ex.frames[spec.id]
    if category is not None:
        frame = frame[frame["category"] == category]
    out = frame[frame["period"] >= SERIES_START].copy()
    out.attrs = dict(ex.frames[spec.id].attrs)
    return out


def step5_over_time(ex: Example) -> list:
    """Each figure from 2019 to the newest half year, with the course up to the chosen period."""
    from . import plots
    from .compare.narrative import value_text

    items: list = []
    for spec in compared_specs(ex):
        comp = comparison(ex, spec)
        series = _series_to_latest(ex, spec, comp.category)
        sentences = [s.sentence for s in (comp.shape, comp.trend) if s is not None]
        later = series[series["period"] > ex.period.key].dropna(subset=["value"])
        if len(later):
            last = later.iloc[-1]
            latest = parse_period(last["period"]).with_flag(last["provisional"] or "")
            sentences.append(
                f"Het nieuwste cijfer, over {latest.dutch}, is {value_text(last['value'], spec.unit, latest.is_provisional)}."
            )
        items.append(_md(f"**{_label(spec, comp.category)}.** " + " ".join(sentences)))
        items.append(plots.time_series(_no_national(series)))
    return items


# --------------------------------------------------------------------------- step 6
def notable_shape(comp, *, relative: float = 0.03):
    """The comparison's shape when it rose-then-fell (or fell-then-rose) by a visible amount.

    Both legs must move at least ``relative`` (3 %) of the turning value, so a series that
    wobbles within rounding (2,4 → 2,2 → 2,2) is not called a turn.
    """
    shape = comp.shape
    if shape is None or shape.kind not in ("stijging dan daling", "daling dan stijging"):
        return None
    series = comp.series.set_index("period")["value"]
    turn = shape.peak if shape.kind == "stijging dan daling" else shape.trough
    ends = series.get(shape.first.key), series.get(shape.last.key)
    value = series.get(turn.key)
    if value is None or not value or any(e is None or pd.isna(e) for e in ends):
        return None
    return shape if min(abs(value - e) for e in ends) >= relative * abs(value) else None


def _advice_and_reports(ex: Example):
    adv = _at_period(ex, get_indicator_spec("adviesvragers_type_pct")).set_index("category")["value"]
    mel = _at_period(ex, get_indicator_spec("melders_type_pct")).set_index("category")["value"]
    return adv, mel


def advice_groups(ex: Example, *, ratio: float = 2.0) -> list[str]:
    """Professions whose share of adviesvragen is at least ``ratio`` × their share of meldingen."""
    have = {s.id for s in ex.open_specs}
    if not {"adviesvragers_type_pct", "melders_type_pct"} <= have:
        return []
    adv, mel = _advice_and_reports(ex)
    skip = {"Burger", "Onbekend", "Beroepsmatig overig"}
    return [c for c in adv.index if c not in skip and c in mel.index and adv[c] >= 1.0
            and not pd.isna(mel[c]) and adv[c] >= ratio * mel[c]]


def advice_versus_reports(ex: Example, *, ratio: float = 2.0) -> str | None:
    """The sentence on professions that ask advice relatively often but report little."""
    hits = advice_groups(ex, ratio=ratio)
    if not hits:
        return None
    adv, mel = _advice_and_reports(ex)
    from .compare.narrative import category_text

    listed = ", ".join(f"{category_text(c)} ({format_percent(adv[c])} van de adviesvragen, {format_percent(mel[c])} van de meldingen)"
                       for c in hits)
    return (f"Deze beroepsgroepen vragen in {ex.phrase} relatief vaak advies, maar doen relatief weinig meldingen: "
            f"{listed}.")


def finding(ex: Example, spec: IndicatorSpec) -> str | None:
    """One line on what stands out for an indicator, or ``None`` when nothing does.

    Counts: a clear difference from Nederland, a place in the top or bottom fifth of the
    Veilig Thuis-regio's, a visible turn in the course since 2019; for a distribution also
    its largest category. Every line starts with the value and its comparison with Nederland.
    """
    comp = comparison(ex, spec)
    band = rank_band(comp.rank.rank, comp.rank.n_regions) if comp.rank else None
    shape = notable_shape(comp)
    clear = comp.verdict.verdict.startswith("duidelijk")
    if not (clear or band or shape is not None or spec.kind == "distribution"):
        return None
    value, national = format_value(comp.row["value"], spec.unit), format_value(comp.national_row["value"], spec.unit)
    if ex.region.is_national:
        head = f"{value}"
    elif comp.verdict.verdict in ("vergelijkbaar", "niet te zeggen"):
        head = f"{value} tegen {national} landelijk ({comp.verdict.verdict})"
    else:
        head = f"{value}, {comp.verdict.verdict} dan landelijk ({national})"
    parts = [head]
    if band:
        parts.append(f"{comp.rank.text}: bij de Veilig Thuis-regio's met de {band} cijfers")
    text = f"**{_label(spec, comp.category)}:** " + "; ".join(parts) + "."
    if shape is not None:
        text += " " + shape.sentence
    if spec.kind == "distribution":
        text += " " + _figure_sentences(ex, spec)[0]
    return text


def step6_stands_out(ex: Example) -> list:
    """What stands out: clear differences, extreme places, turns over time, largest categories."""
    bullets = [f for f in (finding(ex, spec) for spec in compared_specs(ex)) if f]
    contrast = advice_versus_reports(ex)
    if contrast:
        bullets.append(contrast)
    if not bullets:
        bullets.append("Geen van de cijfers wijkt duidelijk af van het landelijke beeld of van de andere regio's.")
    return [_md("\n".join(f"- {b}" for b in bullets) + "\n\n" + _prov_line(ex))]


def step6_questions(ex: Example) -> list:
    """At most six questions the figures raise, none repeated, each tied to its indicator.

    The headline comes first, then every other clear difference or visible turn (one
    question each), the contrast between advice and reports, and the question's own
    reflection (see :func:`impactlib.compare.narrative.select_questions`).
    """
    from .compare.narrative import questions, select_questions

    findings: list[list[str]] = []
    specs = sorted(compared_specs(ex), key=lambda s: s.id != ex.question.headline)
    for spec in specs:
        comp = comparison(ex, spec)
        shape = notable_shape(comp)
        if comp.verdict.verdict.startswith("duidelijk") or shape is not None:
            asked = questions(spec, ex.region, verdict=None if ex.region.is_national else comp.verdict,
                              trend=comp.trend, shape=shape, has_peers=comp.peers is not None,
                              category=comp.category)
            if asked:
                findings.append(asked)
    groups = advice_groups(ex)
    if groups:  # right after the headline: the seed's own point for Drenthe
        findings.insert(1 if findings else 0, [f"Hoe lezen we dat {_groups_text(groups)} wel advies vragen maar weinig melden?"])
    chosen = select_questions(findings, [esc(q) for q in ex.question.reflection])
    return [_md("Vragen voor het gesprek met de partners (stap 7 en 8):\n\n" + "\n".join(f"- {q}" for q in chosen))]


def step6_cannot_answer(ex: Example) -> list:
    """What the monitor cannot answer, with the missing indicators and where to find them."""
    from .compare.narrative import limits

    head = get_indicator_spec(ex.question.headline)
    lines = limits(head, ex.region, period=ex.period, question_indicators=[s.id for s in ex.specs])
    lines += [f"'{s.name}' is over {ex.period.dutch} (nog) niet gepubliceerd." for s in ex.unpublished_specs]
    text = "\n".join(f"- {line}" for line in lines)
    if ex.missing_specs:
        table = pd.DataFrame({"Ontbrekende indicator": [s.name for s in ex.missing_specs],
                              "Waar te vinden": [s.where for s in ex.missing_specs]})
        text += "\n\n**Indicatoren die de beleidsvraag nodig heeft maar die niet in de open data staan:**\n\n"
        text += md_table(table) + "\n\n*Bron: Impactmonitor HGKM, overzicht van indicatoren (instrument 02).*"
    return [_md(text)]


# --------------------------------------------------------------------------- summary for the runner
def summary(ex: Example) -> dict:
    """A small JSON record the runner reads back (index page, HTML banner)."""
    spec = get_indicator_spec(ex.question.headline)
    spec = spec if spec.id in ex.frames else ex.open_specs[0]
    comp = comparison(ex, spec)
    return {
        "region": ex.region.name,
        "region_key": ex.region.key,
        "question": ex.question.id,
        "period": ex.period.key,
        "period_title": ex.period.title,
        "title": ex.title,
        "synthetic": ex.synthetic,
        "banner": OEFENDATA_TEXT if ex.synthetic else None,
        "source": query.source_label(ex.provenance),
        "parameters": dict(ex.parameters),
        "headline": {
            "indicator": spec.id,
            "category": comp.category,
            "label": _label(spec, comp.category),
            "value": None if pd.isna(comp.row["value"]) else round_half_up(float(comp.row["value"]), 1),
            "text": format_value(comp.row["value"], spec.unit),
            "national_text": format_value(comp.national_row["value"], spec.unit),
            "verdict": comp.verdict.verdict,
        },
    }


def show_summary(ex: Example) -> None:
    """Display :func:`summary` as ``application/json`` (the runner reads it back)."""
    from IPython.display import display

    display({"application/json": summary(ex)}, raw=True)
