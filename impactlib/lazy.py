"""Names of a package that load their module on first use (PEP 562), so importing it stays light."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module


def lazy_getattr(package: str, namespace: dict, names: dict[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` for ``package``: ``name`` comes from its submodule ``names[name]``.

    The value is kept in ``namespace`` (the package's ``globals()``), so the import happens once.
    Any other name raises :class:`AttributeError`, which also lets ``from package import
    submodule`` import the submodule as usual.

    >>> __getattr__ = lazy_getattr(__name__, globals(), {"run_all": "batch"})   # doctest: +SKIP
    """

    def __getattr__(name: str):
        if name in names:
            value = getattr(import_module(f".{names[name]}", package), name)
            namespace[name] = value
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
