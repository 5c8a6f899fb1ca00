"""Notes for the user, said through :mod:`logging`.

Deep code (a source falling back to the cache, a damaged cache file) does not print: it logs a
warning on a logger below ``impactmonitor`` (``impactmonitor.sources.cache``, ...), as a library
should. Whoever talks to the user decides where the notes go:

- the CLI wraps each command in :func:`printed_notes`, so every note is one line
  ``impactmonitor: <text>`` on stderr, next to the command's own remarks;
- a notebook kernel started by :mod:`impactlib.run` calls :func:`print_notes` once, so a note
  shows in the cell's output in that same line;
- any other program configures logging as it likes (without it, Python shows warnings only).
"""

from __future__ import annotations

import logging
import sys
from contextlib import contextmanager

__all__ = ["NOTES_LOGGER", "NoteHandler", "print_notes", "printed_notes"]

#: The logger the library says its notes on (children: ``impactmonitor.sources.cache``, ...).
NOTES_LOGGER = "impactmonitor"


class NoteHandler(logging.Handler):
    """Prints each note of the library (a record on an ``impactmonitor`` logger) as
    ``impactmonitor: <text>`` on stderr, the same line the CLI's own :func:`note` writes.

    ``sys.stderr`` is looked up for every note, so a redirected stderr (a test's capture,
    a caller's ``contextlib.redirect_stderr``) gets it.
    """

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(f"impactmonitor: {record.getMessage()}\n")
        except Exception:  # noqa: BLE001 - logging's own rule: a failing handler never breaks the program
            self.handleError(record)


def print_notes() -> NoteHandler:
    """From now on, in this process, print the library's notes as the CLI does: through one
    :class:`NoteHandler` and only there. Not through a handler on the root logger either:
    importing ``cbsodata`` calls ``logging.info`` and so gives the root logger a handler that
    would print ``WARNING:impactmonitor...:<text>``. For a notebook kernel or a script; the
    CLI itself uses :func:`printed_notes`. Calling it again adds no second handler."""
    logger = logging.getLogger(NOTES_LOGGER)
    present = next((h for h in logger.handlers if isinstance(h, NoteHandler)), None)
    if present is None:
        present = NoteHandler()
        logger.addHandler(present)
    logger.propagate = False
    return present


@contextmanager
def printed_notes():
    """While the CLI runs: :func:`print_notes`, undone afterwards. Nested use (a command run
    from within another, a test around :func:`~impactlib.cli.main`) adds no second handler."""
    logger = logging.getLogger(NOTES_LOGGER)
    if any(isinstance(h, NoteHandler) for h in logger.handlers):
        yield
        return
    propagate = logger.propagate
    handler = print_notes()
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
