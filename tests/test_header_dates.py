"""Headers mean one thing: dates only as year-month-day (a local time that does
not exist or happens twice in the site's time zone, a zone name, an offset or
a year out of range refused with the fix for that file), fixed values in any
letter case, and a header after an empty first line named as such."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from zoneinfo import ZoneInfo

import feedparser
import pytest
from pelican.contents import Article
from pelican.settings import DEFAULT_CONFIG

from conftest import FIXTURES, ROOT, parse, problem_lines, run_invoke, run_pelican
from scheduling import is_scheduled

BROKEN = FIXTURES / "broken"
NEW_YORK = ZoneInfo("America/New_York")

ONLY_ISO = "is not written year-month-day, the only form read without guessing"
GUESS = "; only year-month-day is read without guessing"
ZONE = (
    'Date "2027-06-01 09:00 {name}" names a time zone ("{name}"), which is not read: a name '
    "stands for different offsets in summer and winter, or in different countries"
)
ZONE_FIX = (
    'write the offset instead, like "Date: 2027-06-01 09:00{offset}", or leave the zone out '
    "for the site's own (America/New_York)"
)
# file -> (line, what is wrong, the fix), exactly as `invoke check` prints them.
UNCLEAR = {
    "day-or-month.md": (
        "3",
        f'Date "12/03/2026" could be 12 March 2026 or 3 December 2026{GUESS}',
        'write the one you mean: "Date: 2026-03-12" (12 March 2026) or "Date: 2026-12-03" '
        "(3 December 2026)",
    ),
    "day-first.md": ("3", f'Date "13/03/2026" {ONLY_ISO}', 'write it as "Date: 2026-03-13"'),
    "month-first.md": (
        "3",
        f'Date "03/12/2027" could be 3 December 2027 or 12 March 2027{GUESS}',
        'write the one you mean: "Date: 2027-12-03" (3 December 2027) or "Date: 2027-03-12" '
        "(12 March 2027)",
    ),
    "in-words.md": ("3", f'Date "March 3, 2026" {ONLY_ISO}', 'write it as "Date: 2026-03-03"'),
    "modified.md": (
        "4",
        f'Modified "12/03/2026 10:00" could be 12 March 2026 or 3 December 2026{GUESS}',
        'write the one you mean: "Modified: 2026-03-12 10:00" (12 March 2026) or '
        '"Modified: 2026-12-03 10:00" (3 December 2026)',
    ),
    "skipped-hour.md": (
        "3",
        'Date "2027-03-14 02:30" does not exist in America/New_York: the clocks go forward '
        "an hour that night and skip 02:30",
        'write the time you mean with its offset: "Date: 2027-03-14 01:30-05:00" (before the '
        'change) or "Date: 2027-03-14 03:30-04:00" (after it)',
    ),
    "twice.md": (
        "3",
        'Date "2027-11-07 01:30" happens twice in America/New_York: the clocks go back an hour '
        "that night, so 01:30 comes first at -04:00, then again at -05:00",
        'write the one you mean with its offset: "Date: 2027-11-07 01:30-04:00" (the first) '
        'or "Date: 2027-11-07 01:30-05:00" (the second)',
    ),
    "cet.md": ("3", ZONE.format(name="CET"), ZONE_FIX.format(offset="+01:00")),
    "est.md": ("3", ZONE.format(name="EST"), ZONE_FIX.format(offset="-05:00")),
    "offset.md": (
        "3",
        'Date "2027-06-01 09:00+25:00" has the offset +25:00, which no time zone has '
        "(offsets run from -12:00 to +14:00)",
        "write the offset of the time you mean, or leave it out for the site's time zone "
        '(America/New_York), like "Date: 2027-06-01 09:00"',
    ),
    "far-year.md": (
        "3",
        'Date "9999-12-31 23:00" is in the year 9999; the site handles the years 1900 to 2999',
        'write the year you mean, like "Date: 2027-12-31 23:00"',
    ),
}


def found_problems(stderr: str) -> dict[str, tuple[str, str, str]]:
    return {
        m["path"].rsplit("/", 1)[-1]: (m["line"], m["what"], m["fix"])
        for m in problem_lines(stderr)
    }


def test_check_refuses_every_date_it_would_have_to_guess_with_the_fix_for_that_file():
    result = run_invoke(ROOT, "check", "--content", str(BROKEN / "unclear_dates"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert found_problems(result.stderr) == UNCLEAR, result.stderr
    assert f"{len(UNCLEAR)} content problems in {len(UNCLEAR)} files" in result.stderr
    assert "Traceback" not in result.stderr and "Warning" not in result.stderr


@pytest.mark.parametrize("settings", ["pelicanconf.py", "publishconf.py"])
def test_a_build_with_such_dates_stops_with_the_same_report_and_writes_nothing(tmp_path, settings):
    result = run_pelican(BROKEN / "unclear_dates", tmp_path / "out", settings)
    assert result.returncode == 1, result.stdout + result.stderr
    assert found_problems(result.stderr) == UNCLEAR, result.stderr
    assert "Traceback" not in result.stderr and "UnknownTimezoneWarning" not in result.stderr
    assert not list(tmp_path.rglob("*.html")), "nothing may be published from broken content"


def test_a_header_after_an_empty_first_line_is_one_problem_saying_so():
    result = run_invoke(ROOT, "check", "--content", str(BROKEN / "blank_first_line"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert found_problems(result.stderr) == {
        "late.md": (
            "1",
            "The header starts on line 2, after 1 empty line, so none of it is read "
            "(a header must start on the first line)",
            'delete the empty line above "Title: Written after a blank line"',
        ),
        "late-page.md": (
            "1",
            "The header starts on line 3, after 2 empty lines, so none of it is read "
            "(a header must start on the first line)",
            'delete the empty lines above "Title: A page after two blank lines"',
        ),
    }, result.stderr
    assert "2 content problems in 2 files" in result.stderr


@pytest.fixture(scope="module")
def header_forms_site(tmp_path_factory):
    """The sample content with the header_forms articles, at 01:45 the first time
    the clocks read it on the night they go back (05:45 UTC)."""
    output = tmp_path_factory.mktemp("forms") / "output"
    content = output.parent / "content"
    shutil.copytree(ROOT / "content", content)
    shutil.copytree(FIXTURES / "header_forms", content, dirs_exist_ok=True)
    moment = ("-e", 'BUILD_MOMENT="2027-11-07T01:45-04:00"')
    result = run_pelican(content, output, "pelicanconf.py", *moment)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


def test_status_is_read_in_any_letter_case(header_forms_site):
    output = header_forms_site
    home = parse(output / "index.html").text_content()
    assert parse(output / "capital" / "index.html").xpath("//h1/text()") == ["Capital status"]
    assert "Capital status" in home
    feed = feedparser.parse(output / "feeds" / "atom.xml")
    assert "Capital status" in [entry.title for entry in feed.entries]
    assert (output / "tag" / "forms" / "index.html").exists()
    # DRAFT is a draft: under drafts/ only.
    assert (output / "drafts" / "shouted-draft" / "index.html").exists()
    assert not (output / "shouted-draft").exists() and "Shouted draft" not in home
    # Hidden is published but listed nowhere.
    assert parse(output / "capital-hidden" / "index.html").xpath("//h1/text()")
    assert "Hidden with a capital" not in home


def test_each_reading_of_a_repeated_hour_is_published_at_its_own_instant(header_forms_site):
    """01:30-04:00 is 05:30 UTC, 01:30-05:00 is 06:30 UTC; the build is at 05:45 UTC."""
    output = header_forms_site
    assert parse(output / "first-reading" / "index.html").xpath("//h1/text()")
    assert not (output / "second-reading").exists()
    notice = parse(output / "drafts" / "second-reading" / "index.html").xpath("//p[@role='note']")
    assert "Scheduled for Sunday 7 November 2027, 01:30 (-05:00)" in notice[0].text_content()


def test_scheduling_compares_instants_not_wall_clock_times():
    """On the night the clocks go back, 01:30 at -04:00 (05:30 UTC) is before
    01:10 at -05:00 (06:10 UTC), though its clock reads later."""
    settings = {**DEFAULT_CONFIG, "TIMEZONE": "America/New_York"}
    first_half_past_one = datetime(2027, 11, 7, 1, 30, tzinfo=NEW_YORK)
    article = Article("Text.", {"title": "T", "date": first_half_past_one}, settings=settings)
    second_ten_past_one = datetime(2027, 11, 7, 1, 10, fold=1, tzinfo=NEW_YORK)
    assert not is_scheduled(article, second_ten_past_one)
    assert is_scheduled(article, datetime(2027, 11, 7, 1, 20, fold=0, tzinfo=NEW_YORK))


@pytest.mark.parametrize(
    ("moment", "message"),
    [
        (
            "9999-12-31T23:00",
            'BUILD_MOMENT "9999-12-31T23:00" is in the year 9999; the site handles the years '
            "1900 to 2999. Fix: write the year you mean, like BUILD_MOMENT=2027-12-31T23:00, "
            "or leave BUILD_MOMENT empty to use the clock",
        ),
        (
            "2027-11-07T01:30",
            'BUILD_MOMENT "2027-11-07T01:30" happens twice in America/New_York: the clocks go '
            "back an hour that night, so 01:30 comes first at -04:00, then again at -05:00. "
            "Fix: write the one you mean with its offset: BUILD_MOMENT=2027-11-07T01:30-04:00 "
            "(the first) or BUILD_MOMENT=2027-11-07T01:30-05:00 (the second), or leave "
            "BUILD_MOMENT empty to use the clock",
        ),
        (
            "2027-03-14T02:30",
            'BUILD_MOMENT "2027-03-14T02:30" does not exist in America/New_York',
        ),
        (
            "2027-06-01T09:00 CET",
            'BUILD_MOMENT "2027-06-01T09:00 CET" names a time zone ("CET")',
        ),
        (
            "2027-06-01T09:00+25:00",
            'BUILD_MOMENT "2027-06-01T09:00+25:00" has the offset +25:00, which no time zone has',
        ),
    ],
)
def test_a_build_moment_that_cannot_be_one_instant_is_one_line(moment, message):
    result = run_invoke(ROOT, "check", env={**os.environ, "BUILD_MOMENT": moment})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith(message), result.stderr
    assert "Traceback" not in result.stderr


def test_invoke_new_writes_a_date_that_reads_back_as_the_same_instant():
    """In the hour that happens twice, the Date `invoke new` writes carries its offset."""
    from scheduling.times import as_written, read_time

    for fold in (0, 1):
        moment = datetime(2027, 11, 7, 1, 30, fold=fold, tzinfo=NEW_YORK)
        text = as_written(moment)
        assert text == f"2027-11-07 01:30{'-04:00' if fold == 0 else '-05:00'}"
        read = read_time(text, "America/New_York", "Date", str)
        assert read.astimezone(ZoneInfo("UTC")) == moment.astimezone(ZoneInfo("UTC"))
    assert as_written(datetime(2027, 6, 1, 9, 0, tzinfo=NEW_YORK)) == "2027-06-01 09:00"


def test_a_template_name_in_capitals_is_refused_with_the_words_lower_case(tmp_path):
    """A template is a file: `Template: Contact` would not be found on the server."""
    pages = tmp_path / "content" / "pages"
    pages.mkdir(parents=True)
    (pages / "reach-me.md").write_text("Title: Reach me\nTemplate: Contact\n\nWrite to me.\n")
    result = run_invoke(ROOT, "check", "--content", str(tmp_path / "content"))
    assert result.returncode == 1, result.stdout + result.stderr
    [problem] = problem_lines(result.stderr)
    assert (problem["line"], problem["what"], problem["fix"]) == (
        "2",
        'Template "Contact" is written with capitals, but template names are in lower case',
        'write it in lower case: "Template: contact"',
    )
