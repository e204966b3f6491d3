"""Headers: the HTTP headers the site is served with.

Adds to the build: `output/_headers` (Netlify and Cloudflare Pages read it)
with a Content-Security-Policy whose `form-action` names exactly the
configured form endpoints, the other security headers, and a year of caching
for the theme's fingerprinted files; and, when CSP_IN_META is set (publish
builds, for hosts that cannot send headers, such as GitHub Pages), the same
policy as the template variable CSP_META for a <meta http-equiv> tag. The
search page (search plugin) alone also may compile WebAssembly: its own
`_headers` rule, and CSP_META_WASM for its <meta> tag; the editor at /admin/
(admin plugin) has a rule of its own too.
"""

from __future__ import annotations

import os

from pelican import signals

from .policy import content_security_policy, headers_file


def form_endpoints(settings: dict) -> list[str]:
    # Plugins are loaded by name; the forms plugin is there by the time pages render.
    from forms import form_endpoints as configured

    return configured(settings)


def wasm_pages(settings: dict) -> list[str]:
    from search import wasm_pages as pages

    return pages(settings)


def own_policies(settings: dict) -> dict[str, str]:
    from admin import own_policies as policies

    return policies(settings)


def add_meta_policy(generator) -> None:
    if generator.settings.get("CSP_IN_META"):
        endpoints = form_endpoints(generator.settings)
        generator.context["CSP_META"] = content_security_policy(endpoints, for_meta=True)
        generator.context["CSP_META_WASM"] = content_security_policy(
            endpoints, for_meta=True, wasm=True
        )


def planned_outputs(settings: dict) -> list[str]:
    """The files this plugin writes, for the content check's collision planning."""
    return ["_headers"]


def write_headers(pelican) -> None:
    from fingerprint import theme_assets

    settings = pelican.settings
    hashed = list(theme_assets(settings).values())
    with open(os.path.join(pelican.output_path, "_headers"), "w", encoding="utf-8") as handle:
        handle.write(
            headers_file(
                form_endpoints(settings), hashed, wasm_pages(settings), own_policies(settings)
            )
        )


def register() -> None:
    signals.generator_init.connect(add_meta_policy)
    signals.finalized.connect(write_headers)
