"""Exercises on the two webinar questions: notebook structure, model answers, generated versions."""

import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from impactlib import exercises
from impactlib.cli import main
from impactlib.cli.exercise import parse_regions
from impactlib.errors import ParameterError, UnknownRegionError


@pytest.fixture(scope="module")
def zaanstreek():
    return exercises.prepare("Zaanstreek-Waterland", "heftig-structureel-geweld", "2021HJ01")


@pytest.fixture(scope="module")
def twente():
    return exercises.prepare("Twente", "heftig-structureel-geweld", "2021HJ01")


@pytest.fixture(scope="module")
def drenthe():
    return exercises.prepare("Drenthe", "eerder-beter-in-beeld", "2021HJ01")


@pytest.mark.parametrize("question", exercises.QUESTIONS)
def test_notebook_has_a_question_answer_cell_and_model_answer_per_exercise(question):
    nb = nbformat.read(exercises.template(question), as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and "answers = False" in params[0].source and "region =" in params[0].source
    headings = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith("## Vraag")]
    assert [re.match(r"## Vraag (\d+) — (.+)", c.source).groups() for _, c in headings] == [
        (str(e.number), e.title) for e in exercises.exercises(question)
    ]
    for i, _ in headings:
        material, answer, model = nb.cells[i + 1:i + 4]
        assert "exercises.material(oef" in material.source
        assert answer.cell_type == "markdown" and "antwoord" in answer.metadata["tags"]
        assert answer.source.startswith("**Uw antwoord:**")
        assert exercises.ANSWER_TAG in model.metadata["tags"] and "show_answer" in model.source


def test_model_answer_uses_the_regions_figures(zaanstreek, twente):
    own = exercises.model_answer(zaanstreek, 1)
    assert "55,6 %" in own and "duidelijk hoger dan landelijk (42,8 %)" in own and re.search(r"[12]e plaats van 26", own)  # among the highest
    other = exercises.model_answer(twente, 1)
    assert "Twente" in other and "Zaanstreek-Waterland" not in other and other != own


@pytest.mark.parametrize("which", ["zaanstreek", "drenthe"])
def test_every_exercise_has_material_and_an_answer(which, request):
    ex = request.getfixturevalue(which)
    for e in exercises.exercises(ex.question.id):
        assert exercises.material(ex, e.number), e.title
        answer = exercises.model_answer(ex, e.number)
        assert len(answer) > 80 and "nan" not in answer.lower().split(), e.title


def test_drenthe_answers_name_professions_and_the_course(drenthe):
    ex = drenthe
    assert "Kinderopvang" in exercises.model_answer(ex, 3)
    assert "tweede halfjaar van 2020" in exercises.model_answer(ex, 4)  # rose to end 2020, fell after


def test_partner_questions_form_a_list(zaanstreek):
    answer = exercises.model_answer(zaanstreek, 6)
    bullets = [line for line in answer.splitlines() if line.startswith("- ")]
    assert 3 <= len(bullets) <= 6 and answer.startswith("Bijvoorbeeld:")


def test_show_answer_only_when_asked(zaanstreek, monkeypatch):
    shown = []
    monkeypatch.setattr(exercises, "show", shown.extend)
    exercises.show_answer(zaanstreek, 1, False)
    assert shown == []
    exercises.show_answer(zaanstreek, 1, True)
    assert "Modelantwoord bij vraag 1" in shown[0].data and "55,6 %" in shown[0].data


def test_bad_question_number_and_region():
    with pytest.raises(ParameterError, match="kies uit"):
        exercises.prepare("Twente", "duur-geweld")
    ex = exercises.prepare("Twente", "heftig-structureel-geweld", "2021HJ01")
    with pytest.raises(ParameterError, match="1 t/m 6"):
        exercises.model_answer(ex, 9)
    with pytest.raises(UnknownRegionError):
        exercises.generate(["Nergensland"], "heftig-structureel-geweld")


def test_parse_regions():
    assert parse_regions(" Twente, Drenthe ,") == ["Twente", "Drenthe"]
    assert len(parse_regions("alle")) == 25  # the VT-regio's of the newest layout (since 2023)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from concurrent.futures import ThreadPoolExecutor

    out = tmp_path_factory.mktemp("training")
    with ThreadPoolExecutor(2) as pool:  # both notebooks at once, each in its own kernel
        participant = pool.submit(exercises.generate, ["Twente"], "heftig-structureel-geweld", period="2021HJ01", out=out)
        answers = pool.submit(exercises.generate, ["Twente"], "eerder-beter-in-beeld", answers=True,
                              period="2021HJ01", out=out)
        return out, participant.result()[0], answers.result()[0]


def test_participant_version_has_no_model_answers(generated):
    out, result, _ = generated
    assert result.ok, result.error
    assert result.notebook == out / "oefeningen" / "twente" / "heftig-structureel-geweld.ipynb"
    assert result.html == out / "oefeningen" / "twente" / "heftig-structureel-geweld.html"
    nb = nbformat.read(result.notebook, as_version=4)
    assert not [c for c in nb.cells if exercises.ANSWER_TAG in c.metadata.get("tags", [])]
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    page = result.html.read_text(encoding="utf-8")
    assert "Modelantwoord" not in page and "Uw antwoord" in page and "Twente" in page
    assert page.index('class="oefendata-banner"') < page.index("Vraag 1")
    assert "exercises.prepare" not in page  # no code in the report


def test_answer_version_has_model_answers(generated):
    out, _, result = generated
    assert result.ok, result.error
    assert result.html.name == "eerder-beter-in-beeld-antwoorden.html"
    page = result.html.read_text(encoding="utf-8")
    assert page.count("Modelantwoord bij vraag") == 6
    assert "Twente" in page and "Bron: CBS" in page


def test_cli_exercise_errors(tmp_path, capsys):
    assert main(["exercise", "--regions", "Nergensland", "--question", "heftig-structureel-geweld",
                 "--out", str(tmp_path)]) == 2
    assert "onbekend" in capsys.readouterr().err
    assert main(["exercise", "--regions", "Twente", "--question", "heftig-structureel-geweld", "--jobs", "0"]) == 2
    assert not list(tmp_path.iterdir())


def test_a_failing_exercise_notebook_is_kept_like_a_failing_run(tmp_path, monkeypatch):
    """Exercises run through impactlib.run: a cell that raises leaves only <vraag>.mislukt.ipynb,
    and the result carries the kernel's error as papermill reports it (ename, evalue)."""
    folder = tmp_path / "sjablonen"
    folder.mkdir()
    nb = new_notebook(cells=[
        new_code_cell('region = "Nederland"\nlevel = None\nperiod = None\nanswers = False', metadata={"tags": ["parameters"]}),
        new_code_cell('from impactlib.errors import NotAvailableError\nraise NotAvailableError(f"Geen cijfers voor {region}.")'),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "heftig-structureel-geweld.ipynb")
    monkeypatch.setattr(exercises, "TEMPLATE_DIR", folder)
    out = tmp_path / "uit"
    (stale := out / "oefeningen" / "twente" / "heftig-structureel-geweld.html").parent.mkdir(parents=True)
    stale.write_text("oud", encoding="utf-8")
    [result] = exercises.generate(["Twente"], "heftig-structureel-geweld", period="2021HJ01", out=out)
    kept = (out / "oefeningen" / "twente" / "heftig-structureel-geweld.mislukt.ipynb").resolve()
    assert not result.ok and result.error == "Geen cijfers voor Twente." and result.notebook == kept
    assert (result.failure.ename, result.failure.exit_code) == ("NotAvailableError", 2)
    assert [p.name for p in kept.parent.iterdir()] == [kept.name]  # the stale report is gone, no temporary file
    assert any(o.get("ename") == "NotAvailableError" for c in nbformat.read(kept, as_version=4).cells
               for o in c.get("outputs", []))
