import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { CtParseError } from "./ct-parse-error.js";
import { toHex } from "./der.js";
import { buildLogEntry, DEFAULT_MAX_CHAIN_LENGTH, type LogEntry, type LogEntryOptions } from "./log-entry.js";
import { readTimestampedEntry, type TimestampedEntry } from "./rfc6962.js";
import { sha256 } from "./sha256.js";
import { TlsReader } from "./tls-reader.js";

/** Entries (or hashes) in a full tile. */
export const TILE_WIDTH = 256;

/** One `TileLeaf` of a static-ct-api data tile, with its RFC 6962 Merkle leaf hash. */
export interface TileLeaf extends TimestampedEntry {
  /** Index of the entry in the log, from the `leaf_index` CtExtension. */
  readonly leafIndex: number;
  /** precert: the submitted precertificate (ASN.1Cert); x509: empty. */
  readonly preCertificate: Uint8Array;
  /** SHA-256 fingerprints of the submitted chain, issuer first (views, 32 bytes each). */
  readonly chainSha256: Uint8Array[];
  /** SHA-256(0x00 || 0x00 0x00 || TimestampedEntry): the MerkleTreeLeaf hash. */
  readonly leafHash: Uint8Array;
}

/** One static-ct-api CtExtension (1-byte type, opaque data). */
export interface CtExtension {
  readonly type: number;
  readonly data: Uint8Array;
}

/**
 * Parses CtExtensions as static-ct-api defines them: `Extension<0..2^16-1>` items of
 * `uint8 extension_type; opaque extension_data<0..2^16-1>`. Duplicate types are `bad-value`.
 * (The outer CtExtensions length prefix is not part of `bytes`.)
 */
export function parseCtExtensions(bytes: Uint8Array): CtExtension[] {
  const r = new TlsReader(bytes);
  const out: CtExtension[] = [];
  while (r.remaining > 0) {
    const type = r.u8("ct_extensions.extension_type");
    const data = r.vector(2, "ct_extensions.extension_data");
    if (out.some((e) => e.type === type)) {
      throw new CtParseError("bad-value", "ct_extensions", r.pos, `duplicate extension ${type}`);
    }
    out.push({ type, data });
  }
  return out;
}

/** The `leaf_index` (type 0, uint40) extension value, or undefined when absent. Throws on bad length. */
export function leafIndexFromExtensions(bytes: Uint8Array): number | undefined {
  // Fast path: the usual 8-byte field holding only leaf_index.
  if (bytes.length === 8 && bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 5) {
    let v = 0;
    for (let i = 3; i < 8; i++) v = v * 256 + bytes[i]!;
    return v;
  }
  const ext = parseCtExtensions(bytes).find((e) => e.type === 0);
  if (ext === undefined) return undefined;
  if (ext.data.length !== 5)
    throw new CtParseError("bad-length", "ct_extensions.leaf_index", -1, `${ext.data.length}`);
  let v = 0;
  for (const b of ext.data) v = v * 256 + b;
  return v;
}

/** Options for {@link splitDataTile} and {@link parseDataTile}. */
export interface DataTileOptions extends LogEntryOptions {
  /**
   * Index N of the tile (tile/data/N): each entry's `leaf_index` must then equal N*256 + i
   * (`bad-value` otherwise), and is taken from there when the extension is absent.
   */
  tileIndex?: number;
  /** Expected number of entries (256 for a full tile, W for `.p/W`); other counts are `bad-length`. */
  width?: number;
  /**
   * Issuer certificates by SHA-256 fingerprint, used to fill `chainTopIssuerDn` /
   * `chainTopAuthorityKeyId`; the returned DER must hash to the fingerprint (`bad-value`).
   */
  lookupIssuer?: (sha256: Uint8Array) => Uint8Array | undefined;
}

const LEAF_PREFIX = Uint8Array.of(0, 0, 0);

/**
 * Splits a (decompressed) data tile into its TileLeaf entries (c2sp.org/static-ct-api, "Log
 * entries"), computing each entry's Merkle leaf hash from the reconstructed MerkleTreeLeaf
 * (version 0, leaf type 0, TimestampedEntry). Certificates are not parsed. At most 256 entries.
 * Throws {@link CtParseError} (a gzip-compressed tile is `bad-value`: see {@link decompressTile}).
 */
export function splitDataTile(tile: Uint8Array, opts: DataTileOptions = {}): TileLeaf[] {
  if (tile.length >= 2 && tile[0] === 0x1f && tile[1] === 0x8b) {
    throw new CtParseError("bad-value", "data_tile", 0, "gzip-compressed: decompress first");
  }
  const maxChain = opts.maxChainLength ?? DEFAULT_MAX_CHAIN_LENGTH;
  const r = new TlsReader(tile);
  const out: TileLeaf[] = [];
  while (r.remaining > 0) {
    const i = out.length;
    if (i >= TILE_WIDTH) throw new CtParseError("too-large", "data_tile", r.pos, "more than 256 entries");
    const ctx = `data_tile[${i}]`;
    const te = readTimestampedEntry(r, `${ctx}.timestamped_entry`);
    const preCertificate =
      te.entryType === "precert" ? r.vector(3, `${ctx}.pre_certificate`, 1) : new Uint8Array(0);
    const fps = r.vector(2, `${ctx}.certificate_chain`);
    if (fps.length % 32 !== 0)
      throw new CtParseError("bad-length", `${ctx}.certificate_chain`, r.pos, "not 32-byte fingerprints");
    if (fps.length / 32 > maxChain) throw new CtParseError("too-large", `${ctx}.certificate_chain`, r.pos);
    const chainSha256: Uint8Array[] = [];
    for (let p = 0; p < fps.length; p += 32) chainSha256.push(fps.subarray(p, p + 32));
    const expected = opts.tileIndex === undefined ? undefined : opts.tileIndex * TILE_WIDTH + i;
    const fromExt = leafIndexFromExtensions(te.extensions);
    if (fromExt !== undefined && expected !== undefined && fromExt !== expected) {
      throw new CtParseError(
        "bad-value",
        `${ctx}.leaf_index`,
        -1,
        `leaf_index ${fromExt}, expected ${expected}`,
      );
    }
    const leafIndex = fromExt ?? expected;
    if (leafIndex === undefined)
      throw new CtParseError("bad-value", `${ctx}.leaf_index`, -1, "leaf_index missing");
    const d = createHash("sha256").update(LEAF_PREFIX).update(te.raw).digest();
    out.push({
      ...te,
      leafIndex,
      preCertificate,
      chainSha256,
      leafHash: new Uint8Array(d.buffer, d.byteOffset, d.length),
    });
  }
  if (opts.width !== undefined && out.length !== opts.width) {
    throw new CtParseError(
      "bad-length",
      "data_tile",
      tile.length,
      `${out.length} entries, expected ${opts.width}`,
    );
  }
  return out;
}

/** The MerkleTreeLeaf bytes (RFC 6962 `leaf_input`) of a tile entry: 0x00 0x00 || TimestampedEntry. */
export function tileLeafMerkleTreeLeaf(leaf: TileLeaf): Uint8Array {
  const out = new Uint8Array(2 + leaf.raw.length);
  out.set(leaf.raw, 2);
  return out;
}

/**
 * Normalises one tile entry into a {@link LogEntry}, parsing the certificate (x509) or the
 * precertificate (precert). Chain top issuer DN / AKI come from `opts.lookupIssuer` when it knows
 * the last fingerprint, else they are empty. Throws {@link CtParseError}.
 */
export function tileLeafToLogEntry(leaf: TileLeaf, opts: DataTileOptions = {}): LogEntry {
  const top = leaf.chainSha256[leaf.chainSha256.length - 1];
  let chainTopDer: Uint8Array | undefined;
  if (top !== undefined && opts.lookupIssuer !== undefined) {
    chainTopDer = opts.lookupIssuer(top);
    if (chainTopDer !== undefined && toHex(sha256(chainTopDer)) !== toHex(top)) {
      throw new CtParseError(
        "bad-value",
        "lookupIssuer",
        -1,
        `issuer ${toHex(top)} does not match its fingerprint`,
      );
    }
  }
  const precert = leaf.entryType === "precert";
  return buildLogEntry(
    {
      leafIndex: leaf.leafIndex,
      timestampMs: leaf.timestampMs,
      entryType: leaf.entryType,
      certificateDer: precert ? leaf.preCertificate : leaf.signedEntry,
      loggedTbs: precert ? leaf.signedEntry : undefined,
      chainSha256: leaf.chainSha256,
      chainTopDer,
      leafHash: leaf.leafHash,
    },
    opts,
  );
}

/** {@link splitDataTile} then {@link tileLeafToLogEntry} for every entry. Throws {@link CtParseError}. */
export function parseDataTile(tile: Uint8Array, opts: DataTileOptions = {}): LogEntry[] {
  return splitDataTile(tile, opts).map((leaf) => tileLeafToLogEntry(leaf, opts));
}

/** Default bound on a decompressed tile, bytes (64 MiB). */
export const DEFAULT_MAX_TILE_BYTES = 64 * 1024 * 1024;

/**
 * Returns `body` unchanged unless it starts with the gzip magic (1f 8b), in which case it is
 * gunzipped with an output bound (`too-large` above `maxBytes`, `bad-value` when corrupt). For
 * tiles stored gzip-compressed and served without `Content-Encoding: gzip`, which HTTP clients
 * therefore do not decompress.
 */
export function decompressTile(body: Uint8Array, maxBytes = DEFAULT_MAX_TILE_BYTES): Uint8Array {
  if (body.length < 2 || body[0] !== 0x1f || body[1] !== 0x8b) return body;
  try {
    const out = gunzipSync(body, { maxOutputLength: maxBytes });
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  } catch (e) {
    const tooLarge = e instanceof RangeError || (e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE";
    throw new CtParseError(tooLarge ? "too-large" : "bad-value", "gzip", -1, String((e as Error).message));
  }
}

function encodeTileIndex(index: number): string {
  let s = (index % 1000).toString().padStart(3, "0");
  for (let n = Math.floor(index / 1000); n > 0; n = Math.floor(n / 1000)) {
    s = `x${(n % 1000).toString().padStart(3, "0")}/${s}`;
  }
  return s;
}

/**
 * Tile path per c2sp.org/tlog-tiles and static-ct-api: `tile/<L>/<N>[.p/<W>]` for hash tiles
 * (level 0..63) and `tile/data/<N>[.p/<W>]` for data tiles, N in zero-padded 3-digit elements, all
 * but the last prefixed with "x" (1234067 → "x001/x234/067"). `partialWidth` 1..255 adds `.p/W`;
 * 256 or undefined means a full tile. Throws RangeError on out-of-range arguments (caller bug).
 */
export function tilePath(level: number | "data", index: number, partialWidth?: number): string {
  if (level !== "data" && (!Number.isInteger(level) || level < 0 || level > 63)) {
    throw new RangeError(`tile level ${level}`);
  }
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`tile index ${index}`);
  if (
    partialWidth !== undefined &&
    (!Number.isInteger(partialWidth) || partialWidth < 1 || partialWidth > 256)
  ) {
    throw new RangeError(`tile width ${partialWidth}`);
  }
  const p = `tile/${level}/${encodeTileIndex(index)}`;
  return partialWidth === undefined || partialWidth === TILE_WIDTH ? p : `${p}.p/${partialWidth}`;
}

/** A parsed tile path. `width` is 256 for full tiles. */
export interface TileCoordinates {
  readonly level: number | "data";
  readonly index: number;
  readonly width: number;
}

const TILE_PATH_RE = /^tile\/(data|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/;

/** Inverse of {@link tilePath}; undefined for anything that is not a canonical tile path. */
export function parseTilePath(path: string): TileCoordinates | undefined {
  const m = TILE_PATH_RE.exec(path);
  if (!m) return undefined;
  const level = m[1] === "data" ? "data" : Number(m[1]);
  if (level !== "data" && level > 63) return undefined;
  let index = 0;
  for (const part of m[2]!.split("/")) index = index * 1000 + Number(part.replace("x", ""));
  const width = m[3] === undefined ? TILE_WIDTH : Number(m[3]);
  if (width > TILE_WIDTH || !Number.isSafeInteger(index)) return undefined;
  if (tilePath(level, index, width) !== path) return undefined;
  return { level, index, width };
}
