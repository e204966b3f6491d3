"""Form settings: a publish build refuses a form without a service; a writing
build says on the page what is missing; the endpoints feed the CSP."""

from conftest import ROOT, parse, run_pelican
from forms import form_endpoints

UNSET = 'CONTACT={"provider": "formspree"}'


def test_a_publish_build_stops_naming_the_missing_setting(tmp_path):
    result = run_pelican(ROOT / "content", tmp_path, "publishconf.py", "-e", UNSET)
    assert result.returncode == 1
    assert 'CONTACT["form_id"] is not set' in result.stderr
    assert not list(tmp_path.rglob("*.html"))


def test_a_writing_build_shows_what_is_missing_on_the_page(tmp_path):
    result = run_pelican(ROOT / "content", tmp_path, "pelicanconf.py", "-e", UNSET)
    assert result.returncode == 0, result.stderr
    notice = parse(tmp_path / "contact/index.html").xpath("string(//p[@class='notice'])")
    assert "not set up yet" in notice and 'CONTACT["form_id"]' in notice


def test_endpoints_are_the_other_sites_the_forms_post_to():
    settings = {
        "SITEURL": "https://coach.example",
        "NEWSLETTER": {"provider": "mailchimp", "dc": "us6", "u": "abc", "id": "l1"},
        "CONTACT": {"provider": "netlify"},
    }
    assert form_endpoints(settings) == ["https://us6.list-manage.com/subscribe/post?u=abc&id=l1"]
