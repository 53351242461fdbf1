import { CloudWatchLogsReceiver, SplunkHecReceiver } from "@ctwatch/siem-testkit";
import { afterEach, describe, expect, it } from "@jest/globals";
import { Deliverer, type DeliveryOutcome } from "./deliverer.js";
import type { SiemDestination } from "./destination.js";
import { manyAlerts } from "./testing/alerts.js";
import { buildDestination, CapturingLogger, neverAborted } from "./testing/harness.js";

const TOKEN = "11111111-2222-3333-4444-555555555555";
const API_KEY = "ACWLkey";
let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

async function hecReceiver(
  options: { maxContentLength?: number; port?: number } = {},
): Promise<SplunkHecReceiver> {
  const r = await SplunkHecReceiver.start(
    {
      tokens: { [TOKEN]: {} },
      ...(options.maxContentLength ? { maxContentLength: options.maxContentLength } : {}),
    },
    options.port ?? 0,
  );
  closers.push(() => r.close());
  return r;
}

function hecDestination(url: string, extra: Record<string, unknown> = {}): SiemDestination {
  return buildDestination({ kind: "splunk-hec", id: "splunk", url, token: TOKEN, timeoutMs: 2_000, ...extra })
    .destination;
}

/** A deliverer that records its waits instead of sleeping, with a movable clock. */
function testDeliverer(options: { maxAttempts?: number; failureThreshold?: number } = {}) {
  const clock = { offsetMs: 0 };
  const waits: number[] = [];
  const logger = new CapturingLogger();
  const deliverer = new Deliverer({
    logger,
    retry: { maxAttempts: options.maxAttempts ?? 4, baseDelayMs: 10, maxDelayMs: 50, maxElapsedMs: 60_000 },
    breaker: { failureThreshold: options.failureThreshold ?? 3, openMs: 30_000 },
    now: () => Date.now() + clock.offsetMs,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  return { deliverer, clock, waits, logger };
}

function alertIds(r: SplunkHecReceiver): string[] {
  return r.events.map((e) => (e.event as { AlertId: string }).AlertId);
}

function outcome(outcomes: ReadonlyMap<string, DeliveryOutcome>, id: string): DeliveryOutcome {
  const o = outcomes.get(id);
  if (!o) throw new Error(`no outcome for ${id}`);
  return o;
}

describe("Deliverer", () => {
  it("delivers to several destinations and reports each", async () => {
    const hec = await hecReceiver();
    const cw = await CloudWatchLogsReceiver.start({
      region: "us-east-1",
      apiKeys: [API_KEY],
      logGroups: { g: { streams: ["s"] } },
    });
    closers.push(() => cw.close());
    const cloudwatch = buildDestination({
      kind: "cloudwatch-logs",
      id: "cw",
      region: "us-east-1",
      logGroup: "g",
      logStream: "s",
      endpoint: cw.url,
      auth: { type: "api-key", apiKey: API_KEY },
    }).destination;
    const { deliverer } = testDeliverer();
    const alerts = manyAlerts(250, Date.now() - 10_000, 10);
    const outcomes = await deliverer.deliver(alerts, [hecDestination(hec.url), cloudwatch], neverAborted());
    expect(outcome(outcomes, "splunk")).toMatchObject({
      status: "delivered",
      deliveredCount: 250,
      attempts: 3,
    });
    expect(outcome(outcomes, "cw")).toMatchObject({ status: "delivered", deliveredCount: 250, attempts: 1 });
    expect(new Set(alertIds(hec)).size).toBe(250);
    expect(cw.events("g", "s")).toHaveLength(250);
  });

  it("splits a batch the SIEM answers 413 to, until the halves fit", async () => {
    const hec = await hecReceiver({ maxContentLength: 5_000 });
    const { deliverer } = testDeliverer();
    const alerts = manyAlerts(8, Date.now());
    const outcomes = await deliverer.deliver(alerts, [hecDestination(hec.url)], neverAborted());
    expect(outcome(outcomes, "splunk")).toMatchObject({ status: "delivered", deliveredCount: 8 });
    expect(hec.requests.filter((r) => r.status === 413).length).toBeGreaterThan(0);
    expect(alertIds(hec).sort()).toEqual(alerts.map((a) => a.alertId).sort());
  });

  it("honours 429 Retry-After before retrying", async () => {
    const hec = await hecReceiver();
    hec.injectFault(1, {
      kind: "reply",
      reply: { status: 429, headers: { "retry-after": "2" }, body: "slow down" },
    });
    const { deliverer, waits } = testDeliverer();
    const outcomes = await deliverer.deliver(
      manyAlerts(3, Date.now()),
      [hecDestination(hec.url)],
      neverAborted(),
    );
    expect(outcome(outcomes, "splunk")).toMatchObject({ status: "delivered", attempts: 2 });
    expect(waits).toEqual([2_000]);
  });

  it("really waits out Retry-After (1 s) with the default sleep", async () => {
    const hec = await hecReceiver();
    hec.injectFault(1, { kind: "reply", reply: { status: 429, headers: { "retry-after": "1" } } });
    const deliverer = new Deliverer({
      logger: new CapturingLogger(),
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
    });
    const outcomes = await deliverer.deliver(
      manyAlerts(1, Date.now()),
      [hecDestination(hec.url)],
      neverAborted(),
    );
    expect(outcome(outcomes, "splunk").status).toBe("delivered");
    const [first, second] = hec.requests;
    expect(second!.receivedAtMs - first!.receivedAtMs).toBeGreaterThanOrEqual(990);
  });

  it("retries 500 and 503 with backoff", async () => {
    const hec = await hecReceiver();
    hec.injectFault(1, {
      kind: "reply",
      reply: { status: 500, body: { text: "Internal server error", code: 8 } },
    });
    hec.busy(1);
    const { deliverer, waits } = testDeliverer();
    const outcomes = await deliverer.deliver(
      manyAlerts(3, Date.now()),
      [hecDestination(hec.url)],
      neverAborted(),
    );
    expect(outcome(outcomes, "splunk")).toMatchObject({ status: "delivered", attempts: 3 });
    expect(waits).toHaveLength(2);
    for (const w of waits) expect(w).toBeLessThanOrEqual(50);
  });

  it("retries after a request timeout and after a dropped connection", async () => {
    const hec = await hecReceiver();
    hec.injectFault(1, { kind: "hang" });
    hec.injectFault(1, { kind: "close-socket" });
    const { deliverer } = testDeliverer();
    const started = Date.now();
    const outcomes = await deliverer.deliver(
      manyAlerts(2, Date.now()),
      [hecDestination(hec.url, { timeoutMs: 150 })],
      neverAborted(),
    );
    expect(outcome(outcomes, "splunk")).toMatchObject({ status: "delivered", attempts: 3 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(hec.events).toHaveLength(2);
  });

  it("parks on credentials rejected without retrying, skipping the remaining batches", async () => {
    const hec = await hecReceiver();
    const { deliverer } = testDeliverer();
    const bad = buildDestination({
      kind: "splunk-hec",
      id: "splunk",
      url: hec.url,
      token: "wrong",
      maxEvents: 2,
    }).destination;
    const alerts = manyAlerts(5, Date.now());
    const o = outcome(await deliverer.deliver(alerts, [bad], neverAborted()), "splunk");
    expect(o).toMatchObject({ status: "parked", reason: "rejected", attempts: 1, deliveredCount: 0 });
    if (o.status === "parked") {
      expect(o.error.code).toBe("credentials-rejected");
      expect(o.undelivered).toHaveLength(5);
    }
  });

  it("parks only the batch the SIEM calls invalid and goes on with the rest", async () => {
    const hec = await hecReceiver();
    hec.injectFault(1, {
      kind: "reply",
      reply: { status: 400, body: { text: "Invalid data format", code: 6, "invalid-event-number": 1 } },
    });
    const { deliverer } = testDeliverer();
    const alerts = manyAlerts(6, Date.now());
    const o = outcome(
      await deliverer.deliver(alerts, [hecDestination(hec.url, { maxEvents: 2 })], neverAborted()),
      "splunk",
    );
    expect(o).toMatchObject({ status: "parked", reason: "rejected", deliveredCount: 4 });
    if (o.status === "parked") expect(o.undelivered.map((a) => a.alertId)).toEqual(["alert-0", "alert-1"]);
    expect(deliverer.breakerState("splunk").state).toBe("closed");
  });

  it("opens the breaker for a dead destination, parks instantly, then closes via a probe; zero alerts lost", async () => {
    const hec = await hecReceiver();
    const port = Number(new URL(hec.url).port);
    await hec.close();
    const { deliverer, clock } = testDeliverer({ maxAttempts: 3, failureThreshold: 3 });
    const destination = hecDestination(`http://127.0.0.1:${port}`, { maxEvents: 5 });
    const parked: string[] = [];

    const first = outcome(
      await deliverer.deliver(manyAlerts(10, Date.now()), [destination], neverAborted()),
      "splunk",
    );
    expect(first).toMatchObject({ status: "parked", reason: "retries-exhausted", attempts: 3 });
    if (first.status === "parked") {
      expect(first.error.code).toBe("connection-refused");
      parked.push(...first.undelivered.map((a) => a.alertId));
    }
    expect(deliverer.breakerState("splunk").state).toBe("open");

    const started = Date.now();
    const later = manyAlerts(4, Date.now()).map((a) => ({ ...a, alertId: `later-${a.alertId}` }));
    const second = outcome(await deliverer.deliver(later, [destination], neverAborted()), "splunk");
    expect(second).toMatchObject({ status: "parked", reason: "circuit-open", attempts: 0 });
    if (second.status === "parked") parked.push(...second.undelivered.map((a) => a.alertId));
    expect(Date.now() - started).toBeLessThan(1_000);

    const back = await hecReceiver({ port });
    clock.offsetMs = 30_001;
    expect(deliverer.breakerState("splunk").state).toBe("half-open");
    const redelivery = [...manyAlerts(10, Date.now()), ...later].filter((a) => parked.includes(a.alertId));
    const third = outcome(await deliverer.deliver(redelivery, [destination], neverAborted()), "splunk");
    expect(third).toMatchObject({ status: "delivered", deliveredCount: 14 });
    expect(deliverer.breakerState("splunk").state).toBe("closed");
    expect(alertIds(back).sort()).toEqual([...parked].sort());
    expect(parked).toHaveLength(14);
  });

  it("rides out a short outage within the retry budget without losing anything", async () => {
    const hec = await hecReceiver();
    hec.injectFault(2, { kind: "reply", reply: { status: 503, body: { text: "Server is busy", code: 9 } } });
    hec.injectFault(1, { kind: "close-socket" });
    const { deliverer } = testDeliverer({ maxAttempts: 5 });
    const alerts = manyAlerts(30, Date.now());
    const o = outcome(
      await deliverer.deliver(alerts, [hecDestination(hec.url, { maxEvents: 10 })], neverAborted()),
      "splunk",
    );
    expect(o).toMatchObject({ status: "delivered", deliveredCount: 30 });
    expect(alertIds(hec).sort()).toEqual(alerts.map((a) => a.alertId).sort());
  });

  it("does not let a hanging SIEM hold up the healthy one beyond its budget, and not at all once open", async () => {
    const good = await hecReceiver();
    const stuck = await hecReceiver();
    stuck.injectFault(100, { kind: "hang" });
    const { deliverer } = testDeliverer({ maxAttempts: 2, failureThreshold: 2 });
    const healthy = hecDestination(good.url);
    const hanging = buildDestination({
      kind: "splunk-hec",
      id: "stuck",
      url: stuck.url,
      token: TOKEN,
      timeoutMs: 100,
    }).destination;
    const first = await deliverer.deliver(manyAlerts(3, Date.now()), [healthy, hanging], neverAborted());
    expect(outcome(first, "splunk").status).toBe("delivered");
    expect(outcome(first, "stuck")).toMatchObject({ status: "parked", reason: "retries-exhausted" });
    const stuckRequests = stuck.requests.length;
    const started = Date.now();
    const second = await deliverer.deliver(manyAlerts(3, Date.now()), [healthy, hanging], neverAborted());
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(outcome(second, "splunk").status).toBe("delivered");
    expect(outcome(second, "stuck")).toMatchObject({ status: "parked", reason: "circuit-open", attempts: 0 });
    expect(stuck.requests.length).toBe(stuckRequests);
  });

  it("rejects with the abort reason on cancellation", async () => {
    const hec = await hecReceiver();
    hec.injectFault(1, { kind: "hang" });
    const { deliverer } = testDeliverer();
    const controller = new AbortController();
    const reason = new Error("shutting down");
    setTimeout(() => controller.abort(reason), 50);
    await expect(
      deliverer.deliver(manyAlerts(1, Date.now()), [hecDestination(hec.url)], controller.signal),
    ).rejects.toBe(reason);
    expect(deliverer.breakerState("splunk")).toMatchObject({ state: "closed", consecutiveFailures: 0 });
  });
});
