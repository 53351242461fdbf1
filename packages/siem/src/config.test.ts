import { inspect } from "node:util";
import { SplunkHecReceiver } from "@ctwatch/siem-testkit";
import { describe, expect, it } from "@jest/globals";
import { describeDestinationConfig, parseDestinationConfig, sealDestinationConfig } from "./config.js";
import { createDestination } from "./create-destination.js";
import { ConfigError, DeliveryError } from "./errors.js";
import { takeoverAlert } from "./testing/alerts.js";
import { CapturingLogger, neverAborted, testSecretBox } from "./testing/harness.js";

const box = testSecretBox();
const HEC_TOKEN = "8f14e45f-ceea-467f-a8f0-0123456789ab";
const plainSplunk = {
  kind: "splunk-hec",
  id: "splunk-1",
  url: "https://hec.example.com:8088",
  token: HEC_TOKEN,
};

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("destination config validation", () => {
  it.each([
    ["missing kind", { id: "x" }, "kind"],
    ["bad id", { ...plainSplunk, id: "has space" }, "id"],
    ["http URL", { ...plainSplunk, url: "http://hec.example.com" }, "url"],
    ["URL with credentials", { ...plainSplunk, url: "https://u:p@hec.example.com" }, "url"],
    ["URL with query", { ...plainSplunk, url: "https://hec.example.com/?token=x" }, "url"],
    ["maxBytes out of range", { ...plainSplunk, maxBytes: 10 }, "maxBytes"],
    ["bad index", { ...plainSplunk, index: "Bad Index" }, "index"],
    ["bad channel", { ...plainSplunk, channel: "not-a-guid" }, "channel"],
    [
      "bad region",
      {
        kind: "cloudwatch-logs",
        id: "c",
        region: "Mars",
        logGroup: "g",
        logStream: "s",
        auth: { type: "api-key", apiKey: "k" },
      },
      "region",
    ],
    [
      "missing auth",
      { kind: "cloudwatch-logs", id: "c", region: "us-east-1", logGroup: "g", logStream: "s" },
      "auth",
    ],
    [
      "bad access key id",
      {
        kind: "cloudwatch-logs",
        id: "c",
        region: "us-east-1",
        logGroup: "g",
        logStream: "s",
        auth: { type: "sigv4", accessKeyId: "lower", secretAccessKey: "k" },
      },
      "auth.accessKeyId",
    ],
    [
      "CloudWatch maxBytes above the API limit",
      {
        kind: "cloudwatch-logs",
        id: "c",
        region: "us-east-1",
        logGroup: "g",
        logStream: "s",
        maxBytes: 2_000_000,
        auth: { type: "api-key", apiKey: "k" },
      },
      "maxBytes",
    ],
    [
      "bad DCR id",
      {
        kind: "sentinel-logs-ingestion",
        id: "s",
        tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
        clientId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
        clientSecret: "x",
        endpoint: "https://dce.ingest.monitor.azure.com",
        dcrImmutableId: "dcr-xyz",
      },
      "dcrImmutableId",
    ],
    [
      "bad Log-Type",
      {
        kind: "sentinel-data-collector",
        id: "d",
        workspaceId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
        workspaceKey: "a2V5",
        logType: "EZ-Monitor",
      },
      "logType",
    ],
  ])("names the field: %s", (_name, input, field) => {
    const error = configError(() => sealDestinationConfig(input, box));
    expect(error.field).toBe(field);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
  });

  it("refuses plaintext credentials in stored configs", () => {
    const error = configError(() => parseDestinationConfig(plainSplunk));
    expect(error.field).toBe("token");
    expect(error.message).not.toContain(HEC_TOKEN);
  });

  it("seals credentials, keeps already sealed ones, and opens them per destination", () => {
    const stored = sealDestinationConfig(plainSplunk, box);
    expect(JSON.stringify(stored)).not.toContain(HEC_TOKEN);
    expect(sealDestinationConfig(stored as unknown as Record<string, unknown>, box)).toEqual(stored);
    const moved = { ...stored, id: "splunk-2" };
    const error = configError(() =>
      createDestination(moved, { secretBox: box, logger: new CapturingLogger() }),
    );
    expect(error.field).toBe("token");
    expect(error.message).not.toContain(HEC_TOKEN);
  });

  it("describes a config for logs without sealed values", () => {
    const stored = sealDestinationConfig(plainSplunk, box);
    expect(describeDestinationConfig(stored)).toEqual({ ...plainSplunk, token: "[REDACTED]" });
  });
});

describe("secrets never leak", () => {
  it("not through a destination's String, JSON or inspect, nor logs or errors", async () => {
    const logger = new CapturingLogger();
    const receiver = await SplunkHecReceiver.start({ tokens: { other: {} } });
    try {
      const stored = sealDestinationConfig({ ...plainSplunk, url: receiver.url }, box, {
        allowInsecureHttp: true,
      });
      const destination = createDestination(stored, { secretBox: box, logger, allowInsecureHttp: true });
      const views = [
        String(destination),
        JSON.stringify(destination),
        inspect(destination, { depth: 10, showHidden: true }),
      ];
      let error: unknown;
      try {
        await destination.deliver([takeoverAlert()], neverAborted());
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(DeliveryError);
      views.push(
        String(error),
        (error as Error).stack ?? "",
        inspect(error, { depth: 10 }),
        JSON.stringify(error),
      );
      const result = await destination.testConnection(neverAborted());
      views.push(JSON.stringify(result), logger.text);
      for (const view of views) expect(view).not.toContain(HEC_TOKEN);
    } finally {
      await receiver.close();
    }
  });

  it("not through the other kinds either", () => {
    const secrets = {
      apiKey: "ACWL-api-key-value-0001",
      secretAccessKey: "aws/secret+access/key-0002",
      clientSecret: "entra~client~secret~0003",
      workspaceKey: Buffer.from("workspace-shared-key-0004").toString("base64"),
    };
    const logger = new CapturingLogger();
    const configs = [
      {
        kind: "cloudwatch-logs",
        id: "a",
        region: "us-east-1",
        logGroup: "g",
        logStream: "s",
        auth: { type: "api-key", apiKey: secrets.apiKey },
      },
      {
        kind: "cloudwatch-logs",
        id: "b",
        region: "us-east-1",
        logGroup: "g",
        logStream: "s",
        auth: {
          type: "sigv4",
          accessKeyId: "AKIAIOSFODNN7EXAMPLE",
          secretAccessKey: secrets.secretAccessKey,
        },
      },
      {
        kind: "sentinel-logs-ingestion",
        id: "c",
        tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
        clientId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
        clientSecret: secrets.clientSecret,
        endpoint: "https://dce.eastus-1.ingest.monitor.azure.com",
        dcrImmutableId: `dcr-${"a".repeat(32)}`,
      },
      {
        kind: "sentinel-data-collector",
        id: "d",
        workspaceId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
        workspaceKey: secrets.workspaceKey,
      },
    ];
    for (const plain of configs) {
      const stored = sealDestinationConfig(plain, box);
      const destination = createDestination(stored, { secretBox: box, logger });
      const text = [
        JSON.stringify(stored),
        JSON.stringify(destination),
        inspect(destination, { depth: 10, showHidden: true }),
        logger.text,
      ].join("\n");
      for (const secret of Object.values(secrets)) expect(text).not.toContain(secret);
    }
  });
});
