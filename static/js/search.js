// Search over the static index (src/search/index.rs writes it): fetches the
// small entry file, then only the chunks a query needs. Query words are
// reduced as the index's were (stem.js); the last word also matches as a
// prefix while it is being typed. Facets filter by the typed meta. No
// framework; everything shown is inserted as text, never as HTML.
// `searchCore` holds the logic without the page, so bench/search-query.js
// can run the same code under Node and count what a query fetches.
"use strict";

// Scripts written without spaces: the same ranges as `unspaced_script` in
// src/search/text.rs.
const UNSPACED = /[\u0E00-\u0EFF\u1000-\u109F\u1780-\u17FF\u2E80-\u2FDF\u3005-\u3007\u3021-\u3029\u3038-\u303B\u3040-\u30FF\u31F0-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\u{20000}-\u{3134F}]/u;
const MARK = /\p{M}/u;
// Arabic and Hebrew vowel marks, dropped: `optional_vowel_mark` in text.rs.
const VOWEL_MARKS = /[\u0591-\u05BD\u05BF\u05C1-\u05C2\u05C4-\u05C5\u05C7\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED]/gu;
// Invisible characters inside words, dropped: `ignorable` in text.rs.
const IGNORABLE_CHARS = "\\u00AD\\u034F\\u061C\\u180B-\\u180F\\u200C-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFE00-\\uFE0F\\uFEFF\\u{E0100}-\\u{E01EF}";
const IGNORABLE = new RegExp(`[${IGNORABLE_CHARS}]`, "gu");
const IN_WORD = /[\p{Alphabetic}\p{N}\p{M}]/u;

// The words of a query: the index's definition of a word (`tokens` in
// src/search/text.rs, which a test holds this to). Runs of letters, digits
// and marks (with the invisible characters inside words, dropped), each
// NFKC-normalized, lowercased, `i̇` `ß` `ς` folded to `i`
// `ss` `σ` and Arabic and Hebrew vowel marks dropped, then cut again; in
// scripts without spaces, overlapping pairs of characters. Words over the
// index's length are kept here so a query can say it left them out.
const RUNS = new RegExp(`[\\p{Alphabetic}\\p{N}\\p{M}${IGNORABLE_CHARS}]+`, "gu");
function tokens(text) {
  const out = [];
  for (const [run] of text.matchAll(RUNS)) {
    const folded = run.replace(IGNORABLE, "").normalize("NFKC").toLowerCase()
      .replaceAll("i\u0307", "i").replaceAll("ß", "ss").replaceAll("ς", "σ")
      .replace(VOWEL_MARKS, "");
    out.push(...runTokens(folded));
  }
  return out;
}

function runTokens(folded) {
  const out = [];
  let plain = "";
  let units = [];
  const flushPlain = () => { if (plain) out.push(plain); plain = ""; };
  const flushUnits = () => {
    if (units.length === 1) out.push(units[0]);
    for (let i = 0; i + 1 < units.length; i++) out.push(units[i] + units[i + 1]);
    units = [];
  };
  for (const c of folded) {
    if (!IN_WORD.test(c)) { flushPlain(); flushUnits(); }
    else if (MARK.test(c)) {
      if (units.length && !plain) units[units.length - 1] += c; else plain += c;
    } else if (UNSPACED.test(c)) { flushPlain(); units.push(c); }
    else { flushUnits(); plain += c; }
  }
  flushPlain();
  flushUnits();
  return out;
}

function searchCore(load, stem) {
  let entry = null;
  const TITLE_MARK = "#";
  // `VERSION` in src/search/format.rs, which describes the files this reads.
  const INDEX_VERSION = 2;

  const allWords = tokens;
  // The words the index keeps: not stop words, not longer than it indexes.
  const kept = (w) => [...w].length <= entry.max_word_chars && !entry.stop_words.includes(w);
  const words = (text) => allWords(text).filter(kept);

  // The term chunk that would hold `term`: the last whose first term is not after it.
  function chunkOf(term) {
    let lo = 0, hi = entry.terms.length - 1, at = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (entry.terms[mid][0] <= term) { at = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return at;
  }

  // The index's one bitmap form (`bitmap` in src/search/index.rs): hex,
  // article i is bit i % 8 of byte i / 8. As bytes, and as its articles.
  const bitmapBytes = (hex) => {
    const bytes = new Uint8Array(Math.ceil(entry.docs / 8));
    for (let i = 0; i < bytes.length && i * 2 < hex.length; i++) bytes[i] = parseInt(hex.substr(i * 2, 2), 16);
    return bytes;
  };
  function members(hex) {
    const docs = [];
    const bytes = bitmapBytes(hex);
    for (let i = 0; i < bytes.length; i++) {
      for (let bit = 0; bytes[i] >> bit; bit++) if (bytes[i] & (1 << bit)) docs.push(i * 8 + bit);
    }
    return docs;
  }

  async function postings(term) {
    if (!entry.terms.length) return null;
    const chunk = await load(entry.terms[chunkOf(term)][1]);
    if (!Object.prototype.hasOwnProperty.call(chunk, term)) return null;
    const [df, list, sixteenths] = chunk[term];
    const docs = new Map();
    if (typeof list === "string") {
      // A common term: a bitmap of its articles, and a hex digit of
      // weight (in sixteenths of 255) for each, in article order.
      for (const [k, doc] of members(list).entries()) docs.set(doc, parseInt(sixteenths[k], 16) * 17);
      return { df, docs };
    }
    let doc = 0;
    for (let i = 0; i < list.length; i += 2) {
      doc += list[i];
      docs.set(doc, list[i + 1]);
    }
    return { df, docs };
  }

  // Terms that start with `prefix`, from its chunk and the next ones.
  async function completions(prefix) {
    const found = [];
    const first = chunkOf(prefix);
    for (let i = first; i < entry.terms.length && found.length < 16; i++) {
      if (i > first && !entry.terms[i][0].startsWith(prefix)) break;
      const chunk = await load(entry.terms[i][1]);
      for (const term of Object.keys(chunk).sort()) {
        if (term.startsWith(prefix) && !term.endsWith(TITLE_MARK) && found.length < 16) found.push(term);
      }
    }
    return found;
  }

  // Terms `prefix` may be a longer prefix of than their stem: "cachin"
  // is on its way to "caching", stemmed "cach". Snowball takes a few
  // letters off the end, so the index's terms among `prefix`'s last six
  // shorter prefixes (of three letters or more) are those.
  async function stemsWithin(prefix) {
    const letters = [...prefix];
    const found = [];
    for (let n = letters.length - 1; n >= Math.max(3, letters.length - 6); n--) {
      const shorter = letters.slice(0, n).join("");
      if (await postings(shorter)) found.push(shorter);
    }
    return found;
  }

  const idf = (df) => Math.log(1 + (entry.docs - df + 0.5) / (df + 0.5));

  // A term's score in each article that has it: BM25 over the whole
  // article, plus, where the title has the word (the marked term, see
  // TITLE_MARK in src/search/index.rs), BM25 with the IDF of titles. A
  // word in most bodies has an IDF near zero; in titles it is as rare as
  // the articles about it.
  async function termScores(term) {
    const p = await postings(term);
    if (!p) return null;
    const scores = new Map();
    const weight = idf(p.df);
    for (const [doc, w] of p.docs) scores.set(doc, weight * w / 255);
    const titled = await postings(term + TITLE_MARK);
    if (titled) {
      const titleWeight = idf(titled.df);
      for (const [doc, w] of titled.docs) scores.set(doc, (scores.get(doc) || 0) + titleWeight * w / 255);
    }
    return scores;
  }

  // Each query word is a group of terms (its stem, and for the last word its
  // completions); an article must match every group. Score: BM25 over the
  // index's saturated weights. `scores` is null for an empty query;
  // `ignored` lists the words of a query made only of words the index
  // never keeps (stop words, over-long words), which matches nothing.
  async function score(query) {
    const typed = words(query);
    if (!typed.length) {
      const ignored = allWords(query);
      return { scores: ignored.length ? new Map() : null, terms: [], prefix: null, ignored };
    }
    const growing = !/\s$/.test(query);
    const terms = [];
    let scores = null;
    for (const [i, word] of typed.entries()) {
      const group = new Set([stem(word)]);
      if (growing && i === typed.length - 1) {
        for (const t of await completions(word)) group.add(t);
        if (group.size === 1 && !(await postings(stem(word)))) {
          for (const t of await stemsWithin(word)) group.add(t);
        }
      }
      const found = new Map();
      for (const term of group) {
        const scored = await termScores(term);
        if (!scored) continue;
        terms.push(term);
        for (const [doc, s] of scored) found.set(doc, Math.max(found.get(doc) || 0, s));
      }
      if (scores === null) scores = found;
      else {
        const both = new Map();
        for (const [doc, s] of scores) if (found.has(doc)) both.set(doc, s + found.get(doc));
        scores = both;
      }
    }
    return { scores, terms, prefix: growing ? typed[typed.length - 1] : null, ignored: [] };
  }

  // Sets of articles are bitmaps (article i is bit i % 8 of byte i / 8):
  // a facet value can hold a third of 100k articles, and counting it
  // against a result is then one AND per byte.
  const emptyBits = () => new Uint8Array(Math.ceil(entry.docs / 8));
  const has = (bits, doc) => (bits[doc >> 3] & (1 << (doc & 7))) !== 0;
  const POPCOUNT = Uint8Array.from({ length: 256 }, (_, b) => {
    let n = 0;
    for (let x = b; x; x >>= 1) n += x & 1;
    return n;
  });
  const decoded = new Map();

  // A facet value's articles: stored as deltas, or as a bitmap for
  // common values.
  async function facetBits(facet, value) {
    const found = entry.facets[facet].find((v) => v[0] === value);
    if (!found) return emptyBits();
    if (!decoded.has(found[2])) {
      const list = await load(found[2]);
      let bits;
      if (typeof list === "string") bits = bitmapBytes(list);
      else {
        bits = emptyBits();
        let doc = 0;
        for (const d of list) { doc += d; bits[doc >> 3] |= 1 << (doc & 7); }
      }
      decoded.set(found[2], bits);
    }
    return decoded.get(found[2]);
  }

  return {
    async init() {
      entry = await load("search/index.json");
      if (entry.version !== INDEX_VERSION) {
        throw new Error(`the index is version ${entry.version}, this page reads version ${INDEX_VERSION}; reload the page`);
      }
      return entry;
    },
    // Matching articles, best first (`docs` null: every article, site
    // order), the terms found, the prefix being typed, and the words left
    // out when no word of the query is one the index keeps.
    async matches(query, chosen) {
      const { scores, terms, prefix, ignored } = await score(query);
      let docs = scores ? [...scores.keys()] : null;
      for (const facet of Object.keys(entry.facets)) {
        const values = chosen(facet);
        if (!values.length) continue;
        const allowed = emptyBits();
        for (const v of values) {
          const bits = await facetBits(facet, v);
          for (let i = 0; i < allowed.length; i++) allowed[i] |= bits[i];
        }
        if (docs) docs = docs.filter((d) => has(allowed, d));
        else {
          docs = [];
          for (let d = 0; d < entry.docs; d++) if (has(allowed, d)) docs.push(d);
        }
      }
      if (docs) docs.sort((a, b) => ((scores ? scores.get(b) - scores.get(a) : 0) || a - b));
      return { docs, terms, prefix, ignored };
    },
    // Per facet, the values to offer with their counts in `docs`, most
    // first: those that occur in the results, found by counting the
    // site's values from the most common down while their lists cost no
    // more bytes than `shown(facet)` of the most common would (rarer
    // values are smaller lists), and any value picked. Without a query
    // every value occurs: the `shown(facet)` most common. `more` is how
    // many values of the site are not offered.
    async facetCounts(docs, chosen, shown) {
      let inResult = null;
      if (docs) {
        inResult = emptyBits();
        for (const d of docs) inResult[d >> 3] |= 1 << (d & 7);
      }
      const none = docs !== null && docs.length === 0;
      // A value's list in bytes: deltas (a few bytes each) or a bitmap,
      // whichever is smaller, and a file's overhead. Each field may spend
      // what its most common values cost, and 16 KB in any case (all the
      // values of a small site).
      const cost = (count) => 64 + Math.min(count * 4, entry.docs / 4);
      const countOf = async (facet, value, siteCount) => {
        if (none) return 0;
        if (!inResult) return siteCount;
        const bits = await facetBits(facet, value);
        let count = 0;
        for (let i = 0; i < bits.length; i++) count += POPCOUNT[bits[i] & inResult[i]];
        return count;
      };
      const out = [];
      for (const [facet, values] of Object.entries(entry.facets)) {
        const picked = chosen(facet);
        const want = shown(facet);
        let budget = Math.max(16384, values.slice(0, want).reduce((sum, v) => sum + cost(v[1]), 0));
        const counted = [];
        for (const [value, siteCount] of values) {
          if (counted.length >= want || (budget <= 0 && want !== Infinity)) break;
          budget -= cost(siteCount);
          const count = await countOf(facet, value, siteCount);
          if (count > 0) counted.push({ value, count, picked: picked.includes(value) });
        }
        for (const value of picked) {
          if (counted.some((c) => c.value === value)) continue;
          const siteCount = (values.find((v) => v[0] === value) || [0, 0])[1];
          counted.push({ value, count: await countOf(facet, value, siteCount), picked: true });
        }
        counted.sort((a, b) => b.count - a.count);
        out.push({ facet, values: counted, more: values.length - counted.length });
      }
      return out;
    },
    async doc(doc) {
      const chunk = await load(entry.doc_chunks[Math.floor(doc / entry.docs_per_chunk)]);
      return chunk[doc % entry.docs_per_chunk];
    },
    docCount: () => entry.docs,
  };
}

if (typeof module !== "undefined") {
  module.exports = searchCore;
  module.exports.tokens = tokens;
} else {
  (() => {
    const box = document.getElementById("search");
    if (!box) return;
    const input = document.getElementById("search-q");
    const form = document.getElementById("search-form");
    const status = document.getElementById("search-count");
    const results = document.getElementById("search-results");
    const facetBox = document.getElementById("search-facets");
    // Facet counts for a query cost more than the query itself (each value's
    // article list), so they are fetched only while the filters are open.
    const filters = document.getElementById("search-filters");
    const more = document.getElementById("search-more");
    const PAGE = 20;
    // Counting a common value costs its article bitmap (about 12 KB at
    // 100k articles): six per field keeps a query with the filters open
    // within 300 KB (bench/search-query.js). "All values" counts the rest.
    const FACET_VALUES = 6;
    const expanded = new Set();
    const valuesShown = (facet) => (expanded.has(facet) ? Infinity : FACET_VALUES);
    const files = new Map();
    const load = (path) => {
      if (!files.has(path)) {
        files.set(path, fetch(`${box.dataset.base}/${path}`).then((r) => {
          if (!r.ok) throw new Error(`${path}: ${r.status}`);
          return r.json();
        }));
      }
      return files.get(path);
    };
    const core = searchCore(load, notesiteStem);
    const params = () => new URLSearchParams(location.search);
    const chosen = (facet) => params().getAll(facet);
    let shown = PAGE;
    let run = 0;

    function toggle(facet, value, on) {
      const p = params();
      const rest = p.getAll(facet).filter((v) => v !== value);
      p.delete(facet);
      for (const v of rest) p.append(facet, v);
      if (on) p.append(facet, value);
      history.replaceState(null, "", `?${p}`);
      update();
    }

    // Redrawing the filters must not lose a keyboard user's place: focus
    // returns to the checkbox that had it, or after "all values" to the
    // first value it added.
    let focusAfter = null;

    function showFacets(facets) {
      const had = document.activeElement;
      if (had && had.type === "checkbox" && facetBox.contains(had)) {
        focusAfter = { facet: had.name, value: had.value };
      }
      facetBox.replaceChildren(...facets.map(({ facet, values, more }) => {
        const set = document.createElement("fieldset");
        const legend = document.createElement("legend");
        legend.textContent = facet;
        set.append(legend);
        for (const { value, count, picked } of values) {
          const label = document.createElement("label");
          const check = document.createElement("input");
          check.type = "checkbox";
          check.name = facet;
          check.value = value;
          check.checked = picked;
          check.addEventListener("change", () => toggle(facet, value, check.checked));
          label.append(check, ` ${value} (${count})`);
          set.append(label);
        }
        if (more > 0) {
          const all = document.createElement("button");
          all.type = "button";
          all.textContent = `all values (${more} more)`;
          all.addEventListener("click", () => {
            expanded.add(facet);
            focusAfter = { facet, index: values.length };
            update();
          });
          set.append(all);
        }
        return set;
      }));
      if (focusAfter) {
        const { facet, value, index } = focusAfter;
        const boxes = [...facetBox.querySelectorAll("input")].filter((b) => b.name === facet);
        const target = value === undefined ? boxes[index] : boxes.find((b) => b.value === value);
        if (target) target.focus();
        focusAfter = null;
      }
    }

    // The snippet's words that match the query, marked.
    function snippet(text, terms, prefix) {
      const p = document.createElement("p");
      for (const part of text.split(/([\p{L}\p{N}]+)/u)) {
        const lower = part.toLowerCase();
        const hit = /[\p{L}\p{N}]/u.test(part) &&
          (terms.includes(notesiteStem(lower)) || (prefix && lower.startsWith(prefix)));
        if (hit) {
          const mark = document.createElement("mark");
          mark.textContent = part;
          p.append(mark);
        } else if (part) p.append(part);
      }
      return p;
    }

    async function item(doc, terms, prefix) {
      const d = await core.doc(doc);
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = d.url;
      a.textContent = d.title;
      const meta = document.createElement("span");
      meta.className = "result-meta";
      meta.textContent = [d.date, d.difficulty, d.stack.join(", ")].filter(Boolean).join(" · ");
      li.append(a, " ", meta, snippet(d.text, terms, prefix));
      return li;
    }

    // Each update is a performance measure, so a benchmark can read how
    // long results take (bench/search-render.sh).
    async function update() {
      const mine = ++run;
      const started = performance.now();
      const query = input.value;
      const { docs, terms, prefix, ignored } = await core.matches(query, chosen);
      if (mine !== run) return;
      const all = docs || [...Array(core.docCount()).keys()];
      const n = all.length;
      const q = query.trim();
      status.textContent = ignored.length
        ? `“${q}” has no word to search for: ${ignored.length === 1 ? "it is" : "they are"} too common or too long. Add a more specific word.`
        : n === 0
          ? `No articles match “${q}”. Try fewer or other words, or clear a filter.`
          : `${n} article${n === 1 ? "" : "s"}${q ? ` match “${q}”` : ""}`;
      // Results appear in order as their chunks arrive, not all at once
      // after the slowest.
      const pending = all.slice(0, shown).map((d) => item(d, terms, prefix));
      const kept = [...results.children];
      for (const [i, next] of pending.entries()) {
        const li = await next;
        if (mine !== run) return;
        if (kept[i]) kept[i].replaceWith(li); else results.append(li);
      }
      for (const old of kept.slice(pending.length)) old.remove();
      more.hidden = n <= shown;
      performance.measure("notesite-search-results", { start: started });
      if (!filters.open) return;
      const facets = await core.facetCounts(docs, chosen, valuesShown);
      if (mine !== run) return;
      showFacets(facets);
      performance.measure("notesite-search-filters", { start: started });
    }

    let timer = 0;
    const search = () => {
      const p = params();
      if (input.value) p.set("q", input.value); else p.delete("q");
      history.replaceState(null, "", `?${p}`);
      shown = PAGE;
      update();
    };
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(search, 60);
    });
    // Enter searches in place: no reload, and the focus stays in the box.
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      clearTimeout(timer);
      search();
    });
    more.addEventListener("click", () => { shown += PAGE; update(); });
    filters.addEventListener("toggle", () => { if (filters.open) update(); });

    input.value = params().get("q") || "";
    core.init().then((entry) => {
      // A link that filters opens the filters.
      if (Object.keys(entry.facets).some((f) => chosen(f).length)) filters.open = true;
      box.hidden = false;
      update();
    }).catch((err) => {
      status.textContent = `Search is unavailable (${err.message}).`;
      box.hidden = false;
    });
  })();
}
