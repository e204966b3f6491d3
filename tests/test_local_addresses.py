"""Every local address resolves, on every host: pictures and links written the
natural way (`images/bench.svg`, `bench.svg`, `/images/bench.svg`,
`../images/bench.svg`, `/other-article/`) lead where the coach meant, on a site
served from a sub-path too; one that leads nowhere is refused with the file,
the line and the exact fix. A crawl of a publish build served from
https://name.github.io/coaching/ finds no broken address inside the site in any
HTML, XML or JSON file, nor in the newsletter issue."""

from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from lxml import etree, html

from conftest import FIXTURES, ROOT, build_site, parse, problem_lines, run_invoke, run_pelican

NATURAL = FIXTURES / "natural_addresses"
SUB_PATH_SITE = "https://name.github.io/coaching"
ARTICLE = "a-bench-in-the-park"
# The article's own pictures, not the portrait in its author box.
IN_TEXT = "//main//div[contains(@class, 'prose')]"


@pytest.fixture(scope="module")
def sub_path_site(tmp_path_factory) -> Path:
    """The sample content plus natural addresses, published under a sub-path."""
    output = tmp_path_factory.mktemp("sub-path") / "output"
    return build_site(output, "publishconf.py", NATURAL, extra=("-e", f'SITEURL="{SUB_PATH_SITE}"'))


def test_pictures_written_the_natural_way_show_on_a_sub_path_site(sub_path_site):
    article = parse(sub_path_site / ARTICLE / "index.html")
    sources = article.xpath(f"{IN_TEXT}//img/@src")
    assert len(sources) == 5
    assert set(sources) == {f"{SUB_PATH_SITE}/images/bench.svg"}
    (srcset,) = article.xpath(f"{IN_TEXT}//img/@srcset")
    assert srcset == f"{SUB_PATH_SITE}/images/bench.svg 1x, {SUB_PATH_SITE}/images/bench.svg 2x"
    sized = article.xpath(f"{IN_TEXT}//img[@width and @height]")
    assert len(sized) == 5, "each picture found is sized like a {static} one"
    page = parse(sub_path_site / "where-to-sit" / "index.html")
    assert page.xpath("//main//img/@src") == [f"{SUB_PATH_SITE}/images/bench.svg"]


def test_links_written_the_natural_way_lead_to_the_page_on_a_sub_path_site(sub_path_site):
    article = parse(sub_path_site / ARTICLE / "index.html")
    links = article.xpath("//main//div[contains(@class, 'prose')]//a/@href")
    assert links == [
        f"{SUB_PATH_SITE}/coaching-or-therapy/",
        f"{SUB_PATH_SITE}/meeting-your-inner-critic/",
        f"{SUB_PATH_SITE}/archives/",
        f"{SUB_PATH_SITE}/",
        f"{SUB_PATH_SITE}/feeds/atom.xml",
        f"{SUB_PATH_SITE}/about/#top",
    ]
    code = article.xpath("//main//code/text()")
    assert "![](images/not-a-file.png)" in code, "code is shown as typed"


def test_a_writing_build_links_relative_to_the_page(tmp_path):
    output = build_site(tmp_path / "output", "pelicanconf.py", NATURAL)
    article = parse(output / ARTICLE / "index.html")
    assert set(article.xpath(f"{IN_TEXT}//img/@src")) == {"../images/bench.svg"}
    links = article.xpath("//main//div[contains(@class, 'prose')]//a/@href")
    assert links[:4] == [
        "../coaching-or-therapy/",
        "../meeting-your-inner-critic/",
        "../archives/",
        "../",
    ]
    for address in links + article.xpath("//main//img/@src"):
        target = (output / ARTICLE / urlsplit(address).path).resolve()
        assert target.is_file() or (target / "index.html").is_file(), address


BROKEN_BODY = """\
![A bench](images/bench.png)

![A bench by name](bench.png)

<img alt="A bench in HTML" src="/images/bench.png" srcset="/images/bench-2x.png 2x">

[Coaching or therapy](/coaching-or-therapyy/) and [nowhere](../no-such-page/).

[The first session, a draft](/what-a-first-session-looks-like/)
"""


def broken_site(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "articles" / "bench.md").write_text(
        "Title: Bench\nDate: 2026-02-01 09:00\nId: 2026-02-01-bench\n\n" + BROKEN_BODY
    )
    return content


def check_lines(result) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for match in problem_lines(result.stderr):
        assert match["path"].endswith("content/articles/bench.md"), match[0]
        found.setdefault(int(match["line"]), []).append(f"{match['what']}. Fix: {match['fix']}")
    return found


PICTURE_FIX = (
    "Fix: put {name} in content/images/ and write {{static}}/images/{name}, "
    "like ![What the picture shows]({{static}}/images/{name})"
)


@pytest.mark.parametrize("how", ["build", "check"])
def test_an_address_that_leads_nowhere_is_refused_with_line_and_fix(tmp_path, how):
    content = broken_site(tmp_path)
    if how == "build":
        result = run_pelican(content, tmp_path / "output", "publishconf.py")
    else:
        result = run_invoke(ROOT, "check", "--content", str(content))
    assert result.returncode == 1, result.stdout + result.stderr
    found = check_lines(result)
    assert found[5] == [
        'The picture "images/bench.png" is not a file of the site, so readers would see none. '
        + PICTURE_FIX.format(name="bench.png")
    ]
    assert found[7] == [
        'The picture "bench.png" is not a file of the site, so readers would see none. '
        + PICTURE_FIX.format(name="bench.png")
    ]
    assert sorted(found[9]) == sorted(
        [
            'The picture "/images/bench.png" is not a file of the site, so readers would see '
            "none. " + PICTURE_FIX.format(name="bench.png"),
            'The picture "/images/bench-2x.png" is not a file of the site, so readers would see '
            "none. " + PICTURE_FIX.format(name="bench-2x.png"),
        ]
    )
    first, second = sorted(found[11])
    assert first.startswith('The link "../no-such-page/" leads to no page of the site. Fix: ')
    assert second.startswith(
        'The link "/coaching-or-therapyy/" leads to no page of the site. '
        'Fix: did you mean "/coaching-or-therapy/"? Or link an article or page '
        "by its file, like [The words to click]({filename}/articles/NAME.md)"
    )
    assert found[13] == [
        f"It links to {content.relative_to(ROOT) if content.is_relative_to(ROOT) else content}"
        "/articles/what-a-first-session-looks-like.md, which is still a draft. "
        "Fix: publish that article first, or remove the link for now"
    ]
    assert "Traceback" not in result.stderr
    if how == "build":
        assert not (tmp_path / "output" / "bench" / "index.html").exists(), "nothing published"


def test_a_picture_kept_in_a_sub_folder_is_named_with_its_folder(tmp_path):
    content = broken_site(tmp_path)
    (content / "images" / "park").mkdir()
    shutil.copy(NATURAL / "images" / "bench.svg", content / "images" / "park" / "bench.png")
    result = run_invoke(ROOT, "check", "--content", str(content))
    assert result.returncode == 1
    assert check_lines(result)[5] == [
        'The picture "images/bench.png" is not a file of the site, so readers would see none. '
        "Fix: write {static}/images/park/bench.png (the file is content/images/park/bench.png)"
    ]


# ---------------------------------------------------------------------------
# The crawl: every address inside the site, in every HTML, XML and JSON file.

ADDRESS_ATTRIBUTES = ("href", "src", "poster", "action", "data")


def addresses_in_html(document) -> list[str]:
    found = []
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        for name in ADDRESS_ATTRIBUTES:
            if element.get(name) is not None and not (name == "action" and element.tag != "form"):
                found.append(element.get(name))
        for candidate in (element.get("srcset") or "").split(","):
            if candidate.split():
                found.append(candidate.split()[0])
        if element.tag == "meta" and (element.get("property") or element.get("name") or "") in (
            "og:url",
            "og:image",
            "twitter:image",
        ):
            found.append(element.get("content"))
        if element.tag == "script" and element.get("type") == "application/ld+json":
            found += strings_in_json(json.loads(element.text))
    return found


def strings_in_json(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in_json(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in_json(v)]
    if isinstance(value, str) and value.startswith(("http://", "https://", "/")):
        return [value]
    return []


def addresses_in_xml(data: bytes) -> list[str]:
    found = []
    for element in etree.fromstring(data).iter():
        if not isinstance(element.tag, str):
            continue
        if element.get("href"):
            found.append(element.get("href"))
        if element.get("url"):
            found.append(element.get("url"))
        text = (element.text or "").strip()
        if text.startswith(("http://", "https://")):
            found.append(text)
        elif text.startswith("<"):  # a feed entry's HTML
            found += addresses_in_html(html.fragment_fromstring(text, create_parent="div"))
    return found


def pagefind_records(output: Path) -> list[dict]:
    """Pagefind's search results (gzip-compressed JSON after a signature)."""
    records = []
    for path in (output / "pagefind" / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        records.append(json.loads(data[data.index(b"{") :]))
    return records


def crawl(output: Path, site: str, extra: dict[str, list[str]] | None = None) -> tuple:
    """(addresses inside the site checked, broken ones as (file, address)) over
    every HTML, XML and JSON file of `output`, the search results and `extra`
    (name -> absolute addresses)."""
    root = urlsplit(site + "/")
    checked, broken = 0, []

    def visit(name: str, base: str, addresses: list[str]) -> None:
        nonlocal checked
        for address in addresses:
            full = urlsplit(urljoin(base, address))
            if full.scheme not in ("http", "https") or full.netloc != root.netloc:
                continue
            checked += 1
            path = unquote(full.path)
            target = output / path[len(root.path) :] if path.startswith(root.path) else None
            if target is None or not (target.is_file() or (target / "index.html").is_file()):
                broken.append((name, address))

    for path in sorted(output.rglob("*")):
        name = path.relative_to(output).as_posix()
        base = f"{site}/{name}"
        if path.suffix == ".html":
            visit(name, base, addresses_in_html(html.fromstring(path.read_bytes())))
        elif path.suffix == ".xml":
            visit(name, base, addresses_in_xml(path.read_bytes()))
        elif path.suffix == ".json":
            visit(name, base, strings_in_json(json.loads(path.read_text())))
    for record in pagefind_records(output):
        # search.js gives Pagefind the site's root as its base address
        visit("pagefind", f"{site}/", [record["url"].lstrip("/")])
        visit("pagefind", f"{site}/", strings_in_json(record["meta"]))
    for name, addresses in (extra or {}).items():
        visit(name, f"{site}/", addresses)
    return checked, broken


def test_a_sub_path_publish_build_has_no_broken_address_anywhere(sub_path_site):
    checked, broken = crawl(sub_path_site, SUB_PATH_SITE)
    print(f"crawl: {checked} addresses inside the site checked, {len(broken)} broken")
    assert broken == []
    assert checked > 700, "the crawl read the whole site"
    assert len(pagefind_records(sub_path_site)) > 10, "search results were crawled"


def test_the_crawl_finds_what_main_published_broken(sub_path_site, tmp_path):
    """The crawl itself can fail: a root-relative picture, as Pelican alone
    publishes it, is broken on a sub-path."""
    copy = tmp_path / "output"
    shutil.copytree(sub_path_site, copy)
    page = copy / ARTICLE / "index.html"
    page.write_text(page.read_text().replace(f"{SUB_PATH_SITE}/images/", "/images/", 1))
    _, broken = crawl(copy, SUB_PATH_SITE)
    assert broken == [(f"{ARTICLE}/index.html", "/images/bench.svg")]


def test_the_newsletter_issue_of_a_sub_path_site_has_no_broken_address(newsletter_copy):
    """Composed, recorded as sent and published: each address in the email
    (its web copy under newsletter/1/ included) is a page of the site."""
    shutil.copytree(NATURAL, newsletter_copy / "content", dirs_exist_ok=True)
    env = {**os.environ, "SITEURL": SUB_PATH_SITE}
    composed = run_invoke(newsletter_copy, "digest", env=env)
    assert composed.returncode == 0, composed.stdout + composed.stderr
    recorded = run_invoke(newsletter_copy, "digest", "--mark-sent", env=env)
    assert recorded.returncode == 0, recorded.stdout + recorded.stderr
    built = run_invoke(newsletter_copy, "preview", env=env)
    assert built.returncode == 0, built.stderr
    email = html.fromstring((newsletter_copy / "newsletter-issue" / "email.html").read_bytes())
    # The provider fills in its merge tag (the unsubscribe address) when it sends.
    addresses = [a for a in addresses_in_html(email) if a != "*|UNSUB|*"]
    assert f"{SUB_PATH_SITE}/{ARTICLE}/" in addresses, "the new article, in full"
    assert all(a.startswith(("https://", "mailto:")) for a in addresses), "read away from the site"
    checked, broken = crawl(newsletter_copy / "output", SUB_PATH_SITE, {"email": addresses})
    print(
        f"crawl with the email: {checked} addresses inside the site checked, {len(broken)} broken"
    )
    assert broken == []
    assert checked > 700
