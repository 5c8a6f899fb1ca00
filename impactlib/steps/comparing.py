"""Step 5: compare fairly — with Nederland, comparable regions, all Veilig Thuis-regio's and over time.

Every figure comes from the example's :func:`~impactlib.steps.example.comparison`; the step
also shows the core of the question: the trained professional groups over time and
long-lasting violence.
"""

from __future__ import annotations

import math

import pandas as pd

from .. import query
from .. import regions as _regions
from ..catalogue import IndicatorSpec, get_indicator_spec
from ..compare.findings import rank_band
from ..formatting import format_percent, format_value
from ..periods import parse_period
from .display import REAL_COLUMN, label, md, md_table, real_mark, source_line
from .example import SERIES_START, Example, at_period, compared_specs, comparison, no_national


# --------------------------------------------------------------------------- Nederland
def national_table(ex: Example) -> pd.DataFrame:
    """Region against Nederland for every open indicator, with the noise-aware verdict."""
    rows = []
    for spec in compared_specs(ex):
        comp = comparison(ex, spec)
        row = {
            "Indicator": label(spec, comp.category),
            ex.region.name: format_value(comp.row["value"], spec.unit),
            "Nederland": format_value(comp.national_row["value"], spec.unit),
            "Oordeel": comp.verdict.verdict if not ex.region.is_national else "",
        }
        if ex.provenance.get("synthetic"):  # oefendata: say which figures CBS really published
            row[REAL_COLUMN] = real_mark(comp.row.get("real"), comp.national_row.get("real"))
        rows.append(row)
    return pd.DataFrame(rows)


def step5_national(ex: Example) -> list:
    if ex.region.is_national:
        return [md("Dit voorbeeld gaat over Nederland zelf; vergelijk hieronder met de Veilig Thuis-regio's en over de tijd.")]
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
                f"- {label(spec, comp.category)}: {format_value(comp.row['value'], spec.unit)} in {ex.phrase} "
                f"tegen {format_value(comp.national_row['value'], spec.unit)} landelijk — {comp.verdict.verdict}."
            )
    found = ("\n\n**Verschillen met Nederland:**\n\n" + "\n".join(lines)) if lines else (
        "\n\nGeen van de cijfers wijkt duidelijk af van het landelijke cijfer.")
    table = national_table(ex)
    legend = (f"\n\n*{REAL_COLUMN}*: welke cijfers in deze oefendata door CBS zijn gepubliceerd; de andere zijn "
              "verzonnen om mee te oefenen." if REAL_COLUMN in table.columns else "")
    return [md(text + "\n\n" + md_table(table) + legend + "\n\n" + source_line(ex.provenance) + found)]


# --------------------------------------------------------------------------- comparable regions
def step5_peers(ex: Example) -> list:
    """The region beside comparable regions (chosen on context factors, or given)."""
    from .. import plots
    from ..compare.narrative import peers_sentence

    head = comparison(ex, get_indicator_spec(ex.question.headline))
    if head.peers is None:
        return [md(" ".join(head.notes[-1:]) or "Vergelijkbare regio's zijn hier niet te bepalen.")]
    peers = head.peers
    factors = peers.attrs.get("factors", [])
    how = ("gekozen op achtergrondkenmerken die voor huiselijk geweld ertoe doen (bevolkingsopbouw, "
           "stedelijkheid, inkomen, gezinnen)" if ex.peers == "auto" else "zelf opgegeven")
    ftable = _peers_table(ex, peers)
    years = sorted({f["year"] for f in factors})
    labels = [f["label"].split(" (")[0].lower() for f in factors]
    on = (", ".join(labels[:-1]) + " en " + labels[-1]) if len(labels) > 1 else "".join(labels)
    items = [md(
        f"De vergelijkingsregio's zijn {how}. Ze lijken op {ex.phrase} in: {on} (kenmerken van "
        f"{', '.join(map(str, years))}). De eerste rij is {ex.region.name} zelf; hoe kleiner de afstand, hoe meer "
        f"een regio erop lijkt.\n\n" + md_table(ftable) + "\n\n"
        + source_line(peers.attrs.get("source", {}))
    )]
    rows = []
    for spec in compared_specs(ex):
        comp = comparison(ex, spec)
        if comp.peers is None:
            continue
        row = {"Indicator": label(spec, comp.category), ex.region.name: format_value(comp.row["value"], spec.unit)}
        row.update({r.region: format_value(r.value, spec.unit) for r in comp.peers.itertuples()})
        row["Oordeel t.o.v. de vergelijkbare regio's samen"] = comp.peer_verdict.verdict if comp.peer_verdict else "–"
        rows.append(row)
    sentence = peers_sentence(ex.region, list(zip(head.peers["region"], head.peers["value"])), head.unit, head.peer_verdict)
    items.append(md(f"**{label(head.spec, head.category)}.** {sentence}\n\n" + md_table(pd.DataFrame(rows))
                    + "\n\n" + source_line(ex.provenance, peers.attrs.get("source"))))
    keys = [ex.region.key, *peers["region_key"]]
    if head.ranking is not None:
        subset = head.ranking[head.ranking["region_key"].isin(keys)].copy()
        subset.attrs = dict(head.series.attrs)
        items.append(plots.ranked_dotplot(subset, ex.region.key, ex.period,
                                          title=f"{label(head.spec, head.category)}, {ex.period.title}\n"
                                                f"{ex.region.name} en vergelijkbare regio's"))
    return items


def _peers_table(ex: Example, peers: pd.DataFrame) -> pd.DataFrame:
    """The region's own row, then the comparable regions, with the factors that made them similar."""
    from ..compare.peers import context_factors

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


# --------------------------------------------------------------------------- the core of the question
def trained_groups_table(ex: Example) -> pd.DataFrame | None:
    """The share of each trained professional group, from the start of the series to the period.

    One row per group and per indicator (adviesvragen, meldingen): first half year, the
    chosen half year, the change and Nederland in the chosen half year. ``None`` without
    ``trained_groups`` or without the distributions in the question.
    """
    from ..compare.narrative import category_text

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
    from ..compare.narrative import category_text

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
    from ..compare.narrative import LONG_CATEGORIES, long_lasting_sentence
    from ..compare.verdicts import compare_values

    part = at_period(ex, spec).set_index("category")
    if not set(LONG_CATEGORIES) <= set(part.index):
        return None
    denominator = part["denominator"].iloc[0]

    def row(categories, duration):
        sub = part.loc[list(categories)]
        value, national = sub["value"].sum(min_count=len(categories)), sub["national"].sum(min_count=len(categories))
        numerator = sub["numerator"].sum(min_count=len(categories))
        verdict = compare_values(value, national, unit="percent", numerator=numerator, denominator=denominator)
        return (value, national, verdict), {
            "Duur van het geweld": duration, ex.region.name: format_percent(value), "Nederland": format_percent(national),
            "Oordeel": verdict.verdict,
        }

    five, row5 = row(LONG_CATEGORIES[-1:], "langer dan vijf jaar")
    year, row1 = row(LONG_CATEGORIES, "langer dan een jaar (een tot vijf jaar en langer)")
    return pd.DataFrame([row5, row1]), long_lasting_sentence(spec, ex.region, five, year)


def step5_core(ex: Example) -> list:
    """The core of the question: the trained groups over time, long-lasting violence."""
    from .. import plots
    from ..compare.narrative import lower_first

    items: list = []
    if ex.trained_groups:
        table = trained_groups_table(ex)
        if table is not None:
            items.append(md(
                f"**De beroepsgroepen waarop de scholing gericht is.** Stijgt hun aandeel in de adviesvragen en "
                f"meldingen? Hieronder hun aandeel vanaf {parse_period(SERIES_START).dutch} tot {ex.period.dutch}.\n\n"
                + md_table(table) + "\n\n" + source_line(ex.provenance)))
            for ident, what in (("adviesvragers_type_pct", "adviesvragen"), ("melders_type_pct", "meldingen")):
                if ident in ex.frames:
                    series = _trained_series(ex, ident)
                    if len(series):
                        items.append(plots.time_series(series, title=f"Aandeel van de {what} per beroepsgroep waarop de "
                                                                     f"scholing gericht is\n{ex.region.name}"))
    elif ex.question.id == "eerder-beter-in-beeld":
        items.append(md("Welke beroepsgroepen zijn geschoold? Noem ze in het parameterbestand onder `trained_groups`; "
                        "dan staat hier hoe hun aandeel in de adviesvragen en meldingen zich ontwikkelt."))
    for spec in ex.open_specs:
        if spec.id.startswith("duur_geweld"):
            found = long_lasting_table(ex, spec)
            if found is not None:
                table, sentence = found
                items.append(md(f"**Langdurig geweld: {lower_first(spec.name)}.** {sentence}\n\n" + md_table(table)
                                + "\n\n" + source_line(ex.provenance)))
    return items


# --------------------------------------------------------------------------- all regions, over time
def _rank_sentences(ex: Example, comp) -> str:
    from ..compare.narrative import rank_sentence

    text = rank_sentence(comp.rank, ex.region)
    band = rank_band(comp.rank.rank, comp.rank.n_regions)
    if band:
        text += f" {ex.region.name} hoort daarmee bij de Veilig Thuis-regio's met de {band} cijfers."
    return text


def step5_all_regions(ex: Example) -> list:
    """All Veilig Thuis-regio's at a glance: each figure ranked, the region highlighted."""
    from .. import plots
    from ..figures import cached_all

    items: list = []
    charts: list = []  # (place in items, chart call)
    highlight = ex.region.key if ex.region.level == "vt" else ex.region.vt_regio
    if ex.region.level != "vt":
        parent = _regions.get(highlight).name if highlight else None
        items.append(md(f"Een rangorde geldt voor de 26 Veilig Thuis-regio's; {ex.region.name} zelf staat er niet in."
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
        items.append(md(f"**{label(spec, comp.category)}.** {text}".strip()))
        charts.append((len(items), (plots.ranked_dotplot, (no_national(frame), highlight, ex.period), {})))
        items.append(None)
        if spec.id == ex.question.headline:
            charts.append((len(items), (plots.tile_map, (frame, highlight, ex.period), {})))
            items.append(None)
    # the same for every gemeente of one VT-regio (and every provincie): drawn once per batch, the
    # kernels that reach them at the same moment sharing the drawing
    for (place, _), chart in zip(charts, cached_all([call for _, call in charts])):
        items[place] = chart
    return items


def _series_to_latest(ex: Example, spec: IndicatorSpec, category: str | None) -> pd.DataFrame:
    """One indicator (one category) from :data:`SERIES_START` to the newest half year."""
    frame = ex.frames[spec.id]
    if category is not None:
        frame = frame[frame["category"] == category]
    out = frame[frame["period"] >= SERIES_START].copy()
    out.attrs = dict(ex.frames[spec.id].attrs)
    return out


def step5_over_time(ex: Example) -> list:
    """Each figure from 2019 to the newest half year, with the course up to the chosen period."""
    from .. import plots
    from ..compare.narrative import value_text

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
        items.append(md(f"**{label(spec, comp.category)}.** " + " ".join(sentences)))
        items.append(plots.time_series(no_national(series)))
    return items
