#!/usr/bin/env bash
# Lighthouse accessibility scores (issue 14 asks for >= 98) of the example
# site's home, an article and the search page, built with search on and
# served over plain HTTP. Uses Debian's Chromium and npm's `lighthouse`,
# installed once into ~/.cache/notesite/lighthouse.
#
#   bench/lighthouse.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
[ -x /usr/bin/chromium ] || { echo "needs Debian's chromium (scripts/test installs it)" >&2; exit 1; }
command -v npm >/dev/null || { echo "needs npm (Debian package npm)" >&2; exit 1; }
tools=${XDG_CACHE_HOME:-$HOME/.cache}/notesite/lighthouse
[ -x "$tools/node_modules/.bin/lighthouse" ] ||
  npm install --prefix "$tools" --no-audit --no-fund lighthouse@12 >/dev/null
cargo build --release --quiet
site=$(mktemp -d)
trap 'kill "$server" 2>/dev/null; rm -rf "$site"' EXIT
cp -r site.yaml content templates static "$site/"
target/release/notesite build --root "$site" >/dev/null
port=$(free_port)
(cd "$site/public" && exec python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
server=$!
sleep 1
article=$(ls content | head -n 1); article=${article%.md}
for page in "" "$article/" "search/?q=redis"; do
  CHROME_PATH=/usr/bin/chromium "$tools/node_modules/.bin/lighthouse" "http://127.0.0.1:$port/$page" \
    --only-categories=accessibility --output=json --output-path="$site/report.json" --quiet \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu"
  python3 - "$site/report.json" "/$page" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
failing = [k for k, a in report["audits"].items()
           if a.get("scoreDisplayMode") == "binary" and a.get("score") == 0]
print(f'{sys.argv[2]:<60} accessibility {round(report["categories"]["accessibility"]["score"] * 100)}',
      f'failing: {", ".join(failing)}' if failing else "")
PY
done
