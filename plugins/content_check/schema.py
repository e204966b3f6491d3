"""The metadata an article or page may carry, declared once.

Each field's `examples` entry is the header line shown to the coach when the
field is missing or wrong, so the schema is also the source of every fix.
"""

from __future__ import annotations

import datetime
import difflib
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from scheduling.times import TimeError, read_time

# What `invoke new` writes as the summary; a published item must replace it.
SUMMARY_PLACEHOLDER = "TODO: one or two sentences that make a reader want to read on."


def _parse_date(value: object, info: ValidationInfo) -> object:
    # Pelican reads dates with this same function (header_reading.py), so what
    # passes here builds; a date it read is not read again.
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("empty")
        context = info.context or {}
        read = context.get("read", {}).get(info.field_name)
        if read is not None:
            return read
        label = info.field_name.capitalize()
        return read_time(value, context.get("zone", "UTC"), label, lambda v: f'"{label}: {v}"')
    return value


def _lower_case(value: object) -> object:
    # A fixed value is the same word in any letter case ("Published", as phones write it).
    return value.strip().lower() if isinstance(value, str) else value


PelicanDate = Annotated[object, BeforeValidator(_parse_date)]
Text = Annotated[str, Field(min_length=1)]


class PageMeta(BaseModel):
    """Header keys of a page (content/pages/*.md)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Text = Field(examples=["Title: About me"])
    status: Annotated[Literal["published", "draft", "hidden"], BeforeValidator(_lower_case)] = (
        Field("published", examples=["Status: published   (or draft, or hidden)"])
    )
    summary: Text | None = Field(None, examples=["Summary: One or two sentences."])
    description: str | None = Field(
        None, examples=["Description: The sentence search engines show."]
    )
    slug: Text | None = Field(None, examples=["Slug: about"])
    template: Text | None = Field(None, examples=["Template: contact"])
    save_as: Text | None = Field(None, examples=["Save_as: 404.html"])
    url: str | None = Field(None, examples=["URL: 404.html"])
    date: PelicanDate | None = Field(None, examples=["Date: 2026-03-04 09:00"])
    modified: PelicanDate | None = Field(None, examples=["Modified: 2026-03-05 10:00"])
    image: Text | None = Field(None, examples=["Image: images/photo.jpg"])

    @model_validator(mode="after")
    def _summary_written_before_publishing(self):
        if self.status == "published" and self.summary == SUMMARY_PLACEHOLDER:
            raise ValueError("placeholder summary")
        return self


class ArticleMeta(PageMeta):
    """Header keys of an article (content/articles/*.md)."""

    title: Text = Field(examples=["Title: Meeting your inner critic"])
    date: PelicanDate = Field(examples=["Date: 2026-03-04 09:00"])
    # The article's permanent name in feeds and newsletters: never change it.
    id: Annotated[str, Field(min_length=1, pattern=r"^[\w.-]+$")] = Field(
        examples=[
            "Id: 2026-03-04-meeting-your-inner-critic   (date and file name; keep it forever)"
        ]
    )
    category: Text | None = Field(None, examples=["Category: Coaching"])
    tags: str | None = Field(None, examples=["Tags: ifs, parts, goals"])
    author: Text | None = Field(None, examples=["Author: Jordan Avery"])


def schema_for(kind: str) -> type[PageMeta]:
    return ArticleMeta if kind == "article" else PageMeta


def allowed_keys(kind: str) -> list[str]:
    return list(schema_for(kind).model_fields)


def example(kind: str, key: str) -> str:
    return schema_for(kind).model_fields[key].examples[0]


def article_id(day: datetime.date, slug: str) -> str:
    """An article's Id as `invoke new` writes it: its date and its file name."""
    return f"{day:%Y-%m-%d}-{slug}"


def validate(
    kind: str,
    metadata: dict[str, str],
    lines: dict[str, str] | None = None,
    read: dict | None = None,
    zone: str = "UTC",
) -> list[tuple[str | None, str, str]]:
    """Check header values against the schema.

    `lines` gives, by key, a header line made for this very file, shown
    instead of the generic example; `read`, the dates Pelican's reader parsed
    from the file, spares parsing them again; `zone`, the site's time zone,
    in which a date without offset is read. Returns (key or None, what is
    wrong, how to fix it) for every problem.
    """
    try:
        context = {"read": read or {}, "zone": zone}
        schema_for(kind).model_validate(metadata, context=context)
    except ValidationError as error:
        return [_explain(kind, e, metadata, lines or {}) for e in error.errors()]
    return []


def _explain(kind: str, error: dict, metadata: dict[str, str], lines: dict[str, str]) -> tuple:
    if not error["loc"]:  # only the placeholder check fails on the whole model
        return (
            "summary",
            "The Summary is still the placeholder that `invoke new` wrote",
            "replace it with one or two sentences about the article",
        )
    key = str(error["loc"][0])
    refused = (error.get("ctx") or {}).get("error")
    if isinstance(refused, TimeError):  # a date: its message says what and how, for this file
        return (key, refused.what, refused.fix)
    label = key.capitalize() if key else "Header"
    kind_name = "an article" if kind == "article" else "a page"
    if error["type"] == "extra_forbidden":
        close = difflib.get_close_matches(key, allowed_keys(kind), n=1, cutoff=0.6)
        hint = f'did you mean "{close[0].capitalize()}:"? ' if close else ""
        known = ", ".join(k.capitalize() for k in allowed_keys(kind))
        return (
            key,
            f'Unknown header key "{label}:"',
            f"{hint}Use one of the known keys ({known}) or remove the line",
        )
    line = lines.get(key) or example(kind, key)
    if error["type"] == "missing":
        article = "an" if label[0] in "AEIOU" else "a"
        return (
            None,
            f"{kind_name.capitalize()} needs {article} {label}",
            f'add a line "{line}" to the header',
        )
    value = metadata.get(key, "")
    if not str(value).strip():
        optional = not schema_for(kind).model_fields[key].is_required()
        also = ", or remove the line" if optional else ""
        return (key, f"{label} is empty", f'write it after the key, like "{line}"{also}')
    return (key, f'{label} "{value}" is not valid', f'write it like "{line}"')
