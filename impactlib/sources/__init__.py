"""Where the figures come from: the bundled oefendata snapshot, the local cache or CBS live.

Every source answers :meth:`Source.table` with a :class:`~impactlib.tables.TableBundle`.
:func:`get_source` builds one by name (``snapshot``, ``cache``, ``live``, ``auto``); the
library-wide choice lives in :mod:`impactlib.settings`.

Laid out like xarray's ``backends/``:

- :mod:`.base` the ``Source`` protocol; :mod:`.snapshot` the oefendata and portable snapshots;
- :mod:`.parts` what a cached part is (request, coverage, name, checksum, age) and
  :mod:`.cache` the cache folder and the source that reads it;
- :mod:`.common` what both CBS interfaces share (retries, deadlines, filters, status flags,
  provenance, the ``Backend`` protocol), imported by the siblings :mod:`.v3` and :mod:`.v4`,
  which never import each other;
- :mod:`.live` the live source: tries the backends in turn, stitches successor tables;
- :mod:`.chooser` builds ``live``, ``cache`` and ``auto`` (live, then cache, then snapshot).

Notes for the user (a fallback taken, a damaged cache file) are warnings on the
``impactmonitor`` loggers; the CLI prints them as ``impactmonitor: <text>`` on stderr.
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
