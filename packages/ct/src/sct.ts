import type { CtLogKey } from "./ct-log-key.js";
import { CtParseError } from "./ct-parse-error.js";
import { DerTag, readDer } from "./der.js";
import { type DigitallySigned, readDigitallySigned, verifyDigitallySigned } from "./digitally-signed.js";
import { TlsReader } from "./tls-reader.js";

/** An RFC 6962 v1 SignedCertificateTimestamp (section 3.2). */
export interface SignedCertificateTimestamp {
  /** sct_version; only v1 (0) is parsed. */
  readonly version: number;
  /** LogID: SHA-256 of the log's SPKI (32 bytes). */
  readonly logId: Uint8Array;
  /** ms since the Unix epoch. */
  readonly timestampMs: number;
  /** CtExtensions (opaque). */
  readonly extensions: Uint8Array;
  readonly signature: DigitallySigned;
}

/** Bound on the number of SCTs in a list (default 64). */
export const DEFAULT_MAX_SCTS = 64;

/**
 * Parses the value of the embedded SCT list extension (1.3.6.1.4.1.11129.2.4.2): an OCTET STRING
 * holding `SerializedSCT sct_list<1..2^16-1>`, each `opaque SerializedSCT<1..2^16-1>` a v1 SCT.
 * Throws {@link CtParseError} (`unsupported-version` for non-v1 SCTs).
 */
export function parseSctList(
  extnValue: Uint8Array,
  maxScts = DEFAULT_MAX_SCTS,
): SignedCertificateTimestamp[] {
  const os = readDer(extnValue, 0, extnValue.length, "sct_list");
  if (os.tag !== DerTag.OCTET_STRING) throw new CtParseError("unexpected-tag", "sct_list", 0);
  if (os.end !== extnValue.length) throw new CtParseError("trailing-data", "sct_list", os.end);
  const r = new TlsReader(extnValue, os.valueStart, os.end);
  const list = r.vector(2, "sct_list", 1);
  r.finish("sct_list");
  const lr = new TlsReader(list);
  const out: SignedCertificateTimestamp[] = [];
  while (lr.remaining > 0) {
    if (out.length >= maxScts) throw new CtParseError("too-large", "sct_list", lr.pos);
    const one = new TlsReader(lr.vector(2, "sct_list.sct", 1));
    const version = one.u8("sct.version");
    if (version !== 0) throw new CtParseError("unsupported-version", "sct.version", 0, String(version));
    const logId = one.bytes(32, "sct.log_id");
    const timestampMs = one.u64("sct.timestamp");
    const extensions = one.vector(2, "sct.extensions");
    const signature = readDigitallySigned(one, "sct.signature");
    one.finish("sct");
    out.push({ version, logId, timestampMs, extensions, signature });
  }
  return out;
}

/** What a precertificate SCT signs besides its own fields: issuer key hash and TBS (poison/SCTs removed). */
export interface PrecertSignedEntry {
  /** SHA-256 of the final issuer's SubjectPublicKeyInfo DER. */
  readonly issuerKeyHash: Uint8Array;
  /** TBSCertificate DER without poison and SCT-list extensions (see `stripCtExtensions`). */
  readonly tbs: Uint8Array;
}

/**
 * The bytes a v1 precert SCT signs (RFC 6962 section 3.2): sct_version, signature_type
 * certificate_timestamp (0), timestamp, entry_type precert_entry (1), PreCert, extensions.
 */
export function precertSctSignatureInput(
  sct: SignedCertificateTimestamp,
  entry: PrecertSignedEntry,
): Uint8Array {
  const tbsLen = entry.tbs.length;
  const extLen = sct.extensions.length;
  const out = new Uint8Array(1 + 1 + 8 + 2 + 32 + 3 + tbsLen + 2 + extLen);
  let p = 0;
  out[p++] = sct.version;
  out[p++] = 0;
  let t = sct.timestampMs;
  for (let i = 7; i >= 0; i--) {
    out[p + i] = t % 256;
    t = Math.floor(t / 256);
  }
  p += 8;
  out[p++] = 0;
  out[p++] = 1;
  out.set(entry.issuerKeyHash, p);
  p += 32;
  out[p++] = tbsLen >> 16;
  out[p++] = (tbsLen >> 8) & 0xff;
  out[p++] = tbsLen & 0xff;
  out.set(entry.tbs, p);
  p += tbsLen;
  out[p++] = extLen >> 8;
  out[p++] = extLen & 0xff;
  out.set(sct.extensions, p);
  return out;
}

/** Verifies a precert SCT with its log's key (see {@link precertSctSignatureInput}). Never throws. */
export function verifyPrecertSct(
  sct: SignedCertificateTimestamp,
  entry: PrecertSignedEntry,
  key: CtLogKey,
): boolean {
  if (entry.issuerKeyHash.length !== 32) return false;
  return verifyDigitallySigned(key, precertSctSignatureInput(sct, entry), sct.signature);
}
