"""Face: the coach in the theme (issue 25): their portrait, an optional logo,
the one-line promise and the call to action (a booking link, or without one the
newsletter sign-up).

Adds to the build the template variables PORTRAIT and LOGO (the picture's
address inside the site, its width, height and text alternative; None when not
set; the portrait's `sizes` are those the pictures plugin made), BOOKING
(the booking page's full address, or "") and FACE_NOTICES (why a picture is
missing, in a writing build), read from the settings COACH_PORTRAIT,
COACH_PORTRAIT_ALT, SITE_LOGO and BOOKING_URL. A picture setting that points
outside the site's pictures or at a file that is no picture, or a booking
"address" that is really an embed code, stops the build
with the setting's name and the exact fix, before anything is written; a
picture that is not there is left out of the pages, and a writing build says
so where the portrait would be.
"""

from __future__ import annotations

from urllib.parse import unquote

from pelican import signals
from pictures import picture_sizes

from .settings import FaceSettingError, MissingPicture, booking_address, theme_picture

__all__ = [
    "FaceSettingError",
    "MissingPicture",
    "booking_address",
    "face_context",
    "register",
    "theme_picture",
]


# The portrait is shown 4.5rem to 14rem wide (theme): 480 px covers 14rem at twice.
PORTRAIT_WIDTHS = (160, 320, 480)


def face_context(settings: dict, missing: list[str] | None = None) -> dict:
    """The template variables, or FaceSettingError naming each setting to fix.
    A picture that is not there is left out, its message added to `missing`."""
    problems, values = [], {}
    author = settings.get("AUTHOR") or settings.get("SITENAME", "")
    for name, key, alt in (
        ("PORTRAIT", "COACH_PORTRAIT", settings.get("COACH_PORTRAIT_ALT") or author),
        # The logo stands next to the site's name, which says it all.
        ("LOGO", "SITE_LOGO", ""),
    ):
        try:
            values[name] = theme_picture(settings, key, alt)
            if name == "PORTRAIT" and values[name]:
                # Its sizes for the page (pictures plugin); None for SVG and GIF.
                values[name]["sizes"] = picture_sizes(
                    settings, unquote(values[name]["url"]), PORTRAIT_WIDTHS
                )
        except MissingPicture as problem:
            values[name] = None
            if missing is not None:
                missing.append(str(problem))
        except FaceSettingError as problem:
            problems.append(str(problem))
    try:
        values["BOOKING"] = booking_address(settings)
    except FaceSettingError as problem:
        problems.append(str(problem))
    if problems:
        raise FaceSettingError("\n".join(problems))
    return values


def check_face_settings(pelican) -> None:
    try:
        face_context(pelican.settings)
    except FaceSettingError as problem:
        raise SystemExit(f"{problem}\nNothing was built.") from None


def add_face(generator) -> None:
    missing = []
    generator.context.update(face_context(generator.settings, missing))
    # Where the portrait would open the page, a writing build (the one that writes
    # drafts: invoke build, invoke serve) says why it is missing; the public site
    # goes without. (A log warning would stop the build: warnings are fatal there.)
    writing = bool(generator.settings.get("DRAFT_SAVE_AS"))
    generator.context["FACE_NOTICES"] = missing if writing else []


def register() -> None:
    signals.initialized.connect(check_face_settings)
    signals.generator_init.connect(add_face)
