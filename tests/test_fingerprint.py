"""Theme files get content-hashed names, so they can be cached for a year."""

import hashlib

from conftest import parse
from fingerprint import fingerprinted_names


def test_pages_link_the_stylesheet_by_its_content_hash(sample_site):
    href = parse(sample_site / "index.html").xpath("//link[@rel='stylesheet']/@href")[0]
    name = href.rsplit("/", 1)[1]
    stem, digest, extension = name.split(".")
    assert (stem, extension) == ("site", "css")
    source = (sample_site / "theme/site.css").read_bytes()
    assert hashlib.sha256(source).hexdigest().startswith(digest)
    served = (sample_site / "theme" / name).read_text()
    assert len(served) < 0.9 * len(source), "served minified"
    assert "/*" not in served and "\n  " not in served


def test_a_changed_file_gets_a_new_name(tmp_path):
    (tmp_path / "site.css").write_text("body { color: black; }")
    before = fingerprinted_names([str(tmp_path)])["site.css"]
    (tmp_path / "site.css").write_text("body { color: navy; }")
    after = fingerprinted_names([str(tmp_path)])["site.css"]
    assert before != after and before.startswith("site.") and after.endswith(".css")
