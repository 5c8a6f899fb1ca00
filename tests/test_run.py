"""Running notebooks: output paths, atomic writes, HTML export, papermill runs, batches, CLI.

The papermill tests use a tiny template (a parameters cell, one line of output, a summary
cell) so they test the runner, not the stappenplan; ``test_notebooks.py`` runs the real one.
"""

import json
import os
import stat

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from impactlib import errors, regions
from impactlib.cli import main
from impactlib.errors import DataFault, NotAvailableError, UserInputError
from impactlib.params import make_parameters
from impactlib.run import batch, execute
from impactlib.run.execute import ExecutionFailed, describe_failure, fill_period, read_summary, run_one
from impactlib.run.export import notebook_to_html
from impactlib.run.paths import atomic_write, output_paths

PARAMETERS = """region = "Nederland"
level = None
period = None
question = "adviesvragers"
indicators = None
peers = "auto"
title = None
local_file = None"""

BODY = """from IPython.display import Markdown, display
if region == "Twente":
    from impactlib.errors import NotAvailableError
    raise NotAvailableError("Geen cijfers voor Twente.")
display(Markdown(f"Regio {region} in {period}"))"""

SUMMARY = """display({"application/json": {"title": f"Test {region}", "banner": "OEFENDATA testbanner",
    "period_title": "1e halfjaar 2021*",
    "source": "Bron: test", "headline": {"label": "Kerncijfer", "text": "12,5 %", "national_text": "10,0 %"}}}, raw=True)"""


def cell(source, *tags):
    c = new_code_cell(source)
    if tags:
        c.metadata["tags"] = list(tags)
    return c


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    nb = new_notebook(cells=[cell(PARAMETERS, "parameters"), cell(BODY), cell(SUMMARY, "impactmonitor-summary")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path_factory.mktemp("template") / "mini.ipynb"
    nbformat.write(nb, path)
    return path


def params(region, period="2021HJ01", question="adviesvragers"):
    return make_parameters({"region": region, "question": question, "period": period})


def leftovers(folder):
    return [p.name for p in folder.rglob("*") if p.name.startswith(".") or ".tmp" in p.name]


# ------------------------------------------------------------------------------ paths
def test_output_paths_are_slugs_inside_out(tmp_path):
    paths = output_paths(tmp_path / "uit", regions.resolve("Noord- en Oost-Gelderland").region, "eerder-beter-in-beeld")
    assert paths.html == (tmp_path / "uit" / "noord-en-oost-gelderland" / "eerder-beter-in-beeld.html").resolve()
    assert paths.notebook.suffix == ".ipynb" and paths.failed.name == "eerder-beter-in-beeld.mislukt.ipynb"
    sneaky = output_paths(tmp_path, regions.resolve("Drenthe").region, "../../etc/passwd")
    assert tmp_path.resolve() in sneaky.html.parents
    gemeente = output_paths(tmp_path, regions.resolve("Assen").region, "x")
    assert gemeente.folder.name == "assen-gemeente"


def test_output_folder_that_is_a_file(tmp_path):
    (tmp_path / "bestand").write_text("x")
    with pytest.raises(UserInputError, match="is een bestand"):
        output_paths(tmp_path / "bestand", regions.resolve("Drenthe").region, "x")


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    target = atomic_write(tmp_path / "a" / "b.html", "<p>één</p>")
    assert target.read_text(encoding="utf-8") == "<p>één</p>"
    atomic_write(target, b"bytes")
    assert target.read_bytes() == b"bytes"
    assert leftovers(tmp_path) == []
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_atomic_write_failure_is_a_data_fault(tmp_path):
    (tmp_path / "bezet").write_text("x")
    with pytest.raises(DataFault, match="--out"):
        atomic_write(tmp_path / "bezet" / "rapport.html", "tekst")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bezet"]


# ------------------------------------------------------------------------------ export
def executed_notebook():
    code = cell("geheime_code = 1")
    code.outputs = [new_output("display_data", data={"text/markdown": "Zichtbare tekst", "text/plain": "x"})]
    chart = cell("grafiek()")
    chart.outputs = [new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"},
                                metadata={"image/png": {"alt": "Grafiek van meldingen"}})]
    summary = cell("samenvatting()", "impactmonitor-summary")
    summary.outputs = [new_output("display_data", data={"application/json": {"banner": "OEFENDATA X"}})]
    return new_notebook(cells=[cell('region = "A"', "parameters"), new_markdown_cell("## Stap 1"), code, chart, summary])


def test_html_is_a_report_without_code_and_with_the_banner_on_top():
    nb = executed_notebook()
    page = notebook_to_html(nb, summary=read_summary(nb))
    body = page[page.index("<body"):]
    assert "Zichtbare tekst" in page and "Stap 1" in page
    assert "geheime_code" not in page and 'region = "A"' not in page
    assert body.index("OEFENDATA X") < body.index("Stap 1")
    assert 'alt="Grafiek van meldingen"' in page
    assert "samenvatting()" not in page and '<html lang="nl">' in page


def test_the_report_loads_nothing_from_another_server_and_keeps_the_lab_style():
    """No <script>, <link> or <img> in the report points outside the file (nbconvert's page
    would load require.js, MathJax and mermaid from cdnjs.cloudflare.com); its style stays."""
    from html.parser import HTMLParser

    class Addresses(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found = []

        def handle_starttag(self, tag, attrs):
            self.found += [(tag, v) for k, v in attrs if k in ("src", "href") and v and not v.startswith(("#", "data:"))]

    for with_code in (False, True):
        page = notebook_to_html(executed_notebook(), with_code=with_code, summary=read_summary(executed_notebook()))
        seen = Addresses()
        seen.feed(page)
        assert seen.found == [], seen.found
        assert "cdnjs" not in page and "mathjax" not in page.lower() and "mermaid.esm" not in page
        assert "--jp-layout-color0" in page and "jp-Notebook" in page  # the lab page's own style


@pytest.mark.parametrize("with_code", [False, True])
def test_the_report_page_is_nbconverts_own_finished_without_beautifulsoup(with_code):
    """Our exporter gives the page nbconvert's HTMLExporter gives (read the same by
    BeautifulSoup: same tree, same alt texts and tab stops), only the alt text of an image
    without one is Dutch; and it adds them itself, without BeautifulSoup."""
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    from impactlib.run import export

    nb = executed_notebook()
    bare = cell("plaatje()")  # an image without an alt text, and HTML that is already reachable
    bare.outputs = [new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}),
                    new_output("display_data", data={"text/html": '<div class="jp-OutputArea-output">al</div>'})]
    nb.cells.insert(3, bare)
    prepared, _ = export._prepared(nb)
    ours_exporter = export._exporter(with_code)
    theirs_exporter = HTMLExporter(config=ours_exporter.config, template_name="lab",
                                   extra_template_paths=[str(export.REPORT_TEMPLATE.parent)],
                                   template_file=export.REPORT_TEMPLATE.name)
    for name in ("exclude_input", "exclude_input_prompt", "exclude_output_prompt"):
        setattr(theirs_exporter, name, getattr(ours_exporter, name))
    with export._export_lock:
        ours, _ = ours_exporter.from_notebook_node(prepared, resources={"metadata": {"name": "T"}})
    theirs, _ = theirs_exporter.from_notebook_node(prepared, resources={"metadata": {"name": "T"}})
    theirs = theirs.replace("No description has been provided for this image", export.NO_ALT)
    assert str(BeautifulSoup(ours, features="html.parser")) == theirs
    soup = BeautifulSoup(ours, features="html.parser")
    assert soup.select("img:not([alt])") == [] and ours.count(f'alt="{export.NO_ALT}"') == 1
    outputs = soup.select(".jp-Notebook div.jp-OutputArea-output")
    assert len(outputs) >= 4 and all(div.get("tabindex") == "0" for div in outputs)
    inputs = soup.select(".jp-Notebook div.jp-Cell-inputWrapper")
    assert inputs and all(div.get("tabindex") == "0" for div in inputs)  # the Markdown cell, and code cells


def test_threads_of_a_batch_share_one_exporter_and_get_the_same_pages():
    from concurrent.futures import ThreadPoolExecutor

    from impactlib.run import export

    nb = executed_notebook()
    alone = notebook_to_html(nb, summary=read_summary(nb))
    with ThreadPoolExecutor(4) as pool:
        pages = list(pool.map(lambda _: notebook_to_html(nb, summary=read_summary(nb)), range(8)))
        seen = set(pool.map(lambda _: id(export._exporter(False)), range(8)))
    assert pages == [alone] * 8
    assert len(seen) == 1  # one exporter for the style, not one per thread


def test_the_exporter_is_warmed_up_in_the_background_and_gives_the_same_page(monkeypatch):
    from impactlib.run import export

    monkeypatch.setattr(export, "_exporters", {})
    nb = executed_notebook()
    cold = notebook_to_html(nb, with_code=True, summary=read_summary(nb))
    monkeypatch.setattr(export, "_exporters", {})
    thread = export.warm_up(with_code=True)
    thread.join(timeout=60)
    assert set(export._exporters) == {True}  # built (and its templates compiled) before any report
    assert notebook_to_html(nb, with_code=True, summary=read_summary(nb)) == cold


def test_html_with_code_keeps_code_and_plain_html_has_no_banner():
    nb = executed_notebook()
    assert "geheime_code" in notebook_to_html(nb, with_code=True)
    assert "oefendata-banner" not in notebook_to_html(nb, summary={})


def test_read_summary():
    assert read_summary(executed_notebook()) == {"banner": "OEFENDATA X"}
    assert read_summary(new_notebook()) == {}


class KernelError(Exception):
    def __init__(self, ename, evalue):
        super().__init__(evalue)
        self.ename, self.evalue = ename, evalue


def test_failure_messages_keep_our_dutch_text_and_exit_code():
    assert describe_failure(KernelError("NotAvailableError", "Geen cijfers.\nmeer")) == ("Geen cijfers.", 2)
    assert describe_failure(KernelError("DataFault", "Snapshot kapot.")) == ("Snapshot kapot.", 1)
    assert describe_failure(KernelError("KeyError", "'x'")) == ("KeyError: 'x'", 1)
    assert describe_failure(RuntimeError("Kernel died")) == ("RuntimeError: Kernel died", 1)


def test_kernel_errors_carry_ename_and_evalue_and_their_exit_code():
    err = errors.KernelError.from_exception(KernelError("NotAvailableError", "Geen cijfers.\nmeer"))
    assert (err.ename, err.evalue, err.exit_code, str(err)) == ("NotAvailableError", "Geen cijfers.\nmeer", 2, "Geen cijfers.")
    assert (errors.exit_code_for("ParameterError"), errors.exit_code_for("DataFault"), errors.exit_code_for("KeyError")) == (2, 1, 1)
    assert errors.KernelError("KeyError", "'x'").line == "KeyError: 'x'"


# ------------------------------------------------------------------------------ papermill
def test_fill_period_uses_the_newest_half_year_and_checks_the_period():
    assert fill_period(params("Drenthe", period=None)).period == "2025HJ01"
    assert fill_period(params("Drenthe")).period == "2021HJ01"
    with pytest.raises(NotAvailableError, match="2019HJ01"):
        fill_period(params("Drenthe", period="2030HJ01"))


def test_run_one_writes_notebook_and_html(template, tmp_path):
    result = run_one(params("Drenthe"), tmp_path, template=template)
    assert result.ok and result.period == "2021HJ01"
    assert result.notebook == tmp_path / "drenthe" / "adviesvragers.ipynb"
    executed = nbformat.read(result.notebook, as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in executed.cells)
    page = result.html.read_text(encoding="utf-8")
    assert "Regio Drenthe in 2021HJ01" in page and "OEFENDATA testbanner" in page
    assert result.summary["headline"]["text"] == "12,5 %"
    assert leftovers(tmp_path) == []


def test_run_one_failure_keeps_the_failed_notebook_and_removes_stale_outputs(template, tmp_path):
    folder = tmp_path / "twente"
    folder.mkdir()
    (folder / "adviesvragers.html").write_text("oud rapport")
    with pytest.raises(ExecutionFailed) as err:
        run_one(params("Twente"), tmp_path, template=template)
    assert err.value.exit_code == 2
    assert (err.value.ename, err.value.evalue, err.value.region) == ("NotAvailableError", "Geen cijfers voor Twente.", "Twente")
    assert "Geen cijfers voor Twente." in str(err.value) and "mislukt.ipynb" in str(err.value)
    assert "\n" not in str(err.value)
    assert (folder / "adviesvragers.mislukt.ipynb").exists()
    assert not (folder / "adviesvragers.html").exists() and not (folder / "adviesvragers.ipynb").exists()
    assert leftovers(tmp_path) == []


def test_run_all_goes_on_after_a_failure_and_lists_it(template, tmp_path):
    chosen = [regions.resolve(n).region for n in ("Drenthe", "Twente", "Zeeland")]
    result = batch.run_all("adviesvragers", period="2021HJ01", out=tmp_path, jobs=2, regions=chosen,
                           progress=False, template=template)
    assert [r.region.name for r in result.succeeded] == ["Drenthe", "Zeeland"]
    assert [r.region.name for r in result.failed] == ["Twente"]
    assert result.failed[0].error == "Geen cijfers voor Twente."
    page = result.index.read_text(encoding="utf-8")
    assert result.index == tmp_path.resolve() / "index.html"
    for text in ("Wie vragen Veilig Thuis om advies?", "drenthe/adviesvragers.html", "zeeland/adviesvragers.html",
                 "12,5 %", "Geen cijfers voor Twente.", "twente/adviesvragers.mislukt.ipynb", "OEFENDATA testbanner",
                 "2 van 3 regio's gelukt", "1e halfjaar 2021*; voorlopige cijfers"):
        assert text in page, text


# ------------------------------------------------------------------------------ command line
@pytest.mark.parametrize(
    "argv, words",
    [
        (["run"], "parameterbestand"),
        (["run", "--all-regions"], "--question"),
        (["run", "--region", "Drenthe"], "--question"),
        (["run", "parameters/drenthe.yaml", "--region", "Drenthe"], "niet allebei"),
        (["run", "--all-regions", "--region", "Drenthe", "--question", "adviesvragers"], "--all-regions"),
        (["run", "--all-regions", "--question", "adviesvragers", "--jobs", "0"], "--jobs"),
        (["run", "--region", "Drenthe", "--question", "bestaat-niet"], "bestaat-niet"),
        (["run", "--region", "Twente", "--question", "adviesvragers", "--period", "2040HJ01"], "2040HJ01"),
    ],
)
def test_cli_input_errors_exit_2_with_one_dutch_line(capsys, argv, words):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and "Traceback" not in err


def test_cli_runs_a_parameter_file(template, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(execute, "TEMPLATE", template)
    file = tmp_path / "p.yaml"
    file.write_text("region: Zaanstreek-Waterland\nquestion: heftig-structureel-geweld\nperiod: 2021HJ01\n")
    assert main(["run", str(file), "--out", str(tmp_path / "uit"), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["html"].endswith("uit/zaanstreek-waterland/heftig-structureel-geweld.html")
    assert answer["period"] == "2021HJ01" and os.path.exists(answer["notebook"])


def test_cli_all_regions_exits_non_zero_when_a_region_fails(template, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(execute, "TEMPLATE", template)
    monkeypatch.setattr(batch, "regions_at", lambda level: [regions.get("VT02"), regions.get("VT19")])
    code = main(["run", "--all-regions", "--question", "adviesvragers", "--period", "2021HJ01",
                 "--jobs", "2", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1
    assert "1 van 2 regio's gelukt" in out and "Mislukt: Twente: Geen cijfers voor Twente." in out
    assert f"Overzicht: {tmp_path.resolve() / 'index.html'}" in out


def test_a_batch_writes_each_report_in_its_own_thread_while_the_kernel_goes_on(template, tmp_path, monkeypatch):
    import threading

    from impactlib.run import job

    monkeypatch.setattr(execute, "TEMPLATE", template)
    writers, real = [], job._finish
    monkeypatch.setattr(job, "_finish", lambda *a: writers.append(threading.current_thread().name) or real(*a))
    result = batch.run_all("adviesvragers", period="2021HJ01", out=tmp_path, jobs=1, progress=False,
                           regions=[regions.get("VT02"), regions.get("VT19")])
    assert [r.ok for r in result.results] == [True, False] and result.results[0].html.exists()
    assert writers == [threading.main_thread().name]  # the first one's HTML; Twente's notebook stopped with its error


def test_missing_template_is_a_data_fault(tmp_path):
    with pytest.raises(DataFault, match="sjabloon"):
        run_one(params("Drenthe"), tmp_path, template=tmp_path / "weg.ipynb")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------ warm kernels
POOL_BODY = """import os, time
from IPython.display import Markdown, display
from impactlib import settings
if region == "Crash":
    os._exit(1)  # the kernel dies
if region == "Traag":
    time.sleep(60)  # hangs past the timeout
display(Markdown(f"{'oud' if 'vorige' in globals() else 'vers'} {os.getpid()} {os.getcwd()} "
                 f"{settings.current().cache_dir} {os.environ.get('IMPACTMONITOR_CBS_HOST', '-')} "
                 f"{__import__('gc').get_freeze_count() > 0} "
                 f"{any(n in globals() for n in ('gc', '_gc', '_os', '_settings', '_impactmonitor_prepare'))}"))
vorige = region"""


@pytest.fixture(scope="module")
def pool_template(tmp_path_factory):
    nb = new_notebook(cells=[cell(PARAMETERS, "parameters"), cell(POOL_BODY)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path_factory.mktemp("pool") / "pool.ipynb"
    nbformat.write(nb, path)
    return path


def shown(nb) -> list[str]:
    return [o["data"]["text/markdown"] for c in nb.cells for o in c.get("outputs", []) if "text/markdown" in o.get("data", {})]


def test_a_warm_kernel_gives_each_notebook_a_fresh_start_with_this_process_settings(pool_template, tmp_path, monkeypatch):
    from impactlib import settings
    from impactlib.run.pool import KernelWorker

    monkeypatch.chdir(tmp_path)
    with KernelWorker() as worker:
        first = worker.execute(pool_template, tmp_path / "a.ipynb", {"region": "Drenthe"})
        assert worker._cleaning is not None  # the clean-up is on its way while this process goes on
        settings.configure(cache_dir=str(tmp_path / "mijn-cache"))  # changed between two notebooks
        monkeypatch.setenv("IMPACTMONITOR_CBS_HOST", "127.0.0.1:9")
        second = worker.execute(pool_template, tmp_path / "b.ipynb", {"region": "Twente"})
        assert worker.starts == 1
    (old, pid1, cwd, *_), (state, pid2, _, cache, host, frozen, gc_name) = (shown(nb)[0].split() for nb in (first, second))
    assert old == state == "vers" and pid1 == pid2  # same kernel, fresh namespace
    # what outlived the reset is frozen for the garbage collector, and no name of that is left behind
    assert frozen == "True" and gc_name == "False"
    assert cwd == str(tmp_path) and cache == str(tmp_path / "mijn-cache") and host == "127.0.0.1:9"
    assert [c.execution_count for c in second.cells if c.cell_type == "code"] == [1, 2, 3]
    assert second.cells[1].metadata["tags"] == ["injected-parameters"]
    assert nbformat.read(tmp_path / "b.ipynb", as_version=4).metadata.papermill.parameters["region"] == "Twente"


@pytest.mark.parametrize("region", ["Crash", "Traag"])
def test_a_dead_or_hung_kernel_is_replaced_and_its_notebook_kept(pool_template, tmp_path, region):
    from impactlib.run.pool import KernelWorker

    with KernelWorker() as worker:
        with pytest.raises(Exception) as err:
            worker.execute(pool_template, tmp_path / "kapot.ipynb", {"region": region}, timeout=3)
        assert "PapermillExecutionError" not in type(err.value).__name__
        after = worker.execute(pool_template, tmp_path / "goed.ipynb", {"region": "Drenthe"})
        assert worker.starts == 2
    assert shown(after)[0].startswith("vers ")
    kept = nbformat.read(tmp_path / "kapot.ipynb", as_version=4)
    assert kept.metadata.papermill.parameters["region"] == region


def test_a_batch_goes_on_after_a_kernel_crash(pool_template, tmp_path):
    from impactlib.run.pool import KernelWorker, pooled

    def work(region, worker: KernelWorker):
        try:
            nb = worker.execute(pool_template, tmp_path / f"{region}.ipynb", {"region": region})
            return region, shown(nb)[0].split()[0]
        except Exception as exc:  # noqa: BLE001
            return region, type(exc).__name__

    results = dict(pooled(["Drenthe", "Crash", "Twente", "Zeeland"], work, 1))
    assert results["Drenthe"] == results["Twente"] == results["Zeeland"] == "vers"
    assert results["Crash"] == "DeadKernelError"


class _CountedWorker:
    """KernelWorkers without warm-up that remember themselves (and their kernel's process id)."""

    def __init__(self):
        self.made = []

    def __call__(self):
        from impactlib.run.pool import KernelWorker

        made = self.made

        class Counted(KernelWorker):
            def start(self):
                super().start()
                self.pid = self.km.provisioner.pid
                return self

        worker = Counted(warm_up="")
        made.append(worker)
        return worker


def _alive(pid) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_kernels_started_early_serve_the_next_batch(pool_template, tmp_path):
    from impactlib.run import pool

    early = _CountedWorker()
    pool.start_early(2, make_worker=early)
    assert len(early.made) == 2 and all(w.launched.is_set() for w in early.made)  # launched before returning

    def late():
        raise AssertionError("the batch started a kernel of its own")

    def work(region, worker):
        nb = worker.execute(pool_template, tmp_path / f"{region}.ipynb", {"region": region})
        return region, id(worker), shown(nb)[0].split()[0]

    results = list(pool.pooled(["Drenthe", "Twente", "Zeeland"], work, 2, make_worker=late))
    assert sorted(r[0] for r in results) == ["Drenthe", "Twente", "Zeeland"] and {r[2] for r in results} == {"vers"}
    assert {r[1] for r in results} <= {id(w) for w in early.made}
    assert all(w.starts == 1 and w.km is None for w in early.made)  # one start each, stopped after the batch
    assert not any(_alive(w.pid) for w in early.made) and pool._early == []


def test_kernels_started_early_for_a_batch_that_never_comes_are_stopped(tmp_path):
    from impactlib.run import pool

    early = _CountedWorker()
    pool.start_early(1, make_worker=early)
    pool.discard_early()
    (worker,) = early.made
    assert worker.km is None and not _alive(worker.pid) and pool._early == []


def test_a_kernel_started_early_that_cannot_start_fails_its_regions_with_the_one_line(tmp_path):
    import time

    from impactlib.run import pool

    begun = time.monotonic()
    pool.start_early(1, make_worker=lambda: pool.KernelWorker("bestaat-niet"))
    assert time.monotonic() - begun < pool.START_TIMEOUT  # not waited for until the timeout

    def work(region, worker):
        try:
            worker.execute(tmp_path / "x.ipynb", tmp_path / f"{region}.ipynb", {})
        except errors.KernelStartError as exc:
            return str(exc)

    said = list(pool.pooled(["Drenthe", "Twente"], work, 1))
    assert len(said) == 2 and all("Jupyter-kernel 'bestaat-niet' start niet" in s for s in said)
    assert pool._early == []


@pytest.mark.parametrize("argv, size", [
    (["run", "--all-regions", "--question", "q"], None),
    (["--debug", "run", "--all-regions", "--question", "q", "--jobs", "3"], 3),
    (["run", "--all-regions", "--jobs=1", "--question", "q"], 1),
    (["run", "--all-regions"], False),  # no question: the command line says so at once
    (["run", "--all-regions", "--question", "q", "--jobs", "0"], False),  # left to the parser's message
    (["run", "--all-regions", "--question", "q", "--jobs", "twee"], False),
    (["run", "--all-regions", "--question", "q", "--help"], False),
    (["run", "--region", "Drenthe", "--question", "q"], False),  # one notebook: one kernel, as before
    (["show", "--all-regions", "--question", "q"], False),
])
def test_the_command_line_starts_a_batchs_kernels_first(monkeypatch, argv, size):
    from impactlib import cli
    from impactlib.run import pool

    asked = []
    monkeypatch.setattr(pool, "start_early", lambda n=None: asked.append(n))
    assert cli._batch_kernels_early(argv) is (size is not False)
    assert asked == ([] if size is False else [size])


def test_a_batch_mistake_found_after_the_kernels_started_is_one_line_and_leaves_no_kernel(capsys):
    import psutil

    from impactlib.cli import main
    from impactlib.run import pool

    code = main(["run", "--all-regions", "--question", "heftig-structureel-geweld", "--level", "gemeente",
                 "--within", "Nergenshuizen", "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Nergenshuizen" in err
    assert pool._early == []
    assert not [p for p in psutil.Process().children(recursive=True)
                if "ipykernel_launcher" in " ".join(p.cmdline()) and p.status() != psutil.STATUS_ZOMBIE]


def test_run_one_on_a_shared_worker_keeps_papermill_failures(template, tmp_path):
    from impactlib.run.pool import KernelWorker

    with KernelWorker() as worker:
        bad = run_one(params("Twente"), tmp_path, template=template, worker=worker, raise_on_error=False)
        good = run_one(params("Drenthe"), tmp_path, template=template, worker=worker)
        assert worker.starts == 1
    assert bad.error == "Geen cijfers voor Twente." and bad.notebook.name == "adviesvragers.mislukt.ipynb"
    kept = nbformat.read(bad.notebook, as_version=4)
    assert "papermill-error-cell-tag" in kept.cells[0].metadata.get("tags", [])
    assert good.ok and "Regio Drenthe in 2021HJ01" in good.html.read_text(encoding="utf-8")


def test_a_kernel_that_cannot_start_fails_each_region_at_once_with_one_dutch_line(template, tmp_path):
    from impactlib.run.pool import KernelWorker

    with KernelWorker("bestaat-niet") as worker:
        first = run_one(params("Drenthe"), tmp_path, template=template, worker=worker, raise_on_error=False)
        with pytest.raises(ExecutionFailed) as err:
            run_one(params("Zeeland"), tmp_path, template=template, worker=worker)
    assert first.error.startswith("Jupyter-kernel 'bestaat-niet' start niet (")
    assert "pip install -e ." in str(err.value) and "\n" not in str(err.value) and err.value.exit_code == 1
    assert leftovers(tmp_path) == []
