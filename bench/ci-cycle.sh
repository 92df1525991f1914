#!/usr/bin/env bash
# The CI cycle of issue 25, against Garage on loopback (started by
# scripts/with-garage): a fresh checkout of the site (no public/, no
# cache), the page cache restored into it, then `publish --build`. Wall
# time and peak memory, median of three, of
#   cold build   build --no-cache of the same site (the reference)
#   first        publish --build with no cache to an empty prefix
#   no change    checkout + restored cache, publish --build
#   one edit     checkout + restored cache + one article edited, publish --build
# and the ratios to the cold build. Each run saves the cache it wrote, as
# actions/cache would, for the next run.
#
#   bench/ci-cycle.sh [SIZES...]    default: 10000 100000
#
# Garage on loopback answers at once, and its work takes the same two
# cores as the build's. A store in CI is across a network: LATENCY_MS=20
# holds each request that long (bench/latency-proxy.py in front of Garage).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
need_gnu_time
cargo build --release --quiet
if [ -z "${NOTESITE_TEST_S3_ENDPOINT:-}" ]; then
  exec scripts/with-garage "$0" "$@"
fi
bin=$(realpath target/release/notesite)
work=$(scratch ci-cycle)
trap 'rm -rf "$work"' EXIT
export AWS_ACCESS_KEY_ID=$NOTESITE_TEST_S3_KEY_ID AWS_SECRET_ACCESS_KEY=$NOTESITE_TEST_S3_SECRET
export AWS_ENDPOINT_URL=$NOTESITE_TEST_S3_ENDPOINT AWS_REGION=$NOTESITE_TEST_S3_REGION AWS_ALLOW_HTTP=true
if [ -n "${LATENCY_MS:-}" ]; then
  port=$(free_port)
  upstream=${NOTESITE_TEST_S3_ENDPOINT#http://}
  python3 bench/latency-proxy.py "$port" "${upstream%:*}" "${upstream##*:}" \
    "$(echo "$LATENCY_MS / 1000" | bc -l)" &
  proxy=$!
  trap 'kill $proxy 2>/dev/null; rm -rf "$work"' EXIT
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  export AWS_ENDPOINT_URL=http://127.0.0.1:$port
fi

timed() { # NAME CMD...: appends "wall rss_kib" to $work/NAME
  local name=$1
  shift
  /usr/bin/time -f "%e %M" -o "$work/t" "$@" >"$work/out" 2>"$work/err" || {
    cat "$work/err" >&2
    exit 1
  }
  cat "$work/t" >>"$work/$name"
}
# A fresh checkout of the repository with the saved cache restored.
checkout() {
  rm -rf "$work/checkout"
  mkdir "$work/checkout"
  cp -r "$work/repo/." "$work/checkout/"
  mkdir -p "$work/checkout/.notesite"
  cp -r "$work/saved" "$work/checkout/.notesite/cache"
}
save() {
  rm -rf "$work/saved"
  cp -r "$work/checkout/.notesite/cache" "$work/saved"
}

for n in "${sizes[@]}"; do
  rm -rf "$work"/{repo,checkout,saved} "$work"/{cold,first,no-change,one-edit}
  mkdir -p "$work/repo"
  cp site.yaml "$work/repo/"
  cp -r templates static "$work/repo/"
  "$bin" synth --root "$work/repo" --count "$n" --seed 1 >/dev/null
  to=s3://$NOTESITE_TEST_S3_BUCKET/ci-$n-$$
  for _ in 1 2 3; do
    rm -rf "$work/cold-out"
    timed cold "$bin" build --root "$work/repo" --no-cache --out "$work/cold-out"
  done
  rm -rf "$work/cold-out"
  mkdir -p "$work/saved"
  checkout
  rm -rf "$work/checkout/.notesite"
  timed first "$bin" publish --build --root "$work/checkout" --to "$to"
  save
  for _ in 1 2 3; do
    checkout
    timed no-change "$bin" publish --build --root "$work/checkout" --to "$to"
    save
  done
  article=$(edited_article "$work/repo")
  for i in 1 2 3; do
    printf '\nA paragraph added by run %s.\n' "$i" >>"$article"
    checkout
    timed one-edit "$bin" publish --build --root "$work/checkout" --to "$to"
    echo "    one edit, run $i: $(tail -1 "$work/out")"
    save
  done
  cold=$(cut -d' ' -f1 <"$work/cold" | median)
  echo "$n articles, Garage at $AWS_ENDPOINT_URL${LATENCY_MS:+ (${LATENCY_MS} ms a request)} ($(nproc) cores):"
  for name in cold first no-change one-edit; do
    wall=$(cut -d' ' -f1 <"$work/$name" | median)
    rss=$(cut -d' ' -f2 <"$work/$name" | sort -n | tail -1)
    printf '  %-10s %7.2f s  %6d MiB  x%.3f of a cold build\n' "$name" "$wall" $((rss / 1024)) \
      "$(echo "$wall / $cold" | bc -l)"
  done
  printf '  cache %d MiB\n' $(($(du -sb "$work/saved" | cut -f1) >> 20))
done
