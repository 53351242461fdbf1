import { HttpFetcher, StaticCtClient } from "@ctwatch/ct-client";
import { protoCodec, type TopicNames, type TypedProducer } from "@ctwatch/kafka";
import { CertificateEntrySchema } from "@ctwatch/proto";
import type { Logger, Metrics, Stoppable } from "@ctwatch/runtime";
import type { CheckpointStore } from "@ctwatch/store";
import type { CtTailerConfig } from "./config.js";
import { StaticLogTailer } from "./static-log-tailer.js";

/** Collaborators of the tailer service. */
export interface CtTailerDeps {
  producer: TypedProducer;
  checkpoints: CheckpointStore;
  topics: TopicNames;
  logger: Logger;
  metrics: Metrics;
  fetch?: typeof fetch;
}

/** The running tailer. */
export interface CtTailer extends Stoppable {
  /** Resolves when the tail loop has ended (after stop, or never while running). */
  readonly done: Promise<void>;
}

/** Starts tailing the configured log; `stop()` ends the loop after the current round. */
export function startCtTailer(cfg: CtTailerConfig["log"], deps: CtTailerDeps): CtTailer {
  const http = new HttpFetcher({
    logLabel: cfg.url,
    metrics: deps.metrics,
    requestsPerSecond: cfg.requestsPerSecond,
    maxConcurrency: cfg.maxConcurrency,
    timeoutMs: cfg.timeoutMs,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  const tailer = new StaticLogTailer(cfg, {
    client: new StaticCtClient(cfg.url, http),
    producer: deps.producer,
    topics: deps.topics,
    codec: protoCodec(CertificateEntrySchema),
    checkpoints: deps.checkpoints,
    logger: deps.logger,
    metrics: deps.metrics,
  });
  const ac = new AbortController();
  const done = tailer.run(ac.signal);
  return {
    name: `ct-tailer:${cfg.url}`,
    done,
    async stop() {
      ac.abort(new Error("stopping"));
      await done;
    },
  };
}
