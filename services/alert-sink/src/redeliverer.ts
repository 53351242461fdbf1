import { fromJson } from "@bufbuild/protobuf";
import type { IncidentNotifier } from "@ctwatch/notify";
import { type Alert, AlertSchema } from "@ctwatch/proto";
import { type Logger, type Metrics, type Stoppable, sleep } from "@ctwatch/runtime";
import type { Deliverer, SiemDestination } from "@ctwatch/siem";
import type { AlertStore, LeaseStore, ParkedDeliveryStore } from "@ctwatch/store";
import { mapLimit } from "./map-limit.js";
import type { TenantDelivery } from "./tenant-delivery.js";

/** Collaborators of {@link Redeliverer}. */
export interface RedelivererDeps {
  parked: ParkedDeliveryStore;
  alerts: AlertStore;
  leases: LeaseStore;
  delivery: TenantDelivery;
  /** The breakers of the live path: redelivery waits while a destination's is open. */
  deliverer: Deliverer;
  /** The tenant's enabled destination with this ID, or undefined (deleted, disabled, invalid). */
  destination: (tenantId: string, destinationId: string) => Promise<SiemDestination | undefined>;
  incidents?: IncidentNotifier;
  logger: Logger;
  metrics: Metrics;
  /** Identifies this process in leases. */
  owner: string;
  now?: () => number;
}

/** Settings of {@link Redeliverer}. */
export interface RedelivererSettings {
  /** Pause between passes, ms; 0 disables the background loop (replay still works). */
  intervalMs: number;
  /** Alerts loaded and delivered per step, 1 to 10 000. */
  batchSize: number;
  /**
   * How long a destination's redelivery lease lasts, ms; renewed before every step.
   * A sink killed while redelivering blocks other instances at most this long.
   * Default 120 000.
   */
  leaseMs?: number;
}

/** What one redelivery did. */
export interface RedeliveryReport {
  destinationId: string;
  delivered: number;
  parked: number;
  /** Parked entries whose alert no longer exists (removed). */
  missing: number;
  /** True when it stopped early because the destination failed again. */
  stoppedOnFailure: boolean;
}

/** Which parked alerts of a destination to redeliver. */
export interface RedeliverySelection {
  destinationId: string;
  /** Only this tenant's (a safety check for the replay command). */
  tenantId?: string;
  /** Only alerts parked at or after this time, ms since epoch. */
  sinceMs?: number;
  /** Only alerts due for an automatic retry (the background loop); default false. */
  dueOnly?: boolean;
  /** Stop after this many alerts; default all. */
  maxAlerts?: number;
}

/**
 * Redelivers parked alerts from the store (parked_deliveries + alerts):
 *
 *   every intervalMs: destinations with parked alerts ==> breaker not open? ==> lease
 *     ==> oldest parked (batchSize) ==> load alerts ==> TenantDelivery (redelivery)
 *     ==> delivered: leave the parked store, marked delivered | failed: parked again, stop
 *
 * A destination that is down keeps its breaker open, so a pass costs nothing for it
 * until the breaker lets a probe through; the first batch of a pass is that probe.
 * The same code serves the `replay` command. Alerts may reach the SIEM twice (a lost
 * answer, two instances without a lease), never zero times.
 */
export class Redeliverer implements Stoppable {
  readonly name = "redeliverer";
  readonly #d: RedelivererDeps;
  readonly #s: RedelivererSettings;
  readonly #now: () => number;
  readonly #ac = new AbortController();
  readonly #redelivered;
  #loop: Promise<void> | undefined;

  constructor(deps: RedelivererDeps, settings: RedelivererSettings) {
    this.#d = deps;
    this.#s = settings;
    this.#now = deps.now ?? Date.now;
    this.#redelivered = deps.metrics.counter(
      "ctwatch_sink_redelivered_total",
      "Parked alerts redelivered, by outcome (delivered, parked, missing)",
    );
  }

  /** Starts the background loop (no-op when `intervalMs` is 0 or already started). */
  start(): void {
    if (this.#s.intervalMs <= 0 || this.#loop) return;
    this.#loop = this.#run(this.#ac.signal);
  }

  async stop(): Promise<void> {
    this.#ac.abort(new Error("redeliverer stopping"));
    await this.#loop;
  }

  /** One pass over every destination with alerts due; never rejects except on cancellation. */
  async pass(signal: AbortSignal): Promise<RedeliveryReport[]> {
    const reports: RedeliveryReport[] = [];
    let destinationIds: string[];
    try {
      destinationIds = await this.#d.parked.destinations();
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      this.#d.logger.error("listing parked deliveries failed", { err });
      return reports;
    }
    for (const destinationId of destinationIds) {
      signal.throwIfAborted();
      if (this.#d.deliverer.breakerState(destinationId).state === "open") continue;
      const lease = `redeliver:${destinationId}`;
      const leaseMs = this.#s.leaseMs ?? 120_000;
      const acquire = () => this.#d.leases.tryAcquire(lease, this.#d.owner, leaseMs, this.#now());
      try {
        if (!(await acquire())) continue;
        try {
          reports.push(await this.#redeliver({ destinationId, dueOnly: true }, signal, acquire));
        } finally {
          await this.#d.leases.release(lease, this.#d.owner);
        }
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        this.#d.logger.error("redelivery failed; will retry", { destination: destinationId, err });
      }
    }
    await this.#d.incidents?.flush(signal);
    return reports;
  }

  /** Redelivers the selected parked alerts, oldest first, in steps of `batchSize`. */
  redeliver(sel: RedeliverySelection, signal: AbortSignal): Promise<RedeliveryReport> {
    return this.#redeliver(sel, signal);
  }

  /** `redeliver`, renewing a held lease (`renew` resolves false once it is lost) before each step. */
  async #redeliver(
    sel: RedeliverySelection,
    signal: AbortSignal,
    renew?: () => Promise<boolean>,
  ): Promise<RedeliveryReport> {
    const report: RedeliveryReport = {
      destinationId: sel.destinationId,
      delivered: 0,
      parked: 0,
      missing: 0,
      stoppedOnFailure: false,
    };
    const limit = sel.maxAlerts ?? Number.POSITIVE_INFINITY;
    // Snapshot of the due time: alerts parked again during this run are not retried in it.
    const dueAtMs = this.#now();
    let seen = 0;
    // Alerts handled in this run: re-parked ones come back in later pages and are skipped;
    // delivered ones leave the store (if one did not, it is skipped rather than resent).
    const handled = new Set<string>();
    let parkedAgain = 0;
    while (seen < limit) {
      if (renew && seen > 0 && !(await renew())) break;
      const page = await this.#d.parked.list({
        destinationId: sel.destinationId,
        ...(sel.tenantId !== undefined ? { tenantId: sel.tenantId } : {}),
        ...(sel.sinceMs !== undefined ? { sinceMs: sel.sinceMs } : {}),
        ...(sel.dueOnly ? { dueAtMs } : {}),
        limit: Math.min(this.#s.batchSize, limit - seen) + parkedAgain,
      });
      const fresh = page.filter((p) => !handled.has(p.alertId));
      if (fresh.length === 0) break;
      seen += fresh.length;
      for (const p of fresh) handled.add(p.alertId);
      const first = fresh[0];
      if (!first) break;
      const destination = await this.#d.destination(first.tenantId, sel.destinationId);
      if (!destination) {
        this.#d.logger.warn("parked alerts wait for a destination that is disabled or missing", {
          tenantId: first.tenantId,
          destination: sel.destinationId,
        });
        break;
      }
      const loaded = await mapLimit(fresh, 16, async (p) => {
        const doc = await this.#d.alerts.get(p.tenantId, p.alertId);
        return { p, alert: doc ? (fromJson(AlertSchema, doc.alert) as Alert) : undefined };
      });
      const missing = loaded.filter((l) => !l.alert).map((l) => l.p.alertId);
      if (missing.length > 0) {
        await this.#d.parked.remove(sel.destinationId, missing);
        report.missing += missing.length;
        this.#redelivered.inc({ outcome: "missing" }, missing.length);
      }
      const alerts = loaded.flatMap((l) => (l.alert ? [l.alert] : []));
      if (alerts.length === 0) continue;
      const result = await this.#d.delivery.deliver(
        first.tenantId,
        alerts,
        [destination],
        "redelivery",
        signal,
      );
      const delivered = result.delivered.get(sel.destinationId)?.length ?? 0;
      const parked = result.parked.get(sel.destinationId) ?? [];
      report.delivered += delivered;
      report.parked += parked.length;
      this.#redelivered.inc({ outcome: "delivered" }, delivered);
      if (parked.length > 0) this.#redelivered.inc({ outcome: "parked" }, parked.length);
      parkedAgain += parked.length;
      if (delivered === 0 && parked.length > 0) {
        report.stoppedOnFailure = true;
        break;
      }
      if (parkedAgain > 10_000) break;
    }
    if (report.delivered + report.parked + report.missing > 0) {
      this.#d.logger.info("redelivery", { ...report });
    }
    return report;
  }

  async #run(signal: AbortSignal): Promise<void> {
    try {
      for (;;) {
        await sleep(this.#s.intervalMs, signal);
        await this.pass(signal);
      }
    } catch (err) {
      if (!signal.aborted) this.#d.logger.error("redelivery loop ended", { err });
    }
  }
}
