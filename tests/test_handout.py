"""The handout for steps 7–10: four phases filled with the region's figures, prints well, CLI."""

import nbformat
import pytest

from impactlib import handout
from impactlib.cli import main
from impactlib.compare import build_comparison
from impactlib.errors import UserInputError
from impactlib.formatting import format_value
from impactlib.params import PROJECT_ROOT

CASES = [
    ("Zaanstreek-Waterland", "heftig-structureel-geweld", "2021HJ01"),
    ("Drenthe", "eerder-beter-in-beeld", "2021HJ01"),
    ("Flevoland", "heftig-structureel-geweld", "2022HJ02"),
]


@pytest.fixture(scope="module", params=CASES, ids=[c[0] for c in CASES])
def case(request):
    region, question, period = request.param
    h = handout.build_handout(region, question, period)
    return h, handout.render_handout(h)


@pytest.fixture(scope="module")
def zaanstreek():
    return handout.build_handout("Zaanstreek-Waterland", "heftig-structureel-geweld", "2021HJ01", chart=False)


@pytest.fixture(scope="module")
def twente():
    return handout.build_handout("Twente", "eerder-beter-in-beeld", "2021HJ01", chart=False)


def _headline_value(h) -> str:
    comp = build_comparison(h.question.headline, h.region, h.period)
    return format_value(comp.row["value"], comp.unit)


def test_four_phases_use_the_regions_own_figures(case):
    h, page = case
    value = _headline_value(h)
    assert list(h.phases) == ["Herkennen", "Begrijpen", "Waarderen", "Verbeteren"]
    for phase, questions in h.phases.items():
        assert questions, phase
        assert any(value in q for q in questions), f"{phase} noemt {value} niet"
        assert f"Fase {list(h.phases).index(phase) + 1}: {phase}" in page
    assert value in page and h.region.name in page


def test_zaanstreek_figures_as_published(zaanstreek):
    h = zaanstreek
    head = h.figures[0]
    assert (head.value, head.national, head.verdict, head.rank) == ("55,6 %", "42,8 %", "duidelijk hoger", "2e van 26")
    assert "55,6 %" in h.phases["Herkennen"][0] and "42,8 %" in h.phases["Herkennen"][0]
    assert h.chart_png is None


def test_page_has_partners_actions_closing_and_evaluation(case):
    h, page = case
    for partner in ("Veilig Thuis", "Politie", "Wijkteams", "Onderwijs", "Vrouwenopvang", "Jeugdbescherming",
                    "GI&#39;s", "Raad voor de Kinderbescherming", "Ervaringsdeskundigen", "Unusual suspects"):
        assert partner in page, partner
    assert page.count('type="checkbox"') >= len(handout.PARTNERS)
    for column in ("Wat (actie)", "Wie", "Wanneer", "Kosten", "Besluit nodig?"):
        assert f'<th scope="col">{column}</th>' in page
    for question in ("Waar stonden we?", "Waar staan we?", "Wat gaan we doen?", "Wanneer spreken we elkaar weer?"):
        assert question in page
    for question in handout.EVALUATION_QUESTIONS:
        assert question in page
    assert "Doel en gewenste opbrengst" in page and h.question.title in page


def test_page_names_sources_caveats_and_oefendata(case):
    h, page = case
    assert "Bron: CBS" in page and "CC BY 4.0" in page
    assert 'class="oefendata-banner"' in page and "OEFENDATA" in page
    assert "momentopname" in page
    assert "Kanttekeningen" in page


def test_missing_indicators_are_named_with_where_to_find_them(zaanstreek):
    h = zaanstreek
    assert [name for name, _ in h.missing] == ["Recidive van de pleger: algemeen, geweld en huiselijk geweld"]
    assert "WODC" in handout.render_handout(h)


def test_print_stylesheet(twente):
    page = handout.render_handout(twente)
    assert "@media print" in page and "@page" in page and "break-inside: avoid" in page
    assert 'class="knop niet-printen"' in page  # the print button itself is not printed
    assert page.startswith("<!DOCTYPE html>") and '<html lang="nl">' in page


def test_sections_render_alone(twente):
    h = twente
    for name in handout.SECTIONS:
        assert handout.render_section(h, name).startswith('<div class="gesprek">')
    assert "Fase 4: Verbeteren" in handout.render_section(h, "gesprek")
    with pytest.raises(ValueError):
        handout.render_section(h, "onbekend")


def test_write_handout_default_file_folder_and_bad_name(twente, tmp_path, monkeypatch):
    h = twente
    monkeypatch.chdir(tmp_path)
    default = handout.write_handout(h)
    assert default == tmp_path / "outputs" / "twente" / "gesprek-eerder-beter-in-beeld.html"
    into = handout.write_handout(h, tmp_path)
    assert into == tmp_path / "twente" / "gesprek-eerder-beter-in-beeld.html"
    named = handout.write_handout(h, tmp_path / "mijn-gesprek.html")
    assert named.read_text(encoding="utf-8") == default.read_text(encoding="utf-8")
    with pytest.raises(UserInputError, match=r"\.html"):
        handout.write_handout(h, tmp_path / "gesprek.pdf")
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(".")]  # no temp files left


def test_cli_writes_the_handout(tmp_path, capsys):
    target = tmp_path / "gesprek.html"
    code = main(["handout", "--region", "Zaanstreek-Waterland", "--question", "heftig-structureel-geweld",
                 "--period", "2021HJ01", "--out", str(target)])
    assert code == 0 and target.is_file()
    assert str(target) in capsys.readouterr().out
    assert "55,6 %" in target.read_text(encoding="utf-8")


def test_cli_errors_are_one_dutch_line(tmp_path, capsys):
    assert main(["handout", "--region", "Twente", "--question", "bestaat-niet"]) == 2
    err = capsys.readouterr().err
    assert "bestaat niet" in err and "heftig-structureel-geweld" in err and len(err.strip().splitlines()) == 1
    assert main(["handout", "--region", "Twente", "--question", "duur-geweld", "--out", str(tmp_path / "x.txt")]) == 2
    assert main(["handout", "--region", "Nergensland", "--question", "duur-geweld"]) == 2


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    import papermill as pm

    folder = tmp_path_factory.mktemp("gesprek")
    pm.execute_notebook(
        str(PROJECT_ROOT / "notebooks" / "stappen_7-10_gesprek.ipynb"), str(folder / "out.ipynb"),
        parameters={"region": "Twente", "question": "eerder-beter-in-beeld", "period": "2021HJ01",
                    "out": str(folder / "gesprek.html")},
        kernel_name="python3", progress_bar=False, log_output=False,
    )
    return nbformat.read(folder / "out.ipynb", as_version=4), folder / "gesprek.html"


def test_notebook_executes_and_writes_the_handout(executed):
    nb, page = executed
    html = " ".join(str(o.get("data", {}).get("text/html", "")) for c in nb.cells for o in c.get("outputs", []))
    for phase in handout.PHASES:
        assert phase in html
    assert "Twente" in html and page.is_file()
    assert "Fase 1: Herkennen" in page.read_text(encoding="utf-8")
