import { CONFUSABLE_PROTOTYPES } from "./confusable-prototypes.js";

// ASCII homoglyph fold applied after the UTS #39 mapping, so "rn"/"m", "vv"/"w",
// "cl"/"d", "0"/"o" and "1"/"l" share one skeleton. Digraphs are replaced left to
// right, greedily, after the single characters.

// The looser classes: ASCII letters that dnstwist-style homoglyph fuzzers swap and
// that read alike in many fonts, but that UTS #39 keeps apart. Used only for an
// exact comparison of whole labels (never with an edit distance on top).
const LOOSE_FOLD: Readonly<Record<string, string>> = {
  i: "l",
  q: "g",
  v: "u",
  e: "c",
  b: "d",
  n: "r",
  m: "r",
  "8": "3",
  "9": "6",
};

const MARKS_RE = /\p{M}/gu;

/** Applies the ASCII fold; returns `s` itself when nothing changes (the common case). */
function asciiFold(s: string): string {
  let out = "";
  let start = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (c === 48) rep = "o";
    else if (c === 49) rep = "l";
    else if (i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (c === 114 && d === 110) rep = "m";
      else if (c === 118 && d === 118) rep = "w";
      else if (c === 99 && d === 108) rep = "d";
      if (rep !== undefined) {
        out += s.slice(start, i) + rep;
        i++;
        start = i + 1;
        continue;
      }
    }
    if (rep !== undefined) {
      out += s.slice(start, i) + rep;
      start = i + 1;
    }
  }
  return start === 0 ? s : out + s.slice(start);
}

/**
 * The visual skeleton of one lowercase domain label (Unicode, not punycode): UTS #39
 * skeleton (NFD, each character replaced by its confusables.txt prototype) with
 * combining marks removed, lowercased, then the ASCII homoglyph fold (rn→m, vv→w,
 * cl→d, 0→o, 1→l). Two labels with the same skeleton look alike.
 * @example skeleton("pаypa1") === skeleton("paypal") // Cyrillic а, digit 1
 */
export function skeleton(label: string): string {
  // Printable ASCII (the common case) skips the Unicode mapping; lowercase skips a copy.
  let upper = false;
  let ascii = true;
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) {
      ascii = false;
      break;
    }
    if (c >= 65 && c <= 90) upper = true;
  }
  if (ascii) return asciiFold(upper ? label.toLowerCase() : label);
  const nfd = label.normalize("NFD");
  let mapped = "";
  for (const ch of nfd) {
    const cp = ch.codePointAt(0) as number;
    const proto = CONFUSABLE_PROTOTYPES.get(cp);
    mapped += proto ?? ch;
  }
  return asciiFold(mapped.normalize("NFD").replace(MARKS_RE, "").toLowerCase());
}

/**
 * A looser skeleton: {@link skeleton} with further ASCII classes merged
 * (i/l, q/g, u/v, c/e, b/d, m/n/r, 3/8, 6/9). Only meant for exact equality of
 * whole labels, to catch labels with several weak glyph swaps at once.
 */
export function looseSkeleton(strictSkeleton: string): string {
  let out = "";
  for (let i = 0; i < strictSkeleton.length; i++) {
    const c = strictSkeleton[i] as string;
    // "nn" reads as "m" (annazon): one letter of the m/n/r class, like "m" itself.
    if (c === "n" && strictSkeleton[i + 1] === "n") {
      out += "r";
      i++;
      continue;
    }
    out += LOOSE_FOLD[c] ?? c;
  }
  return out;
}
