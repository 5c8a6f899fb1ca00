"""``impactmonitor verkenner``: the explorer as a web page without code (Voilà), on this computer.

    impactmonitor verkenner                  # opens http://127.0.0.1:8866/ in the browser
    impactmonitor verkenner --port 8900 --no-browser

Voilà runs ``notebooks/verkenner.ipynb`` in a fresh kernel for every visitor and shows only
its output: the dropdowns, the chart, the sentence and the verdict. The server listens on
127.0.0.1 only. The data options (``--source``, ``--snapshot``, ...) reach the kernels through
the same environment variables as ``impactmonitor run``.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys

from ..errors import DataFault, UserInputError
from ..params import PROJECT_ROOT
from .common import add_data_options, apply_data_options, emit_json

NOTEBOOK = PROJECT_ROOT / "notebooks" / "verkenner.ipynb"
HOST = "127.0.0.1"
DEFAULT_PORT = 8866


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "verkenner",
        help="start de verkenner (keuzelijsten, grafiek, zin en oordeel) als webpagina op deze computer",
        description="Start de verkenner als webpagina zonder code (Voilà) op http://127.0.0.1:POORT/. "
        "Deelnemers kiezen een regio, indicator, periode en vergelijking; grafiek, zin en oordeel "
        "veranderen mee. Stoppen met Ctrl+C.",
    )
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"poort (standaard: {DEFAULT_PORT})")
    p.add_argument("--no-browser", action="store_true", help="open de browser niet vanzelf")
    add_data_options(p)
    p.set_defaults(func=run)


def port_free(port: int, host: str = HOST) -> bool:
    """True when nothing listens on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def voila_command(port: int, *, open_browser: bool) -> list[str]:
    """The Voilà command line: only 127.0.0.1, no other port, no tracebacks for visitors."""
    return [
        sys.executable, "-m", "voila", str(NOTEBOOK),
        f"--Voila.port={port}", f"--Voila.ip={HOST}", "--Voila.port_retries=0",
        f"--Voila.open_browser={open_browser}", "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.theme=light", "--Voila.log_level=WARN",
    ]


def _check(port: int) -> None:
    if not 1024 <= port <= 65535:
        raise UserInputError(f"Poort {port} kan niet; kies een poort van 1024 tot en met 65535, bijvoorbeeld {DEFAULT_PORT}.")
    if importlib.util.find_spec("voila") is None:
        raise DataFault("Voilà is niet geïnstalleerd; installeer het met 'pip install voila' (of 'make install').")
    if not NOTEBOOK.is_file():
        raise DataFault(f"Het notebook {NOTEBOOK} ontbreekt; de verkenner draait vanuit een kopie van het project.")
    if not port_free(port):
        raise UserInputError(f"Poort {port} is al in gebruik; kies een andere met --port, bijvoorbeeld --port {port + 1}.")


def _interrupt(_signum, _frame):
    raise KeyboardInterrupt


def run(args) -> int:
    from ..explorer import LIVE_ENV
    from ..run.execute import kernel_environment

    _check(args.port)
    apply_data_options(args)
    kernel_environment()
    os.environ[LIVE_ENV] = "voila"
    url = f"http://{HOST}:{args.port}/"
    if args.json:
        emit_json({"url": url, "notebook": str(NOTEBOOK)})
    else:
        print(f"Verkenner: {url}  (alleen op deze computer; stoppen met Ctrl+C)", flush=True)
    process = subprocess.Popen(voila_command(args.port, open_browser=not args.no_browser))
    signal.signal(signal.SIGTERM, _interrupt)  # a stopped command also stops its Voilà server
    try:
        code = process.wait()
    except KeyboardInterrupt:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        return 0
    if code != 0:
        raise DataFault(f"Voilà stopte met foutcode {code}; draai opnieuw met --debug of kies een andere --port.")
    return 0
