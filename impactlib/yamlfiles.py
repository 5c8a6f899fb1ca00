"""YAML read as plain data (the safe loader), parsed by libyaml's C code when PyYAML has it.

Every process of a batch reads the catalogue, the tables, the sources and a question; with
PyYAML's pure-Python parser that took about 0,2 s per process, with the C parser a tenth of
that. Both build the same objects from the same text, raise :class:`yaml.YAMLError` with a
``problem_mark`` on bad input, and construct no Python objects beyond plain data.
"""

from __future__ import annotations

import yaml

__all__ = ["safe_load", "SafeLoader"]

#: PyYAML's safe loader: the one in C where PyYAML was built with libyaml, else the Python one.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str):
    """``yaml.safe_load(text)``, with the faster parser where there is one."""
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader
