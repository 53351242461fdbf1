import { readFile } from "node:fs/promises";
import { ctLogKey } from "@ctwatch/ct";
import { type LogList, type LogListEntry, loadLogList, selectLogs } from "@ctwatch/ct-client";
import type { LogSettings } from "./config.js";
import type { TailedLog } from "./log-supervisor.js";
import type { StartPosition } from "./log-tailer.js";
import { type AddedLog, type LogSettingsPatch, type LogsConfig, parseLogsConfig } from "./logs-config.js";

/** What the catalog builds the tailed logs from. */
export interface CatalogInputs {
  /** The environment's per-log defaults. */
  envDefaults: LogSettings;
  /** CTWATCH_START, when set: the default start of listed logs too. */
  envStart: StartPosition | undefined;
  /** The log given by CTWATCH_LOG_URL. */
  single: AddedLog | undefined;
  /** The parsed logs file. */
  file: LogsConfig | undefined;
  /** The file's log lists, loaded and verified (same order as `file.logLists`). */
  lists: LogList[];
  nowMs: number;
}

/** The logs to tail, and why some listed logs are not tailed. */
export interface Catalog {
  logs: TailedLog[];
  /** One line per skipped or malformed log. */
  problems: string[];
}

/** static-ct-api origin line: the submission prefix without scheme and trailing slash. */
function originOf(submissionUrl: string | undefined): string | undefined {
  if (submissionUrl === undefined) return undefined;
  return submissionUrl.replace(/^https?:\/\//, "").replace(/\/+$/, "");
}

function merge(...layers: Array<LogSettingsPatch | undefined>): LogSettingsPatch {
  const out: LogSettingsPatch = {};
  for (const l of layers)
    if (l) for (const [k, v] of Object.entries(l)) if (v !== undefined) Object.assign(out, { [k]: v });
  return out;
}

/** What a log is before settings: from the log list, a hand-added log or CTWATCH_LOG_URL. */
interface LogBase {
  logId: string;
  name: string;
  api: TailedLog["api"];
  url: string;
  key: TailedLog["key"];
  origin?: string;
}

/** A log with its own settings and default start layered on: undefined when it is disabled. */
type BuildLog = (
  base: LogBase,
  own: LogSettingsPatch | undefined,
  defaultStart: StartPosition,
) => TailedLog | undefined;

/**
 * Builds the tailed logs (pure): listed logs selected by state and temporal interval, minus
 * `exclude`, within `only`; plus the logs added by hand (which win over a list entry of the same log
 * ID) and the CTWATCH_LOG_URL log. Settings are layered: environment < file defaults < the log's own
 * (added logs) < overrides by log ID < overrides by URL. Listed logs start "now" unless told
 * otherwise: a new deployment follows the logs rather than downloading their history.
 */
export function buildCatalog(inp: CatalogInputs): Catalog {
  const problems: string[] = [];
  const file = inp.file;
  const chosen = new Map<string, TailedLog>();
  const skip = (l: { logId: string; url: string }, list: string[] | undefined) =>
    list?.includes(l.logId) || list?.includes(l.url);

  const build: BuildLog = (base, own, defaultStart) => {
    const s = merge(
      inp.envDefaults,
      file?.defaults,
      own,
      file?.overrides[base.logId],
      file?.overrides[base.url],
    );
    if (s.disabled) return undefined;
    const d = inp.envDefaults;
    return {
      ...base,
      start: s.start ?? defaultStart,
      backfills: s.backfills ?? [],
      requestsPerSecond: s.requestsPerSecond ?? d.requestsPerSecond,
      maxConcurrency: s.maxConcurrency ?? d.maxConcurrency,
      timeoutMs: s.timeoutMs ?? d.timeoutMs,
      pollIntervalMs: s.pollIntervalMs ?? d.pollIntervalMs,
      partialTileMinAgeMs: s.partialTileMinAgeMs ?? d.partialTileMinAgeMs,
      tilesPerBatch: s.tilesPerBatch ?? d.tilesPerBatch,
      entriesPerBatch: s.entriesPerBatch ?? d.entriesPerBatch,
      maxPageSize: s.maxPageSize ?? d.maxPageSize,
    };
  };

  const added = [...(inp.single ? [inp.single] : []), ...(file?.add ?? [])];
  for (const a of added) {
    const logId = Buffer.from(a.key.logId).toString("base64");
    if (chosen.has(logId)) {
      problems.push(`${a.name}: added twice; the first one is used`);
      continue;
    }
    const t = build(
      { logId, name: a.name, api: a.api, url: a.url, key: a.key, ...(a.origin ? { origin: a.origin } : {}) },
      a,
      a.start ?? inp.envStart ?? { kind: "now" },
    );
    if (t) chosen.set(logId, t);
  }

  const listedStart = file?.defaults.start ?? inp.envStart ?? { kind: "now" };
  inp.lists.forEach((list) => {
    problems.push(...list.problems);
    const selected = selectLogs(list, {
      nowMs: inp.nowMs,
      ...(file?.states ? { states: file.states } : {}),
      includeExpiredShards: file?.includeExpiredShards ?? false,
    });
    for (const l of selected) {
      if (chosen.has(l.logId)) continue;
      if (skip(l, file?.exclude) || (file?.only !== undefined && !skip(l, file.only))) continue;
      const t = fromListEntry(l, build, listedStart, problems);
      if (t) chosen.set(l.logId, t);
    }
  });
  return { logs: [...chosen.values()], problems };
}

function fromListEntry(
  l: LogListEntry,
  build: BuildLog,
  start: StartPosition,
  problems: string[],
): TailedLog | undefined {
  try {
    const origin = l.api === "static-ct" ? originOf(l.submissionUrl) : undefined;
    return build(
      {
        logId: l.logId,
        name: l.description,
        api: l.api,
        url: l.url,
        key: ctLogKey(l.key),
        ...(origin ? { origin } : {}),
      },
      undefined,
      start,
    );
  } catch (err) {
    problems.push(`${l.description}: ${(err as Error).message}`);
    return undefined;
  }
}

/** Reads the logs file and its lists (I/O), then {@link buildCatalog}. Throws when the file or a list is unusable. */
export async function loadCatalog(
  opts: Omit<CatalogInputs, "file" | "lists"> & {
    file: string | undefined;
    fetchBytes: (url: string, signal?: AbortSignal) => Promise<Uint8Array>;
  },
  signal?: AbortSignal,
): Promise<Catalog> {
  const file =
    opts.file === undefined ? undefined : parseLogsConfig(await readFile(opts.file, "utf8"), opts.file);
  const lists: LogList[] = [];
  for (const src of file?.logLists ?? []) lists.push(await loadLogList(src, opts.fetchBytes, signal));
  return buildCatalog({ ...opts, file, lists });
}
