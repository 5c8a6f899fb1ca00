"""The verkenner: the pure explore() function, the widgets, the notebook and the serve command."""

import re
import socket

import nbformat
import pytest
from matplotlib.figure import Figure

from impactlib import explorer
from impactlib.cli import main
from impactlib.cli import verkenner as cli_verkenner
from impactlib.compare.narrative import category_text
from impactlib.errors import NotAvailableError, ParameterError, UnknownIndicatorError
from impactlib.params import PROJECT_ROOT
from widget_tree import control

NOTEBOOK = PROJECT_ROOT / "notebooks" / "verkenner.ipynb"
ACUUT = "meldingen_acuut_structureel_pct"


def test_explore_unpacks_as_figure_sentence_verdict():
    fig, sentence, verdict = explorer.explore("Zaanstreek-Waterland", ACUUT, "2021HJ01", "nederland")
    assert isinstance(fig, Figure)
    assert "55,6 %" in sentence and "Zaanstreek-Waterland" in sentence
    assert verdict == "duidelijk hoger dan landelijk"
    assert any("CBS" in t.get_text() for t in fig.texts)  # the source line under the chart


def test_explore_differs_between_regions():
    a = explorer.explore("Zaanstreek-Waterland", ACUUT, "2021HJ01")
    b = explorer.explore("Twente", ACUUT, "2021HJ01")
    assert a.sentence != b.sentence
    assert "Twente" in b.sentence and "Zaanstreek-Waterland" not in b.sentence
    assert a.png() != b.png()


def test_explore_comparisons_say_what_they_compare():
    peers = explorer.explore("Zaanstreek-Waterland", ACUUT, "2021HJ01", "vergelijkbaar")
    assert "lijken" in peers.sentence and peers.verdict.endswith("de vergelijkingsregio's samen")
    everyone = explorer.explore("Zaanstreek-Waterland", ACUUT, "2021HJ01", "Alle Veilig Thuis-regio's")
    assert re.match(r"[12]e van 26", everyone.verdict)  # among the highest, as the seed says
    assert re.search(r"[12]e plaats van 26", everyone.sentence)


def test_explore_national_count_and_distribution():
    nl = explorer.explore("Nederland", "meldingen_per_10k", "2021HJ01", "nederland")
    assert nl.verdict == "landelijk cijfer" and "Nederland" in nl.sentence
    count = explorer.explore("Drenthe", "meldingen_aantal", "2021HJ01", "nederland")
    assert count.verdict == "niet te vergelijken (aantal)" and "per 10.000 inwoners" in count.sentence
    largest = explorer.default_category("melders_type_pct", "VT02", "2021HJ01")
    dist = explorer.explore("Drenthe", "melders_type_pct", "2021HJ01")
    assert category_text(largest) in dist.sentence  # as running text: "van de politie" (issue 15)
    chosen = explorer.explore("Drenthe", "melders_type_pct", "2021HJ01", category="Onderwijs")
    assert "van het onderwijs" in chosen.sentence and chosen.sentence != dist.sentence


def test_explore_rejects_bad_choices():
    with pytest.raises(ParameterError, match="nederland, vergelijkbaar, alle"):
        explorer.explore("Twente", ACUUT, None, "buurland")
    with pytest.raises(UnknownIndicatorError):
        explorer.explore("Twente", "bestaat_niet")
    with pytest.raises(NotAvailableError):
        explorer.explore("Twente", "recidive_pleger")


def test_exploration_knows_its_source():
    result = explorer.explore("Twente", ACUUT, "2021HJ01")
    assert result.synthetic  # the bundled snapshot is oefendata
    assert result.source_line.startswith("Bron: CBS") and "OEFENDATA" in result.source_line


def test_options_cover_the_vt_regions_and_nederland():
    options = explorer.region_options()
    assert options[0] == ("Nederland", "NL01") and len(options) == 26  # the 25 of the newest layout
    assert ("Twente", "VT19") in options
    ids = [i for _, i in explorer.indicator_options()]
    assert ACUUT in ids and "recidive_pleger" not in ids
    periods = explorer.period_options(ACUUT)
    assert periods[0][1] > periods[-1][1]  # newest first


def test_widgets_update_on_change():
    ui = explorer.build_ui("Zaanstreek-Waterland", ACUUT, "2021HJ01")
    sentence, image = control(ui, "zin"), control(ui, "grafiek")
    before, chart = sentence.value, image.value
    assert "55,6 %" in before
    control(ui, "regio").value = "VT19"
    assert "Twente" in sentence.value and sentence.value != before
    assert image.value != chart
    categories = control(ui, "categorie")
    assert categories.layout.display == "none"
    control(ui, "indicator").value = "melders_type_pct"
    assert categories.layout.display is None and "Politie" in categories.options
    assert category_text(categories.value) in sentence.value
    control(ui, "vergelijking").value = "alle"
    assert "van 26" in control(ui, "oordeel").value


def test_interactive_frontend_detection(monkeypatch):
    for name in (explorer.LIVE_ENV, "VOILA_KERNEL_ID", "JPY_SESSION_NAME"):
        monkeypatch.delenv(name, raising=False)
    assert not explorer.interactive_frontend()
    monkeypatch.setenv("VOILA_KERNEL_ID", "abc")
    assert explorer.interactive_frontend()


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    import papermill as pm

    target = tmp_path_factory.mktemp("verkenner") / "verkenner.ipynb"
    pm.execute_notebook(str(NOTEBOOK), str(target), parameters={"region": "Twente", "period": "2021HJ01"},
                        kernel_name="python3", progress_bar=False, log_output=False)
    return nbformat.read(target, as_version=4)


def test_notebook_executes_and_shows_a_static_view(executed):
    outputs = [o for c in executed.cells for o in c.get("outputs", [])]
    kinds = {k for o in outputs for k in o.get("data", {})}
    assert {"application/vnd.jupyter.widget-view+json", "image/png"} <= kinds
    text = " ".join(str(o.get("data", {}).get("text/markdown", "")) for o in outputs)
    assert "Twente" in text and "Oordeel" in text and "Bron: CBS" in text
    assert not [o for o in outputs if o.get("output_type") == "error"]


def test_notebook_has_a_parameters_cell():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "region =" in tagged[0].source
    assert nb.metadata["kernelspec"]["language"] == "python"  # Voilà sets VOILA_KERNEL_ID only then


def test_serve_command_listens_on_localhost_only():
    command = cli_verkenner.voila_command(8900, open_browser=False)
    assert "--Voila.ip=127.0.0.1" in command and "--Voila.port=8900" in command
    assert "--Voila.port_retries=0" in command and "--Voila.open_browser=False" in command


def test_serve_command_refuses_a_busy_port(capsys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert main(["verkenner", "--port", str(port), "--no-browser"]) == 2
    assert "al in gebruik" in capsys.readouterr().err
    assert main(["verkenner", "--port", "80", "--no-browser"]) == 2


def test_warm_up_makes_the_first_change_as_cheap_as_the_next(monkeypatch):
    """After warm_up the whole Veilig Thuis level is known: a new region is rows of it."""
    from impactlib import query

    query.clear_cache()
    explorer.exploration._cached.cache_clear()
    explorer.explore("Zaanstreek-Waterland")
    explorer.warm_up("Zaanstreek-Waterland")
    computed = []
    real = query._indicator_frame
    monkeypatch.setattr(query, "_indicator_frame", lambda *a, **k: computed.append(a[2]) or real(*a, **k))
    result = explorer.explore("Twente")
    assert "Twente" in result.sentence
    assert computed == []  # no region computed on its own: the rows came from the whole level
    query.clear_cache()
    explorer.exploration._cached.cache_clear()
    explorer.explore("Zaanstreek-Waterland")
    computed.clear()
    explorer.explore("Twente")  # without warm_up it is this change that computes the whole level
    assert any(len(regs) > 20 for regs in computed)
