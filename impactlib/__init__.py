"""impactlib: the figures of the Impactmonitor huiselijk geweld en kindermishandeling (CBS).

    >>> import impactlib as im
    >>> df = im.get_indicator("meldingen_acuut_structureel_pct", region="Zaanstreek-Waterland",
    ...                       period="2021HJ01")
    >>> float(df["value"].round(1).iloc[0]), float(df["national"].round(1).iloc[0])
    (55.6, 42.8)

The names below are loaded on first use, so ``import impactlib`` stays light.
"""

import os
from .lazy import lazy_getattr

__version__ = "0.1.0"

if os.environ.get("IMPACTMONITOR_NOTES") == "print":  # a kernel started by impactlib.run
    from .notes import print_notes

    print_notes()

_LAZY = {
    "get_indicator": "query",
    "indicator_values": "query",
    "available_periods": "query",
    "latest_period": "query",
    "source_label": "query",
    "resolve": "regions",
    "parse_period": "periods",
    "catalogue": "catalogue",
    "get_indicator_spec": "catalogue",
    "compare_report": "compare",
    "configure": "settings",
}

__all__ = sorted(_LAZY)


__getattr__ = lazy_getattr(__name__, globals(), _LAZY)
