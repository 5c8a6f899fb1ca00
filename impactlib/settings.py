"""Library-wide settings: which data source, which cache folder, which snapshot, which CBS host.

Set them in code (``impactlib.settings.configure(source="cache")``), through the CLI
(``--source``, ``--cache-dir``, ``--snapshot``, ``--backend``) or with environment variables
``IMPACTMONITOR_SOURCE``, ``IMPACTMONITOR_CACHE_DIR``, ``IMPACTMONITOR_SNAPSHOT``,
``IMPACTMONITOR_BACKEND`` (the CBS interface for live data: ``auto`` = OData v3, then v4).
The default source is the bundled oefendata snapshot, so nothing needs a network.

Where live data comes from: ``cbs_host``/``cbs_https`` for OData v3 and ``cbs4_host``/
``cbs4_https`` for OData v4. Left unset in code they follow ``IMPACTMONITOR_CBS_HOST``
(default ``opendata.cbs.nl``), ``IMPACTMONITOR_CBS_HTTPS``, ``IMPACTMONITOR_CBS4_HOST``
(default ``datasets.cbs.nl``) and ``IMPACTMONITOR_CBS4_HTTPS`` *at the moment they are read*,
so a mirror started later in the same session (a notebook, a test) is found::

    os.environ["IMPACTMONITOR_CBS_HOST"] = "127.0.0.1:8765"
    now = settings.current()      # now.cbs_host == "127.0.0.1:8765"
    https_for(now.cbs_host, now.cbs_https)   # False: a mirror on this computer speaks http

``cbs_https`` is ``True``/``False`` when chosen (``1``/``0``, ``ja``/``nee``, ...), else
``None``: https, unless the host is this computer (``127.0.0.1``, ``localhost``), as a mirror
speaks plain http (:func:`https_for`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

import platformdirs

__all__ = [
    "Settings", "current", "configure", "configured", "restore", "https_for", "is_local_host", "SOURCES", "BACKENDS",
    "DEFAULT_CBS_HOST", "DEFAULT_CBS4_HOST", "LOCAL_HOSTS",
]

SOURCES = ("auto", "live", "cache", "snapshot")
BACKENDS = ("auto", "v3", "v4")
DEFAULT_CBS_HOST = "opendata.cbs.nl"
DEFAULT_CBS4_HOST = "datasets.cbs.nl"
#: Hosts that are this computer: a mirror there speaks http, so https is off by default.
LOCAL_HOSTS = ("127.0.0.1", "localhost")
_YES = ("1", "true", "ja", "yes")
_NO = ("0", "false", "nee", "no")
#: Setting field → (environment variable, default) for the CBS hosts and schemes.
_CONNECTION = {
    "cbs_host": ("IMPACTMONITOR_CBS_HOST", DEFAULT_CBS_HOST),
    "cbs_https": ("IMPACTMONITOR_CBS_HTTPS", None),
    "cbs4_host": ("IMPACTMONITOR_CBS4_HOST", DEFAULT_CBS4_HOST),
    "cbs4_https": ("IMPACTMONITOR_CBS4_HTTPS", None),
}


@dataclass(frozen=True)
class Settings:
    source: str = "snapshot"
    cache_dir: str = ""
    snapshot: str = ""  # "" = bundled oefendata
    backend: str = "auto"  # live backend: auto | v3 | v4
    cbs_host: str = ""  # OData v3 host ("" = IMPACTMONITOR_CBS_HOST, else opendata.cbs.nl)
    cbs_https: bool | None = None  # None = IMPACTMONITOR_CBS_HTTPS, else https unless the host is local
    cbs4_host: str = ""  # OData v4 host ("" = IMPACTMONITOR_CBS4_HOST, else datasets.cbs.nl)
    cbs4_https: bool | None = None

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


def is_local_host(host: str) -> bool:
    """Is ``host`` (``name`` or ``name:port``) this computer?"""
    return str(host).split(":")[0] in LOCAL_HOSTS


def https_for(host: str, chosen: bool | None = None) -> bool:
    """``chosen`` if it is ``True``/``False``; else https unless ``host`` is this computer.

    >>> https_for("opendata.cbs.nl"), https_for("127.0.0.1:8765"), https_for("localhost", True)
    (True, False, True)
    """
    return bool(chosen) if chosen is not None else not is_local_host(host)


def _env_choice(name: str) -> bool | None:
    raw = os.environ.get(name, "").strip().lower()
    return True if raw in _YES else False if raw in _NO else None


def _connection(base: Settings) -> Settings:
    """``base`` with every CBS host and scheme it leaves open taken from the environment now."""
    filled = {}
    for field, (variable, default) in _CONNECTION.items():
        if getattr(base, field) in ("", None):
            if default is None:
                filled[field] = _env_choice(variable)
            else:
                filled[field] = os.environ.get(variable, "").strip() or default
    filled = {k: v for k, v in filled.items() if v != getattr(base, k)}
    return replace(base, **filled) if filled else base


_current: Settings | None = None


def _base() -> Settings:
    """The settings as configured (CBS hosts left open still follow the environment)."""
    global _current
    if _current is None:
        _current = _from_env()
    return _current


def current() -> Settings:
    """The active settings, CBS hosts and schemes filled in (from the environment if not set in code)."""
    return _connection(_base())


def configured() -> Settings:
    """The settings as set, CBS hosts left open still open: what :func:`restore` puts back
    (unlike :func:`current`, whose filled-in hosts would pin the environment's host of now)."""
    return _base()


def restore(saved: Settings) -> Settings:
    """Put back settings saved with :func:`configured` (every field, also those left open)."""
    global _current
    if not isinstance(saved, Settings):
        raise TypeError("restore() takes the Settings that configured() returned")
    _current = saved
    return current()


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
    _current = replace(_base(), **changes)
    return current()
