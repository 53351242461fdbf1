import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { CaaIssuerEntry, CaaIssuerTable } from "@ctwatch/ca-data";
import {
  type CaaHistoryVerdict,
  caaRecordText,
  caaVerdictAsOf,
  type OwnedDomainIndex,
} from "@ctwatch/detectors";
import { type DnsResolver, findRelevantCaa } from "@ctwatch/dns";
import { certificateRefFromEntry, EventId, newAlert } from "@ctwatch/events";
import {
  type Alert,
  CaaDetailsSchema,
  type CertificateRef,
  CertificateRefSchema,
  WatchItem_Kind,
  WatchItemSchema,
} from "@ctwatch/proto";
import type { Logger, Metrics } from "@ctwatch/runtime";
import type { CaaHistoryStore, DnsCheck, DnsCheckQueue } from "@ctwatch/store";
import { type EntryRecord, hex, mapLimit, NO_PINS, type PinIndex, watchedNamesOf } from "./watch-context.js";

/** Version tag carried in alerts; bump when the rule changes meaning. */
export const CAA_DETECTOR = "caa/1";

/** Settings of the CAA detector. */
export interface CaaSettings {
  /** How long before issuance a CA may have checked CAA, ms (BRs: 8 h). */
  lookbackMs: number;
  /** How far after issuance a first observation still counts as "at issuance", ms. */
  maxAgeMs: number;
  /** Names evaluated inline per batch; the rest are queued for the sweeper. */
  maxInlineNames: number;
  /** Delay before the first retry of a failed lookup, ms (doubles per attempt, capped at 6 h). */
  retryBaseMs: number;
  /** Failed runs after which a check is abandoned (counted). */
  maxAttempts: number;
}

/** Dependencies of the event-29 detector. */
export interface CaaDeps {
  index: () => Promise<OwnedDomainIndex>;
  resolver: DnsResolver;
  issuers: CaaIssuerTable;
  history: CaaHistoryStore;
  queue: DnsCheckQueue;
  /** Operator CAA pins from the API (`watch_pins`, kind caa-pin): issuer domains the tenant authorises. */
  pins?: () => Promise<PinIndex>;
  publish: (alerts: Alert[]) => Promise<void>;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
}

/** One name of one issuance to evaluate, for the tenants watching it. */
interface CaaCheck {
  name: string;
  wildcard: boolean;
  issuedAtMs: number;
  issuanceKey: string;
  issuerO: string;
  issuerCn: string;
  watchers: { tenantId: string; domain: string }[];
  cert: CertificateRef;
}

type CheckResult = { kind: "done"; alerts: Alert[] } | { kind: "failed"; detail: string };

const MAX_DEFERRED_BACKOFF_MS = 6 * 3_600_000;

/**
 * Event 29, CAA mismatch:
 *
 *   watched names ==> issuing CA -> CAA domains (table) ==> relevant CAA set (DNS climb)
 *     ==> record in history ==> verdict as of the SCT timestamp ==> alert
 *   DNS failure ==> queue (dns_checks) ==> sweeper retries with backoff
 *
 * A CA missing from the table, a DNS failure, or no CAA observation close enough
 * to issuance is never a mismatch (each is counted).
 */
export class CaaDetector {
  private readonly now: () => number;
  private readonly outcomes;
  private readonly alertsTotal;
  private readonly done = new Map<string, true>();

  constructor(
    private readonly s: CaaSettings,
    private readonly deps: CaaDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.outcomes = deps.metrics.counter(
      "ctwatch_caa_checks_total",
      "CAA evaluations of watched names, by outcome",
    );
    this.alertsTotal = deps.metrics.counter("ctwatch_alerts_emitted_total", "Alerts emitted, by event ID");
  }

  /** The Kafka batch handler. */
  handle = async (records: readonly EntryRecord[]): Promise<void> => {
    const index = await this.deps.index();
    if (index.size === 0) return;
    const checks = new Map<string, CaaCheck>();
    for (const r of records) {
      const entry = r.value;
      const cert = entry.certificate;
      if (!cert) continue;
      const watched = watchedNamesOf(cert, index);
      if (watched.length === 0) continue;
      const ca = this.deps.issuers.lookup({ organization: cert.issuerO, commonName: cert.issuerCn });
      if (!ca) {
        this.outcomes.inc({ outcome: "unknown-ca" });
        this.deps.logger.debug("issuing CA not in the CAA table", { issuer: cert.issuerDn });
        continue;
      }
      const key = hex(entry.issuanceKey);
      for (const w of watched) {
        for (const name of w.names) {
          const id = `${key}|${name}`;
          if (this.done.has(id)) continue;
          let c = checks.get(id);
          if (!c) {
            c = {
              name,
              wildcard: name.startsWith("*."),
              issuedAtMs: Number(entry.timestampMs),
              issuanceKey: key,
              issuerO: cert.issuerO,
              issuerCn: cert.issuerCn,
              watchers: [],
              cert: certificateRefFromEntry(entry),
            };
            checks.set(id, c);
          }
          if (!c.watchers.some((x) => x.tenantId === w.tenantId))
            c.watchers.push({ tenantId: w.tenantId, domain: w.domain });
        }
      }
    }
    if (checks.size === 0) return;
    const all = [...checks.values()];
    const inline = all.slice(0, this.s.maxInlineNames);
    for (const c of all.slice(this.s.maxInlineNames)) await this.defer(c, 0, "overflow");
    const results = await mapLimit(inline, 8, (c) => this.evaluate(c));
    const alerts: Alert[] = [];
    for (const [i, res] of results.entries()) {
      const c = inline[i] as CaaCheck;
      if (res.kind === "failed") await this.defer(c, this.s.retryBaseMs, "dns-failed", res.detail);
      else alerts.push(...res.alerts);
    }
    await this.emit(alerts);
    for (const [i, res] of results.entries()) {
      if (res.kind === "done")
        this.remember(`${(inline[i] as CaaCheck).issuanceKey}|${(inline[i] as CaaCheck).name}`);
    }
  };

  /** Runs due deferred checks once (the sweeper calls it periodically). Returns how many ran. */
  async sweep(limit = 100): Promise<number> {
    const due = await this.deps.queue.due("caa", this.now(), limit);
    for (const d of due) {
      const c = decodeCheck(d);
      if (!c) {
        await this.deps.queue.complete(d.id);
        continue;
      }
      const res = await this.evaluate(c);
      if (res.kind === "done") {
        await this.emit(res.alerts);
        await this.deps.queue.complete(d.id);
      } else if (d.attempts + 1 >= this.s.maxAttempts) {
        this.outcomes.inc({ outcome: "abandoned" });
        this.deps.logger.warn("CAA check abandoned after repeated DNS failures", {
          name: c.name,
          detail: res.detail,
        });
        await this.deps.queue.complete(d.id);
      } else {
        const delay = Math.min(this.s.retryBaseMs * 2 ** (d.attempts + 1), MAX_DEFERRED_BACKOFF_MS);
        await this.deps.queue.reschedule(d.id, this.now() + delay, d.attempts + 1);
      }
    }
    return due.length;
  }

  private async emit(alerts: Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    await this.deps.publish(alerts);
    this.alertsTotal.inc({ event_id: String(EventId.CaaMismatch) }, alerts.length);
  }

  private remember(id: string): void {
    if (this.done.size >= 10_000) {
      const oldest = this.done.keys().next().value;
      if (oldest !== undefined) this.done.delete(oldest);
    }
    this.done.set(id, true);
  }

  /** Queues a check for the sweeper: after a DNS failure, or because the batch had too many names. */
  private async defer(
    c: CaaCheck,
    delayMs: number,
    why: "overflow" | "dns-failed",
    detail = "",
  ): Promise<void> {
    this.outcomes.inc({ outcome: why });
    if (why === "dns-failed")
      this.deps.logger.info("CAA lookup failed; retrying later", { name: c.name, detail });
    await this.deps.queue.schedule({
      id: `caa|${c.issuanceKey}|${c.name}`,
      kind: "caa",
      dueAtMs: this.now() + delayMs,
      attempts: 0,
      payload: encodeCheck(c),
      createdAtMs: this.now(),
    });
  }

  /** Evaluates one name; "failed" when DNS did not give an answer. */
  private async evaluate(c: CaaCheck): Promise<CheckResult> {
    const ca = this.deps.issuers.lookup({ organization: c.issuerO, commonName: c.issuerCn });
    if (!ca) return { kind: "done", alerts: [] };
    const rel = await findRelevantCaa(this.deps.resolver, c.name);
    if (rel.status === "failed")
      return { kind: "failed", detail: `${rel.outcome} at ${rel.atName}: ${rel.detail}` };
    const base = c.wildcard ? c.name.slice(2) : c.name;
    const records = rel.status === "found" ? rel.records : [];
    await this.deps.history.observe(
      base,
      rel.status === "found" ? rel.relevantDomain : "",
      records,
      this.now(),
    );
    const history = await this.deps.history.history(base);
    const verdict = caaVerdictAsOf(
      history,
      c.issuedAtMs,
      { wildcard: c.wildcard, caDomains: ca.caaDomains },
      { lookbackMs: this.s.lookbackMs, maxAgeMs: this.s.maxAgeMs },
    );
    this.outcomes.inc({ outcome: verdict.outcome });
    if (
      verdict.outcome === "allowed" &&
      verdict.verdict.outcome === "allowed" &&
      verdict.verdict.unverifiable.length > 0
    ) {
      this.outcomes.inc({ outcome: "allowed-unverifiable-parameters" });
      this.deps.logger.debug("CAA allows the CA with parameters CT cannot verify", {
        name: c.name,
        parameters: verdict.verdict.unverifiable,
      });
    }
    if (verdict.outcome !== "not-allowed") return { kind: "done", alerts: [] };
    const pins = (await this.deps.pins?.()) ?? NO_PINS;
    return { kind: "done", alerts: this.alertsFor(c, ca, verdict, pins) };
  }

  private alertsFor(
    c: CaaCheck,
    ca: CaaIssuerEntry,
    v: Extract<CaaHistoryVerdict, { outcome: "not-allowed" }>,
    pins: PinIndex,
  ): Alert[] {
    const relevant = v.observation.relevantDomain || c.name;
    const dedupKey = `${EventId.CaaMismatch}|${relevant}|${c.issuanceKey}`;
    const alerting = c.watchers.filter((w) => !pins.hasAny(w.tenantId, w.domain, ca.caaDomains));
    if (alerting.length < c.watchers.length)
      this.outcomes.inc({ outcome: "pinned" }, c.watchers.length - alerting.length);
    return alerting.map((w) =>
      newAlert({
        eventId: EventId.CaaMismatch,
        tenantId: w.tenantId,
        dedupKey,
        subjectDomain: c.name,
        watchItem: create(WatchItemSchema, { kind: WatchItem_Kind.OWNED_DOMAIN, value: w.domain }),
        certificate: c.cert,
        detector: CAA_DETECTOR,
        detectedAtMs: this.now(),
        details: {
          case: "caa",
          value: create(CaaDetailsSchema, {
            relevantDomain: relevant,
            records: v.observation.records.map(caaRecordText),
            caIdentifiers: [...ca.caaDomains],
            reason: `${v.verdict.reason} (CA owner: ${ca.caOwner}${c.wildcard ? "; wildcard name" : ""})`,
          }),
        },
      }),
    );
  }
}

function encodeCheck(c: CaaCheck): Record<string, unknown> {
  return {
    name: c.name,
    wildcard: c.wildcard,
    issuedAtMs: c.issuedAtMs,
    issuanceKey: c.issuanceKey,
    issuerO: c.issuerO,
    issuerCn: c.issuerCn,
    watchers: c.watchers.slice(0, 100),
    cert: Buffer.from(toBinary(CertificateRefSchema, c.cert)).toString("base64"),
  };
}

function decodeCheck(d: DnsCheck): CaaCheck | undefined {
  const p = d.payload;
  if (typeof p.name !== "string" || typeof p.cert !== "string" || !Array.isArray(p.watchers))
    return undefined;
  return {
    name: p.name,
    wildcard: p.wildcard === true,
    issuedAtMs: Number(p.issuedAtMs),
    issuanceKey: String(p.issuanceKey),
    issuerO: String(p.issuerO),
    issuerCn: String(p.issuerCn),
    watchers: p.watchers as CaaCheck["watchers"],
    cert: fromBinary(CertificateRefSchema, Buffer.from(p.cert, "base64")),
  };
}
