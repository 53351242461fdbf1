import { HttpFetcher, IssuerCache, MAX_LOG_LIST_BYTES } from "@ctwatch/ct-client";
import { protoCodec, type TopicNames, type TopicSpec, type TypedProducer } from "@ctwatch/kafka";
import { CertificateEntrySchema } from "@ctwatch/proto";
import { ConfigError, type Logger, type Metrics, type Stoppable } from "@ctwatch/runtime";
import type { CheckpointStore } from "@ctwatch/store";
import type { CtTailerConfig } from "./config.js";
import { type Catalog, loadCatalog } from "./log-catalog.js";
import { type LogStatus, LogSupervisor } from "./log-supervisor.js";
import { LogsConfigError } from "./logs-config.js";
import { OpsMisbehaviourReporter } from "./misbehaviour.js";

/** Collaborators of the tailer service. */
export interface CtTailerDeps {
  producer: TypedProducer;
  checkpoints: CheckpointStore;
  topics: TopicNames;
  logger: Logger;
  metrics: Metrics;
  fetch?: typeof fetch;
  now?: () => number;
}

/** The running service: a supervisor over the catalogued logs, reloaded periodically. */
export interface CtTailer extends Stoppable {
  /** Per-log and catalog readiness, for `/readyz`. */
  readiness(): Record<string, boolean>;
  /** Status of every log. */
  status(): LogStatus[];
  /** Reloads the logs file and lists now and applies them (what the timer does). */
  reload(): Promise<void>;
}

/** The misbehaviour-events topic (one partition: a handful of events, in order). */
export function eventsTopicSpec(name: string): TopicSpec {
  return { name, partitions: 1, retentionMs: 90 * 86_400_000, maxMessageBytes: 1 << 20 };
}

/**
 * Starts tailing: builds the catalog (CTWATCH_LOG_URL and/or CTWATCH_LOGS_CONFIG with its log
 * lists), starts one tailer per log, and reloads the catalog every `logsRefreshMs` without a
 * restart. A logs file that does not parse at start is a ConfigError (exit 2); a list that cannot be
 * fetched is retried every 30 s meanwhile (readiness `catalog` stays false until one load succeeds);
 * after that, a failed reload keeps the current logs.
 */
export async function startCtTailer(cfg: CtTailerConfig, deps: CtTailerDeps): Promise<CtTailer> {
  const { logger, metrics } = deps;
  const now = deps.now ?? Date.now;
  const supervisor = new LogSupervisor({
    producer: deps.producer,
    topics: deps.topics,
    codec: protoCodec(CertificateEntrySchema),
    checkpoints: deps.checkpoints,
    reporter: new OpsMisbehaviourReporter({
      logger,
      metrics,
      producer: deps.producer,
      ...(cfg.eventsTopic ? { topic: cfg.eventsTopic } : {}),
    }),
    issuers: new IssuerCache(),
    logger,
    metrics,
    defaults: cfg.tailer,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  const listHttp = new HttpFetcher({
    logLabel: "log-list",
    metrics,
    requestsPerSecond: 2,
    maxConcurrency: 2,
    timeoutMs: 30_000,
    maxResponseBytes: MAX_LOG_LIST_BYTES,
    maxAttempts: 3,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  const catalogErrors = metrics.counter(
    "ctwatch_log_catalog_errors_total",
    "Failed reloads of log lists / logs file",
  );
  const logsGauge = metrics.gauge("ctwatch_logs_tailed", "Logs being tailed");
  const ac = new AbortController();
  let loaded = false;
  let lastProblems = "";

  const load = async (): Promise<Catalog> =>
    loadCatalog(
      {
        envDefaults: cfg.logDefaults,
        envStart: cfg.start,
        single: cfg.single,
        file: cfg.logsConfigFile,
        nowMs: now(),
        fetchBytes: (u, s) => listHttp.get(u, s),
      },
      ac.signal,
    );
  const apply = async (catalog: Catalog) => {
    const problems = catalog.problems.join("\n");
    if (problems && problems !== lastProblems)
      logger.warn("some listed logs are not tailed", { problems: catalog.problems });
    lastProblems = problems;
    await supervisor.apply(catalog.logs);
    logsGauge.set(catalog.logs.length);
    loaded = true;
  };
  const reload = async () => {
    try {
      await apply(await load());
    } catch (err) {
      if (ac.signal.aborted) return;
      catalogErrors.inc();
      logger.warn(
        loaded
          ? "log catalog reload failed; keeping the current logs"
          : "log catalog not loaded yet; retrying",
        {
          err,
        },
      );
      throw err;
    }
  };

  try {
    await apply(await load());
  } catch (err) {
    if (err instanceof LogsConfigError) throw new ConfigError([`CTWATCH_LOGS_CONFIG: ${err.message}`]);
    catalogErrors.inc();
    logger.warn("log catalog not loaded yet; retrying every 30 s", { err });
  }
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    timer = setTimeout(
      () => {
        void reload()
          .catch(() => {})
          .finally(() => {
            if (!ac.signal.aborted) schedule();
          });
      },
      loaded ? cfg.logsRefreshMs : 30_000,
    );
    timer.unref();
  };
  schedule();

  let stopped: Promise<void> | undefined;
  return {
    name: "ct-tailer",
    readiness: () => ({ catalog: loaded, ...supervisor.readiness() }),
    status: () => supervisor.status(),
    reload,
    stop() {
      stopped ??= (async () => {
        ac.abort(new Error("stopping"));
        clearTimeout(timer);
        await supervisor.stop();
      })();
      return stopped;
    },
  };
}
