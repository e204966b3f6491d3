"""Search: the Pagefind index holds the bodies of published articles and pages
and nothing else, and the search page finds them in Chromium, by keyboard,
under the site's own headers, with no policy violation and nothing fetched
from elsewhere; axe finds nothing on it with results shown."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import pytest
from test_headers import directives, free_port, parse_headers_file, serve_like_a_host
from test_tasks import fetch, wait_for
from test_theme_in_browser import (
    AXE,
    AXE_TAGS,
    WIDTHS,
    browser,  # noqa: F401 (the shared Chromium fixture)
    open_context,
)

from conftest import FIXTURES, build_site, parse, run_pelican
from headers.policy import content_security_policy
from project import start_serve
from search import planned_outputs
from search.index import SearchIndexError, index_site

FOUND = {
    "quillwort": "/a-walk-by-the-water/",  # in that article's body only
}
NOT_FOUND = {
    "sandpiper": "a draft's body",
    "heronry": "a hidden article's body",
    "kestrel": "a hidden page's body (like the thank-you pages)",
    "brambleford": "the site's footer (the tagline) only",
}
FOOTER_TAGLINE = "Notes from Brambleford"


def indexed(output: Path) -> dict[str, dict]:
    """URL -> Pagefind's record of each indexed page (its fragment files are
    gzip-compressed JSON after a fixed signature)."""
    records = {}
    for path in (output / "pagefind" / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        record = json.loads(data[data.index(b"{") :])
        records[record["url"]] = record
    return records


@pytest.fixture(scope="module")
def search_site(tmp_path_factory):
    """The sample content plus the search fixtures, built for publishing and
    served on loopback with the headers its _headers file names."""
    port = free_port()
    output = tmp_path_factory.mktemp("search") / "output"
    build_site(
        output,
        "publishconf.py",
        FIXTURES / "search",
        extra=("-e", f'SITEURL="http://127.0.0.1:{port}"', f'SITE_TAGLINE="{FOOTER_TAGLINE}"'),
    )
    server = serve_like_a_host(output, port)
    yield output, f"http://127.0.0.1:{port}/"
    server.shutdown()


def pages(output: Path) -> list[Path]:
    return sorted(p for p in output.rglob("*.html") if "pagefind" not in p.parts)


def test_only_published_bodies_are_indexed(search_site):
    output, _ = search_site
    marked = set()
    for path in pages(output):
        bodies = parse(path).xpath("//*[@data-pagefind-body]")
        if bodies:
            assert len(bodies) == 1 and bodies[0].get("class") == "prose", path
            marked.add("/" + path.relative_to(output).parent.as_posix() + "/")
    records = indexed(output)
    assert set(records) == marked
    assert {"/a-walk-by-the-water/", "/meeting-your-inner-critic/", "/about/"} <= marked
    for kept_out in ["/", "/a-hidden-letter/", "/thanks/reading/", "/thanks/contact/"]:
        assert kept_out not in records, kept_out
    assert not [url for url in records if url.startswith(("/tag/", "/category/", "/archives/"))]
    assert not [url for url in records if url.startswith(("/search/", "/drafts/"))]
    assert not [url for url in records if re.match(r"/newsletter/(archive|\d+)/", url)]
    walk = records["/a-walk-by-the-water/"]
    assert walk["meta"]["title"] == "A Walk by the Water"
    assert walk["meta"]["date"] == "May 12, 2025"
    assert walk["meta"]["summary"].startswith("What a slow walk can show you")
    assert walk["filters"] == {} and "image" not in walk["meta"], "no filter, no own picture"
    pictured = records["/goals-that-reflect-who-you-are/"]["meta"]["image"]
    assert pictured.endswith("/images/path-through-hills.svg"), "its Image: header"
    assert "quillwort" in walk["content"]
    for elsewhere in ["Brambleford", "Related articles", "About the author", "Subscribe"]:
        assert elsewhere not in walk["content"], "only the body is indexed"


def test_the_same_site_gets_the_same_index_bytes(search_site, tmp_path):
    """A build that changes nothing must not change the index (the hourly deploy
    compares every byte), so tags are not a Pagefind filter: its filter file
    lists them in a different order on every run."""
    output, _ = search_site
    again = build_site(
        tmp_path / "output",
        "publishconf.py",
        FIXTURES / "search",
        extra=("-e", f'SITEURL="{search_site[1].rstrip("/")}"', f'SITE_TAGLINE="{FOOTER_TAGLINE}"'),
    )
    first = {p.relative_to(output): p.read_bytes() for p in (output / "pagefind").rglob("*.*")}
    second = {p.relative_to(again): p.read_bytes() for p in (again / "pagefind").rglob("*.*")}
    assert first.keys() == second.keys() and first == second


def test_the_plugin_names_what_it_writes(search_site):
    output, _ = search_site
    planned = planned_outputs({"DEFAULT_LANG": "en"})
    assert "pagefind/pagefind.js" in planned and "pagefind/pagefind-entry.json" in planned
    for path in planned:
        assert (output / path).is_file(), path
    assert not list((output / "pagefind").glob("pagefind-ui*")), (
        "Pagefind's own look is not shipped"
    )


def test_search_assets_and_the_wider_policy_are_on_the_search_page_only(search_site):
    output, _ = search_site
    search_page = output / "search" / "index.html"
    for path in pages(output):
        document = parse(path)
        links = document.xpath("//nav[@aria-label='Main']//a/@href")
        if path.name != "404.html" or links:
            assert any(link.endswith("/search/") for link in links), f"{path}: no Search link"
        meta = document.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
        text = path.read_text()
        if path == search_page:
            assert "'wasm-unsafe-eval'" in meta[0]
            assert re.search(r"theme/search\.[0-9a-f]{10}\.js", text)
            assert re.search(r"theme/search\.[0-9a-f]{10}\.css", text)
        else:
            assert "wasm" not in meta[0], path
            assert not re.search(r"theme/search\.", text), path

    rules = {path: values for path, values in parse_headers_file((output / "_headers").read_text())}
    site_policy = dict(rules["/*"])["Content-Security-Policy"]
    for path in ("/search/", "/search/index.html"):
        assert rules[path][0] == ("Content-Security-Policy", None), "drops the site's policy"
        wider = dict(rules[path])["Content-Security-Policy"]
        assert directives(wider)["script-src"] == ["'self'", "'wasm-unsafe-eval'"]
        assert wider.replace(" 'wasm-unsafe-eval'", "") == site_policy, "nothing else widened"


def test_the_search_page_preloads_what_pagefind_loads_first(search_site):
    output, _ = search_site
    document = parse(output / "search" / "index.html")
    links = document.xpath("//head/link[@rel='modulepreload' or @rel='preload']")
    paths = [urlsplit(link.get("href")).path for link in links]
    assert paths == ["/pagefind/pagefind.js", "/pagefind/wasm.en.pagefind"]
    for path in paths:
        assert (output / path.lstrip("/")).is_file(), path
    assert (links[1].get("as"), links[1].get("crossorigin")) == ("fetch", ""), "as fetch() asks"


def test_a_language_pagefind_cannot_stem_preloads_the_generic_webassembly(tmp_path):
    output = build_site(tmp_path / "output", "publishconf.py", extra=("-e", 'DEFAULT_LANG="cy"'))
    href = parse(output / "search" / "index.html").xpath("//link[@rel='preload']/@href")[0]
    assert href.endswith("/pagefind/wasm.unknown.pagefind")
    assert not (output / "pagefind" / "wasm.cy.pagefind").exists(), "Pagefind has no Welsh stemmer"


def test_the_wider_policy_differs_only_by_webassembly():
    endpoints = ["https://formspree.io/f/abc"]
    for for_meta in (False, True):
        strict = content_security_policy(endpoints, for_meta=for_meta)
        wider = content_security_policy(endpoints, for_meta=for_meta, wasm=True)
        assert wider == strict.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")


def search_for(page, address: str, words: str) -> list[dict]:
    """Open /search/?q=words and return the results shown (title, link, date, marks)."""
    page.goto(f"{address}search/?q={quote(words)}")
    page.locator("#search-status:not(:empty)").wait_for()
    return page.evaluate(
        """() => [...document.querySelectorAll('#search-results > li')].map(li => ({
            title: li.querySelector('h2 a').textContent,
            href: li.querySelector('h2 a').getAttribute('href'),
            date: li.querySelector('.meta')?.textContent || '',
            marks: [...li.querySelectorAll('mark')].map(m => m.textContent.toLowerCase()),
        }))"""
    )


def status(page) -> str:
    return page.locator("#search-status").text_content()


def test_a_word_in_one_body_finds_exactly_that_article(browser, search_site):  # noqa: F811
    _, address = search_site
    context = open_context(browser, width=375)
    page = context.new_page()
    results = search_for(page, address, "quillwort")
    assert results == [
        {
            "title": "A Walk by the Water",
            "href": "/a-walk-by-the-water/",
            "date": "May 12, 2025",
            "marks": ["quillwort"],
        }
    ]
    assert status(page) == "1 result for “quillwort”."
    assert page.locator("#search-status").get_attribute("role") == "status"
    assert page.input_value("#search-words") == "quillwort", "?q= fills in the field"
    context.close()


@pytest.mark.parametrize("word", NOT_FOUND)
def test_words_outside_published_bodies_find_nothing(browser, search_site, word):  # noqa: F811
    _, address = search_site
    context = open_context(browser)
    page = context.new_page()
    assert search_for(page, address, word) == [], NOT_FOUND[word]
    assert status(page).startswith(f"Nothing found for “{word}”.")
    context.close()


def test_the_words_are_really_on_the_site(search_site):
    """The words that find nothing are in the published build (or its source) where
    the test above says, so finding nothing is the index's doing."""
    output, _ = search_site
    assert "heronry" in (output / "a-hidden-letter" / "index.html").read_text()
    assert "kestrel" in (output / "thanks" / "reading" / "index.html").read_text()
    assert FOOTER_TAGLINE in (output / "about" / "index.html").read_text()
    assert "sandpiper" in (FIXTURES / "search/articles/notes-not-ready.md").read_text()
    assert not (output / "drafts").exists()


def test_typing_finds_results_and_every_result_link_opens(browser, search_site):  # noqa: F811
    _, address = search_site
    context = open_context(browser)
    page = context.new_page()
    page.goto(address + "search/")
    for _ in range(20):  # the field is reached by keyboard
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "search-words":
            break
    assert page.evaluate("document.activeElement.id") == "search-words"
    page.keyboard.type("session")
    page.locator("#search-results li").nth(1).wait_for()
    assert re.fullmatch(r"\d+ results for “session”\.", status(page))
    assert urlsplit(page.url).query == "q=session", "the address can be shared"
    links = page.eval_on_selector_all("#search-results h2 a", "as => as.map(a => [a.href, a.text])")
    opened = context.new_page()
    for href, title in links:
        assert opened.goto(href).status == 200, href
        assert opened.locator("h1").text_content() == title, href
    page.keyboard.press("Tab")  # the Search button, then the first result
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.href") == links[0][0]
    page.keyboard.press("Enter")
    page.wait_for_url(links[0][0])
    assert page.locator("h1").text_content() == links[0][1]
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_the_search_page_with_results(browser, search_site, scheme, width):  # noqa: F811
    _, address = search_site
    context = browser.new_context(  # axe is injected inline: the policy is set aside here
        viewport={"width": width, "height": 800}, color_scheme=scheme, bypass_csp=True
    )
    page = context.new_page()
    assert len(search_for(page, address, "parts")) > 1
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    passed = {rule["id"] for rule in result["passes"]}
    assert {"color-contrast", "label", "landmark-one-main"} <= passed
    found = [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in result["violations"]]
    context.close()
    assert found == [], f"{scheme} {width}px"


def test_a_search_breaks_no_policy_and_stays_on_the_site(browser, search_site):  # noqa: F811
    _, address = search_site
    host = urlsplit(address).netloc
    context = open_context(browser)
    context.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation', e =>"
        " window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    requests = []
    context.on("request", lambda request: requests.append(request.url))
    context.route(lambda url: urlsplit(url).netloc != host, lambda route: route.abort())
    page = context.new_page()
    response = page.goto(address + "search/")
    assert "'wasm-unsafe-eval'" in response.headers["content-security-policy"]
    assert ", " not in response.headers["content-security-policy"].split("; ")[0], "one policy"
    page.fill("#search-words", "session")
    page.locator("#search-results li").nth(1).wait_for()
    if page.locator("button.more").is_visible():
        page.click("button.more")
    page.fill("#search-words", "quillwort")
    page.locator("#search-status", has_text="1 result for").wait_for()
    assert page.evaluate("window.__violations") == []
    assert [url for url in requests if urlsplit(url).netloc != host] == []
    assert any("/pagefind/fragment/" in url for url in requests), "fragments came from the site"
    wasm = [url for url in requests if url.endswith(".pagefind")]
    assert wasm == [f"{address}pagefind/wasm.en.pagefind"], "the preloaded file is the one used"
    article = page.goto(address + "a-walk-by-the-water/")
    assert "wasm" not in article.headers["content-security-policy"]
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_results_arrive_without_moving_anything_on_the_page(browser, search_site, width):  # noqa: F811
    _, address = search_site
    context = open_context(browser, width=width)
    context.add_init_script(
        "window.__shifts = [];"
        "new PerformanceObserver(list => window.__shifts.push(...list.getEntries()"
        ".map(e => e.value))).observe({type: 'layout-shift', buffered: true});"
    )
    page = context.new_page()
    assert search_for(page, address, "session"), "the first results"
    page.wait_for_load_state("networkidle")  # the rest of the first page of results
    assert page.locator("#search-results > li").count() > 3
    assert page.evaluate("window.__shifts") == [], f"{width}px"
    context.close()


def test_a_shared_search_paints_its_first_results_before_fetching_more(browser, search_site):  # noqa: F811
    """/search/?q= shows the first results (its largest paint) before it asks for
    the others, so a phone on a slow link sees them one round trip sooner."""
    _, address = search_site
    context = open_context(browser, width=375)
    page = context.new_page()
    assert search_for(page, address, "session"), "the first results"
    page.wait_for_load_state("networkidle")
    assert page.locator("#search-results > li").count() > 3
    painted, fragments = page.evaluate(
        """() => new Promise(resolve => new PerformanceObserver(list => {
            const last = list.getEntries().at(-1);
            resolve([
                {time: last.startTime, inResults: !!last.element?.closest('#search-results')},
                performance.getEntriesByType('resource')
                    .filter(r => r.name.includes('/pagefind/fragment/'))
                    .map(r => r.startTime).sort((a, b) => a - b),
            ]);
        }).observe({type: 'largest-contentful-paint', buffered: true}))"""
    )
    context.close()
    assert painted["inResults"], "the largest paint is a result"
    first, rest = fragments[:3], fragments[3:]
    assert rest, "more results than the first three were fetched"
    assert max(first) < painted["time"] <= min(rest), (first, painted, rest)


def test_without_javascript_the_page_says_so_and_links_the_lists(browser, search_site):  # noqa: F811
    _, address = search_site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(address + "search/?q=quillwort")
    sentence = page.locator("p.search-off")
    assert sentence.is_visible()
    assert sentence.text_content().startswith("Search needs JavaScript")
    hrefs = sentence.locator("a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert hrefs == [f"{address}archives/", f"{address}tags/"]
    assert not page.locator("form.search").is_visible(), "no form that cannot work"
    context.close()


def test_a_writing_build_indexes_no_draft_and_a_site_without_articles_no_index(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "search", content)
    next_year = datetime.now(ZoneInfo("America/New_York")) + timedelta(days=365)
    (content / "articles" / "coming-later.md").write_text(
        "Title: Coming Later\n"
        f"Date: {next_year:%Y-%m-%d %H:%M}\n"
        "Id: fixture-search-scheduled\n"
        "Summary: A scheduled article, public only from its date.\n\n"
        "A nightjar called at dusk while this waited for its day.\n"
    )
    output = tmp_path / "output"
    first = run_pelican(content, output)
    assert first.returncode == 0, first.stderr
    assert (output / "drafts" / "notes-not-ready" / "index.html").exists(), "previewed"
    assert (output / "drafts" / "coming-later" / "index.html").exists(), "previewed"
    assert set(indexed(output)) == {"/a-walk-by-the-water/"}, "no draft, nothing scheduled"
    drafts_only = tmp_path / "drafts-only" / "articles"
    drafts_only.mkdir(parents=True)
    shutil.copy(FIXTURES / "search/articles/notes-not-ready.md", drafts_only)
    second = run_pelican(drafts_only.parent, output)
    assert second.returncode == 0, second.stderr
    assert not (output / "pagefind" / "pagefind.js").exists()
    assert not list((output / "pagefind").glob("fragment/*")), "the old index is gone"
    assert (output / "search" / "index.html").exists()


def test_an_index_that_cannot_be_built_is_a_clear_error(tmp_path):
    (tmp_path / "empty.html").write_text("<!doctype html><title>x</title>")
    with pytest.raises(SearchIndexError, match=re.escape(str(tmp_path))):
        index_site(str(tmp_path))


def urls(output: Path) -> set[str]:
    """The indexed addresses, or none while Pagefind is still writing."""
    try:
        return set(indexed(output))
    except (OSError, EOFError, ValueError):
        return set()


def test_serve_reindexes_after_a_full_rebuild(project_copy):
    port = free_port()
    server = start_serve(project_copy, port)
    output = project_copy / "output"
    try:
        assert wait_for(lambda: fetch(f"http://localhost:{port}/search/"), 60), "serving"
        assert "/meeting-your-inner-critic/" in urls(output), "the first build is indexed"
        source = (FIXTURES / "search/articles/a-walk-by-the-water.md").read_text()
        new = project_copy / "content/articles/a-walk-by-the-water.md"
        for _ in range(3):  # the watcher starts just after the server: retry a missed save
            new.write_text(source)
            if wait_for(lambda: "/a-walk-by-the-water/" in urls(output), 30):
                break
        assert "/a-walk-by-the-water/" in urls(output), "a new article is indexed"
        assert "quillwort" in indexed(output)["/a-walk-by-the-water/"]["content"]
    finally:
        server.terminate()
        server.wait(timeout=10)
