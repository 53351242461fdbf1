import { create } from "@bufbuild/protobuf";
import { assessTakeover, type OwnedDomainIndex, subdomainCandidates } from "@ctwatch/detectors";
import { type DnsResolver, hasTxtRecord, resolveCnameChain } from "@ctwatch/dns";
import { certificateRefFromEntry, EventId, newAlert } from "@ctwatch/events";
import {
  type Alert,
  type CertificateRef,
  Severity,
  TakeoverDetailsSchema,
  WatchItem_Kind,
  WatchItemSchema,
} from "@ctwatch/proto";
import type { Logger, Metrics } from "@ctwatch/runtime";
import type { DnsCheckQueue, SubdomainStore, TakeoverState, TakeoverStateStore } from "@ctwatch/store";
import { type EntryRecord, mapLimit } from "./watch-context.js";

/** Version tag carried in alerts; bump when the rule changes meaning. */
export const TAKEOVER_DETECTOR = "takeover/1";

/** Settings of the takeover detector. */
export interface TakeoverSettings {
  /** A name checked more recently than this is not checked again for a new certificate, ms. */
  minIntervalMs: number;
  /** Names checked inline per batch; the rest are queued for the sweeper. */
  maxInlineNames: number;
  /** Delay before the first retry of a failed lookup, ms (doubles per attempt, capped at 6 h). */
  retryBaseMs: number;
  /** Failed runs after which a check is abandoned (counted). */
  maxAttempts: number;
  /** Most inventory names queued per watched domain and re-check round. */
  maxNamesPerDomain: number;
}

/** Dependencies of the event-18 detector. */
export interface TakeoverDeps {
  index: () => Promise<OwnedDomainIndex>;
  resolver: DnsResolver;
  state: TakeoverStateStore;
  queue: DnsCheckQueue;
  subdomains: SubdomainStore;
  publish: (alerts: Alert[]) => Promise<void>;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
}

interface Target {
  tenantId: string;
  domain: string;
  name: string;
  cert?: CertificateRef;
}

type CheckResult =
  | { kind: "done"; alerts: Alert[]; state: TakeoverState }
  | { kind: "failed"; detail: string };

const MAX_DEFERRED_BACKOFF_MS = 6 * 3_600_000;
const ASUID_SEVERITY = Severity.MEDIUM;

/**
 * Event 18, dangling Azure CNAME:
 *
 *   names under watched domains (certificates; inventory re-check) ==> CNAME chain (DNS)
 *     ==> NXDOMAIN at an Azure takeover-prone suffix? ==> asuid TXT? ==> alert (acked) ==> state
 *   DNS failure ==> queue (dns_checks) ==> sweeper retries with backoff
 *
 * The inventory re-check queues every known name of every watched domain, so a
 * CNAME that starts dangling when its Azure resource is deleted later is found.
 */
export class TakeoverDetector {
  private readonly now: () => number;
  private readonly outcomes;
  private readonly alertsTotal;

  constructor(
    private readonly s: TakeoverSettings,
    private readonly deps: TakeoverDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.outcomes = deps.metrics.counter(
      "ctwatch_takeover_checks_total",
      "Takeover checks of watched names, by outcome",
    );
    this.alertsTotal = deps.metrics.counter("ctwatch_alerts_emitted_total", "Alerts emitted, by event ID");
  }

  /** The Kafka batch handler: checks names seen in new certificates. */
  handle = async (records: readonly EntryRecord[]): Promise<void> => {
    const index = await this.deps.index();
    if (index.size === 0) return;
    const targets = new Map<string, Target>();
    for (const r of records) {
      const cert = r.value.certificate;
      if (!cert) continue;
      for (const cand of subdomainCandidates(cert, index)) {
        if (cand.wildcard) continue;
        const k = `${cand.tenantId}\u0000${cand.name}`;
        if (!targets.has(k)) {
          targets.set(k, {
            tenantId: cand.tenantId,
            domain: cand.domain,
            name: cand.name,
            cert: certificateRefFromEntry(r.value),
          });
        }
      }
    }
    if (targets.size === 0) return;
    const fresh: Target[] = [];
    const byTenant = new Map<string, Target[]>();
    for (const t of targets.values()) byTenant.set(t.tenantId, [...(byTenant.get(t.tenantId) ?? []), t]);
    for (const [tenantId, list] of byTenant) {
      for (let i = 0; i < list.length; i += 1000) {
        const chunk = list.slice(i, i + 1000);
        const states = await this.deps.state.get(
          tenantId,
          chunk.map((t) => t.name),
        );
        for (const t of chunk) {
          const st = states.get(t.name);
          if (st && this.now() - st.lastCheckedAtMs < this.s.minIntervalMs)
            this.outcomes.inc({ outcome: "recently-checked" });
          else fresh.push(t);
        }
      }
    }
    const inline = fresh.slice(0, this.s.maxInlineNames);
    for (const t of fresh.slice(this.s.maxInlineNames)) await this.defer(t, 0, 0);
    const results = await mapLimit(inline, 8, (t) => this.check(t));
    await this.finish(inline, results);
  };

  /** Runs due deferred checks once (the sweeper calls it periodically). Returns how many ran. */
  async sweep(limit = 100): Promise<number> {
    const due = await this.deps.queue.due("takeover", this.now(), limit);
    const targets: (Target | undefined)[] = due.map((d) => {
      const p = d.payload;
      return typeof p.tenantId === "string" && typeof p.domain === "string" && typeof p.name === "string"
        ? { tenantId: p.tenantId, domain: p.domain, name: p.name }
        : undefined;
    });
    const results = await mapLimit(targets, 8, (t) =>
      t ? this.check(t) : Promise.resolve<CheckResult>({ kind: "failed", detail: "bad payload" }),
    );
    for (const [i, d] of due.entries()) {
      const res = results[i] as CheckResult;
      const t = targets[i];
      if (!t) {
        await this.deps.queue.complete(d.id);
      } else if (res.kind === "done") {
        await this.emit(res.alerts);
        await this.deps.state.put(res.state);
        await this.deps.queue.complete(d.id);
      } else if (d.attempts + 1 >= this.s.maxAttempts) {
        this.outcomes.inc({ outcome: "abandoned" });
        this.deps.logger.warn("takeover check abandoned after repeated DNS failures", {
          name: t.name,
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

  /**
   * Queues every inventory name of every watched domain for a check (bounded per
   * domain); the sweeper works through them at the resolver's rate. Returns the
   * number queued. A name already queued is not queued twice.
   */
  async queueInventory(signal?: AbortSignal): Promise<number> {
    const index = await this.deps.index();
    let queued = 0;
    for (const { tenantId, domain } of index.entries()) {
      let after = "";
      let seen = 0;
      while (seen < this.s.maxNamesPerDomain && !signal?.aborted) {
        const names = await this.deps.subdomains.listNames(
          tenantId,
          domain,
          after,
          Math.min(1000, this.s.maxNamesPerDomain - seen),
        );
        if (names.length === 0) break;
        for (const name of names) {
          if (!name.startsWith("*.") && (await this.defer({ tenantId, domain, name }, 0, 0))) queued++;
        }
        seen += names.length;
        after = names[names.length - 1] as string;
      }
    }
    this.outcomes.inc({ outcome: "inventory-queued" }, queued);
    return queued;
  }

  private async finish(targets: Target[], results: CheckResult[]): Promise<void> {
    const alerts: Alert[] = [];
    for (const [i, res] of results.entries()) {
      if (res.kind === "done") alerts.push(...res.alerts);
      else await this.defer(targets[i] as Target, this.s.retryBaseMs, 0, res.detail);
    }
    await this.emit(alerts);
    for (const res of results) if (res.kind === "done") await this.deps.state.put(res.state);
  }

  private async emit(alerts: Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    await this.deps.publish(alerts);
    this.alertsTotal.inc({ event_id: String(EventId.DomainTakeover) }, alerts.length);
  }

  private async defer(t: Target, delayMs: number, attempts: number, detail?: string): Promise<boolean> {
    if (detail !== undefined) {
      this.outcomes.inc({ outcome: "dns-failed" });
      this.deps.logger.info("takeover lookup failed; retrying later", { name: t.name, detail });
    }
    return this.deps.queue.schedule({
      id: `takeover|${t.tenantId}|${t.name}`,
      kind: "takeover",
      dueAtMs: this.now() + delayMs,
      attempts,
      payload: { tenantId: t.tenantId, domain: t.domain, name: t.name },
      createdAtMs: this.now(),
    });
  }

  private async check(t: Target): Promise<CheckResult> {
    const chain = await resolveCnameChain(this.deps.resolver, t.name);
    if (chain.outcome === "failed")
      return { kind: "failed", detail: `${chain.lookupOutcome}: ${chain.detail ?? ""}` };
    let asuid = false;
    if (chain.outcome === "nxdomain" && chain.chain.length > 1) {
      const txt = await hasTxtRecord(this.deps.resolver, `asuid.${t.name}`);
      if (txt === undefined) return { kind: "failed", detail: `asuid.${t.name} TXT lookup failed` };
      asuid = txt;
    }
    const finding = assessTakeover({ chain: chain.chain, outcome: chain.outcome, asuidTxt: asuid });
    this.outcomes.inc({ outcome: finding ? "dangling" : chain.outcome });
    const state: TakeoverState = {
      tenantId: t.tenantId,
      domain: t.domain,
      name: t.name,
      lastCheckedAtMs: this.now(),
      outcome: chain.outcome,
      chain: chain.chain,
      dangling: finding !== undefined,
    };
    if (!finding) return { kind: "done", alerts: [], state };
    const alert = newAlert({
      eventId: EventId.DomainTakeover,
      tenantId: t.tenantId,
      dedupKey: `${EventId.DomainTakeover}|${t.name}|${finding.danglingTarget}`,
      subjectDomain: t.name,
      watchItem: create(WatchItemSchema, { kind: WatchItem_Kind.OWNED_DOMAIN, value: t.domain }),
      ...(t.cert ? { certificate: t.cert } : {}),
      detector: TAKEOVER_DETECTOR,
      detectedAtMs: this.now(),
      ...(finding.asuidProtected ? { severity: ASUID_SEVERITY } : {}),
      details: {
        case: "takeover",
        value: create(TakeoverDetailsSchema, {
          cnameChain: finding.cnameChain,
          azureSuffix: finding.azure.suffix,
          remedy: finding.remedy,
          asuidProtected: finding.asuidProtected,
        }),
      },
    });
    return { kind: "done", alerts: [alert], state };
  }
}
