"""``impactmonitor docs build``: the Dutch documentation site (MkDocs) with generated pages."""

from __future__ import annotations

from .common import add_json, emit_json


def register(sub) -> None:
    p = sub.add_parser("docs", help="bouw de documentatiesite (handleiding, indicatoren, routewijzer, galerij)")
    actions = p.add_subparsers(dest="action", metavar="ACTIE")
    b = actions.add_parser(
        "build",
        help="bouw de site als losse HTML-pagina's",
        description="Bouw de Nederlandstalige documentatiesite uit docs/ plus pagina's die uit het project "
        "gemaakt worden (indicatoren, routewijzer, CLI-referentie, galerij van uitgewerkte voorbeelden). "
        "Een waarschuwing of kapotte link breekt de bouw af.",
    )
    b.add_argument("--out", default="outputs/site", help="map voor de site (standaard: outputs/site)")
    b.add_argument("--gallery", default="outputs",
                   help="map met uitgewerkte voorbeelden <regio>/<vraag>.html voor de galerij (standaard: outputs)")
    add_json(b)
    b.set_defaults(func=run)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def run(args) -> int:
    from ..docsite import build

    summary = build(args.out, gallery_dir=args.gallery)
    if args.json:
        emit_json(summary)
        return 0
    print(f"Documentatiesite: {summary['index']}")
    print(f"  {summary['pages']} pagina's; galerij: {summary['reports']} rapporten van "
          f"{summary['gallery_regions']} Veilig Thuis-regio's uit {summary['gallery']}.")
    return 0
