"""``impactmonitor fetch``: fill the local cache from CBS (or a mirror), table by table.

Defaults: every table the open-data indicators use, plus population and the context
tables; every region (no region filter: every level and gemeente, as the series and the
rankings need them); all periods; of each topic dimension only the categories the catalogue
uses (03759ned: the totals). A table whose cached copy is sound and as new as CBS's
(``Modified``) is left alone; a selection for which CBS returns no rows is reported as such.
"""

from __future__ import annotations

import sys

from tqdm import tqdm

from .. import regions as R
from .. import settings
from ..catalogue import POPULATION_TABLE, context_tables, open_data_indicators, publishes
from ..errors import CorruptEntry, DataFault, NotAvailableError, SourceUnavailable, UserInputError
from ..formatting import format_count
from ..periods import parse_period
from ..sources.cache import CacheStore
from ..sources.parts import check_table_id, newer, request_key
from ..sources.live import LiveSource, default_backends
from ..wording import OEFENDATA_LINE
from .common import add_json, emit_json, note


def register(sub) -> None:
    p = sub.add_parser("fetch", help="haal CBS-tabellen op en bewaar ze in de lokale cache")
    p.add_argument("--tables", nargs="+", default=None, metavar="TABEL",
                   help="tabel-id's (standaard: alle tabellen van de open-data-indicatoren, bevolking en context)")
    p.add_argument("--regions", nargs="+", default=None, metavar="REGIO",
                   help="regio's: namen, codes (VT22) of niveaus (vt, gemeente); 'alle' = geen filter "
                        "(standaard: alle regio's, zonder filter). Nederland en alle Veilig Thuis-regio's "
                        "komen er altijd bij: die zijn nodig voor vergelijking en rangorde")
    p.add_argument("--periods", nargs="+", default=None, metavar="PERIODE",
                   help="perioden, bijv. 2021HJ01 2021JJ00 (standaard: alle)")
    p.add_argument("--cache-dir", default=None, help="map voor de lokale cache van CBS-tabellen")
    p.add_argument("--backend", choices=("auto", "v3", "v4"), default=None, help="CBS-interface")
    p.add_argument("--force", action="store_true", help="ook actuele tabellen opnieuw ophalen")
    add_json(p)
    p.set_defaults(func=run)


def default_tables() -> list[str]:
    out: list[str] = []
    for spec in open_data_indicators():
        out += [t for t in spec.tables if t not in out]
    return out + [t for t in (POPULATION_TABLE, *context_tables().values()) if t not in out]


def region_keys(words: list[str] | None) -> list[str] | None:
    """Region keys for names, keys and level words, plus Nederland and every VT-regio
    (a region's figures are always compared with Nederland and ranked among the 26);
    ``None`` (no filter) for 'alle'."""
    if not words or any(w.strip().lower() in ("alle", "all", "*") for w in words):
        return None
    keys: list[str] = []
    for word in words:
        try:
            found = R.regions_at(word)
        except UserInputError:
            found = [R.resolve(word).region]
        keys += [r.key for r in found if r.key not in keys]
    every_year = list(range(R.FIRST_YEAR, R.LAST_YEAR + 1))
    always = [R.NATIONAL_KEY] + [r.key for r in R.regions_at("vt", every_year)]
    for key in list(keys):  # regions a table may lack (no VT population): their gemeenten too
        region = R.get(key)
        if region.level in ("vt", "provincie", "landsdeel"):
            keys += [g.key for y in every_year if R.exists(key, y) for g in R.members(key, y) if g.key not in keys]
    return keys + [k for k in always if k not in keys]


def run(args) -> int:
    settings.configure(cache_dir=args.cache_dir, backend=args.backend)
    tables = [check_table_id(t) for t in args.tables] if args.tables else default_tables()
    regions = region_keys(args.regions)
    periods = [parse_period(p).key for p in args.periods] if args.periods else None
    store = CacheStore(settings.current().cache_path)
    _usable(store)
    live = LiveSource(default_backends(settings.current().backend), store=store)
    want = request_key(regions, periods)
    results = []
    bar = tqdm(tables, desc="CBS-tabellen", unit="tabel", file=sys.stderr, disable=None)
    for table_id in bar:
        bar.set_postfix_str(table_id)
        try:
            results.append(_fetch_one(live, store, table_id, regions, periods, want, args.force))
        except NotAvailableError as exc:
            results.append({"table": table_id, "status": "ontbreekt", "message": str(exc)})
        except (SourceUnavailable, DataFault) as exc:
            results.append({"table": table_id, "status": "fout", "message": str(exc)})
            if isinstance(exc, SourceUnavailable):  # CBS unreachable: the other tables would wait too
                results += [{"table": t, "status": "overgeslagen", "message": ""} for t in tables[len(results):]]
                break
    bar.close()
    return _report(args, store, live, results)


def _usable(store: CacheStore) -> None:
    """The cache folder can be written (else one line, before CBS is asked for anything);
    files left by an interrupted or concurrent fetch are removed."""
    if store.path.exists() and not store.path.is_dir():
        raise UserInputError(f"Cachemap {store.path} is een bestand; kies met --cache-dir een map.")
    try:
        store.clean_orphans()
        with store.lock():
            pass
    except OSError as exc:
        raise DataFault(f"Kan niet schrijven in de cache {store.path} ({exc.strerror or exc.__class__.__name__}); "
                        "kies met --cache-dir een map waarin u mag schrijven.") from None


def _fetch_one(live, store, table_id, regions, periods, want, force) -> dict:
    from ..query import catalogue_filters

    info = live.info(table_id)
    filters = catalogue_filters(live.table(table_id, regions=[])) or None
    if regions is not None and not publishes(table_id, "vt"):
        regions = None  # no VT rows (03759ned, 82975NED): a VT-regio is the sum of all its gemeenten
    want = request_key(regions, periods, filters)
    status = "opgehaald"
    for entry in store.find(table_id, want):
        try:
            store.load(entry)
        except CorruptEntry as exc:
            note(f"{exc} Wordt opnieuw opgehaald.")
            status = "hersteld"
            break
        if not force and entry.get("modified") and not newer(info.get("Modified"), entry["modified"]):
            return {"table": table_id, "status": "actueel", "rows": entry["rows"], "modified": entry["modified"],
                    "synthetic": entry.get("synthetic"), "host": entry.get("host")}
        status = "vernieuwd"
        break
    store.write_error = None
    bundle = live.table(table_id, regions=regions, periods=periods, filters=filters)
    if bundle.data.empty:
        raise DataFault(f"CBS gaf voor tabel {table_id} geen enkele rij voor deze regio's en perioden; "
                        "er is niets bewaard (controleer --regions en --periods).")
    if store.write_error:  # fetched, but not stored: a later --source cache would not find it
        raise DataFault(f"Tabel {table_id} is opgehaald maar niet in de cache {store.path} bewaard "
                        f"({store.write_error}); kies met --cache-dir een map waarin u mag schrijven.")
    return {"table": table_id, "status": status, "rows": len(bundle.data), "modified": bundle.modified,
            "synthetic": bool(bundle.provenance.get("synthetic")), "host": bundle.provenance.get("host")}


def _report(args, store, live, results) -> int:
    failed = [r for r in results if r["status"] in ("fout", "overgeslagen")]
    missing = [r for r in results if r["status"] == "ontbreekt"]
    good = [r for r in results if r not in failed and r not in missing]
    host = live.describe().get("host")
    if args.json:
        emit_json({"cache_dir": str(store.path), "host": host, "tables": results})
    else:
        for r in results:
            if r["status"] in ("fout", "ontbreekt"):
                print(f"{r['table']:<10} {r['status']:<12} {r['message']}")
            elif r["status"] == "overgeslagen":
                print(f"{r['table']:<10} overgeslagen")
            else:
                print(f"{r['table']:<10} {r['status']:<12} {format_count(r['rows']):>8} rijen"
                      f"   CBS gewijzigd {str(r.get('modified') or '?')[:10]}")
        print(f"Cache: {store.path} ({len(good)} van {len(results)} tabellen bijgewerkt of actueel; bron {host}).")
        if any(r.get("synthetic") for r in good):
            print(OEFENDATA_LINE)
    if failed:
        note(f"Niet gelukt: {failed[0]['message'] or 'CBS niet bereikbaar'}")
        return 1
    if missing and not good:
        return 2
    return 0
