"""Smoke test of ``benchmarks/bench_verkenner.py`` (``make bench-verkenner``) with one session.

It checks what the script promises — the four explorer lines last, in that order — never how
fast anything was (the targets are for 10 sessions and are reported, not asserted).
"""

import os
import re
import shutil
import subprocess
import sys

import pytest

from impactlib.params import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "benchmarks" / "bench_verkenner.py"

pytestmark = pytest.mark.skipif(
    not (shutil.which("chromium") or shutil.which("chromium-browser")) or not shutil.which("chromedriver"),
    reason="chromium en chromium-driver ontbreken; installeer ze met scripts/install_browser.sh",
)
pytest.importorskip("selenium", reason="selenium ontbreekt; installeer met pip install -e '.[test]'")


def test_one_session_prints_the_four_lines_last(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "JPY_SESSION_NAME"}
    done = subprocess.run([sys.executable, str(SCRIPT), "--sessions", "1", "--repeats", "1"], capture_output=True, text=True,
                          timeout=600, cwd=tmp_path, env={**env, "TMPDIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-2000:]
    last = done.stdout.strip().splitlines()[-4:]
    assert [line.split("=")[0] for line in last] == [
        "explorer_sessions", "explorer_first_p95_s", "explorer_update_p95_s", "explorer_peak_mb"]
    assert last[0] == "explorer_sessions=1"
    assert re.fullmatch(r"explorer_first_p95_s=\d+\.\d\d", last[1]) and re.fullmatch(r"explorer_update_p95_s=\d+\.\d\d", last[2])
    assert int(last[3].split("=")[1]) > 50  # a Voilà server with a kernel holds more than 50 MB
    assert "server_cpu_s=" in done.stdout
