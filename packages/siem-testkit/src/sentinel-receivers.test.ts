import { createHmac } from "node:crypto";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "@jest/globals";
import { compileTransformKql } from "./dcr-transform.js";
import { ClassicCustomTable, inferSuffix } from "./log-analytics-table.js";
import {
  expectedSharedKeySignature,
  SentinelDataCollectorReceiver,
} from "./sentinel-data-collector-receiver.js";
import { SentinelLogsIngestionReceiver } from "./sentinel-logs-ingestion-receiver.js";

const WORKSPACE = "4b5c6d7e-1111-2222-3333-444455556666";
const KEY = Buffer.from("a-32-byte-workspace-key-for-test").toString("base64");
let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

describe("Data Collector signature", () => {
  it("signs the documentation's example string to sign", () => {
    // "POST\n1024\napplication/json\nx-ms-date:Mon, 04 Apr 2016 08:00:00 GMT\n/api/logs", key from a Python run.
    const key = "Y3R3YXRjaC10ZXN0LXdvcmtzcGFjZS1rZXktMDAxISE=";
    expect(expectedSharedKeySignature(key, 1024, "Mon, 04 Apr 2016 08:00:00 GMT")).toBe(
      "JLIqYFsu0ifQ/8tIzTbQpRerKL5jM88wxO4VUu/7ilY=",
    );
  });
});

describe("Log Analytics type inference (Data Collector API)", () => {
  it.each([
    [42, "_d"],
    [4.2, "_d"],
    [true, "_b"],
    ["text", "_s"],
    ["2019-09-12T20:00:00.625Z", "_t"],
    ["9909ED01-A74C-4874-8ABF-D2678E3AE23D", "_g"],
    ["8145d82213a744ad859c36f31a84f6dd", "_g"],
    [{ nested: 1 }, "_s"],
    [null, undefined],
  ])("%j -> %s", (value, suffix) => {
    expect(inferSuffix(value)).toBe(suffix);
  });

  it("follows the documented record sequence (number_d, then strings convert, then new _d columns)", () => {
    const table = new ClassicCustomTable("MyLog_CL");
    table.ingest({ number: 1, boolean: true, string: "a" }, {});
    expect(table.columns).toEqual(["number_d", "boolean_b", "string_s"]);
    table.ingest({ number: "2", boolean: "false", string: "b" }, {});
    expect(table.columns).toEqual(["number_d", "boolean_b", "string_s"]);
    expect(table.rows[1]).toEqual({ number_d: 2, boolean_b: false, string_s: "b" });
    table.ingest({ number: 3, boolean: 4, string: 5 }, {});
    expect(table.columns).toEqual(["number_d", "boolean_b", "boolean_d", "string_s", "string_d"]);
    table.ingest({ guid: "8145d82213a744ad859c36f31a84f6dd" }, {});
    expect(table.rows[3]).toEqual({ guid_g: "8145d822-13a7-44ad-859c-36f31a84f6dd" });
  });
});

describe("SentinelDataCollectorReceiver", () => {
  async function start() {
    const r = await SentinelDataCollectorReceiver.start({ workspaceId: WORKSPACE, sharedKey: KEY });
    closers.push(() => r.close());
    return r;
  }

  function signedHeaders(
    body: string,
    options: { date?: Date; key?: string; logType?: string; contentType?: string } = {},
  ) {
    const date = (options.date ?? new Date()).toUTCString();
    const length = Buffer.byteLength(body);
    const stringToSign = `POST\n${length}\napplication/json\nx-ms-date:${date}\n/api/logs`;
    const signature = createHmac("sha256", Buffer.from(options.key ?? KEY, "base64"))
      .update(stringToSign)
      .digest("base64");
    return {
      authorization: `SharedKey ${WORKSPACE}:${signature}`,
      "content-type": options.contentType ?? "application/json",
      "log-type": options.logType ?? "EZMonitor_Alerts",
      "x-ms-date": date,
      "time-generated-field": "DetectedAt",
    };
  }

  async function post(
    r: SentinelDataCollectorReceiver,
    body: string,
    headers: Record<string, string>,
    query = "?api-version=2016-04-01",
  ) {
    const response = await fetch(`${r.url}/api/logs${query}`, { method: "POST", body, headers });
    return { status: response.status, text: await response.text() };
  }

  it("stores rows with suffixed columns and TimeGenerated from the named field", async () => {
    const r = await start();
    const detectedAt = new Date(Date.now() - 60_000).toISOString();
    const body = JSON.stringify([
      { VulnerabilityID: 18, Summary: "s", DetectedAt: detectedAt, Precertificate: true },
    ]);
    expect((await post(r, body, signedHeaders(body))).status).toBe(200);
    expect(r.table("EZMonitor_Alerts_CL")).toEqual([
      {
        TimeGenerated: detectedAt,
        Type: "EZMonitor_Alerts_CL",
        VulnerabilityID_d: 18,
        Summary_s: "s",
        DetectedAt_t: detectedAt,
        Precertificate_b: true,
      },
    ]);
  });

  it.each([
    ["a wrong key", { key: Buffer.from("x".repeat(32)).toString("base64") }, 403, "InvalidAuthorization"],
    ["a stale x-ms-date", { date: new Date(Date.now() - 20 * 60_000) }, 403, "InvalidAuthorization"],
    ["an invalid Log-Type", { logType: "EZ-Monitor" }, 400, "InvalidLogType"],
    [
      "a charset in Content-Type",
      { contentType: "application/json; charset=utf-8" },
      400,
      "UnsupportedContentType",
    ],
  ])("rejects %s", async (_name, options, status, code) => {
    const r = await start();
    const body = "[]";
    const response = await post(r, body, signedHeaders(body, options));
    expect(response.status).toBe(status);
    expect(JSON.parse(response.text).Error).toBe(code);
  });

  it("checks the signature over the exact byte length", async () => {
    const r = await start();
    const body = JSON.stringify([{ Summary: "é" }]);
    const headers = signedHeaders(body);
    expect((await post(r, `${body} `, headers)).status).toBe(403);
    expect((await post(r, body, headers)).status).toBe(200);
  });

  it("rejects reserved property names and a missing api-version", async () => {
    const r = await start();
    for (const name of ["tenant", "TimeGenerated", "RawData"]) {
      const body = JSON.stringify([{ [name]: "x" }]);
      const response = await post(r, body, signedHeaders(body));
      expect(response.status).toBe(400);
      expect(JSON.parse(response.text).Error).toBe("InvalidDataFormat");
    }
    const body = "[]";
    expect(JSON.parse((await post(r, body, signedHeaders(body), "")).text).Error).toBe("MissingApiVersion");
  });
});

describe("compileTransformKql", () => {
  it("projects, renames and converts", () => {
    const transform = compileTransformKql(
      "source | extend TimeGenerated = todatetime(At) | project TimeGenerated, N_d = toreal(N), S_s = tostring(S), B_b = tobool(B)",
    );
    expect(transform({ At: "2026-01-01T00:00:00Z", N: 18, S: { a: 1 }, B: "true", Extra: 1 })).toEqual({
      TimeGenerated: "2026-01-01T00:00:00.000Z",
      N_d: 18,
      S_s: '{"a":1}',
      B_b: true,
    });
  });

  it.each([
    "source | where N > 1",
    "source | project N = strlen(S)",
    "table | project N",
    "source | project",
  ])("refuses what it does not implement: %s", (kql) => {
    expect(() => compileTransformKql(kql)).toThrow(SyntaxError);
  });
});

describe("SentinelLogsIngestionReceiver", () => {
  const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
  const CLIENT = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
  const DCR = `dcr-${"a".repeat(32)}`;

  async function start(maxCallBytes?: number) {
    const r = await SentinelLogsIngestionReceiver.start({
      tenantId: TENANT,
      clients: { [CLIENT]: "secret" },
      ...(maxCallBytes ? { maxCallBytes } : {}),
      dcrs: {
        [DCR]: {
          streamDeclarations: {
            "Custom-T": {
              columns: [
                { name: "TimeGenerated", type: "datetime" },
                { name: "N", type: "int" },
              ],
            },
          },
          transformKql: "source | project TimeGenerated, N_d = toreal(N)",
          outputStream: "Custom-T_CL",
          publishers: [CLIENT],
        },
      },
    });
    closers.push(() => r.close());
    return r;
  }

  async function token(r: SentinelLogsIngestionReceiver, form: Record<string, string>, tenant = TENANT) {
    const response = await fetch(`${r.url}/${tenant}/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  const goodForm = {
    grant_type: "client_credentials",
    client_id: CLIENT,
    client_secret: "secret",
    scope: "https://monitor.azure.com//.default",
  };

  it.each([
    ["a wrong secret", { ...goodForm, client_secret: "x" }, TENANT, 401, "invalid_client", 7000215],
    ["an unknown client", { ...goodForm, client_id: "nobody" }, TENANT, 400, "unauthorized_client", 700016],
    ["an unknown tenant", goodForm, "other-tenant", 400, "invalid_request", 90002],
    [
      "a wrong scope",
      { ...goodForm, scope: "https://monitor.azure.com/.default" },
      TENANT,
      400,
      "invalid_scope",
      70011,
    ],
    ["another grant", { ...goodForm, grant_type: "password" }, TENANT, 400, "unsupported_grant_type", 70003],
  ])("token endpoint refuses %s", async (_name, form, tenant, status, error, code) => {
    const r = await start();
    const answer = await token(r, form, tenant);
    expect(answer.status).toBe(status);
    expect(answer.json).toMatchObject({ error, error_codes: [code] });
    expect(String(answer.json.error_description)).toMatch(new RegExp(`^AADSTS${code}:`));
  });

  it("ingests a JSON array (also gzip) through the transform and enforces the limits", async () => {
    const r = await start(200);
    const { json } = await token(r, goodForm);
    expect(json).toMatchObject({ token_type: "Bearer", expires_in: 3599 });
    const url = `${r.url}/dataCollectionRules/${DCR}/streams/Custom-T?api-version=2023-01-01`;
    const headers = { authorization: `Bearer ${json.access_token}`, "content-type": "application/json" };
    const rows = JSON.stringify([{ TimeGenerated: "2026-01-01T00:00:00Z", N: 18, Undeclared: "dropped" }]);
    expect((await fetch(url, { method: "POST", headers, body: rows })).status).toBe(204);
    const gz = gzipSync(JSON.stringify([{ TimeGenerated: "2026-01-01T00:00:01Z", N: 12 }]));
    expect(
      (await fetch(url, { method: "POST", headers: { ...headers, "content-encoding": "gzip" }, body: gz }))
        .status,
    ).toBe(204);
    expect(r.table("T_CL")).toEqual([
      { TimeGenerated: "2026-01-01T00:00:00.000Z", N_d: 18, Type: "T_CL" },
      { TimeGenerated: "2026-01-01T00:00:01.000Z", N_d: 12, Type: "T_CL" },
    ]);
    const status = async (init: RequestInit, target = url) =>
      (await fetch(target, { method: "POST", ...init })).status;
    expect(await status({ headers, body: JSON.stringify({ N: 1 }) })).toBe(400);
    expect(await status({ headers, body: JSON.stringify([{ N: "eighteen" }]) })).toBe(400);
    expect(await status({ headers, body: JSON.stringify([{ N: 1, pad: "x".repeat(300) }]) })).toBe(413);
    expect(await status({ headers: { ...headers, authorization: "Bearer forged" }, body: rows })).toBe(401);
    expect(await status({ headers, body: rows }, url.replace("2023-01-01", "2021-11-01-preview"))).toBe(400);
    expect(await status({ headers, body: rows }, url.replace("Custom-T", "Custom-U"))).toBe(400);
    expect(await status({ headers, body: rows }, url.replace(DCR, `dcr-${"b".repeat(32)}`))).toBe(404);
  });
});
