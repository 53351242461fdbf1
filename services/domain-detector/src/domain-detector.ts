import type { CaaIssuerTable, RootOwnerMap } from "@ctwatch/ca-data";
import { OwnedDomainIndex } from "@ctwatch/detectors";
import type { DnsResolver } from "@ctwatch/dns";
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
import {
  type CaaHistoryStore,
  type CertificateInventoryStore,
  type DnsCheckQueue,
  type DomainLearningStore,
  type RootBaselineStore,
  type SubdomainStore,
  type TakeoverStateStore,
  WatchlistCache,
  type WatchlistStore,
  type WatchPinKind,
  type WatchPinRecord,
  type WatchPinStore,
} from "@ctwatch/store";
import type { Kafka } from "kafkajs";
import { CaaDetector } from "./caa-detector.js";
import { type DetectorName, groupIdOf } from "./config.js";
import { newSubdomainHandler } from "./new-subdomain-detector.js";
import { startPeriodicTask } from "./periodic-task.js";
import { rootCaHandler } from "./root-ca-detector.js";
import { TakeoverDetector } from "./takeover-detector.js";
import { type EntryRecord, LearningState, PinIndex } from "./watch-context.js";

/** What the detectors need from the outside world. Stores of disabled detectors may be omitted. */
export interface DomainDetectorDeps {
  kafka: Kafka;
  producer: TypedProducer;
  watchlist: WatchlistStore;
  subdomains: SubdomainStore;
  /** Certificate inventory the query API searches (written by new-subdomain); optional. */
  inventory?: CertificateInventoryStore;
  learning?: DomainLearningStore;
  baselines?: RootBaselineStore;
  roots?: RootOwnerMap;
  caaHistory?: CaaHistoryStore;
  caaIssuers?: CaaIssuerTable;
  dnsChecks?: DnsCheckQueue;
  takeoverState?: TakeoverStateStore;
  /** Operator pins (root-pin for 20, caa-pin for 29) written by the query API; optional. */
  pins?: WatchPinStore;
  /** Needed by "caa" and "takeover". */
  resolver?: DnsResolver;
  logger: Logger;
  metrics: Metrics;
}

/** Settings of the detectors (parsed config). */
export interface DomainDetectorSettings {
  /** Consumer groups are `<groupPrefix>.detector.<name>`. */
  groupPrefix: string;
  /** Enabled detectors; default ["new-subdomain"]. */
  detectors?: readonly DetectorName[];
  watchlistRefreshMs: number;
  /** Quiet-learning window after a domain is added, ms; 0 = off. */
  learningWindowMs?: number;
  fromBeginning: boolean;
  topics: TopicNames;
  dns?: { retryMs: number; retryAttempts: number; sweepMs: number };
  caa?: { lookbackMs: number; maxAgeMs: number };
  takeover?: { minIntervalMs: number; recheckMs: number };
}

/** The running detectors. */
export interface DomainDetector extends Stoppable {
  /** Resolves when every detector's consumer has joined its group. */
  readonly ready: Promise<void>;
}

/** Codec of the entries topic: entries above 1 MiB are dead-lettered. */
export const entryCodec: Codec<CertificateEntry> = protoCodec(CertificateEntrySchema, 1 << 20);
const alertCodec: Codec<Alert> = protoCodec(AlertSchema);

function need<T>(value: T | undefined, what: string, detector: DetectorName): T {
  if (value === undefined) throw new Error(`detector ${detector} needs ${what}`);
  return value;
}

/**
 *   entries topic ==> [group <prefix>.detector.new-subdomain] ==> event 25 ─┐
 *                 ==> [group <prefix>.detector.root-ca]       ==> event 20 ─┤
 *                 ==> [group <prefix>.detector.caa]           ==> event 29 ─┼==> alerts topic
 *                 ==> [group <prefix>.detector.takeover]      ==> event 18 ─┘
 *   dns_checks (deferred DNS checks, inventory re-check) ==> sweepers ==> events 29, 18
 *
 * Each detector is its own consumer group, so one detector's slow DNS or failure
 * never holds another back. Watch-list changes apply within `watchlistRefreshMs`.
 * Stop order: sweepers, then consumers (each drains its batch and commits).
 */
export async function startDomainDetector(
  s: DomainDetectorSettings,
  deps: DomainDetectorDeps,
): Promise<DomainDetector> {
  const enabled: DetectorName[] = [...new Set<DetectorName>(s.detectors ?? ["new-subdomain"])];
  const cache = new WatchlistCache(
    deps.watchlist,
    "owned-domain",
    (items) =>
      new OwnedDomainIndex(
        items.map((i) => ({ tenantId: i.tenantId, domain: i.value, addedAtMs: i.createdAtMs })),
      ),
    s.watchlistRefreshMs,
  );
  const index = () => cache.current();
  const pinCache = (kind: WatchPinKind) => {
    if (!deps.pins) return undefined;
    const cache = new WatchlistCache<PinIndex, WatchPinKind, WatchPinRecord>(
      deps.pins,
      kind,
      (pins) => new PinIndex(pins),
      s.watchlistRefreshMs,
    );
    return () => cache.current();
  };
  const rootPins = pinCache("root-pin");
  const caaPins = pinCache("caa-pin");
  const learning = new LearningState(deps.learning, s.learningWindowMs ?? 0, s.watchlistRefreshMs);
  const isLearning = (i: OwnedDomainIndex, tenantId: string, domain: string) =>
    learning.isLearning(i, tenantId, domain);
  const publish = alertPublisher(deps.producer, s.topics.alerts, alertCodec.encode);
  const dns = s.dns ?? { retryMs: 60_000, retryAttempts: 10, sweepMs: 5000 };
  const consumers: RunningConsumer[] = [];
  const tasks: Stoppable[] = [];

  const handlers: Partial<Record<DetectorName, (records: readonly EntryRecord[]) => Promise<void>>> = {};
  for (const name of enabled) {
    const logger = deps.logger.child({ detector: name });
    switch (name) {
      case "new-subdomain":
        handlers[name] = newSubdomainHandler({
          index,
          isLearning,
          subdomains: deps.subdomains,
          ...(deps.inventory ? { inventory: deps.inventory } : {}),
          publish,
          logger,
          metrics: deps.metrics,
        });
        break;
      case "root-ca":
        handlers[name] = rootCaHandler({
          index,
          isLearning,
          roots: need(deps.roots, "a root owner map", name),
          baselines: need(deps.baselines, "a root baseline store", name),
          ...(rootPins ? { pins: rootPins } : {}),
          publish,
          logger,
          metrics: deps.metrics,
        });
        break;
      case "caa": {
        const caa = new CaaDetector(
          {
            lookbackMs: s.caa?.lookbackMs ?? 8 * 3_600_000,
            maxAgeMs: s.caa?.maxAgeMs ?? 86_400_000,
            maxInlineNames: 200,
            retryBaseMs: dns.retryMs,
            maxAttempts: dns.retryAttempts,
          },
          {
            index,
            resolver: need(deps.resolver, "a DNS resolver", name),
            issuers: need(deps.caaIssuers, "a CAA issuer table", name),
            history: need(deps.caaHistory, "a CAA history store", name),
            queue: need(deps.dnsChecks, "a DNS check queue", name),
            ...(caaPins ? { pins: caaPins } : {}),
            publish,
            logger,
            metrics: deps.metrics,
          },
        );
        handlers[name] = caa.handle;
        tasks.push(startPeriodicTask("caa-sweeper", dns.sweepMs, () => caa.sweep(), logger));
        break;
      }
      case "takeover": {
        const takeover = new TakeoverDetector(
          {
            minIntervalMs: s.takeover?.minIntervalMs ?? 3_600_000,
            maxInlineNames: 200,
            retryBaseMs: dns.retryMs,
            maxAttempts: dns.retryAttempts,
            maxNamesPerDomain: 100_000,
          },
          {
            index,
            resolver: need(deps.resolver, "a DNS resolver", name),
            state: need(deps.takeoverState, "a takeover state store", name),
            queue: need(deps.dnsChecks, "a DNS check queue", name),
            subdomains: deps.subdomains,
            publish,
            logger,
            metrics: deps.metrics,
          },
        );
        handlers[name] = takeover.handle;
        tasks.push(startPeriodicTask("takeover-sweeper", dns.sweepMs, () => takeover.sweep(), logger));
        const recheckMs = s.takeover?.recheckMs ?? 0;
        if (recheckMs > 0) {
          tasks.push(
            startPeriodicTask(
              "takeover-inventory-recheck",
              recheckMs,
              (signal) => takeover.queueInventory(signal),
              logger,
            ),
          );
        }
        break;
      }
    }
  }

  const stopAll = async () => {
    for (const t of tasks) await t.stop();
    await Promise.all(consumers.map((c) => c.stop()));
  };
  try {
    for (const name of enabled) {
      const handle = handlers[name];
      if (!handle) continue;
      consumers.push(
        await startConsumer(deps.kafka, {
          groupId: groupIdOf(s.groupPrefix, name),
          topic: s.topics.entries,
          codec: entryCodec,
          deadLetterTopic: s.topics.entriesDeadLetter,
          producer: deps.producer,
          handle: withEntrySources(handle),
          logger: deps.logger.child({ detector: name }),
          metrics: deps.metrics,
          fromBeginning: s.fromBeginning,
        }),
      );
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    name: "domain-detector",
    ready: Promise.all(consumers.map((c) => c.ready)).then(() => undefined),
    stop() {
      stopping ??= stopAll();
      return stopping;
    },
  };
}
