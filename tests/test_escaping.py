"""A title full of markup renders as text everywhere, JSON-LD included."""

from __future__ import annotations

import json
import re

import pytest

from conftest import FIXTURES, parse, run_pelican

TITLE = '</script><script>alert(1)</script> "Quotes" & <b>tags</b>'


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    output = tmp_path_factory.mktemp("hostile")
    result = run_pelican(FIXTURES / "hostile", output, "publishconf.py")
    assert result.returncode == 0, result.stdout + result.stderr
    return output


def test_no_markup_from_metadata_reaches_any_page(hostile_site):
    pages = list(hostile_site.rglob("*.html"))
    assert len(pages) > 5
    for page in pages:
        tree = parse(page)
        where = page.relative_to(hostile_site)
        scripts = tree.xpath("//script[not(@type='application/ld+json')]/@src")
        # Only the search page's own script (a theme file with a content hash) may be there.
        assert all(re.search(r"/theme/search\.[0-9a-f]{10}\.js$", src) for src in scripts), where
        assert len(scripts) == len(tree.xpath("//script[not(@type='application/ld+json')]"))
        assert not tree.xpath("//b | //i | //em[not(ancestor::div[@class='prose'])]"), where
        assert "alert(1)</script>" not in page.read_text(encoding="utf-8").split("ld+json")[0]


def test_the_title_reads_as_text_in_every_place(hostile_site):
    tree = parse(hostile_site / "hostile" / "index.html")
    assert tree.findtext(".//title").startswith(TITLE)
    assert tree.findtext(".//h1") == TITLE
    for prop in ("og:title",):
        assert tree.xpath(f'string(//meta[@property="{prop}"]/@content)').startswith(TITLE)
    (script,) = tree.xpath('//script[@type="application/ld+json"]')
    assert "</script" not in script.text and "<" not in script.text
    assert json.loads(script.text)["headline"] == TITLE
    neighbour = parse(hostile_site / "neighbour" / "index.html")
    # Its newer or older article (related lists only the others).
    assert TITLE in [a.text_content().strip() for a in neighbour.xpath("//nav//a[@rel]")]
    home = parse(hostile_site / "index.html")
    assert TITLE in [a.text_content() for a in home.xpath("//main//h3/a")]


DESCRIPTION = 'Why "good enough" > perfect, and 3 < 5 steps & <b>no</b> more.'


def test_a_description_is_the_coachs_exact_sentence_everywhere(tmp_path):
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / "pages").mkdir()
    (content / "articles" / "enough.md").write_text(
        "Title: Enough\nDate: 2026-02-01 09:00\nId: 2026-02-01-enough\n"
        f"Description: {DESCRIPTION}\n\nA short article.\n"
    )
    (content / "pages" / "steps.md").write_text(
        f"Title: Steps\nDescription: {DESCRIPTION}\n\nA short page.\n"
    )
    result = run_pelican(content, tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr

    for page in ("enough", "steps"):
        tree = parse(tmp_path / "out" / page / "index.html")
        for meta in ('name="description"', 'property="og:description"'):
            assert tree.xpath(f"string(//meta[@{meta}]/@content)") == DESCRIPTION, (page, meta)
        assert tree.xpath("string(//meta[@data-pagefind-meta]/@content)") == DESCRIPTION
