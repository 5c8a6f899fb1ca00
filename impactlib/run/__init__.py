"""Run the stappenplan notebook for a region: execute with papermill, export HTML, batch.

>>> from impactlib.params import load_parameters
>>> from impactlib.run import run_one
>>> result = run_one(load_parameters("parameters/drenthe.yaml"), out="outputs")  # doctest: +SKIP
>>> result.html                                                                     # doctest: +SKIP
PosixPath('outputs/drenthe/eerder-beter-in-beeld.html')
"""

from .batch import BatchResult, run_all
from .execute import RunResult, run_one

__all__ = ["run_one", "run_all", "RunResult", "BatchResult"]
