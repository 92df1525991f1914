// What a query costs a reader: runs the real client logic (searchCore in
// static/js/search.js) under Node against a built site, and totals the
// files it fetches, compressed as a CDN serves them (gzip -9 and brotli),
// the scripts included, with the time the logic took once files were in.
//
//   node bench/search-query.js PUBLIC_DIR "two words" [facet=value ...]
//   FACETS=6 node bench/search-query.js …   (with the filters panel open,
//                                            counting 6 values per field)
"use strict";
const fs = require("fs");
const path = require("path");
const zlib = require("zlib");
const searchCore = require("../static/js/search.js");
const stem = require("../static/js/stem.js");

const [out, query, ...picks] = process.argv.slice(2);
const fetched = new Map();
const load = async (rel) => {
  if (!fetched.has(rel)) fetched.set(rel, JSON.parse(fs.readFileSync(path.join(out, rel), "utf8")));
  return fetched.get(rel);
};
const chosen = (facet) => picks.filter((p) => p.startsWith(`${facet}=`)).map((p) => p.slice(facet.length + 1));
const sizes = (bytes) => [zlib.gzipSync(bytes, { level: 9 }).length, zlib.brotliCompressSync(bytes).length];

(async () => {
  const core = searchCore(load, stem);
  await core.init();
  const started = process.hrtime.bigint();
  const { docs } = await core.matches(query, chosen);
  const all = docs || [...Array(core.docCount()).keys()];
  for (const d of all.slice(0, 20)) await core.doc(d);
  // The page fetches facet counts only while the filters are open (always
  // when the link filters): FACETS=6 counts what opening them costs, as the page does.
  const facetValues = Number(process.env.FACETS || (picks.length ? 6 : 0));
  if (facetValues) await core.facetCounts(docs, chosen, () => facetValues);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const manifest = JSON.parse(fs.readFileSync(path.join(out, "asset-manifest.json"), "utf8"));
  const files = [...fetched.keys(), manifest["js/search.js"], manifest["js/stem.js"]];
  let gz = 0, br = 0, raw = 0, largest = 0;
  // gzip bytes by kind of file: the entry, term/doc/facet chunks, scripts.
  const kinds = {};
  for (const f of files) {
    const bytes = fs.readFileSync(path.join(out, f));
    const [g, b] = sizes(bytes);
    gz += g; br += b; raw += bytes.length; largest = Math.max(largest, bytes.length);
    const kind = f.startsWith("assets/search/") ? path.basename(f)[0] : f.endsWith(".js") ? "js" : "entry";
    kinds[kind] = (kinds[kind] || 0) + g;
  }
  const parts = Object.entries(kinds).map(([k, g]) => `${k} ${(g / 1024).toFixed(0)}`).join(", ");
  console.log(`"${query}" ${picks.join(" ")}: ${all.length} results, ${files.length} files, ` +
    `${(raw / 1024).toFixed(0)} KiB raw, ${(gz / 1024).toFixed(0)} KiB gzip, ${(br / 1024).toFixed(0)} KiB brotli, ` +
    `largest ${(largest / 1024).toFixed(0)} KiB, logic ${ms.toFixed(0)} ms (Node, files in memory); ` +
    `gzip KiB by kind: ${parts}`);
})();
