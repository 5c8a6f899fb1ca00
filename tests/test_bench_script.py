"""Smoke test of ``benchmarks/bench.py`` (``make bench``) with the smallest settings.

It checks what the script promises — the ratio and size lines last, the raw measurements in a
CSV — never how fast anything was.
"""

import csv
import math
import os
import re
import subprocess
import sys

from impactlib.params import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "benchmarks" / "bench.py"


def test_quick_benchmark_prints_three_ratios_last_and_writes_the_csv(tmp_path):
    out, scratch = tmp_path / "bench", tmp_path / "tmp"
    scratch.mkdir()
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--regions", "1", "--baseline-runs", "1", "--gemeente-repeats", "2",
         "--out", str(out)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path, env={**os.environ, "TMPDIR": str(scratch)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    last = done.stdout.strip().splitlines()[-7:]
    names = [line.split("=")[0] for line in last]
    assert names == ["ratio_batch", "ratio_rows", "ratio_query", "ratio_gemeente", "html_kb",
                     "query_warm_disk_ms", "batch_peak_mb"]
    values = {}
    for line in last:
        assert re.fullmatch(r"[a-z_]+=\d+\.\d+", line), line
        name, value = line.split("=")
        values[name] = float(value)
    assert all(v > 0 and math.isfinite(v) for v in values.values())
    assert values["ratio_rows"] < 1  # a region never needs whole tables

    with (out / "timings.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    measures = {r["measure"] for r in rows}
    assert {"baseline_papermill", "batch", "rows_needed", "rows_whole", "query_cold", "query_warm",
            "query_warm_disk", "ratio_batch", "ratio_rows", "ratio_query", "baseline_papermill_gemeente",
            "batch_gemeente", "html_size", "batch_peak_memory", "ratio_gemeente", "html_kb"} <= measures
    sizes = [float(r["value"]) for r in rows if r["measure"] == "html_size"]
    assert len(sizes) == 1 and math.isclose(values["html_kb"], sizes[0], rel_tol=1e-3)
    assert [r["run"] for r in rows if r["measure"] == "batch"] == ["0"]
    needed = sum(int(r["value"]) for r in rows if r["measure"] == "rows_needed")
    whole = sum(int(r["value"]) for r in rows if r["measure"] == "rows_whole")
    assert math.isclose(needed / whole, float(next(r["value"] for r in rows if r["measure"] == "ratio_rows")), rel_tol=1e-4)
    repeats = [float(r["value"]) for r in rows if r["measure"] == "ratio_gemeente_repeat"]
    assert len(repeats) == 2 and len([r for r in rows if r["measure"] == "batch_gemeente"]) == 2
    assert math.isclose(values["ratio_gemeente"], sum(repeats) / 2, rel_tol=1e-3)  # the median of two
    assert [p.name for p in out.iterdir()] == ["timings.csv"]  # written atomically, nothing left over
    assert list(scratch.iterdir()) == []  # the batch outputs, caches and notebooks are cleaned up
