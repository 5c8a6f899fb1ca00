"""``impactmonitor snapshot build --out DIR``: turn the local cache into a portable snapshot.

A trainer fetches real figures once (``impactmonitor fetch``), builds a snapshot, copies the
folder and uses it anywhere offline with ``--snapshot DIR`` (or ``impactmonitor mirror
--snapshot DIR``).
"""

from __future__ import annotations

from .. import settings
from ..errors import DataFault
from ..formatting import format_count
from ..sources.cache import CacheStore
from ..sources.snapshot import export_snapshot
from ..wording import OEFENDATA_LINE
from .common import add_json, emit_json


def register(sub) -> None:
    p = sub.add_parser("snapshot", help="maak een draagbare snapshot van de lokale cache")
    actions = p.add_subparsers(dest="action", metavar="ACTIE")
    b = actions.add_parser("build", help="schrijf de cache weg als snapshot-map")
    b.add_argument("--out", required=True, help="map waarin de snapshot komt (wordt vervangen als het al een snapshot is)")
    b.add_argument("--cache-dir", default=None, help="de cache-map (standaard: de cache van de gebruiker)")
    b.add_argument("--name", default=None, help="naam van de snapshot (bijv. 'cbs-2025-10')")
    add_json(b)
    b.set_defaults(func=run)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def run(args) -> int:
    settings.configure(cache_dir=args.cache_dir)
    try:
        manifest = export_snapshot(CacheStore(settings.current().cache_path), args.out, name=args.name)
    except OSError as exc:  # a full disk, a folder without rights: the snapshot is not half made
        raise DataFault(f"Kan de snapshot niet schrijven in {args.out} ({exc.strerror or exc.__class__.__name__}); "
                        "kies met --out een map waarin u mag schrijven.") from None
    if args.json:
        emit_json({"out": str(args.out), **{k: manifest[k] for k in ("name", "synthetic", "host", "periods", "tables")}})
        return 0
    rows = sum(t["rows"] for t in manifest["tables"].values())
    print(f"Snapshot '{manifest['name']}' geschreven naar {args.out}: {len(manifest['tables'])} tabellen, "
          f"{format_count(rows)} rijen, perioden {manifest['periods']['first']} t/m {manifest['periods']['last']}.")
    if manifest["synthetic"]:
        print(OEFENDATA_LINE)
    print(f"Gebruik: impactmonitor show ... --snapshot {args.out}")
    return 0
