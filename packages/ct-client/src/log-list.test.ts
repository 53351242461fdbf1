import { generateKeyPairSync, sign } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { ctLogKey } from "@ctwatch/ct";
import { describe, expect, it } from "@jest/globals";
import { LogListError, loadLogList, parseLogList, selectLogs, verifyLogListSignature } from "./log-list.js";

// Byte-exact copy of the real signed Chrome list (gzip so that no formatter rewrites it: the
// signature covers the exact bytes; test/fixtures/loglist's copy has been reformatted).
const testdata = path.resolve(process.cwd(), "packages/ct-client/testdata");
const listBytes = new Uint8Array(gunzipSync(readFileSync(path.join(testdata, "google_v3_log_list.json.gz"))));
const sigBytes = new Uint8Array(readFileSync(path.join(testdata, "google_v3_log_list.sig")));

describe("Chrome log list v3 (real, signed)", () => {
  it("verifies with Google's published key, and not after a one-byte change", () => {
    expect(verifyLogListSignature(listBytes, sigBytes)).toBe(true);
    const tampered = listBytes.slice();
    tampered[200] = (tampered[200] ?? 0) ^ 1;
    expect(verifyLogListSignature(tampered, sigBytes)).toBe(false);
    expect(verifyLogListSignature(listBytes, sigBytes.subarray(1))).toBe(false);
  });

  it("parses every RFC 6962 and static-ct-api log with states and temporal intervals", () => {
    const list = parseLogList(listBytes);
    expect(list.problems).toEqual([]);
    expect(list.version).toBe("85.92");
    expect(list.timestampMs).toBe(Date.parse("2026-05-29T13:42:48Z"));
    expect(list.logs.filter((l) => l.api === "rfc6962")).toHaveLength(35);
    expect(list.logs.filter((l) => l.api === "static-ct")).toHaveLength(21);
    const argon = list.logs.find((l) => l.description === "Google 'Argon2026h2' log");
    expect(argon).toMatchObject({
      api: "rfc6962",
      operator: "Google",
      url: "https://ct.googleapis.com/logs/us1/argon2026h2/",
      state: "usable",
      mmdSeconds: 86_400,
      temporalInterval: {
        startInclusiveMs: Date.parse("2026-07-01T00:00:00Z"),
        endExclusiveMs: Date.parse("2027-01-01T00:00:00Z"),
      },
    });
    const sycamore = list.logs.find((l) => l.description === "Let's Encrypt 'Sycamore2026h1'");
    expect(sycamore).toMatchObject({
      api: "static-ct",
      url: "https://mon.sycamore.ct.letsencrypt.org/2026h1/",
      submissionUrl: "https://log.sycamore.ct.letsencrypt.org/2026h1/",
      mmdSeconds: 60,
    });
    const ro = list.logs.filter((l) => l.state === "readonly");
    expect(ro).toHaveLength(4);
    expect(ro.every((l) => l.finalTreeHead !== undefined && l.finalTreeHead.treeSize > 0)).toBe(true);
  });

  it("selects usable/qualified/readonly logs whose shard has not expired", () => {
    const list = parseLogList(listBytes);
    const nowMs = Date.parse("2026-05-29T13:42:48Z");
    const sel = selectLogs(list, { nowMs });
    expect(sel.every((l) => ["usable", "qualified", "readonly"].includes(l.state))).toBe(true);
    expect(sel.some((l) => l.description.startsWith("Bogus"))).toBe(false);
    // Future shards accept certificates today.
    expect(sel.some((l) => l.description === "Google 'Argon2027h1'")).toBe(true);
    // A year later the 2026 shards hold only expired certificates.
    const later = Date.parse("2027-03-01T00:00:00Z");
    const next = selectLogs(list, { nowMs: later });
    expect(next.some((l) => l.description === "Google 'Argon2026h2' log")).toBe(false);
    expect(next.length).toBeLessThan(sel.length);
    expect(selectLogs(list, { nowMs: later, includeExpiredShards: true })).toHaveLength(sel.length);
    expect(selectLogs(list, { nowMs, states: ["retired"] }).every((l) => l.state === "retired")).toBe(true);
  });
});

describe("parseLogList", () => {
  const key = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({
    type: "spki",
    format: "der",
  });
  const keyB64 = key.toString("base64");
  const logId = Buffer.from(ctLogKey(new Uint8Array(key)).logId).toString("base64");
  const state = { usable: { timestamp: "2025-01-01T00:00:00Z", version: "2" } };

  it("reads Apple's shape ($schema, assetVersion, tiled_logs, versioned states)", () => {
    const apple = {
      $schema: "https://valid.apple.com/ct/log_list/schema_versions/log_list_schema_v5.json",
      version: "5.1",
      assetVersion: 12,
      operators: [
        {
          name: "Example",
          email: [],
          logs: [
            { description: "r", log_id: logId, key: keyB64, url: "https://r.example/", mmd: 86400, state },
          ],
          tiled_logs: [
            {
              description: "t",
              log_id: logId,
              key: keyB64,
              submission_url: "https://t.example/",
              monitoring_url: "https://mon.t.example/",
              mmd: 60,
              state,
            },
          ],
        },
      ],
    };
    const list = parseLogList(JSON.stringify(apple));
    expect(list.problems).toEqual([]);
    expect(list.timestampMs).toBeUndefined();
    expect(list.logs.map((l) => [l.api, l.url])).toEqual([
      ["rfc6962", "https://r.example/"],
      ["static-ct", "https://mon.t.example/"],
    ]);
  });

  it("skips malformed log entries and names them, keeping the rest", () => {
    const good = {
      description: "good",
      log_id: logId,
      key: keyB64,
      url: "https://g.example/",
      mmd: 1,
      state,
    };
    const list = parseLogList(
      JSON.stringify({
        operators: [
          {
            name: "Op",
            logs: [
              good,
              { ...good, description: "wrong id", log_id: Buffer.alloc(32).toString("base64") },
              { ...good, description: "no state", state: undefined },
              { ...good, description: "odd state", state: { frozen: { timestamp: "2025-01-01T00:00:00Z" } } },
              { ...good, description: "bad interval", temporal_interval: { start_inclusive: "x" } },
              { ...good, description: "no url", url: "ftp://x" },
              { ...good, description: "bad key", key: "AAAA" },
            ],
          },
        ],
      }),
    );
    expect(list.logs.map((l) => l.description)).toEqual(["good"]);
    expect(list.problems).toHaveLength(6);
    expect(list.problems.join("\n")).toMatch(/wrong id: log_id is not SHA-256\(key\)/);
  });

  it("rejects what is not a log list", () => {
    expect(() => parseLogList("{")).toThrow(LogListError);
    expect(() => parseLogList("[]")).toThrow(/operators/);
  });
});

describe("loadLogList", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "loglist-"));
  const noFetch = async (): Promise<Uint8Array> => {
    throw new Error("no network in this test");
  };

  it("loads a pinned list whose signature verifies", async () => {
    writeFileSync(path.join(dir, "list.json"), listBytes);
    writeFileSync(path.join(dir, "list.sig"), sigBytes);
    const list = await loadLogList(
      { file: path.join(dir, "list.json"), signatureFile: path.join(dir, "list.sig") },
      noFetch,
    );
    expect(list.logs).toHaveLength(56);
  });

  it("rejects the whole list when the signature does not verify", async () => {
    const changed = Buffer.from(listBytes).toString("utf8").replace("Argon2026h2", "Argon2026h3");
    writeFileSync(path.join(dir, "changed.json"), changed);
    await expect(
      loadLogList(
        { file: path.join(dir, "changed.json"), signatureFile: path.join(dir, "list.sig") },
        noFetch,
      ),
    ).rejects.toMatchObject({ code: "bad-signature" });
  });

  it("fetches list and signature by URL, with an operator's own key", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const body = new TextEncoder().encode(JSON.stringify({ operators: [] }));
    const sig = new Uint8Array(sign("sha256", body, privateKey));
    const files: Record<string, Uint8Array> = { "https://l/list.json": body, "https://l/list.sig": sig };
    const list = await loadLogList(
      {
        url: "https://l/list.json",
        signatureUrl: "https://l/list.sig",
        publicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
      },
      async (u) => files[u] ?? new Uint8Array(),
    );
    expect(list.logs).toEqual([]);
    await expect(loadLogList({ url: "https://l/list.json" }, noFetch)).rejects.toMatchObject({
      code: "unavailable",
    });
  });
});
