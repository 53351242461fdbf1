// Alert-sink delivery benchmark: alerts/s delivered per destination type (batched), and
// latency from "alert produced to Kafka" to "SIEM receiver acknowledged" (p50/p99), with
// the real sink process (services/alert-sink/dist), real Kafka and MongoDB-wire server,
// and the strict local receivers of @ctwatch/siem-testkit. Not a test: a command.
//
//   pnpm build && bash scripts/infra/up.sh && node bench/sink/sink-bench.mjs
//
// Env: SINK_BENCH_ALERTS (burst size per destination type, default 1000),
// SINK_BENCH_RATE (alerts/s of the latency phase, default 5), SINK_BENCH_SECONDS
// (length of the latency phase, default 10), SINK_BENCH_KINDS (comma list, default all four),
// SINK_BENCH_BASELINE_ALERTS (burst of the baseline, default 300; 0 skips it).
//
// Baseline in the same run: each kind also gets a destination with maxEvents 1 (one
// request per alert, what an unbatched sink does) on its own tenant; its burst is
// measured the same way. Both share the sink's store writes (MongoDB or FerretDB), which
// bound alerts/s on FerretDB's SQLite backend: the table says what the SIEM side costs.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const dist = (p) => path.join(root, p, "dist/index.js");
const { create, toBinary } = await import(
  createRequire(dist("packages/store")).resolve("@bufbuild/protobuf")
);
const proto = await import(dist("packages/proto"));
const { eventDefinition } = await import(dist("packages/events"));
const siem = await import(dist("packages/siem"));
const kit = await import(dist("packages/siem-testkit"));
const store = await import(dist("packages/store"));
const { Kafka, logLevel } = createRequire(dist("packages/kafka"))("kafkajs");

const env = Object.fromEntries(
  readFileSync(path.join(root, ".infra/env"), "utf8")
    .split("\n")
    .map((l) => /^([A-Z_]+)=(.*)$/.exec(l.trim()))
    .filter(Boolean)
    .map((m) => [m[1], m[2]]),
);
const BURST = Number(process.env.SINK_BENCH_ALERTS ?? 1000);
const BASELINE = Number(process.env.SINK_BENCH_BASELINE_ALERTS ?? 300);
const RATE = Number(process.env.SINK_BENCH_RATE ?? 5);
const SECONDS = Number(process.env.SINK_BENCH_SECONDS ?? 10);
const KINDS = (
  process.env.SINK_BENCH_KINDS ?? "splunk-hec,cloudwatch-logs,sentinel-logs-ingestion,sentinel-data-collector"
).split(",");
const prefix = `bench-${Date.now().toString(36)}`;
const KEY = Buffer.alloc(32, 11);
const box = new siem.SecretBox({ currentKeyId: "k1", keys: { k1: KEY } });

// ---- receivers and destination configs, one tenant per kind
const WS = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
const WS_KEY = Buffer.alloc(64, 3).toString("base64");
const DCR = `dcr-${"ab".repeat(16)}`;
async function receiverFor(kind) {
  switch (kind) {
    case "splunk-hec": {
      const r = await kit.SplunkHecReceiver.start({
        tokens: { "bench-token": {} },
        maxRecordedRequests: 100_000,
      });
      return { r, config: { url: r.url, token: "bench-token" } };
    }
    case "cloudwatch-logs": {
      const r = await kit.CloudWatchLogsReceiver.start({
        region: "us-east-1",
        apiKeys: ["bench-api-key"],
        logGroups: { "/ctwatch/alerts": { streams: ["soc"] } },
        maxRecordedRequests: 100_000,
      });
      return {
        r,
        config: {
          region: "us-east-1",
          logGroup: "/ctwatch/alerts",
          logStream: "soc",
          endpoint: r.url,
          auth: { type: "api-key", apiKey: "bench-api-key" },
        },
      };
    }
    case "sentinel-logs-ingestion": {
      const r = await kit.SentinelLogsIngestionReceiver.start({
        tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
        clients: { "11111111-2222-3333-4444-555555555555": "bench-client-secret" },
        dcrs: {
          [DCR]: {
            streamDeclarations: siem.sentinelStreamDeclaration(),
            transformKql: siem.sentinelTransformKql(),
            outputStream: "Custom-EZMonitor_Alerts_CL",
            publishers: ["11111111-2222-3333-4444-555555555555"],
          },
        },
        maxRecordedRequests: 100_000,
      });
      return {
        r,
        config: {
          tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
          clientId: "11111111-2222-3333-4444-555555555555",
          clientSecret: "bench-client-secret",
          endpoint: r.url,
          authorityHost: r.url,
          dcrImmutableId: DCR,
        },
      };
    }
    case "sentinel-data-collector": {
      const r = await kit.SentinelDataCollectorReceiver.start({
        workspaceId: WS,
        sharedKey: WS_KEY,
        maxRecordedRequests: 100_000,
      });
      return { r, config: { workspaceId: WS, workspaceKey: WS_KEY, endpoint: r.url } };
    }
  }
  throw new Error(`unknown kind ${kind}`);
}

function alert(tenant, i) {
  const def = eventDefinition(25);
  const now = Date.now();
  const name = `host-${i}.${tenant}.example.com`;
  return create(proto.AlertSchema, {
    alertId: `${tenant}-${i}-${randomUUID().slice(0, 8)}`,
    dedupKey: `25|${name}`,
    tenantId: tenant,
    eventId: 25,
    summary: def.summary,
    description: def.description,
    severity: def.defaultSeverity,
    subjectDomain: name,
    watchItem: create(proto.WatchItemSchema, {
      kind: proto.WatchItem_Kind.OWNED_DOMAIN,
      value: `${tenant}.example.com`,
    }),
    certificate: create(proto.CertificateRefSchema, {
      sha256: new Uint8Array(32).fill(i % 256),
      precertificate: true,
      positions: [
        create(proto.LogPositionSchema, {
          logId: new Uint8Array(32).fill(1),
          logUrl: "https://ct.example.net/2026h2/",
          leafIndex: BigInt(i),
        }),
      ],
      dnsNames: [name],
      subjectCn: name,
      issuerDn: "CN=R11,O=Let's Encrypt,C=US",
      serialHex: "4a1b2c3d4e5f",
      notBeforeMs: BigInt(now - 3_600_000),
      notAfterMs: BigInt(now + 90 * 86_400_000),
      loggedAtMs: BigInt(now - 60_000),
    }),
    detector: "new-subdomain/1",
    detectedAtMs: BigInt(now),
  });
}

/** Alert IDs a request carried, and when the receiver got it (it answers at once). */
function acked(r) {
  const out = new Map();
  for (const q of r.requests) {
    if (q.status !== 200 && q.status !== 204) continue;
    let body = q.body;
    if ((q.headers["content-encoding"] ?? "").includes("gzip")) body = gunzipSync(body);
    for (const m of body.toString("utf8").matchAll(/"AlertId"\s*:\s*"([^"]+)"/g)) {
      if (!out.has(m[1])) out.set(m[1], q.receivedAtMs);
    }
  }
  return out;
}

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const brokers = env.KAFKA_BROKERS.split(",");
const kafka = new Kafka({ clientId: "sink-bench", brokers, logLevel: logLevel.NOTHING });
const producer = kafka.producer({ allowAutoTopicCreation: false });
const db = await store.connectDatabase({ uri: env.MONGODB_URI, dbName: prefix });
const destinations = new store.MongoDestinationStore(db.db);
await destinations.init();
const receivers = new Map();
const siemConfigs = new Map();
for (const kind of KINDS) {
  const { r, config } = await receiverFor(kind);
  receivers.set(kind, r);
  siemConfigs.set(kind, { config });
  for (const [tenantId, extra] of [
    [`t-${kind}`, {}],
    [`t-${kind}-b1`, { maxEvents: 1 }],
  ]) {
    const id = `${prefix}-${tenantId}`;
    const sealed = siem.sealDestinationConfig({ kind, id, ...config, ...extra }, box, {
      allowInsecureHttp: true,
    });
    await destinations.put({ tenantId, id, enabled: true, config: sealed, updatedAtMs: Date.now() });
  }
}
const sink = spawn(process.execPath, [path.join(root, "services/alert-sink/dist/main.js")], {
  env: {
    PATH: process.env.PATH,
    KAFKA_BROKERS: env.KAFKA_BROKERS,
    MONGODB_URI: env.MONGODB_URI,
    MONGODB_DB: prefix,
    CTWATCH_TOPIC_PREFIX: prefix,
    CTWATCH_GROUP_PREFIX: prefix,
    CTWATCH_SECRET_KEYS: `k1:${KEY.toString("base64")}`,
    CTWATCH_ALLOW_INSECURE_HTTP: "true",
    CTWATCH_LOG_LEVEL: "warn",
  },
  stdio: ["ignore", "ignore", "pipe"],
});
let sinkErr = "";
sink.stderr.on("data", (d) => {
  sinkErr += d;
});
const topic = `${prefix}.alerts.v1`;
// The sink creates the topics; wait until it has joined its group (it logs nothing at warn, so poll the topic).
const admin = kafka.admin();
await admin.connect();
for (let i = 0; ; i++) {
  if ((await admin.listTopics()).includes(topic)) break;
  if (i > 300) throw new Error(`sink did not create ${topic}:\n${sinkErr}`);
  await new Promise((r) => setTimeout(r, 100));
}
await producer.connect();
const send = (alerts) =>
  producer.send({
    topic,
    acks: -1,
    messages: alerts.map((a) => ({
      key: `${a.tenantId}/${a.dedupKey}`,
      value: Buffer.from(toBinary(proto.AlertSchema, a)),
    })),
  });
// Warm-up: the consumer group join and first fetches.
for (const kind of KINDS) await send([alert(`t-${kind}`, 1e9)]);
await new Promise((r) => setTimeout(r, 8000));

/** Produces `count` alerts for `tenant` at once; resolves with alerts/s and requests used. */
async function burstOf(kind, tenant, count) {
  const r = receivers.get(kind);
  const burst = Array.from({ length: count }, (_, i) => alert(tenant, i));
  const before = r.requests.length;
  const t0 = Date.now();
  for (let i = 0; i < burst.length; i += 1000) await send(burst.slice(i, i + 1000));
  let got;
  for (;;) {
    got = acked(r);
    if (burst.every((a) => got.has(a.alertId))) break;
    if (Date.now() - t0 > 300_000)
      throw new Error(
        `${kind}: only ${burst.filter((a) => got.has(a.alertId)).length} of ${count} after 300 s\n${sinkErr.slice(-3000)}`,
      );
    await new Promise((res) => setTimeout(res, 50));
  }
  const t1 = Math.max(...burst.map((a) => got.get(a.alertId)));
  // The SIEM acknowledges before the sink records it: wait until the store caught up,
  // so the next phase does not queue behind this burst's bookkeeping.
  const alertsColl = db.db.collection("alerts");
  while ((await alertsColl.countDocuments({ tenantId: tenant, deliveryState: "done" })) < count) {
    await new Promise((res) => setTimeout(res, 250));
  }
  return { alertsPerSecond: Math.round(count / ((t1 - t0) / 1000)), requests: r.requests.length - before };
}

// Phase 0, without Kafka or the store: the adapters alone (Deliverer -> receiver), batched
// vs maxEvents 1, ADAPTER_ALERTS alerts per kind. What the SIEM side costs per alert.
const ADAPTER_ALERTS = Number(process.env.SINK_BENCH_ADAPTER_ALERTS ?? 3000);
const quiet = siem.noopLogger;
const adapterRows = [];
for (const kind of KINDS) {
  const row = { kind, alerts: ADAPTER_ALERTS };
  for (const [label, extra] of [
    ["batched", {}],
    ["maxEvents=1", { maxEvents: 1 }],
  ]) {
    const { config } = siemConfigs.get(kind);
    const destination = siem.createDestination(
      siem.sealDestinationConfig({ kind, id: `adapter-${kind}`, ...config, ...extra }, box, {
        allowInsecureHttp: true,
      }),
      { secretBox: box, logger: quiet, allowInsecureHttp: true },
    );
    const deliverer = new siem.Deliverer({ logger: quiet });
    const alerts = Array.from({ length: ADAPTER_ALERTS }, (_, i) => alert(`adapter-${kind}`, i));
    const t0 = performance.now();
    const outcome = (await deliverer.deliver(alerts, [destination], new AbortController().signal)).get(
      destination.id,
    );
    const ms = performance.now() - t0;
    if (outcome?.status !== "delivered") throw new Error(`${kind} ${label}: ${JSON.stringify(outcome)}`);
    row[`${label} alerts/s`] = Math.round(ADAPTER_ALERTS / (ms / 1000));
    row[`${label} requests`] = outcome.attempts;
  }
  adapterRows.push(row);
  console.error(JSON.stringify(row));
}
console.table(adapterRows);

const rows = [];
for (const kind of KINDS) {
  const r = receivers.get(kind);
  const tenant = `t-${kind}`;
  // Baseline: maxEvents 1, one request per alert.
  const base = BASELINE > 0 ? await burstOf(kind, `${tenant}-b1`, BASELINE) : undefined;
  // Phase 1: a burst of BURST alerts (produced as fast as Kafka takes them).
  const { alertsPerSecond, requests } = await burstOf(kind, tenant, BURST);
  let got;
  // Phase 2: a steady RATE alerts/s for SECONDS; latency produce -> acknowledged.
  const steady = [];
  const producedAt = new Map();
  const start = Date.now();
  for (let _tick = 0; Date.now() - start < SECONDS * 1000; _tick++) {
    const due = Math.floor(((Date.now() - start) / 1000) * RATE) - steady.length;
    if (due > 0) {
      const batch = Array.from({ length: due }, (_, i) => alert(tenant, 1e6 + steady.length + i));
      steady.push(...batch);
      const at = Date.now();
      await send(batch);
      for (const a of batch) producedAt.set(a.alertId, at);
    }
    await new Promise((res) => setTimeout(res, 20));
  }
  const deadline = Date.now() + 60_000;
  for (;;) {
    got = acked(r);
    if (steady.every((a) => got.has(a.alertId)) || Date.now() > deadline) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  const lat = steady
    .filter((a) => got.has(a.alertId))
    .map((a) => got.get(a.alertId) - producedAt.get(a.alertId))
    .sort((a, b) => a - b);
  rows.push({
    kind,
    burst: BURST,
    "alerts/s": alertsPerSecond,
    "alerts/s maxEvents=1": base?.alertsPerSecond ?? "-",
    "HEC/API requests": requests,
    "events/request": +(BURST / requests).toFixed(1),
    "steady rate/s": RATE,
    "p50 ms": pct(lat, 50),
    "p99 ms": pct(lat, 99),
    "max ms": lat.at(-1),
    lost: steady.length - lat.length,
  });
  console.error(JSON.stringify(rows.at(-1)));
}
console.table(rows);

sink.kill("SIGTERM");
await new Promise((r) => sink.once("exit", r));
await producer.disconnect();
try {
  await admin.deleteTopics({ topics: (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`)) });
} catch {}
await admin.disconnect();
await db.db.dropDatabase();
await db.close();
for (const r of receivers.values()) await r.close();
