import { createHash } from "node:crypto";

/** What a test log stores per entry: enough to serve both a data tile and get-entries. */
export interface StoredEntry {
  /** MerkleTreeLeaf timestamp, ms since the epoch. */
  readonly timestampMs: number;
  readonly entryType: "x509" | "precert";
  /** x509: the certificate; precert: the TBSCertificate (poison removed). */
  readonly signedEntry: Uint8Array;
  /** precert: SHA-256 of the issuer's SubjectPublicKeyInfo; x509: empty. */
  readonly issuerKeyHash: Uint8Array;
  /** precert: the precertificate as submitted; x509: empty. */
  readonly preCertificate: Uint8Array;
  /** The chain DERs, issuer first (RFC 6962 extra_data), when known. */
  readonly chain: readonly Uint8Array[];
  /** SHA-256 of each chain certificate, issuer first (static-ct data tiles). */
  readonly chainSha256: readonly Uint8Array[];
}

function u(n: number, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let v = n;
  for (let i = bytes - 1; i >= 0; i--) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return out;
}

/** Concatenation of byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A TLS opaque vector with a `lengthBytes`-byte length prefix. */
function vec(lengthBytes: number, body: Uint8Array): Uint8Array {
  return concatBytes([u(body.length, lengthBytes), body]);
}

/** The static-ct-api `leaf_index` CtExtension (type 0, uint40), without the outer length. */
export function leafIndexExtension(leafIndex: number): Uint8Array {
  return concatBytes([Uint8Array.of(0), u(5, 2), u(leafIndex, 5)]);
}

/**
 * The RFC 6962 TimestampedEntry of `e`, with `extensions` as its CtExtensions (static-ct-api logs
 * put the leaf_index extension there; it is part of the Merkle leaf, so both APIs of the test log
 * serve the same leaves).
 */
export function encodeTimestampedEntry(e: StoredEntry, extensions: Uint8Array): Uint8Array {
  const head = concatBytes([u(e.timestampMs, 8), u(e.entryType === "precert" ? 1 : 0, 2)]);
  const body =
    e.entryType === "precert" ? concatBytes([e.issuerKeyHash, vec(3, e.signedEntry)]) : vec(3, e.signedEntry);
  return concatBytes([head, body, vec(2, extensions)]);
}

/** MerkleTreeLeaf (RFC 6962 leaf_input): version 0, leaf type 0, TimestampedEntry. */
export function encodeMerkleTreeLeaf(e: StoredEntry, leafIndex: number): Uint8Array {
  return concatBytes([Uint8Array.of(0, 0), encodeTimestampedEntry(e, leafIndexExtension(leafIndex))]);
}

/** SHA-256(0x00 || MerkleTreeLeaf). */
export function entryLeafHash(e: StoredEntry, leafIndex: number): Uint8Array {
  return new Uint8Array(
    createHash("sha256").update(Uint8Array.of(0)).update(encodeMerkleTreeLeaf(e, leafIndex)).digest(),
  );
}

/** One static-ct-api TileLeaf: TimestampedEntry, [pre_certificate], chain fingerprints. */
export function encodeTileLeaf(e: StoredEntry, leafIndex: number): Uint8Array {
  const parts = [encodeTimestampedEntry(e, leafIndexExtension(leafIndex))];
  if (e.entryType === "precert") parts.push(vec(3, e.preCertificate));
  parts.push(vec(2, concatBytes([...e.chainSha256])));
  return concatBytes(parts);
}

/** RFC 6962 extra_data: x509 certificate_chain, or PrecertChainEntry. */
export function encodeExtraData(e: StoredEntry): Uint8Array {
  const chain = vec(3, concatBytes(e.chain.map((c) => vec(3, c))));
  return e.entryType === "precert" ? concatBytes([vec(3, e.preCertificate), chain]) : chain;
}
