"""Form settings: a publish build refuses a form without a service; a writing
build says on the page what is missing; the endpoints feed the CSP."""

import json

import pytest

from conftest import ROOT, parse, run_pelican
from forms import form_endpoints, forms, placeholder_settings

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


PASTED = "https://coach.us6.list-manage.com/subscribe/post?u=a1b2c3&amp;id=d4e5f6&amp;f_id=00c1e2f0"


@pytest.mark.parametrize(
    "action, problem",
    [
        ("javascript:alert(1)", 'NEWSLETTER["action"] is "javascript:alert(1)", not an https://'),
        ("http://lists.example.org/join", "not an https:// address"),
        ('https://lists.example.org/join" onmouseover="x', "contains a space, a quote mark"),
        ("https://lists.example.org/<join>", "contains a space, a quote mark, < or >"),
    ],
)
def test_a_publish_build_refuses_a_form_address_that_is_not_https(tmp_path, action, problem):
    setting = json.dumps({"provider": "custom", "action": action})
    result = run_pelican(
        ROOT / "content", tmp_path, "publishconf.py", "-e", f"NEWSLETTER={setting}"
    )
    assert result.returncode == 1
    assert problem in result.stderr and "Traceback" not in result.stderr
    assert not list(tmp_path.rglob("*.html"))


def test_a_writing_build_shows_a_bad_address_as_not_set_up(tmp_path):
    setting = json.dumps({"provider": "formspree", "form_id": "x", "action": 'https://a.test/"'})
    result = run_pelican(ROOT / "content", tmp_path, "pelicanconf.py", "-e", f"CONTACT={setting}")
    assert result.returncode == 0, result.stderr
    notice = parse(tmp_path / "contact/index.html").xpath("string(//p[@class='notice'])")
    assert 'CONTACT["action"]' in notice
    assert "https://a.test/" not in (tmp_path / "_headers").read_text()


def test_mailchimps_embed_action_is_pasted_whole_and_names_the_csp(tmp_path):
    setting = json.dumps({"provider": "mailchimp", "action": PASTED})
    result = run_pelican(
        ROOT / "content", tmp_path, "publishconf.py", "-e", f"NEWSLETTER={setting}"
    )
    assert result.returncode == 0, result.stderr
    page = parse(tmp_path / "newsletter/index.html")
    [form] = page.xpath("//form[.//input[@name='EMAIL']]")
    assert form.get("action") == PASTED.replace("&amp;", "&")
    assert page.xpath("//input[@name='b_a1b2c3_d4e5f6']"), "the honeypot comes from u= and id="
    source = "https://coach.us6.list-manage.com/subscribe/post"
    headers = (tmp_path / "_headers").read_text()
    [meta] = page.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    for policy in (headers.split("Content-Security-Policy: ")[1].split("\n")[0], meta):
        allowed = {d.split()[0]: d.split()[1:] for d in policy.split("; ")}
        assert source in allowed["form-action"] and source in allowed["connect-src"]


def test_a_pasted_mailchimp_action_needs_u_and_id():
    settings = {
        "SITEURL": "https://coach.example",
        "NEWSLETTER": {"provider": "mailchimp", "action": "https://coach.us6.list-manage.com/x"},
        "CONTACT": {"provider": "netlify"},
    }
    _, notices = forms(settings)
    assert notices["NEWSLETTER"].startswith('NEWSLETTER["action"] has no u= and id=')
    assert form_endpoints(settings) == []


def test_the_shipped_form_examples_are_named_whatever_their_spaces_or_case():
    settings = {
        "NEWSLETTER": {"provider": "buttondown", "username": " Your-Buttondown-Username "},
        "CONTACT": {"provider": "formspree", "form_id": "xyzabcde", "question": True},
    }
    assert placeholder_settings(settings) == [
        'NEWSLETTER["username"] is " Your-Buttondown-Username "'
    ]
    assert placeholder_settings({"NEWSLETTER": None, "CONTACT": {}}) == []
