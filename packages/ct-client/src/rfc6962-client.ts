import { decodeBase64, type SthJson } from "@ctwatch/ct";
import { type HttpFetcher, LogHttpError } from "./http-fetcher.js";

/** One get-entries item, base64-decoded. */
export interface RawLogEntry {
  /** MerkleTreeLeaf bytes: the Merkle leaf hash is SHA-256(0x00 || leafInput). */
  readonly leafInput: Uint8Array;
  /** extra_data: the chain (and the precertificate), not covered by the Merkle tree. */
  readonly extraData: Uint8Array;
}

/** A get-proof-by-hash answer. */
export interface ProofByHash {
  readonly leafIndex: number;
  /** Audit path, bottom-up. */
  readonly auditPath: Uint8Array[];
}

/** Most hashes accepted in a proof: a tree of 2^63 leaves needs at most 126. */
const MAX_PROOF_HASHES = 128;

/**
 * The read side of an RFC 6962 log (section 4): get-sth, get-entries, get-sth-consistency and
 * get-proof-by-hash under the log's URL. Transport and shape checks only: responses are bounded by
 * the fetcher, every field is type-checked, base64 decoded strictly; a malformed answer is a
 * `LogHttpError` of kind "bad-body". Signatures and proofs are verified by the caller (@ctwatch/ct).
 */
export class Rfc6962Client {
  private readonly base: string;

  constructor(
    logUrl: string,
    private readonly http: HttpFetcher,
  ) {
    this.base = logUrl.endsWith("/") ? logUrl : `${logUrl}/`;
  }

  /** The log URL, with a trailing slash. */
  get url(): string {
    return this.base;
  }

  /** GET ct/v1/get-sth (unverified: see `verifySth`). */
  async getSth(signal?: AbortSignal): Promise<SthJson> {
    const url = `${this.base}ct/v1/get-sth`;
    const o = asObject(await this.http.getJson(url, signal), url);
    return {
      tree_size: safeInt(o.tree_size, url, "tree_size"),
      timestamp: safeInt(o.timestamp, url, "timestamp"),
      sha256_root_hash: str(o.sha256_root_hash, url, "sha256_root_hash"),
      tree_head_signature: str(o.tree_head_signature, url, "tree_head_signature"),
    };
  }

  /**
   * GET ct/v1/get-entries for [start, endInclusive]. Logs may return fewer entries than asked (their
   * page size), never none and never more: both are "bad-body".
   */
  async getEntries(start: number, endInclusive: number, signal?: AbortSignal): Promise<RawLogEntry[]> {
    if (!Number.isSafeInteger(start) || start < 0 || endInclusive < start)
      throw new RangeError(`bad entry range ${start}..${endInclusive}`);
    const url = `${this.base}ct/v1/get-entries?start=${start}&end=${endInclusive}`;
    const o = asObject(await this.http.getJson(url, signal), url);
    if (!Array.isArray(o.entries)) throw bad(url, "entries is not an array");
    const asked = endInclusive - start + 1;
    if (o.entries.length === 0 || o.entries.length > asked)
      throw bad(url, `${o.entries.length} entries for ${asked} asked`);
    return o.entries.map((item: unknown, i: number) => {
      const e = asObject(item, url);
      return {
        leafInput: b64(e.leaf_input, url, `entries[${i}].leaf_input`),
        extraData: b64(e.extra_data, url, `entries[${i}].extra_data`),
      };
    });
  }

  /** GET ct/v1/get-sth-consistency: the proof between tree sizes `first` and `second`. */
  async getSthConsistency(first: number, second: number, signal?: AbortSignal): Promise<Uint8Array[]> {
    const url = `${this.base}ct/v1/get-sth-consistency?first=${first}&second=${second}`;
    const o = asObject(await this.http.getJson(url, signal), url);
    return hashList(o.consistency, url, "consistency");
  }

  /** GET ct/v1/get-proof-by-hash for a Merkle leaf hash in the tree of `treeSize`. */
  async getProofByHash(leafHash: Uint8Array, treeSize: number, signal?: AbortSignal): Promise<ProofByHash> {
    const hash = encodeURIComponent(Buffer.from(leafHash).toString("base64"));
    const url = `${this.base}ct/v1/get-proof-by-hash?hash=${hash}&tree_size=${treeSize}`;
    const o = asObject(await this.http.getJson(url, signal), url);
    return {
      leafIndex: safeInt(o.leaf_index, url, "leaf_index"),
      auditPath: hashList(o.audit_path, url, "audit_path"),
    };
  }
}

function bad(url: string, what: string, cause?: unknown): LogHttpError {
  return new LogHttpError(`GET ${url}: ${what}`, "bad-body", 200, undefined, cause ? { cause } : undefined);
}

function asObject(v: unknown, url: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw bad(url, "not a JSON object");
  return v as Record<string, unknown>;
}

function safeInt(v: unknown, url: string, field: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw bad(url, `${field} is not a count`);
  return v;
}

function str(v: unknown, url: string, field: string): string {
  if (typeof v !== "string") throw bad(url, `${field} is not a string`);
  return v;
}

function b64(v: unknown, url: string, field: string): Uint8Array {
  try {
    return decodeBase64(str(v, url, field), field);
  } catch (err) {
    if (err instanceof LogHttpError) throw err;
    throw bad(url, `${field} is not base64`, err);
  }
}

function hashList(v: unknown, url: string, field: string): Uint8Array[] {
  if (!Array.isArray(v) || v.length > MAX_PROOF_HASHES) throw bad(url, `${field} is not a hash list`);
  return v.map((h: unknown, i: number) => {
    const d = b64(h, url, `${field}[${i}]`);
    if (d.length !== 32) throw bad(url, `${field}[${i}] is not 32 bytes`);
    return d;
  });
}
