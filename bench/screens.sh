#!/usr/bin/env bash
# Screenshots of every page kind of the default theme, as a reader sees it:
# at 360, 390 and 1366 px, in the light and the dark colour scheme, with
# Debian's headless Chromium. Each page is shot twice: its first screen
# (what a phone shows before scrolling) and the whole page. Look at them
# before calling a theme change done.
#
#   bench/screens.sh [OUT_DIR] [SYNTH_COUNT]
#
# OUT_DIR defaults to target/screens. With SYNTH_COUNT, a synth site of that
# many articles is shot too (its pages under OUT_DIR/synth).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
[ -x /usr/bin/chromium ] || { echo "needs Debian's chromium (scripts/test installs it)" >&2; exit 1; }
out=$(realpath -m "${1:-target/screens}")
count=${2:-}
cargo build --release --quiet
bin=$PWD/target/release/notesite
work=$(scratch screens)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

example="$work/example"
mkdir -p "$example"
cp -r site.yaml content pages templates static "$example/"

shoot_site() { # label, site folder
  local label=$1 site=$2
  "$bin" build --root "$site" >/dev/null
  local port
  port=$(free_port)
  (cd "$site/public" && exec python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
  server=$!
  sleep 1
  local article term
  article=$(grep -l '^```' "$site"/content/*.md | sed -n 1p)
  article=$(basename "${article:-$(ls "$site"/content/*.md | sed -n 1p)}" .md)
  term=$(cd "$site/public/stack" && ls -d */ | sed -n 1p)
  local pages=(
    "home|"
    "article|$article/"
    "taxonomy|stack/"
    "term|stack/$term"
    "search|search/?q=cache"
    "404|404.html"
  )
  [ -d "$site/public/about" ] && pages+=("page|about/")
  mkdir -p "$out/$label"
  for entry in "${pages[@]}"; do
    local name=${entry%%|*} path=${entry#*|}
    for width in 360 390 1366; do
      for scheme in light dark; do
        local setting=1
        [ "$scheme" = dark ] && setting=0
        for view in first full; do
          local height=844
          [ "$width" = 1366 ] && height=900
          [ "$view" = full ] && height=9000
          chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
            --disable-background-networking --disable-component-update --disable-sync \
            --hide-scrollbars --user-data-dir="$work/profile" \
            --blink-settings=preferredColorScheme=$setting \
            --window-size="$width,$height" --virtual-time-budget=3000 \
            --screenshot="$out/$label/$name-$width-$scheme-$view.png" \
            "http://127.0.0.1:$port/$path" >/dev/null 2>&1
        done
      done
    done
  done
  kill "$server" 2>/dev/null || true
  server=
  echo "$label: $(ls "$out/$label" | wc -l) screenshots in $out/$label"
}

shoot_site example "$example"
if [ -n "$count" ]; then
  synth="$work/synth"
  mkdir -p "$synth/content"
  cp -r site.yaml templates static "$synth/"
  "$bin" synth --root "$synth" --count "$count" --seed 1 >/dev/null
  shoot_site synth "$synth"
fi
