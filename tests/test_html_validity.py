"""The Nu HTML checker (npm vnu-jar) finds no error in any built page (also with a
booking page and a logo)."""

from __future__ import annotations

import shutil
import subprocess

from conftest import ROOT, tool_missing

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def test_the_nu_checker_finds_no_errors(published_site, browsed_site, booking_site):
    java = shutil.which("java")
    if not java:
        tool_missing("Java (for the Nu HTML checker)")
    if not VNU.exists():
        tool_missing("vnu-jar (npm ci)")
    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--skip-non-html"]
        + [str(published_site), str(browsed_site), str(booking_site)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
