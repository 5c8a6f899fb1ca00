"""impactlib: the figures of the Impactmonitor huiselijk geweld en kindermishandeling (CBS).

    >>> import impactlib as im
    >>> im.get_indicator("meldingen_acuut_structureel_pct", region="Zaanstreek-Waterland",
    ...                  period="2021HJ01")                                  # doctest: +SKIP
"""

__version__ = "0.1.0"
