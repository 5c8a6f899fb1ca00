"""Run notebooks: execute with papermill, export HTML, batch.

Every notebook — the stappenplan for a region, an exercise version — is a
:class:`~impactlib.run.job.NotebookJob` executed by :func:`~impactlib.run.job.execute`
(one kernel of its own, or a warm one from :mod:`impactlib.run.pool`) into a
:class:`RunResult`; :func:`run_one` and :func:`run_all` build the stappenplan's jobs,
:func:`impactlib.exercises.generate` the exercises'. :mod:`impactlib.run.sheets` writes the
printable exercise sheets (no kernel).

>>> from impactlib.params import load_parameters
>>> from impactlib.run import run_one
>>> result = run_one(load_parameters("parameters/drenthe.yaml"), out="outputs")  # doctest: +SKIP
>>> result.html                                                                     # doctest: +SKIP
PosixPath('outputs/drenthe/eerder-beter-in-beeld.html')
"""


from ..lazy import lazy_getattr

#: The names below load their module on first use: the command line starts a batch's kernels
#: (:mod:`impactlib.run.pool`) before papermill, nbconvert and pandas are imported.
_LAZY = {
    "run_all": "batch",
    "BatchResult": "batch",
    "run_one": "execute",
    "RunResult": "execute",
    "NotebookJob": "job",
    "execute_all": "job",  # not job.execute: that name is the submodule run.execute
}

__all__ = ["run_one", "run_all", "RunResult", "BatchResult", "NotebookJob", "execute_all"]


__getattr__ = lazy_getattr(__name__, globals(), _LAZY)
