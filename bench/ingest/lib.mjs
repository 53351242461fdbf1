// Shared pieces of the ingestion benchmark: paths, the built packages, and the replay tile set
// (real Navigli certificates replayed to any size, gzip-compressed data tiles as static-ct-api
// logs store them, plus level-0 hash tiles so the log server starts without rehashing).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gzip } from "node:zlib";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const CACHE = path.join(ROOT, ".bench/ingest");
const dist = (p) => path.join(ROOT, p, "dist/index.js");

export const ct = await import(dist("packages/ct"));
export const testlog = await import(dist("packages/ct-testlog"));
export const kafkaPkg = await import(dist("packages/kafka"));
export const runtime = await import(dist("packages/runtime"));
export const proto = await import(dist("packages/proto"));
export const requireFrom = (pkg) => createRequire(path.join(ROOT, pkg, "package.json"));

const gzipAsync = promisify(gzip);
const TILE = 256;

/** The 1,024 real Navigli entries (templates). */
export function templates() {
  return testlog.fixtureTileEntries(path.join(ROOT, "test/fixtures/ct/navigli2025h2"));
}

/** Directory of a replay tile set of `entries` entries. */
export function tileSetDir(entries) {
  return path.join(CACHE, `replay-${entries}`);
}

/**
 * Writes (once) `entries` replayed entries as gzip data tiles and level-0 hash tiles. Returns the
 * directory. Tiles are full: `entries` must be a multiple of 256.
 */
export async function ensureTileSet(entries, log = console.log) {
  if (entries % TILE !== 0) throw new Error("entries must be a multiple of 256");
  const dir = tileSetDir(entries);
  const done = path.join(dir, "complete.json");
  if (existsSync(done)) return dir;
  const src = testlog.replaySource(templates(), entries);
  const t0 = performance.now();
  let bytes = 0;
  let gz = 0;
  for (let t = 0; t < entries / TILE; t++) {
    const parts = [];
    const hashes = new Uint8Array(TILE * 32);
    for (let i = 0; i < TILE; i++) {
      const idx = t * TILE + i;
      parts.push(testlog.encodeTileLeaf(src.entry(idx), idx));
      hashes.set(src.leafHash(idx), i * 32);
    }
    const raw = Buffer.concat(parts);
    const z = await gzipAsync(raw, { level: 6 });
    bytes += raw.length;
    gz += z.length;
    for (const [kind, body] of [
      ["data", z],
      [0, hashes],
    ]) {
      const p = path.join(dir, ct.tilePath(kind, t));
      mkdirSync(path.dirname(p), { recursive: true });
      writeFileSync(p, body);
    }
    if (t % 512 === 511) log(`  generated ${(t + 1) * TILE} entries`);
  }
  writeFileSync(done, JSON.stringify({ entries, rawBytes: bytes, gzipBytes: gz }));
  log(
    `  tile set: ${entries} entries, ${(bytes / 2 ** 20).toFixed(0)} MiB raw, ${(gz / 2 ** 20).toFixed(0)} MiB gzip, in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return dir;
}

/** The tile set's summary (entries, raw and gzip bytes). */
export function tileSetInfo(dir) {
  return JSON.parse(readFileSync(path.join(dir, "complete.json"), "utf8"));
}

/** Leaf hashes of a tile set, from its level-0 hash tiles. */
export function leafHashes(dir, entries) {
  const out = [];
  for (let t = 0; t < entries / TILE; t++) {
    const b = new Uint8Array(readFileSync(path.join(dir, ct.tilePath(0, t))));
    for (let i = 0; i < TILE; i++) out.push(b.subarray(i * 32, i * 32 + 32));
  }
  return out;
}
