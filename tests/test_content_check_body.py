"""The check reads Markdown as Markdown: code is text, invisible characters are
found with their line and column, and what is not a text file is refused
without being opened; every case names the file and the fix, never a traceback."""

from __future__ import annotations

import os
import socket

import pytest

from conftest import ROOT, parse, problem_lines, run_invoke, run_pelican

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


def odd_content(tmp_path, make) -> tuple:
    content = tmp_path / "content"
    write_article(content, "fine", "A body.\n")
    odd = content / "articles" / "odd.md"
    make(odd)
    return content, odd


def named_pipe(path) -> None:
    os.mkfifo(path)


def socket_file(path) -> None:
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(path))


def broken_link(path) -> None:
    path.symlink_to(path.parent / "moved-away.md")


ODD_ENTRIES = [
    (
        named_pipe,
        "This is not a file but a named pipe, which the site cannot read (nothing was read "
        "from it). Fix: delete it, or move it out of the content folder: it is never a page "
        "or a picture",
    ),
    (
        socket_file,
        "This is not a file but a socket, which the site cannot read (nothing was read "
        "from it). Fix: delete it, or move it out of the content folder: it is never a page "
        "or a picture",
    ),
    (
        broken_link,
        'This is a link to "{folder}/moved-away.md", which is not there. '
        "Fix: delete the link, or put the file itself here in its place",
    ),
]


@pytest.mark.parametrize("how", ["build", "check"])
@pytest.mark.parametrize(("make", "said"), ODD_ENTRIES, ids=["pipe", "socket", "broken-link"])
def test_what_is_not_a_readable_file_is_refused_without_opening_it(tmp_path, how, make, said):
    content, odd = odd_content(tmp_path, make)
    if how == "build":  # a named pipe would hang Pelican's reading: the timeout would stop it
        result = run_pelican(content, tmp_path / "output")
    else:
        result = run_invoke(ROOT, "check", "--content", str(content))
    assert result.returncode == 1
    lines = problem_lines(result.stderr)
    assert [m[0] for m in lines] == [f"{odd}: {said.format(folder=odd.parent)}"], result.stderr
    assert "Traceback" not in result.stderr


def test_check_of_a_folder_that_is_not_there_says_so(tmp_path):
    result = run_invoke(ROOT, "check", "--content", str(tmp_path / "nonexistent"))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"--content {tmp_path / 'nonexistent'}: there is no folder there. Fix: give the folder "
        "that holds articles/ and pages/, like `invoke check --content content`"
    )


@pytest.mark.parametrize("out", ["pelicanconf.py", "content"])
def test_digest_never_writes_over_what_is_not_a_composed_issue(newsletter_copy, out):
    before = {p: p.read_bytes() for p in newsletter_copy.rglob("*") if p.is_file()}
    result = run_invoke(newsletter_copy, "digest", "--out", out)
    assert result.returncode == 1
    what = "a file" if out == "pelicanconf.py" else "a folder of other files"
    assert result.stderr.strip() == (
        f"--out {out}: {what}, not a composed issue, so the issue was not written over it. "
        "Fix: give a new folder, like `invoke digest --out newsletter-issue`"
    )
    after = {p: p.read_bytes() for p in newsletter_copy.rglob("*") if p.is_file()}
    assert after == before, "nothing written"


def test_digest_writes_a_new_issue_over_the_last_composed_one(newsletter_copy):
    first = run_invoke(newsletter_copy, "digest", "--out", "issue")
    assert first.returncode == 0, first.stderr
    again = run_invoke(newsletter_copy, "digest", "--out", "issue")
    assert again.returncode == 0, again.stderr


def nested_quotes(levels: int) -> str:
    return "".join(
        "> " * depth + f"Level {depth}.\n" + "> " * depth + "\n" for depth in range(1, levels + 1)
    )


def test_quotes_nested_past_the_limit_are_refused_as_too_deep(tmp_path):
    """300 quotes inside one another gave a serial and a parallel build different
    HTML (Python-Markdown stops nesting near the recursion limit)."""
    content = tmp_path / "content"
    write_article(content, "deep", nested_quotes(300))
    write_article(content, "listed", "- " * 25 + "A list in a list.\n")
    fenced = "```\n" + "    " * 30 + "code indented deep is text\n```\n"
    write_article(content, "fine", nested_quotes(20) + fenced)
    result = run_pelican(content, tmp_path / "output")
    assert result.returncode == 1
    problems = problems_of(result)
    assert problems[("deep.md", 45)] == (
        "Quotes or lists are nested 300 levels deep here, more than the 20 the site reads the "
        "same way in every build. Fix: use at most 20 levels: remove some of the > or list "
        "markers (or the indentation) at the start of the lines"
    )
    assert problems[("listed.md", 5)].startswith("Quotes or lists are nested 25 levels deep")
    assert not [key for key in problems if key[0] == "fine.md"], result.stderr
    assert "Traceback" not in result.stderr


def test_twenty_nested_quotes_are_read_in_full(tmp_path):
    content = tmp_path / "content"
    write_article(content, "fine", nested_quotes(20))
    result = run_pelican(content, tmp_path / "output")
    assert result.returncode == 0, result.stderr
    page = parse(tmp_path / "output" / "fine" / "index.html")
    assert (
        page.xpath("count(//main//blockquote[not(.//blockquote)]/ancestor-or-self::blockquote)")
        == 20
    )


def test_a_message_quoting_a_line_with_an_invisible_character_shows_its_code(tmp_path):
    """The fix quotes the coach's line; U+202E in it must not turn the message around."""
    from content_check.problems import Problem, report

    line = "Title: \u202eMeeting your critic"
    shown = report([Problem(str(tmp_path / "a.md"), 1, "A problem", f'look at "{line}"')])
    assert "\u202e" not in shown
    assert 'look at "Title: <U+202E>Meeting your critic"' in shown
