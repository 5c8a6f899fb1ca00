"""The interface every data source implements."""

from __future__ import annotations

from typing import Protocol

from ..tables import TableBundle


class Source(Protocol):
    #: ``snapshot``, ``cache`` or ``live``
    kind: str

    def table(
        self,
        table_id: str,
        *,
        regions: list[str] | None = None,
        periods: list[str] | None = None,
        filters: dict[str, list[str]] | None = None,
    ) -> TableBundle:
        """The table restricted to region keys, period keys and dimension category keys."""
        ...

    def describe(self) -> dict:
        """Provenance of the source as a whole (for ``impactmonitor data status``)."""
        ...
