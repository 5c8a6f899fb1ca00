"""``impactmonitor verkenner``: the explorer as a web page without code (Voilà), for one or a room.

    impactmonitor verkenner                  # opens http://127.0.0.1:8866/ in the browser
    impactmonitor verkenner --port 8900 --no-browser
    impactmonitor verkenner --bind 0.0.0.0   # a training room: prints the address (and a QR code)

Voilà runs ``notebooks/verkenner.ipynb`` in a kernel of its own for every visitor and shows only
its output: the dropdowns, the chart, the sentence, the verdict, the table and the downloads.
By default the server listens on 127.0.0.1 only; ``--bind 0.0.0.0`` lets everyone in the same
network reach it at the address this command prints. Voilà's pre-heated kernels
(``VoilaConfiguration.preheat_kernel`` with a pool of ``--pool`` kernels per notebook) have the
explorer ready before a participant arrives; Voilà refills the pool after each visitor.
Through :mod:`.voila_room` the server shows the explorer only: no notebook listing, no files,
no terminal, no kernels to start, and (as Voilà does) no code execution from the browser.
The data options (``--source``, ``--snapshot``, ...) reach the kernels through the same
environment variables as ``impactmonitor run``.
"""

from __future__ import annotations

import importlib.util
import ipaddress
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
ROOM_POOL = 10  # pre-heated explorers with --bind 0.0.0.0 (a room); 1 on this computer alone
CULL_AFTER_S = 600  # a kernel whose browser left is stopped after 10 minutes
#: Voilà refills its pool this long after a participant took a kernel (Voilà's default: 1 s), and
#: then one kernel at a time (:func:`.voila_room.in_turn`), so a room arriving at once is not slowed
#: down by ten kernels starting beside it on a 2-core laptop.
FILL_DELAY_S = 30


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "verkenner",
        help="start de verkenner (keuzelijsten, grafiek, zin en oordeel) als webpagina op deze computer",
        description="Start de verkenner als webpagina zonder code (Voilà) op http://127.0.0.1:POORT/, of met "
        "--bind 0.0.0.0 voor iedereen in het netwerk van een trainingszaal. Deelnemers kiezen een regio, "
        "indicator, periode en vergelijking; grafiek, zin, oordeel en tabel veranderen mee, en wat ze zien "
        "kunnen ze downloaden (CSV en PNG). Stoppen met Ctrl+C.",
    )
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"poort (standaard: {DEFAULT_PORT})")
    p.add_argument("--bind", default=HOST,
                   help="netwerkadres (standaard 127.0.0.1: alleen deze computer; 0.0.0.0 = iedereen in het "
                        "netwerk, voor een trainingszaal)")
    p.add_argument("--pool", type=int, default=None,
                   help=f"aantal verkenners dat klaarstaat voordat deelnemers komen (standaard: {ROOM_POOL} met "
                        "--bind 0.0.0.0, anders 1); neem ongeveer het aantal deelnemers")
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


def voila_command(port: int, *, open_browser: bool, bind: str = HOST, pool: int = 1) -> list[str]:
    """The Voilà command line (through :mod:`.voila_room`): one address, no other port, no tracebacks
    for visitors, ``pool`` pre-heated kernels, kernels of visitors who left stopped after a while."""
    command = [
        sys.executable, "-m", "impactlib.cli.voila_room", str(NOTEBOOK),
        f"--Voila.port={port}", f"--Voila.ip={bind}", "--Voila.port_retries=0",
        f"--Voila.open_browser={open_browser}", "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.theme=light", "--Voila.log_level=WARN",
        "--VoilaConfiguration.file_allowlist=[]",
        f"--MappingKernelManager.cull_idle_timeout={CULL_AFTER_S}", "--MappingKernelManager.cull_interval=60",
    ]
    if pool > 0:
        command += ["--VoilaConfiguration.preheat_kernel=True", f"--VoilaConfiguration.default_pool_size={pool}",
                    f"--VoilaKernelManager.fill_delay={FILL_DELAY_S}"]
    return command


def _bind(text: str) -> str:
    try:
        return str(ipaddress.ip_address(str(text).strip()))
    except ValueError:
        raise UserInputError(f"--bind '{str(text)[:40]}' is geen netwerkadres; gebruik 127.0.0.1 (alleen deze computer) "
                             "of 0.0.0.0 (iedereen in het netwerk).") from None


def _check(port: int, bind: str = HOST, pool: int = 1) -> None:
    if not 1024 <= port <= 65535:
        raise UserInputError(f"Poort {port} kan niet; kies een poort van 1024 tot en met 65535, bijvoorbeeld {DEFAULT_PORT}.")
    if importlib.util.find_spec("voila") is None:
        raise DataFault("Voilà is niet geïnstalleerd; installeer het met 'pip install voila' (of 'make install').")
    if not NOTEBOOK.is_file():
        raise DataFault(f"Het notebook {NOTEBOOK} ontbreekt; de verkenner draait vanuit een kopie van het project.")
    if not 0 <= pool <= 100:
        raise UserInputError(f"--pool {pool} kan niet; kies 0 tot en met 100 (ongeveer het aantal deelnemers).")
    if not port_free(port, bind):
        raise UserInputError(f"Poort {port} is al in gebruik; kies een andere met --port, bijvoorbeeld --port {port + 1}.")


def _interrupt(_signum, _frame):
    raise KeyboardInterrupt


def run(args) -> int:
    from ..explorer import LIVE_ENV
    from ..room import announce, is_everywhere, room_urls
    from ..run.execute import kernel_environment

    bind = _bind(args.bind)
    room = is_everywhere(bind)
    pool = args.pool if args.pool is not None else (ROOM_POOL if room else 1)
    _check(args.port, bind, pool)
    apply_data_options(args)
    kernel_environment()
    os.environ[LIVE_ENV] = "voila"
    here = HOST if room else bind
    url = f"http://{here}:{args.port}/"
    if args.json:
        emit_json({"url": url, "room_urls": room_urls(args.port) if room else [], "bind": bind, "pool": pool,
                   "notebook": str(NOTEBOOK)})
    elif room:
        print(f"Verkenner op deze computer: {url}; hij luistert op het hele netwerk (poort {args.port}).", flush=True)
        announce("Verkenner", args.port)
        print(f"Er staan zo {pool} verkenners klaar (voorverwarmd; start een paar minuten voor de deelnemers komen); "
              "Voilà vult ze aan als er iemand binnenkomt. Er is geen wachtwoord: gebruik dit alleen in het netwerk "
              "van de zaal. "
              "Stoppen met Ctrl+C.", flush=True)
    else:
        print(f"Verkenner: {url}  (alleen op deze computer; stoppen met Ctrl+C)", flush=True)
    command = voila_command(args.port, open_browser=not args.no_browser and not room, bind=bind, pool=pool)
    process = subprocess.Popen(command)
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
