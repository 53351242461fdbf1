import { OwnedDomainIndex } from "@ctwatch/detectors";
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
import { type SubdomainStore, WatchlistCache, type WatchlistStore } from "@ctwatch/store";
import type { Kafka } from "kafkajs";
import { alertRecords, newSubdomainHandler } from "./new-subdomain-detector.js";

/** What the detector needs from the outside world. */
export interface DomainDetectorDeps {
  kafka: Kafka;
  producer: TypedProducer;
  watchlist: WatchlistStore;
  subdomains: SubdomainStore;
  logger: Logger;
  metrics: Metrics;
}

/** Settings of the detector (parsed config). */
export interface DomainDetectorSettings {
  groupId: string;
  watchlistRefreshMs: number;
  fromBeginning: boolean;
  topics: TopicNames;
}

/** The running detector. */
export interface DomainDetector extends Stoppable {
  readonly ready: Promise<void>;
}

/** Codec of the entries topic: entries above 1 MiB are dead-lettered. */
export const entryCodec: Codec<CertificateEntry> = protoCodec(CertificateEntrySchema, 1 << 20);
const alertCodec: Codec<Alert> = protoCodec(AlertSchema);

/**
 *   entries topic ==> [consumer group <prefix>.detector.new-subdomain] ==> event 25 ==> alerts topic
 *
 * Watch-list changes apply within `watchlistRefreshMs` without a restart.
 */
export async function startDomainDetector(
  s: DomainDetectorSettings,
  deps: DomainDetectorDeps,
): Promise<DomainDetector> {
  const cache = new WatchlistCache(
    deps.watchlist,
    "owned-domain",
    (items) => new OwnedDomainIndex(items.map((i) => ({ tenantId: i.tenantId, domain: i.value }))),
    s.watchlistRefreshMs,
  );
  const handle = newSubdomainHandler({
    index: () => cache.current(),
    subdomains: deps.subdomains,
    publish: (alerts) => deps.producer.send(s.topics.alerts, alertRecords(alerts, alertCodec.encode)),
    logger: deps.logger,
    metrics: deps.metrics,
  });
  const consumer: RunningConsumer = await startConsumer(deps.kafka, {
    groupId: s.groupId,
    topic: s.topics.entries,
    codec: entryCodec,
    deadLetterTopic: s.topics.entriesDeadLetter,
    producer: deps.producer,
    handle: (records) => handle(records),
    logger: deps.logger,
    metrics: deps.metrics,
    fromBeginning: s.fromBeginning,
  });
  return { name: "domain-detector", ready: consumer.ready, stop: () => consumer.stop() };
}
