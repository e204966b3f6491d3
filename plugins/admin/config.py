"""The editor's settings (Sveltia CMS's config) and its page's policy, as plain
functions of the site's settings."""

from __future__ import annotations

import re

from headers.policy import policy_text

# "owner/name", as GitHub spells a repository.
REPO = re.compile(r"[A-Za-z0-9-]+/[A-Za-z0-9._-]+")
BACKENDS = ("github", "test-repo")
EXAMPLE = 'repo = "your-name/your-site"'


class EditorSettingError(ValueError):
    """[editor] in site.toml (EDITOR) holds something the editor cannot use."""


def editor_setting(settings: dict) -> dict | None:
    """EDITOR with its defaults, or None while no repository is set."""
    editor = settings.get("EDITOR") or {}
    if not isinstance(editor, dict):
        raise EditorSettingError(
            "EDITOR must be a dict. Fix: set the editor's repository in site.toml, under "
            f"[editor], like {EXAMPLE} (or run `invoke init`)"
        )
    editor = {"repo": "", "branch": "main", "backend": "github", **editor}
    if editor["backend"] not in BACKENDS:
        raise EditorSettingError(
            f'site.toml: [editor] backend is "{editor["backend"]}". Fix: write '
            '"github" (or "test-repo" to try the editor without saving anywhere)'
        )
    if editor["backend"] == "test-repo":
        return editor
    repo = str(editor["repo"]).strip().strip("/")
    if not repo:
        return None
    if repo.startswith(("https://", "http://", "github.com/")):
        repo = repo.split("github.com/", 1)[-1].removesuffix(".git").strip("/")
    if not REPO.fullmatch(repo):
        raise EditorSettingError(
            f'site.toml: [editor] repo is "{editor["repo"]}", not a GitHub repository. '
            f"Fix: write its owner and name, like {EXAMPLE} (or run `invoke init`)"
        )
    if not str(editor["branch"]).strip():
        raise EditorSettingError(
            "site.toml: [editor] branch is empty. Fix: write the branch the site is built "
            'from, like branch = "main"'
        )
    return {**editor, "repo": repo, "branch": str(editor["branch"]).strip()}


def cms_config(settings: dict, editor: dict) -> dict:
    """Sveltia CMS's config: the articles and pages of content/, in our format."""
    if editor["backend"] == "test-repo":
        backend = {"name": "test-repo"}
    else:
        backend = {
            "name": "github",
            "repo": editor["repo"],
            "branch": editor["branch"],
            # A personal access token only: OAuth would need a server of ours
            # (Sveltia CMS's default goes through Netlify's).
            "auth_methods": ["token"],
        }
    content = "content"
    zone = settings["TIMEZONE"]
    body = {
        "name": "body",
        "label": "Text",
        "widget": "markdown",
        # Raw Markdown first: what is typed is what is saved (the rich text mode,
        # one click away, rewrites the Markdown it reads).
        "modes": ["raw", "rich_text"],
    }
    layout = {"name": "layout", "widget": "hidden"}
    title = {"name": "title", "label": "Title", "widget": "string"}
    summary = {
        "name": "summary",
        "label": "Summary",
        "widget": "text",
        "required": False,
        "hint": "One or two sentences of plain text for lists, search engines and the "
        "newsletter (no links or pictures).",
    }
    article_fields = [
        title,
        {
            # Shows the new article's file name as `invoke new` makes it of the
            # title, or why it refuses the title (editor.js, pelican-slug.js);
            # the file is named from it. Not a header line.
            "name": "file_name",
            "label": "File name",
            "widget": "file_name",
            "required": False,
            "hint": "Made from the title, as `invoke new` makes it; after the first save "
            "it stays, and so does the article's address.",
        },
        {
            "name": "date",
            "label": "Date",
            "widget": "datetime",
            "format": "YYYY-MM-DD HH:mm",
            "input_timezone": zone,
            "hint": f"Day and time in the site's time zone ({zone}). With Status "
            "published, a later date schedules the article: it goes live by itself then.",
        },
        {"name": "id", "widget": "hidden"},
        {
            "name": "status",
            "label": "Status",
            "widget": "select",
            "default": "draft",
            "options": [
                {"label": "draft (checked, never published)", "value": "draft"},
                {"label": "published (scheduled while the date is later)", "value": "published"},
                {"label": "hidden (published, not listed)", "value": "hidden"},
            ],
        },
        {
            "name": "category",
            "label": "Category",
            "widget": "string",
            "required": False,
            # No default: one would be written into every file opened without it.
            "hint": f"Empty: {settings['DEFAULT_CATEGORY']}, the site's default.",
        },
        {"name": "tags", "label": "Tags", "widget": "list", "required": False},
        summary,
        {
            "name": "image",
            "label": "Picture for social sites",
            "widget": "image",
            "required": False,
            "choose_url": False,
        },
        body,
        {"name": "when", "widget": "hidden"},
        layout,
    ]
    page_fields = [title, summary, body, layout]
    return {
        "backend": backend,
        "media_folder": f"{content}/images",
        "public_folder": "/images",
        "app_title": f"{settings['SITENAME']}: editor",
        "show_preview_links": False,
        # Uploaded pictures' file names. An article's comes from its file_name
        # field, already as `invoke new` makes it: kept as it is (no cut, and a
        # leading or trailing dash stays, as in Pelican's slugify).
        "slug": {"encoding": "ascii", "clean_accents": True, "trim": False},
        "collections": [
            {
                "name": "articles",
                "label": "Articles",
                "label_singular": "Article",
                "folder": f"{content}/articles",
                "format": "pelican",
                "create": True,
                # Renaming a saved article would change its address (its Id stays).
                "slug": {"template": "{{fields.file_name}}", "editable": False},
                "identifier_field": "title",
                "summary": "{{title}} · {{when}}",
                "sortable_fields": ["date", "title"],
                "fields": article_fields,
            },
            {
                "name": "pages",
                "label": "Pages",
                "label_singular": "Page",
                "folder": f"{content}/pages",
                "format": "pelican",
                "create": False,
                "delete": False,
                "identifier_field": "title",
                "fields": page_fields,
            },
        ],
    }


def editor_policy(for_meta: bool = False) -> str:
    """The editor page's Content-Security-Policy: its own files, GitHub's API, and
    the inline styles its interface injects (Svelte components), nothing else."""
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data: blob:",
        "media-src": "'self' blob:",
        "font-src": "'self'",
        "connect-src": "'self' data: blob: https://api.github.com",
        "worker-src": "'self' blob:",
        # The preview pane is a frame Sveltia CMS writes from a blob.
        "frame-src": "'self' blob:",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
        "base-uri": "'self'",
        "object-src": "'none'",
    }
    return policy_text(directives, for_meta)
