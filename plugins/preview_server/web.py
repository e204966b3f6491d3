"""The preview web server: serves output/ on localhost and tells open pages to
reload after each build, through a Server-Sent Events stream.

Only `invoke serve` uses it; the published site carries none of this.
"""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

EVENTS = "/__preview/events"
SCRIPT = "/__preview/reload.js"
RELOAD_JS = b"new EventSource('" + EVENTS.encode() + b"').onmessage = () => location.reload();\n"
TAG = f'<script src="{SCRIPT}" defer></script>'.encode()


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


class PreviewHandler(SimpleHTTPRequestHandler):
    reloads: Reloads

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = self.path.split("?", 1)[0]
        if path == EVENTS:
            return self._stream_reloads()
        if path == SCRIPT:
            return self._send(RELOAD_JS, "text/javascript")
        page = self._html_page(path)
        if page is None:
            return super().do_GET()
        body = page.read_bytes()
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


def start_server(output: str, host: str, port: int, reloads: Reloads) -> ThreadingHTTPServer:
    handler = type("Handler", (PreviewHandler,), {"reloads": reloads})
    server = ThreadingHTTPServer((host, port), partial(handler, directory=output))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
