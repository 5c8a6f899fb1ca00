"""Exercises without Python: a printable HTML sheet per region that works with the served verkenner."""

import dataclasses
import re

import pytest

from impactlib import exercises, explorer
from impactlib.catalogue import get_indicator_spec
from impactlib.periods import parse_period
from impactlib.cli import main
from impactlib.periods import parse_period
from impactlib.regions import resolve
from impactlib.run.sheets import sheet_html, sheet_path

HEFTIG = "heftig-structureel-geweld"


@pytest.fixture(scope="module")
def sheets(tmp_path_factory):
    out = tmp_path_factory.mktemp("werkbladen")
    code = main(["exercise", "--regions", "Zaanstreek-Waterland,Drenthe", "--question", HEFTIG, "--period", "2021HJ01",
                 "--format", "html", "--verkenner-url", "http://192.168.1.20:8866/", "--out", str(out)])
    assert code == 0
    return out


def _sheet(out, region, answers=False):
    return sheet_path(out, resolve(region).region, HEFTIG, answers)


def test_one_sheet_per_region_and_no_notebook(sheets):
    for region in ("Zaanstreek-Waterland", "Drenthe"):
        path = _sheet(sheets, region)
        assert path.is_file() and path.name == f"{HEFTIG}-werkblad.html"
        assert not list(path.parent.glob("*.ipynb"))  # no Python needed: no notebook made
        text = path.read_text(encoding="utf-8")
        assert region in text and "OEFENDATA" in text and "Bron: CBS" in text
        assert text.count("class='antwoord'") == len(exercises.exercises(HEFTIG)) and "Modelantwoord" not in text
        assert "http://192.168.1.20:8866/" in text and "In de verkenner" in text
        assert "<img src='data:image/png;base64," in text  # the figures are on the sheet itself


def test_sheet_shows_the_published_figures(sheets):
    text = _sheet(sheets, "Zaanstreek-Waterland").read_text(encoding="utf-8")
    assert "55,6 %" in text and "42,8 %" in text


def test_answer_sheet_has_model_answers(tmp_path):
    assert main(["exercise", "--regions", "Twente", "--question", HEFTIG, "--format", "html", "--answers",
                 "--out", str(tmp_path)]) == 0
    text = _sheet(tmp_path, "Twente", answers=True).read_text(encoding="utf-8")
    assert text.count("Modelantwoord") == len(exercises.exercises(HEFTIG)) and "class='antwoord'" not in text
    assert "het adres dat de trainer geeft" in text  # no --verkenner-url: a line to fill in


@pytest.mark.parametrize("question", exercises.QUESTIONS)
def test_verkenner_choices_exist_in_the_verkenner(question):
    """What the sheet says to choose is there in the dropdowns, and the verkenner shows it."""
    names = {name for name, _ in explorer.indicator_options()}
    region = resolve("Drenthe").region
    numbers = [e.number for e in exercises.exercises(question)]
    for number in numbers:
        for indicator, comparison, category in exercises.VERKENNER_CHOICES[(question, number)]:
            spec = get_indicator_spec(indicator, require_open=True)
            assert spec.name in names and comparison in explorer.COMPARISONS
            if category:
                assert category in explorer.category_options(indicator)
            result = explorer.explore(region.name, indicator, "2021HJ01", comparison, category)
            assert region.name in result.title
        steps = exercises.verkenner_steps(question, number, region, parse_period("2021HJ01"))
        assert steps and all(explorer.COMPARISONS[c] in s for s, (_, c, _) in
                             zip(steps, exercises.VERKENNER_CHOICES[(question, number)]))


def test_every_text_on_the_sheet_is_escaped():
    ex = exercises.prepare("Twente", HEFTIG, "2021HJ01")
    evil = "<script>alert('x')</script>"
    ex.question = ex.question.model_copy(update={"title": f"Vraag {evil}"})
    ex.region = dataclasses.replace(ex.region, name=f"Twente {evil}")
    text = sheet_html(ex, verkenner_url=f"http://x/'><script>alert(1)</script>")
    assert "<script" not in text
    assert "&lt;script&gt;" in text
    assert re.search(r"href='http://x/&#x27;&gt;&lt;script&gt;", text)


def test_cli_sheet_errors(capsys, tmp_path):
    assert main(["exercise", "--regions", "Twente", "--question", HEFTIG, "--format", "html",
                 "--verkenner-url", "192.168.1.20:8866", "--out", str(tmp_path)]) == 2
    assert "geen webadres" in capsys.readouterr().err
    assert main(["exercise", "--regions", "Twente", "--question", HEFTIG,
                 "--verkenner-url", "http://192.168.1.20:8866/", "--out", str(tmp_path)]) == 2
    assert "--format html" in capsys.readouterr().err
