"""The same worked example for every Veilig Thuis-regio, in parallel, with an index page.

``jobs`` warm kernels (:func:`~impactlib.run.pool.pooled`, default: one per processor core)
take the regions one after another: each kernel starts and imports once, every notebook
gets a fresh namespace, and its HTML is written by this process's main thread as soon as it is
done, while its kernel already runs the next region (:func:`impactlib.run.job.start`). A
region that fails does not stop the others: it is listed with its error (and its kept,
failed notebook) in ``index.html`` and in :attr:`BatchResult.failed`, and the command line
exits non-zero. A kernel that crashed is replaced before the next region.
"""

from __future__ import annotations

import html
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from ..errors import ImpactError, UserInputError
from ..figures import CACHE_ENV
from ..params import load_question, make_parameters
from ..periods import parse_period
from ..query import BATCH_LEVEL_ENV
from ..regions import LEVEL_LABELS, Region, parse_level, regions_at, resolve
from .execute import RunResult, checked_job, fill_period, kernel_environment
from .export import banner_html, warm_up
from .job import start
from .paths import DEFAULT_OUT, atomic_write, output_paths
from .pool import KernelWorker, default_size, pooled

__all__ = ["BatchResult", "run_all", "index_html", "batch_regions"]

_PLURAL = {"land": "landen", "landsdeel": "landsdelen", "provincie": "provincies", "vt": "Veilig Thuis-regio's",
           "gemeente": "gemeenten"}


@dataclass
class BatchResult:
    question: str
    period: str
    results: list[RunResult]
    index: Path

    @property
    def failed(self) -> list[RunResult]:
        return [r for r in self.results if not r.ok]

    @property
    def succeeded(self) -> list[RunResult]:
        return [r for r in self.results if r.ok]


def batch_regions(level: str | None = "vt", within: str | Region | None = None) -> list[Region]:
    """Every region of ``level`` (default: the Veilig Thuis-regio's), or those inside ``within``.

    ``within`` is a Veilig Thuis-regio or a provincie (``"Drenthe (PV)"`` or a
    :class:`Region` for the provincie of a shared name): its gemeenten, or the VT-regio's of
    a provincie.
    """
    lvl = parse_level(level) or "vt"
    regions = regions_at(lvl)
    if within is None or within == "":
        return regions
    parent = resolve(within).region if not isinstance(within, Region) else within
    member = {"vt": lambda r: r.vt_regio, "provincie": lambda r: r.provincie}.get(parent.level)
    if member is None or parent.level == lvl:
        raise UserInputError(
            f"--within {parent.name} kan niet: geef een Veilig Thuis-regio of provincie waarbinnen de "
            f"{_PLURAL[lvl]} liggen, bijv. --within Zaanstreek-Waterland."
        )
    inside = [r for r in regions if member(r) == parent.key]
    if not inside:
        raise UserInputError(f"In {parent.level_label} {parent.name} liggen geen {_PLURAL[lvl]}.")
    return inside


def run_all(
    question: str,
    *,
    period: str | None = None,
    out: str | Path = DEFAULT_OUT,
    jobs: int | None = None,
    with_code: bool = False,
    regions: list[Region] | None = None,
    progress: bool = True,
    template: Path | None = None,
) -> BatchResult:
    """Run the stappenplan for ``question`` in every region (default: the VT-regio's of the period:
    26 up to 2022, 25 from 2023; :func:`batch_regions` gives those of another level, or inside a
    VT-regio or provincie)."""
    if not regions:
        first = fill_period(make_parameters({"region": "Nederland", "question": question, "period": period}))
        regions = regions_at("vt", first.period)
    regions = list(regions)
    first = fill_period(make_parameters({"region": regions[0].key, "question": question, "period": period}))
    plans = [
        make_parameters({"region": r.name, "level": r.level, "question": question, "period": first.period})
        for r in regions
    ]
    kernel_environment()
    results: dict[str, RunResult] = {}
    # charts that are the same for several regions are drawn once, shared by the kernels; the
    # kernels compute the batch's level whole from its first region on (the others will follow)
    figure_cache = tempfile.mkdtemp(prefix="impactmonitor-grafieken-")
    levels = {r.level for r in regions}
    hints = {CACHE_ENV: figure_cache, BATCH_LEVEL_ENV: levels.pop() if len(levels) == 1 else ""}
    saved = {name: os.environ.get(name) for name in hints}
    os.environ.update(hints)

    def failed(region: Region, exc: ImpactError) -> RunResult:  # e.g. a disk fault for this region only
        return RunResult(region, question, first.period, output_paths(out, region, question).notebook, error=str(exc))

    def one(task: tuple[Region, object], worker: KernelWorker):
        """The notebook on ``worker`` (in its thread); its outputs written by the caller (this thread)."""
        region, params = task
        try:
            finish = start(checked_job(params, out, with_code=with_code, template=template), worker)
        except ImpactError as exc:
            return lambda: failed(region, exc)

        def written() -> RunResult:
            try:
                return finish()
            except ImpactError as exc:
                return failed(region, exc)

        return written

    index = Path(out or DEFAULT_OUT).expanduser().resolve() / "index.html"
    warm_up(with_code)  # ready before the first notebook is done
    try:
        done = pooled(list(zip(regions, plans)), one, jobs or default_size())
        bar = tqdm(done, total=len(regions), desc="Regio's", unit="regio", disable=not progress)
        try:
            for written in bar:  # each notebook's HTML here, while its kernel goes on with the next
                result = written()
                results[result.region.key] = result
                if not result.ok:
                    bar.write(f"mislukt: {result.region.name}: {result.error}", file=sys.stderr)
        except KeyboardInterrupt:
            # Ctrl+C: the notebooks still running are abandoned; what finished stays, listed in the index
            bar.close()
            _interrupted(regions, results, question, first.period, out, index)
            raise
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(figure_cache, ignore_errors=True)
    ordered = [results[r.key] for r in regions]
    atomic_write(index, index_html(ordered, question, first.period, index.parent))
    return BatchResult(question, first.period, ordered, index)


INTERRUPTED = "afgebroken voordat dit notebook klaar was"


def _interrupted(regions, results, question, period, out, index) -> None:
    """After Ctrl+C: remove the temporary files of unfinished runs and write the index of what finished."""
    ordered = [results.get(r.key) or RunResult(r, question, period, output_paths(out, r, question).notebook,
                                               error=INTERRUPTED) for r in regions]
    for r in ordered:
        folder = output_paths(out, r.region, question).folder
        for tmp in folder.glob(".*.tmp.*") if folder.is_dir() else []:
            tmp.unlink(missing_ok=True)
    try:
        atomic_write(index, index_html(ordered, question, period, index.parent))
    except ImpactError:  # the interrupt is what the user must hear about
        pass


def _level_word(results: list[RunResult]) -> str:
    """What the rows of the index are: 'Veilig Thuis-regio', 'gemeente', ... (mixed: 'regio')."""
    levels = {r.region.level for r in results}
    return LEVEL_LABELS[levels.pop()] if len(levels) == 1 else "regio"


def _column_word(results: list[RunResult]) -> str:
    """The heading of the first column: 'Gemeente', 'Provincie', else 'Regio'."""
    word = _level_word(results)
    return word.capitalize() if word in ("gemeente", "provincie", "landsdeel") else "Regio"


def _link(path: Path | None, base: Path, text: str) -> str:
    if not path:
        return ""
    return f'<a href="{html.escape(os.path.relpath(path, base))}">{html.escape(text)}</a>'


def index_html(results: list[RunResult], question_id: str, period: str, base: Path) -> str:
    """An overview page: every region's report with its headline figure; failures apart."""
    question = load_question(question_id)
    titles = [r.summary["period_title"] for r in results if r.summary.get("period_title")]
    when = parse_period(titles[0] if titles else period)  # the title carries the '*' of provisional figures
    banner = next((r.summary.get("banner") for r in results if r.summary.get("banner")), None)
    headline = next((r.summary.get("headline", {}).get("label") for r in results if r.summary.get("headline")), "Kerncijfer")
    rows = []
    for r in results:
        if not r.ok:
            continue
        h = r.summary.get("headline", {})
        national = f" (Nederland: {html.escape(h['national_text'])})" if h.get("national_text") else ""
        rows.append(
            f"<tr><td>{html.escape(r.region.name)}</td><td>{html.escape(h.get('text', 'onbekend'))}{national}</td>"
            f"<td>{_link(r.html, base, 'rapport')}</td><td>{_link(r.notebook, base, 'notebook')}</td></tr>"
        )
    failed = [
        f"<li><strong>{html.escape(r.region.name)}</strong>: {html.escape(r.error)} "
        f"{_link(r.notebook if r.notebook.exists() else None, base, '(notebook met de fout)')}</li>"
        for r in results if not r.ok
    ]
    sources = sorted({r.summary.get("source", "") for r in results if r.summary.get("source")})
    parts = [
        '<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8">',
        f"<title>{html.escape(question.title)} — {html.escape(when.title)}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse}td,th{border-bottom:1px solid #ccc;padding:4px 10px;text-align:left}"
        ".fout{color:#8a1c1c}</style></head><body>",
        banner_html(banner) if banner else "",
        f"<h1>{html.escape(question.title)}</h1>",
        f"<p>Stappenplan 1–6 per {html.escape(_level_word(results))}, {html.escape(when.dutch)} ({html.escape(when.title)}"
        + ("; voorlopige cijfers" if when.is_provisional else "") + "). "
        f"{len(results) - len(failed)} van {len(results)} regio's gelukt.</p>",
        f"<table><thead><tr><th>{html.escape(_column_word(results))}</th><th>{html.escape(headline)}</th><th>Rapport</th><th>Notebook</th></tr></thead>",
        "<tbody>" + "\n".join(rows) + "</tbody></table>",
    ]
    if failed:
        parts.append(f'<h2 class="fout">Mislukt ({len(failed)})</h2><ul class="fout">' + "\n".join(failed) + "</ul>")
    parts += [f"<p><small>{html.escape(s)}</small></p>" for s in sources]
    parts.append("</body></html>\n")
    return "\n".join(parts)
