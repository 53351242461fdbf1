// The harness's own permutation generators (dnstwist-equivalent fuzzers plus IDN
// homographs from the confusables data, combosquats and target embeddings). Written
// independently of the detector: own keyboard map, own ASCII glyph list, own word list.
import { domainToASCII, domainToUnicode } from "node:url";

const ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";
const VOWELS = "aeiou";

// QWERTY neighbours, written out by hand (harness-only; the detector derives its own from
// three layouts).
const QWERTY = {
  q: "wa12",
  w: "qeas23",
  e: "wrsd34",
  r: "etdf45",
  t: "ryfg56",
  y: "tugh67",
  u: "yihj78",
  i: "uojk89",
  o: "ipkl90",
  p: "ol0",
  a: "qwsz",
  s: "awedxz",
  d: "serfcx",
  f: "drtgvc",
  g: "ftyhbv",
  h: "gyujnb",
  j: "huikmn",
  k: "jiolm",
  l: "kop",
  z: "asx",
  x: "zsdc",
  c: "xdfv",
  v: "cfgb",
  b: "vghn",
  n: "bhjm",
  m: "njk",
  1: "2q",
  2: "13qw",
  3: "24we",
  4: "35er",
  5: "46rt",
  6: "57ty",
  7: "68yu",
  8: "79ui",
  9: "80io",
  0: "9op",
};

// ASCII lookalikes an attacker types (one direction: original -> replacement).
const ASCII_GLYPHS = {
  o: ["0"],
  l: ["1", "i"],
  i: ["1", "l"],
  m: ["rn", "nn"],
  w: ["vv"],
  d: ["cl"],
  g: ["q"],
  q: ["g"],
  u: ["v"],
  v: ["u"],
  e: ["c"],
  c: ["e"],
  b: ["d"],
  n: ["r"],
  s: ["5"],
  z: ["2"],
};

/** Words put next to a brand in combosquats (harness list, from phishing-domain studies). */
export const COMBO_WORDS = [
  "login",
  "secure",
  "account",
  "support",
  "online",
  "update",
  "verify",
  "service",
  "help",
  "mail",
  "app",
  "pay",
  "bank",
  "shop",
  "store",
  "deals",
  "sale",
  "official",
  "team",
  "center",
  "security",
  "cloud",
  "id",
  "signin",
  "auth",
  "wallet",
  "claim",
  "gift",
  "promo",
  "free",
  "careers",
  "jobs",
  "news",
  "hr",
  "benefits",
  "invoice",
  "docs",
  "files",
  "drive",
  "share",
  "meet",
  "events",
  "tickets",
  "bonus",
  "rewards",
  "refund",
  "tracking",
  "delivery",
  "express",
  "portal",
  "online24",
  "group",
  "usa",
  "uk",
  "global",
  "corp",
  "inc",
  "hub",
  "plus",
  "pro",
];

/** TLDs and public suffixes for tld-swap (given to dnstwist too). */
export const SWAP_SUFFIXES = [
  "com",
  "net",
  "org",
  "co",
  "io",
  "info",
  "biz",
  "xyz",
  "online",
  "site",
  "app",
  "shop",
  "top",
  "de",
  "ru",
  "uk",
  "co.uk",
  "us",
  "cn",
  "in",
  "com.br",
  "fr",
  "it",
  "es",
  "nl",
  "eu",
  "me",
  "cc",
  "tk",
  "ml",
];

const EVIL_HOSTS = ["secure-auth.net", "xk9-cdn.com", "login-verify.xyz", "web-ids.top", "apps-cloud.info"];

function uniq(list, original) {
  return [...new Set(list)].filter((x) => x !== original);
}

/** Single-character edits of a label, named like dnstwist's fuzzers. */
export function labelFuzzers(label) {
  const n = label.length;
  const out = {};
  out.addition = uniq(
    [...ALNUM].map((c) => label + c),
    label,
  );
  const bits = [];
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < 8; b++) {
      const c = String.fromCharCode(label.charCodeAt(i) ^ (1 << b));
      if (/[a-z0-9-]/.test(c)) bits.push(label.slice(0, i) + c + label.slice(i + 1));
    }
  }
  out.bitsquatting = uniq(bits, label);
  const hg = [];
  for (let i = 0; i < n; i++) {
    for (const g of ASCII_GLYPHS[label[i]] ?? []) hg.push(label.slice(0, i) + g + label.slice(i + 1));
  }
  for (let i = 0; i + 1 < n; i++) {
    if (label.slice(i, i + 2) === "rn") hg.push(`${label.slice(0, i)}m${label.slice(i + 2)}`);
    if (label.slice(i, i + 2) === "cl") hg.push(`${label.slice(0, i)}d${label.slice(i + 2)}`);
  }
  out["homoglyph-ascii"] = uniq(hg, label);
  const hy = [];
  for (let i = 1; i < n; i++)
    if (label[i] !== "-" && label[i - 1] !== "-") hy.push(`${label.slice(0, i)}-${label.slice(i)}`);
  out.hyphenation = uniq(hy, label);
  const ins = [];
  for (let i = 0; i < n; i++) {
    for (const k of QWERTY[label[i]] ?? "") {
      ins.push(label.slice(0, i) + k + label.slice(i));
      ins.push(label.slice(0, i + 1) + k + label.slice(i + 1));
    }
  }
  out.insertion = uniq(ins, label);
  const om = [];
  for (let i = 0; i < n; i++) om.push(label.slice(0, i) + label.slice(i + 1));
  out.omission = uniq(om, label).filter((x) => x.length > 0);
  const rep = [];
  for (let i = 0; i < n; i++) rep.push(label.slice(0, i + 1) + label.slice(i));
  out.repetition = uniq(rep, label);
  const rpl = [];
  for (let i = 0; i < n; i++) {
    for (const k of QWERTY[label[i]] ?? "") rpl.push(label.slice(0, i) + k + label.slice(i + 1));
  }
  out.replacement = uniq(rpl, label);
  const tr = [];
  for (let i = 0; i + 1 < n; i++) tr.push(label.slice(0, i) + label[i + 1] + label[i] + label.slice(i + 2));
  out.transposition = uniq(tr, label);
  const vs = [];
  for (let i = 0; i < n; i++) {
    if (!VOWELS.includes(label[i])) continue;
    for (const v of VOWELS) vs.push(label.slice(0, i) + v + label.slice(i + 1));
  }
  out["vowel-swap"] = uniq(vs, label);
  return out;
}

/** For each ASCII character, the IDNA-valid Unicode confusables (from the detector's UTS #39 table). */
export function idnGlyphsByAscii(prototypes) {
  const by = {};
  for (const [cp, proto] of prototypes) {
    if (proto.length !== 1) continue;
    const ch = String.fromCodePoint(cp);
    const a = domainToASCII(`x${ch}y.com`);
    if (a === "" || !a.startsWith("xn--")) continue; // UTS #46 maps it to ASCII, or refuses it
    if (domainToUnicode(a) !== `x${ch}y.com`) continue;
    if (by[proto] === undefined) by[proto] = [];
    by[proto].push(ch);
  }
  return by;
}

/** IDN homographs: one or two characters replaced by Unicode confusables, and whole-label Cyrillic. */
export function idnHomographs(label, glyphs, rand, perLabel = 40) {
  const one = [];
  for (let i = 0; i < label.length; i++) {
    for (const g of glyphs[label[i]] ?? []) one.push(label.slice(0, i) + g + label.slice(i + 1));
  }
  const picks = new Set();
  const sample = (list, k) => {
    for (let t = 0; t < k * 3 && picks.size < k && list.length > 0; t++)
      picks.add(list[Math.floor(rand() * list.length)]);
  };
  sample(one, Math.ceil(perLabel / 2));
  const two = [];
  for (let t = 0; t < perLabel * 2 && one.length > 0; t++) {
    const base = one[Math.floor(rand() * one.length)];
    const chars = [...base];
    const i = Math.floor(rand() * chars.length);
    const gs = glyphs[chars[i]] ?? [];
    if (gs.length === 0) continue;
    chars[i] = gs[Math.floor(rand() * gs.length)];
    two.push(chars.join(""));
  }
  const before = picks.size;
  for (const x of two) if (picks.size < before + Math.floor(perLabel / 2)) picks.add(x);
  const cyr = {
    a: "а",
    c: "с",
    e: "е",
    o: "о",
    p: "р",
    x: "х",
    y: "у",
    i: "і",
    j: "ј",
    s: "ѕ",
    h: "һ",
    k: "к",
  };
  const whole = [...label].map((c) => cyr[c] ?? c).join("");
  if ([...label].every((c) => cyr[c] !== undefined) && whole !== label) picks.add(whole);
  return [...picks].filter((x) => x !== label);
}

/** Positives for one brand: { technique: [names] }. */
export function brandPositives(brand, glyphs, rand) {
  const { label, suffix } = brand;
  const out = {};
  for (const [tech, labels] of Object.entries(labelFuzzers(label))) {
    out[tech] = labels.filter((l) => !l.startsWith("-") && !l.endsWith("-")).map((l) => `${l}.${suffix}`);
  }
  out["idn-homograph"] = idnHomographs(label, glyphs, rand).map((l) => `${l}.${suffix}`);
  const sub = [];
  for (let i = 1; i < label.length - 1; i++) {
    if (label[i] !== "-" && label[i - 1] !== "-")
      sub.push(`${label.slice(0, i)}.${label.slice(i)}.${suffix}`);
  }
  out["subdomain (label split)"] = sub;
  out["tld-swap"] = SWAP_SUFFIXES.filter((s) => s !== suffix).map((s) => `${label}.${s}`);
  const hy = [];
  const cat = [];
  for (const w of COMBO_WORDS) {
    hy.push(
      `${label}-${w}.com`,
      `${w}-${label}.com`,
      `${label}-${w}-${COMBO_WORDS[(w.length * 7) % COMBO_WORDS.length]}.net`,
    );
    cat.push(`${label}${w}.com`, `${w}${label}.com`);
  }
  out["combosquat-hyphen"] = hy;
  out["combosquat-concat"] = cat;
  const dashed = `${label}-${suffix.replaceAll(".", "-")}`;
  const te = [];
  for (const evil of EVIL_HOSTS) {
    te.push(
      `${label}.${suffix}.${evil}`,
      `www.${label}.${suffix}.${evil}`,
      `${dashed}.${evil}`,
      `login-${dashed}.${evil}`,
    );
  }
  te.push(`${label}${suffix.replaceAll(".", "")}.com`, `${dashed}.com`, `${label}.${suffix}-secure.net`);
  out["target-embedding"] = te;
  return out;
}
