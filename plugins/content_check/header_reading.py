"""How Pelican reads the header values the schema fixes, so that what passes the
check is built as checked: `Date` and `Modified` by the site's rules for time
(scheduling/times.py: ISO 8601 only, no zone names, no local time that does not
exist or happens twice), and `Status` in any letter case (`Status: Published`,
as phones write it, publishes; Pelican compares the status as written)."""

from __future__ import annotations

from pelican import readers

from scheduling.times import read_time


def _time_reader(label: str):
    def read(value: str, settings: dict):
        return read_time(value, settings["TIMEZONE"], label, lambda v: f'"{label}: {v}"')

    read.site_rules = True
    return read


def use_site_rules() -> None:
    """Put the site's readings in place of Pelican's (its METADATA_PROCESSORS),
    once; a value they refuse makes Pelican leave the file out, and the check
    names it with its fix."""
    processors = readers.METADATA_PROCESSORS
    if getattr(processors["date"], "site_rules", False):
        return
    status = processors["status"]

    def status_in_lower_case(value: str, settings: dict):
        return status(value.lower(), settings)

    status_in_lower_case.site_rules = True
    processors.update(
        date=_time_reader("Date"), modified=_time_reader("Modified"), status=status_in_lower_case
    )
