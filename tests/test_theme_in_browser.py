"""The theme in Debian's Chromium: axe-core finds no WCAG 2.2 AA or
best-practice violation on any page type, in both colour schemes, at 375 px and
1280 px; nothing is fetched from another host; the keyboard reaches every link;
the layout reflows at 320 px; the print stylesheet leaves only the article."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import ROOT, build_site, tool_missing

# Debian's Chromium here and in .ci/run; CHROMIUM_PATH names another (GitHub's runners).
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# One page of every type (addresses in the browsed site: four articles a page).
PAGE_TYPES = {
    "home": "",
    "home, page 2": "page/2/",
    "article": "when-a-part-resists-action/",
    "article, one line": "one-line/",
    "page": "about/",
    "contact": "contact/",
    "newsletter": "newsletter/",
    "tag": "tag/parts/",
    "category": "category/coaching/",
    "author": "author/jordan-avery/",
    "author, page 2": "author/jordan-avery/page/2/",
    "archives": "archives/",
    "year archive": "archives/2026/",
    "tags": "tags/",
    "categories": "categories/",
    "authors": "authors/",
    "404": "404.html",
}
SCHEMES = ["light", "dark"]
WIDTHS = [375, 1280]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        tool_missing("Chromium (/usr/bin/chromium, apt-get install chromium)")
    if not AXE.exists():
        tool_missing("axe-core (npm ci)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        tool_missing("Playwright for Python (pip install -r requirements.txt)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the standard library's name
        pass


def serve(folder: Path):
    """Serve `folder` on loopback; yields its address."""
    handler = functools.partial(QuietHandler, directory=folder)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def site_address(browsed_site):
    yield from serve(browsed_site)


@pytest.fixture(scope="module")
def booking_address(tmp_path_factory):
    """The sample site with a booking page and a logo (the other look of the
    home page, About and the header), relative addresses."""
    output = tmp_path_factory.mktemp("browsed-booking") / "output"
    settings = ('BOOKING_URL="https://cal.com/jordan-avery"', 'SITE_LOGO="images/portrait.jpg"')
    yield from serve(build_site(output, "pelicanconf.py", extra=("-e", *settings)))


def open_context(browser, scheme="light", width=1280):
    context = browser.new_context(
        viewport={"width": width, "height": 800}, color_scheme=scheme, reduced_motion="reduce"
    )
    context.set_default_timeout(15_000)
    return context


def test_every_page_type_exists(browsed_site):
    for name, path in PAGE_TYPES.items():
        target = browsed_site / path
        assert (target if path.endswith(".html") else target / "index.html").exists(), name


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_axe_finds_no_violations(browser, site_address, booking_address, scheme, width):
    context = open_context(browser, scheme, width)
    page = context.new_page()
    found = {}
    with_booking = {
        f"{name}, booking and logo": (booking_address, PAGE_TYPES[name])
        for name in ("home", "article", "page")
    }
    pages = {name: (site_address, path) for name, path in PAGE_TYPES.items()} | with_booking
    for name, (address, path) in pages.items():
        page.goto(address + path)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
        passed = {rule["id"] for rule in result["passes"]}
        assert {"color-contrast", "target-size", "landmark-one-main", "skip-link"} <= passed, name
        for violation in result["violations"]:
            targets = [n["target"] for n in violation["nodes"]][:3]
            found.setdefault(name, []).append(f"{violation['id']}: {targets}")
    context.close()
    assert found == {}, f"{scheme} {width}px: {found}"


def test_no_request_leaves_the_site(browser, site_address):
    context = open_context(browser)
    host = urlsplit(site_address).netloc
    elsewhere = []

    def note(request):
        parts = urlsplit(request.url)
        if parts.scheme not in ("data", "about") and parts.netloc != host:
            elsewhere.append(request.url)

    context.on("request", note)
    context.route(lambda url: urlsplit(url).netloc != host, lambda route: route.abort())
    page = context.new_page()
    for path in PAGE_TYPES.values():
        page.goto(site_address + path, wait_until="networkidle")
    context.close()
    assert elsewhere == []


FOCUSABLE = """() => [...document.querySelectorAll(
  'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])')]
  .filter(e => e.tabIndex >= 0 && e.getClientRects().length
          && getComputedStyle(e).visibility !== 'hidden')
  .map(e => e.outerHTML)"""
ACTIVE = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const r = e.getBoundingClientRect();
  return {html: e.outerHTML, outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
          visible: r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight};
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_the_keyboard_reaches_every_link_with_visible_focus(browser, site_address, width):
    context = open_context(browser, width=width)
    page = context.new_page()
    for name in ("home", "article", "contact", "newsletter", "tag", "404"):
        page.goto(site_address + PAGE_TYPES[name])
        expected = page.evaluate(FOCUSABLE)
        reached = []
        for _ in range(len(expected) + 5):
            page.keyboard.press("Tab")
            active = page.evaluate(ACTIVE)
            if active is None or (reached and active["html"] == reached[0]):
                break
            assert active["outline"], f"{name}: no visible focus on {active['html']}"
            assert active["visible"], f"{name}: focused element off screen: {active['html']}"
            reached.append(active["html"])
        assert reached and "Skip to content" in reached[0], name
        assert sorted(reached) == sorted(expected), name
    context.close()


def test_the_skip_link_moves_to_the_content(browser, site_address):
    context = open_context(browser, width=375)
    page = context.new_page()
    page.goto(site_address + PAGE_TYPES["article"])
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    context.close()


def test_pages_reflow_at_320_px_without_horizontal_scrolling(browser, site_address):
    context = open_context(browser, width=320)
    page = context.new_page()
    wide = []
    for name, path in PAGE_TYPES.items():
        page.goto(site_address + path)
        if page.evaluate("document.documentElement.scrollWidth") > 320:
            wide.append(name)
    context.close()
    assert wide == []


@pytest.mark.parametrize("width", WIDTHS)
def test_contact_and_subscribe_links_sit_in_the_same_place_everywhere(browser, site_address, width):
    context = open_context(browser, width=width)
    page = context.new_page()
    places = {}
    for name, path in PAGE_TYPES.items():
        page.goto(site_address + path)
        boxes = []
        for label in ("Subscribe", "Contact"):
            link = page.locator("header").get_by_role("link", name=label, exact=True)
            box = link.bounding_box()
            boxes.append((round(box["x"]), round(box["y"])))
        places[name] = tuple(boxes)
    context.close()
    assert len(set(places.values())) == 1, places


def test_print_shows_the_article_without_navigation_or_forms(browser, site_address):
    context = open_context(browser)
    page = context.new_page()
    page.goto(site_address + PAGE_TYPES["article"])
    page.emulate_media(media="print")
    for selector in (".masthead nav", ".colophon", ".invite", ".end", ".portrait", ".skip"):
        assert not page.locator(selector).first.is_visible(), selector
    assert page.locator("article h1").is_visible()
    assert page.locator(".prose").is_visible()
    context.close()


def test_ci_runs_the_browser_tests():
    """CI must never skip these: .ci/run sets CI and installs Chromium and npm tools."""
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "chromium" in script and "npm ci" in script and "export CI=" in script
    quick_start = script.strip().splitlines()[-2:]
    assert quick_start == [
        "python3 -m pip install -r requirements.txt && python3 -m invoke build",
        "python3 -m invoke test",
    ]


BOX = """s => [...document.querySelectorAll(s)].map(e => {
  const r = e.getBoundingClientRect();
  return {x: Math.round(r.x), y: Math.round(r.y), width: Math.round(r.width),
          bottom: Math.round(r.bottom)};
})"""


def boxes(page, selector):
    found = page.evaluate(BOX, selector)
    assert found, selector
    return found


def test_wide_screens_give_lists_and_the_article_end_their_width(browser, site_address):
    """At 1280 px: the header, the home page's hero, its articles beside a side
    column, card grids on lists and the article's end use the screen; the text
    keeps its reading width."""
    context = open_context(browser, width=1280)
    page = context.new_page()
    for path in PAGE_TYPES.values():
        page.goto(site_address + path)
        (brand,), (subscribe,) = boxes(page, ".brand"), boxes(page, ".masthead .subscribe")
        assert subscribe["x"] + subscribe["width"] - brand["x"] >= 1000, path
    page.goto(site_address)
    (hero,), (latest,), (side,) = boxes(page, ".hero"), boxes(page, ".latest"), boxes(page, ".side")
    assert hero["width"] >= 1000 and latest["width"] >= 600
    assert side["x"] >= latest["x"] + latest["width"] and side["y"] < latest["bottom"]
    for path in ("", PAGE_TYPES["tag"], PAGE_TYPES["author"]):
        page.goto(site_address + path)
        cards = boxes(page, ".cards > li")
        assert len({c["x"] for c in cards}) >= 2 and cards[0]["y"] == cards[1]["y"], path
    page.goto(site_address + PAGE_TYPES["article"])
    (prose,) = boxes(page, ".prose")
    assert 560 <= prose["width"] <= 700, "the text keeps its measure"
    (end,) = boxes(page, ".end")
    parts = boxes(page, ".end > *")
    assert end["width"] >= 1000 and len(parts) == 3
    assert len({p["y"] for p in parts}) == 1 and len({p["x"] for p in parts}) == 3
    page.goto(site_address + PAGE_TYPES["page"])
    (portrait,), (heading,) = boxes(page, ".about .portrait"), boxes(page, ".about h1")
    assert portrait["x"] + portrait["width"] < heading["x"], "About: the portrait beside the text"
    context.close()


def test_phones_stack_the_home_page_and_fetch_a_small_portrait(browser, site_address):
    context = open_context(browser, width=375)
    page = context.new_page()
    pictures = []
    page.on(
        "response",
        lambda r: pictures.append(len(r.body())) if r.request.resource_type == "image" else None,
    )
    page.goto(site_address, wait_until="networkidle")
    (latest,), (side,) = boxes(page, ".latest"), boxes(page, ".side")
    assert side["y"] >= latest["bottom"], "the side column follows the articles"
    (portrait,) = boxes(page, ".hero .portrait")
    assert portrait["width"] <= 160
    assert pictures and sum(pictures) <= 40_000, pictures
    context.close()


HEADER_ROWS = """() => {
  const items = [...document.querySelectorAll('.masthead .brand, .masthead nav a, .subscribe')];
  const rows = new Set(items.map(e => { const r = e.getBoundingClientRect();
    return Math.round((r.top + r.bottom) / 2 / 8); }));
  const name = document.createRange();
  name.selectNodeContents(document.querySelector('.brand').lastChild);
  const tops = new Set([...name.getClientRects()].map(r => Math.round(r.top)));
  return {rows: rows.size, right: Math.max(...items.map(e => e.getBoundingClientRect().right)),
          nameLines: tops.size,
          height: document.querySelector('.masthead').getBoundingClientRect().height,
          scroll: document.documentElement.scrollWidth};
}"""


@pytest.mark.parametrize("width", [320, 375])
def test_the_header_fits_a_phone_in_two_rows(browser, site_address, booking_address, width):
    """The site's name (with the logo, when there is one) on one line, the menu
    and Subscribe on the next; nothing wider than the screen."""
    context = open_context(browser, width=width)
    page = context.new_page()
    for address in (site_address, booking_address):
        for path in ("", PAGE_TYPES["article"]):
            page.goto(address + path)
            header = page.evaluate(HEADER_ROWS)
            where = (address, path, header)
            assert header["rows"] == 2 and header["nameLines"] == 1, where
            assert header["right"] <= width - 16 and header["scroll"] == width, where
            assert header["height"] <= 140, where  # three rows: 162 px
    context.close()
