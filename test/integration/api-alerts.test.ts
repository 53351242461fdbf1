/**
 * AlertService against the real API and MongoDB-wire server, with alerts
 * written by the sink's own store (MongoAlertStore): filters, keyset paging,
 * triage with reasons and history, the live stream with resume from a cursor,
 * and deadlines that reach the work behind a call.
 */
import { createServer, type Server, type Socket } from "node:net";
import { create } from "@bufbuild/protobuf";
import { ApiCallError, type ApiClient } from "@ctwatch/api-client";
import { newAlert } from "@ctwatch/events";
import {
  type Alert,
  AlertState,
  CertificateRefSchema,
  Severity,
  type WatchAlertsResponse,
  WatchItem_Kind,
  WatchItemSchema,
} from "@ctwatch/proto";
import { MongoAlertStore } from "@ctwatch/store";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type ApiFixture, startApiFixture } from "./api-fixture.js";

const T = "acme";

function alert(
  n: number,
  over: { eventId?: number; severity?: Severity; domain?: string; atMs?: number } = {},
): Alert {
  const domain = over.domain ?? "example.com";
  const name = `host${n}.${domain}`;
  return newAlert({
    eventId: over.eventId ?? 25,
    tenantId: T,
    dedupKey: `${over.eventId ?? 25}|${name}`,
    subjectDomain: name,
    watchItem: create(WatchItemSchema, { kind: WatchItem_Kind.OWNED_DOMAIN, value: domain }),
    certificate: create(CertificateRefSchema, { sha256: new Uint8Array(32).fill(n), dnsNames: [name] }),
    detector: "test/1",
    detectedAtMs: over.atMs ?? 1_800_000_000_000 + n * 1000,
    ...(over.severity ? { severity: over.severity } : {}),
  });
}

describe("AlertService", () => {
  let fx: ApiFixture;
  let client: ApiClient;
  let store: MongoAlertStore;

  beforeAll(async () => {
    fx = await startApiFixture();
    client = fx.client(await fx.tenant(T));
    store = new MongoAlertStore(fx.db.db);
    await store.init();
    for (let n = 1; n <= 12; n++)
      await store.upsert(
        alert(n, {
          eventId: n % 3 === 0 ? 12 : 25,
          severity: n % 4 === 0 ? Severity.HIGH : Severity.MEDIUM,
          domain: n <= 8 ? "example.com" : "example.org",
        }),
      );
  });

  afterAll(async () => {
    await fx?.close();
  });

  it("pages newest first without gaps or repeats, and refuses a token with changed filters", async () => {
    const seen: string[] = [];
    let pageToken = "";
    let pages = 0;
    do {
      const r = await client.alerts.listAlerts({ pageSize: 5, pageToken });
      seen.push(...r.alerts.map((a) => a.alert?.subjectDomain ?? ""));
      pageToken = r.nextPageToken;
      pages += 1;
    } while (pageToken);
    expect(pages).toBe(3);
    expect(seen).toEqual(
      Array.from({ length: 12 }, (_, i) => `host${12 - i}.${12 - i <= 8 ? "example.com" : "example.org"}`),
    );
    const first = await client.alerts.listAlerts({ pageSize: 5 });
    await expect(
      client.alerts.listAlerts({ pageSize: 5, eventIds: [12], pageToken: first.nextPageToken }),
    ).rejects.toMatchObject({
      codeName: "INVALID_ARGUMENT",
      details: expect.stringContaining("other filters"),
    });
  });

  it("filters by event ID, domain, severity, state and time", async () => {
    const ids = (r: { alerts: { alert?: Alert }[] }) => r.alerts.map((a) => a.alert?.subjectDomain).sort();
    expect(ids(await client.alerts.listAlerts({ eventIds: [12] }))).toEqual(
      ["host12.example.org", "host3.example.com", "host6.example.com", "host9.example.org"].sort(),
    );
    expect((await client.alerts.listAlerts({ domain: "example.org" })).alerts).toHaveLength(4);
    expect(ids(await client.alerts.listAlerts({ domain: "host5.example.com" }))).toEqual([
      "host5.example.com",
    ]);
    expect((await client.alerts.listAlerts({ severities: [Severity.HIGH] })).alerts).toHaveLength(3);
    const t0 = 1_800_000_000_000;
    expect(
      ids(await client.alerts.listAlerts({ sinceMs: BigInt(t0 + 2000), untilMs: BigInt(t0 + 4000) })),
    ).toEqual(["host2.example.com", "host3.example.com"]);
    expect((await client.alerts.listAlerts({ states: [AlertState.RESOLVED] })).alerts).toHaveLength(0);
    await expect(client.alerts.listAlerts({ domain: "not a domain" })).rejects.toMatchObject({
      codeName: "INVALID_ARGUMENT",
      details: expect.stringMatching(/^domain: /),
    });
    await expect(client.alerts.listAlerts({ sinceMs: 5n, untilMs: 4n })).rejects.toMatchObject({
      codeName: "INVALID_ARGUMENT",
    });
  });

  it("triages with a reason, idempotently, and keeps the history", async () => {
    const id = alert(1).alertId;
    await expect(client.alerts.acknowledgeAlert({ alertId: id, reason: "" })).rejects.toMatchObject({
      codeName: "INVALID_ARGUMENT",
      details: "reason: is required",
    });
    const ack = await client.alerts.acknowledgeAlert({ alertId: id, reason: "looking into it" });
    expect([ack.changed, ack.alert?.state]).toEqual([true, AlertState.ACKNOWLEDGED]);
    expect((await client.alerts.acknowledgeAlert({ alertId: id, reason: "again" })).changed).toBe(false);
    await client.alerts.suppressAlert({ alertId: id, reason: "our CDN's certificate" });
    const got = await client.alerts.getAlert({ alertId: id });
    expect(got.alert?.state).toBe(AlertState.SUPPRESSED);
    expect(got.history.map((h) => [h.fromState, h.toState, h.reason])).toEqual([
      [AlertState.ACKNOWLEDGED, AlertState.SUPPRESSED, "our CDN's certificate"],
      [AlertState.OPEN, AlertState.ACKNOWLEDGED, "looking into it"],
    ]);
    expect(got.history[0]?.actor).toMatch(/^token:tok_[0-9a-f]{16}$/);
    expect((await client.alerts.listAlerts({ states: [AlertState.SUPPRESSED] })).alerts).toHaveLength(1);
    // The sink re-seeing the condition adds evidence but does not reopen it.
    await store.upsert({
      ...alert(1),
      certificate: create(CertificateRefSchema, { sha256: new Uint8Array(32).fill(99) }),
    });
    expect((await client.alerts.getAlert({ alertId: id })).alert?.state).toBe(AlertState.SUPPRESSED);
    await expect(client.alerts.resolveAlert({ alertId: "f".repeat(32), reason: "x" })).rejects.toMatchObject({
      codeName: "NOT_FOUND",
    });
  });

  it("streams new alerts live, and resumes from a cursor without losing any", async () => {
    const received: WatchAlertsResponse[] = [];
    const ac = new AbortController();
    const first = (async () => {
      try {
        for await (const m of client.alerts.watchAlerts({ eventIds: [25] }, { signal: ac.signal })) {
          received.push(m);
          if (received.filter((x) => x.event.case === "alert").length === 2) break;
        }
      } catch (err) {
        if (!(err instanceof ApiCallError && err.codeName === "CANCELLED")) throw err;
      }
    })();
    // The first message is a heartbeat: the stream is established.
    await waitFor(() => received.length > 0);
    expect(received[0]?.event.case).toBe("heartbeat");
    const now = Date.now();
    await store.upsert(alert(101, { atMs: now }));
    await store.upsert(alert(102, { eventId: 12, atMs: now })); // filtered out
    await store.upsert(alert(103, { atMs: now }));
    await first;
    const names = received.flatMap((m) =>
      m.event.case === "alert" ? [m.event.value.alert?.subjectDomain] : [],
    );
    expect(names).toEqual(["host101.example.com", "host103.example.com"]);
    const cursor = received[received.length - 1]?.cursor ?? "";
    expect(cursor).not.toBe("");

    // Disconnected: two more alerts arrive. Resuming from the cursor delivers them (and
    // may repeat what was sent just before the cursor: at least once).
    await store.upsert(alert(104, { atMs: Date.now() }));
    await store.upsert(alert(105, { atMs: Date.now() }));
    const resumed: string[] = [];
    for await (const m of client.alerts.watchAlerts({ cursor, eventIds: [25] }, { timeoutMs: 5000 })) {
      if (m.event.case === "alert") resumed.push(m.event.value.alert?.subjectDomain ?? "");
      if (resumed.includes("host105.example.com")) break;
    }
    expect(resumed).toEqual(expect.arrayContaining(["host104.example.com", "host105.example.com"]));
    expect(new Set(resumed).size).toBe(resumed.length);
    await expect(
      (async () => {
        for await (const _ of client.alerts.watchAlerts({ cursor: "garbage" })) break;
      })(),
    ).rejects.toMatchObject({ codeName: "INVALID_ARGUMENT", details: expect.stringMatching(/^cursor: /) });
  });

  it("ends streams with UNAVAILABLE when the server stops, so clients resume elsewhere", async () => {
    const other = await startApiFixture();
    try {
      const c = other.client(await other.tenant("stopper"));
      const it = c.alerts.watchAlerts({})[Symbol.asyncIterator]();
      await it.next();
      const stopping = other.api.stop();
      await expect(it.next()).rejects.toMatchObject({ codeName: "UNAVAILABLE" });
      await stopping;
    } finally {
      await other.close();
    }
  });
});

describe("deadlines", () => {
  let fx: ApiFixture;
  let client: ApiClient;
  let silent: Server;
  const sockets: { socket: Socket; closedAtMs?: number }[] = [];

  beforeAll(async () => {
    fx = await startApiFixture();
    client = fx.client(await fx.tenant("deadline"));
    // A "SIEM" that accepts connections and never answers.
    silent = createServer((socket) => {
      const rec: { socket: Socket; closedAtMs?: number } = { socket };
      sockets.push(rec);
      socket.on("close", () => {
        rec.closedAtMs = Date.now();
      });
      socket.on("error", () => {});
      socket.resume(); // read (and drop) the request, so the peer's close is seen
    });
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
  });

  afterAll(async () => {
    for (const s of sockets) s.socket.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
    await fx?.close();
  });

  it("cancels the work behind a call when its deadline passes", async () => {
    const port = (silent.address() as { port: number }).port;
    const started = Date.now();
    await expect(
      client.destinations.testDestination(
        {
          target: {
            case: "config",
            value: { kind: "splunk-hec", url: `http://127.0.0.1:${port}`, token: "t", timeoutMs: 60_000 },
          },
        },
        { timeoutMs: 800 },
      ),
    ).rejects.toMatchObject({ codeName: "DEADLINE_EXCEEDED" });
    expect(Date.now() - started).toBeLessThan(3000);
    // The server aborted its HTTP request to the SIEM at the deadline, not after the SIEM's 60 s timeout.
    // (undici may open a fresh pooled connection afterwards; the request's own socket is the first.)
    await waitFor(() => sockets[0]?.closedAtMs !== undefined, 5000);
    const closedAfterMs = (sockets[0]?.closedAtMs ?? 0) - started;
    expect(closedAfterMs).toBeLessThan(3000);
    const code = fx.metrics.value("ctwatch_api_requests_total", {
      method: "ctwatch.api.v1.DestinationService/TestDestination",
      code: "4",
    });
    expect(code).toBe(1);
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}
