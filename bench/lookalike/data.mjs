// Data loading for the lookalike quality harness and benchmark. Everything large lives in
// .bench/lookalike/ (gitignored), prepared by scripts/lookalike-quality.sh.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const CACHE = join(REPO, ".bench", "lookalike");
export const DIST = join(REPO, "packages", "detect-lookalike", "dist", "index.js");

/** Deterministic pseudo-random generator (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Stable order by SHA-1 of the value: a seeded, reproducible "random" sample. */
export function hashOrder(values, salt = "") {
  return values
    .map((v) => [
      createHash("sha1")
        .update(salt + v)
        .digest("hex"),
      v,
    ])
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map((x) => x[1]);
}

function needCache(file) {
  const p = join(CACHE, file);
  if (!existsSync(p)) {
    throw new Error(`${p} is missing: run scripts/lookalike-quality.sh first (it fetches the corpora)`);
  }
  return p;
}

/** Tranco top-1M (2025-01-15 snapshot) from the MISP warninglists shipped in PyPI pymispwarninglists 1.7.0. */
export function loadTranco() {
  return JSON.parse(readFileSync(needCache("tranco-1m.json"), "utf8")).list;
}

/**
 * Chrome UX Report top-1M origins (list version 20251223) from the same package: the source
 * of the detector's shipped popular-site filter (used here to split the benign set).
 */
export function loadCrux() {
  return JSON.parse(readFileSync(needCache("crux-1m.json"), "utf8")).list;
}

/**
 * MetaMask's crypto phishing blocklist (npm eth-phishing-detect 1.2.0, `src/config.json`
 * `blacklist`, licence "DBAD"): real phishing domains, lowercased and deduplicated.
 */
export function loadMetamaskBlocklist() {
  const config = JSON.parse(
    readFileSync(needCache("pkgs/eth-phishing-detect-1.2.0/package/src/config.json"), "utf8"),
  );
  return [...new Set(config.blacklist.map((d) => d.trim().toLowerCase()))];
}

/** Alexa top-1000 (2023-05-11 snapshot) from the same package: the brand list. */
export function loadAlexa() {
  return JSON.parse(readFileSync(needCache("alexa-1000.json"), "utf8")).list;
}

// --- CT fixture names: a small DER scan for subjectAltName dNSName entries ---------------

const SAN_OID = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x11]);

function readTlv(buf, pos) {
  if (pos + 2 > buf.length) return undefined;
  const tag = buf[pos];
  let len = buf[pos + 1];
  let hdr = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || pos + 2 + n > buf.length) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | buf[pos + 2 + i];
    hdr = 2 + n;
  }
  if (pos + hdr + len > buf.length) return undefined;
  return { tag, start: pos + hdr, end: pos + hdr + len };
}

/** Every dNSName in every subjectAltName extension found anywhere in `buf`. */
export function scanSanNames(buf) {
  const out = [];
  let at = buf.indexOf(SAN_OID);
  while (at >= 0) {
    let pos = at + SAN_OID.length;
    let t = readTlv(buf, pos);
    if (t && t.tag === 0x01) {
      pos = t.end; // critical flag
      t = readTlv(buf, pos);
    }
    if (t && t.tag === 0x04) {
      const seq = readTlv(buf, t.start);
      if (seq && seq.tag === 0x30) {
        let p = seq.start;
        while (p < seq.end) {
          const gn = readTlv(buf, p);
          if (!gn) break;
          if (gn.tag === 0x82) out.push(buf.subarray(gn.start, gn.end).toString("latin1").toLowerCase());
          p = gn.end;
        }
      }
    }
    at = buf.indexOf(SAN_OID, at + 1);
  }
  return out;
}

function walk(dir) {
  const out = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/** Unique SAN dNSNames of test/fixtures/ct: Navigli data tiles and Argon live_ct.json entries. */
export function loadCtNames() {
  const names = new Set();
  const fixtures = join(REPO, "test", "fixtures", "ct");
  for (const f of walk(join(fixtures, "navigli2025h2", "tile", "data"))) {
    for (const n of scanSanNames(readFileSync(f))) names.add(n);
  }
  const live = JSON.parse(readFileSync(join(fixtures, "argon2026h2", "live_ct.json"), "utf8"));
  for (const e of live) {
    for (const field of ["leaf_input", "extra_data"]) {
      for (const n of scanSanNames(Buffer.from(e[field], "base64"))) names.add(n);
    }
  }
  return [...names].sort();
}

/**
 * The brand list: Alexa top-1000 entries that are registrable domains, grouped into one
 * tenant per brand label (google.com, google.de, google.co.in are one tenant that owns all).
 */
export function selectBrands(parseWatchedDomain) {
  const brands = [];
  const rejected = [];
  for (const d of loadAlexa()) {
    const r = parseWatchedDomain(d);
    if (r.ok && r.value.domain === d)
      brands.push({ tenantId: r.value.label, domain: d, label: r.value.label });
    else rejected.push({ domain: d, reason: r.ok ? "not-normalised" : r.reason });
  }
  return { brands, rejected };
}
