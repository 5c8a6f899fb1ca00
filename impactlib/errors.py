"""The project's own error types, all of them (no module defines an exception elsewhere).

Every error a user can cause or meet is one of these, so the CLI can print one clear
Dutch line and exit with the right code: 2 for a mistake in the input
(:class:`UserInputError`), 1 for a fault outside the user's control (:class:`DataFault`).

Besides the message, an error carries what it is about as fields, so code (and tests)
read ``error.table_id`` or ``error.region`` instead of parsing Dutch text:
``table_id``, ``region``, ``period``, ``indicator`` and ``path``, each ``""`` when it
does not apply. The message says the fix; the fields say where.
"""

from __future__ import annotations


class ImpactError(Exception):
    """Base class: ``str(error)`` is a single Dutch line fit to show to a user."""

    exit_code = 1

    def __init__(self, message: str, *, suggestions: list[str] | None = None, table_id: str = "",
                 region: str = "", period: str = "", indicator: str = "", path: str = ""):
        self.suggestions = list(suggestions or [])
        self.table_id, self.region, self.period = str(table_id or ""), str(region or ""), str(period or "")
        self.indicator, self.path = str(indicator or ""), str(path or "")
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


class LocalFileError(ParameterError):
    """A local file that cannot be used; ``errors`` lists every problem, one line each."""

    def __init__(self, errors: list[str], *, path: str = ""):
        self.errors = list(errors)
        more = len(self.errors) - 1
        tail = f" (en nog {more} {'fout' if more == 1 else 'fouten'})" if more else ""
        super().__init__(self.errors[0] + tail, path=path)


class ODataError(UserInputError):
    """A query option the mirror cannot understand (the mirror answers it with HTTP 400)."""


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
        self.term, self.offered = term, list(offered or [])
        super().__init__(message, suggestions=suggestions, table_id=table_id)


class RegionMismatch(DataFault):
    """A region code came back from CBS titled as another region: the figures are refused."""

    def __init__(self, message: str, *, table_id: str = "", region: str = "", title: str = ""):
        self.title = title
        super().__init__(message, table_id=table_id, region=region)


class KernelStartError(DataFault):
    """The kernel did not start, or the code preparing it for a notebook failed."""


class FrameContractError(DataFault):
    """A frame that breaks the frame contract (:mod:`impactlib.frame`): a column missing, a unit unknown, ..."""


class CorruptEntry(DataFault):
    """A cached file is missing, truncated or changed (its checksum no longer matches)."""
