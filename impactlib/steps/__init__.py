"""The stappenplan (steps 1–6) as library calls: the notebook holds words, this holds the work.

``notebooks/stappenplan_1-6.ipynb`` calls one function per part of a step and shows what it
returns::

    ex = steps.prepare(region="Drenthe", question="eerder-beter-in-beeld", period="2021HJ01")
    steps.show(steps.banner(ex))            # the oefendata banner (when the data are synthetic)
    steps.show(steps.step3_indicators(ex))  # the indicator table from the catalogue

Every function takes the prepared :class:`Example` and returns a list of display items:
:class:`IPython.display.Markdown` for text and tables, matplotlib figures for charts.
:func:`show` renders them (figures as SVG, then closed). All text is Dutch, all numbers go
through :mod:`impactlib.formatting`, and every chart and table carries its source line.

:func:`prepare` fetches each open indicator once for the region (every half year, every
category); the comparisons of step 5 (national verdict, rank among the Veilig Thuis-regio's,
comparable regions, trend) come from :func:`comparison`, one per indicator (and category),
computed when first needed and kept on the :class:`Example`.

Where things are:

- :mod:`.example` — :class:`Example`, :func:`prepare`, :func:`comparison`;
- :mod:`.display` — :func:`show`, :func:`md_table`, source lines, labels, the oefendata banner
  text (shared with the exercises and the handout);
- :mod:`.question` — the banner, the introduction and steps 1–3;
- :mod:`.region_figures` — step 4, with the region's own figures;
- :mod:`.comparing` — step 5;
- :mod:`.stands_out` — step 6 (what stands out is decided in :mod:`impactlib.compare.findings`);
- :mod:`.summary` — the JSON record the runner reads back.
"""

from ..compare.findings import notable_shape
from .comparing import (
    long_lasting_table,
    national_table,
    step5_all_regions,
    step5_core,
    step5_national,
    step5_over_time,
    step5_peers,
    trained_groups_table,
)
from .display import OEFENDATA_TEXT, REAL_COLUMN, comparison_label, figure_value, md, md_table, real_mark, show, source_line
from .example import Example, compared_specs, comparison, prepare
from .question import banner, indicator_table, intro, step1_question, step2_analysis, step3_indicators
from .region_figures import local_figures, step4_figures
from .stands_out import advice_groups, advice_versus_reports, step6_cannot_answer, step6_questions, step6_stands_out
from .summary import show_summary, summary

__all__ = [
    # the notebook, in its order
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
    "step5_all_regions",
    "step5_over_time",
    "step6_stands_out",
    "step6_questions",
    "step6_cannot_answer",
    "show_summary",
    # the example and its figures (exercises, handout)
    "Example",
    "comparison",
    "compared_specs",
    "summary",
    "indicator_table",
    "national_table",
    "trained_groups_table",
    "long_lasting_table",
    "notable_shape",
    "advice_groups",
    "advice_versus_reports",
    # display helpers (exercises, handout)
    "OEFENDATA_TEXT",
    "REAL_COLUMN",
    "real_mark",
    "md",
    "md_table",
    "source_line",
    "comparison_label",
    "figure_value",
]
