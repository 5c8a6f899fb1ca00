"""The frame contract (impactlib.frame): every query answer keeps it; the helpers build on it."""

import math

import pytest

from impactlib import frame as F
from impactlib import query
from impactlib.errors import FrameContractError
from impactlib.regions import NATIONAL_KEY


@pytest.fixture(scope="module")
def twente():
    return query.get_indicator("meldingen_acuut_structureel_pct", "Twente", ["2021HJ01", "2021HJ02"], source="snapshot")


def test_query_answers_keep_the_contract(twente):
    assert list(twente.columns) == F.COLUMNS == query.COLUMNS
    assert F.check(twente) is twente
    every = query.indicator_values("aard_geweld_meldingen_pct", "vt", "2021HJ01", source="snapshot")
    F.check(every)


def test_national_counts_travel_with_every_row(twente):
    nl = query.get_indicator("meldingen_acuut_structureel_pct", "Nederland", ["2021HJ01", "2021HJ02"], source="snapshot")
    for own, national in F.NATIONAL_COLUMNS.items():
        assert twente[national].tolist() == nl[own].tolist()
    rows = F.national_rows(twente)
    assert rows["region_key"].eq(NATIONAL_KEY).all() and rows["region"].eq("Nederland").all()
    for col in ("value", "numerator", "denominator", "real"):
        assert rows[col].tolist() == nl[col].tolist()


def test_check_names_what_is_broken(twente):
    with pytest.raises(FrameContractError, match="national_numerator"):
        F.check(twente.drop(columns="national_numerator"))
    with pytest.raises(FrameContractError, match="eenheid"):
        F.check(twente.assign(unit="procent"))
    with pytest.raises(FrameContractError, match="meer dan eens"):
        F.check(twente.iloc[[0, 0]])


def test_long_form_and_without_national(twente):
    long = F.long_form(twente)
    assert long["who"].tolist() == ["Twente", "Twente", "Nederland", "Nederland"]
    assert long["value"].tolist()[2:] == twente["national"].tolist()
    assert long.attrs == twente.attrs
    assert F.long_form(twente, national=False)["who"].tolist() == ["Twente", "Twente"]
    bare = F.without_national(twente)
    assert bare["national"].map(math.isnan).all() and twente["national"].notna().all()  # a copy
    assert bare.attrs == twente.attrs
