"""Settings for the public site: absolute addresses, a clean output folder and
the deploy target. Builds on pelicanconf.py."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403
from pelicanconf import json_object_from_env  # noqa: E402

# The public address: the SITEURL environment variable, or `address` in site.toml
# (`invoke init` asks for it). `invoke publish` refuses to deploy the placeholder.
PLACEHOLDER_SITEURL = "https://www.example.com"
SITEURL = os.environ.get("SITEURL", SITE_ADDRESS).rstrip("/")  # noqa: F405
RELATIVE_URLS = False
# Each build starts from an empty output folder, so no file of an older build
# is deployed. The invoke commands build beside output/ and put the new site in
# its place only when the build succeeded (tasks.py, _pelican).
DELETE_OUTPUT_DIRECTORY = True
# The Content-Security-Policy also as a <meta> tag, for hosts that cannot send
# headers (GitHub Pages); Netlify and Cloudflare Pages send output/_headers too.
CSP_IN_META = True

# A form whose service is not configured stops the build (it would lose messages).
FORMS_REQUIRED = True

# Drafts are previewed while writing and never published.
DRAFT_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""

# Where `invoke publish` sends output/. Set exactly one of these, or leave both
# empty and `invoke publish` will say what to set:
#   {"method": "github-pages", "remote": "origin", "branch": "gh-pages"}
#   {"method": "rsync", "target": "user@host:/var/www/site/"}
# The DEPLOY environment variable (the same dict as JSON) overrides it.
DEPLOY = json_object_from_env("DEPLOY", '{"method": "rsync", "target": "user@host:/var/www/site/"}')
