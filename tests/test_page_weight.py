"""The theme stays within its weight budgets (issue 3): an article with a
one-line body costs at most 12 KB of HTML + CSS + JavaScript, and the home page
at most 10 KB gzipped with its stylesheet."""

from __future__ import annotations

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from weigh import weigh  # noqa: E402

ARTICLE_BUDGET = 12_000
HOME_GZIPPED_BUDGET = 10_000


def test_a_one_line_article_weighs_at_most_12_kb(published_site):
    weight = weigh(published_site, published_site / "one-line" / "index.html")
    assert weight.total <= ARTICLE_BUDGET, weight


def test_the_home_page_weighs_at_most_10_kb_gzipped(published_site):
    weight = weigh(published_site, published_site / "index.html")
    assert weight.gzipped <= HOME_GZIPPED_BUDGET, weight


def test_no_page_needs_a_script_or_a_web_font(published_site):
    for page in published_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script src" not in text, page
    css = (published_site / "theme" / "site.css").read_text(encoding="utf-8")
    assert "@font-face" not in css and "@import" not in css
    assert not list(published_site.rglob("*.js")), "no script files are shipped"
