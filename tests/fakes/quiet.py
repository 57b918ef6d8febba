"""The threaded `http.server` every fake runs on, quiet about clients that hang up."""

from __future__ import annotations

import sys
from http.server import ThreadingHTTPServer


class QuietServer(ThreadingHTTPServer):
    """A client that hangs up mid-answer (a retrying SDK giving up on a 500, a stream the
    caller stopped reading) is not news. The default handler prints its traceback to
    `sys.stderr` from a server thread, which may by then be the captured stderr of a later
    test's command, so that test sees a traceback it never caused."""

    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)
