import { createHash } from "node:crypto";
import { encodeDerLength } from "./der.js";
import { Oid } from "./oids.js";
import { type ParseCertificateOptions, parseTbsCertificate, type TbsCertificate } from "./x509.js";

/**
 * Issuance key of a parsed TBS whose plain SHA-256 is already known: reuses `tbsSha256` when there
 * is nothing to strip. Not part of the API.
 */
export function issuanceKeyWithTbsHash(tbs: TbsCertificate, tbsSha256: Uint8Array): Uint8Array {
  const parts = strippedTbsParts(tbs);
  if (parts.length === 1) return tbsSha256;
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  const d = h.digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.length);
}

/** Extensions removed before computing the issuance key: the CT poison and the embedded SCT list. */
export const ISSUANCE_KEY_STRIPPED_OIDS: readonly string[] = [Oid.ctPoison, Oid.ctSctList];

function isStripped(oid: string): boolean {
  return oid === Oid.ctPoison || oid === Oid.ctSctList;
}

/**
 * The DER of `tbs` with the CT poison and SCT-list extensions removed, as a list of byte ranges
 * whose concatenation is the re-encoded TBSCertificate (lengths of the extensions SEQUENCE, of the
 * [3] wrapper and of the TBS SEQUENCE recomputed). When no extension remains the [3] field is
 * omitted. Returns `[tbs.der]` when nothing is removed.
 */
export function strippedTbsParts(tbs: TbsCertificate): Uint8Array[] {
  const exts = tbs.extensions;
  let removed = 0;
  for (const e of exts) if (isStripped(e.oid)) removed++;
  if (removed === 0) return [tbs.der];
  const der = tbs.der;
  const prefix = der.subarray(tbs.contentStart, tbs.extensionsStart);
  const kept: Uint8Array[] = [];
  let keptLen = 0;
  for (const e of exts) {
    if (isStripped(e.oid)) continue;
    const last = kept[kept.length - 1];
    // Merge with the previous slice when contiguous.
    if (last !== undefined && last.byteOffset + last.length === der.byteOffset + e.start) {
      kept[kept.length - 1] = der.subarray(last.byteOffset - der.byteOffset, e.end);
    } else {
      kept.push(der.subarray(e.start, e.end));
    }
    keptLen += e.end - e.start;
  }
  if (kept.length === 0) {
    return [Uint8Array.of(0x30), encodeDerLength(prefix.length), prefix];
  }
  const seqLen = encodeDerLength(keptLen);
  const a3Len = encodeDerLength(1 + seqLen.length + keptLen);
  const contentLen = prefix.length + 1 + a3Len.length + 1 + seqLen.length + keptLen;
  return [
    Uint8Array.of(0x30),
    encodeDerLength(contentLen),
    prefix,
    Uint8Array.of(0xa3),
    a3Len,
    Uint8Array.of(0x30),
    seqLen,
    ...kept,
  ];
}

function asTbs(tbs: Uint8Array | TbsCertificate, opts?: ParseCertificateOptions): TbsCertificate {
  return tbs instanceof Uint8Array ? parseTbsCertificate(tbs, opts) : tbs;
}

/**
 * The TBSCertificate DER with the CT poison (1.3.6.1.4.1.11129.2.4.3) and embedded SCT list
 * (1.3.6.1.4.1.11129.2.4.2) extensions removed and all enclosing lengths re-encoded: for a
 * precertificate this is the TBS a log puts in the MerkleTreeLeaf (RFC 6962 section 3.2, when no
 * Precertificate Signing Certificate is involved); for a final certificate it is the TBS its
 * embedded SCTs sign. Throws {@link CtParseError} when given malformed DER.
 */
export function stripCtExtensions(
  tbs: Uint8Array | TbsCertificate,
  opts?: ParseCertificateOptions,
): Uint8Array {
  const parts = strippedTbsParts(asTbs(tbs, opts));
  if (parts.length === 1) return parts[0]!;
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Issuance key: SHA-256 (32 bytes) of {@link stripCtExtensions}(tbs). A precertificate's logged TBS
 * and its final certificate's TBS give the same key. Throws {@link CtParseError}.
 */
export function issuanceKey(tbs: Uint8Array | TbsCertificate, opts?: ParseCertificateOptions): Uint8Array {
  const h = createHash("sha256");
  for (const p of strippedTbsParts(asTbs(tbs, opts))) h.update(p);
  const d = h.digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.length);
}
