import re
from pathlib import Path

import pytest

from impactlib.catalogue import catalogue, get_indicator_spec, open_data_indicators, sources, table_specs, themes
from impactlib.errors import NotAvailableError, UnknownCategoryError, UnknownIndicatorError
from impactlib.sources.snapshot import SnapshotSource

SHARED = Path(__file__).resolve().parents[2] / "shared" / "reference" / "impactmonitor_indicators.md"


def test_catalogue_size_and_themes():
    cat = catalogue()
    assert len(cat) >= 55
    assert set(s.theme for s in cat.values()) == set(themes())
    assert set(s.source for s in cat.values()) == set(sources()) == set(range(1, 12))


def test_every_open_indicator_computes_from_snapshot_tables():
    snap = SnapshotSource()
    for spec in open_data_indicators():
        assert spec.unit and spec.numerator and spec.sentence, spec.id
        for table in spec.tables:
            assert table in table_specs(), (spec.id, table)
            bundle = snap.table(table)
            assert bundle.data.shape[0] > 0
        bundle = snap.table(spec.numerator.table)
        for measure in spec.numerator.measures:  # one title path or a list of them (summed)
            bundle.measure_key(measure)
        for dim, titles in spec.numerator.filter.items():
            bundle.category_keys(dim, titles)
        for titles in (spec.categories or {}).values():
            if spec.dimension == "measure":  # a split over nested measures (85361NED has no topic dimension)
                for title in titles:
                    bundle.measure_key(title)
            else:
                bundle.category_keys(spec.dimension, titles)


def test_not_in_open_data_say_where():
    closed = [s for s in catalogue().values() if not s.is_open]
    assert len(closed) >= 30
    for s in closed:
        assert s.where and s.numerator is None
    with pytest.raises(NotAvailableError, match="niet in de open data"):
        get_indicator_spec("outcome_trauma_kind", require_open=True)


def test_outcome_is_partly_regional():
    assert {s.regional for s in catalogue().values() if s.theme == "outcome"} == {"deels"}


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/reference is not beside this checkout")
def test_every_transcribed_indicator_is_in_the_catalogue():
    text = SHARED.read_text(encoding="utf-8")
    lines = [m.group(1).strip() for m in re.finditer(r"^- (.+?)(?: \(\d+(?:;.*)?\))?$", text, flags=re.M)]
    names = " | ".join(s.name.lower() for s in catalogue().values())
    missing = []
    for line in lines:
        words = [w for w in re.findall(r"[a-zà-ÿ]{6,}", line.lower())][:3]
        if words and not all(w in names for w in words):
            missing.append(line)
    assert not missing, missing


def test_unknown_indicator_and_category():
    with pytest.raises(UnknownIndicatorError, match="Bedoelde u 'meldingen_per_10k'"):
        get_indicator_spec("meldingen_per_10")
    spec = get_indicator_spec("duur_geweld_meldingen_pct")
    assert spec.resolve_category("Duur geweld: langer dan 5 jaar") == "langer dan 5 jaar"
    assert spec.resolve_category("LANGER DAN 5 JAAR") == "langer dan 5 jaar"
    with pytest.raises(UnknownCategoryError, match="Kies uit"):
        spec.resolve_category("een eeuwigheid")
    with pytest.raises(UnknownCategoryError, match="geen categorieën"):
        get_indicator_spec("meldingen_per_10k").resolve_category("x")


def test_bundled_and_example_yaml_read_the_same_with_the_faster_parser():
    from pathlib import Path

    import yaml

    from impactlib import yamlfiles

    root = Path(__file__).resolve().parents[1]
    files = [*(root / "impactlib" / "data").rglob("*.yaml"), *(root / "parameters").rglob("*.yaml")]
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert yamlfiles.safe_load(text) == yaml.safe_load(text), path
    if yaml.__with_libyaml__:
        assert yamlfiles.SafeLoader is yaml.CSafeLoader
    with pytest.raises(yaml.YAMLError) as bad:
        yamlfiles.safe_load("region: [Drenthe\nquestion: x")
    assert bad.value.problem_mark is not None  # the line the parameter error names
