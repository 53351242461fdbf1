import { CloudWatchLogsReceiver } from "@ctwatch/siem-testkit";
import { afterEach, describe, expect, it } from "@jest/globals";
import { cloudWatchLogsEndpoint } from "./cloudwatch-logs.js";
import { DeliveryError } from "./errors.js";
import { manyAlerts, takeoverAlert } from "./testing/alerts.js";
import { buildDestination, neverAborted } from "./testing/harness.js";

const SEED_FILTER =
  '{ $.source = "EZMonitor" && $.sourcetype = "EZMonitor_Alerts" && $.event.VulnerabilityID = 18 }';
const API_KEY = "ACWLtestbearertoken0123456789";
const ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE";
const SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const GROUP = "/ctwatch/alerts";
const STREAM = "soc";

let receiver: CloudWatchLogsReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function start(bearerTokenAuthentication = true) {
  receiver = await CloudWatchLogsReceiver.start({
    region: "us-east-1",
    apiKeys: [API_KEY],
    accessKeys: { [ACCESS_KEY]: SECRET_KEY },
    logGroups: {
      [GROUP]: { streams: [STREAM], bearerTokenAuthentication },
      "/no-bearer": { streams: [STREAM], bearerTokenAuthentication: false },
    },
  });
  return receiver;
}

function cloudwatch(endpoint: string, extra: Record<string, unknown> = {}) {
  return buildDestination({
    kind: "cloudwatch-logs",
    id: "cw-1",
    region: "us-east-1",
    logGroup: GROUP,
    logStream: STREAM,
    endpoint,
    auth: { type: "api-key", apiKey: API_KEY },
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

describe("CloudWatch Logs destination", () => {
  it("derives the regional endpoint", () => {
    expect(cloudWatchLogsEndpoint("eu-central-1").href).toBe("https://logs.eu-central-1.amazonaws.com/");
    expect(cloudWatchLogsEndpoint("cn-north-1").href).toBe("https://logs.cn-north-1.amazonaws.com.cn/");
  });

  it("delivers through the HLC endpoint with an API key; the seed metric filter matches", async () => {
    const r = await start();
    const { destination } = cloudwatch(r.url);
    await destination.deliver([takeoverAlert(), takeoverAlert({ alertId: "x2" })], neverAborted());
    const request = r.requests[0]!;
    expect(request.url).toBe("/services/collector/event");
    expect(request.headers).toMatchObject({
      authorization: `Bearer ${API_KEY}`,
      "x-aws-log-group": GROUP,
      "x-aws-log-stream": STREAM,
      "content-type": "application/json",
    });
    expect(r.events(GROUP, STREAM)).toHaveLength(2);
    expect(r.metricFilterMatches(SEED_FILTER, GROUP)).toBe(2);
    expect(r.metricFilterMatches(SEED_FILTER.replace("= 18", "= 12"), GROUP)).toBe(0);
  });

  it("delivers with SigV4 through PutLogEvents, verified independently", async () => {
    const r = await start();
    const now = Date.now();
    const { destination } = cloudwatch(r.url, {
      auth: { type: "sigv4", accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    });
    const alerts = manyAlerts(5, now - 60_000).reverse();
    await destination.deliver(alerts, neverAborted());
    const events = r.events(GROUP, STREAM);
    expect(events.map((e) => e.timestamp)).toEqual([...events.map((e) => e.timestamp)].sort((a, b) => a - b));
    expect(r.metricFilterMatches(SEED_FILTER, GROUP)).toBe(5);
    expect(r.requests[0]!.headers["x-amz-target"]).toBe("Logs_20140328.PutLogEvents");
  });

  it("rejects a wrong SigV4 secret as credentials-rejected", async () => {
    const r = await start();
    const { destination } = cloudwatch(r.url, {
      auth: { type: "sigv4", accessKeyId: ACCESS_KEY, secretAccessKey: "wrong-secret" },
    });
    expect(
      await deliveryError(destination.deliver([takeoverAlert({ detectedAtMs: Date.now() })], neverAborted())),
    ).toMatchObject({
      code: "credentials-rejected",
      siemCode: "InvalidSignatureException",
    });
  });

  it.each([
    ["a wrong API key", { auth: { type: "api-key", apiKey: "nope-nope" } }, "credentials-rejected", 401],
    ["a missing log group", { logGroup: "/missing" }, "log-group-not-found", 400],
    ["a missing log stream", { logStream: "missing" }, "log-stream-not-found", 400],
    ["a group without bearer token authentication", { logGroup: "/no-bearer" }, "bearer-auth-disabled", 403],
  ])("maps %s", async (_name, extra, code, status) => {
    const r = await start();
    const error = await deliveryError(
      cloudwatch(r.url, extra).destination.deliver([takeoverAlert()], neverAborted()),
    );
    expect(error).toMatchObject({ code, status, retryable: false });
  });

  it("plans chronological batches within 24 h and the byte limit", () => {
    const { destination } = cloudwatch("http://127.0.0.1:1", { maxBytes: 10_000 });
    const now = Date.now();
    const alerts = [
      ...manyAlerts(3, now - 2 * 24 * 3600_000, 1_000),
      ...manyAlerts(3, now - 3600_000, 1_000),
    ].reverse();
    const batches = destination.planBatches(alerts);
    for (const batch of batches) {
      const times = batch.map((a) => Number(a.detectedAtMs));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(Math.max(...times) - Math.min(...times)).toBeLessThanOrEqual(24 * 3600_000);
    }
    expect(batches.flat()).toHaveLength(6);
    expect(batches.length).toBeGreaterThanOrEqual(2);
  });
});
