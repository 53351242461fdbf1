import type { CtLogKey } from "@ctwatch/ct";
import { HttpFetcher, type IssuerCache, Rfc6962Client, StaticCtClient } from "@ctwatch/ct-client";
import type { Codec, TopicNames, TypedProducer } from "@ctwatch/kafka";
import type { CertificateEntry } from "@ctwatch/proto";
import type { Logger, Metrics } from "@ctwatch/runtime";
import type { CheckpointStore } from "@ctwatch/store";
import type { LogSource } from "./log-source.js";
import { LogTailer, type StartPosition, type TailerStatus } from "./log-tailer.js";
import type { MisbehaviourReporter } from "./misbehaviour.js";
import { Rfc6962LogSource } from "./rfc6962-log-source.js";
import { StaticLogSource } from "./static-log-source.js";

/** Everything needed to tail one log; built from the log list, the operator's file and the environment. */
export interface TailedLog {
  /** RFC 6962 log ID, base64: the key of the log's checkpoint. */
  readonly logId: string;
  readonly name: string;
  readonly api: "static-ct" | "rfc6962";
  /** RFC 6962 log URL or static-ct-api monitoring prefix. */
  readonly url: string;
  readonly key: CtLogKey;
  /** static-ct-api: expected checkpoint origin (default: not checked). */
  readonly origin?: string;
  /** Where to start when the log has no checkpoint yet. */
  readonly start: StartPosition;
  /** Ranges [from, to) to publish in addition, each with its own checkpoint (resumable). */
  readonly backfills: ReadonlyArray<{ readonly from: number; readonly to: number }>;
  /** HTTP limits of this log. */
  readonly requestsPerSecond: number;
  readonly maxConcurrency: number;
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
  /** static-ct-api: partial tiles are fetched once the tree has ended in them for this long, ms. */
  readonly partialTileMinAgeMs: number;
  /** static-ct-api: data tiles per batch. */
  readonly tilesPerBatch: number;
  /** RFC 6962: entries per batch and the largest get-entries page asked. */
  readonly entriesPerBatch: number;
  readonly maxPageSize: number;
}

/** Tailer settings every log shares. */
export interface TailerDefaults {
  verifyAttempts: number;
  pauseRecheckMs: number;
  headMaxAgeMs: number;
  maxSendBytes: number;
}

/** Collaborators of the supervisor (shared by every log). */
export interface SupervisorDeps {
  producer: TypedProducer;
  topics: TopicNames;
  codec: Codec<CertificateEntry>;
  checkpoints: CheckpointStore;
  reporter: MisbehaviourReporter;
  issuers: IssuerCache;
  logger: Logger;
  metrics: Metrics;
  defaults: TailerDefaults;
  fetch?: typeof fetch;
  now?: () => number;
}

/** One log's status, for the health endpoint and tests. */
export interface LogStatus {
  readonly logId: string;
  readonly name: string;
  readonly url: string;
  /** The live tailer, then one per backfill (keys `<logId>#backfill:<from>-<to>`). */
  readonly tailers: ReadonlyArray<{ readonly key: string; readonly status: TailerStatus }>;
}

interface Running {
  spec: TailedLog;
  fingerprint: string;
  tailers: Array<{ key: string; tailer: LogTailer; ac: AbortController; done: Promise<void> }>;
}

/** A live tailer counts as unhealthy after this many failed rounds in a row. */
const UNHEALTHY_AFTER_FAILURES = 5;

function fingerprint(spec: TailedLog): string {
  return JSON.stringify({ ...spec, key: Buffer.from(spec.key.spkiDer).toString("base64") });
}

/**
 * Runs one `LogTailer` per log (and one per backfill range), sharing the producer, the checkpoint
 * store, the issuer cache and the misbehaviour reporter; each log has its own `HttpFetcher`, so
 * rate limits, concurrency and adaptive slow-down are per log. `apply` reconciles the running set
 * with a new list (log list reload, config change) without a restart: new logs start, removed ones
 * stop (draining their batch in flight), changed ones restart from their checkpoint.
 */
export class LogSupervisor {
  private readonly running = new Map<string, Running>();
  private stopping: Promise<void> | undefined;
  private applying: Promise<void> = Promise.resolve();

  constructor(private readonly deps: SupervisorDeps) {}

  /** Reconciles the running tailers with `logs` (serialised with other calls). */
  apply(logs: readonly TailedLog[]): Promise<void> {
    this.applying = this.applying.then(() => this.reconcile(logs));
    return this.applying;
  }

  private async reconcile(logs: readonly TailedLog[]): Promise<void> {
    if (this.stopping) return;
    const wanted = new Map(logs.map((l) => [l.logId, l]));
    const stops: Array<Promise<void>> = [];
    for (const [id, r] of this.running) {
      const next = wanted.get(id);
      if (!next || fingerprint(next) !== r.fingerprint) {
        this.running.delete(id);
        this.deps.logger.info(next ? "log settings changed: restarting" : "log no longer listed: stopping", {
          log: r.spec.url,
        });
        stops.push(stopRunning(r));
      }
    }
    await Promise.all(stops);
    for (const spec of logs) {
      if (this.running.has(spec.logId)) continue;
      this.running.set(spec.logId, this.start(spec));
      this.deps.logger.info("tailing log", { log: spec.url, logName: spec.name, api: spec.api });
    }
  }

  private start(spec: TailedLog): Running {
    const d = this.deps;
    const http = new HttpFetcher({
      logLabel: spec.url,
      metrics: d.metrics,
      requestsPerSecond: spec.requestsPerSecond,
      maxConcurrency: spec.maxConcurrency,
      timeoutMs: spec.timeoutMs,
      ...(d.fetch ? { fetch: d.fetch } : {}),
    });
    const source = (): LogSource =>
      spec.api === "static-ct"
        ? new StaticLogSource(
            {
              url: spec.url,
              key: spec.key,
              ...(spec.origin !== undefined ? { origin: spec.origin } : {}),
              partialTileMinAgeMs: spec.partialTileMinAgeMs,
              tilesPerBatch: spec.tilesPerBatch,
            },
            {
              client: new StaticCtClient(spec.url, http),
              issuers: d.issuers,
              logger: d.logger,
              metrics: d.metrics,
              ...(d.now ? { now: d.now } : {}),
            },
          )
        : new Rfc6962LogSource(
            {
              url: spec.url,
              key: spec.key,
              maxPageSize: spec.maxPageSize,
              entriesPerBatch: spec.entriesPerBatch,
            },
            { client: new Rfc6962Client(spec.url, http), metrics: d.metrics },
          );
    const jobs: Array<{ key: string; start: StartPosition; endIndex?: number }> = [
      { key: spec.logId, start: spec.start },
      ...spec.backfills.map((b) => ({
        key: `${spec.logId}#backfill:${b.from}-${b.to}`,
        start: { kind: "index" as const, index: b.from },
        endIndex: b.to,
      })),
    ];
    const tailers = jobs.map((job) => {
      const tailer = new LogTailer(
        {
          checkpointKey: job.key,
          logId: spec.key.logId,
          url: spec.url,
          name: job.endIndex === undefined ? spec.name : `${spec.name} (backfill)`,
          start: job.start,
          ...(job.endIndex !== undefined ? { endIndex: job.endIndex } : {}),
          pollIntervalMs: spec.pollIntervalMs,
          ...d.defaults,
        },
        {
          source: source(),
          producer: d.producer,
          topics: d.topics,
          codec: d.codec,
          checkpoints: d.checkpoints,
          reporter: d.reporter,
          logger: d.logger,
          metrics: d.metrics,
          ...(d.now ? { now: d.now } : {}),
        },
      );
      const ac = new AbortController();
      const done = tailer.run(ac.signal).catch((err: unknown) => {
        d.logger.error("tailer ended with an error", { log: spec.url, key: job.key, err });
      });
      return { key: job.key, tailer, ac, done };
    });
    return { spec, fingerprint: fingerprint(spec), tailers };
  }

  /** Status of every log, in start order. */
  status(): LogStatus[] {
    return [...this.running.values()].map((r) => ({
      logId: r.spec.logId,
      name: r.spec.name,
      url: r.spec.url,
      tailers: r.tailers.map((t) => ({ key: t.key, status: t.tailer.status() })),
    }));
  }

  /**
   * Readiness per log (`log:<name>`): false while the log is paused for misbehaviour or its live
   * tailer has failed 5 rounds in a row (transport trouble it is riding out).
   */
  readiness(): Record<string, boolean> {
    const out: Record<string, boolean> = {};
    for (const r of this.running.values()) {
      const live = r.tailers[0]?.tailer.status();
      out[`log:${r.spec.name}`] =
        live !== undefined && live.state !== "paused" && live.consecutiveFailures < UNHEALTHY_AFTER_FAILURES;
    }
    return out;
  }

  /** Stops every tailer: intake stops, batches in flight are published and checkpointed. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.applying.catch(() => {});
      const all = [...this.running.values()];
      this.running.clear();
      await Promise.all(all.map(stopRunning));
    })();
    return this.stopping;
  }
}

async function stopRunning(r: Running): Promise<void> {
  for (const t of r.tailers) t.ac.abort(new Error("stopping"));
  await Promise.all(r.tailers.map((t) => t.done));
}
