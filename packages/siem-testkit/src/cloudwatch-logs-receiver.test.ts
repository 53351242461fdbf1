import { createHash, createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "@jest/globals";
import { CloudWatchLogsReceiver } from "./cloudwatch-logs-receiver.js";
import { compileMetricFilter } from "./metric-filter.js";
import { verifySigV4 } from "./sigv4-verify.js";

const SEED =
  '{ $.source = "EZMonitor" && $.sourcetype = "EZMonitor_Alerts" && $.event.VulnerabilityID = 18 }';
let receiver: CloudWatchLogsReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe("compileMetricFilter", () => {
  const matches = compileMetricFilter(SEED);
  it.each([
    [{ source: "EZMonitor", sourcetype: "EZMonitor_Alerts", event: { VulnerabilityID: 18 } }, true],
    [{ source: "EZMonitor", sourcetype: "EZMonitor_Alerts", event: { VulnerabilityID: 12 } }, false],
    [{ source: "EZMonitor", sourcetype: "EZMonitor_Alerts", event: { VulnerabilityID: "18" } }, false],
    [{ source: "ezmonitor", sourcetype: "EZMonitor_Alerts", event: { VulnerabilityID: 18 } }, false],
    [{ sourcetype: "EZMonitor_Alerts", event: { VulnerabilityID: 18 } }, false],
    [{ source: "EZMonitor", sourcetype: "EZMonitor_Alerts", VulnerabilityID: 18 }, false],
  ])("%j -> %s", (message, expected) => {
    expect(matches(JSON.stringify(message))).toBe(expected);
  });

  it("does not match non-JSON and supports !=", () => {
    expect(matches("VulnerabilityID=18")).toBe(false);
    expect(compileMetricFilter('{ $.a != "x" }')(JSON.stringify({ a: "y" }))).toBe(true);
    expect(() => compileMetricFilter("{ $.a ~ 1 }")).toThrow(SyntaxError);
  });
});

describe("verifySigV4", () => {
  it("accepts AWS's documented example request", () => {
    const request = {
      method: "GET",
      url: "/?Action=ListUsers&Version=2010-05-08",
      headers: {
        host: "iam.amazonaws.com",
        "content-type": "application/x-www-form-urlencoded; charset=utf-8",
        "x-amz-date": "20150830T123600Z",
        authorization:
          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
      },
      body: "",
    };
    const options = { service: "iam", region: "us-east-1", nowMs: Date.UTC(2015, 7, 30, 12, 36) };
    expect(
      verifySigV4(request, { AKIDEXAMPLE: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" }, options),
    ).toBeUndefined();
    expect(
      verifySigV4(
        { ...request, url: "/?Action=ListUsers&Version=2010-05-09" },
        { AKIDEXAMPLE: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
        options,
      ),
    ).toMatchObject({
      type: "InvalidSignatureException",
    });
  });
});

describe("CloudWatchLogsReceiver", () => {
  async function start() {
    receiver = await CloudWatchLogsReceiver.start({
      region: "us-east-1",
      apiKeys: ["key"],
      accessKeys: { AKIAIOSFODNN7EXAMPLE: "secret" },
      logGroups: { g: { streams: ["s"] }, closed: { streams: ["s"], bearerTokenAuthentication: false } },
    });
    return receiver;
  }

  async function hlc(body: string, headers: Record<string, string> = {}, query = "") {
    const response = await fetch(`${receiver!.url}/services/collector/event${query}`, {
      method: "POST",
      body,
      headers: {
        authorization: "Bearer key",
        "content-type": "application/json",
        "x-aws-log-group": "g",
        "x-aws-log-stream": "s",
        ...headers,
      },
    });
    return {
      status: response.status,
      type: response.headers.get("x-amzn-errortype"),
      text: await response.text(),
    };
  }

  it("accepts single, array and concatenated events, skipping objects without event", async () => {
    await start();
    expect(await hlc(JSON.stringify({ event: "one", time: 1486683865.5 }))).toMatchObject({
      status: 200,
      text: "{}",
    });
    expect((await hlc(JSON.stringify([{ event: { a: 1 } }, { message: "skipped" }]))).status).toBe(200);
    const seed = {
      source: "EZMonitor",
      sourcetype: "EZMonitor_Alerts",
      event: { VulnerabilityID: 18 },
      time: "1486683866",
    };
    expect((await hlc(`${JSON.stringify(seed)}${JSON.stringify(seed)}`)).status).toBe(200);
    const events = receiver!.events("g", "s");
    expect(events.map((e) => e.timestamp).slice(0, 1)).toEqual([1486683865500]);
    expect(events).toHaveLength(4);
    expect(events[3]!.timestamp).toBe(1486683866000);
    expect(receiver!.metricFilterMatches(SEED, "g")).toBe(2);
  });

  it.each([
    ["a wrong API key", { authorization: "Bearer wrong" }, "", 401, "UnauthorizedException"],
    ["an unknown log group", { "x-aws-log-group": "nope" }, "", 400, "ResourceNotFoundException"],
    ["an unknown log stream", { "x-aws-log-stream": "nope" }, "", 400, "ResourceNotFoundException"],
    [
      "a group without bearer authentication",
      { "x-aws-log-group": "closed" },
      "",
      403,
      "AccessDeniedException",
    ],
    ["header and query both naming the group", {}, "?logGroup=g", 400, "ValidationException"],
    ["a non-JSON content type", { "content-type": "text/plain" }, "", 400, "ValidationException"],
  ])("rejects %s", async (_name, headers, query, status, type) => {
    await start();
    const answer = await hlc(JSON.stringify({ event: 1 }), headers, query);
    expect(answer.status).toBe(status);
    expect(answer.type).toBe(`${type}:`);
    expect(JSON.parse(answer.text).__type).toBe(type);
  });

  it("answers 413 above 1 MiB", async () => {
    await start();
    expect((await hlc(JSON.stringify({ event: "x".repeat(1_048_600) }))).status).toBe(413);
  });

  describe("PutLogEvents", () => {
    function signed(body: string, secret = "secret", date = new Date()) {
      const amzDate = date
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d{3}/, "");
      const host = new URL(receiver!.url).host;
      const headers: Record<string, string> = {
        "content-type": "application/x-amz-json-1.1",
        host,
        "x-amz-date": amzDate,
        "x-amz-target": "Logs_20140328.PutLogEvents",
      };
      const names = Object.keys(headers).sort();
      const canonical = [
        "POST",
        "/",
        "",
        names.map((n) => `${n}:${headers[n]}\n`).join(""),
        names.join(";"),
        sha(body),
      ].join("\n");
      const scope = `${amzDate.slice(0, 8)}/us-east-1/logs/aws4_request`;
      const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha(canonical)}`;
      let key: Buffer = hmac(`AWS4${secret}`, amzDate.slice(0, 8));
      for (const part of ["us-east-1", "logs", "aws4_request"]) key = hmac(key, part);
      const signature = createHmac("sha256", key).update(toSign).digest("hex");
      const { host: _host, ...sent } = headers;
      return {
        ...sent,
        authorization: `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`,
      };
    }
    const sha = (s: string) => createHash("sha256").update(s).digest("hex");
    const hmac = (k: string | Buffer, s: string) => createHmac("sha256", k).update(s).digest();

    async function put(events: { timestamp: number; message: string }[], secret?: string) {
      const body = JSON.stringify({ logGroupName: "g", logStreamName: "s", logEvents: events });
      const response = await fetch(`${receiver!.url}/`, {
        method: "POST",
        body,
        headers: signed(body, secret),
      });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    }

    it("stores signed, chronological batches and reports too-old events", async () => {
      await start();
      const now = Date.now();
      const ok = await put([
        { timestamp: now - 1000, message: "a" },
        { timestamp: now, message: "b" },
      ]);
      expect(ok.status).toBe(200);
      expect(ok.json.nextSequenceToken).toBeDefined();
      const old = await put([
        { timestamp: now - 15 * 24 * 3600_000, message: "old" },
        { timestamp: now - 15 * 24 * 3600_000 + 1, message: "old2" },
      ]);
      expect(old.json.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 1 });
      expect(receiver!.events("g", "s").map((e) => e.message)).toEqual(["a", "b"]);
    });

    it.each([
      [
        "out of order",
        [
          { timestamp: 2, message: "a" },
          { timestamp: 1, message: "b" },
        ],
        "chronological",
      ],
      [
        "spanning over 24 h",
        [
          { timestamp: 0, message: "a" },
          { timestamp: 24 * 3600_000 + 1, message: "b" },
        ],
        "24 hours",
      ],
    ])("rejects a batch %s", async (_name, events, text) => {
      await start();
      const base = Date.now() - 25 * 3600_000;
      const answer = await put(events.map((e) => ({ ...e, timestamp: base + e.timestamp })));
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ __type: "InvalidParameterException" });
      expect(String(answer.json.message)).toContain(text);
    });

    it("rejects a bad signature", async () => {
      await start();
      expect(await put([{ timestamp: Date.now(), message: "a" }], "wrong")).toMatchObject({
        status: 403,
        json: { __type: "InvalidSignatureException" },
      });
    });
  });
});
