"""Options and output helpers shared by the sub-commands."""

from __future__ import annotations

import json
import logging
import math
import sys
from contextlib import contextmanager

from .. import settings

#: The logger the library says its notes on (children: ``impactmonitor.sources.cache``, ...).
NOTES_LOGGER = "impactmonitor"


def add_data_options(parser) -> None:
    """``--source``, ``--cache-dir``, ``--snapshot``, ``--backend`` and ``--json``."""
    parser.add_argument(
        "--source", choices=settings.SOURCES, default=None,
        help="databron: auto (live, dan cache, dan oefendata), live, cache of snapshot (standaard: snapshot)",
    )
    parser.add_argument("--cache-dir", default=None, help="map voor de lokale cache van CBS-tabellen")
    parser.add_argument("--snapshot", default=None, help="een draagbare snapshot (map) in plaats van de oefendata")
    parser.add_argument("--backend", choices=settings.BACKENDS, default=None,
                        help="CBS-interface voor live data: auto (eerst OData v3, dan v4; standaard), v3 of v4")
    add_json(parser)


def add_json(parser) -> None:
    parser.add_argument("--json", action="store_true", help="antwoord als JSON (voor scripts)")


def apply_data_options(args) -> None:
    settings.configure(
        source=getattr(args, "source", None),
        cache_dir=getattr(args, "cache_dir", None),
        snapshot=getattr(args, "snapshot", None),
        backend=getattr(args, "backend", None),
    )


def _clean(obj):
    if isinstance(obj, float) and (math.isnan(obj) or math.isinf(obj)):
        return None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        try:
            return _clean(obj.item())
        except (ValueError, AttributeError):
            pass
    return obj


def emit_json(payload) -> None:
    sys.stdout.write(json.dumps(_clean(payload), ensure_ascii=False, indent=2) + "\n")


def note(text: str) -> None:
    """A remark for the user on stderr (keeps stdout clean for --json)."""
    if text:
        from ..safety import terminal_text

        sys.stderr.write(f"impactmonitor: {terminal_text(text)}\n")


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


def questions_help() -> str:
    """' Beleidsvragen: a, b, ...' for a command's description (empty if a question file is broken)."""
    from ..errors import ParameterError
    from ..params import all_questions

    try:
        return f" Beleidsvragen: {', '.join(all_questions())}."
    except ParameterError:  # a broken question file must not break every command
        return ""
