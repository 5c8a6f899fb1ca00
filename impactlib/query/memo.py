"""Answers remembered per process: a notebook kernel running 26 regions asks the same questions.

:func:`remembered` computes an answer once per key under the current settings and hands every
caller its own copy; :func:`clear_cache` forgets them all (changing the settings does so by
itself). :func:`table_meta` is the one remembered question every computation starts with: a
table's metadata, asked without data rows (``regions=[]``). :mod:`impactlib.query` re-exports
all of these; they live here so the compute layer (:mod:`impactlib.query.compute`) can use them
without importing the query front door.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable

import pandas as pd

from .. import settings
from ..sources import SnapshotSource
from ..tables import TableBundle

__all__ = ["CACHE_SIZE", "clear_cache", "source_key", "remembered", "peek", "table_meta"]

#: Answers kept per process.
CACHE_SIZE = 512
_memo: OrderedDict = OrderedDict()
_memo_settings: settings.Settings | None = None
_memo_lock = threading.Lock()


def clear_cache() -> None:
    """Forget every remembered answer (happens by itself when the settings change)."""
    with _memo_lock:
        _memo.clear()


def source_key(src) -> object:
    """Who answers, for :func:`remembered`: a snapshot is read-only files, named by its folder;
    every other source is one object per settings and CBS host (``chooser.build_source``), so
    the object itself (kept alive by the key) is the name, and ``forget_sources`` starts afresh."""
    return ("snapshot", src.location) if isinstance(src, SnapshotSource) else src


def remembered(key: tuple, compute: Callable[[], object]):
    """``compute()`` once per ``key`` under the current settings; a copy for every caller.

    Frames and dicts are copied (``attrs`` included), so a caller that changes its answer
    changes nothing for the next one. Errors are not remembered.
    """
    global _memo_settings
    now = settings.current()
    with _memo_lock:
        if now != _memo_settings:
            _memo.clear()
            _memo_settings = now
        hit = _memo.get(key, _memo)
        if hit is not _memo:
            _memo.move_to_end(key)
    if hit is _memo:
        hit = compute()
        with _memo_lock:
            _memo[key] = hit
            while len(_memo) > CACHE_SIZE:
                _memo.popitem(last=False)
    return _copy(hit)


def peek(key: tuple):
    """A remembered answer (not a copy: read only), or ``None``."""
    with _memo_lock:
        return _memo.get(key) if settings.current() == _memo_settings else None


def _copy(value):
    if isinstance(value, pd.DataFrame):
        out = value.copy()
        out.attrs = copy.deepcopy(value.attrs)
        return out
    return copy.deepcopy(value) if isinstance(value, (dict, list)) else value


def table_meta(src, table_id: str) -> TableBundle:
    """A table's metadata (categories, periods, provenance) without data rows, once per source."""
    return remembered(("meta", table_id, source_key(src)), lambda: src.table(table_id, regions=[]))
