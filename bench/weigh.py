"""Print what a page costs a reader: its HTML plus every stylesheet and script
it loads, in bytes, uncompressed and gzipped, and apart from them its pictures.

    python3 bench/weigh.py [OUTPUT_FOLDER]   (default: output/)

The figures are for the pages the theme's budgets name: the home page and an
article (the shortest one, the one-line article when the tests build it).
"""

from __future__ import annotations

import gzip
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
    # Each picture the page shows (its `src`) -> bytes; not in the totals above.
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


def weigh(site: Path, page: Path) -> Weight:
    """Bytes of `page` and of the stylesheets and scripts it links."""
    data = page.read_bytes()
    tree = html.fromstring(data)
    css = [_local(site, page, n.get("href")) for n in tree.xpath('//link[@rel="stylesheet"]')]
    js = [_local(site, page, n.get("src")) for n in tree.xpath("//script[@src]")]
    files = [f.read_bytes() for f in css + js]
    pictures = {src: _local(site, page, src).stat().st_size for src in tree.xpath("//img/@src")}
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
