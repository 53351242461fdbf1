// Service-level lookalike throughput: certificate entries/s through the real
// lookalike-detector process (built dist) consuming from local Kafka, with the watch list
// in the local MongoDB-wire server. Not a unit benchmark: it includes Kafka fetch, protobuf
// decode, matching every SAN, alert encoding and publishing, and offset commits.
//
//   pnpm build && bash scripts/infra/up.sh && scripts/lookalike-quality.sh bench   # corpora
//   set -a; . .infra/env; set +a; node bench/lookalike/service-throughput.mjs
//
// Env: LOOKALIKE_SERVICE_ENTRIES (default 50000), LOOKALIKE_SERVICE_BRANDS (default 10000),
// LOOKALIKE_SERVICE_SANS (names per certificate, default 4).
// Topics, consumer group and database are unique per run and removed at the end.
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { join } from "node:path";
import { hashOrder, loadCtNames, loadTranco, REPO, rng } from "./data.mjs";

const pkg = (name) => import(join(REPO, "packages", name, "dist", "index.js"));
const { parseWatchedDomain } = await pkg("detect-lookalike");
const kafkaLib = await pkg("kafka");
const { connectDatabase } = await pkg("store");
const { silentLogger } = await pkg("runtime");
const proto = await pkg("proto");
const { create, toBinary } = await import(
  join(REPO, "packages", "proto", "node_modules", "@bufbuild", "protobuf", "dist", "esm", "index.js")
);

const ENTRIES = Number(process.env.LOOKALIKE_SERVICE_ENTRIES ?? 50000);
const BRANDS = Number(process.env.LOOKALIKE_SERVICE_BRANDS ?? 10000);
const SANS = Number(process.env.LOOKALIKE_SERVICE_SANS ?? 4);
const brokers = (process.env.KAFKA_BROKERS ?? "").split(",").filter(Boolean);
const mongoUri = process.env.MONGODB_URI;
if (brokers.length === 0 || !mongoUri) {
  console.error("KAFKA_BROKERS and MONGODB_URI must be set (. .infra/env after scripts/infra/up.sh)");
  process.exit(2);
}

const run = `bench-lookalike-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
const tranco = loadTranco();
const ct = loadCtNames();

// Brands: a seeded sample of Tranco registrable domains, 10 per tenant.
const brands = [];
for (const d of hashOrder(tranco, "service-brands")) {
  if (brands.length >= BRANDS) break;
  const r = parseWatchedDomain(d);
  if (r.ok && r.value.domain === d) brands.push(r.value);
}

// Entries: certificates of SANS names each, names as in throughput.mjs (CT SANs, subdomains
// of real sites, registrable domains, 2% typos of watched brands).
const rand = rng(11);
const subs = ["www", "mail", "api", "cdn", "portal", "login", "dev", "staging", "app", "vpn", "*"];
function name() {
  const r = rand();
  if (r < 0.3) return ct[Math.floor(rand() * ct.length)];
  if (r < 0.7)
    return `${subs[Math.floor(rand() * subs.length)]}.${tranco[Math.floor(rand() * tranco.length)]}`;
  if (r < 0.98) return tranco[Math.floor(rand() * tranco.length)];
  const b = brands[Math.floor(rand() * brands.length)];
  const k = Math.floor(rand() * b.label.length);
  return `${b.label.slice(0, k)}${b.label.slice(k + 1)}x.${b.suffix}`;
}

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function metric(port, metricName, labels = "") {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(metricName) || !/[ {]/.test(line[metricName.length] ?? "")) continue;
    if (labels && !line.includes(labels)) continue;
    sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

const db = await connectDatabase({ uri: mongoUri, dbName: run });
const kafka = kafkaLib.createKafka({ brokers, clientId: "bench-lookalike", logger: silentLogger });
const topics = kafkaLib.topicNames(run);
let child;
try {
  // Watch list written directly (one insertMany, one revision) rather than 10k add() calls.
  await db.db.collection("watch_items").insertMany(
    brands.map((b, i) => ({
      tenantId: `tenant-${i % Math.max(1, BRANDS / 10)}`,
      kind: "brand",
      value: b.domain,
      createdAtMs: 0,
    })),
  );
  await db.db
    .collection("meta")
    .updateOne({ _id: "watchlist-revision" }, { $inc: { value: 1 } }, { upsert: true });

  await kafkaLib.prepareTopics(kafka, kafkaLib.defaultTopics(topics));
  const producer = await kafkaLib.createProducer(kafka);
  const tProduce = performance.now();
  for (let i = 0; i < ENTRIES; i += 1000) {
    const records = [];
    for (let j = i; j < Math.min(ENTRIES, i + 1000); j++) {
      const names = Array.from({ length: SANS }, name);
      const issuanceKey = createHash("sha256").update(`${run}/${j}`).digest();
      const entry = create(proto.CertificateEntrySchema, {
        position: { logId: new Uint8Array(32), leafIndex: BigInt(j) },
        entryType: proto.EntryType.X509,
        issuanceKey,
        certificate: { dnsNames: names, subjectCn: names[0] ?? "", sha256: issuanceKey, serialHex: "01" },
      });
      records.push({
        key: issuanceKey.toString("hex"),
        value: toBinary(proto.CertificateEntrySchema, entry),
      });
    }
    await producer.send(topics.entries, records);
  }
  await producer.stop();
  const produceS = (performance.now() - tProduce) / 1000;

  const port = await freePort();
  child = spawn(process.execPath, [join(REPO, "services", "lookalike-detector", "dist", "main.js")], {
    env: {
      PATH: process.env.PATH ?? "",
      KAFKA_BROKERS: brokers.join(","),
      MONGODB_URI: mongoUri,
      MONGODB_DB: run,
      CTWATCH_TOPIC_PREFIX: run,
      CTWATCH_GROUP_PREFIX: run,
      CTWATCH_HEALTH_PORT: String(port),
      CTWATCH_LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  // Time from the first consumed entry to the last (startup and group join excluded).
  let first;
  let done = 0;
  const deadline = Date.now() + 15 * 60_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, first === undefined ? 100 : 250));
    done = await metric(port, "ctwatch_consumer_records_total", 'outcome="ok"').catch(() => 0);
    if (done > 0 && first === undefined) first = { t: performance.now(), n: done };
    if (done >= ENTRIES) break;
  }
  const end = performance.now();
  const names = await metric(port, "ctwatch_lookalike_names_total");
  const matchS = await metric(port, "ctwatch_lookalike_match_seconds_total");
  const alerts = await metric(port, "ctwatch_alerts_emitted_total");
  const buildS = await metric(port, "ctwatch_lookalike_index_build_seconds");
  const seconds = (end - first.t) / 1000;
  const entries = done - first.n;
  console.log(
    `Lookalike detector service — node ${process.version}, ${BRANDS} brands, ${ENTRIES} entries x ${SANS} names, local Kafka (12 partitions) + ${process.env.CTWATCH_MONGO_IMPL ?? "MongoDB-wire server"}`,
  );
  console.log(
    "| entries | names | alerts | index build | entries/s | names/s | names/s in match (per core) |",
  );
  console.log("|---:|---:|---:|---:|---:|---:|---:|");
  console.log(
    `| ${done} | ${names} | ${alerts} | ${buildS.toFixed(2)} s | ${Math.round(entries / seconds).toLocaleString("en-US")} | ${Math.round((entries * (names / done)) / seconds).toLocaleString("en-US")} | ${Math.round(names / matchS).toLocaleString("en-US")} |`,
  );
  console.log(
    `(produced in ${produceS.toFixed(1)} s; measured over ${entries} entries after the first batch)`,
  );
} finally {
  if (child && child.exitCode === null) {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
  await db.db.dropDatabase().catch(() => {});
  await db.close();
  const admin = kafka.admin();
  await admin.connect();
  const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${run}.`));
  if (mine.length > 0) await admin.deleteTopics({ topics: mine }).catch(() => {});
  await admin.disconnect();
}
