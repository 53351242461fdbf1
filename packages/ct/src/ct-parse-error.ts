/**
 * Why a parse failed:
 * - `truncated`: the input ends before a structure it announces.
 * - `bad-length`: a length is malformed (indefinite, over-long, not a multiple of the item size, ...).
 * - `too-large`: a configured bound was exceeded (size, count, nesting is `too-deep`), or a number
 *   does not fit the type it is returned as.
 * - `too-deep`: ASN.1 nesting exceeds the configured depth.
 * - `unexpected-tag`: an ASN.1 element has a different tag than the structure requires.
 * - `unsupported-version`: a version field (X.509, MerkleTreeLeaf, SCT) has a value this package
 *   does not handle.
 * - `bad-value`: the content of a field is invalid (bad time, bad OID, unknown enum value, bad base64).
 * - `trailing-data`: bytes remain after a structure that must end the input.
 */
export type CtParseErrorCode =
  | "truncated"
  | "bad-length"
  | "too-large"
  | "too-deep"
  | "unexpected-tag"
  | "unsupported-version"
  | "bad-value"
  | "trailing-data";

/**
 * The only error the parsers of this package throw for malformed input.
 * `offset` is the byte offset (in the buffer handed to the failing parser) where the problem was
 * found, -1 when not applicable; `context` names the structure being read (e.g. "tbs.validity").
 */
export class CtParseError extends Error {
  /** Machine-readable failure class. */
  readonly code: CtParseErrorCode;
  /** Byte offset in the parsed buffer, or -1. */
  readonly offset: number;
  /** Dotted path of the structure being read when the error occurred. */
  readonly context: string;

  constructor(code: CtParseErrorCode, context: string, offset = -1, detail = "") {
    super(`${code} at ${context}${offset >= 0 ? ` (offset ${offset})` : ""}${detail ? `: ${detail}` : ""}`);
    this.name = "CtParseError";
    this.code = code;
    this.offset = offset;
    this.context = context;
  }
}

/** True when `e` is a {@link CtParseError}. */
export function isCtParseError(e: unknown): e is CtParseError {
  return e instanceof CtParseError;
}
