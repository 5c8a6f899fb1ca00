"""Execute the stappenplan notebook for one region with papermill and export it to HTML.

The template (``notebooks/stappenplan_1-6.ipynb``) has a cell tagged ``parameters``;
papermill injects the validated :class:`~impactlib.params.RunParameters` after it and runs
the notebook on a :class:`~impactlib.run.pool.KernelWorker`: a kernel of its own for a single
run, a warm kernel reused with a fresh namespace in a batch. The kernel reads the same data
settings as this process (source, snapshot, cache folder, ``IMPACTMONITOR_*`` variables).

The notebook's last cell (tagged ``impactmonitor-summary``) shows a small JSON record —
region, period, headline figure, whether the data are oefendata — that the HTML export and
the batch index read back from the executed notebook.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .. import errors, settings
from ..params import PROJECT_ROOT, QUESTIONS_VARIABLE, RunParameters, load_question
from ..query import check_period
from ..regions import Region, resolve
from ..safety import replace_together
from .export import notebook_to_html
from .paths import new_temp, output_paths
from .pool import KERNEL, KernelWorker

__all__ = ["TEMPLATE", "SUMMARY_TAG", "RunResult", "ExecutionFailed", "run_one", "fill_period", "read_summary", "describe_failure"]

TEMPLATE = PROJECT_ROOT / "notebooks" / "stappenplan_1-6.ipynb"
SUMMARY_TAG = "impactmonitor-summary"
#: Seconds one cell may run before the run counts as failed (a hung kernel must not stall a batch).
CELL_TIMEOUT = 600


class ExecutionFailed(errors.DataFault):
    """The notebook stopped with an error; the message is the error the kernel raised."""

    def __init__(self, message: str, *, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class RunResult:
    region: Region
    question: str
    period: str
    notebook: Path
    html: Path | None = None
    error: str = ""
    summary: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.error


def fill_period(params: RunParameters) -> RunParameters:
    """Fill in the newest half year when no period is given; check the period exists."""
    question = load_question(params.question, params._near)
    return params.model_copy(update={"period": check_period(question.headline, params.period).key})


def kernel_environment() -> None:
    """Hand this process's data settings to the kernels papermill starts."""
    now = settings.current()
    values = {
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


def describe_failure(exc: Exception) -> tuple[str, int]:
    """One line for what went wrong in the kernel, and the exit code it deserves.

    The project's own errors carry a Dutch message that is shown as is; a user error
    inside the notebook (exit code 2) stays a user error.
    """
    ename = getattr(exc, "ename", None) or exc.__class__.__name__
    evalue = getattr(exc, "evalue", None) if hasattr(exc, "ename") else str(exc)
    line = (str(evalue or "").strip().splitlines() or [""])[0][:300]
    own = {c.__name__: c for c in _subclasses(errors.ImpactError)}
    if ename in own:
        return line, own[ename].exit_code
    return (f"{ename}: {line}" if line else ename), 1


def _subclasses(cls):
    yield cls
    for sub in cls.__subclasses__():
        yield from _subclasses(sub)


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
    template = Path(template or TEMPLATE)
    if not template.is_file():
        raise errors.DataFault(
            f"Notebook-sjabloon {template} ontbreekt; draai vanuit een volledige kopie van het project."
        )
    params = fill_period(params)
    region = resolve(params.region, params.level).region
    paths = output_paths(out, region, params.question)
    result = RunResult(region, params.question, params.period, paths.notebook)
    kernel_environment()
    tmp = new_temp(paths.notebook)
    questions = params._near / "questions" if params._near and (params._near / "questions").is_dir() else None
    before = os.environ.get(QUESTIONS_VARIABLE)
    if questions is not None:  # the kernel finds the question where validation found it
        os.environ[QUESTIONS_VARIABLE] = str(questions.resolve())
    try:
        if worker is None:
            with KernelWorker(KERNEL) as own:
                nb = own.execute(template, tmp, params.as_notebook(), timeout=CELL_TIMEOUT)
        else:
            nb = worker.execute(template, tmp, params.as_notebook(), timeout=CELL_TIMEOUT)
    except Exception as exc:  # noqa: BLE001 - any failure is reported, never a traceback
        if isinstance(exc, OSError) and exc.errno is not None and not isinstance(exc, TimeoutError):
            # the disk, not the notebook: keep nothing half-written
            tmp.unlink(missing_ok=True)
            raise errors.DataFault(
                f"Kan niet schrijven in {paths.folder} ({exc.strerror or exc}); "
                "kies met --out een map waarin u mag schrijven."
            ) from None
        result.error, code = describe_failure(exc)
        if tmp.exists() and tmp.stat().st_size:
            os.replace(tmp, paths.failed)
            result.notebook = paths.failed
        for stale in (paths.notebook, paths.html):
            stale.unlink(missing_ok=True)
        tmp.unlink(missing_ok=True)
        if raise_on_error:
            where = f"; zie {paths.failed}" if result.notebook == paths.failed else ""
            raise ExecutionFailed(
                f"Het notebook voor {region.name} ({params.question}) stopte met een fout: {result.error}{where}",
                exit_code=code,
            ) from None
        return result
    except BaseException:  # Ctrl+C while the notebook runs: no temporary file stays behind
        tmp.unlink(missing_ok=True)
        raise
    finally:
        if questions is not None and before is None:
            os.environ.pop(QUESTIONS_VARIABLE, None)
        elif questions is not None:
            os.environ[QUESTIONS_VARIABLE] = before
    try:
        result.summary = read_summary(nb)
        page = notebook_to_html(nb, with_code=with_code, summary=result.summary)
        html_tmp = new_temp(paths.html)
        try:
            html_tmp.write_text(page, encoding="utf-8")
            replace_together({paths.notebook: tmp, paths.html: html_tmp})  # the pair, or neither
        finally:
            html_tmp.unlink(missing_ok=True)
    except OSError as exc:
        raise errors.DataFault(
            f"Kan niet schrijven in {paths.folder} ({exc.strerror or exc}); kies met --out een map waarin u mag schrijven."
        ) from None
    finally:
        tmp.unlink(missing_ok=True)
    paths.failed.unlink(missing_ok=True)
    result.html = paths.html
    return result
