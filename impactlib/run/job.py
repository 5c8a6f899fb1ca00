"""One notebook to execute, as one value, and the one function that executes it.

A :class:`NotebookJob` holds everything about one notebook: the template, the parameters
papermill injects after its cell tagged ``parameters``, where the outputs go
(:class:`~impactlib.run.paths.OutputPaths`) and what happens once the kernel is done (cells
to leave out, the notebook's title, HTML with or without code). :func:`execute` runs it — on
a warm :class:`~impactlib.run.pool.KernelWorker` when one is given, else on a kernel of its
own — and returns a :class:`RunResult`::

    job = NotebookJob(template, {"region": "Drenthe", ...}, output_paths("outputs", drenthe, "vraag"),
                      region=drenthe, question="vraag", period="2021HJ01")
    result = execute(job)            # result.html, or result.error and result.failure

The stappenplan (:func:`~impactlib.run.execute.run_one`, the batch) and the exercises
(:func:`impactlib.exercises.generate`) all run through here, so all get the same guarantees:

- the ``.ipynb`` and the ``.html`` are replaced together or not at all;
- a notebook that stops with an error is kept as ``<name>.mislukt.ipynb`` (the failing cell
  shows the error), older outputs of the same name are removed, and the result carries the
  kernel's error (:class:`~impactlib.errors.KernelError`: ``ename``, ``evalue``, ``exit_code``);
- a disk that refuses the notebook or the HTML raises a :class:`~impactlib.errors.DataFault`
  naming the folder, and nothing half-written stays behind (not even a ``.mislukt.ipynb``).

The notebook's cell tagged ``impactmonitor-summary`` shows a small JSON record (title, region,
period, headline figure, whether the data are oefendata) that the HTML export and the batch
index read back (:func:`read_summary`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .. import errors, settings
from ..regions import Region
from ..safety import replace_together
from .export import notebook_to_html
from .paths import OutputPaths, new_temp
from .pool import KERNEL, KernelWorker, pooled

__all__ = ["NotebookJob", "RunResult", "execute", "start", "execute_all", "read_summary", "kernel_environment",
           "SUMMARY_TAG", "CELL_TIMEOUT"]

SUMMARY_TAG = "impactmonitor-summary"
#: Seconds one cell may run before the run counts as failed (a hung kernel must not stall a batch).
CELL_TIMEOUT = 600


@dataclass(frozen=True)
class NotebookJob:
    """What to execute and what to do with the executed notebook."""

    template: Path
    parameters: Mapping
    paths: OutputPaths
    region: Region
    question: str
    period: str
    #: keep the code cells in the HTML
    with_code: bool = False
    #: cells with any of these tags are removed from the executed notebook before it is saved
    drop_tags: tuple[str, ...] = ()
    #: when set, the saved notebook's title (metadata) is the summary's, else the template's, else this
    title: str | None = None
    #: environment variables set while the notebook runs (the kernel is prepared with them)
    environment: Mapping[str, str] = field(default_factory=dict)


@dataclass
class RunResult:
    region: Region
    question: str
    period: str
    notebook: Path | None  # the kept .mislukt.ipynb after a failure; None for a printable sheet
    html: Path | None = None
    error: str = ""
    summary: dict = field(default_factory=dict)
    #: what stopped the notebook (``ename``, ``evalue``, ``exit_code``); None when it did not stop
    failure: errors.KernelError | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return not self.error


def kernel_environment() -> None:
    """Hand this process's data settings to the kernels papermill starts, and ask them to
    print the library's notes as the CLI does (:mod:`impactlib.notes`)."""
    now = settings.current()
    values = {
        "IMPACTMONITOR_NOTES": "print",
        "IMPACTMONITOR_SOURCE": now.source,
        "IMPACTMONITOR_CACHE_DIR": now.cache_dir,
        "IMPACTMONITOR_SNAPSHOT": now.snapshot,
        "IMPACTMONITOR_BACKEND": now.backend,
    }
    os.environ.update({k: str(v) for k, v in values.items() if v not in (None, "")})


def read_summary(nb) -> dict:
    """The JSON record of the cell tagged ``impactmonitor-summary`` (empty if absent)."""
    for cell in nb.cells:
        if SUMMARY_TAG in cell.get("metadata", {}).get("tags", []):
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if "application/json" in data:
                    return dict(data["application/json"])
    return {}


def _cannot_write(folder: Path, exc: OSError) -> errors.DataFault:
    return errors.DataFault(
        f"Kan niet schrijven in {folder} ({exc.strerror or exc}); kies met --out een map waarin u mag schrijven.",
        path=str(folder),
    )


@contextmanager
def _environment(values: Mapping[str, str]):
    before = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _run(job: NotebookJob, target: Path, worker: KernelWorker | None):
    if worker is None:
        with KernelWorker(KERNEL) as own:
            return own.execute(job.template, target, dict(job.parameters), timeout=CELL_TIMEOUT)
    return worker.execute(job.template, target, dict(job.parameters), timeout=CELL_TIMEOUT)


def execute(job: NotebookJob, worker: KernelWorker | None = None) -> RunResult:
    """Execute ``job``; write its ``.ipynb`` and ``.html`` (see the module's guarantees).

    ``worker``: a warm kernel to run on (a batch passes one per thread); without it a kernel
    is started for this notebook and stopped afterwards. A notebook that stops with an error
    is not raised but returned: ``result.error`` (one line) and ``result.failure``.
    """
    return start(job, worker)()


def start(job: NotebookJob, worker: KernelWorker | None = None) -> Callable[[], RunResult]:
    """Execute ``job`` now and return what writes its outputs: :func:`execute` in two halves.

    A batch runs the kernel's half in a worker thread and the second half (the HTML, then the
    pair put in place) in its main thread, so the kernel goes on with its next notebook at
    once. The guarantees are :func:`execute`'s; a notebook that stopped with an error gives a
    second half that only returns its result.
    """
    paths = job.paths
    result = RunResult(job.region, job.question, job.period, paths.notebook)
    kernel_environment()
    tmp = new_temp(paths.notebook)
    try:
        with _environment(job.environment):
            nb = _run(job, tmp, worker)
    except Exception as exc:  # noqa: BLE001 - any failure is reported, never a traceback
        if isinstance(exc, OSError) and exc.errno is not None and not isinstance(exc, TimeoutError):
            tmp.unlink(missing_ok=True)  # the disk, not the notebook: keep nothing half-written
            raise _cannot_write(paths.folder, exc) from None
        result.failure = errors.KernelError.from_exception(exc, region=job.region.name, period=job.period)
        result.error = result.failure.line
        if tmp.exists() and tmp.stat().st_size:
            os.replace(tmp, paths.failed)
            result.notebook = paths.failed
        for stale in (paths.notebook, paths.html):
            stale.unlink(missing_ok=True)
        tmp.unlink(missing_ok=True)
        return lambda: result
    except BaseException:  # Ctrl+C while the notebook runs: no temporary file stays behind
        tmp.unlink(missing_ok=True)
        raise

    def finish() -> RunResult:
        try:
            _finish(job, nb, tmp, result)
        except OSError as exc:
            raise _cannot_write(paths.folder, exc) from None
        finally:
            tmp.unlink(missing_ok=True)
        paths.failed.unlink(missing_ok=True)
        result.html = paths.html
        return result

    return finish


def _finish(job: NotebookJob, nb, tmp: Path, result: RunResult) -> None:
    """Post-process the executed notebook in ``tmp``, render its HTML, put both in place together."""
    if job.drop_tags:
        nb.cells = [c for c in nb.cells if not set(job.drop_tags) & set(c.get("metadata", {}).get("tags", []))]
    result.summary = read_summary(nb)
    if job.title is not None:
        nb.metadata["title"] = result.summary.get("title") or nb.metadata.get("title", job.title)
    if job.drop_tags or job.title is not None:
        nbformat.write(nb, tmp)
    page = notebook_to_html(nb, with_code=job.with_code, summary=result.summary)
    html_tmp = new_temp(job.paths.html)
    try:
        html_tmp.write_text(page, encoding="utf-8")
        replace_together({job.paths.notebook: tmp, job.paths.html: html_tmp})  # the pair, or neither
    finally:
        html_tmp.unlink(missing_ok=True)


def execute_all(jobs: Iterable[NotebookJob], size: int = 1) -> list[RunResult]:
    """Execute every job on ``size`` warm kernels (:func:`~impactlib.run.pool.pooled`); results in
    the jobs' order. One that fails, also on a full disk, does not stop the others: its result
    carries the error."""
    jobs = list(jobs)

    def one(numbered: tuple[int, NotebookJob], worker: KernelWorker) -> tuple[int, RunResult]:
        number, job = numbered
        try:
            return number, execute(job, worker)
        except errors.ImpactError as exc:  # e.g. a disk fault for this job only
            return number, RunResult(job.region, job.question, job.period, job.paths.notebook, error=str(exc))

    done = dict(pooled(list(enumerate(jobs)), one, size))
    return [done[i] for i in range(len(jobs))]
