"""Summaries are plain text: shown as typed (escaped), with typographic quotes."""

from prose import summary_html


def test_a_summary_is_one_escaped_typographic_paragraph():
    assert summary_html('A "first" step & <b>more</b>\n  here') == (
        "<p>A \u201cfirst\u201d step &amp; &lt;b&gt;more&lt;/b&gt; here</p>"
    )
