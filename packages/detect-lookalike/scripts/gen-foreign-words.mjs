#!/usr/bin/env node
// Generates src/foreign-words.ts: common words of the eleven largest Latin-script web
// languages besides English, folded to ASCII, so that a real word in another language one
// edit away from a brand (agora ~ agoda, accademia ~ academia, divan ~ divar) is not reported
// as its typo — the rule the detector already applies to English words.
//
// Source: wordfreq 3.1.1 (PyPI; code Apache-2.0, word frequency data CC BY-SA 4.0 by Robyn
// Speer and contributors), the "small" lists of es pt fr de it nl pl tr id sv ro. Kept: words
// with a Zipf frequency of at least 4.0 (once in 100,000 words or more), folded to ASCII
// (accents stripped), 4+ letters of a-z, not already in src/common-words.ts.
//
// From the same wheel it also generates src/frequent-words.ts: English words of Zipf >= 4.0
// (the "small" en list). A brand spelled like one of them (office, line, fast) needs a strong
// keyword to make a combosquat; a rarer word brand (discord, adobe, azure) any keyword.
// Both generated files carry the CC BY-SA 4.0 data licence.
//
//   node packages/detect-lookalike/scripts/gen-foreign-words.mjs [path/to/wordfreq.whl]
//
// Without an argument the wheel is fetched with pip into .bench/lookalike/pkgs/.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const pkgRoot = resolve(here, "..");
const repoRoot = resolve(pkgRoot, "../..");
const outFile = join(pkgRoot, "src", "foreign-words.ts");
const VERSION = "3.1.1";
const LANGS = ["es", "pt", "fr", "de", "it", "nl", "pl", "tr", "id", "sv", "ro"];
/** Zipf 4.0: wordfreq buckets hold words of frequency 10^(-i/100); bucket 500 is 1e-5. */
const LAST_BUCKET = 500;

function wheel() {
  if (process.argv[2]) return process.argv[2];
  const cache = join(repoRoot, ".bench", "lookalike", "pkgs");
  const file = join(cache, `wordfreq-${VERSION}-py3-none-any.whl`);
  if (!existsSync(file)) {
    mkdirSync(cache, { recursive: true });
    execFileSync("pip", ["download", "--quiet", "--no-deps", "-d", cache, `wordfreq==${VERSION}`], {
      stdio: "inherit",
    });
  }
  return file;
}

function member(whl, name) {
  const script =
    "import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))";
  return execFileSync("python3", ["-c", script, whl, name], { maxBuffer: 64 << 20 });
}

/** Minimal MessagePack decoder: the subset wordfreq's cB files use (arrays, maps, strings, ints). */
function decodeMsgpack(buf) {
  let p = 0;
  const str = (n) => {
    const s = buf.toString("utf8", p, p + n);
    p += n;
    return s;
  };
  const arr = (n) => Array.from({ length: n }, () => read());
  const map = (n) => Object.fromEntries(Array.from({ length: n }, () => [read(), read()]));
  function read() {
    const b = buf[p++];
    if (b <= 0x7f) return b;
    if (b >= 0x80 && b <= 0x8f) return map(b & 0x0f);
    if (b >= 0x90 && b <= 0x9f) return arr(b & 0x0f);
    if (b >= 0xa0 && b <= 0xbf) return str(b & 0x1f);
    switch (b) {
      case 0xc0:
        return null;
      case 0xcc:
        return buf[p++];
      case 0xcd:
        p += 2;
        return buf.readUInt16BE(p - 2);
      case 0xd9:
        return str(buf[p++]);
      case 0xda:
        p += 2;
        return str(buf.readUInt16BE(p - 2));
      case 0xdb:
        p += 4;
        return str(buf.readUInt32BE(p - 4));
      case 0xdc:
        p += 2;
        return arr(buf.readUInt16BE(p - 2));
      case 0xdd:
        p += 4;
        return arr(buf.readUInt32BE(p - 4));
      case 0xde:
        p += 2;
        return map(buf.readUInt16BE(p - 2));
      default:
        throw new Error(`unsupported msgpack byte 0x${b.toString(16)} at ${p - 1}`);
    }
  }
  return read();
}

const { COMMON_WORDS } = await import(join(pkgRoot, "dist", "common-words.js"));
const whl = wheel();

/** The words of wordfreq's "small" list of `lang` with a Zipf frequency of at least 4.0. */
function* frequentWords(lang) {
  const [header, ...buckets] = decodeMsgpack(
    gunzipSync(member(whl, `wordfreq/data/small_${lang}.msgpack.gz`)),
  );
  if (header?.format !== "cB")
    throw new Error(`${lang}: unexpected wordfreq format ${JSON.stringify(header)}`);
  for (let i = 0; i <= LAST_BUCKET && i < buckets.length; i++) yield* buckets[i];
}

const words = new Set();
for (const lang of LANGS) {
  for (const w of frequentWords(lang)) {
    const folded = w.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
    if (/^[a-z]{4,}$/.test(folded) && !COMMON_WORDS.has(folded)) words.add(folded);
  }
}
const sorted = [...words].sort();

/** The TypeScript module that exports `words` as a ReadonlySet named `name`. */
function wordModule(header, doc, name, words) {
  const packed = words.join(" ");
  const chunks = [];
  for (let i = 0; i < packed.length; i += 100) chunks.push(JSON.stringify(packed.slice(i, i + 100)));
  return `// GENERATED by packages/detect-lookalike/scripts/gen-foreign-words.mjs. Do not edit.
${header} ${words.length} words.
// Data licence: CC BY-SA 4.0 (wordfreq data, Robyn Speer and contributors).

const PACKED = [
  ${chunks.join(",\n  ")},
].join("");

/** ${doc} */
export const ${name}: ReadonlySet<string> = new Set(PACKED.split(" "));
`;
}

writeFileSync(
  outFile,
  wordModule(
    `// Source: wordfreq ${VERSION} (PyPI) "small" lists of ${LANGS.join(" ")}: words of Zipf frequency
// >= 4.0, folded to ASCII, 4+ letters, not in common-words.ts.`,
    "Common words of other Latin-script languages, ASCII-folded (agora, accademia, divan).",
    "FOREIGN_WORDS",
    sorted,
  ),
);
console.log(`wordfreq ${VERSION}: ${sorted.length} words written to ${outFile}`);

// The English words frequent enough that a brand spelled like one (office, line, fast) sits
// next to ordinary vocabulary in benign names; rarer word brands (discord, adobe, azure) do not.
const frequent = new Set();
for (const w of frequentWords("en")) if (/^[a-z]{4,}$/.test(w)) frequent.add(w);
const frequentFile = join(pkgRoot, "src", "frequent-words.ts");
writeFileSync(
  frequentFile,
  wordModule(
    `// Source: wordfreq ${VERSION} (PyPI) "small" list of en: words of Zipf frequency >= 4.0, 4+
// letters of a-z.`,
    "English words used at least once in 100,000 words (office, line, fast; not discord, adobe).",
    "FREQUENT_ENGLISH_WORDS",
    [...frequent].sort(),
  ),
);
console.log(`wordfreq ${VERSION}: ${frequent.size} words written to ${frequentFile}`);
