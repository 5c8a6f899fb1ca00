"""Notes for the user go through logging; whoever talks to the user prints them in one line."""

from __future__ import annotations

import os
import subprocess
import sys

from impactlib.run.job import kernel_environment

SAY = ("import logging, cbsodata, impactlib\n"  # cbsodata's import gives the root logger a handler
       "logging.getLogger('impactmonitor.sources.cache').warning('cache beschadigd')\n")


def _stderr(env: dict) -> str:
    done = subprocess.run([sys.executable, "-c", SAY], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stderr


def test_a_kernel_started_by_the_runner_prints_notes_as_the_cli_does(monkeypatch):
    monkeypatch.setattr(os, "environ", {k: v for k, v in os.environ.items() if k != "IMPACTMONITOR_NOTES"})
    kernel_environment()  # what run/ does before papermill starts a kernel
    assert os.environ["IMPACTMONITOR_NOTES"] == "print"
    assert _stderr(dict(os.environ)).splitlines() == ["impactmonitor: cache beschadigd"]


def test_a_plain_program_decides_itself_where_notes_go(monkeypatch):
    env = {k: v for k, v in os.environ.items() if k != "IMPACTMONITOR_NOTES"}
    err = _stderr(env)
    assert "cache beschadigd" in err and "impactmonitor: cache beschadigd" not in err
