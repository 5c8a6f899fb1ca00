"""Parameter files and routewijzer questions: valid ones load, bad ones fail in one Dutch line."""

from pathlib import Path

import pytest
import yaml

from impactlib.catalogue import get_indicator_spec
from impactlib.errors import ParameterError, UserInputError
from impactlib.params import (
    PROJECT_ROOT,
    Question,
    all_questions,
    load_parameters,
    load_question,
    make_parameters,
)

PARAMS = PROJECT_ROOT / "parameters"


def write(tmp_path: Path, name: str, data) -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def assert_one_line(exc: ParameterError, *words: str) -> None:
    text = str(exc)
    assert "\n" not in text
    for word in words:
        assert word in text, f"{word!r} not in {text!r}"


# ------------------------------------------------------------------------------ routewijzer
def test_routewijzer_has_ten_questions_including_both_examples():
    questions = all_questions()
    assert len(questions) >= 10
    assert questions["heftig-structureel-geweld"].title == (
        "Is het ons gelukt om het heftige en structurele geweld terug te dringen?"
    )
    assert questions["eerder-beter-in-beeld"].title == "Hebben we de aard en omvang van HGKM eerder en beter in beeld?"
    for wanted in ("vervolgmeldingen_pct", "eerdere_betrokkenheid_pct"):
        assert wanted in questions["meldingen-komen-terug"].indicators


@pytest.mark.parametrize("qid", sorted(all_questions()))
def test_every_question_is_usable(qid):
    q = load_question(qid)
    assert q.id == qid and q.sub_questions and q.dashboard
    assert any(get_indicator_spec(i).is_open for i in q.indicators)
    head = get_indicator_spec(q.headline)
    assert head.is_open
    if head.kind == "distribution":
        assert q.headline_category in head.categories


def test_example_indicator_sets_follow_the_worked_examples():
    zw = load_question("heftig-structureel-geweld").indicators
    assert {"meldingen_acuut_structureel_pct", "duur_geweld_meldingen_pct", "ots_per_10k",
            "overdracht_om_acuut_structureel_pct", "overdracht_rvdk_pct"} <= set(zw)
    dr = load_question("eerder-beter-in-beeld").indicators
    assert {"adviezen_per_10k", "adviesvragers_type_pct", "meldingen_per_10k", "melders_type_pct",
            "vervolgstap_pct", "melders_acuut_type_pct", "melders_structureel_type_pct"} <= set(dr)


def test_unknown_question_suggests_close_ids():
    with pytest.raises(ParameterError) as err:
        load_question("eerder-beter-in-beld")
    assert_one_line(err.value, "eerder-beter-in-beld", "eerder-beter-in-beeld")


def test_question_file_must_match_its_name_and_catalogue(tmp_path):
    good = yaml.safe_load((PARAMS / "questions" / "adviesvragers.yaml").read_text(encoding="utf-8"))
    folder = tmp_path / "questions"
    folder.mkdir()
    write(folder, "andere-naam.yaml", good)
    with pytest.raises(ParameterError) as err:
        all_questions(near=tmp_path)
    assert_one_line(err.value, "andere-naam.yaml", "'id'", "andere-naam")


@pytest.mark.parametrize(
    "change, words",
    [
        ({"indicators": ["meldingen_per_10kk"]}, ["indicators", "meldingen_per_10k"]),
        ({"headline": "melders_type_pct"}, ["headline_category", "Politie"]),
        ({"sub_questions": []}, ["sub_questions", "leeg"]),
        ({"kleur": "rood"}, ["kleur", "onbekend"]),
    ],
)
def test_bad_question_content_names_the_key(change, words):
    raw = yaml.safe_load((PARAMS / "questions" / "adviesvragers.yaml").read_text(encoding="utf-8"))
    raw.update(change)
    from impactlib.params import _explain  # the message a file with this content gets
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as err:
        Question(**raw)
    assert_one_line(_explain(err.value, "vraag.yaml", Question), "vraag.yaml", *words)


# ------------------------------------------------------------------------------ run parameters
@pytest.mark.parametrize(
    "name, region, question",
    [("zaanstreek-waterland.yaml", "Zaanstreek-Waterland", "heftig-structureel-geweld"),
     ("drenthe.yaml", "Drenthe", "eerder-beter-in-beeld")],
)
def test_example_parameter_files_replicate_the_examples(name, region, question):
    params = load_parameters(PARAMS / name)
    assert (params.region, params.question, params.period) == (region, question, "2021HJ01")
    assert params.title and params.peers == "auto"
    notebook = params.as_notebook()
    assert set(notebook) == {"region", "level", "period", "question", "indicators", "peers", "title", "local_file",
                             "goal", "context", "trained_groups"}
    assert params.goal  # the region's own goal lives in its parameter file


def test_drenthe_carries_its_own_training_context_and_groups():
    params = load_parameters(PARAMS / "drenthe.yaml")
    assert "scholing" in params.context and "Drenthe" in params.context
    assert params.trained_groups == ["Onderwijs", "Kinderopvang", "Huisarts", "Maatschappelijk werk"]


@pytest.mark.parametrize("qid", sorted(all_questions()))
def test_question_files_hold_no_region_of_their_own(qid):
    from impactlib.regions import regions_at

    q = all_questions()[qid]
    text = " ".join([q.title, q.why, q.goal or "", *q.sub_questions, *q.reflection])
    assert q.goal is None, "het doel hoort in het parameterbestand van de regio"
    assert not [r.name for r in regions_at("vt") if r.name in text]
    assert "De regio investeert" not in text


def test_trained_groups_are_checked_and_normalised():
    params = make_parameters({"region": "Twente", "question": "eerder-beter-in-beeld",
                              "trained_groups": "onderwijs, kinderopvang"})
    assert params.trained_groups == ["Onderwijs", "Kinderopvang"]
    with pytest.raises(ParameterError, match="trained_groups"):
        make_parameters({"region": "Twente", "question": "eerder-beter-in-beeld", "trained_groups": ["Bakkers"]})
    with pytest.raises(ParameterError, match="trained_groups"):
        make_parameters({"region": "Twente", "question": "eerder-beter-in-beeld", "trained_groups": ["Huisarts", "huisarts"]})


def test_answers_name_sub_questions_of_the_question():
    from impactlib.params import Question

    base = dict(id="x-vraag", title="Een vraag?", why="Omdat het moet.", sub_questions=["a?", "b?"],
                indicators=["meldingen_per_10k"], headline="meldingen_per_10k", dashboard=["d"])
    assert Question.model_validate({**base, "answers": {"meldingen_per_10k": 2}}).answers == {"meldingen_per_10k": [2]}
    for bad in ({"meldingen_per_10k": [3]}, {"adviezen_per_10k": [1]}):
        with pytest.raises(Exception):
            Question.model_validate({**base, "answers": bad})


def test_values_are_normalised():
    params = make_parameters({"region": "zaanstreek waterland", "question": "heftig-structureel-geweld",
                              "period": "1e halfjaar 2021*", "peers": "Twente, drenthe"})
    assert params.region == "Zaanstreek-Waterland"
    assert params.period == "2021HJ01"
    assert params.peers == ["Twente", "Drenthe"]
    assert make_parameters({"region": "Drenthe", "level": "provincie", "question": "adviesvragers"}).level == "provincie"


@pytest.mark.parametrize(
    "content, words",
    [
        ({"question": "adviesvragers"}, ["'region'", "ontbreekt"]),
        ({"region": "Drenthe"}, ["'question'", "ontbreekt"]),
        ({"region": "Drentje", "question": "adviesvragers"}, ["'region'", "Drentje", "Drenthe"]),
        ({"region": "Drenthe", "question": "adviesvragers", "period": "2021H3"}, ["'period'", "2021HJ01"]),
        ({"region": "Drenthe", "question": "adviesvragen"}, ["'question'", "adviesvragers"]),
        ({"region": "Drenthe", "question": "adviesvragers", "indicators": ["ots"]}, ["'indicators'", "ots"]),
        ({"region": "Drenthe", "question": "adviesvragers", "indicators": []}, ["'indicators'", "leeg"]),
        ({"region": "Drenthe", "question": "adviesvragers", "peers": ["Nergenshuizen"]}, ["'peers'", "Nergenshuizen"]),
        ({"region": "Drenthe", "question": "adviesvragers", "regio": "x"}, ["'regio'", "onbekend", "region"]),
        ({"region": "Drenthe", "question": "adviesvragers", "level": "wijk"}, ["'level'", "gemeente"]),
        ({"region": "Drenthe", "question": "adviesvragers", "local_file": "weg.csv"}, ["'local_file'", "weg.csv"]),
        ({"region": ["Drenthe"], "question": "adviesvragers"}, ["'region'", "tekst"]),
    ],
)
def test_bad_parameter_file_fails_in_one_line_naming_file_and_key(tmp_path, content, words):
    path = write(tmp_path, "mijn-regio.yaml", content)
    with pytest.raises(ParameterError) as err:
        load_parameters(path)
    assert isinstance(err.value, UserInputError) and err.value.exit_code == 2
    assert_one_line(err.value, "mijn-regio.yaml", *words)


@pytest.mark.parametrize(
    "text, words",
    [("region: [Drenthe\n", ["geen geldige YAML", "regel"]), ("- Drenthe\n", ["sleutels"]), ("", ["sleutels"])],
)
def test_unreadable_files(tmp_path, text, words):
    with pytest.raises(ParameterError) as err:
        load_parameters(write(tmp_path, "kapot.yaml", text))
    assert_one_line(err.value, "kapot.yaml", *words)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ParameterError) as err:
        load_parameters(tmp_path / "bestaat-niet.yaml")
    assert_one_line(err.value, "bestaat-niet.yaml", "bestaat niet")
    with pytest.raises(ParameterError):
        load_parameters(tmp_path)


def test_local_file_is_resolved_next_to_the_parameter_file(tmp_path):
    (tmp_path / "lokaal.csv").write_text("indicator,periode,waarde\nwachtlijst,2021HJ01,12\n", encoding="utf-8")
    path = write(tmp_path, "p.yaml", {"region": "Drenthe", "question": "adviesvragers", "local_file": "lokaal.csv"})
    assert load_parameters(path).local_file == str((tmp_path / "lokaal.csv").resolve())
