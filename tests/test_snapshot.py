"""The oefendata snapshot: CBS structure, CBS rules, the published figures, the real ones."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import impactlib.query as q
from impactlib import regions as R
from impactlib.catalogue import catalogue
from impactlib.formatting import round_half_up
from impactlib.sources.snapshot import SnapshotSource, bundled_snapshot_dir

DATA = Path(__file__).resolve().parents[1] / "impactlib" / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "reference"
COUNT_TABLES = ["84847NED", "84849NED", "84851NED", "84852NED", "84855NED", "85361NED", "OTS_REGIO"]
SRC = SnapshotSource()
SEEDS = yaml.safe_load((DATA / "seed_figures.yaml").read_text(encoding="utf-8"))
REAL = yaml.safe_load((DATA / "real_figures.yaml").read_text(encoding="utf-8"))


def tidy(table):
    return SRC.table(table).tidy()


@pytest.mark.parametrize("fig", SEEDS["figures"], ids=lambda f: f"{f['indicator']}-{f['region']}-{f.get('category', '')}")
def test_seed_figures_reproduced_exactly(fig):
    df = q.get_indicator(fig["indicator"], region=fig["region"], period=SEEDS["period"], category=fig.get("category"))
    assert round_half_up(df.iloc[0]["value"], 1) == fig["value"]
    assert df.attrs["source"]["synthetic"] is True


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/reference is not beside this checkout")
def test_repo_seed_copy_matches_shared_reference():
    shared = yaml.safe_load((SHARED / "seed_figures.yaml").read_text(encoding="utf-8"))
    norm = lambda figs: sorted((f["indicator"], f["region"], f.get("category"), float(f["value"])) for f in figs)  # noqa: E731
    assert norm(shared["figures"]) == norm(SEEDS["figures"])
    assert set(f["indicator"] for f in shared["figures"]) <= set(catalogue())


def test_manifest_labels_synthetic_and_real_parts():
    m = json.loads((bundled_snapshot_dir() / "manifest.json").read_text(encoding="utf-8"))
    assert m["synthetic"] is True and m["name"] == "oefendata"
    assert any("Nederland" in part for part in m["real"])
    assert "OEFENDATA" in m["note"]
    for table in COUNT_TABLES:
        assert "OEFENDATA" in SRC.table(table).meta["TableInfos"][0]["Description"]


@pytest.mark.parametrize("table", COUNT_TABLES)
def test_counts_are_multiples_of_five(table):
    b = SRC.table(table)
    counts = [k for k, p in ((p["Key"], p) for p in b.properties() if p["Type"] == "Topic") if p["Unit"] == "aantal"]
    values = b.data[counts].to_numpy().ravel()
    values = values[~np.isnan(values)]
    assert len(values) > 0 and (values % 5 == 0).all()


@pytest.mark.parametrize("table", COUNT_TABLES)
def test_national_and_provinces_are_sums_of_vt_regions(table):
    b = SRC.table(table)
    counts = [p["Key"] for p in b.properties() if p["Type"] == "Topic" and p["Unit"] == "aantal"]
    df = b.tidy()
    df = df[df["Perioden"].str.contains("HJ") & df["measure"].isin(counts)]
    dims = [c for c in df.columns if c not in ("RegioS", "value")]
    wide = df.pivot_table(index=dims, columns="RegioS", values="value", aggfunc="first")
    vts = [r.key for r in R.regions_at("vt")]
    assert np.allclose(wide["NL01"], wide[vts].sum(axis=1))
    for pv in R.regions_at("provincie"):
        members = [r.key for r in R.regions_at("vt") if r.provincie == pv.key]
        assert np.allclose(wide[pv.key], wide[members].sum(axis=1)), pv.name


def _vt_cells(table):
    df = tidy(table)  # half years; the published 2020 total differs from the sum of its halves
    return df[df["RegioS"].str.startswith(("VT", "NL")) & df["Perioden"].str.contains("HJ")]


def test_organisation_duur_and_rol_partitions_add_up():
    b = SRC.table("84849NED")
    df = _vt_cells("84849NED")
    title = {r["Key"]: r["Title"] for r in b.categories("Kenmerken")}
    df["cat"] = df["Kenmerken"].map(title)
    wide = df.pivot_table(index=["RegioS", "Perioden", "measure"], columns="cat", values="value")
    groups = catalogue()["adviesvragers_type_pct"].categories
    org = sum(wide[t] for titles in groups.values() for t in titles)
    assert np.allclose(org, wide["Totaal"])
    duur = sum(wide[t] for titles in catalogue()["duur_geweld_meldingen_pct"].categories.values() for t in titles)
    assert np.allclose(duur, wide["Totaal"])
    rol = wide["Niet beroepsmatig totaal"] + wide["Beroepsmatig totaal"] + wide["Rol/functie onbekend"]
    assert np.allclose(rol, wide["Totaal"])
    assert np.allclose(wide["Justitie en veiligheid: totaal"],
                       wide[["J en V: politie: totaal", "J en V: openbaar ministerie", "J en V: reclassering", "J en V: anders"]].sum(axis=1))


def test_veiligheid_partitions_add_up():
    b = SRC.table("84852NED")
    df = _vt_cells("84852NED")
    tb = b.total_key("Veiligheidsbeoordeling")
    tt = b.total_key("Veiligheidstaxatie")
    inner = df[(df.Veiligheidsbeoordeling != tb) & (df.Veiligheidstaxatie != tt)]
    total = df[(df.Veiligheidsbeoordeling == tb) & (df.Veiligheidstaxatie == tt)].set_index(["RegioS", "Perioden"])["value"]
    summed = inner.groupby(["RegioS", "Perioden"])["value"].sum()
    assert np.allclose(summed.loc[total.index], total)


def test_tables_agree_on_totals_except_separate_rounding():
    m847 = q.indicator_values("meldingen_aantal", "vt", None)
    share = q.indicator_values("meldingen_acuut_structureel_pct", "vt", None)
    merged = m847.merge(share, on=["region_key", "period"])
    diff = (merged["numerator_x"] - merged["denominator_y"]).abs()
    assert diff.max() <= 10  # 84852NED is rounded on its own, as CBS does


def test_gemeenten_small_cells_suppressed_never_zeroed():
    df = tidy("84849NED")
    total = SRC.table("84849NED").total_key("Kenmerken")
    gm = df[df["RegioS"].str.startswith("GM") & (df["Kenmerken"] != total)]
    assert gm["value"].isna().any()
    assert not (gm["value"] == 5).any()
    vt = df[df["RegioS"].str.startswith("VT")]
    assert not vt["value"].isna().any()


def test_suppressed_cell_stays_unknown_in_queries():
    df = q.get_indicator("melders_type_pct", region="Oostzaan", period="2021HJ01")
    assert df["value"].isna().any()
    assert not (df.loc[df["value"].isna(), "numerator"].fillna(-1) == 0).any()


def test_provisional_periods_flagged():
    titles = SRC.table("84847NED").period_titles()
    assert titles["2025HJ01"].endswith("*") and titles["2024HJ02"].endswith("*")
    assert not titles["2021HJ01"].endswith("*")
    df = q.get_indicator("meldingen_aantal", region="Utrecht", period=["2024HJ02", "2021HJ01"])
    assert dict(zip(df.period, df.provisional)) == {"2021HJ01": "", "2024HJ02": "*"}


def test_real_national_half_year_figures_used():
    df = q.indicator_values("adviezen_aantal", ["Nederland"], None).set_index("period")["value"]
    for period, value in REAL["national_halfyear"]["adviezen"].items():
        assert df[period] == value
    df = q.indicator_values("meldingen_aantal", ["Nederland"], None).set_index("period")["value"]
    for period, value in REAL["national_halfyear"]["meldingen"].items():
        assert df[period] == value
    year = SRC.table("84847NED").select(regions=["NL01"], periods=["2020JJ00", "2023JJ00"]).data.set_index("Perioden")
    assert year.loc["2020JJ00", "OntvangenMeldingen_2"] == 127410
    assert year.loc["2023JJ00", "GestarteAdviezen_1"] == 143210
    assert year.loc["2023JJ00", "OntvangenMeldingen_2"] == 127340


def test_real_national_organisation_shares_used():
    for period, shares in REAL["adviesvragers_organisatie_pct"].items():
        if period == "source":
            continue
        df = q.get_indicator("adviesvragers_type_pct", "Nederland", period).set_index("category")["value"]
        for group, pct in shares.items():
            assert round_half_up(df[group], 1) == pct, (period, group)


def test_vervolgmelding_2023_real():
    b = SRC.table("85361NED").select(regions=["NL01"], periods=["2023JJ00"])
    key = b.category_keys("EerdereBetrokkenheidVeiligThuis", ["Vervolgmelding tijdens betrokkenheid VT"])[0]
    row = b.data[b.data["EerdereBetrokkenheidVeiligThuis"] == key].iloc[0]
    assert row["OntvangenMeldingen_1"] == 36355 and row["OntvangenMeldingenRelatief_2"] == 28.5


# ---- qualitative statements of the two worked examples ------------------------------
def _ranks(indicator, period="2021HJ01", **kw):
    df = q.indicator_values(indicator, "vt", period, **kw)
    return df.set_index("region")["value"].rank(ascending=False, method="min")


def test_zw_among_highest_acuut_structureel():
    assert _ranks("meldingen_acuut_structureel_pct")["Zaanstreek-Waterland"] <= 5


@pytest.mark.parametrize("region", ["Zaanstreek-Waterland", "Drenthe"])
def test_rise_until_2020hj02_then_fall(region):
    s = q.get_indicator("meldingen_acuut_structureel_pct", region).set_index("period")["value"]
    upto = s.loc["2019HJ01":"2020HJ02"]
    assert upto.is_monotonic_increasing
    assert s.idxmax() == "2020HJ02"
    assert s["2021HJ01"] < s["2020HJ02"] and s["2021HJ02"] < s["2021HJ01"]


def test_drenthe_few_adviezen_and_meldingen_per_10k():
    assert _ranks("meldingen_per_10k")["Drenthe"] >= 24
    assert _ranks("adviezen_per_10k")["Drenthe"] >= 24


def test_drenthe_acuut_meldingen_mostly_from_politie():
    df = q.get_indicator("melders_acuut_type_pct", "Drenthe", "2021HJ01").set_index("category")["value"]
    assert df.idxmax() == "Politie" and df["Politie"] > 50
    df = q.get_indicator("melders_structureel_type_pct", "Drenthe", "2021HJ01").set_index("category")["value"]
    assert df.idxmax() == "Politie"


def test_drenthe_hands_over_outside_vt_most():
    df = q.get_indicator("vervolgstap_pct", "Drenthe", "2021HJ01").set_index("category")["value"]
    assert df.idxmax() == "overdracht aan lokaal veld of ketenpartner"


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


def test_generator_is_deterministic(tmp_path):
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, str(root / "scripts" / "generate_oefendata.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    fresh = json.loads((tmp_path / "manifest.json").read_text())["checksums"]
    shipped = json.loads((bundled_snapshot_dir() / "manifest.json").read_text())["checksums"]
    assert fresh == shipped
