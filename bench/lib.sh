# Helpers the bench scripts share; each sources this after `cd` to the
# repository root.

# A new scratch folder named notesite-NAME.*, in tmpfs (/dev/shm) when it
# is writable, so disk speed is not what a benchmark measures; else in
# $TMPDIR.
scratch() {
  local base=/dev/shm
  [ -d "$base" ] && [ -w "$base" ] || base=${TMPDIR:-/tmp}
  mktemp -d -p "$base" "notesite-$1.XXXXXX"
}

# A loopback TCP port nothing listens on.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The median of the numbers on stdin, one per line.
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Stops unless GNU time is there (wall time and peak RSS of each run).
need_gnu_time() {
  [ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package 'time')" >&2; exit 1; }
}

# The article a one-edit run edits: the first (by path) under DIR/content
# that is in the search index, as most edits are; synth marks a fifth of
# its articles as waiting for review, which the index leaves out.
edited_article() {
  local f
  for f in $(find "$1/content" -name '*.md' | sort); do
    grep -q 'needs_human_review: true' "$f" || { echo "$f"; return; }
  done
}
