"""The face settings read and checked: pictures inside content/, a booking address."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from reader_details.images import READABLE_FORMATS, image_size

# What a coach may write before the path: "{static}/images/me.jpg", "/images/me.jpg",
# "content/images/me.jpg" all mean content/images/me.jpg.
WRITTEN_PREFIX = re.compile(r"^(?:\{static\}|\{attach\}|\{filename\})?/*(?:content/)?")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
# "a JPEG, PNG, GIF, WebP or SVG": the kinds the build reads, said as the refusal says them.
READABLE_IN_WORDS = "a " + ", ".join(READABLE_FORMATS[:-1]) + " or " + READABLE_FORMATS[-1]


# Where the coach writes each setting: its line in site.toml.
IN_SITE_FILE = {"COACH_PORTRAIT": "portrait", "SITE_LOGO": "logo", "BOOKING_URL": "booking_url"}


class FaceSettingError(ValueError):
    """A face setting the build cannot use; the message names it and the fix."""


class MissingPicture(FaceSettingError):
    """The setting names a picture that is not (or no longer) there: the pages go
    without it, which breaks nothing (a content folder need not hold the sample
    portrait), and the build says so."""


def theme_picture(settings: dict, key: str, alt: str) -> dict | None:
    """The picture the setting `key` names, as {"url", "width", "height", "alt"};
    None when the setting is empty or absent."""
    value = str(settings.get(key) or "").strip()
    if not value:
        return None
    relative = PurePosixPath(WRITTEN_PREFIX.sub("", value.replace("\\", "/")))
    where = f"content/{relative}"
    name = IN_SITE_FILE[key]
    example = f'{name} = "images/{relative.name}"'
    if ".." in relative.parts or not relative.parts:
        raise FaceSettingError(
            f'site.toml: {name} = "{value}" is not a picture inside content/. '
            f"Fix: put the picture in content/images/ and write {example}"
        )
    path = Path(settings["PATH"]) / relative
    if not path.is_file():
        raise MissingPicture(
            f'site.toml: {name} = "{value}", but there is no file {where}, so the '
            f"pages show none. Fix: put the picture at {where}, or correct the path (or "
            f'write {name} = "" for none)'
        )
    static = [PurePosixPath(p) for p in settings.get("STATIC_PATHS", [])]
    if not any(relative.is_relative_to(folder) for folder in static):
        raise FaceSettingError(
            f'site.toml: {name} = "{value}": {where} is not copied to the site '
            f"(only {', '.join(f'content/{p}/' for p in static)} are). "
            f"Fix: move it to content/images/ and write {example}"
        )
    size = image_size(path)
    if size is None:
        raise FaceSettingError(
            f'site.toml: {name} = "{value}": {where} is not {READABLE_IN_WORDS} picture '
            "the build can read. Fix: save it as a JPEG (or PNG) and point "
            f"{name} at that file"
        )
    return {"url": quote(relative.as_posix()), "width": size[0], "height": size[1], "alt": alt}


def booking_address(settings: dict) -> str:
    """BOOKING_URL as a full address: "cal.com/jordan" gains https://, a page of
    the site ("contact/") stays relative to it; "" when not set."""
    value = str(settings.get("BOOKING_URL") or "").strip()
    if not value:
        return ""
    if "<" in value or re.search(r"\s", value):
        raise FaceSettingError(
            "site.toml: booking_url holds embed code or spaces, not an address: the "
            "site links to your booking page and never runs a booking script. Fix: write "
            'only the link to your booking page, like booking_url = "https://cal.com/your-name"'
        )
    scheme = _SCHEME.match(value)
    if scheme:
        if scheme[0].lower() not in ("https:", "http:", "mailto:"):
            raise FaceSettingError(
                f'site.toml: booking_url = "{value}" is not a web address. Fix: write '
                'the link to your booking page, like booking_url = "https://cal.com/your-name"'
            )
        return value
    first = value.lstrip("/").split("/", 1)[0]
    if "." in first:  # a domain: "calendly.com/jordan"
        return "https://" + value.lstrip("/")
    return f"{settings.get('SITEURL', '')}/{value.lstrip('/')}"
