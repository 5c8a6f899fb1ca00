"""What stands out (step 6), decided from the comparisons: extreme places, visible turns,
professions that ask advice but report little, and one line per notable figure.

These work on :class:`~impactlib.compare.report.Comparison` objects and plain series, so they
serve the stappenplan (:mod:`impactlib.steps`) and the exercises alike::

    rank_band(2, 26)                                  # 'hoogste': in the top fifth
    advice_groups(advice_shares, report_shares)       # ['Kinderopvang', 'Huisarts', ...]
"""

from __future__ import annotations

import pandas as pd

from ..formatting import format_percent, format_value

__all__ = ["rank_band", "notable_shape", "advice_groups", "advice_versus_reports", "finding"]

#: Who is never named as asking advice but reporting little: not a profession, or not one group.
NOT_A_PROFESSION = frozenset({"Burger", "Onbekend", "Beroepsmatig overig"})


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


def advice_groups(advice: pd.Series, reports: pd.Series, *, ratio: float = 2.0) -> list[str]:
    """Professions whose share of adviesvragen is at least ``ratio`` × their share of meldingen.

    ``advice`` and ``reports``: the shares (percent) of 'Type adviesvrager' and 'Type melder'
    in one half year, indexed by category. A share of advice below 1 % is too small to name.
    """
    return [c for c in advice.index if c not in NOT_A_PROFESSION and c in reports.index and advice[c] >= 1.0
            and not pd.isna(reports[c]) and advice[c] >= ratio * reports[c]]


def advice_versus_reports(advice: pd.Series, reports: pd.Series, phrase: str, *, ratio: float = 2.0) -> str | None:
    """The sentence on professions that ask advice relatively often but report little
    (:func:`advice_groups`) in the region ``phrase`` (``'de regio Drenthe'``), or ``None``."""
    from .narrative import category_text

    hits = advice_groups(advice, reports, ratio=ratio)
    if not hits:
        return None
    listed = ", ".join(f"{category_text(c)} ({format_percent(advice[c])} van de adviesvragen, "
                       f"{format_percent(reports[c])} van de meldingen)" for c in hits)
    return f"Deze beroepsgroepen vragen in {phrase} relatief vaak advies, maar doen relatief weinig meldingen: {listed}."


def finding(comp, *, distribution: str | None = None) -> str | None:
    """What stands out in one comparison, or ``None`` when nothing does.

    Counts: a clear difference from Nederland, a place in the top or bottom fifth of the
    Veilig Thuis-regio's, a visible turn in the course since 2019; a distribution always
    counts, and ``distribution`` is its sentence (the largest category) to end with. The
    line starts with the value and its comparison with Nederland; the caller names the figure.
    """
    spec = comp.spec
    band = rank_band(comp.rank.rank, comp.rank.n_regions) if comp.rank else None
    shape = notable_shape(comp)
    clear = comp.verdict.verdict.startswith("duidelijk")
    if not (clear or band or shape is not None or spec.kind == "distribution"):
        return None
    value, national = format_value(comp.row["value"], spec.unit), format_value(comp.national_row["value"], spec.unit)
    if comp.region.is_national:
        head = f"{value}"
    elif comp.verdict.verdict in ("vergelijkbaar", "niet te zeggen"):
        head = f"{value} tegen {national} landelijk ({comp.verdict.verdict})"
    else:
        head = f"{value}, {comp.verdict.verdict} dan landelijk ({national})"
    parts = [head]
    if band:
        parts.append(f"{comp.rank.text}: bij de Veilig Thuis-regio's met de {band} cijfers")
    text = "; ".join(parts) + "."
    if shape is not None:
        text += " " + shape.sentence
    if spec.kind == "distribution" and distribution is not None:
        text += " " + distribution
    return text
