"""Steps 5 and 6 of the method: compare fairly and say carefully what the figures show.

- :mod:`.verdicts`: noise-aware verdicts ("duidelijk hoger" ... "niet te zeggen");
- :mod:`.ranking`: place among the Veilig Thuis-regio's of the period;
- :mod:`.trends`: change over time and the shape of a series;
- :mod:`.peers`: comparable regions on context factors;
- :mod:`.narrative`: Dutch sentences, step-6 questions and limits;
- :mod:`.prevalence`: national prevalence applied to a region, with a caveat;
- :mod:`.report`: everything together (``impactmonitor compare``).
"""

from .peers import comparable_regions
from .prevalence import prevalence_estimates
from .ranking import rank_table, region_rank
from .report import build_comparison, compare_report
from .trends import describe_shape, period_change
from .verdicts import VERDICTS, compare_values

__all__ = [
    "VERDICTS",
    "compare_values",
    "rank_table",
    "region_rank",
    "period_change",
    "describe_shape",
    "comparable_regions",
    "prevalence_estimates",
    "build_comparison",
    "compare_report",
]
