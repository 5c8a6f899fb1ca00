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


def exit_code_for(ename: str) -> int:
    """The exit code for an error known only by its class name, as a Jupyter kernel reports it.

    A notebook's kernel is another process: what comes back is ``ename`` (the class name) and
    ``evalue`` (the message), not an object to catch. One of our own errors keeps its exit code
    (``"NotAvailableError"`` → 2, a user error inside a notebook stays a user error); any other
    name (``"KeyError"``) is a fault, 1. This is the one place that mapping is made.
    """
    own = _own_class(ename)
    return own.exit_code if own is not None else 1


class KernelError(DataFault):
    """An error raised by a notebook's code in its kernel, carried as papermill carries it.

    Like papermill's ``PapermillExecutionError`` it has ``ename`` (the exception's class name in
    the kernel) and ``evalue`` (its message); ``exit_code`` follows from ``ename``
    (:func:`exit_code_for`). ``str(error)`` is one line: our own errors' Dutch message as is,
    anything else as ``KeyError: 'x'``. :meth:`from_exception` turns whatever stopped a notebook
    (papermill's error, a kernel that died, a timeout) into one.
    """

    def __init__(self, ename: str, evalue: str = "", *, message: str = "", **fields):
        self.ename, self.evalue = str(ename), str(evalue or "")
        first = (self.evalue.strip().splitlines() or [""])[0][:300]
        #: the one line that says what went wrong in the kernel
        self.line = first if _own_class(self.ename) is not None else (f"{self.ename}: {first}" if first else self.ename)
        super().__init__(message or self.line, **fields)
        self.exit_code = exit_code_for(self.ename)

    @classmethod
    def from_exception(cls, exc: BaseException, **fields) -> "KernelError":
        """An exception carrying ``ename``/``evalue`` (papermill's) as it is; any other by its class and message."""
        ename = getattr(exc, "ename", None)
        if ename:
            return cls(ename, getattr(exc, "evalue", ""), **fields)
        return cls(exc.__class__.__name__, str(exc), **fields)


class ExecutionFailed(KernelError):
    """A notebook (a run or an exercise) stopped with an error; the message names the region,
    the question and the failed notebook kept for inspection; ``ename``, ``evalue`` and
    ``exit_code`` are the kernel's error's."""


def _own_class(ename: str) -> type[ImpactError] | None:
    """The error class of ours named ``ename`` (``None`` for a name that is not ours)."""
    todo = [ImpactError]
    while todo:
        cls = todo.pop()
        if cls.__name__ == str(ename):
            return cls
        todo += cls.__subclasses__()
    return None
