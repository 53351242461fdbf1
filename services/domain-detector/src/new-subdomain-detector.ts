import { create } from "@bufbuild/protobuf";
import { type OwnedDomainIndex, type SubdomainCandidate, subdomainCandidates } from "@ctwatch/detectors";
import { certificateRefFromEntry, EventId, newAlert } from "@ctwatch/events";
import {
  type Alert,
  type CertificateEntry,
  EntryType,
  NewSubdomainDetailsSchema,
  WatchItem_Kind,
  WatchItemSchema,
} from "@ctwatch/proto";
import type { Logger, Metrics } from "@ctwatch/runtime";
import { type CertificateInventoryStore, MAX_INVENTORY_DNS_NAMES, type SubdomainStore } from "@ctwatch/store";

import type { EntryRecord } from "./watch-context.js";

/** Version tag carried in alerts; bump when the rule changes meaning. */
export const DETECTOR = "new-subdomain/1";

/** Dependencies of the event-25 handler. */
export interface NewSubdomainDeps {
  index: () => Promise<OwnedDomainIndex>;
  subdomains: SubdomainStore;
  /** The per-tenant certificate inventory the query API searches; every watched issuance is recorded. */
  inventory?: CertificateInventoryStore;
  /** True while the tenant's domain learns quietly (initial sync): names are recorded, not alerted. */
  isLearning?: (index: OwnedDomainIndex, tenantId: string, domain: string) => Promise<boolean>;
  /** Publishes alerts; resolves when Kafka acknowledged them. */
  publish: (alerts: Alert[]) => Promise<void>;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
}

/**
 * Handles a batch of certificate entries for event 25:
 *
 *   candidates (pure) ==> known? (one read per tenant) ==> learning? ==> publish alerts (acked) ==> record first-seen
 *
 * While a domain learns quietly (initial sync) its new names are recorded with
 * `learnedQuietly` and no alert, so an existing estate becomes the baseline.
 * Alerts are published *before* the first-seen record is written: a crash in
 * between re-sends the alert on redelivery (the sink dedupes by key) instead of
 * losing it. Precert and final certificate give the same names, so the second
 * finds them known and stays quiet.
 */
export function newSubdomainHandler(deps: NewSubdomainDeps) {
  const now = deps.now ?? Date.now;
  const alertsTotal = deps.metrics.counter("ctwatch_alerts_emitted_total", "Alerts emitted, by event ID");
  const learnedTotal = deps.metrics.counter(
    "ctwatch_subdomains_learned_quietly_total",
    "New names recorded without an alert because their domain is in initial sync",
  );
  return async (records: readonly EntryRecord[]): Promise<void> => {
    const index = await deps.index();
    if (index.size === 0) return;
    // First sighting per (tenant, name) within this batch.
    const pending = new Map<string, { cand: SubdomainCandidate; entry: CertificateEntry }>();
    // Watched issuances per tenant, for the certificate inventory.
    const sightings: { tenantId: string; domains: Set<string>; entry: CertificateEntry }[] = [];
    for (const r of records) {
      const cert = r.value.certificate;
      if (!cert) continue;
      const byTenant = new Map<string, Set<string>>();
      for (const cand of subdomainCandidates(cert, index)) {
        const k = `${cand.tenantId}\u0000${cand.name}`;
        if (!pending.has(k)) pending.set(k, { cand, entry: r.value });
        const domains = byTenant.get(cand.tenantId) ?? new Set<string>();
        domains.add(cand.domain);
        byTenant.set(cand.tenantId, domains);
      }
      for (const [tenantId, domains] of byTenant) sightings.push({ tenantId, domains, entry: r.value });
    }
    if (pending.size === 0) return;
    await recordSightings(deps.inventory, sightings, now());
    const byTenant = new Map<string, string[]>();
    for (const { cand } of pending.values()) {
      const list = byTenant.get(cand.tenantId) ?? [];
      list.push(cand.name);
      byTenant.set(cand.tenantId, list);
    }
    const known = new Set<string>();
    for (const [tenantId, names] of byTenant) {
      for (let i = 0; i < names.length; i += 1000) {
        for (const n of await deps.subdomains.knownNames(tenantId, names.slice(i, i + 1000))) {
          known.add(`${tenantId}\u0000${n}`);
        }
      }
    }
    const unknown = [...pending.entries()].filter(([k]) => !known.has(k)).map(([, v]) => v);
    if (unknown.length === 0) return;
    const detectedAtMs = now();
    const learningOf = new Map<string, boolean>();
    for (const { cand } of unknown) {
      const k = `${cand.tenantId}\u0000${cand.domain}`;
      if (!learningOf.has(k))
        learningOf.set(k, (await deps.isLearning?.(index, cand.tenantId, cand.domain)) ?? false);
    }
    const quiet = unknown.filter(
      ({ cand }) => learningOf.get(`${cand.tenantId}\u0000${cand.domain}`) === true,
    );
    const fresh = unknown.filter(
      ({ cand }) => learningOf.get(`${cand.tenantId}\u0000${cand.domain}`) !== true,
    );
    const alerts = fresh.map(({ cand, entry }) =>
      newAlert({
        eventId: EventId.NewSubdomain,
        tenantId: cand.tenantId,
        dedupKey: `${EventId.NewSubdomain}|${cand.name}`,
        subjectDomain: cand.name,
        watchItem: create(WatchItemSchema, { kind: WatchItem_Kind.OWNED_DOMAIN, value: cand.domain }),
        certificate: certificateRefFromEntry(entry),
        detector: DETECTOR,
        detectedAtMs,
        details: {
          case: "newSubdomain",
          value: create(NewSubdomainDetailsSchema, { name: cand.name, wildcard: cand.wildcard }),
        },
      }),
    );
    if (alerts.length > 0) {
      await deps.publish(alerts);
      alertsTotal.inc({ event_id: String(EventId.NewSubdomain) }, alerts.length);
    }
    if (quiet.length > 0) learnedTotal.inc({}, quiet.length);
    const quietSet = new Set(quiet);
    for (const item of [...fresh, ...quiet]) {
      const { cand, entry } = item;
      await deps.subdomains.recordFirstSeen({
        tenantId: cand.tenantId,
        domain: cand.domain,
        name: cand.name,
        wildcard: cand.wildcard,
        firstSeenAtMs: detectedAtMs,
        logId: Buffer.from(entry.position?.logId ?? []).toString("base64"),
        leafIndex: (entry.position?.leafIndex ?? 0n).toString(),
        certSha256: Buffer.from(entry.certificate?.sha256 ?? []).toString("hex"),
        learnedQuietly: quietSet.has(item),
        issuanceKey: Buffer.from(entry.issuanceKey).toString("hex"),
      });
    }
    deps.logger.debug("new subdomains", { alerted: fresh.length, learned: quiet.length });
  };
}

/**
 * Records watched issuances in the tenant's certificate inventory (insert on a
 * unique key: a replay or the final certificate after its precertificate is a no-op).
 */
async function recordSightings(
  inventory: CertificateInventoryStore | undefined,
  sightings: readonly { tenantId: string; domains: Set<string>; entry: CertificateEntry }[],
  nowMs: number,
): Promise<void> {
  if (!inventory) return;
  for (const { tenantId, domains, entry } of sightings) {
    const c = entry.certificate;
    if (!c) continue;
    await inventory.record({
      tenantId,
      issuanceKey: Buffer.from(entry.issuanceKey).toString("hex"),
      certSha256: Buffer.from(c.sha256).toString("hex"),
      precertificate: entry.entryType === EntryType.PRECERT,
      dnsNames: c.dnsNames.slice(0, MAX_INVENTORY_DNS_NAMES),
      domains: [...domains].sort(),
      subjectCn: c.subjectCn,
      issuerDn: c.issuerDn,
      serialHex: c.serialHex,
      notBeforeMs: Number(c.notBeforeMs),
      notAfterMs: Number(c.notAfterMs),
      logId: Buffer.from(entry.position?.logId ?? []).toString("base64"),
      leafIndex: (entry.position?.leafIndex ?? 0n).toString(),
      loggedAtMs: Number(entry.timestampMs),
      firstSeenAtMs: nowMs,
    });
  }
}
