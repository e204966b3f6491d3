"""The headers the site is served with, as plain functions of its settings."""

from __future__ import annotations

from urllib.parse import urlsplit

# Sent with every page (the CSP is built by content_security_policy).
SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
        "microphone=(), payment=(), usb=()"
    ),
    "X-Frame-Options": "DENY",
}
ONE_YEAR = "public, max-age=31536000, immutable"
# A <meta> policy cannot carry these (browsers ignore them there, with a warning).
HEADER_ONLY = {"frame-ancestors"}


class EndpointError(ValueError):
    """A form address that cannot be named in a Content-Security-Policy."""


def csp_source(url: str) -> str:
    """A form endpoint as a CSP source: scheme, host and path (no query)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise EndpointError(f"{url!r} is not an absolute http(s) address")
    source = f"{parts.scheme}://{parts.netloc}{parts.path}"
    if any(c in source for c in " ;,'\"\n"):
        raise EndpointError(f"{url!r} contains a character a CSP cannot hold")
    return source


def content_security_policy(
    endpoints: list[str], for_meta: bool = False, wasm: bool = False
) -> str:
    """No inline code, nothing from another host, and forms (and their background
    submission) only to the configured endpoints. `wasm`: the page may also
    compile our own WebAssembly (the search page's Pagefind), nothing more."""
    forms = " ".join(["'self'", *sorted({csp_source(url) for url in endpoints})])
    directives = {
        "default-src": "'self'",
        "script-src": "'self' 'wasm-unsafe-eval'" if wasm else "'self'",
        "style-src": "'self'",
        "img-src": "'self'",
        "connect-src": forms,
        "form-action": forms,
        "frame-ancestors": "'none'",
        "base-uri": "'self'",
        "object-src": "'none'",
    }
    return policy_text(directives, for_meta)


def policy_text(directives: dict[str, str], for_meta: bool = False) -> str:
    """A Content-Security-Policy's value from its directives, without those a
    <meta> policy cannot carry when it is for one."""
    return "; ".join(
        f"{name} {value}"
        for name, value in directives.items()
        if not (for_meta and name in HEADER_ONLY)
    )


def headers_file(
    endpoints: list[str],
    immutable_paths: list[str],
    wasm_pages: list[str] = (),
    own_policies: dict[str, str] | None = None,
) -> str:
    """The `_headers` file Netlify and Cloudflare Pages read. A page in
    `wasm_pages` gets the wider policy instead of the site's, and each path of
    `own_policies` (a `/*` pattern: a folder) its own: Cloudflare drops the
    inherited one at `!`; Netlify skips that line and lets the later rule win."""
    lines = ["/*", f"  Content-Security-Policy: {content_security_policy(endpoints)}"]
    lines += [f"  {name}: {value}" for name, value in SECURITY_HEADERS.items()]
    wider = content_security_policy(endpoints, wasm=True)
    for page in sorted(wasm_pages):
        for path in (f"/{page}", f"/{page}index.html"):
            lines += [path, "  ! Content-Security-Policy", f"  Content-Security-Policy: {wider}"]
    for path, policy in sorted((own_policies or {}).items()):
        lines += [path, "  ! Content-Security-Policy", f"  Content-Security-Policy: {policy}"]
    for path in sorted(immutable_paths):
        lines += [f"/{path}", f"  Cache-Control: {ONE_YEAR}"]
    return "\n".join(lines) + "\n"
