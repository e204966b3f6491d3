"""The theme stays within its weight budgets (issue 3): an article with a
one-line body costs at most 14 KB of HTML + CSS + JavaScript, and the home page
at most 12 KB gzipped with its stylesheet, its portrait at most 40 KB (issue 25)."""

from __future__ import annotations

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from weigh import weigh  # noqa: E402

ARTICLE_BUDGET = 14_000
HOME_GZIPPED_BUDGET = 12_000
PORTRAIT_BUDGET = 40_000


def test_a_one_line_article_weighs_at_most_14_kb(published_site):
    weight = weigh(published_site, published_site / "one-line" / "index.html")
    assert weight.total <= ARTICLE_BUDGET, weight


def test_the_home_page_weighs_at_most_12_kb_gzipped(published_site):
    weight = weigh(published_site, published_site / "index.html")
    assert weight.gzipped <= HOME_GZIPPED_BUDGET, weight


def test_the_home_pages_pictures_weigh_at_most_40_kb(published_site):
    """What a phone at 375 px downloads for the home page's pictures (the portrait)."""
    pictures = weigh(published_site, published_site / "index.html").pictures
    assert pictures and sum(pictures.values()) <= PORTRAIT_BUDGET, pictures


def test_only_the_contact_form_loads_a_script_and_no_page_a_web_font(published_site):
    """Scripts are the forms' optional enhancement, loaded where a form the
    service accepts in the background is (the sample: the contact form), and
    the search page's own."""
    with_script = {
        page.relative_to(published_site).as_posix()
        for page in published_site.rglob("*.html")
        if "<script src" in page.read_text(encoding="utf-8")
    }
    assert with_script == {"contact/index.html", "search/index.html"}
    css = (published_site / "theme" / "site.css").read_text(encoding="utf-8")
    assert "@font-face" not in css and "@import" not in css
