/**
 * The alert sink as a real process (built dist) against real Kafka, the MongoDB-wire
 * server, a real SMTP server (aiosmtpd) and the strict SIEM receivers with injected
 * faults: 401/403 (parked, DLQ, one email per incident), 413 (split), 429 + Retry-After
 * (honoured), 500 (retried), timeouts (retried), a destination down while alerts flow
 * (nothing lost, redelivered on recovery, another tenant not stalled), no secret in
 * any output; then the replay command (a process) redelivers the parked alerts. "Down for a minute" is CTWATCH_TEST_DOWN_MS (default 15 000 for CI;
 * 60 000 reproduces the minute).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { SecretBox } from "@ctwatch/siem";
import { CloudWatchLogsReceiver, type HecReceivedEvent, SplunkHecReceiver } from "@ctwatch/siem-testkit";
import {
  connectDatabase,
  type Database,
  MongoDestinationStore,
  MongoParkedDeliveryStore,
  MongoTenantStore,
} from "@ctwatch/store";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { repoRoot } from "../harness/infra.js";
import { deleteTopics, eventually, infraEnv, uniqueId } from "../harness/names.js";
import { type RunningService, spawnService } from "../harness/services.js";
import {
  type DeadLetter,
  newSubdomainAlert,
  produceAlerts,
  putDestination,
  readDeadLetters,
  type SmtpPeer,
  startSmtpPeer,
} from "./sink-support.js";

const DOWN_MS = Number(process.env.CTWATCH_TEST_DOWN_MS ?? 15_000);
const RETRY_BUDGET_MS = 4_000;
const KEY = Buffer.alloc(32, 9).toString("base64");
const GOOD = "good-hec-token-0d6e";
const BAD_HEC_TOKEN = "hec-token-THAT-MUST-NOT-LEAK-4f9a";
const BAD_CW_KEY = "cw-api-key-THAT-MUST-NOT-LEAK-77c1";
const AUTH_ADMINS = ["soc-admin@auth.example.com", "ciso@auth.example.com"];
const DOWN_ADMINS = ["oncall@down.example.com"];

function alertIdsOf(events: readonly HecReceivedEvent[]): string[] {
  return events.map((e) => (e.event as { AlertId: string }).AlertId);
}

describe("alert-sink process against failing SIEMs", () => {
  const prefix = uniqueId("sinkf");
  const dbName = uniqueId("sinkf");
  const maildir = mkdtempSync(path.join(tmpdir(), "sinkf-mail-"));
  const dest = (name: string) => `${prefix}-${name}`;
  const infra = infraEnv();
  let db: Database;
  let parked: MongoParkedDeliveryStore;
  let smtp: SmtpPeer;
  let sink: RunningService;
  const hec: Record<string, SplunkHecReceiver> = {};
  let cloudwatch: CloudWatchLogsReceiver;
  const healthyArrivals = new Map<string, number>();

  const waitForSink = async () =>
    eventually(
      async () => (sink.stderr().includes('"msg":"running"') ? true : undefined),
      60_000,
      "sink running",
    ).catch((err) => {
      throw new Error(`${(err as Error).message}\n${sink.stderr().slice(-3000)}`);
    });

  beforeAll(async () => {
    db = await connectDatabase({ uri: infra.mongoUri, dbName });
    const box = new SecretBox({ currentKeyId: "k1", keys: { k1: Buffer.from(KEY, "base64") } });
    const destinations = new MongoDestinationStore(db.db);
    await destinations.init();
    parked = new MongoParkedDeliveryStore(db.db);
    const tenants = new MongoTenantStore(db.db);
    await tenants.put({ tenantId: "auth", admins: AUTH_ADMINS, updatedAtMs: Date.now() });
    await tenants.put({ tenantId: "down", admins: DOWN_ADMINS, updatedAtMs: Date.now() });
    for (const name of ["auth", "throttled", "flaky", "slow", "down"]) {
      hec[name] = await SplunkHecReceiver.start({ tokens: { [GOOD]: {} } });
    }
    hec.big = await SplunkHecReceiver.start({ tokens: { [GOOD]: {} }, maxContentLength: 4_000 });
    hec.healthy = await SplunkHecReceiver.start({
      tokens: { [GOOD]: {} },
      onEvents: (events) => {
        for (const id of alertIdsOf(events))
          if (!healthyArrivals.has(id)) healthyArrivals.set(id, Date.now());
      },
    });
    cloudwatch = await CloudWatchLogsReceiver.start({
      region: "us-east-1",
      apiKeys: ["the-right-api-key"],
      logGroups: { "/ctwatch/alerts": { streams: ["soc"] } },
    });
    const splunk = (tenant: string, name: string, extra: Record<string, unknown> = {}) =>
      putDestination(destinations, box, tenant, {
        kind: "splunk-hec",
        id: dest(name),
        url: hec[name]?.url,
        token: GOOD,
        ...extra,
      });
    await splunk("auth", "auth", { token: BAD_HEC_TOKEN });
    await putDestination(destinations, box, "auth", {
      kind: "cloudwatch-logs",
      id: dest("auth-cw"),
      region: "us-east-1",
      logGroup: "/ctwatch/alerts",
      logStream: "soc",
      endpoint: cloudwatch.url,
      auth: { type: "api-key", apiKey: BAD_CW_KEY },
    });
    await splunk("big", "big");
    await splunk("throttled", "throttled");
    await splunk("flaky", "flaky");
    await splunk("slow", "slow", { timeoutMs: 1_000 });
    await splunk("healthy", "healthy");
    await splunk("down", "down");
    smtp = await startSmtpPeer(maildir);
    sink = spawnService("alert-sink", {
      KAFKA_BROKERS: infra.kafkaBrokers.join(","),
      MONGODB_URI: infra.mongoUri,
      MONGODB_DB: dbName,
      CTWATCH_TOPIC_PREFIX: prefix,
      CTWATCH_GROUP_PREFIX: prefix,
      CTWATCH_LOG_LEVEL: "debug",
      CTWATCH_SECRET_KEYS: `k1:${KEY}`,
      CTWATCH_ALLOW_INSECURE_HTTP: "true",
      CTWATCH_DESTINATIONS_REFRESH_MS: "0",
      CTWATCH_DELIVERY_RETRY_BUDGET_MS: String(RETRY_BUDGET_MS),
      CTWATCH_DELIVERY_BASE_DELAY_MS: "200",
      CTWATCH_BREAKER_OPEN_MS: "2000",
      CTWATCH_BREAKER_MAX_OPEN_MS: "4000",
      CTWATCH_REDELIVERY_INTERVAL_MS: "1000",
      CTWATCH_SMTP_URL: smtp.url,
      CTWATCH_SMTP_FROM: "ctwatch@alerts.example.com",
    });
    await waitForSink();
  });

  afterAll(async () => {
    await sink?.stop();
    if (process.env.CTWATCH_TEST_KEEP_LOGS)
      writeFileSync(process.env.CTWATCH_TEST_KEEP_LOGS, sink?.stderr() ?? "");
    for (const r of Object.values(hec)) await r.close();
    await cloudwatch?.close();
    await smtp?.stop();
    rmSync(maildir, { recursive: true, force: true });
    await db?.db.dropDatabase().catch(() => {});
    await db?.close();
    await deleteTopics(infra.kafkaBrokers, prefix);
  });

  const produce = (tenant: string, from: number, count: number) => {
    const alerts = Array.from({ length: count }, (_, i) => newSubdomainAlert(tenant, from + i));
    return produceAlerts(infra.kafkaBrokers, `${prefix}.alerts.v1`, alerts).then(() => alerts);
  };
  const mailsFor = (destinationId: string) =>
    smtp.messages().filter((m) => (m.headers.subject ?? "").includes(`delivery to ${destinationId} `));

  it("401/403: parks the alerts, writes them to the DLQ and sends one email per destination", async () => {
    const first = await produce("auth", 0, 5);
    for (const d of [dest("auth"), dest("auth-cw")]) {
      await eventually(
        async () => ((await parked.count({ destinationId: d })) === 5 ? true : undefined),
        30_000,
        `5 parked for ${d}`,
      );
    }
    await eventually(
      async () => (mailsFor(dest("auth")).length === 1 ? true : undefined),
      20_000,
      "HEC email",
    );
    await eventually(
      async () => (mailsFor(dest("auth-cw")).length === 1 ? true : undefined),
      20_000,
      "CW email",
    );
    // More alerts and several redelivery passes later: still one email per incident.
    const second = await produce("auth", 5, 5);
    await eventually(
      async () => ((await parked.count({ destinationId: dest("auth") })) === 10 ? true : undefined),
      30_000,
      "10 parked",
    );
    await new Promise((r) => setTimeout(r, 4_000));
    expect(mailsFor(dest("auth"))).toHaveLength(1);
    expect(mailsFor(dest("auth-cw"))).toHaveLength(1);
    for (const mail of [...mailsFor(dest("auth")), ...mailsFor(dest("auth-cw"))]) {
      expect(mail.headers["x-rcptto"]?.split(/,\s*/).sort()).toEqual([...AUTH_ADMINS].sort());
      expect(mail.headers.from).toBe("ctwatch@alerts.example.com");
      expect(mail.headers.subject).toMatch(/is failing \(credentials-rejected\)/);
      expect(mail.body).toMatch(/tenant "auth"/);
      expect(mail.body).toMatch(/No alert is lost/);
      expect(mail.raw).not.toContain(BAD_HEC_TOKEN);
      expect(mail.raw).not.toContain(BAD_CW_KEY);
    }
    // The receivers saw the documented refusals.
    expect(hec.auth?.requests.some((r) => r.status === 403)).toBe(true);
    expect(cloudwatch.requests.some((r) => r.status === 401)).toBe(true);
    // Every parked alert is in the DLQ with its destination, once per (alert, destination).
    const letters: DeadLetter[] = await readDeadLetters(infra.kafkaBrokers, `${prefix}.alerts.dlq.v1`, 20);
    const ids = [...first, ...second].map((a) => a.alertId);
    for (const d of [dest("auth"), dest("auth-cw")]) {
      const mine = letters.filter((l) => l.headers["ctwatch-destination"] === d);
      expect(new Set(mine.map((l) => l.headers["ctwatch-alert-id"]))).toEqual(new Set(ids));
      expect(mine.every((l) => l.headers["ctwatch-tenant"] === "auth")).toBe(true);
      // Refused as such until the breaker opened, then parked without contacting the SIEM.
      const errors = new Set(mine.map((l) => l.headers["ctwatch-error"]));
      expect(errors.has("rejected: credentials-rejected")).toBe(true);
      expect(
        [...errors].every(
          (e) => e === "rejected: credentials-rejected" || e === "circuit-open: circuit-open",
        ),
      ).toBe(true);
    }
    const docs = await db.db.collection("alerts").find({ tenantId: "auth" }).toArray();
    expect(docs).toHaveLength(10);
    for (const doc of docs) {
      expect(doc.deliveryState).toBe("done");
      expect(doc.delivery[dest("auth")].status).toBe("parked");
    }
  });

  it("413: splits the batch until the SIEM accepts it", async () => {
    const alerts = await produce("big", 0, 30);
    await eventually(
      async () => (hec.big && hec.big.events.length >= 30 ? true : undefined),
      30_000,
      "30 events",
    );
    expect(new Set(alertIdsOf(hec.big?.events ?? []))).toEqual(new Set(alerts.map((a) => a.alertId)));
    expect(hec.big?.requests.filter((r) => r.status === 413).length).toBeGreaterThan(0);
    expect(await parked.count({ destinationId: dest("big") })).toBe(0);
  });

  it("429 with Retry-After: waits at least as long as asked, then delivers", async () => {
    hec.throttled?.injectFault(1, {
      kind: "reply",
      reply: { status: 429, headers: { "retry-after": "2" }, body: { text: "Too Many Requests", code: 429 } },
    });
    const alerts = await produce("throttled", 0, 3);
    await eventually(
      async () => (hec.throttled && hec.throttled.events.length >= 3 ? true : undefined),
      30_000,
      "3",
    );
    const reqs = hec.throttled?.requests ?? [];
    expect(reqs[0]?.status).toBe(429);
    const next = reqs.find((r, i) => i > 0 && r.status === 200);
    expect((next?.receivedAtMs ?? 0) - (reqs[0]?.receivedAtMs ?? 0)).toBeGreaterThanOrEqual(1_950);
    expect(new Set(alertIdsOf(hec.throttled?.events ?? []))).toEqual(new Set(alerts.map((a) => a.alertId)));
  });

  it("500: retries with backoff and delivers", async () => {
    hec.flaky?.injectFault(2, {
      kind: "reply",
      reply: { status: 500, body: { text: "Internal server error", code: 8 } },
    });
    await produce("flaky", 0, 3);
    await eventually(async () => (hec.flaky && hec.flaky.events.length >= 3 ? true : undefined), 30_000, "3");
    expect(hec.flaky?.requests.slice(0, 3).map((r) => r.status)).toEqual([500, 500, 200]);
    expect(await parked.count({ destinationId: dest("flaky") })).toBe(0);
  });

  it("timeouts: abandons a hanging request after timeoutMs and retries", async () => {
    hec.slow?.injectFault(1, { kind: "hang" });
    await produce("slow", 0, 3);
    await eventually(async () => (hec.slow && hec.slow.events.length >= 3 ? true : undefined), 30_000, "3");
    const reqs = hec.slow?.requests ?? [];
    expect(reqs[0]?.status).toBeUndefined();
    expect((reqs[1]?.receivedAtMs ?? 0) - (reqs[0]?.receivedAtMs ?? 0)).toBeGreaterThanOrEqual(950);
    expect(reqs[1]?.status).toBe(200);
  });

  it(
    `a destination down for ${DOWN_MS} ms while alerts flow: nothing lost, emails on failure and recovery, another tenant not stalled`,
    async () => {
      const down = hec.down as SplunkHecReceiver;
      const port = Number(new URL(down.url).port);
      await down.close();
      const produced: string[] = [];
      const healthyProducedAt = new Map<string, number>();
      const stopAt = Date.now() + DOWN_MS;
      for (let i = 0; Date.now() < stopAt; i++) {
        const [d] = await produce("down", i, 1);
        const at = Date.now();
        const [h] = await produce("healthy", i, 1);
        if (d) produced.push(d.alertId);
        if (h) healthyProducedAt.set(h.alertId, at);
        await new Promise((r) => setTimeout(r, 500));
      }
      // Failing email during the outage.
      await eventually(
        async () =>
          mailsFor(dest("down")).some((m) => /is failing/.test(m.headers.subject ?? "")) ? true : undefined,
        20_000,
        "failing email",
      );
      expect(await parked.count({ destinationId: dest("down") })).toBeGreaterThan(0);
      const back = await SplunkHecReceiver.start({ tokens: { [GOOD]: {} } }, port);
      hec.down = back;
      await eventually(
        async () => {
          const got = new Set(alertIdsOf(back.events));
          return produced.every((id) => got.has(id)) ? true : undefined;
        },
        60_000,
        `all ${produced.length} alerts of the down destination delivered after recovery`,
      );
      await eventually(
        async () => ((await parked.count({ destinationId: dest("down") })) === 0 ? true : undefined),
        20_000,
        "parked store drained",
      );
      await eventually(
        async () =>
          mailsFor(dest("down")).some((m) => /has recovered/.test(m.headers.subject ?? ""))
            ? true
            : undefined,
        20_000,
        "recovery email",
      );
      const downMails = mailsFor(dest("down"));
      expect(downMails).toHaveLength(2);
      expect(downMails.every((m) => m.headers["x-rcptto"] === DOWN_ADMINS[0])).toBe(true);
      // Every stored alert of the tenant ends delivered.
      const docs = await db.db.collection("alerts").find({ tenantId: "down" }).toArray();
      expect(docs).toHaveLength(produced.length);
      expect(docs.every((doc) => doc.delivery[dest("down")].status === "delivered")).toBe(true);
      // The healthy tenant kept flowing: at worst one retry budget of delay, once.
      await eventually(
        async () => ([...healthyProducedAt.keys()].every((id) => healthyArrivals.has(id)) ? true : undefined),
        20_000,
        "healthy tenant's alerts",
      );
      const latencies = [...healthyProducedAt]
        .map(([id, at]) => (healthyArrivals.get(id) ?? 0) - at)
        .sort((a, b) => a - b);
      const p50 = latencies[Math.floor(latencies.length / 2)] ?? 0;
      process.stderr.write(
        `down ${DOWN_MS} ms: ${produced.length} alerts redelivered, healthy tenant latency p50 ${p50} ms, max ${latencies.at(-1)} ms, duplicates at the recovered receiver ${back.events.length - new Set(alertIdsOf(back.events)).size}\n`,
      );
      expect(latencies.at(-1)).toBeLessThan(RETRY_BUDGET_MS + 4_000);
      expect(p50).toBeLessThan(2_000);
    },
    DOWN_MS + 150_000,
  );

  it("never prints a credential: not in logs during failing deliveries, not in emails", async () => {
    const output = sink.stderr() + sink.stdout();
    expect(output).toMatch(/delivery parked/);
    for (const secret of [BAD_HEC_TOKEN, BAD_CW_KEY, GOOD, KEY, "the-right-api-key"]) {
      expect(output).not.toContain(secret);
      for (const mail of smtp.messages()) expect(mail.raw).not.toContain(secret);
    }
  });

  it("stops cleanly on SIGTERM", async () => {
    expect(await sink.stop()).toBe(0);
  });

  it("replay command: redelivers a destination's parked alerts once its token is fixed", async () => {
    const destinations = new MongoDestinationStore(db.db);
    const box = new SecretBox({ currentKeyId: "k1", keys: { k1: Buffer.from(KEY, "base64") } });
    await putDestination(destinations, box, "auth", {
      kind: "splunk-hec",
      id: dest("auth"),
      url: hec.auth?.url,
      token: GOOD,
    });
    expect(await parked.count({ destinationId: dest("auth") })).toBe(10);
    const replay = spawn(
      process.execPath,
      [
        path.join(repoRoot, "services/alert-sink/dist/replay.js"),
        "--tenant",
        "auth",
        "--destination",
        dest("auth"),
      ],
      {
        env: {
          PATH: process.env.PATH ?? "",
          MONGODB_URI: infra.mongoUri,
          MONGODB_DB: dbName,
          CTWATCH_SECRET_KEYS: `k1:${KEY}`,
          CTWATCH_ALLOW_INSECURE_HTTP: "true",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    replay.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    replay.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const code = await new Promise<number | null>((r) => replay.once("exit", r));
    expect({ code, err }).toEqual({ code: 0, err: "" });
    expect(JSON.parse(out)).toMatchObject({
      destinationId: dest("auth"),
      delivered: 10,
      parked: 0,
      remaining: 0,
    });
    const accepted = hec.auth?.events ?? [];
    expect(new Set(alertIdsOf(accepted)).size).toBe(10);
    const docs = await db.db.collection("alerts").find({ tenantId: "auth" }).toArray();
    expect(docs.every((d) => d.delivery[dest("auth")].status === "delivered")).toBe(true);
    expect(out + err).not.toContain(GOOD);
  });
});
