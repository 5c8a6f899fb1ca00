"""Benchmark of issue 8: the batch, the rows fetched and the query, as ratios measured in one run.

    .venv/bin/python benchmarks/bench.py            # full: every VT-regio (25 since 2023), as many baseline runs (make bench)
    .venv/bin/python benchmarks/bench.py --quick    # smoke: 2 regions, 2 baseline runs
    .venv/bin/python benchmarks/bench.py --quick --regions 1 --baseline-runs 1   # the test's settings

These machines are noisy, so every figure is a ratio of two things measured in the same run:

- ``ratio_batch``: wall time of ``impactmonitor run --all-regions --question
  heftig-structureel-geweld`` (default jobs; notebooks, HTML and index) divided by the wall
  time of as many sequential ``papermill`` command-line runs of a trivial notebook that imports
  pandas, seaborn and impactlib and draws one chart. Half of the baseline runs go before the
  batch and half after it, so a machine that gets busier or quieter does not favour either.
- ``ratio_rows``: data rows a local mirror serves while every code cell of one region's worked
  example (Zaanstreek-Waterland) runs on live data from it with an empty cache, divided by the
  rows of the same tables downloaded whole.
- ``ratio_query``: median time of a warm indicator query (one region, one period; the same
  query again once the first one filled the caches) divided by the median time of that query
  from a cold cache (fresh cache folder and process caches) through a mirror in its own process.
  The CSV also holds ``query_warm_disk``: the query from the filled cache folder with the
  in-process caches emptied (a new session).

Issue 19 adds, printed after the three ratios:

- ``ratio_gemeente``: wall time of ``impactmonitor run --all-regions --level gemeente --within
  Zaanstreek-Waterland`` (its gemeenten, as many as the region registry holds) divided by
  that many sequential papermill runs of the trivial notebook (half before, half after). This
  batch takes about ten seconds, so one busy moment of a shared machine moves it by a tenth:
  it is measured ``--gemeente-repeats`` times (default 3), each against its own baseline runs,
  and the median of those ratios is printed (each repeat's ratio is in the CSV).
- ``html_kb``: the median size of the VT batch's HTML reports, in KB (1024 bytes).
- ``query_warm_disk_ms``: the median of ``query_warm_disk`` in milliseconds.
- ``batch_peak_mb``: the VT batch's peak memory, in MB: the largest sum of the resident memory
  of the batch process and its kernels, sampled every 0,2 s.

The raw timings go to ``<out>/timings.csv`` (written atomically); the lines printed last are
``ratio_batch=…``, ``ratio_rows=…``, ``ratio_query=…``, ``ratio_gemeente=…``, ``html_kb=…``,
``query_warm_disk_ms=…`` and ``batch_peak_mb=…``.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager, redirect_stderr
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTION = "heftig-structureel-geweld"
EXAMPLE = ROOT / "parameters" / "zaanstreek-waterland.yaml"
EXAMPLE_VT = "Zaanstreek-Waterland"
QUERY = ("meldingen_acuut_structureel_pct", "Zaanstreek-Waterland", "2021HJ01")
TRIVIAL_CODE = (
    "import pandas as pd\nimport seaborn as sns\nimport impactlib\n\n"
    "ax = sns.barplot(x=['a', 'b'], y=[1.0, 2.0])\nax.set_title(f'Regio {region}')"
)


def tool(name: str) -> list[str]:
    """A console script of this Python (``.venv/bin/papermill``), else ``python -m``."""
    script = Path(sys.executable).with_name(name)
    return [str(script)] if script.exists() else [sys.executable, "-m", name]


def timed(cmd: list[str], **kwargs) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - start


# --------------------------------------------------------------------------- ratio_batch
def trivial_notebook(folder: Path) -> Path:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    params = new_code_cell('region = "Nederland"')
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[params, new_code_cell(TRIVIAL_CODE)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "triviaal.ipynb"
    nbformat.write(nb, path)
    return path


class PeakMemory:
    """The largest resident memory of a process and its descendants (psutil), sampled in a thread."""

    def __init__(self, interval: float = 0.2):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()

    def watch(self, proc: subprocess.Popen) -> None:
        try:
            import psutil
        except ImportError:  # no psutil: no figure (reported as 0)
            return

        def sample() -> None:
            try:
                root = psutil.Process(proc.pid)
            except psutil.Error:
                return
            while not self._stop.is_set():
                total = 0
                try:
                    for p in [root, *root.children(recursive=True)]:
                        try:
                            total += p.memory_info().rss
                        except psutil.Error:
                            pass
                except psutil.Error:
                    return
                self.peak = max(self.peak, total)
                self._stop.wait(self.interval)

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()

    def stop(self) -> float:
        self._stop.set()
        if getattr(self, "_thread", None):
            self._thread.join(timeout=5)
        return self.peak / 2**20


def timed_watched(cmd: list[str], memory: PeakMemory, **kwargs) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    memory.watch(proc)
    code = proc.wait()
    seconds = time.perf_counter() - start
    memory.stop()
    if code:
        raise subprocess.CalledProcessError(code, cmd)
    return seconds


def all_vt() -> int:
    """How many VT-regio's the batch makes: those of the newest period (25 since 2023)."""
    from impactlib.regions import regions_at

    return len(regions_at("vt"))


def batch_command(out: Path, regions: int, jobs: int | None) -> list[str]:
    """The batch as a fresh process: the CLI itself for every VT-regio, the same call for a few."""
    if regions >= all_vt():
        cmd = [*tool("impactmonitor"), "run", "--all-regions", "--question", QUESTION, "--out", str(out)]
        return cmd + (["--jobs", str(jobs)] if jobs else [])
    code = (
        "import sys; from impactlib.regions import regions_at; from impactlib.run import run_all\n"
        f"r = run_all({QUESTION!r}, out={str(out)!r}, jobs={jobs!r}, regions=regions_at('vt')[:{regions}], progress=False)\n"
        "sys.exit(1 if r.failed else 0)\n"
    )
    return [sys.executable, "-c", code]


def measure_batch(work: Path, regions: int, baseline_runs: int, jobs: int | None, rows: list) -> float:
    template = trivial_notebook(work)
    papermill = tool("papermill")

    def baseline(i: int) -> None:
        out = work / f"triviaal-{i}.ipynb"
        seconds = timed([*papermill, str(template), str(out), "-p", "region", f"regio {i}", "--no-progress-bar"])
        rows.append(("baseline_papermill", i, seconds, "s", "papermill CLI, triviaal notebook"))

    first = baseline_runs // 2
    for i in range(first):
        baseline(i)
    out = work / "batch"
    memory = PeakMemory()
    seconds = timed_watched(batch_command(out, regions, jobs), memory, cwd=ROOT)
    reports = sorted(out.glob("*/*.html"))
    if len(reports) != regions or not (out / "index.html").exists():
        raise SystemExit(f"bench: de batch maakte {len(reports)} van {regions} rapporten")
    rows.append(("batch", 0, seconds, "s", f"{regions} regio's, jobs={jobs or 'standaard'}"))
    rows.append(("batch_peak_memory", 0, memory.peak / 2**20, "MB", "batchproces en kernels samen, hoogste stand"))
    rows += [("html_size", p.parent.name, p.stat().st_size / 1024, "KB", "rapport van de batch") for p in reports]
    for i in range(first, baseline_runs):
        baseline(i)
    base = statistics.mean(r[2] for r in rows if r[0] == "baseline_papermill")
    return seconds / (base * regions)


# --------------------------------------------------------------------------- ratio_gemeente
def example_gemeenten(limit: int | None = None) -> list:
    """The gemeenten of Zaanstreek-Waterland the region registry holds (public API only)."""
    from impactlib.regions import regions_at, resolve

    parent = resolve(EXAMPLE_VT, "vt").region
    found = [r for r in regions_at("gemeente") if r.vt_regio == parent.key]
    return found[:limit] if limit else found


def measure_gemeente(work: Path, limit: int | None, jobs: int | None, rows: list, repeats: int = 1) -> float:
    """The median over ``repeats`` of the gemeente batch's ratio to its own baseline runs."""
    template = trivial_notebook(work)
    papermill = tool("papermill")
    gemeenten = example_gemeenten(limit)
    if not gemeenten:
        raise SystemExit(f"bench: het regioregister kent geen gemeenten van {EXAMPLE_VT}")
    n = len(gemeenten)
    ratios = []
    for repeat in range(repeats):
        base: list[float] = []

        def baseline(i: int) -> None:
            out = work / f"triviaal-gm-{repeat}-{i}.ipynb"
            seconds = timed([*papermill, str(template), str(out), "-p", "region", f"gemeente {i}", "--no-progress-bar"])
            base.append(seconds)
            rows.append(("baseline_papermill_gemeente", f"{repeat}.{i}", seconds, "s", "papermill CLI, triviaal notebook"))

        for i in range(n // 2):
            baseline(i)
        out = work / f"batch-gemeenten-{repeat}"
        if limit:  # a few: the same call in Python (the CLI has no limit)
            code = (
                "import sys; from impactlib.run.batch import batch_regions; from impactlib.run import run_all\n"
                f"regs = batch_regions('gemeente', {EXAMPLE_VT!r})[:{limit}]\n"
                f"r = run_all({QUESTION!r}, out={str(out)!r}, jobs={jobs!r}, regions=regs, progress=False)\n"
                "sys.exit(1 if r.failed else 0)\n"
            )
            cmd = [sys.executable, "-c", code]
        else:
            cmd = [*tool("impactmonitor"), "run", "--all-regions", "--level", "gemeente", "--within", EXAMPLE_VT,
                   "--question", QUESTION, "--out", str(out)] + (["--jobs", str(jobs)] if jobs else [])
        seconds = timed(cmd, cwd=ROOT)
        reports = len(list(out.glob("*/*.html")))
        if reports != n or not (out / "index.html").exists():
            raise SystemExit(f"bench: de gemeentebatch maakte {reports} van {n} rapporten")
        rows.append(("batch_gemeente", repeat, seconds, "s",
                     f"{n} gemeenten van {EXAMPLE_VT}: {', '.join(g.name for g in gemeenten)}"))
        for i in range(n // 2, n):
            baseline(i)
        ratios.append(seconds / (statistics.mean(base) * n))
        rows.append(("ratio_gemeente_repeat", repeat, ratios[-1], "ratio", "deze herhaling tegen haar eigen basisruns"))
    return statistics.median(ratios)


# --------------------------------------------------------------------------- mirrors
@contextmanager
def live_settings(host: str, cache_dir: Path):
    """Live data from ``host`` into ``cache_dir`` for this process and the kernels it starts."""
    from impactlib import query, settings
    from impactlib.sources.chooser import forget_sources

    names = ("IMPACTMONITOR_CBS_HOST", "IMPACTMONITOR_CBS_HTTPS", "IMPACTMONITOR_SOURCE",
             "IMPACTMONITOR_CACHE_DIR", "IMPACTMONITOR_BACKEND", "IMPACTMONITOR_SNAPSHOT")
    saved = {n: os.environ.get(n) for n in names}
    before = settings.configured()
    os.environ.update({"IMPACTMONITOR_CBS_HOST": host, "IMPACTMONITOR_CBS_HTTPS": "0"})
    settings.configure(source="live", cache_dir=str(cache_dir), backend="v3")
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        settings.restore(before)
        forget_sources()
        query.clear_cache()


@contextmanager
def quiet():
    """Remarks on stderr (which source answered) stay out of the benchmark's output."""
    from impactlib.notes import print_notes

    print_notes()  # the library's notes go to sys.stderr as it is at the moment: here, nowhere
    with redirect_stderr(io.StringIO()):
        yield


@contextmanager
def mirror_process():
    """``impactmonitor mirror`` on a free port of 127.0.0.1 in its own process."""
    proc = subprocess.Popen([*tool("impactmonitor"), "mirror", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    try:
        line = proc.stdout.readline()
        address = line.split("http://", 1)[1].split("/", 1)[0]
        yield address
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# --------------------------------------------------------------------------- ratio_rows
def run_example(params: dict) -> None:
    """Every code cell of the stappenplan notebook in this process; what it shows goes nowhere
    (the figures are made, not drawn: only the data they need counts here)."""
    import IPython.display
    import nbformat

    from impactlib import steps
    from impactlib.run.execute import TEMPLATE

    namespace = dict(params)
    saved = IPython.display.display, steps.show
    IPython.display.display = steps.show = lambda *args, **kwargs: None
    try:
        for cell in nbformat.read(TEMPLATE, as_version=4).cells:
            if cell.cell_type == "code" and "parameters" not in cell.metadata.get("tags", []):
                exec(compile(cell.source, "stappenplan", "exec"), namespace)  # noqa: S102 - our own notebook
    finally:
        IPython.display.display, steps.show = saved


def measure_rows(work: Path, rows: list) -> float:
    """The worked example of Zaanstreek-Waterland on live data from a mirror (empty cache)."""
    from impactlib.mirror import MirrorServer, shelf_from_snapshot
    from impactlib.params import load_parameters

    shelf = shelf_from_snapshot()
    with MirrorServer(shelf) as server, live_settings(server.address, work / "cache-rijen"), quiet():
        run_example(load_parameters(EXAMPLE).as_notebook())
        served = dict(server.rows_served)
    tables = sorted({table for table, _ in served})
    whole = {t: len(shelf.get(t).bundle.data) for t in tables}
    for table in tables:
        needed = sum(n for (t, _), n in served.items() if t == table)
        rows.append(("rows_needed", table, needed, "rows", "rijen die de mirror stuurde"))
        rows.append(("rows_whole", table, whole[table], "rows", "rijen van de hele tabel"))
    return sum(served.values()) / sum(whole.values())


# --------------------------------------------------------------------------- ratio_query
def measure_query(work: Path, cold_runs: int, warm_runs: int, rows: list) -> float:
    from impactlib import query, settings
    from impactlib.sources.chooser import forget_sources

    indicator, region, period = QUERY

    def ask() -> float:
        start = time.perf_counter()
        frame = query.get_indicator(indicator, region=region, period=period)
        seconds = time.perf_counter() - start
        assert len(frame) == 1, frame
        return seconds

    with mirror_process() as address, quiet():
        cold, warm, disk = [], [], []
        for i in range(cold_runs):
            with live_settings(address, work / f"cache-koud-{i}"):
                forget_sources()
                query.clear_cache()
                cold.append(ask())
                warm += [ask() for _ in range(warm_runs)]
                settings.configure(source="cache")  # a new session on the filled cache folder
                for _ in range(warm_runs):
                    forget_sources()
                    query.clear_cache()
                    disk.append(ask())
    for name, values, detail in (("query_cold", cold, "lege cache, via de mirror (eigen proces)"),
                                 ("query_warm", warm, "dezelfde vraag opnieuw, caches gevuld"),
                                 ("query_warm_disk", disk, "uit de gevulde cachemap, procescaches leeg")):
        rows += [(name, i, s, "s", detail) for i, s in enumerate(values)]
    return statistics.median(warm) / statistics.median(cold)


# --------------------------------------------------------------------------- output
def write_csv(path: Path, rows: list) -> None:
    from impactlib.run.paths import atomic_write

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["measure", "run", "value", "unit", "detail"])
    for name, run, value, unit, detail in rows:
        writer.writerow([name, run, f"{value:.6g}" if isinstance(value, float) else value, unit, detail])
    atomic_write(path, buffer.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 2 regions, 2 baseline runs, few queries")
    parser.add_argument("--regions", type=int, help="regions in the batch (default: every VT-regio, 25 since 2023; --quick: 2)")
    parser.add_argument("--baseline-runs", type=int, help="papermill baseline runs (default: as many as regions)")
    parser.add_argument("--jobs", type=int, default=None, help="kernels for the batch (default: the CLI's default)")
    parser.add_argument("--gemeenten", type=int, default=None,
                        help="gemeenten of Zaanstreek-Waterland in the gemeente batch (default: all; --quick: 1)")
    parser.add_argument("--gemeente-repeats", type=int, default=None,
                        help="times the gemeente batch is measured, the median printed (default: 3; --quick: 1)")
    parser.add_argument("--out", default=str(ROOT / "outputs" / "bench"), help="folder for timings.csv")
    args = parser.parse_args(argv)
    regions = max(1, min(all_vt(), args.regions or (2 if args.quick else all_vt())))
    baseline_runs = max(1, args.baseline_runs or regions)
    cold_runs, warm_runs = (3, 5) if args.quick else (7, 15)

    import matplotlib

    matplotlib.use("Agg")
    rows: list = []
    work = Path(tempfile.mkdtemp(prefix="impactmonitor-bench-"))
    gemeenten = args.gemeenten or (1 if args.quick else None)
    gemeente_repeats = max(1, args.gemeente_repeats or (1 if args.quick else 3))
    parts = {"ratio_batch": lambda: measure_batch(work, regions, baseline_runs, args.jobs, rows),
             "ratio_rows": lambda: measure_rows(work, rows),
             "ratio_query": lambda: measure_query(work, cold_runs, warm_runs, rows),
             "ratio_gemeente": lambda: measure_gemeente(work, gemeenten, args.jobs, rows, gemeente_repeats)}
    ratios = {}
    try:
        for name, measure in parts.items():
            start = time.perf_counter()
            ratios[name] = measure()
            rows.append(("part", name, time.perf_counter() - start, "s", "duur van dit deel van de benchmark"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows += [(name, "", value, "ratio", "") for name, value in ratios.items()]
    figures = {
        "html_kb": statistics.median(r[2] for r in rows if r[0] == "html_size"),
        "query_warm_disk_ms": 1000 * statistics.median(r[2] for r in rows if r[0] == "query_warm_disk"),
        "batch_peak_mb": next(r[2] for r in rows if r[0] == "batch_peak_memory"),
    }
    rows += [(name, "", value, name.rsplit("_", 1)[1], "") for name, value in figures.items()]
    target = Path(args.out) / "timings.csv"
    write_csv(target, rows)
    print(f"Ruwe metingen: {target}")
    for name, value in ratios.items():
        print(f"{name}={value:.4f}")
    for name, value in figures.items():
        print(f"{name}={value:.1f}" if name != "query_warm_disk_ms" else f"{name}={value:.2f}")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
