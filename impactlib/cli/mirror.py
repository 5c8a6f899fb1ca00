"""``impactmonitor mirror``: serve the active data as a CBS OData endpoint on this machine.

For training rooms without internet: participants point ``cbsodata`` at the mirror::

    import cbsodata
    cbsodata.options.catalog_url = "127.0.0.1:8765"
    cbsodata.options.use_https = False
    cbsodata.get_data("84852NED", filters="RegioS eq 'VT22  ' and Perioden eq '2021HJ01'")

``--api v4`` answers as CBS's successor interface (``datasets.cbs.nl``) instead:
``http://127.0.0.1:8765/odata/v1/CBS/84852NED/Observations?$filter=RegioS eq 'VT22'``, and
``cbsodata4.get_observations("84852NED", base_url="http://127.0.0.1:8765/odata/v1")`` works.

``--bind 0.0.0.0`` serves the whole room (default: 127.0.0.1, only this computer) and prints the
address participants type.
"""

from __future__ import annotations

import sys

from ..errors import DataFault
from ..mirror import MirrorServer, shelf_from_cache, shelf_from_snapshot
from ..mirror.server import DEFAULT_PAGE_SIZE
from ..room import announce, is_everywhere
from ..wording import OEFENDATA_LABEL


def register(sub) -> None:
    p = sub.add_parser("mirror", help="bied de cijfers aan als CBS-compatibele OData-dienst (voor cursussen en tests)")
    p.add_argument("--port", type=port_number, default=8765, help="poort (standaard 8765; 0 = een vrije poort)")
    p.add_argument("--source", choices=("snapshot", "cache"), default="snapshot",
                   help="wat de mirror aanbiedt: de snapshot (standaard: de oefendata) of de lokale cache")
    p.add_argument("--snapshot", default=None, help="een draagbare snapshot (map) in plaats van de oefendata")
    p.add_argument("--cache-dir", default=None, help="de cache-map bij --source cache")
    p.add_argument("--page-size", type=int, default=DEFAULT_PAGE_SIZE,
                   help="rijen per pagina voordat odata.nextLink volgt (standaard 10000, zoals CBS)")
    p.add_argument("--api", choices=("v3", "v4"), default="v3",
                   help="vorm van de antwoorden: v3 (opendata.cbs.nl, cbsodata; standaard) of v4 (datasets.cbs.nl)")
    p.add_argument("--bind", default="127.0.0.1",
                   help="netwerkadres (standaard 127.0.0.1: alleen deze computer; 0.0.0.0 = het hele lokale netwerk)")
    p.set_defaults(func=run)


def port_number(text: str) -> int:
    """A TCP port 0-65535 (0 = a free one); anything else is a usage error in Dutch."""
    import argparse

    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text[:20]}' is geen poortnummer; kies een getal van 1 tot en met 65535") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"poort {port} bestaat niet; kies een getal van 1 tot en met 65535")
    return port


def run(args) -> int:
    shelf = shelf_from_cache(args.cache_dir) if args.source == "cache" else shelf_from_snapshot(args.snapshot)
    try:
        server = MirrorServer(shelf, host=args.bind, port=args.port, page_size=args.page_size, api=args.api)
    except OSError as exc:
        raise DataFault(f"Kan de mirror niet starten op {args.bind}:{args.port} ({exc.strerror or exc}); "
                        "kies een andere poort met --port.") from None
    desc = shelf.description
    label = OEFENDATA_LABEL if desc.get("synthetic") else f"{desc.get('kind')} {desc.get('location', '')}".strip()
    if args.api == "v4":
        usage = (f"Mirror (OData v4) draait op http://{server.address}/odata/v1/CBS/ — {len(shelf.ids)} tabellen, "
                 f"bron: {label}.\n"
                 f"Gebruik: IMPACTMONITOR_CBS4_HOST={server.address} IMPACTMONITOR_CBS4_HTTPS=0 "
                 "impactmonitor fetch --backend v4\n"
                 f"of in Python: cbsodata4.get_observations(\"84852NED\", base_url=\"http://{server.address}/odata/v1\")\n")
    else:
        usage = (f"Mirror draait op http://{server.address}/ODataApi/odata/ — {len(shelf.ids)} tabellen, bron: {label}.\n"
                 f"Gebruik: cbsodata.options.catalog_url = '{server.address}'; cbsodata.options.use_https = False\n"
                 f"of: IMPACTMONITOR_CBS_HOST={server.address} IMPACTMONITOR_CBS_HTTPS=0 impactmonitor fetch\n")
    print(usage.rstrip("\n"), flush=True)
    if is_everywhere(args.bind):
        path = "/odata/v1/" if args.api == "v4" else "/ODataApi/odata/"
        announce("Mirror", server.port, path, qr=False)
    print("Stoppen met Ctrl+C.", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        sys.stderr.write("impactmonitor: mirror gestopt.\n")
    finally:
        server.httpd.server_close()
    return 0
