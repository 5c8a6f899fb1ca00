"""Where the figures come from: the bundled oefendata snapshot, the local cache or CBS live.

Every source answers :meth:`Source.table` with a :class:`~impactlib.tables.TableBundle`.
:func:`get_source` builds one by name (``snapshot``, ``cache``, ``live``, ``auto``); the
library-wide choice lives in :mod:`impactlib.settings`.
"""

from __future__ import annotations

from .base import Source
from .snapshot import SnapshotSource


def get_source(kind: str | None = None) -> Source:
    """Return the source for ``kind`` (default: the active setting)."""
    from .. import settings

    kind = (kind or settings.current().source).lower()
    if kind == "snapshot":
        return SnapshotSource(settings.current().snapshot)
    if kind in ("live", "cache", "auto"):
        try:
            from .chooser import build_source  # provided by the live-data layer
        except ImportError:  # pragma: no cover - until the live layer is installed
            from ..errors import UserInputError

            raise UserInputError(
                f"Bron '{kind}' is nog niet beschikbaar in deze versie; gebruik --source snapshot."
            ) from None
        return build_source(kind)
    from ..errors import UserInputError

    raise UserInputError(f"Bron '{kind}' bestaat niet. Kies uit: auto, live, cache, snapshot.")


__all__ = ["Source", "SnapshotSource", "get_source"]
