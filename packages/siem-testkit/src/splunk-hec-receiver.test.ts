import { afterEach, describe, expect, it } from "@jest/globals";
import { type HecReceivedEvent, SplunkHecReceiver } from "./splunk-hec-receiver.js";

const TOKEN = "tok-1";
const CHANNEL = "0aaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
let receiver: SplunkHecReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function start(options: Partial<Parameters<typeof SplunkHecReceiver.start>[0]> = {}) {
  receiver = await SplunkHecReceiver.start({
    tokens: {
      [TOKEN]: {},
      acked: { useAck: true },
      off: { disabled: true },
      limited: { allowedIndexes: ["main"] },
    },
    ...options,
  });
  return receiver;
}

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${receiver!.url}${path}`, { method: "POST", body, headers });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const auth = (token = TOKEN) => ({ authorization: `Splunk ${token}` });
const event = (e: unknown = { VulnerabilityID: 18 }, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ event: e, ...extra });

describe("SplunkHecReceiver", () => {
  it.each([
    ["no Authorization header", {}, 401, 2, "Token is required"],
    [
      "a header without the Splunk scheme",
      { authorization: `Bearer ${TOKEN}` },
      401,
      3,
      "Invalid authorization",
    ],
    ["an unknown token", { authorization: "Splunk nope" }, 403, 4, "Invalid token"],
    ["a disabled token", { authorization: "Splunk off" }, 403, 1, "Token disabled"],
  ])("answers %s with HEC's status and code", async (_name, headers, status, code, text) => {
    await start();
    expect(await post("/services/collector/event", event(), headers)).toEqual({
      status,
      json: { text, code },
    });
  });

  it.each([
    ["an empty body", "", 5, "No data", undefined],
    ["broken JSON in the 2nd event", `${event()}{"event":`, 6, "Invalid data format", 1],
    ["a bare array", "[1,2]", 6, "Invalid data format", 0],
    [
      "an event without 'event'",
      `${event()}${JSON.stringify({ time: 1 })}`,
      12,
      "Event field is required",
      1,
    ],
    ["a blank event", event(""), 13, "Event field cannot be blank", 0],
    ["a non-numeric time", event({ a: 1 }, { time: "yesterday" }), 6, "Invalid data format", 0],
  ])("rejects %s", async (_name, body, code, text, n) => {
    await start();
    const { status, json } = await post("/services/collector/event", body, auth());
    expect(status).toBe(400);
    expect(json).toEqual(n === undefined ? { text, code } : { text, code, "invalid-event-number": n });
    expect(receiver!.events).toHaveLength(0);
  });

  it("accepts concatenated events, resolves metadata and calls onEvents", async () => {
    const seen: HecReceivedEvent[] = [];
    await start({ onEvents: (events) => seen.push(...events) });
    const body = `${event({ VulnerabilityID: 18, Details: { Name: "x" } }, { sourcetype: "ezmonitor_alerts", time: 1.5 })}\n ${event(
      { VulnerabilityID: 12 },
      { sourcetype: "ezmonitor_alerts", index: "sec" },
    )}`;
    expect(await post("/services/collector/event", body, auth())).toEqual({
      status: 200,
      json: { text: "Success", code: 0 },
    });
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatchObject({ time: 1.5, index: "main", sourcetype: "ezmonitor_alerts", token: TOKEN });
    expect(receiver!.search({ sourcetype: "EZMONITOR_ALERTS", VulnerabilityID: 18 })).toHaveLength(1);
    expect(receiver!.search({ "Details.Name": "x" })).toHaveLength(1);
    expect(receiver!.search({ index: "sec", VulnerabilityID: "12" })).toHaveLength(1);
  });

  it("enforces the token's allowed indexes", async () => {
    await start();
    expect(
      (await post("/services/collector/event", event({ a: 1 }, { index: "other" }), auth("limited"))).json,
    ).toEqual({
      text: "Incorrect index",
      code: 7,
      "invalid-event-number": 0,
    });
  });

  it("answers 413 above max_content_length", async () => {
    await start({ maxContentLength: 100 });
    expect((await post("/services/collector/event", event("x".repeat(200)), auth())).status).toBe(413);
  });

  it("implements the ack channel protocol", async () => {
    await start({ ackPendingPolls: 1 });
    expect((await post("/services/collector/event", event(), auth("acked"))).json).toEqual({
      text: "Data channel is missing",
      code: 10,
    });
    expect(
      (
        await post("/services/collector/event", event(), {
          ...auth("acked"),
          "x-splunk-request-channel": "abc",
        })
      ).json,
    ).toEqual({
      text: "Invalid data channel",
      code: 11,
    });
    const sent = await post("/services/collector/event", event(), {
      ...auth("acked"),
      "x-splunk-request-channel": CHANNEL,
    });
    expect(sent.json).toEqual({ text: "Success", code: 0, ackId: 0 });
    const second = await post(`/services/collector/event?channel=${CHANNEL}`, event(), auth("acked"));
    expect(second.json).toMatchObject({ ackId: 1 });
    const query = (ids: number[]) =>
      post("/services/collector/ack", JSON.stringify({ acks: ids }), {
        ...auth("acked"),
        "x-splunk-request-channel": CHANNEL,
      });
    expect((await query([0, 1, 7])).json).toEqual({ acks: { "0": false, "1": false, "7": false } });
    expect((await query([0, 1])).json).toEqual({ acks: { "0": true, "1": true } });
    expect((await query([0])).json).toEqual({ acks: { "0": false } });
    expect((await post("/services/collector/ack", JSON.stringify({ acks: [0] }), auth())).json).toEqual({
      text: "ACK is disabled",
      code: 14,
    });
  });

  it("reports health", async () => {
    await start();
    const response = await fetch(`${receiver!.url}/services/collector/health`);
    expect(await response.json()).toEqual({ text: "HEC is healthy", code: 17 });
  });

  it("injects faults: busy with Retry-After, a reply, a closed socket, a delay", async () => {
    await start();
    receiver!.busy(1, 3);
    const busy = await fetch(`${receiver!.url}/services/collector/event`, {
      method: "POST",
      body: event(),
      headers: auth(),
    });
    expect(busy.status).toBe(503);
    expect(busy.headers.get("retry-after")).toBe("3");
    expect(await busy.json()).toEqual({ text: "Server is busy", code: 9 });
    receiver!.injectFault(1, { kind: "close-socket" });
    await expect(post("/services/collector/event", event(), auth())).rejects.toThrow();
    receiver!.injectFault(1, { kind: "delay", delayMs: 50 });
    const started = Date.now();
    expect((await post("/services/collector/event", event(), auth())).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    receiver!.injectFault(2, {
      kind: "reply",
      reply: { status: 500, body: { text: "Internal server error", code: 8 } },
    });
    expect((await post("/services/collector/event", event(), auth())).status).toBe(500);
    expect((await post("/services/collector/event", event(), auth())).status).toBe(500);
    expect((await post("/services/collector/event", event(), auth())).status).toBe(200);
  });

  it("a hung request ends when the receiver closes", async () => {
    await start();
    receiver!.injectFault(1, { kind: "hang" });
    const pending = post("/services/collector/event", event(), auth());
    await new Promise((r) => setTimeout(r, 30));
    await receiver!.close();
    await expect(pending).rejects.toThrow();
  });
});
