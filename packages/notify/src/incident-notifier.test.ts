import { MetricsRegistry, silentLogger } from "@ctwatch/runtime";
import { describe, expect, it } from "@jest/globals";
import {
  type DeliveryIncident,
  type DestinationHealth,
  type IncidentLedger,
  IncidentNotifier,
  type NewIncident,
} from "./incident-notifier.js";
import { MailError, MemoryMailer } from "./mailer.js";

/** A real in-memory ledger with the same contract as the MongoDB one. */
class MemoryLedger implements IncidentLedger {
  readonly incidents = new Map<string, DeliveryIncident>();

  async latest(destinationId: string) {
    return [...this.incidents.values()]
      .filter((i) => i.destinationId === destinationId)
      .sort((a, b) => b.seq - a.seq)[0];
  }
  async open(incident: NewIncident) {
    if (this.incidents.has(incident.id)) return false;
    this.incidents.set(incident.id, { ...incident });
    return true;
  }
  async recover(id: string, atMs: number) {
    const i = this.incidents.get(id);
    if (!i || i.recoveredAtMs !== undefined) return false;
    this.incidents.set(id, { ...i, recoveredAtMs: atMs });
    return true;
  }
  async claimNotification(id: string, which: "open" | "recovery", atMs: number) {
    const i = this.incidents.get(id);
    const field = which === "open" ? "openNotifiedAtMs" : "recoveryNotifiedAtMs";
    if (!i || i[field] !== undefined) return false;
    this.incidents.set(id, { ...i, [field]: atMs });
    return true;
  }
  async releaseNotification(id: string, which: "open" | "recovery") {
    const i = this.incidents.get(id);
    if (!i) return;
    const { openNotifiedAtMs, recoveryNotifiedAtMs, ...rest } = i;
    this.incidents.set(id, {
      ...rest,
      ...(which === "open" || openNotifiedAtMs === undefined ? {} : { openNotifiedAtMs }),
      ...(which === "recovery" || recoveryNotifiedAtMs === undefined ? {} : { recoveryNotifiedAtMs }),
    });
  }
  async pendingNotifications(nowMs: number, limit: number) {
    return [...this.incidents.values()]
      .filter((i) =>
        i.recoveredAtMs === undefined
          ? i.openNotifiedAtMs === undefined && i.notifyNotBeforeMs <= nowMs
          : i.openNotifiedAtMs !== undefined && i.recoveryNotifiedAtMs === undefined,
      )
      .slice(0, limit);
  }
}

const SECRET = "hec-token-must-not-appear";
const failing: DestinationHealth = {
  tenantId: "acme",
  destinationId: "acme-splunk",
  destinationKind: "splunk-hec",
  status: "failing",
  code: "credentials-rejected",
  reason: "rejected",
  message: 'Splunk HEC answered HTTP 403 code 4 "Invalid token"',
  hint: "Check the HEC token.",
};
const healthy: DestinationHealth = {
  tenantId: "acme",
  destinationId: "acme-splunk",
  destinationKind: "splunk-hec",
  status: "healthy",
};

function setup(admins: string[] = ["soc@acme.example", "ciso@acme.example"], minEmailIntervalMs = 3_600_000) {
  let clock = Date.UTC(2026, 10, 1);
  const ledger = new MemoryLedger();
  const mailer = new MemoryMailer();
  const notifier = new IncidentNotifier({
    ledger,
    admins: { admins: async () => admins },
    mailer,
    logger: silentLogger,
    metrics: new MetricsRegistry(),
    minEmailIntervalMs,
    now: () => clock,
  });
  return {
    ledger,
    mailer,
    notifier,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

const signal = new AbortController().signal;

describe("IncidentNotifier", () => {
  it("sends one email when a destination starts failing and one when it recovers", async () => {
    const { notifier, mailer, advance } = setup();
    await notifier.report(healthy, signal);
    expect(mailer.sent).toHaveLength(0);
    await notifier.report(failing, signal);
    for (let i = 0; i < 5; i++) await notifier.report(failing, signal);
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]?.to).toEqual(["soc@acme.example", "ciso@acme.example"]);
    expect(mailer.sent[0]?.subject).toBe(
      "[ctwatch] Alert delivery to acme-splunk is failing (credentials-rejected)",
    );
    expect(mailer.sent[0]?.text).toContain("Check the HEC token.");
    expect(mailer.sent[0]?.text).not.toContain(SECRET);
    advance(90_000);
    await notifier.report(healthy, signal);
    await notifier.report(healthy, signal);
    expect(mailer.sent).toHaveLength(2);
    expect(mailer.sent[1]?.subject).toBe("[ctwatch] Alert delivery to acme-splunk has recovered");
    expect(mailer.sent[1]?.text).toContain("after 90 s");
  });

  it("opens one incident when two instances (two notifiers, one ledger) see the same failure", async () => {
    const a = setup();
    const b = new IncidentNotifier({
      ledger: a.ledger,
      admins: { admins: async () => ["soc@acme.example"] },
      mailer: a.mailer,
      logger: silentLogger,
      metrics: new MetricsRegistry(),
    });
    await Promise.all([a.notifier.report(failing, signal), b.report(failing, signal)]);
    expect(a.ledger.incidents.size).toBe(1);
    expect(a.mailer.sent).toHaveLength(1);
  });

  it("defers the failing email of a flapping destination until the interval has passed", async () => {
    const { notifier, mailer, advance } = setup(undefined, 3_600_000);
    await notifier.report(failing, signal);
    advance(60_000);
    await notifier.report(healthy, signal);
    expect(mailer.sent.map((m) => m.subject)).toEqual([
      expect.stringContaining("is failing"),
      expect.stringContaining("has recovered"),
    ]);
    advance(60_000);
    await notifier.report(failing, signal); // second incident, 2 minutes after the first email
    expect(mailer.sent).toHaveLength(2);
    await notifier.flush(signal);
    expect(mailer.sent).toHaveLength(2);
    advance(3_600_000);
    await notifier.flush(signal);
    expect(mailer.sent).toHaveLength(3);
    expect(mailer.sent[2]?.subject).toContain("is failing");
  });

  it("sends no recovery email for an incident whose failing email was never sent", async () => {
    const { notifier, mailer, advance } = setup(undefined, 3_600_000);
    await notifier.report(failing, signal);
    await notifier.report(healthy, signal);
    await notifier.report(failing, signal); // deferred
    advance(1000);
    await notifier.report(healthy, signal);
    await notifier.flush(signal);
    expect(mailer.sent).toHaveLength(2);
  });

  it("retries an email the server refused on the next flush, once", async () => {
    const { notifier, mailer } = setup();
    mailer.failWith = new MailError("SMTP server unavailable (ECONNREFUSED)", "unavailable");
    await notifier.report(failing, signal);
    expect(mailer.sent).toHaveLength(0);
    mailer.failWith = undefined;
    await notifier.flush(signal);
    await notifier.flush(signal);
    expect(mailer.sent).toHaveLength(1);
  });

  it("records the incident but sends nothing when the tenant has no administrators", async () => {
    const { notifier, mailer, ledger } = setup([]);
    await notifier.report(failing, signal);
    await notifier.flush(signal);
    expect(mailer.sent).toHaveLength(0);
    expect(ledger.incidents.size).toBe(1);
  });
});
