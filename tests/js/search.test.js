// The search client's logic (searchCore of static/js/search.js) under
// node:test, against a site built by notesite: NOTESITE_PUBLIC names its
// output. tests/it/search.rs builds the example site and runs this file.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const fs = require("fs");
const path = require("path");
const searchCore = require("../../static/js/search.js");
const stem = require("../../static/js/stem.js");

const out = process.env.NOTESITE_PUBLIC;
assert.ok(out, "NOTESITE_PUBLIC must name a built site's output");
const files = new Map();
const load = async (rel) => {
  if (!files.has(rel)) files.set(rel, JSON.parse(fs.readFileSync(path.join(out, rel), "utf8")));
  return files.get(rel);
};
const none = () => [];
let shared = null;
const core = async () => {
  if (!shared) {
    shared = searchCore(load, stem);
    await shared.init();
  }
  return shared;
};
const titles = async (c, docs) => Promise.all(docs.map(async (d) => (await c.doc(d)).title));

test("an empty query lists every article, in site order", async () => {
  const c = await core();
  const { docs, ignored } = await c.matches("  ", none);
  assert.strictEqual(docs, null);
  assert.deepStrictEqual(ignored, []);
});

test("a query only of stop words or over-long words lists nothing and says so", async () => {
  const c = await core();
  for (const query of ["the", "the and of ", "x".repeat(40), "The " + "é".repeat(33)]) {
    const { docs, ignored } = await c.matches(query, none);
    assert.deepStrictEqual(docs, [], query);
    assert.ok(ignored.length > 0, query);
  }
  // A stop word beside a real word is only left out.
  const { docs, ignored } = await c.matches("the terraform ", none);
  assert.ok(docs.length > 0);
  assert.deepStrictEqual(ignored, []);
});

test("every prefix of a word, as it is typed, finds what the whole word finds", async () => {
  const c = await core();
  for (const word of ["caching", "rebalancing", "migrations", "timeouts", "reindexing", "idempotency"]) {
    const whole = (await c.matches(`${word} `, none)).docs;
    assert.ok(whole.length > 0, `${word} finds something`);
    for (let n = 3; n <= word.length; n++) {
      const prefix = word.slice(0, n);
      const found = new Set((await c.matches(prefix, none)).docs);
      const missing = whole.filter((d) => !found.has(d));
      assert.deepStrictEqual(await titles(c, missing), [], `typing "${prefix}" on the way to "${word}"`);
    }
  }
});

test("words in other scripts are found as they are typed, in any case or form", async () => {
  const c = await core();
  const target = "text in other scripts";
  for (const query of ["हिन्दी", "مرحبا", "مَرْحَبًا", "istanbul", "İstanbul", "café", "CAFE\u0301", "京都", "検索する", "ภาษาไทย"]) {
    const { docs } = await c.matches(`${query} `, none);
    assert.ok(docs && docs.length > 0, `${query} finds something`);
    assert.ok((await titles(c, docs)).includes(target), `${query} finds the article`);
  }
});

test("filters offer the values of the current results, most first, and any picked", async () => {
  const c = await core();
  const { docs } = await c.matches("terraform", none);
  assert.ok(docs.length > 0 && docs.length < 5, `${docs.length} results`);
  const facets = await c.facetCounts(docs, none, () => 6);
  for (const { facet, values } of facets) {
    assert.ok(values.length > 0, `${facet} offers a value of the results`);
    for (const v of values) assert.ok(v.count > 0, `${facet}: ${v.value} (0) offered`);
    const counts = values.map((v) => v.count);
    assert.deepStrictEqual(counts, [...counts].sort((a, b) => b - a), facet);
  }
  // A picked value stays offered even with no result left.
  const picked = (facet) => (facet === "difficulty" ? ["beginner"] : []);
  const nothing = await c.facetCounts([], picked, () => 6);
  const difficulty = nothing.find((f) => f.facet === "difficulty").values;
  assert.deepStrictEqual(difficulty, [{ value: "beginner", count: 0, picked: true }]);
  // Without a query, the site's most common values, as many as asked.
  const all = await c.facetCounts(null, none, () => 2);
  for (const { values } of all) assert.ok(values.length <= 2);
});

test("the client reads only the index version it was written for", async () => {
  const entry = await load("search/index.json");
  assert.strictEqual(entry.version, 2);
  assert.ok(!("k1" in entry) && !("b" in entry), "nothing written that no one reads");
  const older = searchCore(async (rel) => (rel === "search/index.json" ? { ...entry, version: 1 } : load(rel)), stem);
  await assert.rejects(older.init(), /the index is version 1, this page reads version 2/);
});
