"""Options and output helpers shared by the sub-commands."""

from __future__ import annotations

import json
import math
import sys

from .. import settings


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


def questions_help() -> str:
    """' Beleidsvragen: a, b, ...' for a command's description (empty if a question file is broken)."""
    from ..errors import ParameterError
    from ..params import all_questions

    try:
        return f" Beleidsvragen: {', '.join(all_questions())}."
    except ParameterError:  # a broken question file must not break every command
        return ""
