"""The tidy frame of local figures: the schema of a local file, its Dutch display and privacy.

Every frame the :mod:`impactlib.local` package returns has the columns :data:`COLUMNS`. Counts
(eenheid ``aantal``) below :data:`THRESHOLD` never appear: :func:`suppress_small` replaces them
(``waarde`` NaN, ``onderdrukt`` True, ``weergave`` ``"<5"``) and keeps no trace of the number.

>>> display_value(12.5, "percentage"), display_value(8, "werkdagen")
('12,5 %', '8,0 werkdagen')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ..formatting import format_count, format_number, format_percent
from ..periods import parse_period
from ..yamlfiles import safe_load

THRESHOLD = 5
#: Columns of every frame this package returns (``categorie`` only for monitor figures).
COLUMNS = [
    "bron", "indicator", "omschrijving", "categorie", "niveau", "gebied", "periode", "periodetitel",
    "waarde", "eenheid", "weergave", "onderdrukt", "opmerking",
]


@dataclass
class LocalIndicators:
    """A validated local file: the tidy ``frame`` (already suppressed) and where it came from."""

    frame: pd.DataFrame
    path: str
    file_format: str  # "csv", "xlsx" or "tabel"
    encoding: str = ""
    separator: str = ""
    threshold: int = THRESHOLD
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def synthetic(self) -> bool:
        """True when the file marks its figures as made up (the word 'synthetisch')."""
        return is_synthetic(self.frame)

    def summary(self) -> dict:
        f = self.frame
        periods = sorted({parse_period(p) for p in f["periode"]})
        return {
            "bestand": self.path,
            "formaat": self.file_format,
            "codering": self.encoding or None,
            "scheidingsteken": self.separator or None,
            "rijen": len(f),
            "indicatoren": sorted(f["indicator"].unique()),
            "bronnen": sorted(f["bron"].unique()),
            "gebieden": sorted(f["gebied"].unique()),
            "perioden": [p.key for p in periods],
            "onbekend": int((f["waarde"].isna() & ~f["onderdrukt"]).sum()),
            "onderdrukt": int(f["onderdrukt"].sum()),
            "drempel": self.threshold,
            "synthetisch": self.synthetic,
            "genegeerde_kolommen": list(self.ignored_columns),
        }


def is_synthetic(frame: pd.DataFrame | LocalIndicators) -> bool:
    """True when a note (``opmerking``) says the figures are made up (the word 'synthetisch')."""
    frame = frame.frame if isinstance(frame, LocalIndicators) else frame
    notes = frame["opmerking"] if "opmerking" in frame else pd.Series(dtype=str)
    return bool(notes.fillna("").astype(str).str.contains("synthetisch", case=False).any())


# --------------------------------------------------------------------------- schema
@lru_cache(maxsize=1)
def schema() -> dict:
    """The documented schema (``impactlib/data/local_schema.yaml``)."""
    text = resources.files("impactlib").joinpath("data/local_schema.yaml").read_text(encoding="utf-8")
    return safe_load(text)


def example_path() -> Path:
    """The shipped example with the structure of the Kennemerland set (synthetic values)."""
    return Path(str(resources.files("impactlib").joinpath("data/voorbeeld_lokale_indicatoren_kennemerland.csv")))


def required_columns() -> list[str]:
    """The columns every local file must have, in the schema's order."""
    return list(schema()["columns"])


# --------------------------------------------------------------------------- display and privacy
def display_value(value: float, unit: str | None) -> str:
    """Dutch text for one local figure, e.g. ``'12,5 %'``, ``'1.234'``, ``'8,0 werkdagen'``."""
    if value is None or np.isnan(value):
        return "onbekend"
    if unit == "aantal":
        return format_count(value)
    if unit == "percentage":
        return format_percent(value)
    suffix = {"per_10k": " per 10.000 inwoners", "per_1000": " per 1.000 inwoners"}.get(unit, f" {unit}")
    return format_number(value, 1) + ("" if unit == "gemiddelde" else suffix)


def empty_frame() -> pd.DataFrame:
    """A frame with the columns :data:`COLUMNS` and no rows."""
    return pd.DataFrame(columns=COLUMNS)


def suppress_small(frame: pd.DataFrame | LocalIndicators, threshold: int = THRESHOLD, *,
                   monitor_rows=None) -> pd.DataFrame:
    """Hide local counts below ``threshold``: ``waarde`` NaN, ``onderdrukt`` True, ``weergave`` '<5'.

    Applies to every row with eenheid ``aantal`` except the ``monitor_rows`` (a boolean mask
    the caller passes for rows it took from the monitor itself; CBS publishes its own counts,
    rounded to 5). What a row's ``bron`` says — even "CBS Impactmonitor" — never exempts a
    count: that column is written by the user. Idempotent; returns a copy.
    """
    frame = (frame.frame if isinstance(frame, LocalIndicators) else frame).copy()
    spared = pd.Series(False if monitor_rows is None else list(monitor_rows), index=frame.index, dtype=bool)
    small = (
        frame["eenheid"].eq("aantal")
        & frame["waarde"].notna()
        & (frame["waarde"] < threshold)
        & ~spared
    )
    frame.loc[small, "waarde"] = np.nan
    frame.loc[small, "onderdrukt"] = True
    frame.loc[small, "weergave"] = f"<{threshold}"
    frame["onderdrukt"] = frame["onderdrukt"].astype(bool)
    return frame
