"""Step 4: the region's figures, each in a sentence and a chart, and the region's own figures."""

from __future__ import annotations

import warnings

import pandas as pd

from ..catalogue import IndicatorSpec
from ..errors import ParameterError
from .display import esc, md
from .example import Example, at_period, no_national


def figure_sentences(ex: Example, spec: IndicatorSpec) -> list[str]:
    """The step-4 sentences of one indicator (words from :mod:`impactlib.compare.narrative`).

    The period's provisional mark is given once for the step, not in every sentence.
    """
    from ..compare.narrative import distribution_sentences, level_sentence

    part = at_period(ex, spec)
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
    from .. import plots

    items: list = []
    if ex.period.is_provisional:
        items.append(md(f"*De cijfers over {ex.period.dutch} zijn voorlopig ({ex.period.title}): CBS kan ze nog bijstellen.*"))
    for spec in ex.open_specs:
        items.append(md(f"### {spec.name}\n\n" + " ".join(figure_sentences(ex, spec))))
        frame = ex.frames[spec.id]
        if spec.kind == "distribution":
            with warnings.catch_warnings():  # Nederland beside itself: one colour is enough
                warnings.simplefilter("ignore", UserWarning)
                items.append(plots.distribution_bars(frame, ex.period))
        elif spec.unit == "count" or ex.region.is_national:
            items.append(plots.time_series(no_national(frame[frame["period"] <= ex.period.key])))
        else:
            items.append(plots.region_vs_national_bar(frame, ex.period))
    return items


def local_figures(ex: Example) -> list:
    """The region's own figures from ``local_file`` beside the monitor's, never mixed with them.

    The file is read and checked by :func:`impactlib.local.load_local` (schema of instrument
    08, errors naming row and column); local counts below 5 are suppressed (shown as
    ``<5``) before anything is displayed.
    """
    if ex.local_file is None:
        return []
    from ..errors import LocalFileError
    from ..local import load_local, local_markdown

    try:
        local = load_local(ex.local_file)
    except LocalFileError as exc:  # a plain ParameterError: the runner knows that type by name
        raise ParameterError(f"notebookparameters: sleutel 'local_file': {ex.local_file.name}: {exc}") from None
    return [md(local_markdown(local, ex.region, ex.period) + f"\n*Bron lokale cijfers: eigen registratie ({esc(ex.local_file.name)}).*")]
