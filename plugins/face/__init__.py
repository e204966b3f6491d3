"""Face: the coach in the theme (issue 25): their portrait, an optional logo,
the one-line promise and the call to action (a booking link, or without one the
newsletter sign-up).

Adds to the build the template variables PORTRAIT and LOGO (the picture's
address inside the site, its width, height and text alternative; None when not
set) and BOOKING (the booking page's full address, or ""), read from the
settings COACH_PORTRAIT, COACH_PORTRAIT_ALT, SITE_LOGO and BOOKING_URL. A
setting that points at no picture, or a booking "address" that is really an
embed code, stops the build with the setting's name and the exact fix, before
anything is written.
"""

from __future__ import annotations

from pelican import signals

from .settings import FaceSettingError, booking_address, theme_picture

__all__ = ["FaceSettingError", "booking_address", "face_context", "register", "theme_picture"]


def face_context(settings: dict) -> dict:
    """The template variables, or FaceSettingError naming each setting to fix."""
    problems, values = [], {}
    author = settings.get("AUTHOR") or settings.get("SITENAME", "")
    for name, key, alt in (
        ("PORTRAIT", "COACH_PORTRAIT", settings.get("COACH_PORTRAIT_ALT") or author),
        # The logo stands next to the site's name, which says it all.
        ("LOGO", "SITE_LOGO", ""),
    ):
        try:
            values[name] = theme_picture(settings, key, alt)
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
    generator.context.update(face_context(generator.settings))


def register() -> None:
    signals.initialized.connect(check_face_settings)
    signals.generator_init.connect(add_face)
