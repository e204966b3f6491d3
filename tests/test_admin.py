"""The editor at /admin/ as the build writes it: its config is valid for the
pinned Sveltia CMS (the JSON schema its package ships), our file format gives
back every file byte for byte (run in Node), the page has its own policy and
is in no list, and a site without EDITOR set gets a page saying what to set."""

from __future__ import annotations

import json
import shutil
import subprocess

import jsonschema
import pytest
from lxml import html
from test_headers import directives, parse_headers_file

from conftest import ROOT, run_pelican, tool_missing

FORMAT = ROOT / "plugins/admin/static/pelican-format.js"
SCHEMA = ROOT / "node_modules/@sveltia/cms/schema/sveltia-cms.json"
EDITOR = '{"repo": "jordan-avery/coaching-site", "branch": "main"}'

# Files the coach may have written by hand, each kept exactly by an unchanged save.
ODD_FILES = {
    "modified.md": "Title: Updated\nDate: 2026-01-02 09:00\nModified: 2026-02-03 10:00\n"
    "Id: 2026-01-02-updated\n\nText.\n",
    "image.md": "Title: With a picture\nDate: 2026-01-02 09:00\nId: x\n"
    "Image: {static}/images/path-through-hills.svg\n\n![Hills]({static}/images/a.png)\n",
    "multi-line-summary.md": "Title: Long\nDate: 2026-01-02 09:00\nSummary: one line\n"
    "    and its carried-on second line\nTags: a,b ,  c\n\nText.\n",
    "unicode.md": "Title: Ünïcödé — “quotes” 日本語 🌱\nDate: 2026-01-02 09:00\n\nTëxt.\n",
    "crlf.md": "Title: Windows\r\nDate: 2026-01-02 09:00\r\nStatus: Published\r\n\r\n"
    "Line one\r\n\r\n- a\r\n- b\r\n",
    "no-final-newline.md": "Title: Abrupt\nDate: 2026-01-02 09:00\n\nThe end",
    "mixed-ends.md": "Title: Mixed\r\nDate: 2026-01-02 09:00\n\nA\r\nB\nC\r",
    "blank-first-line.md": "\nTitle: Late header\nDate: 2026-01-02 09:00\n\nText.\n",
    "own-root-link.md": "Title: Root\n\nSee ![x](/images/a.png) and ![y]({static}/images/b.png).\n",
    "header-only.md": "Title: Only a header\nDate: 2026-01-02 09:00\n",
    "empty.md": "",
    "spaces-in-gap.md": "Title: Gap\n   \nText.\n\n\n",
}

ROUND_TRIP = """
const format = require(process.argv[1]);
const files = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = {};
for (const [name, text] of Object.entries(files)) {
  // As the editor does: the entry is copied (JSON) between reading and writing.
  const entry = JSON.parse(JSON.stringify(format.fromFile(text)));
  out[name] = {back: format.toFile(entry), entry};
}
process.stdout.write(JSON.stringify(out));
"""


def node_run(script: str, files: dict[str, str]) -> dict:
    node = shutil.which("node")
    if not node:
        tool_missing("Node.js (apt-get install nodejs)")
    result = subprocess.run(
        [node, "-e", script, str(FORMAT)],
        input=json.dumps(files),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_every_file_opened_and_saved_unchanged_keeps_its_bytes():
    files = {
        str(path.relative_to(ROOT)): path.read_bytes().decode("utf-8")
        for path in sorted((ROOT / "content").rglob("*.md"))
    }
    assert len(files) >= 10
    files.update(ODD_FILES)
    results = node_run(ROUND_TRIP, files)
    changed = [name for name, result in results.items() if result["back"] != files[name]]
    assert changed == []
    # What the editor shows of them.
    entry = results["crlf.md"]["entry"]
    assert entry["status"] == "published" and entry["body"] == "Line one\n\n- a\n- b"
    assert results["image.md"]["entry"]["image"] == "/images/path-through-hills.svg"
    assert results["multi-line-summary.md"]["entry"]["tags"] == ["a", "b", "c"]
    # Without a Status line an article is published (Pelican's default), not a draft.
    assert results["unicode.md"]["entry"]["status"] == "published"


EDITS = """
const format = require(process.argv[1]);
const files = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const crlf = format.fromFile(files.crlf);
crlf.title = 'Windows, retitled'; crlf.tags = ['one', 'two'];
crlf.body = crlf.body + '\\n\\n![New](/images/new.png)';
const multi = format.fromFile(files.multi);
multi.summary = 'Now on one line.';
const fresh = {title: 'New', date: '2027-06-01 09:00', id: '2027-06-01-new', status: 'published',
               category: 'Coaching', tags: ['parts'], summary: '', image: '/images/a.png',
               body: 'Text.'};
process.stdout.write(JSON.stringify({crlf: format.toFile(crlf), multi: format.toFile(multi),
                                     fresh: format.toFile(fresh)}));
"""


def test_a_changed_field_gets_a_line_of_its_own_and_the_rest_stays():
    written = node_run(
        EDITS, {"crlf": ODD_FILES["crlf.md"], "multi": ODD_FILES["multi-line-summary.md"]}
    )
    assert written["crlf"] == (
        "Title: Windows, retitled\r\nDate: 2026-01-02 09:00\r\nStatus: Published\r\n"
        "Tags: one, two\r\n\r\nLine one\r\n\r\n- a\r\n- b\r\n\r\n"
        "![New]({static}/images/new.png)\r\n"
    )
    assert written["multi"] == (
        "Title: Long\nDate: 2026-01-02 09:00\nSummary: Now on one line.\nTags: a,b ,  c\n\nText.\n"
    )
    assert written["fresh"] == (
        "Title: New\nDate: 2027-06-01 09:00\nId: 2027-06-01-new\nStatus: published\n"
        "Category: Coaching\nTags: parts\nImage: {static}/images/a.png\n\nText.\n"
    )


@pytest.fixture(scope="module")
def editor_build(tmp_path_factory):
    output = tmp_path_factory.mktemp("admin") / "output"
    result = run_pelican(ROOT / "content", output, "publishconf.py", "-e", f"EDITOR={EDITOR}")
    assert result.returncode == 0, result.stdout + result.stderr
    return output


def test_the_config_is_valid_for_the_pinned_sveltia_cms(editor_build):
    if not SCHEMA.exists():
        tool_missing("the npm packages (npm ci --ignore-scripts)")
    config = json.loads((editor_build / "admin/config.json").read_text())
    jsonschema.validate(config, json.loads(SCHEMA.read_text()))
    assert config["backend"] == {
        "name": "github",
        "repo": "jordan-avery/coaching-site",
        "branch": "main",
        "auth_methods": ["token"],
    }
    articles = config["collections"][0]
    assert articles["folder"] == "content/articles" and articles["format"] == "pelican"
    date = next(field for field in articles["fields"] if field["name"] == "date")
    assert date["format"] == "YYYY-MM-DD HH:mm" and date["input_timezone"] == "America/New_York"
    assert config["media_folder"] == "content/images"


def test_the_editor_page_has_its_own_policy_and_is_in_no_list(editor_build):
    page = html.fromstring((editor_build / "admin/index.html").read_bytes())
    assert page.xpath('//meta[@name="robots"]/@content') == ["noindex, nofollow"]
    policy = page.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')[0]
    assert "connect-src 'self' data: blob: https://api.github.com" in policy
    assert "script-src 'self';" in policy and "unsafe-eval" not in policy
    rules = dict(parse_headers_file((editor_build / "_headers").read_text()))
    assert rules["/admin/*"][0] == ("Content-Security-Policy", None)
    name, sent = rules["/admin/*"][1]
    assert name == "Content-Security-Policy"
    assert directives(sent) == {**directives(policy), "frame-ancestors": ["'none'"]}
    # Every other page keeps the site's policy, in _headers and in its <meta>.
    site_policy = dict(rules["/*"])["Content-Security-Policy"]
    assert "api.github.com" not in site_policy and "unsafe-inline" not in site_policy
    about = html.fromstring((editor_build / "about/index.html").read_bytes())
    meta = about.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')[0]
    assert "api.github.com" not in meta and "unsafe-inline" not in meta
    # In no list: sitemap, feeds, search index, any page's links.
    for name in ("sitemap.xml", "feeds/atom.xml", "feeds/rss.xml"):
        assert "admin" not in (editor_build / name).read_text()
    index = [path for path in (editor_build / "pagefind").rglob("*") if path.is_file()]
    assert index and not any(b"/admin/" in path.read_bytes() for path in index)
    for built in editor_build.rglob("*.html"):
        if "admin" not in built.parts:
            assert "/admin/" not in built.read_text(encoding="utf-8"), built


def test_a_site_without_the_setting_gets_a_page_saying_what_to_set(tmp_path):
    output = tmp_path / "output"
    result = run_pelican(ROOT / "content", output)
    assert result.returncode == 0, result.stdout + result.stderr
    page = html.fromstring((output / "admin/index.html").read_bytes())
    text = page.text_content()
    assert "The editor is not set up yet" in text
    assert 'EDITOR = {"repo": "your-name/your-site", "branch": "main"}' in text
    assert not (output / "admin/sveltia-cms.js").exists()


@pytest.mark.parametrize(
    ("editor", "message"),
    [
        (
            '{"repo": "not a repo"}',
            'EDITOR["repo"] in pelicanconf.py is "not a repo", not a GitHub repository. Fix: '
            'write its owner and name, like "your-name/your-site"',
        ),
        (
            '{"repo": "a/b", "backend": "gitlab"}',
            'EDITOR["backend"] in pelicanconf.py is "gitlab". Fix: write "github" (or '
            '"test-repo" to try the editor without saving anywhere)',
        ),
    ],
)
def test_a_wrong_setting_stops_the_build_naming_it(tmp_path, editor, message):
    result = run_pelican(
        ROOT / "content", tmp_path / "output", "pelicanconf.py", "-e", f"EDITOR={editor}"
    )
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_without_the_npm_packages_the_build_says_which_command_installs_them(tmp_path):
    empty = tmp_path / "node_modules"
    empty.mkdir()
    result = run_pelican(
        ROOT / "content",
        tmp_path / "output",
        "pelicanconf.py",
        "-e",
        f"EDITOR={EDITOR}",
        f'NODE_MODULES="{empty}"',
    )
    assert result.returncode != 0
    assert (
        "The editor's file @sveltia/cms/dist/sveltia-cms.js is not installed. Fix: run "
        "`npm ci --ignore-scripts` in the project folder" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_an_upgrade_that_moves_what_the_build_replaces_stops_it(tmp_path):
    from admin.vendor import BUNDLE, REPLACEMENTS, EditorFilesError, patched_bundle

    bundle = tmp_path / BUNDLE
    bundle.parent.mkdir(parents=True)
    text = (ROOT / "node_modules" / BUNDLE).read_text(encoding="utf-8")
    bundle.write_text(text.replace(REPLACEMENTS[0][0], "https://elsewhere.test/font.woff2"))
    with pytest.raises(EditorFilesError) as refused:
        patched_bundle(str(tmp_path))
    assert str(refused.value).startswith(
        "The editor's bundle (@sveltia/cms/dist/sveltia-cms.js) holds 0 times, not once, the "
        "code for a font from jsDelivr. Fix: keep @sveltia/cms at the version in package.json"
    )
    patched = patched_bundle(str(ROOT / "node_modules"))
    assert "cdn.jsdelivr.net" not in patched and "https://unpkg.com/${e}" not in patched


def test_the_fonts_are_pinned_at_the_versions_the_bundle_names():
    from admin.vendor import FONTS

    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]
    for address, (path, _) in FONTS.items():
        package = "/".join(path.split("/")[:2])
        assert address.split("@")[-1].startswith(pinned[package] + "/"), package
