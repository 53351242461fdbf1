import type { Logger, Metrics } from "@ctwatch/runtime";
import { failingEmail, type IncidentEmailFacts, recoveredEmail } from "./incident-email.js";
import type { Mailer } from "./mailer.js";

/**
 * A period during which a destination failed past the retry budget (or its
 * circuit breaker was open), as recorded by an {@link IncidentLedger}.
 */
export interface DeliveryIncident extends IncidentEmailFacts {
  /** `<destinationId>#<seq>`. */
  readonly id: string;
  /** 1, 2, … per destination; the latest incident has the highest. */
  readonly seq: number;
  /** The failing email is not sent before this time (rate limit), ms since epoch. */
  readonly notifyNotBeforeMs: number;
  /** When the failing email of the previous incident was sent, if ever (carried for the rate limit). */
  readonly previousEmailAtMs?: number;
  /** When the failing email was sent (claimed), ms since epoch. */
  readonly openNotifiedAtMs?: number;
  /** When the recovery email was sent (claimed), ms since epoch. */
  readonly recoveryNotifiedAtMs?: number;
}

/** A new incident, before the ledger stores it. */
export type NewIncident = Omit<
  DeliveryIncident,
  "recoveredAtMs" | "openNotifiedAtMs" | "recoveryNotifiedAtMs"
>;

/**
 * Durable incident records, shared by every sink instance. Opening is a unique
 * insert of `(destinationId, seq)`, so two instances that see the same failure
 * open one incident; claims are conditional updates, so one instance sends each email.
 */
export interface IncidentLedger {
  /** The destination's latest incident (highest seq), open or recovered; undefined if none. */
  latest(destinationId: string): Promise<DeliveryIncident | undefined>;
  /** Stores `incident`; false when its `(destinationId, seq)` exists already. */
  open(incident: NewIncident): Promise<boolean>;
  /** Sets `recoveredAtMs` unless set; true when this call set it. */
  recover(incidentId: string, atMs: number): Promise<boolean>;
  /** Sets the email's `…NotifiedAtMs` unless set; true when this call claimed sending it. */
  claimNotification(incidentId: string, which: "open" | "recovery", atMs: number): Promise<boolean>;
  /** Clears a claim after the email could not be sent, so a later flush retries it. */
  releaseNotification(incidentId: string, which: "open" | "recovery"): Promise<void>;
  /**
   * Incidents with an email due (at most `limit`): open with the failing email unsent
   * and `notifyNotBeforeMs <= nowMs`; or recovered with the failing email sent and the
   * recovery email unsent.
   */
  pendingNotifications(nowMs: number, limit: number): Promise<DeliveryIncident[]>;
}

/** Who administers a tenant. */
export interface AdminDirectory {
  /** The tenant's administrators' addresses; empty when unknown. */
  admins(tenantId: string): Promise<readonly string[]>;
}

/** A destination's health after one delivery attempt (a Deliverer outcome). */
export type DestinationHealth = {
  readonly tenantId: string;
  readonly destinationId: string;
  readonly destinationKind: string;
} & (
  | { readonly status: "healthy" }
  | {
      readonly status: "failing";
      readonly code: string;
      readonly reason: string;
      readonly message: string;
      readonly hint: string;
    }
);

/** Options of {@link IncidentNotifier}. */
export interface IncidentNotifierOptions {
  readonly ledger: IncidentLedger;
  readonly admins: AdminDirectory;
  readonly mailer: Mailer;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /**
   * Least time between two "failing" emails for one destination, ms. A destination
   * that fails again sooner opens a new incident whose email waits until then (sent
   * by {@link IncidentNotifier.flush} if it is still failing). Default 3 600 000.
   */
  readonly minEmailIntervalMs?: number;
  readonly now?: () => number;
}

/**
 * Turns delivery outcomes into incident emails to the tenant's administrators:
 *
 *   healthy --(failing report)--> incident open  ==> "failing" email (once, rate-limited)
 *   open    --(healthy report)--> recovered      ==> "recovered" email (only if "failing" was sent)
 *
 * `report` is cheap on the hot path (an in-memory state per destination; the ledger is
 * read once per destination and on each transition) and never rejects: a mail or store
 * failure is logged and retried by the next {@link IncidentNotifier.flush}. Reports for
 * one destination are applied in order.
 */
export class IncidentNotifier {
  readonly #o: IncidentNotifierOptions;
  readonly #now: () => number;
  readonly #minIntervalMs: number;
  readonly #state = new Map<string, "open" | "closed">();
  readonly #queues = new Map<string, Promise<void>>();
  readonly #emails;
  readonly #incidents;

  constructor(options: IncidentNotifierOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#minIntervalMs = options.minEmailIntervalMs ?? 3_600_000;
    this.#emails = options.metrics.counter(
      "ctwatch_incident_emails_total",
      "Incident emails, by kind (failing, recovered) and outcome (sent, failed, no-admins)",
    );
    this.#incidents = options.metrics.counter(
      "ctwatch_delivery_incidents_total",
      "Delivery incidents, by transition (opened, recovered)",
    );
  }

  /** Applies one health report; resolves when its transition (if any) is recorded and its email attempted. */
  report(health: DestinationHealth, signal: AbortSignal): Promise<void> {
    const known = this.#state.get(health.destinationId);
    if (
      (health.status === "healthy" && known === "closed") ||
      (health.status === "failing" && known === "open")
    )
      return Promise.resolve();
    const previous = this.#queues.get(health.destinationId) ?? Promise.resolve();
    const next = previous
      .then(() => this.#apply(health, signal))
      .catch((err: unknown) => {
        if (signal.aborted) return;
        this.#o.logger.error("incident bookkeeping failed", { destination: health.destinationId, err });
      });
    this.#queues.set(health.destinationId, next);
    void next.then(() => {
      if (this.#queues.get(health.destinationId) === next) this.#queues.delete(health.destinationId);
    });
    return next;
  }

  /** Sends the emails that are due (rate-limited ones whose time came, failed sends). Never rejects. */
  async flush(signal: AbortSignal): Promise<void> {
    try {
      for (const incident of await this.#o.ledger.pendingNotifications(this.#now(), 100)) {
        await this.#notify(incident, incident.recoveredAtMs === undefined ? "open" : "recovery", signal);
      }
    } catch (err) {
      if (!signal.aborted) this.#o.logger.error("sending due incident emails failed", { err });
    }
  }

  async #apply(health: DestinationHealth, signal: AbortSignal): Promise<void> {
    const id = health.destinationId;
    const known = this.#state.get(id);
    if (
      (health.status === "healthy" && known === "closed") ||
      (health.status === "failing" && known === "open")
    )
      return;
    const latest = await this.#o.ledger.latest(id);
    const isOpen = latest !== undefined && latest.recoveredAtMs === undefined;
    if (this.#state.size > 10_000) this.#state.clear();
    if (health.status === "healthy") {
      this.#state.set(id, "closed");
      if (!latest || !isOpen) return;
      const now = this.#now();
      if (!(await this.#o.ledger.recover(latest.id, now))) return;
      this.#incidents.inc({ transition: "recovered" });
      this.#o.logger.info("delivery incident recovered", { tenantId: health.tenantId, destination: id });
      if (latest.openNotifiedAtMs !== undefined)
        await this.#notify({ ...latest, recoveredAtMs: now }, "recovery", signal);
      return;
    }
    this.#state.set(id, "open");
    if (isOpen) return;
    const now = this.#now();
    const previousEmailAtMs = latest?.openNotifiedAtMs ?? latest?.previousEmailAtMs;
    const seq = (latest?.seq ?? 0) + 1;
    const incident: NewIncident = {
      id: `${id}#${seq}`,
      seq,
      tenantId: health.tenantId,
      destinationId: id,
      destinationKind: health.destinationKind,
      openedAtMs: now,
      code: health.code,
      reason: health.reason,
      message: health.message.slice(0, 500),
      hint: health.hint,
      notifyNotBeforeMs:
        previousEmailAtMs === undefined ? now : Math.max(now, previousEmailAtMs + this.#minIntervalMs),
      ...(previousEmailAtMs === undefined ? {} : { previousEmailAtMs }),
    };
    if (!(await this.#o.ledger.open(incident))) return; // another instance opened it
    this.#incidents.inc({ transition: "opened" });
    this.#o.logger.warn("delivery incident opened", {
      tenantId: health.tenantId,
      destination: id,
      code: health.code,
      reason: health.reason,
    });
    if (incident.notifyNotBeforeMs <= now) await this.#notify(incident, "open", signal);
    else
      this.#o.logger.info("incident email deferred (rate limit)", {
        destination: id,
        notBefore: new Date(incident.notifyNotBeforeMs).toISOString(),
      });
  }

  async #notify(incident: DeliveryIncident, which: "open" | "recovery", signal: AbortSignal): Promise<void> {
    const kind = which === "open" ? "failing" : "recovered";
    if (!(await this.#o.ledger.claimNotification(incident.id, which, this.#now()))) return;
    const to = await this.#o.admins.admins(incident.tenantId);
    if (to.length === 0) {
      this.#emails.inc({ kind, outcome: "no-admins" });
      this.#o.logger.warn("tenant has no administrators to email", {
        tenantId: incident.tenantId,
        destination: incident.destinationId,
      });
      return;
    }
    const message = which === "open" ? failingEmail(incident, to) : recoveredEmail(incident, to);
    try {
      await this.#o.mailer.send(message, signal);
      this.#emails.inc({ kind, outcome: "sent" });
      this.#o.logger.info("incident email sent", {
        tenantId: incident.tenantId,
        destination: incident.destinationId,
        kind,
        recipients: to.length,
      });
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      this.#emails.inc({ kind, outcome: "failed" });
      this.#o.logger.error("incident email failed; will retry", {
        destination: incident.destinationId,
        kind,
        err,
      });
      await this.#o.ledger.releaseNotification(incident.id, which);
    }
  }
}
