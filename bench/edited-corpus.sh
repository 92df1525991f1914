#!/usr/bin/env bash
# A corpus made differently from `synth`: the example site's articles
# copied N times with edited text (a number and a word in each title, the
# word woven into body sentences, a different view count), written as
# a00000.md … so links to other articles (by path or source file, with
# any #anchor, which a00000 need not have) are rewritten to /a00000/. It
# shares no vocabulary or code blocks with synth, so an optimisation tuned
# to synth's repetition shows up here. Used by bench/same-output.sh.
#
#   bench/edited-corpus.sh N OUT_DIR     (OUT_DIR becomes a site folder)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:?how many articles}
out=${2:?output site folder}
mkdir -p "$out/content"
cp site.yaml "$out/"
cp -r templates static "$out/"
awk -v count="$count" -v out="$out/content" '
  BEGIN { split("alpha bravo charlie delta echo foxtrot golf hotel", words, " ") }
  FNR == 1 { n++ }
  { lines[n, FNR] = $0; len[n] = FNR }
  END {
    for (i = 0; i < count; i++) {
      a = i % n + 1; word = words[i % 8 + 1]
      file = sprintf("%s/a%05d.md", out, i)
      fences = 0
      for (l = 1; l <= len[a]; l++) {
        line = lines[a, l]
        if (line == "---") fences++
        if (fences == 1 && line ~ /^title: "/) sub(/^title: "/, "title: \"" i " " word " ", line)
        else if (fences == 1 && line ~ /^view_count: /) line = "view_count: " (i * 7919 % 250000)
        else if (fences >= 2 && line !~ /^ *```/) gsub(/ the /, " the " word " ", line)
        gsub(/\]\((\/[a-z0-9-]+\/|[a-z0-9-]+\.md)(#[a-z0-9-]+)?\)/, "](/a00000/)", line)
        print line > file
      }
      close(file)
    }
  }' content/*.md
echo "$count edited example articles in $out/content"
