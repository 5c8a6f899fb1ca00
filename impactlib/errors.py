"""The project's own error types.

Every error a user can cause or meet is one of these, so the CLI can print one clear
Dutch line and exit with the right code: 2 for a mistake in the input
(:class:`UserInputError`), 1 for a fault outside the user's control (:class:`DataFault`).
"""

from __future__ import annotations


class ImpactError(Exception):
    """Base class: ``str(error)`` is a single Dutch line fit to show to a user."""

    exit_code = 1

    def __init__(self, message: str, *, suggestions: list[str] | None = None):
        self.suggestions = list(suggestions or [])
        if self.suggestions:
            shown = ", ".join(f"'{s}'" for s in self.suggestions[:3])
            message = f"{message} Bedoelde u {shown}?"
        super().__init__(message.replace("\n", " "))


class UserInputError(ImpactError, ValueError):
    """Something the user asked for is wrong (unknown region, bad period, ...)."""

    exit_code = 2


class UnknownRegionError(UserInputError):
    pass


class PeriodError(UserInputError):
    pass


class UnknownIndicatorError(UserInputError):
    pass


class UnknownCategoryError(UserInputError):
    pass


class NotAvailableError(UserInputError):
    """The figure exists in the monitor but not for this region/period/source."""


class ParameterError(UserInputError):
    pass


class DataFault(ImpactError):
    """A fault of the data source, network or disk (exit code 1)."""

    exit_code = 1


class SourceUnavailable(DataFault):
    pass


class LayoutError(DataFault):
    """A table's metadata do not have what the catalogue expects (a dimension, category or measure).

    Raised instead of dropping a filter or guessing: ``table_id``, ``term`` (what was looked for)
    and ``offered`` (what the table has) say what drifted; ``impactmonitor data verify`` lists them all.
    """

    def __init__(self, message: str, *, table_id: str = "", term: str = "", offered: list[str] | None = None,
                 suggestions: list[str] | None = None):
        self.table_id, self.term, self.offered = table_id, term, list(offered or [])
        super().__init__(message, suggestions=suggestions)


class RegionMismatch(DataFault):
    """A region code came back from CBS titled as another region: the figures are refused."""

    def __init__(self, message: str, *, table_id: str = "", region: str = "", title: str = ""):
        self.table_id, self.region, self.title = table_id, region, title
        super().__init__(message)
