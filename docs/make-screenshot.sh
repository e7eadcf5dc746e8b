#!/bin/sh
# Regenerates docs/schema-history.png: the history page of the bundled Migrations/, rendered by a
# headless Chromium (Debian: apt-get install chromium). Run from anywhere: ./docs/make-screenshot.sh
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
browser=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
if [ -z "$browser" ]; then
    echo "make-screenshot: no chromium found (apt-get install chromium, or set CHROMIUM=path)" >&2
    exit 1
fi
swift build --product schema-reconcile
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$(swift build --show-bin-path)/schema-reconcile" fingerprint --migrations Migrations --format html > "$work/schema-history.html"
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,1500 \
    --screenshot="$work/schema-history.png" "file://$work/schema-history.html" 2>/dev/null
mv "$work/schema-history.png" docs/schema-history.png
echo "wrote docs/schema-history.png"
