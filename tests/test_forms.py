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


KIT_PASTED = "https://app.kit.com/forms/7463169/subscriptions"
MAILERLITE_PASTED = "https://assets.mailerlite.com/jsonp/123456/forms/98765432101234567/subscribe"


@pytest.mark.parametrize(
    "setting, names, source",
    [
        (
            {"provider": "kit", "action": KIT_PASTED, "first_name": True},
            {"email_address", "fields[first_name]"},
            KIT_PASTED,
        ),
        (
            {"provider": "mailerlite", "action": MAILERLITE_PASTED},
            {"fields[email]", "ml-submit", "anticsrf"},
            MAILERLITE_PASTED,
        ),
    ],
    ids=["kit", "mailerlite"],
)
def test_kit_and_mailerlite_embed_actions_are_pasted_whole_and_name_the_csp(
    tmp_path, setting, names, source
):
    result = run_pelican(
        ROOT / "content", tmp_path, "publishconf.py", "-e", f"NEWSLETTER={json.dumps(setting)}"
    )
    assert result.returncode == 0, result.stderr
    page = parse(tmp_path / "newsletter/index.html")
    [form] = page.xpath("//form[contains(@class, 'signup')]")
    assert form.get("action") == source and form.get("data-background") is not None
    assert {i.get("name") for i in form.xpath(".//input[@name]")} == names
    headers = (tmp_path / "_headers").read_text()
    [meta] = page.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    for policy in (headers.split("Content-Security-Policy: ")[1].split("\n")[0], meta):
        allowed = {d.split()[0]: d.split()[1:] for d in policy.split("; ")}
        assert source in allowed["form-action"] and source in allowed["connect-src"]


@pytest.mark.parametrize(
    "setting, notice",
    [
        (
            {"provider": "kit", "action": "https://jordan.kit.com/newsletter"},
            'NEWSLETTER["action"] is "https://jordan.kit.com/newsletter", not the address of '
            'a Kit form. Fix: paste the address between the quotes of action="..." in the '
            'form\'s embed code, like "https://app.kit.com/forms/1234567/subscriptions"',
        ),
        (
            {"provider": "mailerlite"},
            'NEWSLETTER["action"] is not set; paste the address between the quotes of '
            'action="..." in your MailerLite form\'s embed code',
        ),
    ],
)
def test_a_kit_or_mailerlite_address_that_is_not_a_form_is_refused_with_the_fix(setting, notice):
    settings = {"SITEURL": "https://coach.example", "NEWSLETTER": setting, "CONTACT": {}}
    _, notices = forms(settings)
    assert notices["NEWSLETTER"].startswith(notice)
    assert form_endpoints(settings) == []


def test_the_ids_are_read_from_the_pasted_address_or_given_alone():
    settings = {
        "SITEURL": "https://coach.example",
        "NEWSLETTER": {"provider": "mailerlite", "account": "42", "form_id": "7"},
        "CONTACT": {"provider": "netlify"},
    }
    assert form_endpoints(settings) == ["https://assets.mailerlite.com/jsonp/42/forms/7/subscribe"]
    settings["NEWSLETTER"] = {
        "provider": "kit",
        "action": "https://app.convertkit.com/forms/9/subscriptions/",
    }
    assert form_endpoints(settings) == ["https://app.convertkit.com/forms/9/subscriptions/"]
