"""The ``impactmonitor`` command line.

Each sub-command lives in its own module under :mod:`impactlib.cli` and exposes
``register(subparsers)``; :data:`COMMANDS` lists them in the order ``--help`` shows.
Errors of the project's own type end in one Dutch line and exit code 2 (input) or 1
(fault); ``--debug`` shows the traceback instead. The library's notes (warnings on the
``impactmonitor`` loggers) are printed as ``impactmonitor: <text>`` on stderr while a command
runs (:func:`~impactlib.notes.printed_notes`).
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys

# jsonschema, under nbformat and papermill, imports the optional package 'rfc3987_syntax' to check
# IRI formats if it is installed (Jupyter's server extras bring it), and that package builds its
# grammar on import: 0,9 s before any command could start. No command of ours checks IRIs, so the
# command line (not the library) treats the package as absent.
sys.modules.setdefault("rfc3987_syntax", None)

from ..errors import ImpactError  # noqa: E402
from ..safety import terminal_text  # noqa: E402

COMMANDS = ["regions", "indicators", "show", "data", "compare", "run", "fetch", "mirror", "snapshot", "export", "local", "handout", "verkenner", "exercise", "docs"]


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one Dutch line with exit code 2."""

    def error(self, message):  # noqa: D401
        message = (
            message.replace("the following arguments are required", "verplicht maar niet gegeven")
            .replace("unrecognized arguments", "onbekende argumenten")
            .replace("invalid choice", "ongeldige keuze")
            .replace("(choose from", "(kies uit")
            .replace("expected one argument", "verwacht één waarde")
            .replace("argument ", "argument ")
        )
        message = re.sub(r"invalid (int|float) value: ('[^']*')",
                         lambda m: f"{m.group(2)} is geen {'geheel getal' if m.group(1) == 'int' else 'getal'}", message)
        # self.prog is the whole command: 'impactmonitor', 'impactmonitor show', 'impactmonitor local show'
        sys.stderr.write(f"impactmonitor: {terminal_text(message)} (zie '{self.prog} --help')\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="impactmonitor",
        description="Cijfers van de Impactmonitor huiselijk geweld en kindermishandeling (CBS) "
        "opvragen, vergelijken en uitwerken per regio.",
    )
    parser.add_argument("--debug", action="store_true", help="toon bij een fout de volledige traceback")
    sub = parser.add_subparsers(dest="command", metavar="OPDRACHT", parser_class=_Parser)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.endswith(f"cli.{name}"):
                continue  # command not part of this build
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """The console entry. Ctrl+C anywhere — also while the libraries are still being
    imported — ends in one line and exit code 130, never a traceback."""
    try:
        from ..notes import printed_notes

        with printed_notes():
            return _main(argv)
    except KeyboardInterrupt:
        sys.stderr.write("impactmonitor: afgebroken.\n")
        return 130


def _batch_kernels_early(argv: list[str]) -> bool:
    """``run --all-regions ... --question Q``: start the batch's kernels now (:func:`impactlib.run.pool.start_early`).

    They boot and import while this process still loads its own libraries and checks the
    regions, which takes about a second on one core while the other has nothing to do. Only
    for a batch that names its question (the mistake made most, a missing ``--question``, is
    told at once); ``--jobs`` as given, anything it cannot read is left to the parser.
    """
    words = [a for a in argv if a != "--debug"]
    if not words or words[0] != "run" or "--all-regions" not in words or "--question" not in words \
            or {"-h", "--help"} & set(words):
        return False
    size = None
    for i, word in enumerate(words):
        value = words[i + 1] if word == "--jobs" and i + 1 < len(words) else \
            word.partition("=")[2] if word.startswith("--jobs=") else None
        if value is not None:
            if not value.isdigit() or int(value) < 1:
                return False
            size = int(value)
    from ..run.pool import start_early

    start_early(size)
    return True


def _main(argv: list[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    early = _batch_kernels_early(argv)
    try:
        return _command(argv)
    finally:
        if early:  # kernels that no batch took (a mistake found later): stopped, after the message
            from ..run.pool import discard_early

            discard_early()


def _command(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = getattr(args, "debug", False)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except ImpactError as exc:
        if debug:
            raise
        sys.stderr.write(f"impactmonitor: {terminal_text(exc)}\n")
        return exc.exit_code
    except BrokenPipeError:  # pragma: no cover
        return 1
    except OSError as exc:  # a file or folder the system refuses (name too long, symlink loop, ...)
        if debug:
            raise
        name = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        sys.stderr.write(terminal_text(f"impactmonitor: {str(name)[:160]}{exc.strerror or exc.__class__.__name__}; "
                                       "controleer de naam en de map.") + "\n")
        return 1
    except Exception as exc:  # noqa: BLE001 - last line of defence: no traceback for users
        if debug:
            raise
        sys.stderr.write(
            f"impactmonitor: onverwachte fout ({exc.__class__.__name__}: {str(exc)[:200]}); "
            "draai opnieuw met --debug en meld dit als issue.\n"
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
