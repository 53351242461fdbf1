import { create } from "@bufbuild/protobuf";
import type { RootOwnerMap } from "@ctwatch/ca-data";
import {
  type OwnedDomainIndex,
  type RootBaseline,
  resolveRootOwner,
  rootCaDecision,
} from "@ctwatch/detectors";
import { certificateRefFromEntry, EventId, newAlert } from "@ctwatch/events";
import { type Alert, RootCaDetailsSchema, WatchItem_Kind, WatchItemSchema } from "@ctwatch/proto";
import type { Logger, Metrics } from "@ctwatch/runtime";
import type { RootBaselineStore } from "@ctwatch/store";
import { type EntryRecord, hex, NO_PINS, type PinIndex, watchedNamesOf } from "./watch-context.js";

/** Version tag carried in alerts; bump when the rule changes meaning. */
export const ROOT_CA_DETECTOR = "root-ca/1";

/** Dependencies of the event-20 handler. */
export interface RootCaDeps {
  index: () => Promise<OwnedDomainIndex>;
  isLearning: (index: OwnedDomainIndex, tenantId: string, domain: string) => Promise<boolean>;
  roots: RootOwnerMap;
  baselines: RootBaselineStore;
  /** Operator root pins from the API (`watch_pins`, kind root-pin): owners always accepted. */
  pins?: () => Promise<PinIndex>;
  /** Publishes alerts; resolves when Kafka acknowledged them. */
  publish: (alerts: Alert[]) => Promise<void>;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
}

/**
 * Handles a batch of entries for event 20:
 *
 *   watched names ==> root owner (fingerprint, else AKI/DN of the chain top) ==> baseline decision
 *     ==> learn (insert-only) | publish alert (acked)
 *
 * An unresolved root (a chain without issuer data, a private root) is counted,
 * never alerted. The alert's dedup key is domain + owner: one stored alert per
 * unexpected owner, with each further certificate added as evidence; the owner
 * is not added to the baseline by the alert (an operator pins it if legitimate).
 */
export function rootCaHandler(deps: RootCaDeps) {
  const now = deps.now ?? Date.now;
  const alertsTotal = deps.metrics.counter("ctwatch_alerts_emitted_total", "Alerts emitted, by event ID");
  const resolved = deps.metrics.counter(
    "ctwatch_root_resolution_total",
    "Root CA owner resolutions of watched certificates, by path or unknown reason",
  );
  const learned = deps.metrics.counter(
    "ctwatch_root_owners_learned_total",
    "Root CA owners added to baselines, by reason",
  );
  return async (records: readonly EntryRecord[]): Promise<void> => {
    const index = await deps.index();
    if (index.size === 0) return;
    const pins = (await deps.pins?.()) ?? NO_PINS;
    const baselines = new Map<string, RootBaseline>();
    const alerts = new Map<string, Alert>();
    for (const r of records) {
      const entry = r.value;
      const cert = entry.certificate;
      if (!cert) continue;
      const watched = watchedNamesOf(cert, index);
      if (watched.length === 0) continue;
      const res = resolveRootOwner(entry, deps.roots);
      resolved.inc({ result: res.kind === "known" ? res.via : res.reason });
      if (res.kind === "unknown") {
        deps.logger.debug("root owner unknown", { reason: res.reason, cert: hex(cert.sha256) });
        continue;
      }
      for (const w of watched) {
        const k = `${w.tenantId}\u0000${w.domain}`;
        let baseline = baselines.get(k);
        if (!baseline) {
          const stored = await deps.baselines.owners(w.tenantId, w.domain);
          const pinned = pins.values(w.tenantId, w.domain);
          baseline = { ...stored, pinned: [...new Set([...stored.pinned, ...pinned])] };
          baselines.set(k, baseline);
        }
        const learning = await deps.isLearning(index, w.tenantId, w.domain);
        const decision = rootCaDecision(res.owner, baseline, learning);
        if (decision.action === "ok") continue;
        if (decision.action === "learn") {
          await deps.baselines.add({
            tenantId: w.tenantId,
            domain: w.domain,
            owner: res.owner,
            source: "learned",
            addedAtMs: now(),
            certSha256: hex(cert.sha256),
            rootSha256: res.root.sha256,
          });
          baselines.set(k, { ...baseline, learned: [...baseline.learned, res.owner] });
          learned.inc({ reason: decision.reason });
          continue;
        }
        const dedupKey = `${EventId.DifferentRootCa}|${w.domain}|${res.owner}`;
        if (alerts.has(`${w.tenantId}/${dedupKey}`)) continue;
        alerts.set(
          `${w.tenantId}/${dedupKey}`,
          newAlert({
            eventId: EventId.DifferentRootCa,
            tenantId: w.tenantId,
            dedupKey,
            subjectDomain: w.names[0] ?? w.domain,
            watchItem: create(WatchItemSchema, { kind: WatchItem_Kind.OWNED_DOMAIN, value: w.domain }),
            certificate: certificateRefFromEntry(entry),
            detector: ROOT_CA_DETECTOR,
            detectedAtMs: now(),
            details: {
              case: "rootCa",
              value: create(RootCaDetailsSchema, {
                rootOwner: res.owner,
                rootSha256: new Uint8Array(Buffer.from(res.root.sha256, "hex")),
                expectedOwners: decision.expected,
              }),
            },
          }),
        );
      }
    }
    if (alerts.size === 0) return;
    await deps.publish([...alerts.values()]);
    alertsTotal.inc({ event_id: String(EventId.DifferentRootCa) }, alerts.size);
  };
}
