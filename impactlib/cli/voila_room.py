"""Voilà for a training room: the explorer page and nothing else.

``impactmonitor verkenner`` starts Voilà through this module (``python -m impactlib.cli.voila_room``
with Voilà's own command-line options). It is Voilà unchanged, except that the Jupyter Server
paths a participant could use to look around or run code answer 404 before Voilà sees them:
the contents API (notebook listing, file access), terminals, sessions, kernel listing and
starting, kernel specs, nbconvert, the file, tree and lab pages. What the explorer page needs
stays: the page itself, Voilà's static files and the websocket of the participant's own kernel,
on which Voilà accepts no ``execute_request`` (only widget messages).
"""

from __future__ import annotations

from jupyter_server.utils import url_path_join
from tornado import web
from voila.app import Voila

__all__ = ["REFUSED", "RoomVoila", "main"]

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
    """Voilà with :data:`REFUSED` answered 404 ahead of every other handler."""

    def init_handlers(self):
        refused = [(url_path_join(self.server_url, pattern), Refused) for pattern in REFUSED]
        return refused + super().init_handlers()


main = RoomVoila.launch_instance

if __name__ == "__main__":
    main()
