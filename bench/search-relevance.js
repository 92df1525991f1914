// Relevance of the site's search on a synth corpus, with ground truth from
// synth's titles ("<stack> notes: <problem> <scenario>"): for a query of a
// stack word and a title word, the relevant articles are those of that
// stack whose title has the word. Two kinds of query, 10 each, chosen from
// the corpus the same way every run: "plain" takes the title word rarest
// in the site's text, "common" the one most common (in at least half of
// the articles, as filler prose). Prints precision@10 and the rank of the
// first relevant hit per query, the mean per kind, and a last line of
// JSON for tests (tests/it/search.rs runs this on a small corpus).
//
//   node bench/search-relevance.js PUBLIC_DIR
"use strict";
const fs = require("fs");
const path = require("path");
const searchCore = require("../static/js/search.js");
const stem = require("../static/js/stem.js");

const out = process.argv[2];
const files = new Map();
const load = async (rel) => {
  if (!files.has(rel)) files.set(rel, JSON.parse(fs.readFileSync(path.join(out, rel), "utf8")));
  return files.get(rel);
};
const none = () => [];
const wordsOf = (text) => text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 4);

(async () => {
  const core = searchCore(load, stem);
  const entry = await core.init();
  const docs = [];
  for (let d = 0; d < core.docCount(); d++) {
    const { title } = await core.doc(d);
    const [stack, rest] = title.split(" notes: ");
    if (rest === undefined) continue;
    docs.push({ d, stack, words: new Set(wordsOf(rest.replace(/, part \d+$/, "")).map(stem)) });
  }
  const stacks = [...new Set(docs.map((x) => x.stack))].sort();
  const share = new Map();
  const commonness = async (word) => {
    if (!share.has(word)) share.set(word, ((await core.matches(`${word} `, none)).docs || []).length / core.docCount());
    return share.get(word);
  };
  const queries = [];
  for (const [i, stack] of stacks.slice(0, 10).entries()) {
    const stackWord = stack.split(" ")[0];
    const titleWords = [...new Set(docs.filter((x) => x.stack === stack)
      .flatMap((x) => [...x.words]))].filter((w) => !entry.stop_words.includes(w)).sort();
    // The surface word for each stem, as a reader would type it.
    const surface = new Map();
    for (const x of docs.filter((y) => y.stack === stack)) {
      const { title } = await core.doc(x.d);
      for (const w of wordsOf(title.split(" notes: ")[1])) if (!surface.has(stem(w))) surface.set(stem(w), w);
    }
    const scored = [];
    for (const s of titleWords) if (surface.has(s)) scored.push([await commonness(surface.get(s)), surface.get(s)]);
    scored.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
    // A different word for each stack where there are several: the rarest
    // few for plain queries, the most common few for the others.
    const plain = scored[i % Math.min(3, scored.length)];
    queries.push({ kind: "plain", stack, q: `${stackWord} ${plain[1]}`, word: plain[1] });
    const commons = scored.filter(([c]) => c >= 0.5);
    const common = commons[commons.length - 1 - (i % Math.min(3, commons.length || 1))];
    if (common) queries.push({ kind: "common", stack, q: `${stackWord} ${common[1]}`, word: common[1], share: common[0] });
  }
  const rows = [];
  for (const query of queries) {
    const relevant = new Set(docs.filter((x) => x.stack === query.stack && x.words.has(stem(query.word))).map((x) => x.d));
    const { docs: found } = await core.matches(query.q, none);
    const ranked = found || [];
    const top = ranked.slice(0, 10);
    const hits = top.filter((d) => relevant.has(d)).length;
    const precision = hits / Math.min(10, relevant.size);
    const first = ranked.findIndex((d) => relevant.has(d)) + 1;
    rows.push({ ...query, relevant: relevant.size, precision, first });
  }
  console.log("kind    query                               relevant  p@10  first relevant rank  (word in % of articles)");
  for (const r of rows) {
    console.log(`${r.kind.padEnd(7)} ${r.q.padEnd(36)} ${String(r.relevant).padStart(8)}  ${r.precision.toFixed(2)}  ${String(r.first || "none").padStart(4)}` +
      (r.share ? `  (${(r.share * 100).toFixed(0)}%)` : ""));
  }
  const summary = {};
  for (const kind of ["plain", "common"]) {
    const of = rows.filter((r) => r.kind === kind);
    const mean = of.reduce((s, r) => s + r.precision, 0) / (of.length || 1);
    const worst = Math.max(...of.map((r) => r.first || Infinity));
    summary[kind] = { queries: of.length, mean_precision: Number(mean.toFixed(3)), worst_first_rank: worst };
    console.log(`${kind}: ${of.length} queries, mean precision@10 ${mean.toFixed(3)}, worst first relevant rank ${worst}`);
  }
  console.log(JSON.stringify(summary));
})();
