#!/usr/bin/env bash
# Regenerates docs/report.png, the README's picture: the report of
# testdata/sample.jsonl in headless Chromium (chromium-headless-shell or
# chromium; apt-get install chromium-headless-shell), 1280 pixels wide.
# Run from anywhere: docs/screenshot.sh
set -euo pipefail
cd "$(dirname "$0")/.."
browser=${WCSFSM_CHROMIUM:-}
if [[ -z "$browser" ]]; then
	for b in chromium-headless-shell chromium chromium-browser google-chrome; do
		if command -v "$b" >/dev/null; then
			browser=$b
			break
		fi
	done
fi
[[ -n "$browser" ]] || { echo "docs/screenshot.sh: no headless Chromium; apt-get install chromium-headless-shell" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go run ./cmd/wcsfsm report -o "$tmp/report.html" testdata/sample.jsonl 2>/dev/null || [[ $? == 1 ]] # the sample has errors: exit 1
timeout 60 "$browser" --headless --disable-gpu --no-sandbox --hide-scrollbars --no-first-run \
	--user-data-dir="$tmp/profile" --window-size=1280,2000 --screenshot="$tmp/report.png" \
	"file://$tmp/report.html" >/dev/null 2>&1
mv "$tmp/report.png" docs/report.png
echo "docs/report.png: $(wc -c <docs/report.png) bytes"
