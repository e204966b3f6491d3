"""The theme's compiled templates are kept between builds, and never outlive a
change to a template or a damaged cache file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from jinja2.bccache import bc_magic

from conftest import ROOT, copy_project

sys.path.insert(0, str(ROOT / "bench"))
from run import differences  # noqa: E402


def build(project: Path, output: Path, cache: Path) -> None:
    command = [sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py"]
    command += ["-o", str(output), "--fatal", "warnings", "-e", f'CACHE_PATH="{cache}"']
    result = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def kept_templates(cache: Path) -> dict[Path, int]:
    """Each compiled template in the cache -> when it was written."""
    return {p: p.stat().st_mtime_ns for p in (cache / "templates").glob("*/__jinja2_*.cache")}


def test_compiled_templates_serve_the_next_build(tmp_path):
    project, cache = copy_project(tmp_path / "project"), tmp_path / "cache"
    build(project, tmp_path / "first", cache)
    kept = kept_templates(cache)
    assert len(kept) >= 10  # the page templates and their partials
    build(project, tmp_path / "second", cache)
    assert kept_templates(cache) == kept  # every one was loaded, none compiled again
    assert differences(tmp_path / "first", tmp_path / "second") == []


def test_a_changed_template_is_compiled_again(tmp_path):
    project, cache = copy_project(tmp_path / "project"), tmp_path / "cache"
    build(project, tmp_path / "first", cache)
    base = project / "theme/templates/base.html"
    assert base.read_text().count("</footer>") == 1
    base.write_text(base.read_text().replace("</footer>", "<p>Footer edited</p></footer>"))
    build(project, tmp_path / "second", cache)
    assert "<p>Footer edited</p>" in (tmp_path / "second/index.html").read_text()
    assert "<p>Footer edited</p>" not in (tmp_path / "first/index.html").read_text()


def test_a_changed_stylesheet_is_linked_by_its_new_name_with_kept_templates(tmp_path):
    """The stylesheet's hashed name is looked up at each build, never compiled into
    the kept templates (the page would link a file the new build does not write)."""
    project, cache = copy_project(tmp_path / "project"), tmp_path / "cache"
    build(project, tmp_path / "first", cache)
    sheet = project / "theme/static/site.css"
    sheet.write_text(sheet.read_text() + "\n.edited { color: inherit; }\n")
    build(project, tmp_path / "second", cache)
    for output in ("first", "second"):
        page = (tmp_path / output / "index.html").read_text()
        (href,) = re.findall(r'<link rel="stylesheet" href="\./([^"]+)"', page)
        assert (tmp_path / output / href).is_file(), f"{output}: {href} not written"
    assert ".edited" in (tmp_path / "second" / href).read_text()


def test_a_damaged_cache_file_is_compiled_again(tmp_path):
    project, cache = copy_project(tmp_path / "project"), tmp_path / "cache"
    build(project, tmp_path / "first", cache)
    kept = kept_templates(cache)
    for entry in kept:  # Jinja's header, then bytes that are no checksum or code
        entry.write_bytes(bc_magic + b"\xffnot a template")
    build(project, tmp_path / "second", cache)
    assert differences(tmp_path / "first", tmp_path / "second") == []
    for entry in kept:
        assert entry.read_bytes() != bc_magic + b"\xffnot a template"


def test_a_cache_folder_that_cannot_be_written_is_named_and_the_site_built(tmp_path):
    project, cache = copy_project(tmp_path / "project"), tmp_path / "cache"
    cache.mkdir()
    (cache / "templates").write_text("a file where the folder goes")
    command = [sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py"]
    command += ["-o", str(tmp_path / "out"), "-e", f'CACHE_PATH="{cache}"']
    result = subprocess.run(
        command,
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "400"},
    )
    logged = result.stdout + result.stderr
    assert result.returncode == 0, logged
    assert f"Could not keep the compiled templates in {cache / 'templates'}" in logged
    assert "Fix: make that folder writable" in logged
    assert (tmp_path / "out/index.html").is_file()


def test_a_function_among_the_options_keeps_one_folder_from_build_to_build():
    from jinja2 import Environment

    from speed.template_cache import cache_folder

    def finalize(value):
        return value

    def same_name(value):
        return value

    same_name.__qualname__ = finalize.__qualname__
    settings = {"CACHE_PATH": "cache", "JINJA_ENVIRONMENT": {"finalize": finalize}}
    other = {"CACHE_PATH": "cache", "JINJA_ENVIRONMENT": {"finalize": same_name}}
    assert repr(finalize) != repr(same_name)  # their memory addresses differ
    assert cache_folder(settings, Environment()) == cache_folder(other, Environment())
    plain = {"CACHE_PATH": "cache", "JINJA_ENVIRONMENT": {}}
    assert cache_folder(plain, Environment()) != cache_folder(settings, Environment())
