// Search over the static index (src/search/index.rs writes it): fetches the
// small entry file, then only the chunks a query needs. Query words are
// reduced as the index's were (stem.js); the last word also matches as a
// prefix while it is being typed. Facets filter by the typed meta. No
// framework; everything shown is inserted as text, never as HTML.
"use strict";

(() => {
  const box = document.getElementById("search");
  if (!box) return;
  const base = box.dataset.base;
  const input = document.getElementById("search-q");
  const status = document.getElementById("search-count");
  const results = document.getElementById("search-results");
  const facetBox = document.getElementById("search-facets");
  const more = document.getElementById("search-more");
  const PAGE = 20;
  const FACET_VALUES = 8;
  const files = new Map();
  let entry = null;
  let shown = PAGE;
  let run = 0;

  const load = (path) => {
    if (!files.has(path)) {
      files.set(path, fetch(`${base}/${path}`).then((r) => {
        if (!r.ok) throw new Error(`${path}: ${r.status}`);
        return r.json();
      }));
    }
    return files.get(path);
  };

  const words = (text) => text.toLowerCase().split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w && [...w].length <= entry.max_word_chars);
  const isStop = (w) => entry.stop_words.includes(w);

  // The term chunk that would hold `term`: the last whose first term is not after it.
  function chunkOf(term) {
    let lo = 0, hi = entry.terms.length - 1, at = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (entry.terms[mid][0] <= term) { at = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return at;
  }

  async function postings(term) {
    if (!entry.terms.length) return null;
    const chunk = await load(entry.terms[chunkOf(term)][1]);
    const found = Object.prototype.hasOwnProperty.call(chunk, term) ? chunk[term] : null;
    if (!found) return null;
    const docs = new Map();
    let doc = 0;
    for (let i = 0; i < found[1].length; i += 2) {
      doc += found[1][i];
      docs.set(doc, found[1][i + 1]);
    }
    return { df: found[0], docs };
  }

  // Terms that start with `prefix`, from its chunk and the next ones.
  async function completions(prefix) {
    const found = [];
    for (let i = chunkOf(prefix); i < entry.terms.length && found.length < 16; i++) {
      if (i > chunkOf(prefix) && !entry.terms[i][0].startsWith(prefix)) break;
      const chunk = await load(entry.terms[i][1]);
      for (const term of Object.keys(chunk).sort()) {
        if (term.startsWith(prefix) && found.length < 16) found.push(term);
      }
    }
    return found;
  }

  const idf = (df) => Math.log(1 + (entry.docs - df + 0.5) / (df + 0.5));

  // Each query word is a group of terms (its stem, and for the last word its
  // completions); an article must match every group. Score: BM25 over the
  // index's saturated weights; `null` for an empty query.
  async function score(query) {
    const typed = words(query).filter((w) => !isStop(w));
    if (!typed.length) return { scores: null, terms: [], prefix: null };
    const growing = !/\s$/.test(query);
    const terms = [];
    let scores = null;
    for (const [i, word] of typed.entries()) {
      const group = new Set([notesiteStem(word)]);
      const last = growing && i === typed.length - 1;
      if (last) for (const t of await completions(word)) group.add(t);
      const groupScores = new Map();
      for (const term of group) {
        const p = await postings(term);
        if (!p) continue;
        terms.push(term);
        const weight = idf(p.df);
        for (const [doc, w] of p.docs) {
          groupScores.set(doc, Math.max(groupScores.get(doc) || 0, weight * w / 255));
        }
      }
      if (scores === null) scores = groupScores;
      else {
        const both = new Map();
        for (const [doc, s] of scores) if (groupScores.has(doc)) both.set(doc, s + groupScores.get(doc));
        scores = both;
      }
    }
    return { scores, terms, prefix: growing ? typed[typed.length - 1] : null };
  }

  async function facetDocs(facet, value) {
    const found = entry.facets[facet].find((v) => v[0] === value);
    if (!found) return new Set();
    const deltas = await load(found[2]);
    let doc = 0;
    return new Set(deltas.map((d) => (doc += d)));
  }

  const params = () => new URLSearchParams(location.search);
  const chosen = (facet) => params().getAll(facet);

  async function matches(query) {
    const { scores, terms, prefix } = await score(query);
    let docs = scores ? [...scores.keys()] : null;
    for (const facet of Object.keys(entry.facets)) {
      const values = chosen(facet);
      if (!values.length) continue;
      const allowed = new Set();
      for (const v of values) for (const d of await facetDocs(facet, v)) allowed.add(d);
      docs = (docs || [...allowed]).filter((d) => allowed.has(d));
    }
    if (docs) {
      docs.sort((a, b) => ((scores ? scores.get(b) - scores.get(a) : 0) || a - b));
    }
    return { docs, terms, prefix };
  }

  async function showFacets(docs) {
    facetBox.replaceChildren();
    const inResult = docs ? new Set(docs) : null;
    for (const [facet, values] of Object.entries(entry.facets)) {
      const picked = chosen(facet);
      const listed = values.slice(0, FACET_VALUES).map((v) => v[0]);
      for (const v of picked) if (!listed.includes(v)) listed.push(v);
      const set = document.createElement("fieldset");
      const legend = document.createElement("legend");
      legend.textContent = facet;
      set.append(legend);
      for (const value of listed) {
        let count = (values.find((v) => v[0] === value) || [0, 0])[1];
        if (inResult) {
          count = 0;
          for (const d of await facetDocs(facet, value)) if (inResult.has(d)) count++;
        }
        const label = document.createElement("label");
        const box = document.createElement("input");
        box.type = "checkbox";
        box.name = facet;
        box.value = value;
        box.checked = picked.includes(value);
        box.addEventListener("change", () => {
          const p = params();
          const rest = p.getAll(facet).filter((v) => v !== value);
          p.delete(facet);
          for (const v of rest) p.append(facet, v);
          if (box.checked) p.append(facet, value);
          history.replaceState(null, "", `?${p}`);
          update();
        });
        label.append(box, ` ${value} (${count})`);
        set.append(label);
      }
      facetBox.append(set);
    }
  }

  // The snippet's words that match the query, marked.
  function snippet(text, terms, prefix) {
    const p = document.createElement("p");
    for (const part of text.split(/([\p{L}\p{N}]+)/u)) {
      const lower = part.toLowerCase();
      const hit = part && /[\p{L}\p{N}]/u.test(part) &&
        (terms.includes(notesiteStem(lower)) || (prefix && lower.startsWith(prefix)));
      if (hit) {
        const mark = document.createElement("mark");
        mark.textContent = part;
        p.append(mark);
      } else p.append(part);
    }
    return p;
  }

  async function item(doc, terms, prefix) {
    const chunk = await load(entry.doc_chunks[Math.floor(doc / entry.docs_per_chunk)]);
    const d = chunk[doc % entry.docs_per_chunk];
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

  async function update() {
    const mine = ++run;
    const query = input.value;
    const { docs, terms, prefix } = await matches(query);
    if (mine !== run) return;
    const all = docs || [...Array(entry.docs).keys()];
    const items = await Promise.all(all.slice(0, shown).map((d) => item(d, terms, prefix)));
    if (mine !== run) return;
    results.replaceChildren(...items);
    const n = all.length;
    status.textContent = n === 0
      ? `No articles match “${query.trim()}”. Try fewer or other words, or clear a filter.`
      : `${n} article${n === 1 ? "" : "s"}${query.trim() ? ` match “${query.trim()}”` : ""}`;
    more.hidden = n <= shown;
    await showFacets(docs);
  }

  let timer = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const p = params();
      if (input.value) p.set("q", input.value); else p.delete("q");
      history.replaceState(null, "", `?${p}`);
      shown = PAGE;
      update();
    }, 60);
  });
  more.addEventListener("click", () => { shown += PAGE; update(); });

  load("search/index.json").then((e) => {
    entry = e;
    input.value = params().get("q") || "";
    box.hidden = false;
    update();
  }).catch((err) => {
    status.textContent = `Search is unavailable (${err.message}).`;
    box.hidden = false;
  });
})();
