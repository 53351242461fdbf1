import { create } from "@bufbuild/protobuf";
import { type LookalikeIndex, type LookalikeMatch, lookalikeDedupKey } from "@ctwatch/detect-lookalike";
import { certificateRefFromEntry, newAlert } from "@ctwatch/events";
import type { InRecord } from "@ctwatch/kafka";
import {
  type Alert,
  type CertificateEntry,
  LookalikeDetailsSchema,
  WatchItem_Kind,
  WatchItemSchema,
} from "@ctwatch/proto";
import type { Logger, Metrics } from "@ctwatch/runtime";
import { BoundedLru } from "./bounded-lru.js";

/** Version tag carried in alerts; bump when the rule changes meaning. */
export const DETECTOR = "lookalike/1";

/** Most matched names of one certificate listed in an alert's details. */
export const MAX_MATCHED_NAMES = 20;

/** Dependencies and bounds of the lookalike handler. */
export interface LookalikeHandlerDeps {
  /** The index in use (see LookalikeIndexRefresher.current). */
  index: () => Promise<LookalikeIndex>;
  /** Publishes alerts; resolves when Kafka acknowledged them. */
  publish: (alerts: Alert[]) => Promise<void>;
  logger: Logger;
  metrics: Metrics;
  /**
   * Capacity of the LRU of (tenant, registrable domain, issuance key) already alerted: a
   * precertificate and its final certificate (same issuance key) give one alert, not two.
   */
  seenIssuances: number;
  /**
   * Certificates re-emitted as evidence per (tenant, registrable domain) in this process's
   * life (the alert store keeps 50): a busy lookalike host does not flood the alerts topic.
   * Tracked in an LRU of `seenIssuances` domains too.
   */
  maxEvidence: number;
  /**
   * Drop a tenant's matches in a certificate that also certifies one of that tenant's own
   * names (brand domain, owned or allowlisted name, or a subdomain): the CA validated that
   * one subscriber controls both, so the lookalike is the tenant's own (Google's
   * certificates list googletagservices.com next to google.com). Default true. The caveat:
   * a CDN that puts several customers on one certificate makes them co-certified too.
   */
  trustCoCertified?: boolean;
  /** Clock for `detected_at_ms`; default Date.now. */
  now?: () => number;
  /** Monotonic clock for the match-time metric, ms; default performance.now. */
  monotonicNow?: () => number;
}

/** The names of a certificate worth matching: every SAN dNSName, then the subject CN when it differs. */
export function certificateNames(entry: CertificateEntry): string[] {
  const c = entry.certificate;
  if (!c) return [];
  const names = new Set(c.dnsNames);
  if (c.subjectCn !== "") names.add(c.subjectCn.toLowerCase());
  return [...names];
}

interface Group {
  best: LookalikeMatch;
  names: string[];
}

/** The matched name as the certificate had it: ASCII, with its `*.` when it was a wildcard. */
function displayName(m: LookalikeMatch): string {
  return m.wildcard ? `*.${m.name}` : m.name;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

/**
 * Handles a batch of certificate entries for events 12 and 13:
 *
 *   every SAN and CN ==> index.match (pure) ==> group by (tenant, registrable domain)
 *     ==> drop issuances already alerted ==> publish (acked) ==> remember them
 *
 * One alert per (tenant, lookalike registrable domain): the dedup key is
 * `lookalikeDedupKey`, so every certificate for that domain yields the same alert ID and
 * the alert store adds it as evidence to the one stored alert. Within one certificate the
 * best match (highest score) describes the alert and every matching name is listed. The
 * seen-issuance LRU is updated only after Kafka acknowledged, so a failed publish is
 * retried in full; after a restart, re-emitted alerts are recognised by the store.
 */
export function lookalikeHandler(deps: LookalikeHandlerDeps) {
  const now = deps.now ?? Date.now;
  const mono = deps.monotonicNow ?? (() => performance.now());
  const seen = new BoundedLru<string, true>(deps.seenIssuances);
  const evidence = new BoundedLru<string, number>(deps.seenIssuances);
  const m = handlerMetrics(deps.metrics);
  const trustCoCertified = deps.trustCoCertified ?? true;

  return async (records: readonly InRecord<CertificateEntry>[]): Promise<void> => {
    const index = await deps.index();
    if (index.brandCount === 0) return;
    const pending = new Map<string, { group: Group; entry: CertificateEntry; domainKey: string }>();
    const perDomain = new Map<string, number>();
    let names = 0;
    const started = mono();
    for (const r of records) {
      const entry = r.value;
      const groups = new Map<string, Group>();
      const certNames = certificateNames(entry);
      for (const name of certNames) {
        names++;
        let matches: LookalikeMatch[];
        try {
          matches = index.match(name);
        } catch (err) {
          // match is documented never to throw; a bug must not stop the partition.
          m.matchErrors.inc();
          deps.logger.error("lookalike match failed; name skipped", { name: name.slice(0, 300), err });
          continue;
        }
        for (const match of matches) {
          m.matches.inc({ event_id: String(match.eventId) });
          const k = `${match.tenantId}\u0000${match.registrableDomain}`;
          const shown = displayName(match);
          const g = groups.get(k);
          if (g === undefined) groups.set(k, { best: match, names: [shown] });
          else {
            if (match.score > g.best.score) g.best = match;
            if (g.names.length < MAX_MATCHED_NAMES && !g.names.includes(shown)) g.names.push(shown);
          }
        }
      }
      const issuance = hex(
        entry.issuanceKey.length > 0 ? entry.issuanceKey : (entry.certificate?.sha256 ?? new Uint8Array()),
      );
      for (const [domainKey, group] of groups) {
        const tenantId = group.best.tenantId;
        if (trustCoCertified && certNames.some((n) => index.ownedBy(tenantId, n))) {
          m.suppressed.inc({ reason: "co-certified-owned" });
          continue;
        }
        const key = `${domainKey}\u0000${issuance}`;
        if (seen.has(key) || pending.has(key)) {
          m.suppressed.inc({ reason: "same-issuance" });
          continue;
        }
        const sent = (evidence.get(domainKey) ?? 0) + (perDomain.get(domainKey) ?? 0);
        if (sent >= deps.maxEvidence) {
          m.suppressed.inc({ reason: "evidence-cap" });
          continue;
        }
        perDomain.set(domainKey, (perDomain.get(domainKey) ?? 0) + 1);
        pending.set(key, { group, entry, domainKey });
      }
    }
    m.names.inc({}, names);
    m.matchSeconds.inc({}, (mono() - started) / 1000);
    if (pending.size === 0) return;
    const detectedAtMs = now();
    const alerts = [...pending.values()].map(({ group, entry }) =>
      lookalikeAlert(group, entry, detectedAtMs),
    );
    await deps.publish(alerts);
    for (const a of alerts) m.emitted.inc({ event_id: String(a.eventId) });
    for (const [key, { domainKey }] of pending) {
      seen.set(key, true);
      evidence.set(domainKey, (evidence.get(domainKey) ?? 0) + 1);
    }
    deps.logger.debug("lookalike alerts", { count: alerts.length });
  };
}

/** The alert for one certificate's matches under one (tenant, registrable domain). */
export function lookalikeAlert(group: Group, entry: CertificateEntry, detectedAtMs: number): Alert {
  const m = group.best;
  return newAlert({
    eventId: m.eventId,
    tenantId: m.tenantId,
    dedupKey: lookalikeDedupKey(m),
    subjectDomain: m.registrableDomain,
    watchItem: create(WatchItemSchema, { kind: WatchItem_Kind.BRAND, value: m.brand }),
    certificate: certificateRefFromEntry(entry),
    detector: DETECTOR,
    detectedAtMs,
    details: {
      case: "lookalike",
      value: create(LookalikeDetailsSchema, {
        techniques: m.techniques.join(","),
        skeleton: m.skeleton,
        distance: m.editDistance,
        registrableDomain: m.registrableDomain,
        brand: m.brand,
        matchedName: displayName(m),
        matchedNameUnicode: m.wildcard ? `*.${m.unicodeName}` : m.unicodeName,
        imitation: m.imitation,
        brandSkeleton: m.brandSkeleton,
        score: m.score,
        reason: m.reason,
        otherBrands: [...m.otherBrands],
        matchedNames: group.names,
      }),
    },
  });
}

function handlerMetrics(metrics: Metrics) {
  return {
    names: metrics.counter(
      "ctwatch_lookalike_names_total",
      "Certificate names (SANs and CNs) matched against the index; rate() gives names/s",
    ),
    matchSeconds: metrics.counter(
      "ctwatch_lookalike_match_seconds_total",
      "Time spent matching names, s (names_total / match_seconds_total = names/s per core)",
    ),
    matches: metrics.counter(
      "ctwatch_lookalike_matches_total",
      "Lookalike matches before deduplication, by event ID",
    ),
    suppressed: metrics.counter(
      "ctwatch_lookalike_suppressed_total",
      "Matches not re-emitted: same issuance already alerted, or evidence cap reached",
    ),
    emitted: metrics.counter("ctwatch_alerts_emitted_total", "Alerts emitted, by event ID"),
    matchErrors: metrics.counter(
      "ctwatch_lookalike_match_errors_total",
      "Names whose matching threw (skipped)",
    ),
  };
}
