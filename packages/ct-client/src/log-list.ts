import { createPublicKey, createVerify, type KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { ctLogKey } from "@ctwatch/ct";

/** Chrome's signed list of logs it trusts (log list v3). */
export const CHROME_LOG_LIST_URL = "https://www.gstatic.com/ct/log_list/v3/log_list.json";
/** RSA-SHA256 signature of {@link CHROME_LOG_LIST_URL}'s exact bytes. */
export const CHROME_LOG_LIST_SIGNATURE_URL = "https://www.gstatic.com/ct/log_list/v3/log_list.sig";
/** Apple's list of logs (same v3 shape plus `$schema`/`assetVersion`; unsigned, served over HTTPS). */
export const APPLE_LOG_LIST_URL = "https://valid.apple.com/ct/log_list/current_log_list.json";

/**
 * Google's log-list signing key (RSA 4096), as published at
 * https://www.gstatic.com/ct/log_list/v3/log_list_pubkey.pem. Verifies the fixture list
 * test/fixtures' original bytes (see the tests).
 */
export const GOOGLE_LOG_LIST_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAsu0BHGnQ++W2CTdyZyxv
HHRALOZPlnu/VMVgo2m+JZ8MNbAOH2cgXb8mvOj8flsX/qPMuKIaauO+PwROMjiq
fUpcFm80Kl7i97ZQyBDYKm3MkEYYpGN+skAR2OebX9G2DfDqFY8+jUpOOWtBNr3L
rmVcwx+FcFdMjGDlrZ5JRmoJ/SeGKiORkbbu9eY1Wd0uVhz/xI5bQb0OgII7hEj+
i/IPbJqOHgB8xQ5zWAJJ0DmG+FM6o7gk403v6W3S8qRYiR84c50KppGwe4YqSMkF
bLDleGQWLoaDSpEWtESisb4JiLaY4H+Kk0EyAhPSb+49JfUozYl+lf7iFN3qRq/S
IXXTh6z0S7Qa8EYDhKGCrpI03/+qprwy+my6fpWHi6aUIk4holUCmWvFxZDfixox
K0RlqbFDl2JXMBquwlQpm8u5wrsic1ksIv9z8x9zh4PJqNpCah0ciemI3YGRQqSe
/mRRXBiSn9YQBUPcaeqCYan+snGADFwHuXCd9xIAdFBolw9R9HTedHGUfVXPJDiF
4VusfX6BRR/qaadB+bqEArF/TzuDUr6FvOR4o8lUUxgLuZ/7HO+bHnaPFKYHHSm+
+z1lVDhhYuSZ8ax3T0C3FZpb7HMjZtpEorSV5ElKJEJwrhrBCMOD8L01EoSPrGlS
1w22i9uGHMn/uGQKo28u7AsCAwEAAQ==
-----END PUBLIC KEY-----
`;

/** Log states of the v3 schema, in lifecycle order. */
export const LOG_STATES = ["pending", "qualified", "usable", "readonly", "retired", "rejected"] as const;
/** A log's state in a list. */
export type LogState = (typeof LOG_STATES)[number];

/** Which read API a log speaks: RFC 6962 (`logs[]`) or static-ct-api (`tiled_logs[]`). */
export type LogApi = "rfc6962" | "static-ct";

/** One log of a list, normalised. */
export interface LogListEntry {
  readonly api: LogApi;
  readonly operator: string;
  readonly description: string;
  /** RFC 6962 LogID, base64 (= SHA-256 of `key`, checked). */
  readonly logId: string;
  /** DER SubjectPublicKeyInfo, base64. */
  readonly key: string;
  /** RFC 6962: the log URL; static-ct-api: the monitoring prefix. */
  readonly url: string;
  /** static-ct-api only: the submission prefix (its origin line is this without the scheme). */
  readonly submissionUrl?: string;
  /** Maximum merge delay, seconds. */
  readonly mmdSeconds: number;
  readonly state: LogState;
  /** When the log entered `state`, ms since the epoch. */
  readonly stateSinceMs: number;
  /** Certificates the log accepts expire in [start, end), ms since the epoch; absent: any. */
  readonly temporalInterval?: { readonly startInclusiveMs: number; readonly endExclusiveMs: number };
  /** readonly logs: the final tree head (size, base64 root). */
  readonly finalTreeHead?: { readonly treeSize: number; readonly rootHash: string };
  /** "prod" / "test" when the list says so. */
  readonly logType?: string;
}

/** A parsed log list. */
export interface LogList {
  readonly version: string;
  /** `log_list_timestamp`, ms since the epoch; undefined when absent (Apple's list). */
  readonly timestampMs: number | undefined;
  readonly logs: LogListEntry[];
  /** Logs skipped because an entry was malformed (one line each); the rest of the list is usable. */
  readonly problems: string[];
}

/** Why a log list was rejected as a whole. */
export class LogListError extends Error {
  constructor(
    message: string,
    readonly code: "bad-signature" | "bad-json" | "bad-shape" | "too-large" | "unavailable",
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "LogListError";
  }
}

/** Largest list accepted, bytes (Chrome's is ~40 KiB, all_logs_list ~150 KiB). */
export const MAX_LOG_LIST_BYTES = 4 << 20;
/** Most logs accepted from one list. */
const MAX_LOGS = 2_000;

/**
 * Verifies a log list signature: RSASSA-PKCS1-v1_5 with SHA-256 over the exact bytes of the JSON
 * (Chrome's `log_list.sig`). `publicKey` defaults to {@link GOOGLE_LOG_LIST_PUBLIC_KEY}. Never throws.
 */
export function verifyLogListSignature(
  json: Uint8Array,
  signature: Uint8Array,
  publicKey: string | KeyObject = GOOGLE_LOG_LIST_PUBLIC_KEY,
): boolean {
  try {
    const key = typeof publicKey === "string" ? createPublicKey(publicKey) : publicKey;
    return createVerify("sha256").update(json).verify(key, signature);
  } catch {
    return false;
  }
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function time(v: unknown): number | undefined {
  if (typeof v !== "string") return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Parses a CT log list v3 (Chrome's `log_list.json` / `all_logs_list.json`, or Apple's
 * `current_log_list.json`): both `logs[]` (RFC 6962) and `tiled_logs[]` (static-ct-api) of every
 * operator. A malformed log entry (missing key, key not matching its log ID, unknown state, bad URL)
 * is skipped and named in `problems`; a malformed list throws {@link LogListError}. Does not check
 * the signature: see {@link verifyLogListSignature} / {@link loadLogList}.
 */
export function parseLogList(json: string | Uint8Array): LogList {
  const size = typeof json === "string" ? Buffer.byteLength(json) : json.length;
  if (size > MAX_LOG_LIST_BYTES) throw new LogListError(`log list of ${size} bytes`, "too-large");
  let doc: unknown;
  try {
    doc = JSON.parse(typeof json === "string" ? json : Buffer.from(json).toString("utf8"));
  } catch (cause) {
    throw new LogListError("log list is not JSON", "bad-json", { cause });
  }
  if (!isObj(doc) || !Array.isArray(doc.operators)) throw new LogListError("no operators[]", "bad-shape");
  const logs: LogListEntry[] = [];
  const problems: string[] = [];
  for (const op of doc.operators) {
    if (!isObj(op) || typeof op.name !== "string") {
      problems.push("operator without a name");
      continue;
    }
    for (const [field, api] of [
      ["logs", "rfc6962"],
      ["tiled_logs", "static-ct"],
    ] as const) {
      const list = op[field];
      if (list === undefined) continue;
      if (!Array.isArray(list)) {
        problems.push(`${op.name}: ${field} is not an array`);
        continue;
      }
      for (const raw of list) {
        if (logs.length >= MAX_LOGS) throw new LogListError(`more than ${MAX_LOGS} logs`, "too-large");
        const entry = parseEntry(raw, api, op.name);
        if (typeof entry === "string") problems.push(entry);
        else logs.push(entry);
      }
    }
  }
  return {
    version: typeof doc.version === "string" ? doc.version : String(doc.version ?? ""),
    timestampMs: time(doc.log_list_timestamp),
    logs,
    problems,
  };
}

function parseEntry(raw: unknown, api: LogApi, operator: string): LogListEntry | string {
  if (!isObj(raw)) return `${operator}: log entry is not an object`;
  const name = typeof raw.description === "string" ? raw.description : String(raw.log_id ?? "?");
  const where = `${operator} / ${name}`;
  if (typeof raw.key !== "string" || typeof raw.log_id !== "string") return `${where}: key or log_id missing`;
  try {
    const k = ctLogKey(raw.key);
    if (Buffer.from(k.logId).toString("base64") !== raw.log_id) return `${where}: log_id is not SHA-256(key)`;
  } catch {
    return `${where}: key is not a public key`;
  }
  const url = api === "rfc6962" ? raw.url : raw.monitoring_url;
  if (typeof url !== "string" || !/^https?:\/\//.test(url)) return `${where}: no ${api} URL`;
  if (!isObj(raw.state)) return `${where}: no state`;
  const stateName = Object.keys(raw.state).find((s): s is LogState =>
    (LOG_STATES as readonly string[]).includes(s),
  );
  if (stateName === undefined) return `${where}: unknown state ${Object.keys(raw.state).join(",")}`;
  const st = raw.state[stateName];
  const stateSinceMs = isObj(st) ? time(st.timestamp) : undefined;
  if (stateSinceMs === undefined) return `${where}: state without a timestamp`;
  let temporalInterval: LogListEntry["temporalInterval"];
  if (raw.temporal_interval !== undefined) {
    const ti = raw.temporal_interval;
    const start = isObj(ti) ? time(ti.start_inclusive) : undefined;
    const end = isObj(ti) ? time(ti.end_exclusive) : undefined;
    if (start === undefined || end === undefined || end <= start) return `${where}: bad temporal_interval`;
    temporalInterval = { startInclusiveMs: start, endExclusiveMs: end };
  }
  let finalTreeHead: LogListEntry["finalTreeHead"];
  if (isObj(st) && isObj(st.final_tree_head)) {
    const f = st.final_tree_head;
    if (typeof f.tree_size === "number" && typeof f.sha256_root_hash === "string")
      finalTreeHead = { treeSize: f.tree_size, rootHash: f.sha256_root_hash };
  }
  return {
    api,
    operator,
    description: name,
    logId: raw.log_id,
    key: raw.key,
    url,
    ...(api === "static-ct" && typeof raw.submission_url === "string"
      ? { submissionUrl: raw.submission_url }
      : {}),
    mmdSeconds: typeof raw.mmd === "number" ? raw.mmd : 86_400,
    state: stateName,
    stateSinceMs,
    ...(temporalInterval ? { temporalInterval } : {}),
    ...(finalTreeHead ? { finalTreeHead } : {}),
    ...(typeof raw.log_type === "string" ? { logType: raw.log_type } : {}),
  };
}

/** Which logs of a list to tail. */
export interface LogSelection {
  /** States to tail; default usable, qualified, readonly (the logs browsers count SCTs from). */
  states?: readonly LogState[];
  /** Now, ms since the epoch (temporal intervals are judged against it). */
  nowMs: number;
  /**
   * Keep shards whose temporal interval has ended (every certificate in them has expired); default
   * false. Shards for future intervals are always kept: they accept certificates today.
   */
  includeExpiredShards?: boolean;
  /** Keep logs marked `log_type: "test"`; default false. */
  includeTestLogs?: boolean;
}

/** The logs of `list` worth tailing under `sel`, in list order. */
export function selectLogs(list: LogList, sel: LogSelection): LogListEntry[] {
  const states = new Set(sel.states ?? ["usable", "qualified", "readonly"]);
  return list.logs.filter(
    (l) =>
      states.has(l.state) &&
      (sel.includeTestLogs || l.logType !== "test") &&
      (sel.includeExpiredShards ||
        l.temporalInterval === undefined ||
        l.temporalInterval.endExclusiveMs > sel.nowMs),
  );
}

/** Where a list comes from: a URL or a pinned local file, with an optional detached signature. */
export interface LogListSource {
  /** https URL of the JSON (exactly one of `url` / `file`). */
  url?: string;
  /** Local path of the JSON (a pinned list). */
  file?: string;
  /** URL of the signature over the JSON's bytes. */
  signatureUrl?: string;
  /** Local path of the signature. */
  signatureFile?: string;
  /** PEM public key checking the signature; default Google's when a signature is given. */
  publicKey?: string;
}

/**
 * Loads, verifies and parses a log list. When the source names a signature, the JSON's exact bytes
 * must verify (RSA-SHA256) or the whole list is rejected (`bad-signature`): a list is trusted as a
 * whole or not at all. `fetchBytes` does the HTTP (bounded, e.g. `HttpFetcher.get`).
 */
export async function loadLogList(
  source: LogListSource,
  fetchBytes: (url: string, signal?: AbortSignal) => Promise<Uint8Array>,
  signal?: AbortSignal,
): Promise<LogList> {
  const read = async (url?: string, file?: string): Promise<Uint8Array | undefined> => {
    try {
      if (file !== undefined) return new Uint8Array(await readFile(file));
      if (url !== undefined) return await fetchBytes(url, signal);
    } catch (cause) {
      if (signal?.aborted) throw signal.reason;
      throw new LogListError(`cannot read ${file ?? url}: ${(cause as Error).message}`, "unavailable", {
        cause,
      });
    }
    return undefined;
  };
  const json = await read(source.url, source.file);
  if (json === undefined) throw new LogListError("log list source has neither url nor file", "unavailable");
  if (json.length > MAX_LOG_LIST_BYTES)
    throw new LogListError(`log list of ${json.length} bytes`, "too-large");
  const sig = await read(source.signatureUrl, source.signatureFile);
  if (
    sig !== undefined &&
    !verifyLogListSignature(json, sig, source.publicKey ?? GOOGLE_LOG_LIST_PUBLIC_KEY)
  ) {
    throw new LogListError(`signature of ${source.file ?? source.url} does not verify`, "bad-signature");
  }
  if (sig === undefined && source.publicKey !== undefined) {
    throw new LogListError(
      `${source.file ?? source.url}: a public key is set but no signature`,
      "bad-signature",
    );
  }
  return parseLogList(json);
}
