"""Typographic quotes and dashes, as readers see them in built pages."""

import markdown
import pytest

from prose import TypographyExtension, smarten


@pytest.mark.parametrize(
    ("plain", "typographic"),
    [
        ('"Quoted" words', "\u201cQuoted\u201d words"),
        ("an apostrophe's curl", "an apostrophe\u2019s curl"),
        ("'single' quotes", "\u2018single\u2019 quotes"),
        ("back in the '90s", "back in the \u201990s"),
        ('("inside")', "(\u201cinside\u201d)"),
        ("a -- b --- c...", "a \u2013 b \u2014 c\u2026"),
        ('He said "no."', "He said \u201cno.\u201d"),
    ],
)
def test_smarten(plain, typographic):
    assert smarten(plain) == typographic


def test_quotes_around_inline_markup_and_never_inside_code():
    md = markdown.Markdown(extensions=[TypographyExtension()])
    html = md.convert('"*Stay* curious" and `"raw"`\n\n    "indented"\n')
    assert '<p>\u201c<em>Stay</em> curious\u201d and <code>"raw"</code></p>' in html
    assert '<pre><code>"indented"' in html
