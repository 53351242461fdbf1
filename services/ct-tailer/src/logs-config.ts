import { readFileSync } from "node:fs";
import path from "node:path";
import { type CtLogKey, ctLogKey } from "@ctwatch/ct";
import {
  GOOGLE_LOG_LIST_PUBLIC_KEY,
  LOG_STATES,
  type LogListSource,
  type LogState,
} from "@ctwatch/ct-client";
import type { StartPosition } from "./log-tailer.js";

/** Per-log settings an operator may set (every field optional; later layers win). */
export interface LogSettingsPatch {
  start?: StartPosition;
  backfills?: Array<{ from: number; to: number }>;
  requestsPerSecond?: number;
  maxConcurrency?: number;
  timeoutMs?: number;
  pollIntervalMs?: number;
  partialTileMinAgeMs?: number;
  tilesPerBatch?: number;
  entriesPerBatch?: number;
  maxPageSize?: number;
  /** true: do not tail this log at all. */
  disabled?: boolean;
}

/** A log the operator adds by hand (not in any list, or pinned with its own identity). */
export interface AddedLog extends LogSettingsPatch {
  name: string;
  api: "static-ct" | "rfc6962";
  url: string;
  key: CtLogKey;
  origin?: string;
}

/** The operator's logs file (`CTWATCH_LOGS_CONFIG`), parsed. */
export interface LogsConfig {
  /** Lists to read, in order (a log listed twice keeps its first entry). */
  logLists: LogListSource[];
  /** States to tail; default usable, qualified, readonly. */
  states?: LogState[];
  /** Keep shards whose temporal interval is over; default false. */
  includeExpiredShards: boolean;
  /** When set, only these logs (log IDs or URLs) are tailed from the lists. */
  only?: string[];
  /** Logs (log IDs or URLs) never tailed. */
  exclude: string[];
  /** Logs added by hand. */
  add: AddedLog[];
  /** Settings for every log of this file. */
  defaults: LogSettingsPatch;
  /** Settings per log, by log ID (base64) or URL. */
  overrides: Record<string, LogSettingsPatch>;
}

/** Why the logs file was rejected: one line per problem, each naming its JSON path. */
export class LogsConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`invalid logs config ${file}:\n  ${problems.join("\n  ")}`);
    this.name = "LogsConfigError";
  }
}

/** Parses "now", "first", "index:N" or a number. */
export function parseStart(v: unknown): StartPosition {
  if (v === "now") return { kind: "now" };
  if (v === "first") return { kind: "index", index: 0 };
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return { kind: "index", index: v };
  const m = typeof v === "string" ? /^index:(\d{1,15})$/.exec(v) : null;
  if (m) return { kind: "index", index: Number(m[1]) };
  throw new Error('expected "now", "first" or "index:N"');
}

/** Parses backfill ranges: "from-to" strings (or {from, to}), to > from, [from, to). */
export function parseBackfills(v: unknown): Array<{ from: number; to: number }> {
  const items = typeof v === "string" ? v.split(",").filter((s) => s.trim() !== "") : v;
  if (!Array.isArray(items)) throw new Error('expected a list of "from-to" ranges');
  return items.map((item: unknown) => {
    let from: number;
    let to: number;
    if (typeof item === "string") {
      const m = /^\s*(\d{1,15})-(\d{1,15})\s*$/.exec(item);
      if (!m) throw new Error(`"${item}" is not "from-to"`);
      from = Number(m[1]);
      to = Number(m[2]);
    } else if (typeof item === "object" && item !== null) {
      from = (item as { from?: unknown }).from as number;
      to = (item as { to?: unknown }).to as number;
    } else throw new Error('expected "from-to"');
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to <= from)
      throw new Error(`backfill ${from}-${to}: expected 0 <= from < to`);
    return { from, to };
  });
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const INT_FIELDS: Array<[keyof LogSettingsPatch, string, number, number]> = [
  ["requestsPerSecond", "requestsPerSecond", 1, 10_000],
  ["maxConcurrency", "concurrency", 1, 256],
  ["timeoutMs", "timeoutMs", 100, 600_000],
  ["pollIntervalMs", "pollIntervalMs", 50, 600_000],
  ["partialTileMinAgeMs", "partialTileMinAgeMs", 0, 3_600_000],
  ["tilesPerBatch", "tilesPerBatch", 1, 1024],
  ["entriesPerBatch", "entriesPerBatch", 1, 1_000_000],
  ["maxPageSize", "maxPageSize", 1, 100_000],
];

function settings(v: unknown, at: string, problems: string[]): LogSettingsPatch {
  if (v === undefined) return {};
  if (!isObj(v)) {
    problems.push(`${at}: expected an object`);
    return {};
  }
  const out: LogSettingsPatch = {};
  for (const [field, json, min, max] of INT_FIELDS) {
    const x = v[json];
    if (x === undefined) continue;
    if (typeof x !== "number" || !Number.isInteger(x) || x < min || x > max)
      problems.push(`${at}.${json}: expected an integer between ${min} and ${max}`);
    else (out as Record<string, number>)[field] = x;
  }
  const tryField = <T>(json: string, f: (x: unknown) => T, set: (t: T) => void) => {
    if (v[json] === undefined) return;
    try {
      set(f(v[json]));
    } catch (err) {
      problems.push(`${at}.${json}: ${(err as Error).message}`);
    }
  };
  tryField("start", parseStart, (s) => {
    out.start = s;
  });
  tryField("backfill", parseBackfills, (b) => {
    out.backfills = b;
  });
  if (v.disabled !== undefined) {
    if (typeof v.disabled !== "boolean") problems.push(`${at}.disabled: expected true or false`);
    else out.disabled = v.disabled;
  }
  return out;
}

function strings(v: unknown, at: string, problems: string[]): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) {
    problems.push(`${at}: expected a list of strings`);
    return [];
  }
  return v as string[];
}

/** A key given inline (base64 DER or PEM) or as "@path". */
function readKey(v: unknown, baseDir: string): string {
  if (typeof v !== "string" || v === "") throw new Error("expected a key (base64 DER, PEM or @file)");
  if (v === "google") return GOOGLE_LOG_LIST_PUBLIC_KEY;
  return v.startsWith("@") ? readFileSync(path.resolve(baseDir, v.slice(1)), "utf8").trim() : v;
}

/**
 * Parses the operator's logs file. `baseDir` resolves relative file paths (the file's directory).
 * Throws {@link LogsConfigError} naming every problem.
 *
 * ```json
 * {
 *   "logLists": [{ "url": "https://www.gstatic.com/ct/log_list/v3/log_list.json",
 *                  "signatureUrl": "https://www.gstatic.com/ct/log_list/v3/log_list.sig", "publicKey": "google" }],
 *   "states": ["usable", "qualified", "readonly"],
 *   "exclude": ["<log id>"],
 *   "add": [{ "name": "my log", "api": "static-ct", "url": "https://mon.example/", "key": "MFkw...", "origin": "log.example" }],
 *   "defaults": { "start": "now", "requestsPerSecond": 5 },
 *   "overrides": { "https://ct.googleapis.com/logs/us1/argon2026h2/": { "requestsPerSecond": 2, "backfill": ["0-1000"] } }
 * }
 * ```
 */
export function parseLogsConfig(text: string, file: string): LogsConfig {
  const baseDir = path.dirname(path.resolve(file));
  const problems: string[] = [];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new LogsConfigError(file, [`not JSON: ${(err as Error).message}`]);
  }
  if (!isObj(doc)) throw new LogsConfigError(file, ["expected a JSON object"]);
  const known = new Set([
    "logLists",
    "states",
    "includeExpiredShards",
    "only",
    "exclude",
    "add",
    "defaults",
    "overrides",
  ]);
  for (const k of Object.keys(doc)) if (!known.has(k)) problems.push(`${k}: unknown field`);

  const logLists: LogListSource[] = [];
  const lists = doc.logLists ?? [];
  if (!Array.isArray(lists)) problems.push("logLists: expected a list");
  else
    lists.forEach((l: unknown, i: number) => {
      const at = `logLists[${i}]`;
      if (!isObj(l)) {
        problems.push(`${at}: expected an object`);
        return;
      }
      const src: LogListSource = {};
      for (const f of ["url", "signatureUrl"] as const) {
        const x = l[f];
        if (x === undefined) continue;
        if (typeof x !== "string" || !/^https?:\/\//.test(x))
          problems.push(`${at}.${f}: expected an http(s) URL`);
        else src[f] = x;
      }
      for (const f of ["file", "signatureFile"] as const) {
        const x = l[f];
        if (x === undefined) continue;
        if (typeof x !== "string" || x === "") problems.push(`${at}.${f}: expected a path`);
        else src[f] = path.resolve(baseDir, x);
      }
      if ((src.url === undefined) === (src.file === undefined))
        problems.push(`${at}: give exactly one of url, file`);
      if (l.publicKey !== undefined) {
        try {
          src.publicKey = readKey(l.publicKey, baseDir);
        } catch (err) {
          problems.push(`${at}.publicKey: ${(err as Error).message}`);
        }
      }
      logLists.push(src);
    });

  let states: LogState[] | undefined;
  if (doc.states !== undefined) {
    const s = strings(doc.states, "states", problems);
    const bad = s.filter((x) => !(LOG_STATES as readonly string[]).includes(x));
    if (bad.length > 0)
      problems.push(`states: unknown ${bad.join(", ")} (expected ${LOG_STATES.join(", ")})`);
    else states = s as LogState[];
  }
  if (doc.includeExpiredShards !== undefined && typeof doc.includeExpiredShards !== "boolean")
    problems.push("includeExpiredShards: expected true or false");

  const add: AddedLog[] = [];
  const added = doc.add ?? [];
  if (!Array.isArray(added)) problems.push("add: expected a list");
  else
    added.forEach((a: unknown, i: number) => {
      const at = `add[${i}]`;
      if (!isObj(a)) {
        problems.push(`${at}: expected an object`);
        return;
      }
      const before = problems.length;
      if (a.api !== "static-ct" && a.api !== "rfc6962")
        problems.push(`${at}.api: expected "static-ct" or "rfc6962"`);
      if (typeof a.url !== "string" || !/^https?:\/\//.test(a.url))
        problems.push(`${at}.url: expected an http(s) URL`);
      let key: CtLogKey | undefined;
      try {
        key = ctLogKey(readKey(a.key, baseDir));
      } catch (err) {
        problems.push(`${at}.key: ${(err as Error).message}`);
      }
      if (a.origin !== undefined && (typeof a.origin !== "string" || a.origin === ""))
        problems.push(`${at}.origin: expected a string`);
      const patch = settings(a, at, problems);
      if (problems.length > before || !key) return;
      add.push({
        ...patch,
        name: typeof a.name === "string" && a.name !== "" ? a.name : (a.url as string),
        api: a.api as AddedLog["api"],
        url: a.url as string,
        key,
        ...(typeof a.origin === "string" ? { origin: a.origin } : {}),
      });
    });

  const overrides: Record<string, LogSettingsPatch> = {};
  if (doc.overrides !== undefined) {
    if (!isObj(doc.overrides)) problems.push("overrides: expected an object keyed by log ID or URL");
    else
      for (const [k, v] of Object.entries(doc.overrides))
        overrides[k] = settings(v, `overrides["${k}"]`, problems);
  }
  const defaults = settings(doc.defaults, "defaults", problems);
  const only = doc.only === undefined ? undefined : strings(doc.only, "only", problems);
  const exclude = strings(doc.exclude, "exclude", problems);
  if (problems.length > 0) throw new LogsConfigError(file, problems);
  return {
    logLists,
    ...(states ? { states } : {}),
    includeExpiredShards: doc.includeExpiredShards === true,
    ...(only ? { only } : {}),
    exclude,
    add,
    defaults,
    overrides,
  };
}
