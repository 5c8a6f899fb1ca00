"""The summary of a worked example: a small JSON record the runner reads back (index page, HTML banner)."""

from __future__ import annotations

import pandas as pd

from .. import query
from ..catalogue import get_indicator_spec
from ..formatting import format_value, round_half_up
from .display import OEFENDATA_TEXT, label
from .example import Example, comparison


def summary(ex: Example) -> dict:
    """A small JSON record the runner reads back (index page, HTML banner): the headline figure,
    the parameters and the source of the example."""
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
            "label": label(spec, comp.category),
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
