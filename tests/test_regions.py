import pytest
from hypothesis import given, settings as hsettings, strategies as st

from impactlib import regions as R
from impactlib.errors import ImpactError, UnknownRegionError, UserInputError


def test_levels_and_counts():
    assert len(R.regions_at("vt")) == 26
    assert len(R.regions_at("provincie")) == 12
    assert len(R.regions_at("landsdeel")) == 4
    assert [r.name for r in R.regions_at("land")] == ["Nederland"]
    gm = R.regions_at("gemeente")
    assert {g.vt_regio for g in gm} == {"VT03", "VT11"}
    assert sum(g.vt_regio == "VT11" for g in gm) == 7 and sum(g.vt_regio == "VT03" for g in gm) == 12


def test_every_vt_has_provincie_and_landsdeel():
    for r in R.regions_at("vt"):
        assert R.get(r.provincie).level == "provincie"
        assert R.get(r.landsdeel).level == "landsdeel"
        assert R.get(r.provincie).landsdeel == r.landsdeel


@pytest.mark.parametrize(
    "text,key",
    [
        ("zaanstreek waterland", "VT11"),
        ("ZAANSTREEK-WATERLAND", "VT11"),
        ("Zaanstreek-Waterland (VT)", "VT11"),
        ("Rotterdam Rijnmond", "VT17"),
        ("Rotterdam-Rijnmond", "VT17"),
        ("Fryslân", "VT02"),
        ("Friesland", "VT02"),
        ("  gooi en vechtstreek ", "VT14"),
        ("VT11", "VT11"),
        ("nederland", "NL01"),
        ("Emmen", "GM0114"),
    ],
)
def test_tolerant_names(text, key):
    assert R.resolve(text).region.key == key


def test_shared_names_prefer_vt_and_say_so():
    res = R.resolve("Drenthe")
    assert res.region.key == "VT03"
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
