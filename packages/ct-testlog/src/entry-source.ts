import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { splitDataTile, TILE_WIDTH, tilePath } from "@ctwatch/ct";
import { CertFactory, type CertFactoryOptions, type Issuance } from "./cert-factory.js";
import { entryLeafHash, type StoredEntry } from "./log-entry-encoding.js";

/**
 * The entries behind a test log. `size` may grow (generated sources); entries never change once
 * there, as in a real log.
 */
export interface EntrySource {
  /** Entries available; the log can publish any tree size up to this. */
  readonly size: number;
  /** Entry `index` (< size). */
  entry(index: number): StoredEntry;
  /** Merkle leaf hash of entry `index` (computed once per entry). */
  leafHash(index: number): Uint8Array;
  /** An issuer certificate by lower-case hex SHA-256, when the source knows it. */
  issuer(sha256Hex: string): Uint8Array | undefined;
}

/** Entries of real static-ct-api data tiles (full tiles `tile/data/000`, `001`, ... in `dir`). */
export function fixtureTileEntries(dir: string): StoredEntry[] {
  const out: StoredEntry[] = [];
  for (let index = 0; ; index++) {
    const file = path.join(dir, tilePath("data", index));
    if (!existsSync(file)) break;
    for (const leaf of splitDataTile(new Uint8Array(readFileSync(file)), {
      tileIndex: index,
      width: TILE_WIDTH,
    })) {
      out.push({
        timestampMs: leaf.timestampMs,
        entryType: leaf.entryType,
        signedEntry: leaf.signedEntry,
        issuerKeyHash: leaf.issuerKeyHash,
        preCertificate: leaf.preCertificate,
        chain: [],
        chainSha256: leaf.chainSha256,
      });
    }
  }
  if (out.length === 0) throw new Error(`no full data tiles under ${dir}/tile/data`);
  return out;
}

/** A fixed list of entries (e.g. {@link fixtureTileEntries}). */
export function listSource(
  entries: readonly StoredEntry[],
  issuers: readonly Uint8Array[] = [],
): EntrySource {
  const hashes: Uint8Array[] = [];
  const byHex = issuerMap(issuers);
  return {
    get size() {
      return entries.length;
    },
    entry: (i) => at(entries, i),
    leafHash(i) {
      hashes[i] ??= entryLeafHash(at(entries, i), i);
      return hashes[i];
    },
    issuer: (hex) => byHex.get(hex),
  };
}

/**
 * `size` entries replayed from `templates` (entry i is template i mod T with timestamp
 * `baseTimestampMs + i`): real certificates at any scale, for benchmarks. Leaf hashes are computed
 * lazily and kept (32 bytes per entry).
 */
export function replaySource(
  templates: readonly StoredEntry[],
  size: number,
  baseTimestampMs = Date.UTC(2025, 6, 1),
): EntrySource {
  if (templates.length === 0) throw new RangeError("no templates");
  const hashes: Uint8Array[] = [];
  const entry = (i: number): StoredEntry => {
    if (i < 0 || i >= size) throw new RangeError(`no entry ${i}`);
    return { ...at(templates, i % templates.length), timestampMs: baseTimestampMs + i };
  };
  return {
    size,
    entry,
    leafHash(i) {
      hashes[i] ??= entryLeafHash(entry(i), i);
      return hashes[i];
    },
    issuer: () => undefined,
  };
}

/** A growing source of freshly generated certificates (see `CertFactory`). */
export interface GeneratedSource extends EntrySource {
  readonly factory: CertFactory;
  /** Appends `count` entries: issuances as precert then final certificate, so count should be even. */
  grow(count: number): void;
  /** DNS names of entry `index`. */
  dnsNames(index: number): string[];
}

/** Options of {@link generatedSource}. */
export interface GeneratedSourceOptions extends CertFactoryOptions {
  /** Entries to start with; default 0. */
  size?: number;
  /** Timestamp of entry 0, ms; later entries add 1 ms each. Default now. */
  baseTimestampMs?: number;
}

/** Generated entries: issuance k is entries 2k (precert) and 2k + 1 (its final certificate). */
export function generatedSource(opts: GeneratedSourceOptions = {}): GeneratedSource {
  const factory = new CertFactory(opts);
  const base = opts.baseTimestampMs ?? Date.now();
  const entries: StoredEntry[] = [];
  const names: string[][] = [];
  const hashes: Uint8Array[] = [];
  const issuers = issuerMap([factory.issuerDer]);
  let pending: Issuance | undefined;
  const src: GeneratedSource = {
    factory,
    get size() {
      return entries.length;
    },
    entry: (i) => at(entries, i),
    leafHash(i) {
      hashes[i] ??= entryLeafHash(at(entries, i), i);
      return hashes[i];
    },
    issuer: (hex) => issuers.get(hex),
    dnsNames: (i) => names[i] ?? [],
    grow(count) {
      for (let n = 0; n < count; n++) {
        const i = entries.length;
        if (i % 2 === 0 || pending === undefined)
          pending = factory.issuance(Math.floor(i / 2), base + i - (i % 2));
        entries.push(i % 2 === 0 ? pending.precert : pending.final);
        names.push(pending.dnsNames);
      }
    },
  };
  src.grow(opts.size ?? 0);
  return src;
}

function at(entries: readonly StoredEntry[], i: number): StoredEntry {
  const e = entries[i];
  if (e === undefined) throw new RangeError(`no entry ${i}`);
  return e;
}

function issuerMap(issuers: readonly Uint8Array[]): Map<string, Uint8Array> {
  const m = new Map<string, Uint8Array>();
  for (const der of issuers) {
    m.set(createHash("sha256").update(der).digest("hex"), der);
  }
  return m;
}
