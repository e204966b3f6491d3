"""Face: the coach in the theme (issue 25): their portrait, an optional logo,
the one-line promise and the call to action (a booking link, or without one the
newsletter sign-up).

Adds to the build the template variables PORTRAIT and LOGO (the picture's
address inside the site, its width, height and text alternative; None when not
set; `sizes` are those the pictures plugin made: the portrait's by width, the
logo's 40 and 80 px high, by density), BOOKING
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
# The logo is shown 2.5rem (40 px) high at most (theme: .brand img).
LOGO_HEIGHT = 40


def logo_sizes(settings: dict, logo: dict) -> dict | None:
    """The logo made 40 px high and 80 px high (sharp at twice the pixels), as
    `webp` and `fallback` lists of (path, density: "1x", "2x") with `src`, `width`
    and `height` at 1x; None for SVG and GIF, which are served as they are."""
    ratio = logo["width"] / logo["height"]
    widths = tuple(max(1, round(LOGO_HEIGHT * ratio * density)) for density in (1, 2))
    made = picture_sizes(settings, unquote(logo["url"]), widths)
    if made is None:
        return None
    shown = made["webp"][0][1]  # the 1x width (smaller when the original is)

    def by_density(kind: str) -> list[tuple[str, str]]:
        return [(path, f"{width / shown:.3g}x") for path, width in made[kind]]

    return {
        "webp": by_density("webp"),
        "fallback": by_density("fallback"),
        "src": made["fallback"][0][0],
        "width": shown,
        "height": round(shown / ratio),
    }


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
            elif values[name]:
                values[name]["sizes"] = logo_sizes(settings, values[name])
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
