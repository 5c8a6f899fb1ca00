"""CBS-shaped fixtures, written by hand from the team's reference notes on the real StatLine tables.

Nothing here is read from ``impactlib/data/tables.yaml``, the catalogue or the oefendata generator,
and nothing is served through the project's own mirror: the tables are literal OData v3 entity sets
(as ``opendata.cbs.nl/ODataApi/odata/<table>/<set>`` returns them) and :class:`CbsShapedServer` is a
small, separate HTTP server on 127.0.0.1 that answers like CBS (service document, entity sets,
``$filter`` with ``eq``/``or``/``and``, ``odata.nextLink`` paging). So a mistake in our picture of
CBS cannot be copied into these tests.

What the references give, and what this file therefore uses:

- region keys and titles as CBS writes them: ``NL01  `` Nederland, ``LD01  `` Noord-Nederland (LD),
  ``PV22  `` Drenthe (PV), VT codes alphabetical (``VT02`` Drenthe (VT), ``VT11`` IJsselland (VT),
  ``VT22`` Zaanstreek-Waterland (VT)), gemeenten by GM code without suffix;
- 84849NED: one topic dimension titled ``Kenmerken adviezen/meldingen`` (its OData *key* was not seen:
  here it is deliberately another key than the project's, so only a match by title works), measures
  ``Gestarte adviezen`` and ``Ontvangen meldingen``;
- 84852NED: dimensions ``Veiligheidstaxatie`` (Totaal, Acute onveiligheid, ...) and
  ``Veiligheidsbeoordeling`` (Totaal, Vervolgstappen beleggen bij Veilig Thuis, Overdracht, ...);
- 85361NED: no topic dimension; nested measures under ``Ontvangen meldingen`` (TopicGroups);
- 03759ned: Geslacht, Leeftijd, Perioden, RegioS, and NO Veilig Thuis-regio rows (population per VT
  has to be the sum of its gemeenten);
- 84847NED: its layout was not seen (inferred: two measures, no topic dimension).

Planted figures are chosen so a neighbour's figure or a dropped filter gives a visibly different
answer (IJsselland's shares differ from Zaanstreek-Waterland's; the politie share is not 100 %).
Category keys are made up (CBS's real keys were not seen) and differ from the project's.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# --------------------------------------------------------------------------- regions (CBS keys/titles)
REGIONS = [
    ("NL01  ", "Nederland"),
    ("LD01  ", "Noord-Nederland (LD)"),
    ("LD03  ", "West-Nederland (LD)"),
    ("PV22  ", "Drenthe (PV)"),
    ("PV27  ", "Noord-Holland (PV)"),
    ("VT02  ", "Drenthe (VT)"),
    ("VT11  ", "IJsselland (VT)"),
    ("VT22  ", "Zaanstreek-Waterland (VT)"),
]
#: Zaanstreek-Waterland's gemeenten in 2021 (with Beemster) and 2023 (Beemster in Purmerend).
ZW_2021 = {"GM0370": "Beemster", "GM0385": "Edam-Volendam", "GM0415": "Landsmeer", "GM0431": "Oostzaan",
           "GM0439": "Purmerend", "GM0479": "Zaanstad", "GM0852": "Waterland", "GM0880": "Wormerland"}
GEMEENTEN = [(k.ljust(6), v) for k, v in ZW_2021.items()] + [("GM0106", "Assen")]
PERIODS = [("2021HJ01", "1e halfjaar 2021", "Definitief"), ("2021HJ02", "2e halfjaar 2021", "Definitief"),
           ("2023JJ00", "2023*", "Voorlopig")]


def _dim(key, title, position, kind="Dimension"):
    return {"odata.type": "Cbs.OData.Dimension", "ID": position, "Position": position, "ParentID": None,
            "Type": kind, "Key": key, "Title": title, "Description": "", "MapYear": None, "ReleasePolicy": False}


def _topic(id_, key, title, unit, parent=None, decimals=0):
    return {"odata.type": "Cbs.OData.Topic", "ID": id_, "Position": id_, "ParentID": parent, "Type": "Topic",
            "Key": key, "Title": title, "Description": "", "Datatype": "Long" if unit == "aantal" else "Double",
            "Unit": unit, "Decimals": decimals, "Default": "Impossible", "PresentationType": "Absolute"}


def _group(id_, title, parent=None):
    return {"odata.type": "Cbs.OData.TopicGroup", "ID": id_, "Position": id_, "ParentID": parent,
            "Type": "TopicGroup", "Key": "", "Title": title, "Description": ""}


def _cats(rows):
    return [{"Key": k, "Title": t, "Description": "", "CategoryGroupID": None} for k, t in rows]


def _regions(extra=()):
    return [{"Key": k, "Title": t, "Description": "", "CategoryGroupID": None} for k, t in [*REGIONS, *extra]]


def _periods():
    return [{"Key": k, "Title": t, "Description": "", "Status": s} for k, t, s in PERIODS]


def _infos(table_id, title):
    return [{"ID": 0, "Identifier": table_id, "Title": title, "ShortTitle": title[:40], "Modified": "2024-10-24T02:00:00",
             "Description": "", "Language": "nl", "Catalog": "CBS", "Frequency": "Perhalfjaar", "Period": "2019-2024",
             "Status": "Regulier", "Summary": ""}]


# --------------------------------------------------------------------------- 84849NED
#: 84849NED's categories: the titles seen on the StatLine pages and in the team's earlier list of this
#: dimension (references), with made-up keys.
KENMERKEN = [(f"K{i:03d}", t) for i, t in enumerate([
    "Totaal", "Niet beroepsmatig totaal", "Beroepsmatig totaal", "Beroep: onderwijs: totaal",
    "Beroep: kinderopvang: totaal", "Beroep: medisch totaal", "Beroep: medisch: verpleegkundige",
    "Gezondheidszorg: totaal", "Geestelijke gezondheidszorg: totaal", "Kinderopvang", "Onderwijs: totaal",
    "Bureau Leerplicht", "Jeugdzorg: totaal", "Justitie en veiligheid: totaal", "J en V: politie: totaal",
    "J en V: openbaar ministerie", "J en V: reclassering", "J en V: anders", "Anders: Veilig Thuis: andere regio",
    "Anders: VT: inzet regionaal maatwerk", "Andere organisatie: anders", "Niet van toepassing", "Onbekend",
    "Duur geweld: niet langer dan 1 week", "Duur geweld: > 1 week, < 1 maand", "Duur geweld: > 1 maand, < 6 maanden",
    "Duur geweld: > 6 maanden, < 1 jaar", "Duur geweld: > 1 jaar,< 5 jaar", "Duur geweld: langer dan 5 jaar",
])]
#: NOT from the references: titles only the project's catalogue assumes (its adviesvrager groups and an
#: 'unknown duration'). They are added so that the all-clear case of 'data verify' can be all clear;
#: against real CBS, 'data verify' reports whichever of them CBS does not have.
ASSUMED_KENMERKEN = [("X901", "Gezondheidszorg: preventieve basisvoorzieningen"), ("X902", "Gezondheidszorg: huisarts"),
                     ("X903", "Gezondheidszorg: overig"), ("X904", "Maatschappelijk werk: totaal"),
                     ("X905", "Duur geweld: onbekend")]
KENMERKEN += ASSUMED_KENMERKEN
_K = {t: k for k, t in KENMERKEN}


def _t84849():
    # (region, period) -> {category: (adviezen, meldingen)}; NaN-free planted figures
    tot, burger, politie, jv = _K["Totaal"], _K["Niet beroepsmatig totaal"], _K["J en V: politie: totaal"], \
        _K["Justitie en veiligheid: totaal"]
    planted = {
        ("VT22  ", "2021HJ01"): {tot: (900, 1000), burger: (400, 110), politie: (30, 640)},
        ("VT11  ", "2021HJ01"): {tot: (1800, 2000), burger: (700, 300), politie: (60, 500)},
        ("VT02  ", "2021HJ01"): {tot: (1500, 1100), burger: (843, 122), politie: (40, 600)},
        ("NL01  ", "2021HJ01"): {tot: (67545, 60880), burger: (30260, 6700), politie: (2430, 39085)},
        ("VT02  ", "2023JJ00"): {tot: (2960, 1905), burger: (1615, 195), jv: (45, 1060)},
        ("NL01  ", "2023JJ00"): {tot: (143210, 127340), burger: (63200, 10230), jv: (8990, 85590)},
        ("GM0106", "2023JJ00"): {tot: (525, 270), burger: (285, 25), jv: (10, 160)},
    }
    rows, i = [], 0
    for reg, _ in [*REGIONS, *GEMEENTEN]:
        for per, _, _ in PERIODS:
            for cat, _ in KENMERKEN:
                a, m = planted.get((reg, per), {}).get(cat, (None, None))
                rows.append({"ID": i, "Kenmerken_2": cat, "Perioden": per, "RegioS": reg,
                             "GestarteAdviezen_1": a, "OntvangenMeldingen_2": m})
                i += 1
    return {
        "TableInfos": _infos("84849NED", "Huiselijk geweld; rol/functie, organisatie, duur geweld, regio"),
        "DataProperties": [
            _dim("Kenmerken_2", "Kenmerken adviezen/meldingen", 0),
            _dim("Perioden", "Perioden", 1, "TimeDimension"),
            _dim("RegioS", "Regio's", 2, "GeoDimension"),
            _topic(3, "GestarteAdviezen_1", "Gestarte adviezen", "aantal"),
            _topic(4, "OntvangenMeldingen_2", "Ontvangen meldingen", "aantal"),
        ],
        "CategoryGroups": [],
        "Kenmerken_2": _cats(KENMERKEN),
        "Perioden": _periods(),
        "RegioS": _regions(GEMEENTEN),
        "TypedDataSet": rows,
    }


# --------------------------------------------------------------------------- 84852NED
TAXATIE = [("T001420", "Totaal"), ("A048001", "Acute onveiligheid"), ("A048002", "Structurele onveiligheid"),
           ("A048003", "Acute en structurele onveiligheid"), ("A048004", "Geen acute of structurele onveiligheid")]
BEOORDELING = [("T001421", "Totaal"), ("A048101", "Vervolgstappen beleggen bij Veilig Thuis"),
               ("A048102", "Overdracht"), ("A048103", "Geen vervolgstappen nodig"),
               ("A048104", "Inzet regionaal maatwerk Veilig Thuis"), ("A048105", "Nog niet beoordeeld")]


def _t84852():
    # ZW 2021HJ01: 650 of 1 295 meldingen acuut and/or structureel onveilig = 50,2 %; IJsselland 20,0 %
    planted = {
        ("VT22  ", "2021HJ01"): {("T001420", "T001421"): 1295, ("A048001", "T001421"): 50,
                                 ("A048002", "T001421"): 500, ("A048003", "T001421"): 100,
                                 ("T001420", "A048102"): 700},
        ("VT11  ", "2021HJ01"): {("T001420", "T001421"): 2000, ("A048001", "T001421"): 100,
                                 ("A048002", "T001421"): 250, ("A048003", "T001421"): 50,
                                 ("T001420", "A048102"): 300},
        ("NL01  ", "2021HJ01"): {("T001420", "T001421"): 60880, ("A048001", "T001421"): 3000,
                                 ("A048002", "T001421"): 20000, ("A048003", "T001421"): 3055,
                                 ("T001420", "A048102"): 20000},
    }
    rows, i = [], 0
    for t, _ in TAXATIE:
        for b, _ in BEOORDELING:
            for reg, _ in REGIONS:
                for per, _, _ in PERIODS:
                    rows.append({"ID": i, "Veiligheidstaxatie": t, "Veiligheidsbeoordeling": b, "RegioS": reg,
                                 "Perioden": per, "OntvangenMeldingen_1": planted.get((reg, per), {}).get((t, b))})
                    i += 1
    return {
        "TableInfos": _infos("84852NED", "Huiselijk geweld; veiligheidsbeoordeling en -taxatie Veilig Thuis, regio"),
        "DataProperties": [
            _dim("Veiligheidstaxatie", "Veiligheidstaxatie", 0),
            _dim("Veiligheidsbeoordeling", "Veiligheidsbeoordeling", 1),
            _dim("RegioS", "Regio's", 2, "GeoDimension"),
            _dim("Perioden", "Perioden", 3, "TimeDimension"),
            _topic(4, "OntvangenMeldingen_1", "Ontvangen meldingen", "aantal"),
        ],
        "CategoryGroups": [],
        "Veiligheidstaxatie": _cats(TAXATIE),
        "Veiligheidsbeoordeling": _cats(BEOORDELING),
        "RegioS": _regions(),
        "Perioden": _periods(),
        "TypedDataSet": rows,
    }


# --------------------------------------------------------------------------- 85361NED (nested measures)
def _t85361():
    props = [
        _dim("RegioS", "Regio's", 0, "GeoDimension"),
        _dim("Perioden", "Perioden", 1, "TimeDimension"),
        _group(2, "Ontvangen meldingen"),
        _topic(3, "OntvangenMeldingenTotaal_1", "Ontvangen meldingen, totaal", "aantal", parent=2),
        _topic(4, "k_1eMeldingGeenBetrokkenenBekendVT_2", "1e melding, geen betrokkenen bekend VT", "aantal", parent=2),
        _group(5, "Hermelding", parent=2),
        _topic(6, "Totaal_3", "Totaal", "aantal", parent=5),
        _group(7, "Vervolgmelding tijdens betrokkenheid VT", parent=2),
        _topic(8, "Totaal_6", "Totaal", "aantal", parent=7),
        _topic(9, "TijdensVeiligheidsbeoordeling_7", "Tijdens veiligheidsbeoordeling", "aantal", parent=7),
        _topic(10, "MeldingNietIngedeeld_10", "Melding niet ingedeeld", "aantal", parent=2),
        _group(11, "Ontvangen meldingen (relatief)"),
        _topic(12, "Totaal_16", "Totaal", "%", parent=11, decimals=1),
    ]
    planted = {("NL01  ", "2023JJ00"): (127340, 40615, 48555, 36355, 16915, 1815, 28.5),
               ("VT22  ", "2023JJ00"): (2600, 700, 1000, 850, 400, 50, 32.7)}
    keys = ["OntvangenMeldingenTotaal_1", "k_1eMeldingGeenBetrokkenenBekendVT_2", "Totaal_3", "Totaal_6",
            "TijdensVeiligheidsbeoordeling_7", "MeldingNietIngedeeld_10", "Totaal_16"]
    rows, i = [], 0
    for reg, _ in REGIONS:
        for per, _, _ in PERIODS:
            values = planted.get((reg, per), (None,) * len(keys))
            rows.append({"ID": i, "RegioS": reg, "Perioden": per, **dict(zip(keys, values))})
            i += 1
    return {
        "TableInfos": _infos("85361NED", "Huiselijk geweld; meldingen naar eerdere betrokkenheid Veilig Thuis, regio"),
        "DataProperties": props, "CategoryGroups": [], "RegioS": _regions(), "Perioden": _periods(),
        "TypedDataSet": rows,
    }


# --------------------------------------------------------------------------- 84847NED (layout inferred)
def _t84847():
    planted = {("VT22  ", "2021HJ01"): (850, 800), ("VT11  ", "2021HJ01"): (1900, 2100),
               ("NL01  ", "2021HJ01"): (67545, 60880), ("VT02  ", "2021HJ01"): (1550, 1155)}
    rows, i = [], 0
    for reg, _ in [*REGIONS, *GEMEENTEN]:
        for per, _, _ in PERIODS:
            a, m = planted.get((reg, per), (None, None))
            rows.append({"ID": i, "RegioS": reg, "Perioden": per, "GestarteAdviezen_1": a, "OntvangenMeldingen_2": m})
            i += 1
    return {
        "TableInfos": _infos("84847NED", "Huiselijk geweld; kerncijfers Veilig Thuis, regio"),
        "DataProperties": [_dim("RegioS", "Regio's", 0, "GeoDimension"), _dim("Perioden", "Perioden", 1, "TimeDimension"),
                           _topic(2, "GestarteAdviezen_1", "Gestarte adviezen", "aantal"),
                           _topic(3, "OntvangenMeldingen_2", "Ontvangen meldingen", "aantal")],
        "CategoryGroups": [], "RegioS": _regions(GEMEENTEN), "Perioden": _periods(), "TypedDataSet": rows,
    }


# --------------------------------------------------------------------------- 03759ned (no VT level)
#: Inhabitants on 1 January 2021 of Zaanstreek-Waterland's 8 gemeenten: 340 000 in all.
ZW_POPULATION_2021 = {"GM0370": 10000, "GM0385": 36000, "GM0415": 11500, "GM0431": 9500,
                      "GM0439": 81000, "GM0479": 155500, "GM0852": 17500, "GM0880": 19000}


def _t03759():
    regions = [(k, t) for k, t in REGIONS if not k.startswith("VT")] + GEMEENTEN
    pop = {"NL01  ": 17475415, "PV22  ": 493682, "GM0106": 68798,
           **{k.ljust(6): v for k, v in ZW_POPULATION_2021.items()}}
    rows, i = [], 0
    for g in ("T001038", "3000"):
        for a in ("10000", "70100"):
            for reg, _ in regions:
                for per in ("2021JJ00", "2023JJ00"):
                    value = pop.get(reg) if (g, a, per) == ("T001038", "10000", "2021JJ00") else None
                    rows.append({"ID": i, "Geslacht": g, "Leeftijd": a, "Perioden": per, "RegioS": reg,
                                 "BevolkingOp1Januari_1": value, "GemiddeldeBevolking_2": None})
                    i += 1
    return {
        "TableInfos": _infos("03759ned", "Bevolking op 1 januari en gemiddeld; geslacht, leeftijd en regio"),
        "DataProperties": [_dim("Geslacht", "Geslacht", 0), _dim("Leeftijd", "Leeftijd", 1),
                           _dim("Perioden", "Perioden", 2, "TimeDimension"), _dim("RegioS", "Regio's", 3, "GeoDimension"),
                           _topic(4, "BevolkingOp1Januari_1", "Bevolking op 1 januari", "aantal"),
                           _topic(5, "GemiddeldeBevolking_2", "Gemiddelde bevolking", "aantal")],
        "CategoryGroups": [],
        "Geslacht": _cats([("T001038", "Totaal mannen en vrouwen"), ("3000", "Mannen")]),
        "Leeftijd": _cats([("10000", "Totaal"), ("70100", "0 tot 20 jaar")]),
        "Perioden": [{"Key": "2021JJ00", "Title": "2021", "Description": "", "Status": "Definitief"},
                     {"Key": "2023JJ00", "Title": "2023", "Description": "", "Status": "Definitief"}],
        "RegioS": [{"Key": k, "Title": t, "Description": "", "CategoryGroupID": None} for k, t in regions],
        "TypedDataSet": rows,
    }


def tables() -> dict[str, dict]:
    """Every fixture table: id → entity sets (a fresh copy each call)."""
    return {"84849NED": _t84849(), "84852NED": _t84852(), "85361NED": _t85361(), "84847NED": _t84847(),
            "03759ned": _t03759()}


# --------------------------------------------------------------------------- drift
def drifted() -> dict[str, dict]:
    """The same tables after a CBS release that changed what the catalogue relies on:

    - 84849NED's topic dimension is renamed (key and title), and ``J en V: politie: totaal`` is gone;
    - 84852NED titles code VT22 'IJsselland (VT)' (a numbering other than CBS's alphabetical one).
    """
    out = tables()
    t = out["84849NED"]
    for p in t["DataProperties"]:
        if p["Key"] == "Kenmerken_2":
            p["Key"], p["Title"] = "Melders_3", "Melder en adviesvrager"
    t["Melders_3"] = [c for c in t.pop("Kenmerken_2") if c["Title"] != "J en V: politie: totaal"]
    for row in t["TypedDataSet"]:
        row["Melders_3"] = row.pop("Kenmerken_2")
    t["TypedDataSet"] = [r for r in t["TypedDataSet"] if r["Melders_3"] != _K["J en V: politie: totaal"]]
    for row in out["84852NED"]["RegioS"]:
        if row["Key"] == "VT22  ":
            row["Title"] = "IJsselland (VT)"
    return out


# --------------------------------------------------------------------------- the server
_CLAUSE = re.compile(r"^\s*\(?\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*\)?\s*$")


def _matches(row: dict, filter_text: str) -> bool:
    """``A eq 'x' and (B eq 'y' or B eq 'z')``: the only forms CBS clients send here."""
    if not filter_text:
        return True
    for part in re.split(r"\s+and\s+", filter_text):
        options = re.split(r"\s+or\s+", part.strip().strip("()"))
        ok = False
        for option in options:
            m = _CLAUSE.match(option)
            if m is None:
                raise ValueError(f"unsupported filter: {option}")
            field, value = m.group(1), m.group(2).replace("''", "'")
            ok |= str(row.get(field)) == value
        if not ok:
            return False
    return True


class CbsShapedServer:
    """A CBS-like OData v3 server on 127.0.0.1 for the fixture tables; stops by itself after ``lifetime`` s."""

    def __init__(self, tables_: dict[str, dict], *, page_size: int = 200, lifetime: float = 120.0):
        self.tables = {k.lower(): (k, copy.deepcopy(v)) for k, v in tables_.items()}
        self.page_size = page_size
        self.lifetime = lifetime
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):  # noqa: N802
                server.requests.append(self.path)
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                segments = [s for s in parts.path.split("/") if s]
                if len(segments) < 3 or segments[0] not in ("ODataApi", "ODataFeed") or segments[1].lower() != "odata":
                    return self._send(404, {"odata.error": {"message": {"value": "Not found"}}})
                hit = server.tables.get(segments[2].lower())
                if hit is None:
                    return self._send(404, {"odata.error": {"message": {"value": "Table not found"}}})
                table_id, sets = hit
                base = f"http://{self.headers.get('Host')}/{segments[0]}/odata/{table_id}"
                if len(segments) == 3:
                    names = [n for n in sets if n != "TypedDataSet"] + ["TypedDataSet"]
                    return self._send(200, {"odata.metadata": f"{base}/$metadata",
                                            "value": [{"name": n, "url": f"{base}/{n}"} for n in names]})
                rows = sets.get(segments[3])
                if rows is None:
                    return self._send(404, {"odata.error": {"message": {"value": "Resource not found"}}})
                selected = [r for r in rows if _matches(r, query.get("$filter", ""))]
                skip = int(query.get("$skip", "0"))
                page = selected[skip: skip + server.page_size]
                body = {"odata.metadata": f"{base}/$metadata#Cbs.OData.WebAPI.{segments[3]}", "value": page}
                if skip + server.page_size < len(selected):
                    nxt = dict(query, **{"$skip": str(skip + server.page_size)})
                    from urllib.parse import urlencode

                    body["odata.nextLink"] = f"{base}/{segments[3]}?{urlencode(nxt)}"
                return self._send(200, body)

            def _send(self, status, body):
                data = json.dumps(body).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json;odata=minimalmetadata;charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.address = f"127.0.0.1:{self.httpd.server_address[1]}"

    def data_requests(self) -> list[str]:
        return [r for r in self.requests if "/TypedDataSet" in r]

    def __enter__(self):
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        self._timer = threading.Timer(self.lifetime, self.httpd.shutdown)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, *exc):
        self._timer.cancel()
        self.httpd.shutdown()
        self.httpd.server_close()
        time.sleep(0)


@contextmanager
def cbs_shaped(tables_: dict[str, dict] | None = None, **kwargs):
    with CbsShapedServer(tables() if tables_ is None else tables_, **kwargs) as server:
        yield server


# --------------------------------------------------------------------------- the same tables in OData v4
def as_v4(sets: dict) -> dict:
    """One fixture table in the shape of CBS's v4 service (datasets.cbs.nl): ``Properties``,
    ``Dimensions``, ``MeasureCodes`` (identifiers ``M000001``-style, unlike v3's keys),
    ``MeasureGroups``, ``<Dimension>Codes`` (region codes unpadded) and ``Observations`` (one row per
    cell; empty cells are left out, as CBS does). Written from the v4 layout in the references
    (84852NED: ``Id, Measure, Veiligheidstaxatie, Veiligheidsbeoordeling, RegioS, Perioden, Value,
    StringValue, ValueAttribute``)."""
    info = sets["TableInfos"][0]
    props = sets["DataProperties"]
    dims = [p for p in props if p["Type"] in ("Dimension", "GeoDimension", "TimeDimension")]
    groups = [p for p in props if p["Type"] == "TopicGroup"]
    topics = [p for p in props if p["Type"] == "Topic"]
    gid = {g["ID"]: f"G{i + 1:02d}" for i, g in enumerate(groups)}
    mid = {t["Key"]: f"M{i + 1:06d}" for i, t in enumerate(topics)}
    out = {
        "Properties": {"Identifier": info["Identifier"], "Title": info["Title"], "Modified": info["Modified"],
                       "Description": "", "Language": "nl", "Catalog": "CBS", "DatasetType": "Numeric"},
        "Dimensions": [{"Identifier": d["Key"], "Title": d["Title"], "Description": "", "Kind": d["Type"],
                        "ContainsGroups": False, "ContainsCodes": True} for d in dims],
        "MeasureCodes": [{"Identifier": mid[t["Key"]], "Index": i + 1, "Title": t["Title"], "Description": "",
                          "MeasureGroupId": gid.get(t["ParentID"]), "DataType": t["Datatype"], "Unit": t["Unit"],
                          "Decimals": t["Decimals"], "PresentationType": "Absolute"} for i, t in enumerate(topics)],
        "MeasureGroups": [{"Id": gid[g["ID"]], "Index": i + 1, "Title": g["Title"], "Description": "",
                           "ParentId": gid.get(g["ParentID"])} for i, g in enumerate(groups)],
    }
    for d in dims:
        rows = []
        for i, c in enumerate(sets[d["Key"]]):
            row = {"Identifier": c["Key"].strip(), "Index": i + 1, "Title": c["Title"].rstrip("*"), "Description": "",
                   "DimensionGroupId": None}
            if d["Type"] == "TimeDimension":
                row["Status"] = c.get("Status")
            rows.append(row)
        out[f"{d['Key']}Codes"] = rows
    obs, n = [], 0
    for row in sets["TypedDataSet"]:
        for t in topics:
            value = row.get(t["Key"])
            if value is None:
                continue  # v4 leaves empty cells out
            obs.append({"Id": n, "Measure": mid[t["Key"]], **{d["Key"]: str(row[d["Key"]]).strip() for d in dims},
                        "Value": value, "StringValue": None, "ValueAttribute": "None"})
            n += 1
    out["Observations"] = obs
    return out


class CbsShapedV4Server(CbsShapedServer):
    """The fixture tables as CBS's OData v4 service answers them (``/odata/v1/CBS/<table>/...``)."""

    def __init__(self, tables_: dict[str, dict], *, page_size: int = 200, lifetime: float = 120.0):
        super().__init__({}, page_size=page_size, lifetime=lifetime)
        self.tables = {k.lower(): (k, as_v4(copy.deepcopy(v))) for k, v in tables_.items()}
        server = self

        class Handler(self.httpd.RequestHandlerClass):
            def do_GET(self):  # noqa: N802
                from urllib.parse import urlencode

                server.requests.append(self.path)
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                seg = [s for s in parts.path.split("/") if s]
                if len(seg) < 4 or seg[:3] != ["odata", "v1", "CBS"]:
                    return self._send(404, {"error": {"message": "Not found"}})
                hit = server.tables.get(seg[3].lower())
                if hit is None:
                    return self._send(404, {"error": {"message": "Dataset not found"}})
                table_id, sets = hit
                base = f"http://{self.headers.get('Host')}/odata/v1/CBS/{table_id}"
                if len(seg) == 4:
                    return self._send(200, {"@odata.context": f"{base}/$metadata",
                                            "value": [{"name": n, "kind": "EntitySet", "url": n} for n in sets]})
                body = sets.get(seg[4])
                if body is None:
                    return self._send(404, {"error": {"message": "Resource not found"}})
                if isinstance(body, dict):
                    return self._send(200, {"@odata.context": f"{base}/$metadata#Properties", **body})
                rows = [r for r in body if _matches(r, query.get("$filter", ""))]
                if "$select" in query:
                    cols = query["$select"].split(",")
                    rows = [{c: r.get(c) for c in cols} for r in rows]
                skip = int(query.get("$skip", "0"))
                page = {"@odata.context": f"{base}/$metadata#{seg[4]}", "value": rows[skip: skip + server.page_size]}
                if skip + server.page_size < len(rows):
                    page["@odata.nextLink"] = f"{base}/{seg[4]}?" + urlencode(dict(query, **{"$skip": str(skip + server.page_size)}))
                return self._send(200, page)

        self.httpd.RequestHandlerClass = Handler


@contextmanager
def cbs_shaped_v4(tables_: dict[str, dict] | None = None, **kwargs):
    with CbsShapedV4Server(tables() if tables_ is None else tables_, **kwargs) as server:
        yield server
