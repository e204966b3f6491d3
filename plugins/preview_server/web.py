"""The preview web server: serves output/ on localhost, puts the last build's
problems at the top of every page while they last (overlay.py), and tells open
pages to reload after each build, good or not, through a Server-Sent Events stream.

Only `invoke serve` uses it; the published site carries none of this.
"""

from __future__ import annotations

import errno
import threading
from collections.abc import Callable
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .overlay import PROBLEMS_CSS, STYLESHEET, Failure, with_overlay

EVENTS = "/__preview/events"
SCRIPT = "/__preview/reload.js"
RELOAD_JS = b"new EventSource('" + EVENTS.encode() + b"').onmessage = () => location.reload();\n"
TAG = f'<script src="{SCRIPT}" defer></script>'.encode()
NOT_BUILT = (
    b'<!doctype html><html lang="en"><head><meta charset="utf-8">'
    b"<title>Not built yet</title></head><body></body></html>"
)


class Reloads:
    """Counts finished builds; each event stream waits for the next one."""

    def __init__(self) -> None:
        self.generation = 0
        self._changed = threading.Condition()

    def announce(self) -> None:
        with self._changed:
            self.generation += 1
            self._changed.notify_all()

    def wait_after(self, generation: int, timeout: float) -> int:
        with self._changed:
            self._changed.wait_for(lambda: self.generation != generation, timeout)
            return self.generation


class PortInUse(Exception):
    """The port is taken (most often by an `invoke serve` already running)."""


class PreviewHandler(SimpleHTTPRequestHandler):
    reloads: Reloads
    failure: Callable[[], Failure | None]  # why the last build did not finish

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = self.path.split("?", 1)[0]
        if path == EVENTS:
            return self._stream_reloads()
        if path == SCRIPT:
            return self._send(RELOAD_JS, "text/javascript")
        if path == STYLESHEET:
            return self._send(PROBLEMS_CSS, "text/css")
        page = self._html_page(path)
        failure = self.failure()
        if page is None and failure and self._no_site(path):
            # No good build to show (the first failed, or a publish build emptied
            # the folder before it failed): the problems are the page.
            body = NOT_BUILT
        elif page is None:
            return super().do_GET()
        else:
            body = page.read_bytes()
        if failure:
            body = with_overlay(body, failure)
        end = body.rfind(b"</body>")
        body = body[:end] + TAG + body[end:] if end >= 0 else body + TAG
        return self._send(body, "text/html; charset=utf-8")

    def _html_page(self, path: str) -> Path | None:
        file = Path(self.translate_path(path))
        if file.is_dir():
            if not path.endswith("/"):
                return None  # let http.server redirect to the address with a slash
            file = file / "index.html"
        return file if file.suffix == ".html" and file.is_file() else None

    def _no_site(self, path: str) -> bool:
        wants_page = path.endswith(("/", ".html"))
        return wants_page and not Path(self.directory, "index.html").is_file()

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _stream_reloads(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = self.reloads.generation
        try:
            while True:
                now = self.reloads.wait_after(seen, timeout=15)
                message = b"data: reload\n\n" if now != seen else b": still here\n\n"
                self.wfile.write(message)
                self.wfile.flush()
                seen = now
        except (BrokenPipeError, ConnectionResetError):
            return

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass  # keep the terminal for build messages


def open_server(
    output: str, host: str, port: int, reloads: Reloads, failure: Callable[[], Failure | None]
) -> ThreadingHTTPServer:
    """Take the port (PortInUse when another program has it); serving starts with start()."""
    handler = type(
        "Handler", (PreviewHandler,), {"reloads": reloads, "failure": staticmethod(failure)}
    )
    try:
        server = ThreadingHTTPServer((host, port), partial(handler, directory=output))
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise PortInUse(port) from None
        raise
    server.daemon_threads = True
    return server


def start(server: ThreadingHTTPServer) -> None:
    threading.Thread(target=server.serve_forever, daemon=True).start()
