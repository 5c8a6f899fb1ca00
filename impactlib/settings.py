"""Library-wide settings: which data source, which cache folder, which snapshot.

Set them in code (``impactlib.settings.configure(source="cache")``), through the CLI
(``--source``, ``--cache-dir``, ``--snapshot``, ``--backend``) or with environment variables
``IMPACTMONITOR_SOURCE``, ``IMPACTMONITOR_CACHE_DIR``, ``IMPACTMONITOR_SNAPSHOT``,
``IMPACTMONITOR_BACKEND`` (the CBS interface for live data: ``auto`` = OData v3, then v4).
The default source is the bundled oefendata snapshot, so nothing needs a network.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

import platformdirs

__all__ = ["Settings", "current", "configure", "SOURCES", "BACKENDS"]

SOURCES = ("auto", "live", "cache", "snapshot")
BACKENDS = ("auto", "v3", "v4")


@dataclass(frozen=True)
class Settings:
    source: str = "snapshot"
    cache_dir: str = ""
    snapshot: str = ""  # "" = bundled oefendata
    backend: str = "auto"  # live backend: auto | v3 | v4

    @property
    def cache_path(self) -> str:
        return self.cache_dir or platformdirs.user_cache_dir("impactmonitor")


def _from_env() -> Settings:
    return Settings(
        source=os.environ.get("IMPACTMONITOR_SOURCE", "snapshot").strip().lower() or "snapshot",
        cache_dir=os.environ.get("IMPACTMONITOR_CACHE_DIR", ""),
        snapshot=os.environ.get("IMPACTMONITOR_SNAPSHOT", ""),
        backend=os.environ.get("IMPACTMONITOR_BACKEND", "auto").strip().lower() or "auto",
    )


_current: Settings | None = None


def current() -> Settings:
    global _current
    if _current is None:
        _current = _from_env()
    return _current


def configure(**changes) -> Settings:
    """Change settings for this process; unknown names raise ``TypeError``."""
    global _current
    changes = {k: v for k, v in changes.items() if v is not None}
    if "source" in changes:
        from .errors import UserInputError

        src = str(changes["source"]).strip().lower()
        if src not in SOURCES:
            raise UserInputError(f"Bron '{changes['source']}' bestaat niet. Kies uit: {', '.join(SOURCES)}.")
        changes["source"] = src
    if "backend" in changes:
        from .errors import UserInputError

        backend = str(changes["backend"]).strip().lower()
        if backend not in BACKENDS:
            raise UserInputError(f"Backend '{changes['backend']}' bestaat niet. Kies uit: {', '.join(BACKENDS)}.")
        changes["backend"] = backend
    _current = replace(current(), **changes)
    return _current
