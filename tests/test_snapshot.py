"""The oefendata snapshot: the real CBS structure, CBS rules, the published figures, the real ones."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

import impactlib.query as q
from impactlib import regions as R
from impactlib.catalogue import catalogue, table_specs
from impactlib.formatting import round_half_up
from impactlib.sources.snapshot import SnapshotSource, bundled_snapshot_dir

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "impactlib" / "data"
SHARED = ROOT.parent / "shared" / "reference"
SRC = SnapshotSource()
SEEDS = yaml.safe_load((DATA / "seed_figures.yaml").read_text(encoding="utf-8"))
REAL = yaml.safe_load((DATA / "real_figures.yaml").read_text(encoding="utf-8"))
MANIFEST = json.loads((bundled_snapshot_dir() / "manifest.json").read_text(encoding="utf-8"))
TABLES = ["84847NED", "84849NED", "84851NED", "84852NED", "84855NED", "85361NED", "82975NED", "03759ned",
          "85039NED", "85318NED", "85618NED", "85984NED"]
VT_TABLES = ["84847NED", "84849NED", "84851NED", "84852NED", "84855NED", "85361NED"]
COUNT_TABLES = [*VT_TABLES, "82975NED"]
KWB = {2021: "85039NED", 2022: "85318NED", 2023: "85618NED", 2024: "85984NED"}


def rows(table, **sel):
    b = SRC.table(table)
    d = b.data.copy()
    d["region"] = d[b.geo_dimension()].str.strip()
    return d


def cell(table, region, period=None, measure=None, **cats):
    """One published value (by category titles; a dimension not named counts with its total)."""
    b = SRC.table(table)
    d = rows(table)
    d = d[d["region"] == region]
    if period is not None:
        d = d[d["Perioden"] == period]
    for dim in b.topic_dimensions():
        title = cats.get(dim)
        key = b.category_keys(dim, [title])[0] if title else b.total_key(dim)
        d = d[d[dim] == key]
    assert len(d) == 1, (table, region, period, cats)
    mk = b.measure_key(measure) if measure else next(iter(b.measures()))
    return float(d.iloc[0][mk]), int(d.iloc[0]["ID"]), mk


def is_real(table, measure_key, row_id):
    return row_id in (MANIFEST["real_cells"].get(table) or {}).get(measure_key, [])


def region_key(name, period):
    if name[:2] in ("NL", "LD", "PV", "VT", "GM") and name[2:].isdigit():
        return name
    return R.resolve(name, level="gemeente", period=period).region.key


# ---------------------------------------------------------------- the published figures
@pytest.mark.parametrize("fig", SEEDS["figures"], ids=lambda f: f"{f['indicator']}-{f['region']}-{f.get('category', '')}")
def test_seed_figures_reproduced_exactly_and_marked_real(fig):
    df = q.get_indicator(fig["indicator"], region=fig["region"], period=SEEDS["period"], category=fig.get("category"))
    assert round_half_up(df.iloc[0]["value"], 1) == fig["value"]
    assert bool(df.iloc[0]["real"]) is True
    assert df.attrs["source"]["synthetic"] is True


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/reference is not beside this checkout")
def test_repo_seed_copy_matches_shared_reference():
    shared = yaml.safe_load((SHARED / "seed_figures.yaml").read_text(encoding="utf-8"))
    norm = lambda figs: sorted((f["indicator"], f["region"], f.get("category"), float(f["value"])) for f in figs)  # noqa: E731
    assert norm(shared["figures"]) == norm(SEEDS["figures"])
    assert set(f["indicator"] for f in shared["figures"]) <= set(catalogue())


def test_real_national_half_year_figures_used_and_marked():
    for ind, block in (("adviezen_aantal", "adviezen"), ("meldingen_aantal", "meldingen")):
        df = q.indicator_values(ind, ["Nederland"], None).set_index("period")
        for src in (REAL["national_halfyear"][block], REAL["national_halfyear_2025"][block]):
            for period, value in src.items():
                assert df.loc[period, "value"] == value, (ind, period)
                assert bool(df.loc[period, "real"]), (ind, period)
        assert not df.loc["2022HJ02", "real"]  # not published: invented
    assert cell("84847NED", "NL01", "2023JJ00", "Gestarte adviezen")[0] == 143210
    assert cell("84847NED", "NL01", "2023JJ00", "Ontvangen meldingen")[0] == 127340
    v, i, mk = cell("84852NED", "NL01", "2020JJ00")
    assert v == 127410 and is_real("84852NED", mk, i)  # CBS: the halves add up to 127 415


def test_real_national_organisation_shares_used_and_marked():
    for period, shares in REAL["adviesvragers_organisatie_pct"].items():
        if period in ("source", "status"):
            continue
        df = q.get_indicator("adviesvragers_type_pct", "Nederland", period).set_index("category")
        for group, pct in shares.items():
            assert round_half_up(df.loc[group, "value"], 1) == pct, (period, group)
            assert bool(df.loc[group, "real"]), (period, group)


def _check_real(table, region, period, value, measure=None, **cats):
    v, i, mk = cell(table, region, period, measure, **cats)
    if value is None:
        assert np.isnan(v), (table, region, period, cats)
    else:
        assert v == value, (table, region, period, cats, v, value)
    assert is_real(table, mk, i), (table, region, period, cats)


@pytest.mark.parametrize("block", ["r84849", "r84848"])
def test_real_84849_rows(block):
    for title, name, period, a, m in REAL[block]["rows"]:
        key = region_key(name, period)
        for measure, v in (("Gestarte adviezen", a), ("Ontvangen meldingen", m)):
            if v != "?":
                _check_real("84849NED", key, period, v, measure, KenmerkenAdviezenMeldingen=title)


def test_real_84852_rows():
    for key, vals in REAL["meldingen_2020_regional"]["values"].items():
        for period, v in vals.items():
            _check_real("84852NED", key, period, v)
    for tax, beo, key, period, v in REAL["r84852"]["rows"]:
        _check_real("84852NED", key, period, v, Veiligheidstaxatie=tax, Veiligheidsbeoordeling=beo)


def test_real_85361_rows():
    measures = [m["key"] for m in table_specs()["85361NED"]["measures"]]
    b = SRC.table("85361NED")
    d = rows("85361NED")
    for name, period, vals in REAL["r85361"]["rows"]:
        key = region_key(name, period)
        row = d[(d["region"] == key) & (d["Perioden"] == period)].iloc[0]
        for n, v in vals.items():
            mk = measures[n - 1]
            assert (np.isnan(row[mk]) if v is None else row[mk] == v), (key, n)
            assert is_real("85361NED", mk, int(row["ID"])), (key, n)
    assert b.measure_key("Ontvangen meldingen › Vervolgmelding tijdens betrokkenheid VT › Totaal") == "Totaal_6"


def test_real_82975_and_population_rows():
    names = {"bvp": "Ondertoezichtstelling › Beëindigde trajecten › Reden beëindigde trajecten › Beëindigd volgens plan",
             "voogdij": "Voogdij › Voogdij"}
    for name, key, period, v in REAL["r82975"]["rows"]:
        _check_real("82975NED", key, period, v, names[name])
    for period, v in REAL["ots_national"]["ots_gestart"].items():
        _check_real("82975NED", "NL01", period, v, "Ondertoezichtstelling › Gestarte trajecten")
    for year in REAL["population_nl"]["verified_years"]:
        _check_real("03759ned", "NL01", f"{year}JJ00", REAL["population_nl"]["values"][year], "Bevolking op 1 januari")
    keys = {"zuid_nederland": "LD04", "overijssel": "PV23", "arnhem": "GM0202", "haarlem": "GM0392", "zwijndrecht": "GM0642"}
    for block, key in keys.items():
        for year, v in REAL["population_regional"][block].items():
            _check_real("03759ned", key, f"{year}JJ00", v, "Bevolking op 1 januari")
    for mk, v in REAL["kwb_boxtel_2021"].items():
        if mk not in ("source", "status"):
            _check_real("85039NED", "GM0757", None, v, mk)


def test_synthetic_values_are_not_marked_real():
    df = q.get_indicator("meldingen_aantal", "Nijmegen", "2024HJ01")
    assert not df["real"].any()
    df = q.get_indicator("melders_politie_pct", "Drenthe", "2022HJ01")
    assert not df["real"].any() and not df["national_real"].any()


# ---------------------------------------------------------------- manifest and labels
def test_manifest_labels_synthetic_and_real_parts():
    m = MANIFEST
    assert m["synthetic"] is True and m["name"] == "oefendata"
    assert "OEFENDATA" in m["note"] and "verzonnen" in m["note"]
    assert any("Nederland" in part for part in m["real"]) and m["synthetic_parts"]
    assert m["periods"] == {"first": "2019HJ01", "last": "2025HJ01", "provisional": ["2024HJ02", "2024JJ00", "2025HJ01"]}
    assert sorted(m["tables"]) == sorted(TABLES)
    assert set(m["real_cells"]) <= set(TABLES) and m["real_values"]
    for table in TABLES:
        assert "OEFENDATA" in SRC.table(table).meta["TableInfos"][0]["Description"]
        assert m["tables"][table]["rows"] == len(SRC.table(table).data)
    import hashlib
    for name, digest in m["checksums"].items():
        assert hashlib.sha256((bundled_snapshot_dir() / name).read_bytes()).hexdigest() == digest, name
    seeds = {(v["indicator"], v["region_key"], v["period"], v["category"]) for v in m["real_values"]}
    assert ("melders_politie_pct", "VT02", "2021HJ01", "") in seeds
    assert all(v["tables"] for v in m["real_values"])


def test_snapshot_stays_small():
    size = sum(f.stat().st_size for f in bundled_snapshot_dir().iterdir())
    assert size < 25e6


def test_old_placeholder_table_is_gone():
    assert not (bundled_snapshot_dir() / "OTS_REGIO.parquet").exists()


# ---------------------------------------------------------------- structure as tables.yaml describes
@pytest.mark.parametrize("table", TABLES)
def test_layout_as_tables_yaml(table):
    spec = table_specs()[table]
    b = SRC.table(table)
    props = b.properties()
    assert {p["Type"] for p in props} <= {"Dimension", "GeoDimension", "TimeDimension", "Topic", "TopicGroup"}
    assert b.topic_dimensions() == [d["key"] for d in spec.get("dimensions") or []]
    for d in spec.get("dimensions") or []:
        assert next(p for p in props if p.get("Key") == d["key"])["Title"] == d["title"]
        cats = b.categories(d["key"])
        assert [c["Title"] for c in cats] == [c["title"] for c in d["categories"]]
        assert all(set(c) >= {"Key", "Title", "Description", "CategoryGroupID"} for c in cats)
    paths = b.measure_paths()
    for m in spec["measures"]:
        assert paths[m["key"]] == " › ".join([*(m.get("group") or []), m["title"]])
    groups = {p["ID"] for p in props if p["Type"] == "TopicGroup"}
    assert all(p["ParentID"] in groups for p in props if p.get("ParentID") is not None)
    assert "CategoryGroups" in b.meta and b.meta["TableInfos"][0]["Identifier"] == table
    cols = ["ID", *b.topic_dimensions(), b.geo_dimension()]
    if not spec.get("per_year"):
        cols.append("Perioden")
        assert b.time_dimension() == "Perioden"
    else:
        assert not any(p["Type"] == "TimeDimension" for p in props)
    assert list(b.data.columns) == cols + [m["key"] for m in spec["measures"]]
    assert b.data["ID"].tolist() == list(range(len(b.data)))


@pytest.mark.parametrize("table", TABLES)
def test_region_keys_padded_and_titled_as_cbs(table):
    b = SRC.table(table)
    width = 10 if table in KWB.values() else 6
    keys = b.data[b.geo_dimension()]
    assert (keys.str.len() == width).all()
    titles = b.region_titles()
    assert titles["NL01"] == "Nederland"
    q.check_region_titles(b, list(titles))  # every code titled as that region
    levels = table_specs()[table]["levels"]
    if "landsdeel" in levels:
        assert titles["LD01"] == "Noord-Nederland (LD)" and titles["PV22"] == "Drenthe (PV)"
    if "vt" in levels:
        assert titles["VT02"] == "Drenthe (VT)" and titles["VT22"] == "Zaanstreek-Waterland (VT)"
    if "gemeente" in levels:
        assert titles["GM0014"] == "Groningen (gemeente)" and titles["GM0344"] == "Utrecht (gemeente)"
        assert titles["GM0363"] == "Amsterdam"


@pytest.mark.parametrize("table", [*COUNT_TABLES, "03759ned"])
def test_region_rows_per_year_layout(table):
    d = rows(table)
    levels = table_specs()[table]["levels"]
    for period, part in d.groupby("Perioden"):
        year = int(period[:4])
        have = set(part["region"])
        for level in ("vt", "gemeente", "provincie", "landsdeel"):
            want = {r.key for r in R.regions_at(level, f"{year}JJ00")}
            got = {k for k in have if R.get(k).level == level}
            assert got == (want if level in levels else set()), (table, period, level)
    if "vt" in levels:
        vt = d[d["region"].str.startswith("VT")]
        assert vt[vt["Perioden"] == "2022HJ02"]["region"].nunique() == 26
        assert vt[vt["Perioden"] == "2023HJ01"]["region"].nunique() == 25
        assert "VT27" not in set(vt[vt["Perioden"] == "2022JJ00"]["region"])
        assert {"VT16", "VT26"}.isdisjoint(set(vt[vt["Perioden"] == "2024HJ01"]["region"]))
    gm = d[d["region"].str.startswith("GM")]
    counts = {p: n for p, n in gm.groupby("Perioden")["region"].nunique().items()}
    assert counts.get("2024HJ01", counts.get("2024JJ00")) == 342
    assert counts.get("2019HJ01", counts.get("2019JJ00")) == 355


def test_kwb_one_table_per_year_with_that_years_gemeenten():
    for year, table in KWB.items():
        d = rows(table)
        assert set(d["region"]) == {"NL01", *(r.key for r in R.regions_at("gemeente", f"{year}JJ00"))}
        assert table_specs()[table]["year"] == year


def test_no_vt_rows_where_cbs_has_none_and_vt_is_the_sum_of_its_gemeenten():
    for table in ("82975NED", "03759ned"):
        assert not rows(table)["region"].str.startswith("VT").any()
    pop = q.region_totals("03759ned", "Bevolking op 1 januari", ["VT22", "VT27"], ["2021JJ00", "2024JJ00"])
    d = rows("03759ned")
    tot = d[(d["Geslacht"] == "T001038") & (d["Leeftijd"] == "10000")].set_index(["region", "Perioden"])["BevolkingOp1Januari_1"]
    for key, period, value in pop[["region_key", "period", "value"]].itertuples(index=False):
        if np.isnan(value):
            assert key == "VT27" and period == "2021JJ00"
            continue
        assert value == sum(tot[(g.key, period)] for g in R.members(key, period))


# ---------------------------------------------------------------- CBS rules
@pytest.mark.parametrize("table", COUNT_TABLES)
def test_counts_are_multiples_of_five(table):
    b = SRC.table(table)
    counts = [p["Key"] for p in b.properties() if p["Type"] == "Topic" and p["Unit"] == "aantal"]
    values = b.data[counts].to_numpy().ravel()
    values = values[~np.isnan(values)]
    assert len(values) > 0 and (values % 5 == 0).all()


def test_population_exact_and_additive():
    d = rows("03759ned")
    tot = d[(d["Geslacht"] == "T001038") & (d["Leeftijd"] == "10000")]
    for period, part in tot.groupby("Perioden"):
        v = part.set_index("region")["BevolkingOp1Januari_1"]
        gm = v[[k for k in v.index if k.startswith("GM")]]
        assert v["NL01"] == gm.sum() and (v % 1 == 0).all()
        assert gm.is_unique, period  # distinct gemeente populations
        for pv in R.regions_at("provincie", period):
            assert v[pv.key] == sum(v[g.key] for g in R.members(pv, period))
    one = d[(d["region"] == "NL01") & (d["Perioden"] == "2021JJ00")]
    by = one.set_index(["Geslacht", "Leeftijd"])["BevolkingOp1Januari_1"]
    assert by[("T001038", "10000")] == by[("3000", "10000")] + by[("4000", "10000")]
    assert by[("T001038", "10000")] == sum(by[("T001038", a)] for a in ("70100", "70200", "70300"))


def _within_rounding(total, parts):
    return abs(total - sum(parts)) <= 2.5 * (len(parts) + 1)


def _wide(table, dim, measure, periods="HJ"):
    d = rows(table)
    d = d[d["Perioden"].str.contains(periods)]
    return d.pivot_table(index=["region", "Perioden"], columns=dim, values=measure, dropna=False)


def test_84849_partitions_add_up_within_rounding():
    b = SRC.table("84849NED")
    key = {c["Title"]: c["Key"] for c in b.categories("KenmerkenAdviezenMeldingen")}
    spec = catalogue()
    for measure in ("GestarteAdviezen_1", "OntvangenMeldingen_2"):
        w = _wide("84849NED", "KenmerkenAdviezenMeldingen", measure)
        w = w[w.index.get_level_values("region").str.startswith(("VT", "NL", "PV", "LD"))]
        partitions = [
            ["Niet beroepsmatig totaal", "Beroepsmatig totaal", "Rol/functie onbekend"],
            [t for titles in spec["duur_geweld_meldingen_pct"].categories.values() for t in titles],
        ]
        for titles in partitions:
            parts = w[[key[t] for t in titles]].dropna()
            total = w.loc[parts.index, key["Totaal"]]
            assert all(_within_rounding(t, p) for t, p in zip(total, parts.to_numpy())), titles
        orgs = ["Gezondheidszorg: totaal", "Geestelijke gezondheidszorg: totaal", "Kinderopvang", "Onderwijs: totaal",
                "Bureau Leerplicht", "Jeugdzorg: totaal", "Maatschappelijk werk: totaal", "Justitie en veiligheid: totaal",
                "Anders: Veilig Thuis: andere regio", "Anders: VT: inzet regionaal maatwerk", "Andere organisatie: anders"]
        early = w[w.index.get_level_values("Perioden").str[:4].astype(int) < 2023]
        parts = early[[key[t] for t in orgs]].dropna()
        prof = early.loc[parts.index, key["Beroepsmatig totaal"]]
        assert all(_within_rounding(t, p) for t, p in zip(prof, parts.to_numpy()))
        jv = w[[key[t] for t in ("J en V: politie: totaal", "J en V: openbaar ministerie", "J en V: reclassering", "J en V: anders")]].dropna()
        assert all(_within_rounding(t, p) for t, p in zip(w.loc[jv.index, key["Justitie en veiligheid: totaal"]], jv.to_numpy()))


def test_maatschappelijk_werk_not_apart_from_2023():
    v, _, _ = cell("84849NED", "NL01", "2023JJ00", "Gestarte adviezen", KenmerkenAdviezenMeldingen="Maatschappelijk werk: totaal")
    assert np.isnan(v)
    v, _, _ = cell("84849NED", "NL01", "2022HJ01", "Gestarte adviezen", KenmerkenAdviezenMeldingen="Maatschappelijk werk: totaal")
    assert v > 0


def test_84852_both_dimensions_partition_the_total():
    d = rows("84852NED")
    d = d[d["Perioden"].str.contains("HJ") & ~d["region"].str.startswith("GM")]
    for fixed, free in (("Veiligheidsbeoordeling", "Veiligheidstaxatie"), ("Veiligheidstaxatie", "Veiligheidsbeoordeling")):
        part = d[d[fixed].isin(["T001100", "T001101"])]
        w = part.pivot_table(index=["region", "Perioden"], columns=free, values="OntvangenMeldingen_1")
        total = w.pop("T001100" if free == "Veiligheidstaxatie" else "T001101")
        assert all(_within_rounding(t, p) for t, p in zip(total, w.to_numpy()))


def test_85361_kinds_of_melding_add_up_and_percentages_follow():
    d = rows("85361NED")
    for _, r in d.dropna(subset=["OntvangenMeldingenTotaal_1", "k_1eMeldingGeenBetrokkenenBekendVT_2", "Totaal_3",
                                 "Totaal_6", "MeldingNietIngedeeld_10"]).iterrows():
        parts = [r["k_1eMeldingGeenBetrokkenenBekendVT_2"], r["Totaal_3"], r["Totaal_6"], r["MeldingNietIngedeeld_10"]]
        assert _within_rounding(r["OntvangenMeldingenTotaal_1"], parts)
    nl = d[(d["region"] == "VT22") & (d["Perioden"] == "2021HJ01")].iloc[0]
    assert nl["OntvangenMeldingenTotaal_11"] == 100.0
    assert nl["Totaal_16"] == round_half_up(nl["Totaal_6"] / nl["OntvangenMeldingenTotaal_1"] * 100, 1)


def test_regions_add_up_within_rounding():
    d = rows("84847NED")
    for period in ("2021HJ01", "2023HJ02", "2024JJ00"):
        v = d[d["Perioden"] == period].set_index("region")["OntvangenMeldingen_2"]
        year = f"{period[:4]}JJ00"
        for level in ("vt", "provincie", "landsdeel"):
            keys = [r.key for r in R.regions_at(level, year)]
            assert _within_rounding(v["NL01"], v[keys].tolist()), (period, level)
        for vt in R.regions_at("vt", year):
            gm = [v[g.key] for g in R.members(vt, year)]
            if not any(np.isnan(gm)):
                assert _within_rounding(v[vt.key], gm), (period, vt.key)


def test_tables_agree_on_totals_except_separate_rounding():
    m847 = q.indicator_values("meldingen_aantal", "vt", None)
    share = q.indicator_values("meldingen_acuut_structureel_pct", "vt", None)
    merged = m847.merge(share, on=["region_key", "period"])
    diff = (merged["numerator_x"] - merged["denominator_y"]).abs()
    assert diff.max() <= 10  # 84852NED is rounded on its own, as CBS does


def test_gemeenten_small_cells_suppressed_never_zeroed():
    d = rows("84849NED")
    gm = d[d["region"].str.startswith("GM")]
    assert gm["OntvangenMeldingen_2"].isna().any()
    assert not (gm[["GestarteAdviezen_1", "OntvangenMeldingen_2"]] == 5).any().any()
    vt = d[d["region"].str.startswith("VT") & (d["Perioden"].str[:4].astype(int) < 2023)]
    known_dots = 0
    assert vt[["GestarteAdviezen_1", "OntvangenMeldingen_2"]].isna().sum().sum() == known_dots


def test_suppressed_cell_stays_unknown_in_queries():
    df = q.get_indicator("melders_type_pct", region="Oostzaan", period="2021HJ01")
    assert df["value"].isna().any()
    assert not (df.loc[df["value"].isna(), "numerator"].fillna(-1) == 0).any()


def test_provisional_periods_flagged():
    titles = SRC.table("84847NED").period_titles()
    assert titles["2025HJ01"] == "1e halfjaar 2025*" and titles["2024HJ02"] == "2e halfjaar 2024*"
    assert titles["2024JJ00"] == "2024*" and titles["2021HJ01"] == "1e halfjaar 2021" and titles["2021JJ00"] == "2021"
    assert SRC.table("82975NED").period_titles()["2022HJ01"] == "2022 1e halfjaar"
    assert SRC.table("82975NED").period_titles()["2025HJ01"] == "2025 1e halfjaar*"
    assert list(SRC.table("03759ned").period_titles()) == [f"{y}JJ00" for y in range(2019, 2026)]
    df = q.get_indicator("meldingen_aantal", region="Utrecht", period=["2024HJ02", "2021HJ01"])
    assert dict(zip(df.period, df.provisional)) == {"2021HJ01": "", "2024HJ02": "*"}


def test_nijmegen_2024_answers_on_the_command_line():
    out = subprocess.run([sys.executable, "-m", "impactlib", "show", "meldingen_aantal", "--region", "Nijmegen",
                          "--period", "2024HJ01", "--json"], capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    assert data["region_key"] == "GM0268" and data["value"] > 0 and data["real"] is False


def test_vt_population_of_summed_gemeenten_has_a_per_10k_figure():
    df = q.get_indicator("meldingen_per_10k", "Oost-Brabant", "2024HJ01")
    assert df["value"].notna().all() and "som van" in df["source"].iloc[0]
    df = q.get_indicator("ots_per_10k", "Zaanstreek-Waterland", "2022HJ01")
    assert df["value"].notna().all()


# ---------------------------------------------------------------- what the worked examples say
def _ranks(indicator, period="2021HJ01", **kw):
    df = q.indicator_values(indicator, "vt", period, **kw)
    return df.set_index("region")["value"].rank(ascending=False, method="min")


def test_zw_among_highest_acuut_structureel():
    assert _ranks("meldingen_acuut_structureel_pct")["Zaanstreek-Waterland"] <= 3


@pytest.mark.parametrize("region", ["Zaanstreek-Waterland", "Drenthe"])
def test_rise_until_2020hj02_then_fall(region):
    s = q.get_indicator("meldingen_acuut_structureel_pct", region).set_index("period")["value"]
    assert s.loc["2019HJ01":"2020HJ02"].is_monotonic_increasing
    assert s.loc["2019HJ01":"2022HJ02"].idxmax() == "2020HJ02"
    assert s["2021HJ01"] < s["2020HJ02"] and s["2021HJ02"] < s["2020HJ02"]
    assert s.loc["2021HJ01":].max() < s["2020HJ02"]
    assert s["2020HJ02"] - s["2019HJ01"] < 5  # slightly


def test_drenthe_few_adviezen_and_meldingen_per_10k():
    assert _ranks("meldingen_per_10k")["Drenthe"] >= 24
    assert _ranks("adviezen_per_10k")["Drenthe"] >= 24


def test_drenthe_hands_over_outside_vt_most():
    df = q.get_indicator("vervolgstap_pct", "Drenthe", "2021HJ01").set_index("category")["value"]
    assert df.idxmax() == "overdracht"


@pytest.mark.parametrize("indicator", ["duur_geweld_adviezen_pct", "duur_geweld_meldingen_pct"])
@pytest.mark.parametrize("region", ["Nederland", "Zaanstreek-Waterland", "Drenthe"])
def test_duur_most_common_at_most_one_week(indicator, region):
    df = q.get_indicator(indicator, region, "2021HJ01").set_index("category")["value"]
    assert df.idxmax() == "niet langer dan 1 week"


def test_drenthe_professionals_ask_but_report_little():
    adv = q.get_indicator("adviesvragers_type_pct", "Drenthe", "2021HJ01").set_index("category")["value"]
    mel = q.get_indicator("melders_type_pct", "Drenthe", "2021HJ01").set_index("category")["value"]
    for group in ("Kinderopvang", "Huisarts", "Maatschappelijk werk"):
        assert adv[group] > 2 * mel[group], group


def test_no_pinned_spike_in_the_worked_example_series():
    """The trainer's complaint: Drenthe's police share and ZW's 'niet langer dan 1 week' spiked at 2021HJ01."""
    s = q.get_indicator("melders_politie_pct", "Drenthe").set_index("period")["value"]
    assert abs(s["2021HJ01"] - s["2020HJ02"]) < 5 and abs(s["2021HJ01"] - s["2021HJ02"]) < 5
    s = q.get_indicator("duur_geweld_meldingen_pct", "Zaanstreek-Waterland", category="niet langer dan 1 week").set_index("period")["value"]
    assert abs(s["2021HJ01"] - s["2020HJ02"]) < 5 and abs(s["2021HJ01"] - s["2021HJ02"]) < 5


# ---------------------------------------------------------------- the generator
def test_generator_is_deterministic(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_oefendata.py"), "--out", str(tmp_path), "--quiet"],
                   check=True, capture_output=True)
    fresh = json.loads((tmp_path / "manifest.json").read_text())
    assert fresh["checksums"] == MANIFEST["checksums"]
    assert fresh == MANIFEST
