// The Snowball English (Porter2) stemmer, the rules the search index was
// built with (rust-stemmers on the build side); a test runs both on the
// same words and compares them. Words come in lowercase.
"use strict";

const notesiteStem = (() => {
  const V = "aeiouy";
  const isV = (c) => V.includes(c);
  const DOUBLES = ["bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt"];
  const LI_END = "cdeghkmnrt";
  const EXCEPTIONS = {
    skis: "ski", skies: "sky", dying: "die", lying: "lie", tying: "tie",
    idly: "idl", gently: "gentl", ugly: "ugli", early: "earli", only: "onli",
    singly: "singl", sky: "sky", news: "news", howe: "howe", atlas: "atlas",
    cosmos: "cosmos", bias: "bias", andes: "andes",
  };
  const AFTER_1A = ["inning", "outing", "canning", "herring", "earring", "proceed", "exceed", "succeed"];

  // R1: after the first non-vowel that follows a vowel; R2 likewise in R1.
  function region(w, from) {
    for (let i = from + 1; i < w.length; i++) {
      if (!isV(w[i]) && isV(w[i - 1])) return i + 1;
    }
    return w.length;
  }
  function r1Of(w) {
    for (const p of ["gener", "commun", "arsen"]) if (w.startsWith(p)) return p.length;
    return region(w, 0);
  }
  // A short syllable ends the word: vowel, non-vowel (not w, x, Y) after a
  // non-vowel or the start; or a vowel then a non-vowel at the start.
  function endsShortSyllable(w) {
    const n = w.length;
    if (n === 2) return isV(w[0]) && !isV(w[1]);
    if (n < 3) return false;
    const [a, b, c] = [w[n - 3], w[n - 2], w[n - 1]];
    return !isV(a) && isV(b) && !isV(c) && !"wxY".includes(c);
  }
  const isShort = (w, r1) => r1 >= w.length && endsShortSyllable(w);
  const hasVowel = (s) => [...s].some(isV);

  function stem(word) {
    if (word.length <= 2) return word;
    let w = word.replace(/^'/, "");
    if (EXCEPTIONS[w]) return EXCEPTIONS[w];
    // y at the start or after a vowel is a consonant: mark it Y.
    w = w.replace(/^y/, "Y").replace(/([aeiouy])y/g, "$1Y");
    const r1 = r1Of(w);
    const r2 = region(w, r1 - 1) > r1 ? region(w, r1) : w.length;
    const inR1 = (s) => w.length - s.length >= r1;
    const inR2 = (s) => w.length - s.length >= r2;
    const cut = (n) => { w = w.slice(0, w.length - n); };

    // Step 0: apostrophe suffixes.
    for (const s of ["'s'", "'s", "'"]) if (w.endsWith(s)) { cut(s.length); break; }
    // Step 1a.
    if (w.endsWith("sses")) cut(2);
    else if (w.endsWith("ied") || w.endsWith("ies")) w = w.slice(0, -3) + (w.length > 4 ? "i" : "ie");
    else if (w.endsWith("us") || w.endsWith("ss")) { /* unchanged */ }
    else if (w.endsWith("s") && hasVowel(w.slice(0, -2))) cut(1);
    if (AFTER_1A.includes(w)) return w;
    // Step 1b.
    const eed = ["eedly", "eed"].find((s) => w.endsWith(s));
    const ed = ["ingly", "edly", "ing", "ed"].find((s) => w.endsWith(s));
    if (eed) {
      if (inR1(eed)) w = w.slice(0, -eed.length) + "ee";
    } else if (ed && hasVowel(w.slice(0, -ed.length))) {
      cut(ed.length);
      if (["at", "bl", "iz"].some((s) => w.endsWith(s))) w += "e";
      else if (DOUBLES.some((d) => w.endsWith(d))) cut(1);
      else if (isShort(w, r1)) w += "e";
    }
    // Step 1c: y after a non-vowel that is not the first letter.
    if (w.length > 2 && /[yY]$/.test(w) && !isV(w[w.length - 2])) w = w.slice(0, -1) + "i";
    // Step 2.
    const STEP2 = [
      ["ization", "ize"], ["ational", "ate"], ["fulness", "ful"], ["ousness", "ous"],
      ["iveness", "ive"], ["tional", "tion"], ["biliti", "ble"], ["lessli", "less"],
      ["entli", "ent"], ["ation", "ate"], ["alism", "al"], ["aliti", "al"], ["ousli", "ous"],
      ["iviti", "ive"], ["fulli", "ful"], ["enci", "ence"], ["anci", "ance"], ["abli", "able"],
      ["izer", "ize"], ["ator", "ate"], ["alli", "al"], ["bli", "ble"], ["ogi", "og"], ["li", ""],
    ];
    const s2 = STEP2.find(([s]) => w.endsWith(s));
    if (s2 && inR1(s2[0])) {
      const [s, r] = s2;
      if (s === "ogi") { if (w.endsWith("logi")) w = w.slice(0, -3) + r; }
      else if (s === "li") { if (LI_END.includes(w[w.length - 3])) cut(2); }
      else w = w.slice(0, -s.length) + r;
    }
    // Step 3.
    const STEP3 = [
      ["ational", "ate"], ["tional", "tion"], ["alize", "al"], ["icate", "ic"], ["iciti", "ic"],
      ["ative", ""], ["ical", "ic"], ["ness", ""], ["ful", ""],
    ];
    const s3 = STEP3.find(([s]) => w.endsWith(s));
    if (s3 && inR1(s3[0])) {
      const [s, r] = s3;
      if (s !== "ative" || inR2(s)) w = w.slice(0, -s.length) + r;
    }
    // Step 4.
    const STEP4 = [
      "ement", "ance", "ence", "able", "ible", "ment", "ant", "ent", "ism", "ate", "iti",
      "ous", "ive", "ize", "ion", "al", "er", "ic",
    ];
    const s4 = STEP4.find((s) => w.endsWith(s));
    if (s4 && inR2(s4)) {
      if (s4 !== "ion" || /[st]ion$/.test(w)) cut(s4.length);
    }
    // Step 5.
    if (w.endsWith("e") && (inR2("e") || (inR1("e") && !endsShortSyllable(w.slice(0, -1))))) cut(1);
    else if (w.endsWith("ll") && inR2("l")) cut(1);
    return w.replace(/Y/g, "y");
  }
  return stem;
})();

if (typeof module !== "undefined") module.exports = notesiteStem;
