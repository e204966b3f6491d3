"""Search: the Pagefind index holds the bodies of published articles and pages
and nothing else, with their tags as a filter written in one order, and the
search page finds them in Chromium, by keyboard, in one topic or all, under
the site's own headers, with no policy violation and nothing fetched from
elsewhere; axe finds nothing on it with results shown."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import cbor2
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

from conftest import FIXTURES, ROOT, build_site, parse, run_pelican
from headers.policy import content_security_policy
from project import start_serve
from search import planned_outputs
from search.index import SearchIndexError, index_site, pagefind_program
from search.stable_filters import stabilise_filters

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
# "lichen" is in two articles' bodies, each with a topic the other lacks.
LICHEN = {"rest": "Lichen on the Garden Wall", "slow-small": "Small Steps in Winter"}
ODD_TOPIC = 'Slow & "Small" <Steps>'  # the name of the tag whose slug is slow-small


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


def decoded(path: Path):
    """A filter file or the index metadata: gzip, Pagefind's signature, then CBOR."""
    data = gzip.decompress(path.read_bytes())
    assert data.startswith(b"pagefind_dcd"), path
    return cbor2.loads(data[len(b"pagefind_dcd") :])


def by_page(output: Path) -> dict:
    """What an index says, whatever order Pagefind numbered its pages in: every
    page number replaced by the name of the page's fragment file (named after
    its content), lists of pages sorted; and every fragment file's bytes."""
    bundle = output / "pagefind"
    (meta,) = bundle.glob("*.pf_meta")
    version, pages, _chunks, filters, sorts, fields = decoded(meta)
    names = [name for name, _ in pages]
    words = {}
    for path in (bundle / "index").glob("*.pf_index"):
        (entries,) = decoded(path)
        for word, found, *rest in entries:
            number, places = 0, []
            for at in found:  # each page's number as the difference from the last one's
                number += at[0]
                places.append([names[number], *at[1:]])
            words[word] = (sorted(places), rest)
    tags = {}
    for path in (bundle / "filter").glob("*.pf_filter"):
        name, values = decoded(path)
        tags[name] = {value: sorted(names[at] for at in at_pages) for value, at_pages in values}
    return {
        "version": version,
        "pages": sorted(pages),
        "words": words,
        "filters": tags,
        "filter names": sorted(name for name, _ in filters),
        "sorts": sorts,
        "fields": fields,
        "fragments": {p.name: p.read_bytes() for p in (bundle / "fragment").iterdir()},
    }


def tag_filter(output: Path) -> list:
    """[[tag slug, [page numbers]], ...] from the one filter file of the index."""
    (path,) = (output / "pagefind" / "filter").glob("*.pf_filter")
    name, values = decoded(path)
    assert name == "tag"
    return values


def pages(output: Path) -> list[Path]:
    """The readers' pages (not the search bundle, nor the editor at /admin/)."""
    return sorted(p for p in output.rglob("*.html") if not {"pagefind", "admin"} & set(p.parts))


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
    assert walk["meta"]["title"] == "A Walk by the Water", "Pagefind's default: the first h1"
    assert records["/about/"]["meta"]["title"] == parse(output / "about/index.html").findtext(
        ".//h1"
    )
    assert walk["meta"]["date"] == "May 12, 2025"
    assert walk["meta"]["summary"].startswith("What a slow walk can show you")
    assert walk["filters"] == {"tag": ["rest", "practice"]}, "its tags' slugs"
    assert "image" not in walk["meta"], "no own picture"
    pictured = records["/goals-that-reflect-who-you-are/"]["meta"]["image"]
    assert pictured.endswith("/images/path-through-hills.svg"), "its Image: header"
    assert "quillwort" in walk["content"]
    for elsewhere in ["Brambleford", "Related articles", "About the author", "Subscribe"]:
        assert elsewhere not in walk["content"], "only the body is indexed"


def test_the_tag_filter_holds_every_topic_of_the_search_page_in_order(search_site):
    output, _ = search_site
    values = tag_filter(output)
    names = [name for name, _ in values]
    assert names == sorted(names), "one order: by name"
    options = parse(output / "search" / "index.html").xpath("//select[@name='topic']/option")
    assert [(o.get("value"), o.text) for o in options[:1]] == [("", "All topics")]
    assert {o.get("value") for o in options[1:]} == set(names), "every topic can be found"
    assert len(names) > 8, "enough values that Pagefind's own order varies from run to run"
    topics = parse(output / "tags" / "index.html").xpath("//main//ul[@class='tags']/li/a")
    assert [o.text for o in options[1:]] == [a.text.strip() for a in topics], "sorted as there"
    assert ODD_TOPIC in [o.text for o in options], "the name, unescaped once parsed"
    records = indexed(output)
    for name, numbers in values:
        assert len(numbers) == len(set(numbers)), name
    pages_of = {name: len(numbers) for name, numbers in values}
    assert pages_of["rest"] == sum("rest" in r["filters"].get("tag", []) for r in records.values())
    assert pages_of["slow-small"] == 1
    for url in ["/about/", "/contact/"]:
        assert records[url]["filters"] == {}, "pages have no topics"


def test_pagefind_alone_writes_the_filter_in_a_varying_order(search_site, tmp_path):
    """Why the filter files are rewritten: Pagefind 1.5.2 itself names (and
    orders) the same filter differently from run to run. Should this fail
    after an upgrade, Pagefind is stable on its own and stable_filters.py can go."""
    output, _ = search_site
    names = set()
    for run in range(3):
        bundle = tmp_path / f"run-{run}"
        command = [pagefind_program(), "--site", str(output), "--output-path", str(bundle)]
        subprocess.run([*command, "--force-language", "en", "--quiet"], check=True)
        names |= {p.name for p in (bundle / "filter").glob("*.pf_filter")}
    assert len(names) > 1, names


def test_the_same_site_gets_the_same_index_bytes(search_site, tmp_path):
    """A build that changes nothing must not change the index (the hourly deploy
    compares every byte), filter file included. (Pagefind runs again: the
    cached index is not loaded.)"""
    output, _ = search_site
    again = build_site(
        tmp_path / "output",
        "publishconf.py",
        FIXTURES / "search",
        extra=(
            "--ignore-cache",
            "-e",
            f'SITEURL="{search_site[1].rstrip("/")}"',
            f'SITE_TAGLINE="{FOOTER_TAGLINE}"',
        ),
    )
    first = {p.relative_to(output): p.read_bytes() for p in (output / "pagefind").rglob("*.*")}
    second = {p.relative_to(again): p.read_bytes() for p in (again / "pagefind").rglob("*.*")}
    assert first.keys() == second.keys() and first == second
    assert [p.parent.name for p in first if p.suffix == ".pf_filter"] == ["filter"]
    meta = [p for p in first if p.suffix == ".pf_meta"]
    assert re.fullmatch(r"pagefind\.en_[0-9a-f]{10}\.pf_meta", meta[0].name)
    entry = first[Path("pagefind/pagefind-entry.json")]
    assert json.loads(entry)["languages"]["en"]["hash"] == meta[0].name[9:-8]
    assert not entry.endswith(b"\n") and b": " not in entry, "compact, as Pagefind writes it"


def test_the_rewrite_changes_nothing_twice_and_names_files_by_content(search_site, tmp_path):
    output, _ = search_site
    bundle = tmp_path / "pagefind"
    shutil.copytree(output / "pagefind", bundle)
    before = {p.relative_to(bundle): p.read_bytes() for p in bundle.rglob("*.*")}
    stabilise_filters(str(bundle))
    assert {p.relative_to(bundle): p.read_bytes() for p in bundle.rglob("*.*")} == before
    (path,) = (bundle / "filter").glob("*.pf_filter")
    meta = next(bundle.glob("*.pf_meta"))
    content = decoded(path)
    content[1] = [value for value in content[1] if value[0] != "rest"]  # a topic fewer
    path.write_bytes(gzip.compress(b"pagefind_dcd" + cbor2.dumps(content), mtime=0))
    stabilise_filters(str(bundle))
    (changed,) = (bundle / "filter").glob("*.pf_filter")
    assert changed.name != path.name and not path.exists(), "new content, new name"
    assert not meta.exists(), "the metadata names the new file, so it is renamed too"
    (new_meta,) = bundle.glob("*.pf_meta")
    assert decoded(new_meta)[3] == [["tag", changed.stem]]


def tampered(search_site, tmp_path, change) -> Path:
    bundle = tmp_path / "pagefind"
    shutil.copytree(search_site[0] / "pagefind", bundle)
    change(bundle)
    return bundle


def unsigned(bundle: Path) -> None:
    (path,) = (bundle / "filter").glob("*.pf_filter")
    path.write_bytes(gzip.compress(gzip.decompress(path.read_bytes())[12:]))


def two_languages(bundle: Path) -> None:
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    entry["languages"]["cy"] = entry["languages"]["en"]
    (bundle / "pagefind-entry.json").write_text(
        json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    )


def newer_version(bundle: Path) -> None:
    text = (bundle / "pagefind-entry.json").read_text()
    (bundle / "pagefind-entry.json").write_text(text.replace('"1.5.2"', '"1.6.0"'))


def missing_filter(bundle: Path) -> None:
    next((bundle / "filter").glob("*.pf_filter")).unlink()


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (unsigned, "does not start with Pagefind's signature"),
        (two_languages, "lists 2 languages, not one"),
        (newer_version, "written by Pagefind 1.6.0"),
        (missing_filter, "are not the ones the metadata names"),
    ],
)
def test_an_index_not_as_expected_is_a_clear_error(search_site, tmp_path, change, said):
    bundle = tampered(search_site, tmp_path, change)
    before = {p: p.read_bytes() for p in bundle.rglob("*.*")}
    with pytest.raises(SearchIndexError) as error:
        stabilise_filters(str(bundle))
    assert said in str(error.value) and str(bundle) in str(error.value)
    assert "The Pagefind version may have changed" in str(error.value)
    assert {p: p.read_bytes() for p in bundle.rglob("*.*")} == before, "nothing written"


def test_a_sort_order_stops_the_build_naming_its_pages_and_ships_no_index(tmp_path):
    """Pagefind writes sort orders in a varying order too; we use none, so an
    index with one stops the build and no half-rewritten index is left."""
    for number in (1, 2):
        page = tmp_path / f"p{number}" / "index.html"
        page.parent.mkdir()
        page.write_text(
            f"<!doctype html><html lang=en><title>{number}</title><main data-pagefind-body "
            f'data-pagefind-sort="weight:{number}" data-pagefind-filter="tag:t{number}">'
            "A heron.</main>"
        )
    with pytest.raises(SearchIndexError) as error:
        index_site(str(tmp_path), "en")
    assert str(error.value).startswith(
        f"p1{os.sep}index.html, p2{os.sep}index.html: data-pagefind-sort asks Pagefind"
    )
    assert "Fix: remove data-pagefind-sort" in str(error.value)
    assert not list((tmp_path / "pagefind").rglob("*.*")), "no index rather than half of one"


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


def search_for(page, address: str, words: str, topic: str = "") -> list[dict]:
    """Open /search/?q=words (&topic=slug) and return the results shown (title,
    link, date, marks)."""
    page.goto(f"{address}search/?q={quote(words)}" + (f"&topic={quote(topic)}" if topic else ""))
    wait_for_a_page_of_results(page)
    return page.evaluate(
        """() => [...document.querySelectorAll('#search-results > li')].map(li => ({
            title: li.querySelector('h2 a').textContent,
            href: li.querySelector('h2 a').getAttribute('href'),
            date: li.querySelector('.meta')?.textContent || '',
            marks: [...li.querySelectorAll('mark')].map(m => m.textContent.toLowerCase()),
        }))"""
    )


def wait_for_a_page_of_results(page) -> None:
    """The status says how many were found as soon as the best match is shown;
    the rest of the first page (up to ten) follows."""
    page.wait_for_function(
        """() => {
            const said = document.getElementById('search-status').textContent;
            const found = parseInt(said.replace(/,/g, ''), 10);
            const shown = document.querySelectorAll('#search-results > li').length;
            return said !== '' && (isNaN(found) || shown >= Math.min(10, found));
        }"""
    )


def status(page) -> str:
    return page.locator("#search-status").text_content()


def titles(page) -> list[str]:
    return sorted(page.locator("#search-results h2 a").all_text_contents())


def topic_name(slug: str) -> str:
    return {"slow-small": ODD_TOPIC}.get(slug, slug)


def test_a_topic_chosen_narrows_the_results_and_the_address_keeps_it(browser, search_site):  # noqa: F811
    _, address = search_site
    context = open_context(browser, width=375)
    page = context.new_page()
    search_for(page, address, "lichen")
    assert titles(page) == sorted(LICHEN.values())
    assert status(page) == "2 results for “lichen”."
    assert page.input_value("#search-topic") == "", "All topics"
    label = page.locator("label[for=search-topic]").text_content()
    assert label == "Topic" and page.locator("select[name=topic]").get_attribute("id")
    for slug, title in LICHEN.items():
        if slug == "rest":  # by keyboard: the list jumps to the first topic starting with r
            page.focus("#search-topic")
            page.keyboard.press("r")
        else:
            page.select_option("#search-topic", label=ODD_TOPIC)
        said = f"1 result for “lichen” in the topic “{topic_name(slug)}”."
        page.locator("#search-status", has_text=said).wait_for()
        assert titles(page) == [title], slug
        assert urlsplit(page.url).query == f"q=lichen&topic={slug}", "the address can be shared"
    page.select_option("#search-topic", label="All topics")
    page.locator("#search-status", has_text="2 results for “lichen”.").wait_for()
    assert titles(page) == sorted(LICHEN.values())
    assert urlsplit(page.url).query == "q=lichen"
    context.close()


@pytest.mark.parametrize("slug", LICHEN)
def test_an_address_with_a_topic_opens_with_it_chosen(browser, search_site, slug):  # noqa: F811
    _, address = search_site
    context = open_context(browser)
    page = context.new_page()
    results = search_for(page, address, "lichen", topic=slug)
    assert [r["title"] for r in results] == [LICHEN[slug]]
    chosen = page.eval_on_selector("#search-topic", "s => s.selectedOptions[0].text")
    assert chosen == topic_name(slug), "the name, as written, escaped nowhere"
    assert status(page) == f"1 result for “lichen” in the topic “{chosen}”."
    context.close()


def test_topics_shared_unknown_or_without_the_word(browser, search_site):  # noqa: F811
    _, address = search_site
    context = open_context(browser)
    page = context.new_page()
    assert len(search_for(page, address, "lichen", topic="practice")) == 2, "both are practice"
    assert search_for(page, address, "lichen", topic="no-such-topic")
    assert page.input_value("#search-topic") == "", "a topic the site lacks: All topics"
    assert status(page) == "2 results for “lichen”."
    assert urlsplit(page.url).query == "q=lichen"
    assert search_for(page, address, "quillwort", topic="slow-small") == []
    assert status(page) == (
        f"Nothing found for “quillwort” in the topic “{ODD_TOPIC}”. "
        "Try another word, or All topics."
    )
    context.close()


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
    page.keyboard.press("Tab")  # the Search button, the topic, then the first result
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "search-topic"
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
    assert {"color-contrast", "label", "select-name", "landmark-one-main"} <= passed
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
    """/search/?q= shows the best match (its largest paint) before it asks for
    the other results, so a phone on a slow link sees it one round trip sooner."""
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
    first, rest = fragments[:1], fragments[1:]
    assert rest, "more results than the first were fetched"
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
        "Tags: rest\n"
        "Summary: A scheduled article, public only from its date.\n\n"
        "A nightjar called at dusk while this waited for its day.\n"
    )
    output = tmp_path / "output"
    first = run_pelican(content, output)
    assert first.returncode == 0, first.stderr
    assert (output / "drafts" / "notes-not-ready" / "index.html").exists(), "previewed"
    assert (output / "drafts" / "coming-later" / "index.html").exists(), "previewed"
    published = {"/a-walk-by-the-water/", "/lichen-on-the-garden-wall/", "/small-steps-in-winter/"}
    assert set(indexed(output)) == published, "no draft, nothing scheduled"
    for draft in ["notes-not-ready", "coming-later"]:
        html = (output / "drafts" / draft / "index.html").read_text()
        assert 'rel="tag"' in html and "data-pagefind-filter" not in html, draft
        assert "data-pagefind-body" not in html, draft
    drafts_only = tmp_path / "drafts-only" / "articles"
    drafts_only.mkdir(parents=True)
    shutil.copy(FIXTURES / "search/articles/notes-not-ready.md", drafts_only)
    second = run_pelican(drafts_only.parent, output)
    assert second.returncode == 0, second.stderr
    assert not (output / "pagefind" / "pagefind.js").exists()
    assert not list((output / "pagefind").glob("fragment/*")), "the old index is gone"
    assert (output / "search" / "index.html").exists()


def test_a_site_whose_only_article_is_a_picture_builds_with_no_index(tmp_path):
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / "images").mkdir()
    shutil.copy(ROOT / "content/images/path-through-hills.svg", content / "images")
    (content / "articles" / "picture.md").write_text(
        "Title: Only a Picture\n"
        "Date: 2025-01-01\n"
        "Id: fixture-search-picture\n"
        "Summary: An article with no words in its body.\n\n"
        "![A path through hills]({static}/images/path-through-hills.svg)\n"
    )
    output = tmp_path / "output"
    built = run_pelican(content, output)
    assert built.returncode == 0, built.stderr
    assert "Traceback" not in built.stderr
    assert (output / "picture" / "index.html").exists()
    assert (output / "search" / "index.html").exists()
    assert not (output / "pagefind" / "pagefind.js").exists(), "nothing to search, no index"


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


def test_a_site_with_no_index_asks_for_no_file_it_cannot_find(browser, tmp_path):  # noqa: F811
    """Drafts only: nothing to index. The search page preloads none of
    Pagefind's files and runs none (they were three 404s), and says why."""
    content = tmp_path / "content" / "articles"
    content.mkdir(parents=True)
    shutil.copy(FIXTURES / "search/articles/notes-not-ready.md", content)
    output = tmp_path / "output"
    port = free_port()
    built = run_pelican(
        content.parent,
        output,
        "publishconf.py",
        *("-e", "FORMS_REQUIRED=false", f'SITEURL="http://127.0.0.1:{port}"'),
    )
    assert built.returncode == 0, built.stderr
    assert not (output / "pagefind").exists() or not list((output / "pagefind").iterdir())
    document = parse(output / "search" / "index.html")
    assert document.xpath("//link[contains(@href, '/pagefind/')]") == []
    server = serve_like_a_host(output, port)
    try:
        context = open_context(browser)
        failed, asked = [], []
        context.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
        context.on("request", lambda request: asked.append(request.url))
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/search/?q=notes")
        page.locator("#search-status", has_text="Nothing to search yet").wait_for()
        page.wait_for_load_state("networkidle")
        assert failed == []
        assert [url for url in asked if "/pagefind/" in url] == []
        assert page.locator("#search-words").is_disabled()
        context.close()
    finally:
        server.shutdown()
