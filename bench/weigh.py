"""Print what a page costs a reader: its HTML plus every stylesheet and script
it loads, in bytes, uncompressed and gzipped, and apart from them its pictures.

    python3 bench/weigh.py [OUTPUT_FOLDER]   (default: output/)

The figures are for the pages the theme's budgets name: the home page and an
article (the shortest one, the one-line article when the tests build it).
"""

from __future__ import annotations

import gzip
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from lxml import html


@dataclass
class Weight:
    page: str
    html: int
    css: int
    js: int
    gzipped: int
    # Each picture a phone shows (what it fetches, see phone_picture) -> bytes;
    # not in the totals above.
    pictures: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.html + self.css + self.js


def _local(site: Path, page: Path, address: str) -> Path:
    parts = urlsplit(address)
    if parts.scheme or parts.netloc:
        # An absolute address of the site itself: take its path under output/.
        return site / parts.path.lstrip("/")
    base = site if parts.path.startswith("/") else page.parent
    return (base / parts.path.lstrip("/")).resolve()


# The phone the budgets are for: 375 CSS px wide, two device pixels to each.
PHONE_WIDTH, PHONE_DENSITY, REM = 375, 2, 16
_LENGTH = re.compile(r"^(?:calc\(100vw - ([\d.]+)rem\)|([\d.]+)rem|([\d.]+)vw)$")


def _slot(sizes: str) -> float:
    """The width in CSS px `sizes` gives the picture on the phone."""
    for entry in sizes.split(", "):
        query = re.match(r"^\(min-width: ([\d.]+)(?:em|rem)\) (.+)$", entry)
        if query and float(query[1]) * REM > PHONE_WIDTH:
            continue  # a wider screen's
        calc, rem, vw = _LENGTH.match(query[2] if query else entry).groups()
        if calc:
            return PHONE_WIDTH - float(calc) * REM
        return float(rem) * REM if rem else float(vw) * PHONE_WIDTH / 100
    return PHONE_WIDTH


def phone_picture(img) -> str:
    """The address a phone fetches for `img`: from its <picture>'s WebP source
    when it has one (srcset by width and `sizes`, or by density), else its src."""
    source = img.xpath("ancestor::picture[1]//source[@type='image/webp']")
    if not source:
        return img.get("src")
    candidates = [c.split() for c in source[0].get("srcset").split(", ")]
    if all(len(c) == 2 and c[1].endswith("w") for c in candidates):
        needed = _slot(source[0].get("sizes", "100vw")) * PHONE_DENSITY
        by_width = sorted((int(c[1][:-1]), c[0]) for c in candidates)
        return next((url for width, url in by_width if width >= needed), by_width[-1][1])
    density = {(c[1] if len(c) > 1 else "1x"): c[0] for c in candidates}
    return density.get(f"{PHONE_DENSITY}x", density.get("1x", candidates[0][0]))


def weigh(site: Path, page: Path) -> Weight:
    """Bytes of `page` and of the stylesheets and scripts it links."""
    data = page.read_bytes()
    tree = html.fromstring(data)
    css = [_local(site, page, n.get("href")) for n in tree.xpath('//link[@rel="stylesheet"]')]
    js = [_local(site, page, n.get("src")) for n in tree.xpath("//script[@src]")]
    files = [f.read_bytes() for f in css + js]
    shown = [phone_picture(img) for img in tree.xpath("//img")]
    pictures = {src: _local(site, page, src).stat().st_size for src in shown}
    return Weight(
        page=str(page.relative_to(site)),
        html=len(data),
        css=sum(len(f.read_bytes()) for f in css),
        js=sum(len(f.read_bytes()) for f in js),
        gzipped=sum(len(gzip.compress(b, 9)) for b in [data, *files]),
        pictures=pictures,
    )


def shortest_article(site: Path) -> Path:
    articles = [
        p
        for p in site.glob("*/index.html")
        if b'property="og:type" content="article"' in p.read_bytes()
    ]
    return min(articles, key=lambda p: len(p.read_bytes()))


def main(folder: str = "output") -> None:
    site = Path(folder)
    for page in (site / "index.html", shortest_article(site)):
        w = weigh(site, page)
        print(
            f"{w.page:40} html {w.html:6} + css {w.css:5} + js {w.js:3} = {w.total:6} bytes"
            f" | gzipped {w.gzipped:5} bytes | pictures {sum(w.pictures.values()):6} bytes"
        )


if __name__ == "__main__":
    main(*sys.argv[1:])
