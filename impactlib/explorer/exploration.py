"""The pure part of the verkenner: four choices in, an :class:`Exploration` out.

:func:`explore` takes a region, an indicator, a period and a comparison (and a category for a
distribution) and returns the chart, the sentence, the verdict, the table under the chart and
the downloads of it; no widgets, so it is tested without a browser.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd
from matplotlib.figure import Figure

from .. import downloads, plots, query, settings
from .. import regions as _regions
from ..catalogue import get_indicator_spec
from ..compare import build_comparison
from ..compare import narrative
from ..compare.report import COUNT_NOTE
from ..periods import parse_period
from ..regions import NATIONAL_KEY
from ..errors import ImpactError
from .choices import (
    DEFAULT_COMPARISON, DEFAULT_INDICATOR, DEFAULT_REGION, comparison_key, default_category, region_options,
    vt_or_national,
)
from .tables import (
    all_regions_frame, distribution_table, gap_note, pair_table, regions_table, series_frame, time_table,
)
from ..wording import oefendata_banner

OEFENDATA_TEXT = oefendata_banner("deze verkenner toont", short=True)
_DPI = 90


@dataclass
class Exploration:
    """What the verkenner shows for one set of choices; unpacks as ``(figure, sentence, verdict)``."""

    figure: Figure
    sentence: str
    verdict: str
    source: dict = field(default_factory=dict)  # provenance of the figures
    title: str = ""  # what is shown, for alt texts and headings
    table: pd.DataFrame = field(default_factory=pd.DataFrame)  # the figures of the chart
    decimals: dict = field(default_factory=dict)  # per table column: decimals shown
    notes: list = field(default_factory=list)  # said under the table and in the CSV
    name: str = ""  # for file names: indicator, region, comparison, period

    def __iter__(self):
        return iter((self.figure, self.sentence, self.verdict))

    def csv(self) -> bytes:
        """The table as CSV for Dutch Excel, with title, source line and oefendata label."""
        return downloads.dutch_csv(self.table, title=self.title, source_line=self.source_line,
                                   oefendata=OEFENDATA_TEXT if self.synthetic else None,
                                   decimals=self.decimals, notes=self.notes)

    def filename(self, extension: str) -> str:
        """``verkenner-<region>-<indicator>-<comparison>-<period>.<extension>``."""
        return f"verkenner-{downloads.slug(self.name or self.title, 120)}.{extension}"

    @property
    def synthetic(self) -> bool:
        return bool(self.source.get("synthetic"))

    @property
    def source_line(self) -> str:
        return query.source_label(self.source)

    def png(self) -> bytes:
        """The chart as PNG, drawn once: :mod:`~impactlib.plots` already laid it out inside its figure."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=_DPI)
        return buffer.getvalue()


@lru_cache(maxsize=256)
def _cached(indicator: str, region_key: str, period: str | None, category: str | None, now: settings.Settings):
    return build_comparison(indicator, _regions.get(region_key), period, category=category)


def _label(comp) -> str:
    return f"{comp.spec.name}: {comp.category}" if comp.category else comp.spec.name


def explore(
    region: str = DEFAULT_REGION,
    indicator: str = DEFAULT_INDICATOR,
    period: str | None = None,
    comparison: str = DEFAULT_COMPARISON,
    category: str | None = None,
) -> Exploration:
    """Chart, sentence and verdict for one set of choices (see the module doc).

    ``region``: a Veilig Thuis-regio or Nederland (name or key); ``period``: a half year
    (``None``: the newest); ``category``: for a distribution (default: the region's largest).
    Raises the project's :class:`~impactlib.errors.UserInputError` for a bad choice.
    """
    spec = get_indicator_spec(indicator, require_open=True)
    how = comparison_key(comparison)
    reg = vt_or_national(region)
    per = parse_period(period).key if period not in (None, "") else None
    label = spec.resolve_category(category) if category else default_category(spec.id, reg.key, per)
    comp = _cached(spec.id, reg.key, per, label, settings.current())
    value = comp.row["value"]
    sentences = [narrative.level_sentence(spec, reg, comp.period, value, comp.category)]
    national = reg.key == NATIONAL_KEY
    title = f"{_label(comp)} — {reg.name}, {comp.period.title}"

    notes: list[str] = []
    if how == "tijd" or (how == "nederland" and (national or spec.unit == "count")):
        frame = series_frame(comp)
        gaps = gap_note(frame, reg)
        notes = [gaps] if gaps else []
        figure = plots.time_series_with_breaks(frame, note=gaps)
        table = time_table(frame, reg, comp.unit)
        title = f"{_label(comp)} — {reg.name}, {frame['period_title'].iloc[0]} t/m {comp.period.title}"
        if how == "tijd":
            sentences += [s.sentence for s in (comp.shape, comp.trend) if s is not None]
            verdict = (f"{comp.trend.verdict} sinds {comp.trend.from_period.title}" if comp.trend is not None
                       else "geen verandering te zeggen")
        elif national:
            verdict = "landelijk cijfer"
        else:
            sentences.append(COUNT_NOTE)
            verdict = "niet te vergelijken (aantal)"
        sentences += notes
    elif how == "nederland":
        if spec.kind == "distribution":
            every = query.get_indicator(spec.id, reg, comp.period)
            figure = plots.distribution_bars(every, comp.period)
            table = distribution_table(every, comp.period, reg)
        else:
            figure = plots.region_vs_national_bar(comp.series, comp.period)
            table = pair_table(comp)
        sentences.append(narrative.comparison_sentence(comp.verdict))
        verdict = _versus(comp.verdict.verdict, "landelijk")
    elif how == "vergelijkbaar" and comp.peers is not None and comp.ranking is not None:
        keys = [reg.key, *comp.peers["region_key"]]
        subset = all_regions_frame(comp)
        subset = subset[subset["region_key"].isin(keys)]
        figure = plots.ranked_dotplot(
            subset, reg.key, comp.period,
            title=f"{_label(comp)}, {comp.period.title}\n{reg.name} en vergelijkbare regio's",
        )
        order = {k: i for i, k in enumerate(keys)}
        table = regions_table(subset.sort_values("region_key", key=lambda c: c.map(order)), comp, rank=False)
        pairs = list(zip(comp.peers["region"], comp.peers["value"]))
        sentences.append(narrative.peers_sentence(reg, pairs, spec.unit, comp.peer_verdict))
        word = comp.peer_verdict.verdict if comp.peer_verdict else "niet te zeggen"
        verdict = _versus(word, "de vergelijkingsregio's samen")
    else:
        everyone = all_regions_frame(comp)
        figure = plots.ranked_dotplot(everyone, None if national else reg.key, comp.period)
        table = regions_table(everyone, comp, rank=True)
        if how == "vergelijkbaar":
            sentences.append(
                "Vergelijkbare regio's zijn er alleen voor een Veilig Thuis-regio; hier staan alle regio's."
                if national else " ".join(comp.notes[-1:]) or "Vergelijkbare regio's zijn hier niet te bepalen."
            )
        if comp.rank is not None:
            sentences.append(narrative.rank_sentence(comp.rank, reg))
            verdict = f"{comp.rank.text} Veilig Thuis-regio's (1 = hoogste)"
        else:
            verdict = "geen rangorde (landelijk cijfer)" if national else "geen plaats (cijfer onbekend)"
    source = dict(comp.source)
    decimals = {c: (0 if comp.unit == "count" or c == "Plaats" else 1) for c in table.columns}
    name = f"{reg.name}-{spec.id}-{how}-{comp.period.key}"
    return Exploration(figure, " ".join(s for s in sentences if s), verdict, source, title, table, decimals, notes, name)


def warm_up(region: str = DEFAULT_REGION, indicator: str = DEFAULT_INDICATOR, period: str | None = None,
            comparison: str = DEFAULT_COMPARISON, category: str | None = None) -> None:
    """Work out, ahead of a participant's first change, what the views of all regions share.

    The first region after the one shown is the dear one: it makes :mod:`impactlib.query`
    compute the whole Veilig Thuis level at once (its whole-level answers), after which every
    other region is a few rows of it. A served explorer (``impactmonitor verkenner``) calls this
    while its pre-heated kernel waits for a participant, so the first change costs what every
    later change does. Nothing is shown; a choice that cannot be explored is left alone.
    """
    shown = vt_or_national(region).key
    other = next((key for _, key in region_options() if key not in (shown, NATIONAL_KEY)), None)
    if other is None:
        return
    try:
        explore(other, indicator, period, comparison, category)
    except ImpactError:
        pass


def _versus(word: str, reference: str) -> str:
    if word == "niet te zeggen":
        return "niet te zeggen"
    if word == "vergelijkbaar":
        return f"vergelijkbaar met {reference}"
    return f"{word} dan {reference}"
