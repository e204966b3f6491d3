"""The check reads Markdown as Markdown: code is text, invisible characters are
found with their line and column, and what is not a text file is refused
without being opened; every case names the file and the fix, never a traceback."""

from __future__ import annotations

import pytest

from conftest import parse, problem_lines, run_invoke, run_pelican

HEADER = "Title: {title}\nDate: 2026-02-01 09:00\nId: 2026-02-01-{slug}\n\n"


def write_article(content, slug: str, body: str, title: str = "") -> None:
    folder = content / "articles"
    folder.mkdir(parents=True, exist_ok=True)
    text = HEADER.format(title=title or slug.capitalize(), slug=slug) + body
    (folder / f"{slug}.md").write_text(text, encoding="utf-8")


def problems_of(result) -> dict[tuple[str, int | None], str]:
    """(file name, line) -> what is wrong and the fix, for each reported problem."""
    found = {}
    for match in problem_lines(result.stderr):
        line = int(match["line"]) if match["line"] else None
        found[(match["path"].rsplit("/", 1)[-1], line)] = f"{match['what']}. Fix: {match['fix']}"
    return found


CODE_IS_TEXT = """\
Use `<img src="photo.jpg">` in HTML, or ``![](`odd`.png)`` in Markdown.

A link kind is written like `{filname}`, and `[a link](https://example.org/pic.png)`.

    <img src="indented.jpg">
    ![](also-indented.png)
    <iframe src="https://example.org/embed"></iframe>

~~~~
![](fenced.png)
~~~
<img src="//example.org/still-in-the-fence.png">
~~~~

```html
<img src="https://example.org/in-a-fence.png">
```

Some closing words.
"""


def test_code_spans_and_code_blocks_are_text(tmp_path):
    content = tmp_path / "content"
    write_article(content, "code", CODE_IS_TEXT)
    result = run_pelican(content, tmp_path / "output")
    assert result.returncode == 0, result.stderr
    code = parse(tmp_path / "output" / "code" / "index.html").xpath("//main//code//text()")
    assert '<img src="photo.jpg">' in code, "shown as code, as typed"
    assert '<img src="indented.jpg">' in "".join(code)


def test_pictures_outside_code_are_still_checked(tmp_path):
    content = tmp_path / "content"
    body = 'Text with `code` and then <img src="x.svg"> outside it.\n\n![](y.svg)\n'
    write_article(content, "outside", body)
    result = run_pelican(content, tmp_path / "output")
    assert result.returncode == 1
    problems = problems_of(result)
    assert "An image has no alt text" in problems[("outside.md", 5)], result.stderr
    assert "An image has no alt text" in problems[("outside.md", 7)], result.stderr


# (name, character, what the coach reads about it)
INVISIBLE = [
    ("rlo", "\u202e", "invisible text-direction character (U+202E, right-to-left override"),
    ("lri", "\u2066", "invisible text-direction character (U+2066, left-to-right isolate"),
    ("lrm", "\u200e", "invisible text-direction character (U+200E, left-to-right mark"),
    ("alm", "\u061c", "invisible text-direction character (U+061C, arabic letter mark"),
    ("zwsp", "\u200b", "invisible zero-width character (U+200B, zero width space"),
    ("bom", "\ufeff", "invisible zero-width character (U+FEFF, zero-width no-break space"),
    ("shy", "\u00ad", "invisible soft hyphen (U+00AD, soft hyphen"),
    ("pua", "\ue000", "invisible private-use character (U+E000, private use"),
]


def test_invisible_characters_are_refused_in_headers_and_bodies_with_their_column(tmp_path):
    content = tmp_path / "content"
    for name, char, _ in INVISIBLE:
        write_article(content, name, f"A body {char}with it.\n", title=f"Title {char}here")
    result = run_pelican(content, tmp_path / "output")
    assert result.returncode == 1
    problems = problems_of(result)
    for name, _, said in INVISIBLE:
        title = problems[(f"{name}.md", 1)]
        assert title.startswith(f'The "Title:" line holds an {said}, column 14)'), title
        assert "Fix: delete the text around it and type it again" in title
        body = problems[(f"{name}.md", 5)]
        assert body.startswith(f"This line holds an {said}, column 8)"), body
    assert "Traceback" not in result.stderr


def test_a_byte_order_mark_at_the_start_of_a_file_is_no_problem(tmp_path):
    content = tmp_path / "content"
    write_article(content, "marked", "Plain text.\n")
    path = content / "articles" / "marked.md"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = run_pelican(content, tmp_path / "output")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("name", "char", "said"), INVISIBLE)
def test_new_refuses_a_title_with_an_invisible_character(project_copy, name, char, said):
    before = sorted((project_copy / "content/articles").iterdir())
    result = run_invoke(project_copy, "new", f"Meeting{char} the critic")
    assert result.returncode == 1
    assert f"The title holds an {said}, character 8)" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert sorted((project_copy / "content/articles").iterdir()) == before
