import { SplunkHecReceiver } from "@ctwatch/siem-testkit";
import { afterEach, describe, expect, it } from "@jest/globals";
import { DeliveryError } from "./errors.js";
import { takeoverAlert } from "./testing/alerts.js";
import { buildDestination, neverAborted } from "./testing/harness.js";

const TOKEN = "11111111-2222-3333-4444-555555555555";
let receiver: SplunkHecReceiver | undefined;

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function start(options: Partial<Parameters<typeof SplunkHecReceiver.start>[0]> = {}) {
  receiver = await SplunkHecReceiver.start({ tokens: { [TOKEN]: {} }, ...options });
  return receiver;
}

function hec(url: string, extra: Record<string, unknown> = {}) {
  return buildDestination({
    kind: "splunk-hec",
    id: "splunk-1",
    url,
    token: TOKEN,
    ackPollIntervalMs: 5,
    ...extra,
  });
}

async function deliveryError(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DeliveryError) return error;
    throw error;
  }
  throw new Error("expected a DeliveryError");
}

describe("Splunk HEC destination", () => {
  it("delivers a batch the seed search finds", async () => {
    const r = await start();
    const { destination } = hec(r.url);
    await destination.deliver([takeoverAlert(), takeoverAlert({ alertId: "b2" })], neverAborted());
    expect(r.events).toHaveLength(2);
    expect(r.search({ sourcetype: "ezmonitor_alerts", VulnerabilityID: 18 })).toHaveLength(2);
    expect(r.search({ sourcetype: "ezmonitor_alerts", VulnerabilityID: 12 })).toHaveLength(0);
    const request = r.requests[0]!;
    expect(request.url).toBe("/services/collector/event");
    expect(request.headers.authorization).toBe(`Splunk ${TOKEN}`);
    expect(request.body.toString()).not.toContain("\n");
    expect(r.events[0]).toMatchObject({ source: "ctwatch", sourcetype: "ezmonitor_alerts", index: "main" });
  });

  it("accepts a pasted full collector URL and a path prefix", async () => {
    const r = await start();
    await hec(`${r.url}/services/collector/event`).destination.deliver([takeoverAlert()], neverAborted());
    expect(r.requests[0]!.url).toBe("/services/collector/event");
  });

  it.each([
    ["unknown token", { [TOKEN]: {} }, "not-the-token", "credentials-rejected", 403, "4"],
    ["disabled token", { [TOKEN]: { disabled: true } }, TOKEN, "token-disabled", 403, "1"],
  ])("maps %s", async (_name, tokens, sent, code, status, siemCode) => {
    const r = await start({ tokens });
    const { destination } = buildDestination({ kind: "splunk-hec", id: "s", url: r.url, token: sent });
    const error = await deliveryError(destination.deliver([takeoverAlert()], neverAborted()));
    expect(error).toMatchObject({ code, status, siemCode, retryable: false });
  });

  it("maps an index the token may not use", async () => {
    const r = await start({ tokens: { [TOKEN]: { allowedIndexes: ["main"] } } });
    const error = await deliveryError(
      hec(r.url, { index: "secret" }).destination.deliver([takeoverAlert()], neverAborted()),
    );
    expect(error).toMatchObject({ code: "incorrect-index", siemCode: "7" });
  });

  it("marks 413 as splittable and 503 code 9 as retryable with Retry-After", async () => {
    const r = await start({ maxContentLength: 1_500 });
    const { destination } = hec(r.url, { maxBytes: 1_000_000 });
    const tooBig = await deliveryError(
      destination.deliver([takeoverAlert(), takeoverAlert()], neverAborted()),
    );
    expect(tooBig).toMatchObject({
      code: "payload-too-large",
      status: 413,
      splittable: true,
      retryable: false,
    });
    r.busy(1, 2);
    const busy = await deliveryError(destination.deliver([takeoverAlert()], neverAborted()));
    expect(busy).toMatchObject({
      code: "server-busy",
      status: 503,
      siemCode: "9",
      retryable: true,
      retryAfterMs: 2_000,
    });
  });

  it("waits for indexer acknowledgement on a channel", async () => {
    const r = await start({ tokens: { [TOKEN]: { useAck: true } }, ackPendingPolls: 2 });
    const { destination } = hec(r.url, { useAck: true, channel: "0aaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" });
    await destination.deliver([takeoverAlert()], neverAborted());
    const acks = r.requests.filter((q) => q.url === "/services/collector/ack");
    expect(acks).toHaveLength(3);
    expect(acks[0]!.headers["x-splunk-request-channel"]).toBe("0aaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
    expect(JSON.parse(acks[0]!.body.toString())).toEqual({ acks: [0] });
  });

  it("times out when the ack never comes (retryable)", async () => {
    const r = await start({ tokens: { [TOKEN]: { useAck: true } } });
    r.withholdAcks(0);
    const error = await deliveryError(
      hec(r.url, { useAck: true, ackTimeoutMs: 40, ackPollIntervalMs: 10 }).destination.deliver(
        [takeoverAlert()],
        neverAborted(),
      ),
    );
    expect(error).toMatchObject({ code: "ack-timeout", retryable: true });
  });

  it("reports a token that needs a channel when useAck is off", async () => {
    const r = await start({ tokens: { [TOKEN]: { useAck: true } } });
    const error = await deliveryError(hec(r.url).destination.deliver([takeoverAlert()], neverAborted()));
    expect(error).toMatchObject({ code: "ack-misconfigured", siemCode: "10", status: 400 });
  });

  it("splits plans by the configured count and bytes", async () => {
    const { destination } = hec("http://127.0.0.1:1", { maxEvents: 3, maxBytes: 1_000_000 });
    const alerts = Array.from({ length: 7 }, (_, i) => takeoverAlert({ alertId: `a${i}` }));
    expect(destination.planBatches(alerts).map((b) => b.length)).toEqual([3, 3, 1]);
    const bytes = buildDestination({
      kind: "splunk-hec",
      id: "s",
      url: "http://127.0.0.1:1",
      token: TOKEN,
      maxBytes: 4_000,
    });
    const sizes = bytes.destination.planBatches(alerts).map((b) => b.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(7);
    expect(Math.max(...sizes)).toBeLessThan(7);
  });
});
