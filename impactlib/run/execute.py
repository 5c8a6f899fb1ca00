"""Execute the stappenplan notebook for one region with papermill and export it to HTML.

The template (``notebooks/stappenplan_1-6.ipynb``) has a cell tagged ``parameters``;
papermill injects the validated :class:`~impactlib.params.RunParameters` after it.
:func:`run_one` turns them into a :class:`~impactlib.run.job.NotebookJob` and hands it to
:func:`~impactlib.run.job.execute`, which runs it on a
:class:`~impactlib.run.pool.KernelWorker`: a kernel of its own for a single run, a warm
kernel reused with a fresh namespace in a batch. The kernel reads the same data settings as
this process (source, snapshot, cache folder, ``IMPACTMONITOR_*`` variables).

The notebook's last cell (tagged ``impactmonitor-summary``) shows a small JSON record —
region, period, headline figure, whether the data are oefendata — that the HTML export and
the batch index read back from the executed notebook (:func:`read_summary`).
"""

from __future__ import annotations

from pathlib import Path

from .. import errors
from ..errors import ExecutionFailed, KernelError
from ..params import PROJECT_ROOT, QUESTIONS_VARIABLE, RunParameters, load_question
from ..query import check_period
from ..regions import resolve
from .job import CELL_TIMEOUT, SUMMARY_TAG, NotebookJob, RunResult, execute, kernel_environment, read_summary
from .paths import output_paths
from .pool import KernelWorker

__all__ = ["TEMPLATE", "SUMMARY_TAG", "CELL_TIMEOUT", "RunResult", "ExecutionFailed", "run_one", "fill_period",
           "read_summary", "describe_failure", "kernel_environment", "job_for", "checked_job"]

TEMPLATE = PROJECT_ROOT / "notebooks" / "stappenplan_1-6.ipynb"


def fill_period(params: RunParameters) -> RunParameters:
    """Fill in the newest half year when no period is given; check the period exists."""
    question = load_question(params.question, params._near)
    return params.model_copy(update={"period": check_period(question.headline, params.period).key})


def describe_failure(exc: BaseException) -> tuple[str, int]:
    """One line for what went wrong in the kernel, and the exit code it deserves
    (see :class:`~impactlib.errors.KernelError`).

    The project's own errors carry a Dutch message that is shown as is; a user error
    inside the notebook (exit code 2) stays a user error.
    """
    error = KernelError.from_exception(exc)
    return error.line, error.exit_code


def job_for(params: RunParameters, out: str | Path = "outputs", *, with_code: bool = False,
            template: Path | None = None) -> NotebookJob:
    """The job of one stappenplan run (``params`` with its period filled in, :func:`fill_period`)."""
    region = resolve(params.region, params.level).region
    near = params._near / "questions" if params._near and (params._near / "questions").is_dir() else None
    return NotebookJob(
        Path(template or TEMPLATE), params.as_notebook(), output_paths(out, region, params.question),
        region=region, question=params.question, period=params.period, with_code=with_code,
        # the kernel finds the question where validation found it
        environment={QUESTIONS_VARIABLE: str(near.resolve())} if near is not None else {},
    )


def checked_job(params: RunParameters, out: str | Path = "outputs", *, with_code: bool = False,
                template: Path | None = None) -> NotebookJob:
    """The job of one stappenplan run, its period filled in; a missing template is a :class:`DataFault`."""
    template = Path(template or TEMPLATE)
    if not template.is_file():
        raise errors.DataFault(
            f"Notebook-sjabloon {template} ontbreekt; draai vanuit een volledige kopie van het project.",
            path=str(template),
        )
    return job_for(fill_period(params), out, with_code=with_code, template=template)


def run_one(
    params: RunParameters,
    out: str | Path = "outputs",
    *,
    with_code: bool = False,
    template: Path | None = None,
    raise_on_error: bool = True,
    worker: KernelWorker | None = None,
) -> RunResult:
    """Execute the template for one region and question; write ``.ipynb`` and ``.html``.

    ``worker``: a warm kernel to run on (a batch passes one per thread); without it a kernel
    is started for this run and stopped afterwards.

    On failure the executed notebook is kept as ``<question>.mislukt.ipynb`` (the cell that
    failed shows the error), earlier outputs for the same region and question are removed,
    and :class:`ExecutionFailed` is raised (or, with ``raise_on_error=False``, the result
    carries the error).
    """
    job = checked_job(params, out, with_code=with_code, template=template)
    result = execute(job, worker)
    if result.failure is not None and raise_on_error:
        kept = result.notebook == job.paths.failed
        where = f"; zie {job.paths.failed}" if kept else ""
        raise ExecutionFailed(
            result.failure.ename, result.failure.evalue, region=job.region.name, period=job.period,
            path=str(job.paths.failed) if kept else "",
            message=f"Het notebook voor {job.region.name} ({job.question}) stopte met een fout: {result.error}{where}",
        )
    return result
