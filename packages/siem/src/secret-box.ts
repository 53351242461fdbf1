import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const REDACTED = "[REDACTED]";
const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/**
 * A credential in memory. It never shows its value by accident: `String()`,
 * template literals, `JSON.stringify` and `util.inspect` all give `[REDACTED]`.
 * Only {@link Secret.reveal} returns the value, at the one place that signs or
 * sends a request.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The plain value. Call it only to build a request; never log the result. */
  reveal(): string {
    return this.#value;
  }

  /** True when the value is the empty string. */
  get isEmpty(): boolean {
    return this.#value.length === 0;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [INSPECT](): string {
    return `Secret(${REDACTED})`;
  }
}

/** `[REDACTED]`: what a secret is shown as, in logs, JSON and error messages. */
export function redact(_value?: unknown): string {
  return REDACTED;
}

/**
 * Replaces every occurrence of the secrets' values in `text` with `[REDACTED]`.
 * Used on text that came from a SIEM before it goes into an error message, in case
 * a server ever echoes a credential back.
 */
export function scrubSecrets(text: string, secrets: readonly (Secret | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.isEmpty) continue;
    const value = secret.reveal();
    if (value.length < 4) continue;
    out = out.split(value).join(REDACTED);
  }
  return out;
}

/** Length of an AES-256 key, bytes. */
export const SECRET_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = "ctw1";
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Decodes key material given as text: 64 hex digits, or base64 / base64url of
 * exactly 32 bytes. The service reads the text from an env var or a file and
 * passes it here; this package never reads either itself.
 * @throws RangeError naming the problem (never echoing the material).
 */
export function parseKeyMaterial(text: string): Uint8Array {
  const trimmed = text.trim();
  let bytes: Buffer;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) {
    bytes = Buffer.from(trimmed, "hex");
  } else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    bytes = Buffer.from(trimmed.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  } else {
    throw new RangeError("key material must be 64 hex digits or base64 of 32 bytes");
  }
  if (bytes.length !== SECRET_KEY_BYTES) {
    throw new RangeError(`key material must decode to ${SECRET_KEY_BYTES} bytes, got ${bytes.length}`);
  }
  return new Uint8Array(bytes);
}

/** Options of {@link SecretBox}. */
export interface SecretBoxOptions {
  /** The key new secrets are sealed with. Must be a key of `keys`. */
  readonly currentKeyId: string;
  /** Every key that may still have sealed a stored secret, by key ID (1-32 of `[A-Za-z0-9_-]`). */
  readonly keys: ReadonlyMap<string, Uint8Array> | Readonly<Record<string, Uint8Array>>;
}

/**
 * Seals credentials for storage at rest with AES-256-GCM.
 *
 * Format: `ctw1:<keyId>:<base64url(iv ‖ ciphertext ‖ tag)>`, with a random 96-bit IV
 * per seal. The key ID travels in clear so keys can rotate: seal with the current
 * key, open with whichever known key the prefix names. The additional data binds
 * the format, the key ID and a caller-chosen `context` (e.g. `dest-7:splunk.token`),
 * so a sealed value copied into another field or destination does not open.
 *
 * Rotation: add the new key next to the old ones and make it current; re-seal stored
 * values with {@link SecretBox.reseal} (or lazily whenever {@link SecretBox.needsReseal}
 * says so); drop the old key once nothing sealed with it remains.
 */
export class SecretBox {
  readonly #keys: ReadonlyMap<string, Uint8Array>;
  readonly #currentKeyId: string;

  constructor(options: SecretBoxOptions) {
    const keys = options.keys instanceof Map ? options.keys : new Map(Object.entries(options.keys));
    for (const [id, key] of keys) {
      if (!KEY_ID.test(id)) throw new RangeError(`invalid key ID ${JSON.stringify(id)}`);
      if (key.length !== SECRET_KEY_BYTES)
        throw new RangeError(`key ${id} must be ${SECRET_KEY_BYTES} bytes`);
    }
    if (!keys.has(options.currentKeyId)) {
      throw new RangeError(`current key ${JSON.stringify(options.currentKeyId)} is not among the keys`);
    }
    this.#keys = new Map(keys);
    this.#currentKeyId = options.currentKeyId;
  }

  /** ID of the key new values are sealed with. */
  get currentKeyId(): string {
    return this.#currentKeyId;
  }

  /** Seals `plaintext` with the current key. `context` must be given again to open it. */
  seal(plaintext: string | Secret, context: string): string {
    const value = typeof plaintext === "string" ? plaintext : plaintext.reveal();
    const key = this.#keys.get(this.#currentKeyId)!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    cipher.setAAD(aad(this.#currentKeyId, context));
    const body = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
    const sealed = Buffer.concat([iv, body, cipher.getAuthTag()]);
    return `${FORMAT}:${this.#currentKeyId}:${sealed.toString("base64url")}`;
  }

  /**
   * Opens a value sealed by {@link SecretBox.seal} with any known key.
   * @throws RangeError for a malformed value, an unknown key ID, or a value that does
   *   not authenticate (wrong key, wrong context, tampered) — without echoing the value.
   */
  open(sealed: string, context: string): Secret {
    const { keyId, bytes } = parseSealed(sealed);
    const key = this.#keys.get(keyId);
    if (!key) throw new RangeError(`sealed secret uses unknown key ${JSON.stringify(keyId)}`);
    const iv = bytes.subarray(0, IV_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    const body = bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, iv);
      decipher.setAAD(aad(keyId, context));
      decipher.setAuthTag(tag);
      return new Secret(Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8"));
    } catch {
      throw new RangeError(`sealed secret does not authenticate with key ${JSON.stringify(keyId)}`);
    }
  }

  /** True when `sealed` was sealed with a key other than the current one. */
  needsReseal(sealed: string): boolean {
    return parseSealed(sealed).keyId !== this.#currentKeyId;
  }

  /** Opens `sealed` and seals it again with the current key (key rotation). */
  reseal(sealed: string, context: string): string {
    return this.seal(this.open(sealed, context), context);
  }
}

/** True when `value` looks like a sealed secret (`ctw1:<keyId>:…`); it is not authenticated here. */
export function isSealedSecret(value: unknown): value is string {
  if (typeof value !== "string") return false;
  try {
    parseSealed(value);
    return true;
  } catch {
    return false;
  }
}

function parseSealed(sealed: string): { keyId: string; bytes: Buffer } {
  const parts = sealed.split(":");
  if (parts.length !== 3 || parts[0] !== FORMAT)
    throw new RangeError("not a sealed secret (expected ctw1:<keyId>:<data>)");
  const keyId = parts[1]!;
  const data = parts[2]!;
  if (!KEY_ID.test(keyId) || !/^[A-Za-z0-9_-]+$/.test(data)) throw new RangeError("malformed sealed secret");
  const bytes = Buffer.from(data, "base64url");
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new RangeError("malformed sealed secret (too short)");
  return { keyId, bytes };
}

function aad(keyId: string, context: string): Buffer {
  return Buffer.from(`${FORMAT}:${keyId}:${context}`, "utf8");
}
