"""Preview server for `invoke serve`: serves output/ on localhost, rebuilds when
anything watched changes (only the changed page when just an article's or
page's text changed) and reloads open pages.

Not a build plugin: nothing in PLUGINS loads it, and the published site carries
none of it. `serve()` is the whole of it.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from watchfiles import watch

from .builder import PreviewBuilder
from .web import PortInUse, Reloads, open_server, start

__all__ = ["PortInUse", "serve"]


def serve(
    settings_file: str,
    output: str,
    watched: list[str],
    host: str,
    port: int,
    on_code_change: Callable[[], None],
    code_folder: str,
    overrides: dict | None = None,
) -> None:
    """Build, serve and rebuild on every change until interrupted; PortInUse
    (before anything is built) when the port is taken."""
    builder = PreviewBuilder(settings_file, overrides)
    reloads = Reloads()
    server = open_server(output, host, port, reloads, lambda: builder.failure)
    # Watching starts before the first build, so nothing saved meanwhile is missed.
    batches = watch(*watched, debounce=400, step=30, rust_timeout=200, yield_on_timeout=True)
    next(batches)
    builder.build()
    start(server)
    print(f"Serving http://{host}:{port}/ (Ctrl+C stops)", flush=True)
    for changes in batches:
        if not changes:
            continue  # a quiet moment
        paths = {os.path.abspath(path) for _, path in changes}
        if any(path.startswith(code_folder + os.sep) for path in paths):
            on_code_change()
        markdown_only = all(path.endswith(".md") for path in paths)
        # A failed build reloads open pages too: they show its problems at the top.
        builder.build(paths if markdown_only else None)
        reloads.announce()
