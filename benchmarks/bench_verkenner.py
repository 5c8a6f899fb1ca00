"""Benchmark of issue 18: one served verkenner, a room of participants opening it at once.

    .venv/bin/python benchmarks/bench_verkenner.py              # 10 sessions (make bench-verkenner)
    .venv/bin/python benchmarks/bench_verkenner.py --sessions 2 # a quick look

What it does, as a trainer's room would:

1. starts ``impactmonitor verkenner --port P --no-browser --pool N`` on 127.0.0.1 (N = the number of
   sessions: the trainer starts it a few minutes before the room arrives, so Voilà's pool of
   pre-heated kernels is full) and waits until the pool is filled and the server is idle;
2. starts one headless Chromium (selenium; a fresh profile) and lets it settle, then opens the page
   in N windows of it, one right after the other (each ``get`` returns at once, so the N page loads
   run together), and measures per session page open → first chart shown;
3. when every page shows its chart and the browser has finished loading the pages (a page loads
   on for a few seconds after its first chart; a participant looks at the chart before choosing),
   picks another Veilig Thuis-regio in every window, one right after the other, and measures per
   session change → new chart shown;
4. samples the memory (RSS) of the server and its kernels (the whole process tree) every 0.25 s.

Each session is a window with its own page and its own kernel on the server, as a participant's
browser is. One browser with N windows instead of N browsers: ten whole Chromiums (each with its
own browser, GPU and network processes) took about half again as much CPU as the pages in them,
CPU that in a room is spent on the participants' laptops, not beside the server. The page itself
notes when its chart changes (:data:`WATCH_CHARTS`, in ``performance.now()`` milliseconds), so the
times do not depend on how often this script looks.

The whole measurement runs ``--repeats`` times (default 3), each with a fresh server and browser
(the machines are shared and noisy). Per repeat it prints one line with its times, the machine's
load and how the CPU time was split between the server and the benchmark's own browser (in a real
room every participant's browser runs on the participant's laptop, not on the trainer's). Last come
``explorer_sessions=N``, ``explorer_first_p95_s=…``, ``explorer_update_p95_s=…`` (the medians over
the repeats of each repeat's p95, by nearest rank: with 10 sessions, the slowest one) and
``explorer_peak_mb=…`` (the highest of the repeats).
Everything listens on 127.0.0.1 and stops by itself (a hard time limit ends a stuck run).
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows",
         "--disable-background-timer-throttling", "--window-size=1200,1600"]
HARD_LIMIT_S = 900


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------- the process tree (/proc)
def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                found += [int(c) for c in fh.read().split()]
    except OSError:
        pass
    return found


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += _children(p)
    return out


def _rss_mb(pids: list[int]) -> float:
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def _cpu_s(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / ticks


def _kernels(pids: list[int]) -> int:
    count = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/cmdline", "rb") as fh:
                if b"ipykernel" in fh.read():
                    count += 1
        except OSError:
            pass
    return count


class MemorySampler(threading.Thread):
    """Peak RSS of the server's process tree, and its CPU time (live, and of kernels already gone)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0.0, threading.Event()
        self.cpu: dict[int, float] = {}

    def run(self):
        while not self.stop.is_set():
            pids = _tree(self.pid)
            self.peak = max(self.peak, _rss_mb(pids))
            for p in pids:
                self.cpu[p] = max(self.cpu.get(p, 0.0), _cpu_s([p]))
            time.sleep(0.25)

    def cpu_s(self) -> float:
        return sum(self.cpu.values())


# --------------------------------------------------------------------------- the run
def _start_server(port: int, pool: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "JPY_SESSION_NAME"}
    return subprocess.Popen(
        [sys.executable, "-m", "impactlib", "verkenner", "--port", str(port), "--no-browser", "--pool", str(pool),
         "--source", "snapshot"],
        cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def _wait_for_pool(process: subprocess.Popen, port: int, pool: int, timeout: float = 600) -> float:
    """Until the port answers, ``pool`` kernels run and the tree has been idle for 3 s."""
    start = time.monotonic()
    idle_since, last = None, None
    while time.monotonic() - start < timeout:
        if process.poll() is not None:
            raise SystemExit(f"bench_verkenner: de verkenner stopte met code {process.returncode}")
        pids = _tree(process.pid)
        cpu = _cpu_s(pids)
        busy = last is None or cpu - last > 0.3
        last = cpu
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                listening = True
        except OSError:
            listening = False
        if listening and _kernels(pids) >= pool and not busy:
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since >= 3:
                return time.monotonic() - start
        else:
            idle_since = None
        time.sleep(1)
    raise SystemExit(f"bench_verkenner: de pool van {pool} kernels was na {timeout:.0f} s niet klaar")


def _driver(profile: str):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
    for flag in FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.page_load_strategy = "none"  # get() returns at once; the wait for the first chart is the measure
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_script_timeout(120)  # a page still busy loading answers late; its times are its own
    return driver


#: Put into every page before its own scripts run (CDP ``Page.addScriptToEvaluateOnNewDocument``):
#: the page itself notes, in ``performance.now()`` milliseconds, each moment the chart (the
#: ``img.verkenner-grafiek`` the Image widget fills with a ``blob:``/``data:`` address) got a new
#: picture. The benchmark reads those moments every half second instead of asking the browser
#: twenty times a second whether the chart is there yet: the times are exact to the millisecond, and
#: ten sessions polling at 20 Hz no longer take CPU from the server being measured.
WATCH_CHARTS = """
window.__verkenner = {charts: [], last: ''};
new MutationObserver(() => {
  const img = document.querySelector('img.verkenner-grafiek');
  const src = (img && img.getAttribute('src')) || '';
  if ((src.startsWith('data:image') || src.startsWith('blob:')) && src !== window.__verkenner.last) {
    window.__verkenner.last = src;
    window.__verkenner.charts.push(performance.now());
  }
}).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
"""
POLL_S = 0.5


def _charts(driver) -> dict:
    """What the page noted: its time origin (epoch ms), the chart moments and the change moment."""
    return driver.execute_script(
        "const v = window.__verkenner || {charts: []};"
        "return {origin: performance.timeOrigin, charts: v.charts, changed: v.changed === undefined ? null : v.changed};"
    )


def _each(driver, windows: list[str], ready, timeout: float, what: str) -> list[dict]:
    """Read every window's notes each half second until ``ready(window, notes)`` holds for all."""
    deadline, done = time.monotonic() + timeout, {}
    while len(done) < len(windows):
        if time.monotonic() > deadline:
            raise TimeoutError(f"na {timeout:.0f} s toonden {len(windows) - len(done)} van de {len(windows)} "
                               f"sessies nog geen {what}")
        for window in windows:
            if window not in done:
                driver.switch_to.window(window)
                noted = _charts(driver)
                if ready(window, noted):
                    done[window] = noted
        time.sleep(POLL_S)
    return [done[w] for w in windows]


def _choose(driver, css: str, label: str) -> int:
    """Pick ``label`` in the dropdown ``css``; the page notes the moment. Returns the charts so far."""
    from selenium.webdriver.common.by import By

    select = driver.find_element(By.CSS_SELECTOR, f"{css} select")
    return driver.execute_script(
        "const s = arguments[0]; const plain = t => t.replace(/\\u00a0/g, ' ');"
        "const i = Array.from(s.options).findIndex(o => plain(o.text) === arguments[1]);"
        "if (i < 0) throw new Error('optie ontbreekt: ' + arguments[1]);"
        "const v = window.__verkenner; const before = v.charts.length; v.changed = performance.now();"
        "s.selectedIndex = i; s.dispatchEvent(new Event('change', {bubbles: true})); return before;",
        select, label,
    )


def _wait_until_idle(cpu, timeout: float = 60) -> None:
    """Until ``cpu()`` (CPU seconds) has grown by less than 0.1 s per second for 2 s."""
    deadline, last, quiet = time.monotonic() + timeout, cpu(), 0
    while quiet < 2 and time.monotonic() < deadline:
        time.sleep(1)
        now = cpu()
        quiet, last = (quiet + 1 if now - last < 0.1 else 0), now


def _own_cpu_s(server: int) -> float:
    """CPU seconds of the browsers: this script's process tree (chromedriver, Chromium) less the server's."""
    skip = set(_tree(server)) | {os.getpid()}
    return _cpu_s([p for p in _tree(os.getpid()) if p not in skip])


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _open_all(driver, url: str, n: int, timeout: float = 300) -> tuple[list[str], list[float]]:
    """Open ``url`` in ``n`` windows one after the other (each ``get`` returns at once) and wait
    until each shows its first chart; returns the windows and, per window, page open → first chart."""
    windows, opened = [], []
    for i in range(n):
        if i:
            driver.switch_to.new_window("window")
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH_CHARTS})
        windows.append(driver.current_window_handle)
    for window in windows:
        driver.switch_to.window(window)
        opened.append(time.time())
        driver.get(url)
    first = _each(driver, windows, lambda window, noted: noted["charts"], timeout, "eerste grafiek")
    return windows, [(noted["origin"] + noted["charts"][0]) / 1000 - t0 for noted, t0 in zip(first, opened)]


def _change_all(driver, windows: list[str], regions: list[str], timeout: float = 180) -> list[float]:
    """In every window pick another region, one right after the other; per window, change → new chart."""
    before = []
    for window, region in zip(windows, regions):
        driver.switch_to.window(window)
        before.append(_choose(driver, ".verkenner-regio", region))
    counts = dict(zip(windows, before))
    done = _each(driver, windows, lambda window, noted: len(noted["charts"]) > counts[window], timeout,
                 "nieuwe grafiek")
    return [(n["charts"][counts[w]] - n["changed"]) / 1000 for w, n in zip(windows, done)]


class Failed(Exception):
    """One repeat did not finish; its message is the one line to print."""


def measure(n: int, pool: int, regions: list[str]) -> dict:
    """One repeat: a fresh server and browser, ``n`` sessions opened at once, then one change each."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    server = _start_server(port, pool)
    sampler = MemorySampler(server.pid)
    sampler.start()
    driver, profile = None, tempfile.mkdtemp(prefix="bench-verkenner-chromium-")
    try:
        ready = _wait_for_pool(server, port, pool)
        driver = _driver(profile)
        _wait_until_idle(lambda: _own_cpu_s(server.pid))  # a participant's browser is open before the room starts
        cpu_before, own_before, wall = sampler.cpu_s(), _own_cpu_s(server.pid), time.monotonic()
        try:
            windows, first = _open_all(driver, url, n)
            _wait_until_idle(lambda: _own_cpu_s(server.pid))  # pages load on after their chart; then one looks, and picks
            update = _change_all(driver, windows, regions)
        except Exception as exc:  # noqa: BLE001 - one line on what did not work
            text = (str(exc).strip().splitlines() or [""])[0][:200]
            raise Failed(f"bench_verkenner: {exc.__class__.__name__}: {text}") from None
        return {"ready": ready, "wall": time.monotonic() - wall, "first": first, "update": update,
                "server_cpu": sampler.cpu_s() - cpu_before, "browser_cpu": _own_cpu_s(server.pid) - own_before,
                "peak": sampler.peak, "load": os.getloadavg()[0]}
    finally:
        if driver is not None:
            try:
                driver.quit()
            except Exception:  # noqa: BLE001
                pass
        shutil.rmtree(profile, ignore_errors=True)
        sampler.stop.set()
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(server.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--pool", type=int, default=None, help="pre-heated kernels (default: --sessions)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="whole measurements, each with a fresh server and browser; the p95 lines are their medians")
    args = parser.parse_args(argv)
    if not (shutil.which("chromium") or shutil.which("chromium-browser")) or not shutil.which("chromedriver"):
        print("bench_verkenner: chromium en chromedriver ontbreken; installeer ze met 'make browser'.", file=sys.stderr)
        return 2
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(SystemExit("bench_verkenner: tijdslimiet")))
    signal.alarm(HARD_LIMIT_S * max(1, args.repeats))

    sys.path.insert(0, str(ROOT))
    from impactlib import explorer

    n, pool = args.sessions, args.pool if args.pool is not None else args.sessions
    default = "Zaanstreek-Waterland"
    regions = [name for name, key in explorer.region_options() if name not in (default, "Nederland")][:n]
    runs = []
    try:
        for i in range(max(1, args.repeats)):
            run = measure(n, pool, regions)
            runs.append(run)
            print(f"repeat={i + 1} pool_ready_s={run['ready']:.1f} machine_load_1m={run['load']:.2f} "
                  f"sessions_wall_s={run['wall']:.1f} server_cpu_s={run['server_cpu']:.1f} "
                  f"browsers_cpu_s={run['browser_cpu']:.1f} first_median_s={statistics.median(run['first']):.2f} "
                  f"first_p95_s={_p95(run['first']):.2f} update_median_s={statistics.median(run['update']):.2f} "
                  f"update_p95_s={_p95(run['update']):.2f} peak_mb={run['peak']:.0f}", flush=True)
    except Failed as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        signal.alarm(0)
    print(f"machine_cpus={os.cpu_count()} (server_cpu_s: Voilà and its kernels while the sessions ran; "
          "browsers_cpu_s: the one Chromium of this benchmark, all its windows)")
    print(f"explorer_pool_ready_s={statistics.median(r['ready'] for r in runs):.1f}")
    print(f"explorer_first_median_s={statistics.median(statistics.median(r['first']) for r in runs):.2f}")
    print(f"explorer_update_median_s={statistics.median(statistics.median(r['update']) for r in runs):.2f}")
    print(f"explorer_sessions={n}")
    print(f"explorer_first_p95_s={statistics.median(_p95(r['first']) for r in runs):.2f}")
    print(f"explorer_update_p95_s={statistics.median(_p95(r['update']) for r in runs):.2f}")
    print(f"explorer_peak_mb={max(r['peak'] for r in runs):.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
