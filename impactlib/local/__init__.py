"""Local and regional indicators (instrument 08) beside the figures of the Impactmonitor.

A region's own figures (MDA-casussen, werkdagen tot triage, wachtlijsten, ...) come in a CSV
or Excel file in the schema of ``data/local_schema.yaml``: columns ``indicator, omschrijving,
bron, niveau, gebied, periode, waarde, eenheid``.

>>> from impactlib.local import load_local, beside_monitor, local_markdown
>>> local = load_local("lokale_cijfers.csv")                                # doctest: +SKIP
>>> table = beside_monitor(local, "Kennemerland", "2024HJ01")              # doctest: +SKIP
>>> print(local_markdown(local, "Kennemerland", "2024HJ01"))               # doctest: +SKIP

Three rules hold in everything this module returns:

- **Errors name the cell.** :func:`load_local` reads ``;`` and ``,`` separated CSV (decimal
  comma or point), UTF-8 or Windows-1252, and ``.xlsx``. Every problem becomes one Dutch line
  with the row number as Excel shows it (header = row 1) and the column; they are collected
  in :class:`LocalFileError` ``.errors`` and its message is the first line plus a count.
- **Counts below the threshold never appear.** Counts (eenheid ``aantal``) below ``threshold``
  (default 5) are replaced on loading: ``waarde`` becomes NaN, ``onderdrukt`` True and
  ``weergave`` ``"<5"``. The original number is not kept anywhere.
- **Sources are never mixed.** :func:`beside_monitor` puts local rows and monitor rows in one
  tidy frame with a ``bron`` column (``'lokaal: <bron>'`` or ``'CBS Impactmonitor'``); it never
  adds, averages or merges figures of different sources, and carries :data:`DEFINITION_WARNING`.

The package: :mod:`.frame` (the schema, the tidy frame, display and privacy), :mod:`.reading`
(a file into numbered rows), :mod:`.validation` (every cell checked: :func:`load_local`,
:func:`validate`) and :mod:`.monitor` (:func:`beside_monitor`, :func:`local_markdown`).
"""

from ..errors import LocalFileError
from .frame import COLUMNS, THRESHOLD, LocalIndicators, example_path, schema, suppress_small
from .monitor import DEFAULT_MONITOR_INDICATORS, DEFINITION_WARNING, MONITOR_SOURCE, beside_monitor, local_markdown
from .reading import MAX_FILE_BYTES
from .validation import MAX_ERRORS, load_local, validate

__all__ = [
    "LocalIndicators",
    "LocalFileError",
    "load_local",
    "validate",
    "suppress_small",
    "beside_monitor",
    "local_markdown",
    "schema",
    "example_path",
    "THRESHOLD",
    "MAX_ERRORS",
    "MAX_FILE_BYTES",
    "COLUMNS",
    "MONITOR_SOURCE",
    "DEFINITION_WARNING",
    "DEFAULT_MONITOR_INDICATORS",
]
