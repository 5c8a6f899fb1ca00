"""Voilà for a training room: the explorer page and nothing else.

``impactmonitor verkenner`` starts Voilà through this module (``python -m impactlib.cli.voila_room``
with Voilà's own command-line options). It is Voilà unchanged, except that its page links to no
other server (:data:`PAGE_TEMPLATE`), that it refills its pool of pre-heated kernels one at a time
(:func:`in_turn`) and that the Jupyter Server
paths a participant could use to look around or run code answer 404 before Voilà sees them:
the contents API (notebook listing, file access), terminals, sessions, kernel listing and
starting, kernel specs, nbconvert, the file, tree and lab pages. What the explorer page needs
stays: the page itself, Voilà's static files and the websocket of the participant's own kernel,
on which Voilà accepts no ``execute_request`` (only widget messages).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from jupyter_server.utils import url_path_join
from tornado import web
from voila.app import Voila

__all__ = ["PAGE_TEMPLATE", "REFILL_AT_ONCE", "REFUSED", "RoomVoila", "in_turn", "main"]

#: Our page template (``index.html.j2``), looked up before Voilà's own: Voilà's 'lab' page without
#: links to other servers, so the page loads from the trainer's server alone.
PAGE_TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "voila_room"

#: URL patterns (under the server URL) that answer 404 to everyone, for every method.
REFUSED = (
    r"/api/contents(/.*)?",
    r"/api/terminals(/.*)?",
    r"/terminals(/.*)?",
    r"/api/sessions(/.*)?",
    r"/api/kernels/?",  # listing and starting kernels; a kernel of one's own stays reachable by its id
    r"/api/kernelspecs(/.*)?",
    r"/kernelspecs(/.*)?",
    r"/api/nbconvert(/.*)?",
    r"/nbconvert(/.*)?",
    r"/api/config(/.*)?",
    r"/files(/.*)?",
    r"/voila/files(/.*)?",
    r"/voila/render(/.*)?",
    r"/voila/tree(/.*)?",
    r"/voila/api/contents(/.*)?",
    r"/tree(/.*)?",
    r"/lab(/.*)?",
    r"/notebooks(/.*)?",
    r"/edit(/.*)?",
    r"/view(/.*)?",
)


#: Kernels Voilà pre-heats at the same time when it refills its pool after participants came in.
#: Pre-heating a kernel (start it, run the explorer notebook in it) takes a few CPU seconds; ten
#: of them at once, right after a room arrived, took both cores of the trainer's laptop while the
#: participants made their first choices. One at a time leaves the other core to the room.
REFILL_AT_ONCE = 1


def in_turn(initialize, limit: int = REFILL_AT_ONCE):
    """Wrap Voilà's ``_initialize`` (start a kernel, then run the notebook in it, as a task) so that
    at most ``limit`` of them run at once, each holding its turn until its notebook has run."""
    gate: asyncio.Semaphore | None = None

    async def initialize_in_turn(*args, **kwargs):
        nonlocal gate
        gate = gate or asyncio.Semaphore(limit)  # made on the server's event loop
        async with gate:
            content = await initialize(*args, **kwargs)
            task = content.get("task") if isinstance(content, dict) else None
            if task is not None:
                await asyncio.wait([task])  # its result (or error) is Voilà's to read, as before
            return content

    return initialize_in_turn


class Refused(web.RequestHandler):
    """Not here: the same short 404 for every method."""

    def prepare(self):
        raise web.HTTPError(404)

    def write_error(self, status_code: int, **kwargs) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish("Niet beschikbaar: deze server toont alleen de verkenner.\n")

    def check_xsrf_cookie(self):  # a POST is refused the same way, not with an XSRF message
        return None


class RoomVoila(Voila):
    """Voilà with :data:`REFUSED` answered 404 ahead of every other handler, its page rendered
    through :data:`PAGE_TEMPLATE` and its pool refilled :func:`in_turn`."""

    def init_settings(self):
        settings = super().init_settings()
        manager = self.kernel_manager
        if hasattr(manager, "fill_if_needed"):  # pre-heated kernels: the first pool is already on its way
            manager._initialize = in_turn(manager._initialize)
        return settings

    def setup_template_dirs(self):
        super().setup_template_dirs()
        self.template_paths = [str(PAGE_TEMPLATE), *self.template_paths]

    def init_handlers(self):
        refused = [(url_path_join(self.server_url, pattern), Refused) for pattern in REFUSED]
        return refused + super().init_handlers()


main = RoomVoila.launch_instance

if __name__ == "__main__":
    main()
