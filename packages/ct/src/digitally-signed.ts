import { verify } from "node:crypto";
import type { CtLogKey } from "./ct-log-key.js";
import { TlsReader } from "./tls-reader.js";

/** TLS HashAlgorithm sha256 (RFC 5246 section 7.4.1.4.1). */
export const HASH_SHA256 = 4;
/** TLS SignatureAlgorithm rsa. */
export const SIGNATURE_RSA = 1;
/** TLS SignatureAlgorithm ecdsa. */
export const SIGNATURE_ECDSA = 3;

/** A TLS `digitally-signed` value (RFC 5246 section 4.7), as RFC 6962 uses it. */
export interface DigitallySigned {
  /** HashAlgorithm (4 = sha256). */
  readonly hashAlgorithm: number;
  /** SignatureAlgorithm (1 = rsa, 3 = ecdsa). */
  readonly signatureAlgorithm: number;
  /** Signature bytes (ECDSA: DER Ecdsa-Sig-Value; RSA: PKCS#1 v1.5). */
  readonly signature: Uint8Array;
}

/** Reads a DigitallySigned at the reader's position. Throws {@link CtParseError}. */
export function readDigitallySigned(r: TlsReader, context: string): DigitallySigned {
  const hashAlgorithm = r.u8(`${context}.hash`);
  const signatureAlgorithm = r.u8(`${context}.signature_algorithm`);
  const signature = r.vector(2, `${context}.signature`);
  return { hashAlgorithm, signatureAlgorithm, signature };
}

/** Parses bytes holding exactly one DigitallySigned. Throws {@link CtParseError}. */
export function parseDigitallySigned(bytes: Uint8Array, context = "digitally_signed"): DigitallySigned {
  const r = new TlsReader(bytes);
  const ds = readDigitallySigned(r, context);
  r.finish(context);
  return ds;
}

/** TLS encoding of a DigitallySigned. */
export function encodeDigitallySigned(ds: DigitallySigned): Uint8Array {
  const out = new Uint8Array(4 + ds.signature.length);
  out[0] = ds.hashAlgorithm;
  out[1] = ds.signatureAlgorithm;
  out[2] = ds.signature.length >> 8;
  out[3] = ds.signature.length & 0xff;
  out.set(ds.signature, 4);
  return out;
}

/**
 * Verifies `ds` over `data` with the log key: SHA-256 only; ECDSA (DER signature) for EC keys,
 * RSASSA-PKCS1-v1_5 for RSA keys; the algorithm must match the key type. Returns false on any
 * mismatch; never throws.
 */
export function verifyDigitallySigned(key: CtLogKey, data: Uint8Array, ds: DigitallySigned): boolean {
  if (ds.hashAlgorithm !== HASH_SHA256) return false;
  const type = key.publicKey.asymmetricKeyType;
  if (
    !(type === "ec" && ds.signatureAlgorithm === SIGNATURE_ECDSA) &&
    !(type === "rsa" && ds.signatureAlgorithm === SIGNATURE_RSA)
  ) {
    return false;
  }
  try {
    return verify("sha256", data, key.publicKey, ds.signature);
  } catch {
    return false;
  }
}
