#!/usr/bin/env bash
# The Nu HTML Checker (vnu, the W3C validator's engine) over every page kind
# of the example site: home, articles, taxonomy and term pages, the search
# and 404 pages, and an alias's redirect page. Issue 20 asks for 0 errors and
# 0 warnings. Uses npm's `vnu-jar` (installed once into
# ~/.cache/notesite/vnu) and the machine's Java.
#
#   bench/vnu.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
command -v java >/dev/null || { echo "needs Java (Debian package default-jre-headless)" >&2; exit 1; }
tools=${XDG_CACHE_HOME:-$HOME/.cache}/notesite/vnu
jar=$tools/node_modules/vnu-jar/build/dist/vnu.jar
[ -f "$jar" ] || npm install --prefix "$tools" --no-audit --no-fund vnu-jar >/dev/null
cargo build --release --quiet
site=$(scratch vnu)
trap 'rm -rf "$site"' EXIT
cp -r site.yaml content pages templates static "$site/"
# An alias, so the redirect page is checked too.
article=$(ls "$site"/content/*.md | sed -n 1p)
sed -i '0,/^---$/!b; /^---$/a aliases: [/old-address/]' "$article"
target/release/notesite build --root "$site" >/dev/null
pages=$(find "$site/public" -name '*.html' | sort)
echo "checking $(echo "$pages" | wc -l) pages"
# --Werror: a warning fails like an error.
java -jar "$jar" --Werror --errors-only=false $pages && echo "vnu: 0 errors, 0 warnings"
