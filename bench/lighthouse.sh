#!/usr/bin/env bash
# Lighthouse 12.2.3 (mobile profile) on the home page, an article and the search
# page with results, served
# from a publish build on loopback, with Debian's Chromium. Prints the four
# category scores per page. Needs npx (fetches lighthouse from npm once).
#   bench/lighthouse.sh [PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
port="${1:-8765}"
site="$(mktemp -d)"
SITEURL="http://127.0.0.1:$port" python3 -m pelican content -s publishconf.py -o "$site" -q
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$site" >/dev/null 2>&1 &
server=$!
trap 'kill "$server"; rm -rf "$site"' EXIT
sleep 1
flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
flags="$flags --disable-background-networking --disable-component-update --disable-sync"
for path in "" "goals-that-reflect-who-you-are/" "search/?q=parts"; do
  CHROME_PATH=/usr/bin/chromium npx --yes lighthouse@12.2.3 "http://127.0.0.1:$port/$path" \
    --form-factor=mobile --only-categories=performance,accessibility,best-practices,seo \
    --chrome-flags="$flags" --output=json --output-path="$site/report.json" --quiet
  python3 -c "import json,sys; r=json.load(open(sys.argv[1])); \
print(sys.argv[2] or '/', {k: round(v['score']*100) for k, v in r['categories'].items()})" \
    "$site/report.json" "/$path"
done
