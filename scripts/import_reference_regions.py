#!/usr/bin/env python3
"""Copy the gemeente → VT-regio/provincie crosswalk from the team's reference folder into the package.

The reference file (``../shared/reference/cbs_gemeenten_vt.csv``, one row per gemeente per year
2020–2025, computed from the CBS area maps) is the source of ``impactlib/data/gemeenten.csv``.
2019 has no VT map; its rows are those of 2020 and are marked inferred (``I``). The package never
reads ``../shared``: run this script again only when the reference changes.

Usage: python scripts/import_reference_regions.py [--reference PATH]
"""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "impactlib" / "data" / "gemeenten.csv"
HEADER = """\
# Every gemeente per year with its Veilig Thuis-regio and provincie, as CBS codes them (GM, VT, PV).
# Names are CBS's names of that year (2020-2021 without suffix, e.g. Hengelo; 2022-2025 with, e.g.
# Hengelo (O.)); match gemeenten by code, never by name. status: C = assignment computed from the CBS
# area maps of that year (gemeente polygon inside VT and PV polygon); I = 2019, taken equal to 2020.
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference", default=str(ROOT.parent / "shared" / "reference" / "cbs_gemeenten_vt.csv"))
    args = ap.parse_args(argv)
    rows = list(csv.DictReader(Path(args.reference).read_text(encoding="utf-8").splitlines()))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["year", "gm_code", "gm_name", "vt_code", "pv_code", "status"])
    first = min(int(r["year"]) for r in rows)
    for r in rows:
        if int(r["year"]) == first:
            writer.writerow([first - 1, r["gm_code"], r["gm_name"], r["vt_code"], r["pv_code"], "I"])
    for r in rows:
        writer.writerow([r["year"], r["gm_code"], r["gm_name"], r["vt_code"], r["pv_code"], "C"])
    OUT.write_text(HEADER + out.getvalue(), encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(rows)} rijen uit de referentie, plus 2019 (gelijk aan {first})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
