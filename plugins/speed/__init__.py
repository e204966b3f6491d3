"""The speed layer: plugins that only make the build faster (docs/speed.md).

Stands in for: Pelican 4.12's reading, rendering, address, template and cache
functions named in each plugin's docstring. Saves: 30% of a cold build and 22%
of a warm one at 1,000 articles on 2 cores, against SPEED_LAYER=0 (fastest of
3 interleaved runs: cold 5.56 against 7.97 s, warm 1.96 against 2.50 s).

Each package here stands in for a Pelican function with a
cheaper one that gives the same bytes; none adds anything a reader sees. The
SPEED_LAYER switch (from the environment, read by pelicanconf.py) leaves all of
them out of PLUGINS at once, so a build runs Pelican's own code, serially: if a
problem stays with the layer off, it is Pelican's (or a feature plugin's), not
the layer's.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

__all__ = ["LAYER", "layer_is_on", "speed_plugins"]

# The layer's plugins, in the order PLUGINS lists them (pelicanconf.py places
# each among the other plugins: the order matters, see the comments there).
LAYER = (
    "pelican_shortcuts",
    "content_cache",
    "parallel_build",
    "template_cache",
    "article_lists",
    "frozen_urls",
)

_ON = {"", "1", "true", "yes", "on"}
_OFF = {"0", "false", "no", "off"}


def layer_is_on(environ: Mapping[str, str] = os.environ) -> bool:
    """The SPEED_LAYER environment variable: on unless it says 0, false, no or off."""
    value = environ.get("SPEED_LAYER", "").strip().lower()
    if value in _ON:
        return True
    if value in _OFF:
        return False
    raise SystemExit(
        f"The SPEED_LAYER environment variable is {environ['SPEED_LAYER']!r}. "
        "Fix: set SPEED_LAYER=0 to build with plain Pelican's code, or unset it "
        "(or SPEED_LAYER=1) for the speed layer"
    )


def speed_plugins(on: bool, *names: str) -> list[str]:
    """The PLUGINS entries of the layer's `names` when it is on, none when off."""
    unknown = [name for name in names if name not in LAYER]
    if unknown:
        raise ValueError(f"not in the speed layer: {unknown}")
    return [f"speed.{name}" for name in names] if on else []
