import { createPublicKey, type KeyObject } from "node:crypto";
import { CtParseError } from "./ct-parse-error.js";
import { sha256 } from "./sha256.js";

/** A CT log's public key, ready for verification, with its RFC 6962 log ID. */
export interface CtLogKey {
  /** node:crypto public key (ECDSA P-256 or RSA for RFC 6962 logs). */
  readonly publicKey: KeyObject;
  /** DER SubjectPublicKeyInfo. */
  readonly spkiDer: Uint8Array;
  /** RFC 6962 section 3.2 LogID: SHA-256 of `spkiDer` (32 bytes). */
  readonly logId: Uint8Array;
}

/**
 * Builds a {@link CtLogKey} from a DER SubjectPublicKeyInfo, a PEM "PUBLIC KEY" string, or a
 * base64 DER string (as log lists carry it). Throws {@link CtParseError} `bad-value` for anything
 * node:crypto cannot load as a public key.
 */
export function ctLogKey(key: Uint8Array | string): CtLogKey {
  let publicKey: KeyObject;
  try {
    if (typeof key === "string") {
      publicKey = key.includes("-----BEGIN")
        ? createPublicKey(key)
        : createPublicKey({ key: Buffer.from(key, "base64"), format: "der", type: "spki" });
    } else {
      publicKey = createPublicKey({
        key: Buffer.from(key.buffer, key.byteOffset, key.length),
        format: "der",
        type: "spki",
      });
    }
  } catch (e) {
    throw new CtParseError("bad-value", "public_key", -1, String((e as Error).message));
  }
  const der = publicKey.export({ type: "spki", format: "der" });
  const spkiDer = new Uint8Array(der.buffer, der.byteOffset, der.length);
  return { publicKey, spkiDer, logId: sha256(spkiDer) };
}
