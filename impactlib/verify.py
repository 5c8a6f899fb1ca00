"""Check the catalogue against CBS's live metadata: does every term still mean what we think?

>>> from impactlib.verify import verify
>>> report = verify(backend="v3")                      # doctest: +SKIP
>>> report.ok, [c.line() for c in report.failures()]    # doctest: +SKIP

For every table the catalogue uses (or the ones asked for) the table's metadata are fetched live
(no data rows) and each term is resolved exactly as :mod:`impactlib.query` resolves it: a dimension
by key or by its title in ``tables.yaml``, every category by title, every measure by its title path,
a total for each dimension a term does not filter. Region codes the table lists must carry titles
of the regions we know under those codes (CBS numbers VT-regio's alphabetically). What does not
map is reported with what the table offers and the closest titles; regions of our registry that
the table lacks are listed as remarks (a table may publish fewer levels), not as failures.

Run it after every CBS release: ``impactmonitor data verify`` (exit 1 if anything does not map).
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field

from . import regions as _regions
from .catalogue import (
    Term,
    catalogue_terms,
    dimension_spec,
    publishes,
    table_spec,
)
from .errors import ImpactError, LayoutError
from .tables import TableBundle

__all__ = ["Check", "Report", "verify", "catalogue_terms", "check_bundle"]

@dataclass
class Check:
    table: str
    kind: str  # table | dimension | category | measure | region
    term: str
    status: str  # ok | missing | mismatch | remark
    found: str = ""
    detail: str = ""
    used_by: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.status in ("missing", "mismatch")

    def line(self) -> str:
        """One Dutch line: ``'84849NED  categorie  J en V: politie: totaal  ONTBREEKT ...'``."""
        word = {"ok": "ok", "missing": "ONTBREEKT", "mismatch": "KLOPT NIET", "remark": "let op"}[self.status]
        kind = {"table": "tabel", "dimension": "dimensie", "category": "categorie", "measure": "onderwerp",
                "region": "regio"}[self.kind]
        text = f"{self.table:<9} {kind:<9} {self.term}: {word}"
        if self.found and self.status == "ok":
            text += f" (= {self.found})"
        if self.detail:
            text += f"; {self.detail}"
        if self.suggestions:
            text += "; bedoeld: " + ", ".join(f"'{s}'" for s in self.suggestions[:3]) + "?"
        return text


@dataclass
class Report:
    checks: list[Check]
    host: str = ""
    backend: str = ""

    @property
    def ok(self) -> bool:
        return not self.failures()

    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.failed]

    def as_dict(self) -> dict:
        return {"ok": self.ok, "host": self.host, "backend": self.backend,
                "failures": len(self.failures()), "checks": [asdict(c) for c in self.checks]}


def _close(want: str, offered: list[str]) -> list[str]:
    return difflib.get_close_matches(str(want), [str(o) for o in offered], n=3, cutoff=0.5)


def check_bundle(bundle: TableBundle, uses: list[tuple[str, Term, dict]]) -> list[Check]:
    """Every term of ``uses`` against one table's metadata (``bundle``, rows not needed)."""
    tid = bundle.table_id
    checks: dict[tuple, Check] = {}

    def add(kind, term, status, who, **kw):
        key = (kind, term)
        if key not in checks:
            checks[key] = Check(tid, kind, term, status, **kw)
        if who not in checks[key].used_by:
            checks[key].used_by.append(who)
        return checks[key]

    for who, term, extra in uses:
        filt = {**term.filter, **extra}
        measures = filt.pop("measure", None) or term.measures
        for path in measures:
            try:
                key = bundle.measure_key(path)
                add("measure", path, "ok", who, found=key)
            except LayoutError as exc:
                add("measure", path, "missing", who, detail=f"de tabel heeft {len(exc.offered)} onderwerpen",
                    suggestions=_close(path, exc.offered))
        resolved = {}
        for name, titles in filt.items():
            title = dimension_spec(term.table, name).get("title")
            shown = f"{title or name}"
            try:
                dim = bundle.dimension_key(name, title)
                add("dimension", shown, "ok", who, found=dim)
            except LayoutError as exc:
                add("dimension", shown, "missing", who, detail="wel: " + ", ".join(exc.offered),
                    suggestions=_close(title or name, [o.split(" ('")[-1].rstrip("')") for o in exc.offered]))
                continue
            resolved[dim] = True
            offered = [str(r["Title"]) for r in bundle.categories(dim)]
            for t in titles:
                try:
                    (key,) = bundle.category_keys(dim, [t])
                    add("category", f"{shown}: {t}", "ok", who, found=key.strip())
                except LayoutError:
                    add("category", f"{shown}: {t}", "missing", who, suggestions=_close(t, offered))
        for dim in bundle.topic_dimensions():
            if dim in resolved:
                continue
            try:
                key = bundle.total_key(dim)
                add("category", f"{dim}: Totaal", "ok", who, found=key.strip())
            except LayoutError:
                add("category", f"{dim}: Totaal", "missing", who, detail="nodig omdat de term deze dimensie niet filtert")
    return list(checks.values()) + check_regions(bundle)


def check_regions(bundle: TableBundle) -> list[Check]:
    """Titles of the codes the table lists against our registry; codes we expect but it lacks."""
    tid = bundle.table_id
    out = []
    titles = bundle.region_titles()
    known = {r.key for y in range(_regions.FIRST_YEAR, _regions.LAST_YEAR + 1) for r in _regions.all_regions(y)}
    wrong = []
    for key, title in titles.items():
        if key in known and not _regions.title_matches(key, title):
            mine = _regions.get(key)
            wrong.append(key)
            out.append(Check(tid, "region", key, "mismatch", detail=f"CBS: '{title}', bij ons: {mine.name} ({mine.level_label})"))
    matched = sum(1 for k in titles if k in known) - len(wrong)
    out.append(Check(tid, "region", "regiocodes", "ok", found=f"{matched} van {len(titles)} codes herkend"))
    expected = [r for r in _regions.all_regions() if publishes(tid, r.level) and r.level != "gemeente"]
    lacking = [r.key for r in expected if r.key not in titles]
    if lacking:
        out.append(Check(tid, "region", "verwachte regio's", "remark",
                         detail=f"{len(lacking)} codes van {_regions.LAST_YEAR} ontbreken in de tabel: "
                                + ", ".join(lacking[:8]) + (" ..." if len(lacking) > 8 else "")))
    return out


def verify(*, backend: str | None = None, tables: list[str] | None = None, source=None) -> Report:
    """Check the catalogue against the live metadata (``source`` for tests: any source object)."""
    from .sources.live import LiveSource, default_backends

    if source is None:
        from . import settings

        source = LiveSource(default_backends(backend or settings.current().backend), store=None)
    uses = catalogue_terms()
    wanted = list(tables) if tables else list(uses)
    checks, host, name = [], "", ""
    for table_id in wanted:
        try:
            bundle = source.table(table_id, regions=[])
        except ImpactError as exc:
            checks.append(Check(table_id, "table", table_spec(table_id).get("title") or table_id, "missing",
                                detail=str(exc).split("; ")[0]))
            continue
        host, name = bundle.provenance.get("host") or host, bundle.provenance.get("backend") or name
        checks.append(Check(table_id, "table", bundle.title, "ok"))
        checks += check_bundle(bundle, uses.get(table_id, []))
    return Report(checks, host=host, backend=name)
