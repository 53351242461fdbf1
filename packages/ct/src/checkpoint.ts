import { type CtLogKey, ctLogKey } from "./ct-log-key.js";
import { CtParseError } from "./ct-parse-error.js";
import {
  type DigitallySigned,
  encodeDigitallySigned,
  parseDigitallySigned,
  readDigitallySigned,
  verifyDigitallySigned,
} from "./digitally-signed.js";
import { decodeBase64 } from "./rfc6962.js";
import { sha256 } from "./sha256.js";
import { TlsReader } from "./tls-reader.js";

/** One signature line of a signed note: `— <name> base64(keyId(4) || signature)`. */
export interface NoteSignature {
  /** Key name (non-empty, no spaces, no "+"). */
  readonly name: string;
  /** uint32 key ID (big-endian first four bytes of the decoded signature). */
  readonly keyId: number;
  /** The signature bytes after the key ID. */
  readonly signature: Uint8Array;
}

/** A parsed signed note (c2sp.org/signed-note). */
export interface SignedNote {
  /** Note text including its final newline, excluding the separating blank line. */
  readonly text: string;
  readonly signatures: NoteSignature[];
}

/** Bounds for {@link parseSignedNote}. */
export interface SignedNoteOptions {
  /** Largest note, bytes of UTF-8 (default 1 MiB). */
  maxNoteSize?: number;
  /** Largest number of signature lines (default 64; the spec requires accepting at least 16). */
  maxSignatures?: number;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
// Unpaired UTF-16 surrogates (not representable in UTF-8).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Offset of the first C0 control character other than newline, or of a lone surrogate; -1 if none. */
function badNoteChar(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return i;
  }
  return LONE_SURROGATE.exec(s)?.index ?? -1;
}
const utf8Encoder = new TextEncoder();

/**
 * Parses a signed note: UTF-8 text without control characters other than newline, ending in a
 * newline; the last blank line separates the text from one or more signature lines.
 * Throws {@link CtParseError}.
 */
export function parseSignedNote(note: string | Uint8Array, opts: SignedNoteOptions = {}): SignedNote {
  const maxSize = opts.maxNoteSize ?? 1024 * 1024;
  const maxSigs = opts.maxSignatures ?? 64;
  let s: string;
  if (typeof note === "string") {
    if (note.length > maxSize) throw new CtParseError("too-large", "note", 0);
    s = note;
  } else {
    if (note.length > maxSize) throw new CtParseError("too-large", "note", 0);
    try {
      s = utf8.decode(note);
    } catch {
      throw new CtParseError("bad-value", "note", -1, "invalid UTF-8");
    }
  }
  const bad = badNoteChar(s);
  if (bad >= 0) throw new CtParseError("bad-value", "note", bad, "control character or lone surrogate");
  if (!s.endsWith("\n")) throw new CtParseError("truncated", "note", s.length, "no final newline");
  const sep = s.lastIndexOf("\n\n");
  if (sep < 0) throw new CtParseError("bad-value", "note", -1, "no signature block");
  const text = s.slice(0, sep + 1);
  const lines = s.slice(sep + 2, -1).split("\n");
  if (lines.length === 1 && lines[0] === "")
    throw new CtParseError("bad-value", "note.signatures", sep, "no signatures");
  if (lines.length > maxSigs)
    throw new CtParseError("too-large", "note.signatures", sep, `${lines.length} signatures`);
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    if (!line.startsWith("\u2014 "))
      throw new CtParseError("bad-value", "note.signature", -1, "missing em dash");
    const parts = line.slice(2).split(" ");
    if (parts.length !== 2)
      throw new CtParseError("bad-value", "note.signature", -1, "malformed signature line");
    const name = parts[0]!;
    if (name === "" || name.includes("+") || /\s/u.test(name)) {
      throw new CtParseError("bad-value", "note.signature.name", -1, "bad key name");
    }
    const raw = decodeBase64(parts[1]!, "note.signature");
    if (raw.length < 5) throw new CtParseError("truncated", "note.signature", -1, "signature too short");
    const keyId = ((raw[0]! << 24) | (raw[1]! << 16) | (raw[2]! << 8) | raw[3]!) >>> 0;
    signatures.push({ name, keyId, signature: raw.subarray(4) });
  }
  return { text, signatures };
}

/** A parsed checkpoint body (c2sp.org/tlog-checkpoint). */
export interface Checkpoint {
  /** Origin line: the log's identity (static-ct-api: submission prefix without scheme). */
  readonly origin: string;
  /** Number of leaves (a safe integer). */
  readonly treeSize: number;
  /** RFC 6962 root hash at `treeSize` (32 bytes). */
  readonly rootHash: Uint8Array;
  /** Extension lines (non-empty strings), usually none. */
  readonly extensions: string[];
}

/**
 * Parses checkpoint note text: origin, decimal tree size (no leading zeros), base64 32-byte root
 * hash, optional non-empty extension lines, each ending in a newline. Throws {@link CtParseError}.
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith("\n"))
    throw new CtParseError("truncated", "checkpoint", text.length, "no final newline");
  const lines = text.slice(0, -1).split("\n");
  if (lines.length < 3) throw new CtParseError("truncated", "checkpoint", -1, "fewer than 3 lines");
  const [origin, size, root, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin === "") throw new CtParseError("bad-value", "checkpoint.origin", 0, "empty origin");
  if (!/^(0|[1-9][0-9]*)$/.test(size))
    throw new CtParseError("bad-value", "checkpoint.tree_size", -1, size.slice(0, 32));
  const treeSize = Number(size);
  if (!Number.isSafeInteger(treeSize))
    throw new CtParseError("too-large", "checkpoint.tree_size", -1, size.slice(0, 32));
  const rootHash = decodeBase64(root, "checkpoint.root_hash");
  if (rootHash.length !== 32)
    throw new CtParseError("bad-length", "checkpoint.root_hash", -1, `${rootHash.length} bytes`);
  if (extensions.some((l) => l === ""))
    throw new CtParseError("bad-value", "checkpoint.extensions", -1, "empty line");
  return { origin, treeSize, rootHash, extensions };
}

/** Signed-note key ID: big-endian uint32 of SHA-256(name || 0x0A || type || key)[:4]. */
export function noteKeyId(name: string, signatureType: number, key: Uint8Array): number {
  const h = sha256(utf8Encoder.encode(name), Uint8Array.of(0x0a, signatureType), key);
  return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
}

/** Signed-note signature type of RFC 6962 TreeHeadSignatures (c2sp.org/static-ct-api). */
export const NOTE_SIGNATURE_TYPE_RFC6962 = 0x05;

/** Key ID of a static-ct-api log's checkpoint signature: {@link noteKeyId}(name, 0x05, logId). */
export function rfc6962NoteKeyId(name: string, logId: Uint8Array): number {
  return noteKeyId(name, NOTE_SIGNATURE_TYPE_RFC6962, logId);
}

/** A tree head as RFC 6962 signs it. */
export interface TreeHead {
  /** Timestamp, ms since the Unix epoch. */
  readonly timestampMs: number;
  readonly treeSize: number;
  /** 32-byte root hash. */
  readonly rootHash: Uint8Array;
}

function putUint64(out: Uint8Array, offset: number, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`uint64 ${v}`);
  let x = v;
  for (let i = 7; i >= 0; i--) {
    out[offset + i] = x % 256;
    x = Math.floor(x / 256);
  }
}

/**
 * The bytes an RFC 6962 TreeHeadSignature signs (section 3.5): version v1 (0), signature_type
 * tree_hash (1), uint64 timestamp, uint64 tree_size, sha256_root_hash[32] — 50 bytes.
 */
export function treeHeadSignatureInput(th: TreeHead): Uint8Array {
  if (th.rootHash.length !== 32) throw new RangeError("root hash must be 32 bytes");
  const out = new Uint8Array(50);
  out[0] = 0;
  out[1] = 1;
  putUint64(out, 2, th.timestampMs);
  putUint64(out, 10, th.treeSize);
  out.set(th.rootHash, 18);
  return out;
}

/** Verifies an RFC 6962 tree head signature (a DigitallySigned) with the log key. Never throws. */
export function verifyTreeHeadSignature(key: CtLogKey, th: TreeHead, signature: DigitallySigned): boolean {
  let input: Uint8Array;
  try {
    input = treeHeadSignatureInput(th);
  } catch {
    return false;
  }
  return verifyDigitallySigned(key, input, signature);
}

/** RFC 6962 get-sth response (section 4.3). */
export interface SthJson {
  readonly tree_size: number;
  /** ms since the Unix epoch. */
  readonly timestamp: number;
  /** base64 32-byte root hash. */
  readonly sha256_root_hash: string;
  /** base64 TLS-encoded DigitallySigned TreeHeadSignature. */
  readonly tree_head_signature: string;
}

function asKey(key: Uint8Array | string | CtLogKey): CtLogKey {
  return typeof key === "string" || key instanceof Uint8Array ? ctLogKey(key) : key;
}

/**
 * Verifies an RFC 6962 get-sth response with the log's public key (DER SPKI, PEM, or a
 * {@link CtLogKey}): ECDSA P-256 / RSA PKCS#1 v1.5 with SHA-256. Returns false when the signature
 * does not verify; throws {@link CtParseError} when the response or key is malformed.
 */
export function verifySth(sth: SthJson, key: Uint8Array | string | CtLogKey): boolean {
  if (!Number.isSafeInteger(sth.tree_size) || sth.tree_size < 0) {
    throw new CtParseError("bad-value", "sth.tree_size", -1, String(sth.tree_size));
  }
  if (!Number.isSafeInteger(sth.timestamp) || sth.timestamp < 0) {
    throw new CtParseError("bad-value", "sth.timestamp", -1, String(sth.timestamp));
  }
  const rootHash = decodeBase64(sth.sha256_root_hash, "sth.sha256_root_hash");
  if (rootHash.length !== 32) throw new CtParseError("bad-length", "sth.sha256_root_hash", -1);
  const ds = parseDigitallySigned(
    decodeBase64(sth.tree_head_signature, "sth.tree_head_signature"),
    "sth.tree_head_signature",
  );
  return verifyTreeHeadSignature(
    asKey(key),
    { timestampMs: sth.timestamp, treeSize: sth.tree_size, rootHash },
    ds,
  );
}

/** Why {@link verifyRfc6962Checkpoint} rejected a well-formed note. */
export type CtVerifyErrorCode =
  | "no-known-signature"
  | "bad-signature"
  | "origin-mismatch"
  | "extension-lines";

/** Verification failure of a well-formed checkpoint (malformed input is {@link CtParseError}). */
export class CtVerifyError extends Error {
  /** Machine-readable reason. */
  readonly code: CtVerifyErrorCode;

  constructor(code: CtVerifyErrorCode, detail = "") {
    super(`${code}${detail ? `: ${detail}` : ""}`);
    this.name = "CtVerifyError";
    this.code = code;
  }
}

/** A checkpoint whose RFC 6962 note signature verified. */
export interface VerifiedCheckpoint extends Checkpoint {
  /** TreeHeadSignature timestamp, ms since the Unix epoch. */
  readonly timestampMs: number;
}

/** An RFC6962NoteSignature: uint64 timestamp followed by the TreeHeadSignature DigitallySigned. */
export function parseRfc6962NoteSignature(sig: Uint8Array): {
  timestampMs: number;
  signature: DigitallySigned;
} {
  const r = new TlsReader(sig);
  const timestampMs = r.u64("rfc6962_note_signature.timestamp");
  const signature = readDigitallySigned(r, "rfc6962_note_signature.signature");
  r.finish("rfc6962_note_signature");
  return { timestampMs, signature };
}

/**
 * Verifies a static-ct-api checkpoint (c2sp.org/static-ct-api "Checkpoints"): the signature line
 * whose name is the origin (or `opts.origin`, which must then equal the origin line) and whose key
 * ID is {@link rfc6962NoteKeyId} must verify as an RFC 6962 TreeHeadSignature over
 * (timestamp, tree size, root hash); other signatures are ignored; extension lines are not allowed.
 * Throws {@link CtParseError} for a malformed note, {@link CtVerifyError} when verification fails.
 */
export function verifyRfc6962Checkpoint(
  note: string | Uint8Array,
  key: Uint8Array | string | CtLogKey,
  opts: SignedNoteOptions & { origin?: string } = {},
): VerifiedCheckpoint {
  const k = asKey(key);
  const parsed = parseSignedNote(note, opts);
  const cp = parseCheckpoint(parsed.text);
  if (opts.origin !== undefined && opts.origin !== cp.origin) {
    throw new CtVerifyError("origin-mismatch", `checkpoint origin ${JSON.stringify(cp.origin)}`);
  }
  if (cp.extensions.length > 0) throw new CtVerifyError("extension-lines");
  const keyId = rfc6962NoteKeyId(cp.origin, k.logId);
  const mine = parsed.signatures.filter((s) => s.name === cp.origin && s.keyId === keyId);
  if (mine.length === 0) throw new CtVerifyError("no-known-signature");
  let timestampMs = -1;
  for (const s of mine) {
    let ns: { timestampMs: number; signature: DigitallySigned };
    try {
      ns = parseRfc6962NoteSignature(s.signature);
    } catch {
      throw new CtVerifyError("bad-signature", "malformed RFC6962NoteSignature");
    }
    if (
      !verifyTreeHeadSignature(
        k,
        { timestampMs: ns.timestampMs, treeSize: cp.treeSize, rootHash: cp.rootHash },
        ns.signature,
      )
    ) {
      throw new CtVerifyError("bad-signature");
    }
    if (timestampMs < 0) timestampMs = ns.timestampMs;
  }
  return { ...cp, timestampMs };
}

/**
 * Formats a static-ct-api checkpoint from an RFC 6962 signed tree head (no private key needed):
 * origin, size, base64 root, blank line, and the `— <origin> base64(keyId || timestamp || sig)` line.
 */
export function formatRfc6962Checkpoint(
  origin: string,
  th: TreeHead,
  signature: DigitallySigned,
  logId: Uint8Array,
): string {
  const ds = encodeDigitallySigned(signature);
  const body = new Uint8Array(4 + 8 + ds.length);
  const id = rfc6962NoteKeyId(origin, logId);
  body[0] = id >>> 24;
  body[1] = (id >>> 16) & 0xff;
  body[2] = (id >>> 8) & 0xff;
  body[3] = id & 0xff;
  putUint64(body, 4, th.timestampMs);
  body.set(ds, 12);
  const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString("base64");
  return `${origin}\n${th.treeSize}\n${b64(th.rootHash)}\n\n\u2014 ${origin} ${b64(body)}\n`;
}
