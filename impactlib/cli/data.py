"""``impactmonitor data status``: which data source is active and where its figures come from;
``impactmonitor data verify``: does the catalogue still match CBS's live metadata?"""

from __future__ import annotations

from ..catalogue import table_specs
from ..errors import ImpactError
from ..formatting import format_count
from ..sources.parts import age_text
from ..sources import get_source
from ..wording import OEFENDATA_LABEL
from .common import add_data_options, add_json, apply_data_options, emit_json


def register(sub) -> None:
    p = sub.add_parser("data", help="welke databron actief is en waar de cijfers vandaan komen")
    actions = p.add_subparsers(dest="action", metavar="ACTIE")
    s = actions.add_parser("status", help="toon de actieve bron en de herkomst van de cijfers")
    add_data_options(s)
    s.set_defaults(func=run)
    v = actions.add_parser(
        "verify", help="controleer tabellen, dimensies, categorieën, onderwerpen en regio's tegen CBS (live)",
        description="Haalt van elke tabel die de catalogus gebruikt de beschrijving op bij CBS (zonder cijfers) "
                    "en controleert elke term zoals de berekening hem gebruikt. Exitcode 1 als iets niet klopt.",
    )
    v.add_argument("--backend", choices=("auto", "v3", "v4"), default=None,
                   help="CBS-interface: auto (v3, dan v4), v3 of v4")
    v.add_argument("--tables", nargs="+", default=None, metavar="TABEL", help="alleen deze tabellen (standaard: alle)")
    v.add_argument("--all", action="store_true", help="toon ook wat klopt (standaard alleen afwijkingen en een telling)")
    add_json(v)
    v.set_defaults(func=run_verify)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def run_verify(args) -> int:
    from ..verify import verify

    report = verify(backend=args.backend, tables=args.tables)
    if args.json:
        emit_json(report.as_dict())
        return 0 if report.ok else 1
    failures = report.failures()
    print(f"Controle van de catalogus tegen {report.host or 'CBS'} (OData {report.backend or '?'}): "
          f"{len(report.checks)} controles, {len(failures)} afwijkingen.")
    for check in report.checks:
        if args.all or check.status != "ok" or check.kind == "table":
            print("  " + check.line() + (f"  [gebruikt door {', '.join(check.used_by[:3])}]" if check.failed and check.used_by else ""))
    if failures:
        print("Wat niet klopt, wordt bij het opvragen geweigerd (nooit geraden of weggelaten). "
              "Pas impactlib/data/tables.yaml of catalogue.yaml aan naar wat CBS nu publiceert.")
    return 0 if report.ok else 1


def _probe(live) -> dict:
    """Does CBS (or the configured host) answer within a few seconds?"""
    from ..sources.chooser import PROBE_TIMEOUT

    table = next(iter(table_specs()))
    try:
        info = live.info(table, timeout=PROBE_TIMEOUT, retries=0)
        return {"reachable": True, "probe_table": table, "modified": info.get("Modified")}
    except ImpactError as exc:
        return {"reachable": False, "probe_table": table, "error": str(exc)}


def status(kind: str | None = None) -> dict:
    """The active source's description, with reachability for live and what ``auto`` would use."""
    source = get_source(kind)
    desc = source.describe()
    if source.kind == "live":
        desc.update(_probe(source))
    if source.kind == "auto":
        desc["live"].update(_probe(source.live()))
        if desc["live"]["reachable"]:
            desc["active"] = "live"
        elif desc["cache"]["tables"]:
            desc["active"] = "cache"
        else:
            desc["active"] = "snapshot"
    active = desc[desc["active"]] if source.kind == "auto" else desc
    if active.get("kind") == "cache" and not active.get("tables"):
        desc["label"] = "lege cache"
    else:
        desc["label"] = OEFENDATA_LABEL if active.get("synthetic") else "echte CBS-cijfers"
    return desc


def run(args) -> int:
    apply_data_options(args)
    desc = status()
    if args.json:
        emit_json(desc)
        return 0
    for line in _lines(desc):
        print(line)
    return 0


def _lines(desc: dict, indent: str = "") -> list[str]:
    kind = desc.get("kind")
    out = []
    if kind == "snapshot":
        out.append(f"{indent}Bron: snapshot '{desc.get('name')}' ({desc.get('location')})")
        if desc.get("synthetic"):
            out.append(f"{indent}  LET OP: {OEFENDATA_LABEL} — synthetische cijfers, niet voor beleid; echt zijn alleen de onderdelen hieronder.")
        out.append(f"{indent}  Gemaakt: {desc.get('created')}; tabellen: {', '.join(desc.get('tables') or [])}")
        if desc.get("synthetic") and desc.get("real"):
            out.append(f"{indent}  Echt (CBS/gepubliceerd) in deze oefendata:")
            out.extend(f"{indent}    - {part}" for part in desc["real"])
        periods = desc.get("periods") or {}
        if isinstance(periods, dict) and periods.get("first"):
            out.append(f"{indent}  Perioden: {periods['first']} t/m {periods['last']}"
                       + (f" (voorlopig: {', '.join(periods.get('provisional') or [])})" if periods.get("provisional") else ""))
    elif kind == "cache":
        tables = desc.get("tables") or {}
        out.append(f"{indent}Bron: lokale cache ({desc.get('location')}), {len(tables)} tabellen")
        if desc.get("synthetic"):
            out.append(f"{indent}  LET OP: (een deel van) de cache bevat {OEFENDATA_LABEL}.")
        for table_id, t in tables.items():
            flag = f"  {OEFENDATA_LABEL}" if t.get("synthetic") else ""
            out.append(f"{indent}  {table_id:<10} opgehaald {str(t.get('fetched_at'))[:10]} ({age_text(t.get('age_days'))}) "
                       f"van {t.get('host')}, CBS gewijzigd {str(t.get('modified') or '?')[:10]}, "
                       f"{format_count(t.get('rows'))} rijen{flag}")
        if not tables:
            out.append(f"{indent}  (leeg — vul de cache met 'impactmonitor fetch')")
    elif kind == "live":
        state = "bereikbaar" if desc.get("reachable") else f"NIET bereikbaar: {desc.get('error')}"
        backends = ", ".join(f"{b['backend']} via {'https' if b['https'] else 'http'}://{b['host']}"
                             for b in desc.get("backends", []))
        out.append(f"{indent}Bron: CBS live ({backends}) — {state}")
    elif kind == "auto":
        out.append(f"Bron: auto (eerst live, dan cache, dan snapshot); nu actief: {desc.get('active')}")
        for part in ("live", "cache", "snapshot"):
            sub = desc.get(part) or {}
            out += _lines(sub, "  ") if "kind" in sub else [f"  {part}: {sub.get('error')}"]
    return out
