import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchLogsReceiver, SplunkHecReceiver } from "@ctwatch/siem-testkit";
import { afterEach, describe, expect, it } from "@jest/globals";
import type { TestConnectionResult } from "./destination.js";
import { buildDestination, neverAborted } from "./testing/harness.js";

const TOKEN = "11111111-2222-3333-4444-555555555555";
let closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers) await close();
  closers = [];
});

function splunk(url: string, extra: Record<string, unknown> = {}) {
  return buildDestination({ kind: "splunk-hec", id: "splunk", url, token: TOKEN, ...extra }).destination;
}

function failure(result: TestConnectionResult) {
  if (result.ok) throw new Error(`expected a failed test, got: ${result.message}`);
  return result;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function selfSignedCertificate(): { key: Buffer; cert: Buffer } | undefined {
  const dir = mkdtempSync(join(tmpdir(), "ctwatch-tls-"));
  try {
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"]
        .concat(["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-subj", "/CN=127.0.0.1"])
        .concat(["-addext", "subjectAltName=IP:127.0.0.1"]),
      { stdio: "ignore" },
    );
    return { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("Test Connection", () => {
  it("succeeds and says where the test event went", async () => {
    const r = await SplunkHecReceiver.start({ tokens: { [TOKEN]: {} } });
    closers.push(() => r.close());
    const result = await splunk(r.url, { index: "security" }).testConnection(neverAborted());
    expect(result).toMatchObject({ ok: true, message: expect.stringContaining("index security") });
    expect(r.events[0]?.event).toMatchObject({ VulnerabilityID: 0, Summary: "ctwatch connection test" });
  });

  it.each([
    ["credentials rejected (HEC code 4)", "wrong-token", {}, "credentials-rejected", /Invalid token/],
    ["token disabled (HEC code 1)", TOKEN, { disabled: true }, "token-disabled", /Token disabled/],
  ])("reports %s", async (_name, token, settings, code, text) => {
    const r = await SplunkHecReceiver.start({ tokens: { [TOKEN]: settings } });
    closers.push(() => r.close());
    const result = failure(await splunk(r.url, { token }).testConnection(neverAborted()));
    expect(result).toMatchObject({ code, status: 403 });
    expect(result.message).toMatch(text);
    expect(result.hint.length).toBeGreaterThan(20);
  });

  it("reports HEC not listening (disabled) as connection refused with the HEC hint", async () => {
    const r = await SplunkHecReceiver.start({ tokens: {} });
    const url = r.url;
    await r.close();
    const result = failure(await splunk(url).testConnection(neverAborted()));
    expect(result.code).toBe("connection-refused");
    expect(result.hint).toContain("All Tokens: Enabled");
  });

  it("reports a DNS failure", async () => {
    const result = failure(
      await splunk("https://hec.ctwatch-test.invalid:8088").testConnection(neverAborted()),
    );
    expect(result.code).toBe("dns-failure");
    expect(result.message).toContain("hec.ctwatch-test.invalid");
  });

  it("reports a timeout", async () => {
    const r = await SplunkHecReceiver.start({ tokens: { [TOKEN]: {} } });
    closers.push(() => r.close());
    r.injectFault(1, { kind: "hang" });
    const result = failure(await splunk(r.url, { timeoutMs: 100 }).testConnection(neverAborted()));
    expect(result.code).toBe("timeout");
  });

  it("reports a TLS failure when the endpoint does not speak TLS", async () => {
    const host = await listen(createHttpServer((_req, res) => res.end("plain")));
    const result = failure(await splunk(`https://${host}`).testConnection(neverAborted()));
    expect(result.code).toBe("tls-failure");
  });

  const certificate = selfSignedCertificate();
  (certificate ? it : it.skip)(
    "reports an untrusted (self-signed) certificate as a TLS failure",
    async () => {
      const server = createHttpsServer({ key: certificate!.key, cert: certificate!.cert }, (_req, res) =>
        res.end("{}"),
      );
      const host = await listen(server);
      const result = failure(await splunk(`https://${host}`).testConnection(neverAborted()));
      expect(result.code).toBe("tls-failure");
      expect(result.message).toMatch(/SELF_SIGNED|CERT/);
      expect(result.hint).toContain("certificate");
    },
  );

  describe("CloudWatch", () => {
    async function cloudwatch(extra: Record<string, unknown>) {
      const r = await CloudWatchLogsReceiver.start({
        region: "us-east-1",
        apiKeys: ["key"],
        logGroups: { g: { streams: ["s"] }, closed: { streams: ["s"], bearerTokenAuthentication: false } },
      });
      closers.push(() => r.close());
      const destination = buildDestination({
        kind: "cloudwatch-logs",
        id: "cw",
        region: "us-east-1",
        logGroup: "g",
        logStream: "s",
        endpoint: r.url,
        auth: { type: "api-key", apiKey: "key" },
        ...extra,
      }).destination;
      return destination.testConnection(neverAborted());
    }

    it.each([
      ["log group missing", { logGroup: "missing" }, "log-group-not-found", "Create the log group"],
      ["log stream missing", { logStream: "missing" }, "log-stream-not-found", "Create the log stream"],
      [
        "bearer authentication not enabled",
        { logGroup: "closed" },
        "bearer-auth-disabled",
        "Edit bearer token authentication",
      ],
      [
        "API key rejected",
        { auth: { type: "api-key", apiKey: "expired" } },
        "credentials-rejected",
        "API key",
      ],
    ])("reports %s", async (_name, extra, code, hint) => {
      const result = failure(await cloudwatch(extra));
      expect(result.code).toBe(code);
      expect(result.hint).toContain(hint);
    });

    it("succeeds", async () => {
      expect(await cloudwatch({})).toMatchObject({ ok: true, message: expect.stringContaining("g / s") });
    });
  });
});
