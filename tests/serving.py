"""Servers the tests start as a user does (``impactmonitor verkenner``, ``impactmonitor mirror``).

:func:`wait_until_serving` waits for a started command to answer, and fails the test with the
command's exit code when it stops first; :func:`verkenner_process` starts the verkenner in a
process group of its own and stops it (and the kernels Voilà started) afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest
import requests


def wait_until_serving(url: str, process: subprocess.Popen, *, what: str = "impactmonitor verkenner",
                       timeout: float = 40, answer_timeout: float = 2, pause: float = 0.3,
                       any_status: bool = False, headers_only: bool = False) -> None:
    """Return once ``url`` answers 200 (with ``any_status``: anything at all).

    The whole answer is read within ``answer_timeout`` a chunk, or with ``headers_only`` just its
    status line and headers (Voilà streams a page while its kernel runs the notebook). A slow
    first answer on a busy machine is retried until ``timeout``; ``process`` stopping first fails
    the test with its exit code (and its stderr, where it was piped).
    """
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if process.poll() is not None:
            said = process.stderr.read() if process.stderr else ""
            said = said.decode(errors="replace") if isinstance(said, bytes) else said
            pytest.fail(f"{what} stopte met code {process.returncode}" + (f": {said}" if said else ""))
        try:
            with requests.get(url, timeout=answer_timeout, stream=headers_only) as answer:
                if any_status or answer.status_code == 200:
                    return
        except requests.RequestException:  # not up yet, or slow to answer
            pass
        time.sleep(pause)
    pytest.fail(f"{url} antwoordde niet")


@contextmanager
def verkenner_process(*args: str, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stop_timeout: float = 20):
    """``impactmonitor verkenner ARGS`` as a trainer starts it, outside any Jupyter session."""
    env = {k: v for k, v in os.environ.items() if k != "JPY_SESSION_NAME"}
    process = subprocess.Popen(
        [sys.executable, "-m", "impactlib", "verkenner", *args],
        env={**env, "PYTHONUNBUFFERED": "1"}, start_new_session=True, stdout=stdout, stderr=stderr,
    )
    try:
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the server and the kernels it started
        try:
            process.wait(timeout=stop_timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
