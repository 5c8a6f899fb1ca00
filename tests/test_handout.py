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
    assert (head.value, head.national, head.verdict) == ("55,6 %", "42,8 %", "duidelijk hoger")
    assert head.rank in ("1e van 26", "2e van 26")  # among the highest of the 26 of 2021, as the seed says
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


# --------------------------------------------------------------------------- issue 15
@pytest.fixture(scope="module")
def from_file():
    from impactlib.params import load_parameters

    params = load_parameters(PROJECT_ROOT / "parameters" / "zaanstreek-waterland.yaml")
    h = handout.handout_from_parameters(params, chart=True)
    return h, handout.render_handout(h)


def test_parameter_file_gives_the_worked_examples_period_and_figures(from_file):
    h, page = from_file
    assert h.period.key == "2021HJ01" and "55,6 %" in page and "eerste halfjaar van 2021" in page
    assert h.goal.startswith("Het heftige en structurele")


def test_cli_takes_the_same_parameter_file_as_run(tmp_path, capsys):
    code = main(["handout", str(PROJECT_ROOT / "parameters" / "zaanstreek-waterland.yaml"), "--out", str(tmp_path)])
    assert code == 0
    page = (tmp_path / "zaanstreek-waterland" / "gesprek-heftig-structureel-geweld.html").read_text(encoding="utf-8")
    assert "55,6 %" in page and "1e halfjaar 2021" in page
    assert main(["handout", str(PROJECT_ROOT / "parameters" / "drenthe.yaml"), "--region", "Twente"]) == 2
    assert main(["handout", "--region", "Twente"]) == 2


def test_a_run_next_to_the_handout_lends_its_parameters(tmp_path):
    import nbformat

    from impactlib.regions import resolve
    from impactlib.run.execute import SUMMARY_TAG

    folder = tmp_path / "zaanstreek-waterland"
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("", metadata={"tags": [SUMMARY_TAG]})
    cell.outputs = [nbformat.v4.new_output("display_data", data={"application/json": {"parameters": {
        "region": "Zaanstreek-Waterland", "question": "heftig-structureel-geweld", "period": "2021HJ01",
        "peers": "auto"}}})]
    nb.cells.append(cell)
    nbformat.write(nb, folder / "heftig-structureel-geweld.ipynb")
    near = handout.run_parameters_near(tmp_path, resolve("Zaanstreek-Waterland").region, "heftig-structureel-geweld")
    assert near["period"] == "2021HJ01"
    assert main(["handout", "--region", "Zaanstreek-Waterland", "--question", "heftig-structureel-geweld",
                 "--out", str(tmp_path)]) == 0
    page = (folder / "gesprek-heftig-structureel-geweld.html").read_text(encoding="utf-8")
    assert "55,6 %" in page and "Dezelfde cijfers als het uitgewerkte voorbeeld" in page
    assert handout.run_parameters_near(tmp_path, resolve("Twente").region, "heftig-structureel-geweld") is None


def test_handout_covers_what_the_seeds_ask(from_file):
    h, page = from_file
    assert "Verwachtingen bij de start" in page and "verwachting" in page.lower()
    assert "Wat we vragen (voorbereiding, tijd, rol)" in page and "Voorbereiding:" in page and "Tijd:" in page
    assert "Rol:" in page
    assert any("wat het cijfer volgens u zou moeten zijn" in q for q in h.phases["Herkennen"])
    others = [f for f in h.figures[1:] if f.value != "onbekend"]
    for phase in ("Herkennen", "Begrijpen", "Verbeteren"):
        assert any(f.value in q for q in h.phases[phase] for f in others), phase


def test_provisional_period_is_marked_once_per_table():
    h = handout.build_handout("Twente", "duur-geweld", chart=False)  # newest half year: provisional
    assert h.period.is_provisional
    page = handout.render_handout(h)
    table = page[page.index('<table class="figuren">'):page.index("</table>", page.index('<table class="figuren">'))]
    assert table.count("voorlopig") == 1
    assert "voorlopig" not in h.phases["Herkennen"][0]  # the value itself carries no mark; the table head does
    assert all("*" not in f.value for f in h.figures)


def test_handout_chart_alt_text_states_the_values(from_file):
    h, page = from_file
    assert h.chart_png and "Zaanstreek-Waterland" in h.chart_alt and "55,6 %" in h.chart_alt
