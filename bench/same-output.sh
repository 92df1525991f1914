#!/usr/bin/env bash
# Byte-identity check for refactors: runs two notesite binaries on the same
# inputs and `diff -r`s everything they write. Inputs: the example site;
# `synth --count N --seed 1` (the sources, then the built site, with search
# on and off); a corpus
# made differently (bench/edited-corpus.sh); a synth export imported (the
# export writer and reader); and `notesite new`. Exits non-zero on the
# first difference.
#
#   bench/same-output.sh OLD_BINARY NEW_BINARY [N]     (N defaults to 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
old=$(realpath "${1:?old binary}")
new=$(realpath "${2:?new binary}")
count=${3:-10000}
work=$(scratch same)
trap 'rm -rf "$work"' EXIT

same() { # label, two folders
  diff -r "$2" "$3" >"$work/diff.txt" || { echo "DIFFERENT: $1"; head -40 "$work/diff.txt"; exit 1; }
  echo "identical: $1 ($(find "$2" -type f | wc -l) files)"
}
both() { # label, then a command line with BIN and OUT placeholders
  local label=$1; shift
  for side in old new; do
    local bin=$old; [ $side = new ] && bin=$new
    rm -rf "$work/$side"
    eval "${*//BIN/$bin}" >"$work/log" 2>&1 || { echo "FAILED: $label ($side)"; cat "$work/log"; exit 1; }
    mv "$work/out" "$work/$side" 2>/dev/null || mkdir -p "$work/$side"
  done
  same "$label" "$work/old" "$work/new"
}

both "example site build" 'BIN build --root . --out "$work/out"'

mkdir -p "$work/synth"
cp -r site.yaml templates static "$work/synth/"
both "synth --count $count --seed 1 sources" \
  'BIN synth --root "$work/synth" --count '"$count"' --seed 1 --out ../out'
mv "$work/new" "$work/synth/content"
both "synth --count $count --seed 1 build" 'BIN build --root "$work/synth" --out "$work/out"'
printf '\nsearch:\n  enabled: false\n' >>"$work/synth/site.yaml"
both "synth --count $count --seed 1 build, search off" 'BIN build --root "$work/synth" --out "$work/out"'
rm -rf "$work/synth"

bench/edited-corpus.sh "$count" "$work/edited" >/dev/null
both "edited example corpus ($count) build" 'BIN build --root "$work/edited" --out "$work/out"'
rm -rf "$work/edited"

mkdir -p "$work/exp"
cp -r site.yaml templates static "$work/exp/"
both "synth export format" \
  'BIN synth --root "$work/exp" --count 2000 --seed 3 --format export --out ../out'
mv "$work/new" "$work/exports"
both "import of the exports" \
  'rm -rf "$work/imp" && cp -r "$work/exp" "$work/imp" && BIN import --root "$work/imp" "$work/exports" && mv "$work/imp/content" "$work/out"'

both "new" \
  'rm -rf "$work/init" && BIN init "$work/init" && (cd "$work/init" && BIN new "redis: notes \"quoted\" ünï") && mv "$work/init/content" "$work/out"'
