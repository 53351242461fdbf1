import { SentinelDataCollectorReceiver, SentinelLogsIngestionReceiver } from "@ctwatch/siem-testkit";
import { afterEach, describe, expect, it } from "@jest/globals";
import { DeliveryError } from "./errors.js";
import { sentinelStreamDeclaration, sentinelTransformKql } from "./format-sentinel.js";
import { takeoverAlert } from "./testing/alerts.js";
import { buildDestination, neverAborted } from "./testing/harness.js";

const WORKSPACE = "4b5c6d7e-1111-2222-3333-444455556666";
const KEY = Buffer.from("a-workspace-primary-key-for-tests-0123456789").toString("base64");
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const SECRET = "client~secret~value~0123456789";
const DCR = `dcr-${"0123456789abcdef".repeat(2)}`;

let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

async function deliveryError(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DeliveryError) return error;
    throw error;
  }
  throw new Error("expected a DeliveryError");
}

describe("Sentinel Data Collector destination (deprecated API)", () => {
  async function start() {
    const r = await SentinelDataCollectorReceiver.start({ workspaceId: WORKSPACE, sharedKey: KEY });
    closers.push(() => r.close());
    return r;
  }
  const dc = (url: string, key = KEY) =>
    buildDestination({
      kind: "sentinel-data-collector",
      id: "dc-1",
      workspaceId: WORKSPACE,
      workspaceKey: key,
      endpoint: url,
    });

  it("writes rows the seed query finds, with the documented columns", async () => {
    const r = await start();
    const { destination, logger } = dc(r.url);
    expect(logger.text).toContain("deprecated");
    await destination.deliver([takeoverAlert({ detectedAtMs: Date.now() - 1_000 })], neverAborted());
    const request = r.requests[0]!;
    expect(request.url).toBe("/api/logs?api-version=2016-04-01");
    expect(request.headers["log-type"]).toBe("EZMonitor_Alerts");
    expect(request.headers["time-generated-field"]).toBe("DetectedAt");
    const rows = r.table("EZMonitor_Alerts_CL");
    expect(rows.filter((row) => row.VulnerabilityID_d === 18)).toHaveLength(1);
    expect(r.columns("EZMonitor_Alerts_CL")).toEqual(
      expect.arrayContaining([
        "VulnerabilityID_d",
        "Summary_s",
        "Severity_s",
        "Domain_s",
        "DetectedAt_t",
        "NotBefore_t",
        "Precertificate_b",
      ]),
    );
    expect(rows[0]!.TimeGenerated).toBe(rows[0]!.DetectedAt_t);
  });

  it("gets credentials-rejected for a wrong key", async () => {
    const r = await start();
    const wrong = Buffer.from("another-key-entirely-0123456789abcdef").toString("base64");
    const error = await deliveryError(
      dc(r.url, wrong).destination.deliver([takeoverAlert()], neverAborted()),
    );
    expect(error).toMatchObject({
      code: "credentials-rejected",
      status: 403,
      siemCode: "InvalidAuthorization",
    });
  });

  it("warns about the retirement in Test Connection", async () => {
    const r = await start();
    const result = await dc(r.url).destination.testConnection(neverAborted());
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.warnings.join(" ")).toContain("2026-09-14");
    expect(r.table("EZMonitor_Alerts_CL")[0]).toMatchObject({ VulnerabilityID_d: 0 });
  });
});

describe("Sentinel Logs Ingestion destination", () => {
  async function start(options: { publishers?: string[]; tokenLifetimeSeconds?: number } = {}) {
    const r = await SentinelLogsIngestionReceiver.start({
      tenantId: TENANT,
      clients: { [CLIENT]: SECRET },
      ...(options.tokenLifetimeSeconds ? { tokenLifetimeSeconds: options.tokenLifetimeSeconds } : {}),
      dcrs: {
        [DCR]: {
          streamDeclarations: sentinelStreamDeclaration(),
          transformKql: sentinelTransformKql(),
          outputStream: "Custom-EZMonitor_Alerts_CL",
          publishers: options.publishers ?? [CLIENT],
        },
      },
    });
    closers.push(() => r.close());
    return r;
  }
  const li = (url: string, extra: Record<string, unknown> = {}) =>
    buildDestination({
      kind: "sentinel-logs-ingestion",
      id: "li-1",
      tenantId: TENANT,
      clientId: CLIENT,
      clientSecret: SECRET,
      endpoint: url,
      authorityHost: url,
      dcrImmutableId: DCR,
      ...extra,
    });

  it("gets a token, posts through the documented DCR, and the seed query works unchanged", async () => {
    const r = await start();
    const { destination } = li(r.url);
    await destination.deliver([takeoverAlert(), takeoverAlert({ alertId: "b" })], neverAborted());
    await destination.deliver([takeoverAlert({ alertId: "c" })], neverAborted());
    expect(r.tokensIssued).toBe(1);
    const ingest = r.requests.find((q) => q.url.startsWith("/dataCollectionRules/"))!;
    expect(ingest.url).toBe(
      `/dataCollectionRules/${DCR}/streams/Custom-EZMonitor_Alerts_CL?api-version=2023-01-01`,
    );
    const rows = r.table("EZMonitor_Alerts_CL");
    expect(rows.filter((row) => row.VulnerabilityID_d === 18)).toHaveLength(3);
    expect(rows[0]).toMatchObject({
      TimeGenerated: "2026-05-04T08:00:00.123Z",
      Summary_s: "Your domain is vulnerable to domain takeover.",
      Precertificate_b: true,
      NotBefore_t: "2026-05-01T00:00:00.000Z",
    });
  });

  it("column names equal what the Data Collector API would create", async () => {
    const r = await start();
    const dcReceiver = await SentinelDataCollectorReceiver.start({ workspaceId: WORKSPACE, sharedKey: KEY });
    closers.push(() => dcReceiver.close());
    const alert = takeoverAlert({ detectedAtMs: Date.now() - 1_000 });
    await li(r.url).destination.deliver([alert], neverAborted());
    await buildDestination({
      kind: "sentinel-data-collector",
      id: "dc",
      workspaceId: WORKSPACE,
      workspaceKey: KEY,
      endpoint: dcReceiver.url,
    }).destination.deliver([alert], neverAborted());
    const viaIngestion = Object.keys(r.table("EZMonitor_Alerts_CL")[0]!)
      .filter((k) => k !== "Type")
      .sort();
    const viaCollector = Object.keys(dcReceiver.table("EZMonitor_Alerts_CL")[0]!)
      .filter((k) => k !== "Type")
      .sort();
    expect(viaIngestion).toEqual(viaCollector);
  });

  it.each([
    [
      "a wrong client secret",
      { clientSecret: "wrong-secret-value" },
      "credentials-rejected",
      "AADSTS7000215",
      "client secret is wrong",
    ],
    [
      "an unknown client ID",
      { clientId: "99999999-4e5f-4a6b-8c7d-9e0f1a2b3c4d" },
      "credentials-rejected",
      "AADSTS700016",
      "not found",
    ],
    [
      "an unknown tenant",
      { tenantId: "99999999-86f1-41af-91ab-2d7cd011db47" },
      "credentials-rejected",
      "AADSTS90002",
      "tenant is not found",
    ],
  ])("maps %s", async (_name, extra, code, siemCode, text) => {
    const r = await start();
    const error = await deliveryError(
      li(r.url, extra).destination.deliver([takeoverAlert()], neverAborted()),
    );
    expect(error).toMatchObject({ code, siemCode, retryable: false });
    expect(error.message).toContain(text);
  });

  it("maps a missing role assignment to forbidden and an unknown DCR to not-found", async () => {
    const r = await start({ publishers: [] });
    expect(
      await deliveryError(li(r.url).destination.deliver([takeoverAlert()], neverAborted())),
    ).toMatchObject({
      code: "forbidden",
      status: 403,
    });
    const other = `dcr-${"f".repeat(32)}`;
    expect(
      await deliveryError(
        li(r.url, { dcrImmutableId: other }).destination.deliver([takeoverAlert()], neverAborted()),
      ),
    ).toMatchObject({ code: "not-found", status: 404 });
  });

  it("refreshes a revoked cached token once", async () => {
    const r = await start();
    const { destination } = li(r.url);
    await destination.deliver([takeoverAlert()], neverAborted());
    r.revokeTokens();
    await destination.deliver([takeoverAlert({ alertId: "2" })], neverAborted());
    expect(r.tokensIssued).toBe(2);
    expect(r.table("EZMonitor_Alerts_CL")).toHaveLength(2);
  });

  it("caches the token until five minutes before it expires", async () => {
    const r = await start({ tokenLifetimeSeconds: 3600 });
    const clock = { now: Date.now() };
    const { destination } = buildDestination(
      {
        kind: "sentinel-logs-ingestion",
        id: "li-1",
        tenantId: TENANT,
        clientId: CLIENT,
        clientSecret: SECRET,
        endpoint: r.url,
        authorityHost: r.url,
        dcrImmutableId: DCR,
      },
      { now: () => clock.now },
    );
    await destination.deliver([takeoverAlert()], neverAborted());
    clock.now += 3600_000 - 300_001;
    await destination.deliver([takeoverAlert()], neverAborted());
    expect(r.tokensIssued).toBe(1);
    clock.now += 2;
    await destination.deliver([takeoverAlert()], neverAborted());
    expect(r.tokensIssued).toBe(2);
  });
});
