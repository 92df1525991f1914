#!/usr/bin/env bash
# Publish benchmark (issue 6): an N-article synthesized site (default
# 10,000) published to Garage on loopback, started by scripts/with-garage.
# Prints wall time and peak RSS of the first publish, of a republish of the
# unchanged build, and of a publish after one article edit.
#
#   bench/publish.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
count=${1:-10000}
need_gnu_time
cargo build --release --quiet
if [ -z "${NOTESITE_TEST_S3_ENDPOINT:-}" ]; then
  exec scripts/with-garage "$0" "$@"
fi
bin=$PWD/target/release/notesite
work=$(scratch publish)
trap 'rm -rf "$work"' EXIT
cp site.yaml "$work/"
"$bin" --root "$work" synth --count "$count" --seed 1 >/dev/null
"$bin" --root "$work" build >/dev/null
files=$(find "$work/public" -type f | wc -l)
bytes=$(du -sb "$work/public" | cut -f1)
echo "$count articles: $files files, $((bytes / 1024 / 1024)) MiB, to Garage at $NOTESITE_TEST_S3_ENDPOINT ($(nproc) cores)"

export AWS_ACCESS_KEY_ID=$NOTESITE_TEST_S3_KEY_ID AWS_SECRET_ACCESS_KEY=$NOTESITE_TEST_S3_SECRET
export AWS_ENDPOINT_URL=$NOTESITE_TEST_S3_ENDPOINT AWS_REGION=$NOTESITE_TEST_S3_REGION AWS_ALLOW_HTTP=true
to=s3://$NOTESITE_TEST_S3_BUCKET/bench-$count

publish() { # label
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" --root "$work" publish --to "$to" >"$work/out"
  read -r seconds kib <"$work/time"
  printf '%-26s %8.2f s %8.0f MiB   %s\n' "$1" "$seconds" "$((kib / 1024))" "$(sed 's/^published to [^:]*: //' "$work/out")"
}

publish "first publish"
publish "republish, no change"
publish "republish, no change"
first=$(find "$work/content" -name "*.md" -print -quit)
printf "\nOne more paragraph.\n" >>"$first"
"$bin" --root "$work" build >/dev/null
publish "after one article edit"

# The record's size per object, as stored (issue 11 asked for the figure).
record=$(curl -s --aws-sigv4 "aws:amz:$AWS_REGION:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
  -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
  "$AWS_ENDPOINT_URL/$NOTESITE_TEST_S3_BUCKET/bench-$count/.notesite/publish.json" | wc -c)
echo "publish record: $record bytes for $files objects, $((record / files)) bytes per object"
