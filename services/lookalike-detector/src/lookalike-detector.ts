import { LOOKALIKE_PRESETS, type LookalikeIndexOptions } from "@ctwatch/detect-lookalike";
import {
  type Codec,
  protoCodec,
  type RunningConsumer,
  startConsumer,
  type TopicNames,
  type TypedProducer,
} from "@ctwatch/kafka";
import { type Alert, AlertSchema, type CertificateEntry, CertificateEntrySchema } from "@ctwatch/proto";
import type { Logger, Metrics, Stoppable } from "@ctwatch/runtime";
import { alertPublisher, withEntrySources } from "@ctwatch/service-kit";
import type { WatchlistStore } from "@ctwatch/store";
import type { Kafka } from "kafkajs";
import { lookalikeHandler } from "./lookalike-handler.js";
import { LookalikeIndexRefresher } from "./lookalike-index-refresher.js";

/** What the detector needs from the outside world. */
export interface LookalikeDetectorDeps {
  kafka: Kafka;
  producer: TypedProducer;
  watchlist: WatchlistStore;
  logger: Logger;
  metrics: Metrics;
}

/** Settings of the detector (parsed config). */
export interface LookalikeDetectorSettings {
  groupId: string;
  topics: TopicNames;
  watchlistRefreshMs: number;
  fromBeginning: boolean;
  preset: keyof typeof LOOKALIKE_PRESETS;
  /** Minimum alert score, 0-1 (`LookalikeIndexOptions.minScore`). Default 0. */
  minScore?: number;
  /** Most edits at once for long brands, 1-3 (see {@link indexOptionsFor}). Default 3. */
  maxEdits?: number;
  /** See `LookalikeHandlerDeps.trustCoCertified`. Default true. */
  trustCoCertified?: boolean;
  maxBrands: number;
  seenIssuances: number;
  maxEvidence: number;
}

/** The running detector. */
export interface LookalikeDetector extends Stoppable {
  /** Resolves once the consumer joined its group. */
  readonly ready: Promise<void>;
  /** Whether the first index has been built (readiness). */
  indexReady(): boolean;
}

/** Codec of the entries topic: entries above 1 MiB are dead-lettered. */
export const entryCodec: Codec<CertificateEntry> = protoCodec(CertificateEntrySchema, 1 << 20);
const alertCodec: Codec<Alert> = protoCodec(AlertSchema);

/**
 * The index options of the settings: the preset, the minimum score, and `maxEdits` as a cap
 * on multi-edit matching (1: none, 2: no three-edit matches). The cap never turns on what the
 * preset leaves off (`precise` has no multi-edit at all).
 */
export function indexOptionsFor(
  s: Pick<LookalikeDetectorSettings, "preset" | "minScore" | "maxEdits">,
): LookalikeIndexOptions {
  const options: LookalikeIndexOptions = { ...LOOKALIKE_PRESETS[s.preset], minScore: s.minScore ?? 0 };
  const maxEdits = s.maxEdits ?? 3;
  if (maxEdits <= 1) return { ...options, longLabelMinLength: Number.POSITIVE_INFINITY };
  if (maxEdits === 2) return { ...options, threeEditMinLength: Number.POSITIVE_INFINITY };
  return options;
}

/**
 *   watch lists (MongoDB) --revision poll--> index refresher (build in steps, swap)
 *                                                 |
 *   entries topic ==> [group <prefix>.detector.lookalike] ==> match SANs + CN ==> events 12/13 ==> alerts topic
 *
 * Watch-list changes apply within `watchlistRefreshMs` plus one build, without a restart.
 */
export async function startLookalikeDetector(
  s: LookalikeDetectorSettings,
  deps: LookalikeDetectorDeps,
): Promise<LookalikeDetector> {
  const refresher = new LookalikeIndexRefresher({
    store: deps.watchlist,
    refreshMs: s.watchlistRefreshMs,
    maxBrands: s.maxBrands,
    indexOptions: indexOptionsFor(s),
    logger: deps.logger,
    metrics: deps.metrics,
  });
  refresher.start();
  const handle = lookalikeHandler({
    index: () => refresher.current(),
    publish: alertPublisher(deps.producer, s.topics.alerts, alertCodec.encode),
    logger: deps.logger,
    metrics: deps.metrics,
    seenIssuances: s.seenIssuances,
    maxEvidence: s.maxEvidence,
    trustCoCertified: s.trustCoCertified,
  });
  let consumer: RunningConsumer;
  try {
    consumer = await startConsumer(deps.kafka, {
      groupId: s.groupId,
      topic: s.topics.entries,
      codec: entryCodec,
      deadLetterTopic: s.topics.entriesDeadLetter,
      producer: deps.producer,
      handle: withEntrySources(handle),
      logger: deps.logger,
      metrics: deps.metrics,
      fromBeginning: s.fromBeginning,
    });
  } catch (err) {
    await refresher.stop();
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    name: "lookalike-detector",
    ready: consumer.ready,
    indexReady: () => refresher.ready,
    stop() {
      // Intake first, then the background refresh.
      stopping ??= consumer.stop().finally(() => refresher.stop());
      return stopping;
    },
  };
}
