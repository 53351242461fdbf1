import type { Technique } from "./technique.js";

// Keyboard rows; a key touches its row neighbours, the two keys above it (same
// index and index + 1 in the row above) and the two below (index - 1 and index).
const LAYOUTS: readonly (readonly string[])[] = [
  ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"], // QWERTY
  ["1234567890", "qwertzuiop", "asdfghjkl", "yxcvbnm"], // QWERTZ
  ["1234567890", "azertyuiop", "qsdfghjklm", "wxcvbn"], // AZERTY
];

function buildNeighbours(): ReadonlyMap<string, ReadonlySet<string>> {
  const map = new Map<string, Set<string>>();
  const add = (a: string | undefined, b: string | undefined): void => {
    if (a === undefined || b === undefined) return;
    let set = map.get(a);
    if (set === undefined) {
      set = new Set();
      map.set(a, set);
    }
    set.add(b);
  };
  for (const rows of LAYOUTS) {
    rows.forEach((row, r) => {
      for (let i = 0; i < row.length; i++) {
        const k = row[i];
        add(k, row[i - 1]);
        add(k, row[i + 1]);
        const up = rows[r - 1];
        if (up !== undefined) {
          add(k, up[i]);
          add(k, up[i + 1]);
        }
        const down = rows[r + 1];
        if (down !== undefined) {
          add(k, down[i - 1]);
          add(k, down[i]);
        }
      }
    });
  }
  return map;
}

const NEIGHBOURS = buildNeighbours();
const VOWELS = new Set(["a", "e", "i", "o", "u"]);
// Pairs of ASCII characters that are visual lookalikes (either direction).
const ASCII_GLYPH_PAIRS = new Set([
  "0o",
  "1l",
  "1i",
  "il",
  "bd",
  "ce",
  "gq",
  "uv",
  "mn",
  "nr",
  "38",
  "69",
  "5s",
  "2z",
]);

/** Whether two keys touch on a QWERTY, QWERTZ or AZERTY keyboard. */
export function areKeyboardNeighbours(a: string, b: string): boolean {
  return NEIGHBOURS.get(a)?.has(b) ?? false;
}

function isGlyphPair(a: string, b: string): boolean {
  return ASCII_GLYPH_PAIRS.has(a < b ? a + b : b + a);
}

function popcount8(x: number): number {
  let n = 0;
  for (let v = x; v !== 0; v &= v - 1) n++;
  return n;
}

/**
 * Names the single-edit technique(s) that turn `brand` into `candidate`, two ASCII
 * labels at Damerau–Levenshtein distance 1 (one insertion, deletion, substitution
 * or adjacent transposition). Returns [] when they are not one edit apart.
 * @example classifyEdit("paypa1", "paypal") // ["homoglyph", "substitution"]
 */
export function classifyEdit(candidate: string, brand: string): Technique[] {
  const lc = candidate.length;
  const lb = brand.length;
  let i = 0;
  while (i < lc && i < lb && candidate[i] === brand[i]) i++;
  const out: Technique[] = [];
  if (lc === lb + 1) {
    if (candidate.slice(i + 1) !== brand.slice(i)) return [];
    const x = candidate[i] as string;
    const prev = candidate[i - 1];
    const next = candidate[i + 1];
    if (x === prev || x === next) out.push("repetition");
    if (x === "-") out.push("hyphenation");
    if (i === lb) out.push("addition");
    if (
      (prev !== undefined && areKeyboardNeighbours(x, prev)) ||
      (next !== undefined && areKeyboardNeighbours(x, next))
    )
      out.push("insertion");
    if (out.length === 0) out.push("insertion");
    return out;
  }
  if (lc + 1 === lb) {
    if (candidate.slice(i) !== brand.slice(i + 1)) return [];
    return ["omission"];
  }
  if (lc !== lb || i === lc) return [];
  const a = brand[i] as string;
  const c = candidate[i] as string;
  if (candidate.slice(i + 1) === brand.slice(i + 1)) {
    if (popcount8(a.charCodeAt(0) ^ c.charCodeAt(0)) === 1) out.push("bitsquatting");
    if (VOWELS.has(a) && VOWELS.has(c)) out.push("vowel-swap");
    if (areKeyboardNeighbours(a, c)) out.push("replacement");
    if (isGlyphPair(a, c)) out.push("homoglyph");
    if (out.length === 0) out.push("substitution");
    return out;
  }
  if (
    i + 1 < lc &&
    c === brand[i + 1] &&
    candidate[i + 1] === a &&
    candidate.slice(i + 2) === brand.slice(i + 2)
  ) {
    return ["transposition"];
  }
  return [];
}
