"""Of now: what sends or records a newsletter issue acts on the site as it is at
its own run. Two checks, made before anything is sent or recorded:

- the build's moment (BUILD_MOMENT) may be earlier than the clock, never later:
  an issue of a later day would mail articles that are not live yet, and record
  them as sent, so they would never be mailed once they are;
- an issue composed earlier (in `newsletter-issue/`) is sent only while it is
  the issue this run composes: same articles, same links, same text.
"""

from __future__ import annotations

from datetime import UTC, datetime

from scheduling import build_moment

from .compose import ComposedIssue


def shown_moment(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes").replace("T", " ")


def moment_is_later_than_clock(settings: dict) -> bool:
    return build_moment(settings) > datetime.now(UTC)


MAILS = "would mail articles that are not live yet"
RECORDS = (
    "would record articles that are not live yet as sent, so they would never be mailed "
    "once they are"
)


def future_moment_problem(settings: dict, command: str, harm: str = MAILS, hint: str = "") -> str:
    """Why `invoke {command}` may not send or record at this run's moment ("" when
    it may): BUILD_MOMENT later than the clock. `harm`: MAILS or RECORDS."""
    moment = build_moment(settings)
    now = datetime.now(UTC).astimezone(moment.tzinfo)
    if moment <= now:
        return ""
    return (
        f"BUILD_MOMENT is {shown_moment(moment)}, later than now ({shown_moment(now)}): "
        f"`invoke {command}` {harm}. Nothing was sent or recorded. "
        f"Fix: run it again without BUILD_MOMENT (unset BUILD_MOMENT){hint}"
    )


def composed_for_later(manifest: dict) -> str:
    """The moment a composed issue was made for, when it is later than the clock
    ("" otherwise, or for an issue composed by an older version)."""
    moment = manifest.get("moment")
    if not moment or datetime.fromisoformat(moment) <= datetime.now(UTC):
        return ""
    return shown_moment(datetime.fromisoformat(moment))


def differences(
    manifest: dict, on_disk: tuple[str, str, str], fresh: ComposedIssue | None, site: str
) -> list[str]:
    """How the issue composed earlier (its manifest, and its subject, HTML and text
    for sending) differs from `fresh`, what this run composes (None: nothing is
    new now); `site` is this run's address. Empty when they are the same."""
    reasons = []
    later = composed_for_later(manifest)
    if later:
        reasons.append(f"it was composed for {later} (BUILD_MOMENT), which has not come yet")
    if manifest.get("site") and manifest["site"] != site:
        reasons.append(f"its links lead to {manifest['site']}, but SITEURL is now {site}")
    ids = manifest["articles"]
    titles = dict(zip(ids, manifest.get("titles", ids), strict=True))
    now_ids = fresh.article_ids if fresh else []
    reasons += [
        f'"{titles[i]}" is not live now (a draft again, scheduled for later, or removed)'
        for i in manifest["articles"]
        if i not in now_ids
    ]
    reasons += [
        f'"{article.title}" is live now and not in it'
        for article in (fresh.articles if fresh else [])
        if article.id not in manifest["articles"]
    ]
    if not reasons and fresh and on_disk != (fresh.subject, fresh.html_to_fill, fresh.text_to_fill):
        reasons.append(
            "an article, your note or a setting changed since it was composed (its subject, "
            "text or "
            "links are not what they are now)"
        )
    return reasons
