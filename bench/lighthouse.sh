#!/usr/bin/env bash
# Lighthouse 12.2.3 (mobile profile) on the home page, an article with a photo (a
# 4 MB phone photo, bench/photo_article.py), the search page and the search page
# with results, from a publish build of the sample content served on loopback
# by nginx the way static hosts serve it: HTTPS and HTTP/2 (a throwaway
# self-signed certificate, which this Chromium is told to accept), gzip-compressed.
# Python's http.server does neither, which Lighthouse's simulated slow phone link
# turns into a new connection and uncompressed bytes for many files. Prints the
# four category scores and the paint times per page.
# Needs nginx and openssl (Debian: apt-get install nginx-light openssl), Debian's
# Chromium (CHROME_PATH, default /usr/bin/chromium) and npm. Lighthouse is a
# bench-only tool, kept out of package.json (it would make CI's `npm ci` far
# larger): the script installs the pinned version once into LIGHTHOUSE_PREFIX
# (default /tmp/lighthouse-12.2.3) with `npm install --prefix`.
#   bench/lighthouse.sh [PORT] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
port="${1:-8765}"
runs="${2:-1}"
nginx="$(command -v nginx || echo /usr/sbin/nginx)"
if [ ! -x "$nginx" ]; then
  echo "bench/lighthouse.sh needs nginx to serve the site as a host would: apt-get install nginx-light" >&2
  exit 1
fi
work="$(mktemp -d)"
chmod 755 "$work"  # nginx's worker runs as another user when started by root
site="$work/site"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
lighthouse_version=12.2.3
prefix="${LIGHTHOUSE_PREFIX:-/tmp/lighthouse-$lighthouse_version}"
lighthouse="$prefix/node_modules/.bin/lighthouse"
if [ ! -x "$lighthouse" ]; then
  npm install --prefix "$prefix" --no-save --no-audit --no-fund "lighthouse@$lighthouse_version" >&2
fi
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
cp -r content "$work/content"
photo="$(python3 bench/photo_article.py "$work/content")"
SITEURL="https://127.0.0.1:$port" python3 -m pelican "$work/content" -s publishconf.py -o "$site" -q
cat >"$work/nginx.conf" <<EOF
daemon off;
pid $work/nginx.pid;
error_log $work/error.log;
worker_processes 1;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path $work/body;
  proxy_temp_path $work/proxy;
  fastcgi_temp_path $work/fastcgi;
  uwsgi_temp_path $work/uwsgi;
  scgi_temp_path $work/scgi;
  keepalive_timeout 65;
  gzip on;
  gzip_types text/css application/javascript application/json image/svg+xml application/xml
             application/atom+xml application/rss+xml text/plain;
  server {
    listen 127.0.0.1:$port ssl http2;
    ssl_certificate $work/cert.pem;
    ssl_certificate_key $work/key.pem;
    root $site;
    index index.html;
  }
}
EOF
"$nginx" -c "$work/nginx.conf" &
server=$!
trap 'kill "$server"; rm -rf "$work"' EXIT
sleep 1
flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
flags="$flags --disable-background-networking --disable-component-update --disable-sync"
flags="$flags --ignore-certificate-errors"
for path in "" "$photo/" "search/" "search/?q=parts"; do
  for _ in $(seq "$runs"); do
    "$lighthouse" "https://127.0.0.1:$port/$path" \
      --form-factor=mobile --only-categories=performance,accessibility,best-practices,seo \
      --chrome-flags="$flags" --output=json --output-path="$work/report.json" --quiet
    python3 -c "import json,sys; r=json.load(open(sys.argv[1])); a=r['audits']; \
print(sys.argv[2] or '/', {k: round(v['score']*100) for k, v in r['categories'].items()}, \
'FCP %.2f s, LCP %.2f s, TBT %.0f ms' % (a['first-contentful-paint']['numericValue'] / 1000, \
a['largest-contentful-paint']['numericValue'] / 1000, a['total-blocking-time']['numericValue']))" \
      "$work/report.json" "/$path"
  done
done
