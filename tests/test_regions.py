import pytest
from hypothesis import given, settings as hsettings, strategies as st

from impactlib import regions as R
from impactlib.errors import ImpactError, UnknownRegionError, UserInputError


def test_levels_and_counts_per_year():
    # facts: 26 VT-regio's up to 2022, 25 from 2023; 355 / 352 / 345 / 342 gemeenten
    assert [len(R.regions_at("vt", y)) for y in (2019, 2021, 2022, 2023, 2024, 2025)] == [26, 26, 26, 25, 25, 25]
    assert [len(R.regions_at("gemeente", y)) for y in (2019, 2020, 2021, 2022, 2023, 2024)] == [355, 355, 352, 345, 342, 342]
    assert len(R.regions_at("provincie")) == 12 and len(R.regions_at("landsdeel")) == 4
    assert [r.name for r in R.regions_at("land")] == ["Nederland"]
    assert len(R.regions_at("vt", ["2021HJ01", "2024HJ01"])) == 27  # a series across 2023: every code


def test_vt_codes_are_cbs_alphabetical_codes():
    names = {r.key: r.name for r in R.regions_at("vt", 2021)}
    assert names["VT22"] == "Zaanstreek-Waterland" and names["VT02"] == "Drenthe" and names["VT11"] == "IJsselland"
    assert names["VT21"] == "West-brabant" and names["VT15"] == "Noord-Brabant Midden"
    assert R.get("VT15", 2024).name == "Midden-Brabant" and R.get("VT27").name == "Oost-Brabant"


def test_membership_follows_the_year():
    zw = lambda y: sorted(g.name for g in R.members("VT22", y))  # noqa: E731
    assert len(zw(2021)) == 8 and "Beemster" in zw(2021) and len(zw(2022)) == 7 and "Beemster" not in zw(2022)
    assert {g.name for g in R.members("VT02", 2023)} == {g.name for g in R.members("PV22", 2023)}
    assert R.get("GM0457", 2021).vt_regio == "VT20" and R.get("GM0457", 2022).vt_regio == "VT01"  # Weesp
    assert R.get("GM1723", 2022).vt_regio == "VT21" and R.get("GM1723", 2023).vt_regio == "VT15"  # Alphen-Chaam
    assert len(R.members("VT27", 2023)) == 31


def test_a_region_that_ended_names_what_took_its_place():
    with pytest.raises(UnknownRegionError) as exc:
        R.resolve("Brabant Noordoost", period="2024HJ01")
    assert "Oost-Brabant (VT27)" in str(exc.value) and exc.value.exit_code == 2
    with pytest.raises(UnknownRegionError, match="bestaat pas vanaf 2023"):
        R.resolve("Oost-Brabant", period="2021HJ01")
    with pytest.raises(UnknownRegionError, match="Purmerend"):
        R.get("GM0370", 2023)
    assert R.resolve("Brabant Noordoost").region.key == "VT16"  # without a period: the region as it last was


def test_aliases_users_type():
    assert R.resolve("Den Haag").region.key == "GM0518"
    assert R.resolve("Den Bosch").region.key == "GM0796"
    assert R.resolve("Hollands Midden").region.key == "VT10"
    assert R.resolve("Limburg-Noord").region.key == "VT13"
    assert R.resolve("Hart van Brabant").region.key == "VT15"
    assert R.resolve("Noord-Brabant Midden", period="2021HJ01").region.key == "VT15"
    assert R.resolve("Fryslân", level="provincie").region.key == "PV21"
    assert R.resolve("Hengelo").region.key == "GM0164"  # CBS: 'Hengelo (O.)' from 2022
    assert R.resolve("Groningen (gemeente)").region.key == "GM0014"


def test_cbs_titles_are_checked_against_the_code():
    assert R.title_matches("VT22", "Zaanstreek-Waterland (VT)")
    assert not R.title_matches("VT22", "IJsselland (VT)")
    assert not R.title_matches("VT02", "Drenthe (PV)")  # right name, wrong level
    assert R.title_matches("GM0164", "Hengelo (O.)") and R.title_matches("GM0164", "Hengelo")
    assert R.title_matches("GM0014", "Groningen (gemeente)")
    assert R.title_matches("VT15", "Midden-Brabant (VT)") and R.title_matches("VT15", "Noord-Brabant Midden (VT)")


def test_area_changes_are_known():
    assert [y for y, _ in R.boundary_changes("VT15")] == [2023]
    assert [y for y, _ in R.boundary_changes("VT01")] == [2022]
    assert R.boundary_changes("VT22") == []  # Beemster merged inside the region: same area


def test_every_vt_has_provincie_and_landsdeel():
    for r in R.regions_at("vt"):
        assert R.get(r.provincie).level == "provincie"
        assert R.get(r.landsdeel).level == "landsdeel"
        assert R.get(r.provincie).landsdeel == r.landsdeel


@pytest.mark.parametrize(
    "text,key",
    [
        ("zaanstreek waterland", "VT22"),
        ("ZAANSTREEK-WATERLAND", "VT22"),
        ("Zaanstreek-Waterland (VT)", "VT22"),
        ("Rotterdam Rijnmond", "VT18"),
        ("Rotterdam-Rijnmond", "VT18"),
        ("Fryslân", "VT04"),
        ("Friesland", "VT04"),
        ("  gooi en vechtstreek ", "VT07"),
        ("VT22", "VT22"),
        ("nederland", "NL01"),
        ("Emmen", "GM0114"),
    ],
)
def test_tolerant_names(text, key):
    assert R.resolve(text).region.key == key


def test_shared_names_prefer_vt_and_say_so():
    res = R.resolve("Drenthe")
    assert res.region.key == "VT02"
    assert "Veilig Thuis-regio" in res.note and "provincie" in res.note
    assert R.resolve("Drenthe", level="provincie").region.key == "PV22"
    assert R.resolve("Drenthe (PV)").region.key == "PV22"
    assert R.resolve("Fryslân", level="provincie").region.key == "PV21"
    assert R.resolve("Utrecht", "pv").region.level == "provincie"
    assert R.resolve("Groningen").region.level == "vt"


def test_misspelling_suggests():
    with pytest.raises(UnknownRegionError) as exc:
        R.resolve("Zaanstrek Waterland")
    assert "Bedoelde u 'Zaanstreek-Waterland'" in str(exc.value)
    assert exc.value.exit_code == 2


def test_wrong_level_message():
    with pytest.raises(UnknownRegionError, match="bestaat niet als gemeente"):
        R.resolve("Drenthe", level="gemeente")
    with pytest.raises(UserInputError, match="Niveau"):
        R.resolve("Drenthe", level="wijk")
    with pytest.raises(UserInputError) as exc:
        R.parse_level("\x00\nx")
    assert "\x00" not in str(exc.value) and "\n" not in str(exc.value) and "'\\0 x'" in str(exc.value)
    with pytest.raises(UnknownRegionError, match="bestaat niet als gemeente"):
        R.resolve("Drenthe (gm)")


def test_path_like_names_are_just_unknown():
    for bad in ("../../etc", "/", "a\x00b", ""):
        with pytest.raises(UnknownRegionError):
            R.resolve(bad)


def test_slug_is_safe():
    assert R.slug("../../etc/passwd") == "etc-passwd"
    assert R.slug("Fryslân") == "fryslan"
    assert R.slug("\x00") == "onbekend"
    assert R.resolve("Drenthe", "provincie").region.slug == "drenthe-provincie"


@hsettings(max_examples=300, deadline=None)
@given(st.text(max_size=40), st.sampled_from([None, "vt", "provincie", "gemeente", "land"]))
def test_resolve_never_crashes_with_foreign_errors(text, level):
    try:
        res = R.resolve(text, level)
    except ImpactError:
        return
    assert res.region.key
