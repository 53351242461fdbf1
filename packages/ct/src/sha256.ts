import { createHash, hash } from "node:crypto";

/** SHA-256 (32 bytes) of the concatenation of `parts`, without concatenating them. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  let d: Buffer;
  if (parts.length === 1) {
    d = hash("sha256", parts[0]!, "buffer");
  } else {
    const h = createHash("sha256");
    for (const p of parts) h.update(p);
    d = h.digest();
  }
  return new Uint8Array(d.buffer, d.byteOffset, d.length);
}
