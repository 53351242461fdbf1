import { readFileSync } from "node:fs";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { allEvents } from "@ctwatch/events";
import { AlertSchema, Severity } from "@ctwatch/proto";
import { describe, expect, it } from "@jest/globals";
import { toCloudWatchEnvelope, toPutLogEventsEvent } from "./format-cloudwatch.js";
import {
  SENTINEL_COLUMNS,
  sentinelDcrTemplate,
  sentinelStreamDeclaration,
  sentinelTableColumns,
  sentinelTransformKql,
  toDataCollectorRecord,
  toLogsIngestionRecord,
} from "./format-sentinel.js";
import { encodeHecBatch, toHecEvent } from "./format-splunk.js";
import { MAX_FIELD_CHARS, MAX_LIST_ITEMS, severityName, toEzMonitorRecord } from "./record.js";
import { FIXED_DETECTED_AT_MS, takeoverAlert } from "./testing/alerts.js";

const NOW = FIXED_DETECTED_AT_MS + 5_000;

describe("EZMonitor record", () => {
  it("carries the EZMonitor fields of an event-18 alert", () => {
    expect(toEzMonitorRecord(takeoverAlert())).toEqual({
      VulnerabilityID: 18,
      Summary: "Your domain is vulnerable to domain takeover.",
      Description:
        "Your DNS record is pointing to an Azure resource that is no longer being used. please remove the CNAME record pointing to this resource to avoid a bad actor taking over your sub domain.",
      Severity: "Critical",
      Domain: "shop.example.com",
      WatchedItem: "example.com",
      WatchedItemKind: "OwnedDomain",
      CustomerTenant: "acme",
      AlertId: "a1f3c0de",
      Detector: "takeover/1",
      CertificateSha256: "ab".repeat(32),
      CertificateSerial: "4a:1b:2c:3d:4e:5f",
      Precertificate: true,
      SubjectCN: "shop.example.com",
      Issuer: "CN=R11,O=Let's Encrypt,C=US",
      DnsNames: ["shop.example.com", "www.shop.example.com"],
      NotBefore: "2026-05-01T00:00:00.000Z",
      NotAfter: "2026-07-30T00:00:00.000Z",
      LoggedAt: "2026-05-01T00:05:00.000Z",
      LogEntries: [
        {
          LogUrl: "https://ct.example.net/2026h1/",
          LogId: Buffer.alloc(32, 1).toString("base64"),
          LeafIndex: 123456789,
        },
      ],
      Details: {
        CnameChain: ["shop.example.com", "acme-shop.azurewebsites.net"],
        AzureSuffix: "azurewebsites.net",
        Remedy: "Remove the CNAME record shop.example.com",
        AsuidProtected: false,
      },
      DetectedAt: "2026-05-04T08:00:00.123Z",
    });
  });

  it("keeps every catalogue event's ID and texts verbatim", () => {
    for (const def of allEvents()) {
      const record = toEzMonitorRecord(
        create(AlertSchema, {
          eventId: def.id,
          summary: def.summary,
          description: def.description,
          severity: def.defaultSeverity,
        }),
      );
      expect(record.VulnerabilityID).toBe(def.id);
      expect(record.Summary).toBe(def.summary);
      expect(record.Description).toBe(def.description);
    }
  });

  it("omits empty fields and bounds long strings and lists", () => {
    const alert = create(AlertSchema, {
      eventId: 25,
      summary: "x".repeat(MAX_FIELD_CHARS + 50),
      certificate: {
        dnsNames: Array.from({ length: MAX_LIST_ITEMS + 20 }, (_, i) => `n${i}.example.com`),
        serialHex: "0abc",
      },
    });
    const record = toEzMonitorRecord(alert);
    expect(record.Summary).toHaveLength(MAX_FIELD_CHARS);
    expect(record.Summary.endsWith("…")).toBe(true);
    expect(record.DnsNames).toHaveLength(MAX_LIST_ITEMS);
    expect(record.CertificateSerial).toBe("0a:bc");
    expect(record).not.toHaveProperty("Domain");
    expect(record).not.toHaveProperty("NotBefore");
    expect(record).not.toHaveProperty("Details");
  });

  it.each([
    [Severity.CRITICAL, "Critical"],
    [Severity.HIGH, "High"],
    [Severity.MEDIUM, "Medium"],
    [Severity.LOW, "Low"],
    [Severity.INFO, "Informational"],
    [Severity.UNSPECIFIED, "Unspecified"],
  ])("names severity %i %s", (severity, name) => {
    expect(severityName(severity)).toBe(name);
  });
});

describe("Splunk HEC format", () => {
  it("wraps the record as a HEC event with the EZMonitor sourcetype", () => {
    const event = toHecEvent(takeoverAlert());
    expect(event).toMatchObject({ time: 1777881600.123, source: "ctwatch", sourcetype: "ezmonitor_alerts" });
    expect(event.event.VulnerabilityID).toBe(18);
    expect(event).not.toHaveProperty("index");
    expect(event).not.toHaveProperty("host");
  });

  it("takes configured names, index and host", () => {
    const event = toHecEvent(takeoverAlert(), {
      sourcetype: "ct:alerts",
      source: "ctw",
      index: "security",
      host: "ctwatch-1",
    });
    expect(event).toMatchObject({
      sourcetype: "ct:alerts",
      source: "ctw",
      index: "security",
      host: "ctwatch-1",
    });
  });

  it("encodes a batch as newline-free concatenated objects", () => {
    const alert = takeoverAlert();
    const weird = create(AlertSchema, { ...alert, summary: "line one\nline two", eventId: 12 });
    const body = encodeHecBatch([toHecEvent(alert), toHecEvent(weird)]);
    expect(body).not.toContain("\n");
    expect(body.startsWith('{"time":')).toBe(true);
    expect(body).toContain('}{"time":');
    expect(body.split('}{"time"')).toHaveLength(2);
  });
});

describe("CloudWatch format", () => {
  it("produces the envelope the seed metric filter selects on", () => {
    const envelope = toCloudWatchEnvelope(takeoverAlert(), NOW);
    expect(envelope).toMatchObject({
      source: "EZMonitor",
      sourcetype: "EZMonitor_Alerts",
      time: 1777881600.123,
    });
    expect(envelope.event.VulnerabilityID).toBe(18);
  });

  it("clamps timestamps into CloudWatch's accepted window, keeping DetectedAt", () => {
    const old = takeoverAlert({ detectedAtMs: NOW - 30 * 24 * 3600_000 });
    const event = toPutLogEventsEvent(old, NOW);
    expect(event.timestamp).toBe(NOW - 14 * 24 * 3600_000 + 3600_000);
    expect(JSON.parse(event.message).event.DetectedAt).toBe(new Date(NOW - 30 * 24 * 3600_000).toISOString());
    const future = toPutLogEventsEvent(takeoverAlert({ detectedAtMs: NOW + 10 * 3600_000 }), NOW);
    expect(future.timestamp).toBe(NOW + 3600_000);
  });
});

describe("Sentinel formats", () => {
  it("flattens nested values to JSON strings for the Data Collector API, without reserved properties", () => {
    const record = toDataCollectorRecord(takeoverAlert());
    expect(record.VulnerabilityID).toBe(18);
    expect(record.DnsNames).toBe('["shop.example.com","www.shop.example.com"]');
    expect(JSON.parse(record.Details as string).AzureSuffix).toBe("azurewebsites.net");
    for (const reserved of ["tenant", "TimeGenerated", "RawData", "TenantId", "Type"]) {
      expect(Object.keys(record).map((k) => k.toLowerCase())).not.toContain(reserved.toLowerCase());
    }
    for (const name of Object.keys(record)) expect(name).toMatch(/^[A-Za-z][A-Za-z0-9_]{0,42}$/);
  });

  it("adds TimeGenerated for the Logs Ingestion API", () => {
    expect(toLogsIngestionRecord(takeoverAlert()).TimeGenerated).toBe("2026-05-04T08:00:00.123Z");
  });

  it("maps every record field to the Data Collector column name", () => {
    const fields = Object.keys(toDataCollectorRecord(takeoverAlert()));
    expect(SENTINEL_COLUMNS.map((c) => c.field).sort()).toEqual([...fields].sort());
    expect(SENTINEL_COLUMNS.find((c) => c.field === "VulnerabilityID")).toEqual({
      field: "VulnerabilityID",
      streamType: "int",
      column: "VulnerabilityID_d",
      columnType: "real",
    });
  });

  it("generates a DCR whose transformation yields VulnerabilityID_d", () => {
    expect(sentinelTransformKql()).toMatch(
      /^source \| project TimeGenerated, VulnerabilityID_d = toreal\(VulnerabilityID\), /,
    );
    expect(sentinelTransformKql()).toContain("DetectedAt_t = todatetime(DetectedAt)");
    const stream = sentinelStreamDeclaration()["Custom-EZMonitor_Alerts_CL"];
    expect(stream?.columns[0]).toEqual({ name: "TimeGenerated", type: "datetime" });
    expect(sentinelTableColumns()).toContainEqual({ name: "VulnerabilityID_d", type: "real" });
    const dcr = sentinelDcrTemplate({ location: "eastus", workspaceResourceId: "/subscriptions/x/w" }) as {
      properties: { dataFlows: { outputStream: string }[] };
    };
    expect(dcr.properties.dataFlows[0]?.outputStream).toBe("Custom-EZMonitor_Alerts_CL");
  });
});

describe("README", () => {
  it("documents the DCR exactly as the code generates it", () => {
    const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
    expect(readme).toContain(sentinelTransformKql());
    // The formatter pretty-prints JSON blocks: compare without whitespace.
    expect(readme.replace(/\s+/g, "")).toContain(JSON.stringify(sentinelStreamDeclaration()));
  });
});
