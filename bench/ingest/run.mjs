// Ingestion benchmark (a command, not a test). Needs `pnpm build`; the Kafka and end-to-end parts
// need the local servers (`bash scripts/infra/up.sh`).
//
//   node bench/ingest/run.mjs [--entries 1048576] [--parts parse,kafka,local,e2e] [--profile]
//                             [--compressions none,gzip] [--semi-space 64]
//
// parse   one core, in this process: baselines (Node's X509Certificate; split + leaf hash) and the
//         tailer's CPU path (parse, + Merkle verification, + protobuf encoding, + gunzip)
// kafka   the publish ceiling: pre-encoded entries through an idempotent producer (acks=all) with
//         each compression codec (none, gzip, zstd via node:zlib; lz4/snappy when installed)
// local   tail + verify + parse + encode in process against the local log, no Kafka/MongoDB
// e2e     the real ct-tailer process: local static-ct-api log of `--entries` replayed real
//         certificates (gzip tiles, separate process) -> verify -> parse -> Kafka (12 partitions)
//         -> checkpoints in MongoDB; --profile adds `node --cpu-prof` and a breakdown
//
// Results are printed and written to .bench/ingest/results-<time>.json.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import {
  gunzip,
  gunzipSync,
  gzip,
  gzipSync,
  zstdCompress,
  zstdCompressSync,
  zstdDecompress,
} from "node:zlib";
import { CACHE, ct, kafkaPkg, proto, ROOT, requireFrom, runtime, tileSetInfo } from "./lib.mjs";

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined && !args[i + 1].startsWith("--") ? args[i + 1] : def;
};
const ENTRIES = Number(opt("entries", "1048576"));
const PARTS = opt("parts", "parse,kafka,local,e2e").split(",");
const PROFILE = args.includes("--profile");
const COMPRESSIONS = opt("compressions", "none,gzip").split(",");
// Young-generation semi-space of the tailer process, MiB (V8's --max-semi-space-size); default V8's.
const SEMI_SPACE = opt("semi-space", "");
const NODE_FLAGS = SEMI_SPACE ? `--max-semi-space-size=${Number(SEMI_SPACE)}` : "";
const env = { ...readInfraEnv(), ...process.env };
const results = { node: process.version, cpus: (await import("node:os")).cpus().length, entries: ENTRIES };
const say = (s) => process.stdout.write(`${s}\n`);
const fmt = (n) => Math.round(n).toLocaleString("en-US");

function readInfraEnv() {
  const p = path.join(ROOT, ".infra/env");
  if (!existsSync(p)) return {};
  const out = {};
  for (const line of readFileSync(p, "utf8").split("\n")) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

const tailerDist = (f) => import(path.join(ROOT, "services/ct-tailer/dist", f));
const { toEntryMessage } = await tailerDist("entry-message.js");
const codec = kafkaPkg.protoCodec(proto.CertificateEntrySchema);

// ---------------------------------------------------------------- parse (one core)
const navigliTiles = ["000", "001", "002", "003"].map(
  (t) => new Uint8Array(readFileSync(path.join(ROOT, "test/fixtures/ct/navigli2025h2/tile/data", t))),
);
const gzTiles = navigliTiles.map((t) => new Uint8Array(gzipSync(t)));
const perRound = 1024;

function timeIt(name, rounds, fn) {
  fn(); // warm-up
  const t0 = performance.now();
  let sink = 0;
  for (let r = 0; r < rounds; r++) sink += fn();
  const s = (performance.now() - t0) / 1000;
  const rate = (rounds * perRound) / s;
  say(`  ${name.padEnd(60)} ${fmt(rate).padStart(9)} entries/s`);
  return { name, entriesPerSecond: Math.round(rate), sink };
}

function parsePart() {
  say("\n== parse + verify, one core (1,024 real Navigli precertificates, replayed)");
  const { X509Certificate } = requireFrom("packages/ct")("node:crypto");
  const leaves = navigliTiles.flatMap((t, i) => ct.splitDataTile(t, { tileIndex: i }));
  const ders = leaves.map((l) => Buffer.from(l.preCertificate));
  const meta = { logId: new Uint8Array(32), url: "https://bench/" };
  const R = 40;
  const rows = [];
  rows.push(
    timeIt("baseline: Node X509Certificate (subject, issuer, SAN, serial, SHA-256)", R, () => {
      let n = 0;
      for (const d of ders) {
        const x = new X509Certificate(d);
        n += (x.subject ?? "").length + (x.issuer ?? "").length + (x.subjectAltName ?? "").length;
        n += x.serialNumber.length;
        n += x.fingerprint256.length;
      }
      return n;
    }),
  );
  rows.push(
    timeIt("baseline: tile split + leaf hash only", R, () => {
      let n = 0;
      navigliTiles.forEach((t, i) => {
        n += ct.splitDataTile(t, { tileIndex: i }).length;
      });
      return n;
    }),
  );
  rows.push(
    timeIt("parse (split, leaf hash, X.509 fields, issuance key)", R, () => {
      let n = 0;
      navigliTiles.forEach((t, i) => {
        for (const l of ct.splitDataTile(t, { tileIndex: i }))
          n += ct.tileLeafToLogEntry(l).certificate.dnsNames.length;
      });
      return n;
    }),
  );
  const root = (() => {
    const tr = new ct.MerkleCollapsedTree();
    for (const l of leaves) tr.append(l.leafHash);
    return tr.root();
  })();
  const verifyParse = (encode, tiles, gunzip) => () => {
    let n = 0;
    const tr = new ct.MerkleCollapsedTree();
    tiles.forEach((raw, i) => {
      const t = gunzip ? new Uint8Array(gunzipSync(raw)) : raw;
      for (const l of ct.splitDataTile(t, { tileIndex: i })) {
        tr.append(l.leafHash);
        const e = ct.tileLeafToLogEntry(l);
        n += encode ? codec.encode(toEntryMessage(e, meta, 0)).length : e.certificate.dnsNames.length;
      }
    });
    if (Buffer.compare(tr.root(), root) !== 0) throw new Error("root mismatch");
    return n;
  };
  rows.push(timeIt("parse + verify (Merkle append, root check)", R, verifyParse(false, navigliTiles, false)));
  rows.push(
    timeIt(
      "parse + verify + protobuf encode (the tailer's CPU path)",
      R,
      verifyParse(true, navigliTiles, false),
    ),
  );
  rows.push(
    timeIt("  ... + gunzip of the tile (sync, here on the same core)", R, verifyParse(true, gzTiles, true)),
  );
  results.parse = rows;
}

// ---------------------------------------------------------------- helpers for Kafka / e2e
const kafkajs = requireFrom("packages/kafka")("kafkajs");
const { MongoClient } = requireFrom("packages/store")("mongodb");
const brokers = (env.KAFKA_BROKERS ?? "").split(",").filter(Boolean);

function needInfra() {
  if (brokers.length === 0 || !env.MONGODB_URI) {
    say("   (skipped: KAFKA_BROKERS / MONGODB_URI not set; run bash scripts/infra/up.sh)");
    return false;
  }
  return true;
}

async function encodedSample(count) {
  const leaves = navigliTiles.flatMap((t, i) => ct.splitDataTile(t, { tileIndex: i }));
  const meta = { logId: new Uint8Array(32), url: "https://bench/" };
  const out = [];
  for (let i = 0; i < count; i++) {
    const e = ct.tileLeafToLogEntry(leaves[i % leaves.length]);
    const key = new Uint8Array(e.issuanceKey);
    key[0] ^= i & 0xff; // spread keys over partitions like distinct issuances
    key[1] ^= (i >> 8) & 0xff;
    out.push({
      key: Buffer.from(key),
      value: Buffer.from(codec.encode(toEntryMessage({ ...e, leafIndex: i }, meta, 0))),
    });
  }
  return out;
}

function chunks(records, maxBytes) {
  const out = [];
  let cur = [];
  let bytes = 0;
  for (const r of records) {
    if (cur.length > 0 && bytes + r.value.length > maxBytes) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(r);
    bytes += r.value.length;
  }
  if (cur.length) out.push(cur);
  return out;
}

function registerZstd() {
  const { CompressionTypes, CompressionCodecs } = kafkajs;
  const c = promisify(zstdCompress);
  const d = promisify(zstdDecompress);
  CompressionCodecs[CompressionTypes.ZSTD] = () => ({
    compress: async (encoder) => c(encoder.buffer),
    decompress: async (buffer) => d(buffer),
  });
}

function tryRegister(name, type, factory) {
  try {
    const mod = requireFrom("packages/kafka")(name);
    kafkajs.CompressionCodecs[kafkajs.CompressionTypes[type]] = factory(mod);
    return true;
  } catch {
    return false;
  }
}

async function kafkaPart() {
  say(
    "\n== Kafka publish ceiling (pre-encoded entries, idempotent producer, acks=all, 12 partitions, 4 MiB sends)",
  );
  if (!needInfra()) return;
  registerZstd();
  const extra = {
    lz4: tryRegister("kafkajs-lz4", "LZ4", (m) => new (m.default ?? m)().codec),
    snappy: tryRegister("kafkajs-snappy", "Snappy", (m) => m.default ?? m),
  };
  const count = Math.min(ENTRIES, 131_072);
  const recs = await encodedSample(count);
  const totalBytes = recs.reduce((n, r) => n + r.value.length, 0);
  const sample = Buffer.concat(recs.slice(0, 2048).map((r) => r.value));
  const ratio = {
    gzip: sample.length / gzipSync(sample).length,
    zstd: sample.length / zstdCompressSync(sample).length,
  };
  say(
    `   ${fmt(count)} records, ${(totalBytes / count).toFixed(0)} B each on average; compression ratio of a 2,048-record batch: gzip ${ratio.gzip.toFixed(2)}x, zstd ${ratio.zstd.toFixed(2)}x`,
  );
  const rows = [];
  const variants = [
    ["none", kafkajs.CompressionTypes.None],
    ["gzip", kafkajs.CompressionTypes.GZIP],
    ["zstd (node:zlib codec)", kafkajs.CompressionTypes.ZSTD],
    ...(extra.lz4 ? [["lz4 (kafkajs-lz4)", kafkajs.CompressionTypes.LZ4]] : []),
    ...(extra.snappy ? [["snappy (kafkajs-snappy)", kafkajs.CompressionTypes.Snappy]] : []),
  ];
  if (!extra.lz4 || !extra.snappy)
    say(
      "   (lz4/snappy codecs not installed: kafkajs-lz4 needs a native lz4 binding; kafkajs-snappy is pure JS but unmaintained)",
    );
  // Last: kafkajs's GZIP codec replaced (process-wide) by node:zlib with 1 MiB chunks (kafkajs's
  // default 16 KiB chunks cost one main-thread callback each), at level 6 and at level 1. Plain
  // gzip on the wire: every consumer reads it unchanged.
  const gzipWith = (zopts) => () => {
    const gz = promisify(gzip);
    const gunz = promisify(gunzip);
    kafkajs.CompressionCodecs[kafkajs.CompressionTypes.GZIP] = () => ({
      compress: async (encoder) => gz(encoder.buffer, { chunkSize: 1 << 20, ...zopts }),
      decompress: async (buffer) => gunz(buffer),
    });
  };
  variants.push(
    ["gzip, 1 MiB chunks", kafkajs.CompressionTypes.GZIP, gzipWith({})],
    ["gzip level 1, 1 MiB chunks", kafkajs.CompressionTypes.GZIP, gzipWith({ level: 1 })],
  );
  for (const [name, type, setup] of variants) {
    setup?.();
    const prefix = `bench-${randomBytes(3).toString("hex")}`;
    const kafka = new kafkajs.Kafka({ clientId: "bench", brokers, logLevel: kafkajs.logLevel.NOTHING });
    const topic = `${prefix}.ct-entries.v1`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: 12, replicationFactor: 1 }],
    });
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const c of chunks(recs, 4 << 20)) {
      await producer.send({ topic, acks: -1, compression: type, messages: c });
    }
    const s = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
    const row = {
      codec: name,
      entriesPerSecond: Math.round(count / s),
      mbPerSecond: +(totalBytes / s / 2 ** 20).toFixed(1),
      producerCpuMsPerThousand: +(((cpu.user + cpu.system) / 1000 / count) * 1000).toFixed(1),
    };
    rows.push(row);
    say(
      `   ${name.padEnd(26)} ${fmt(row.entriesPerSecond).padStart(8)} entries/s  ${String(row.mbPerSecond).padStart(6)} MiB/s  producer CPU ${row.producerCpuMsPerThousand} ms per 1,000`,
    );
  }
  results.kafka = { records: count, ratio, rows };
}

async function startLogServer() {
  const child = spawn(process.execPath, [path.join(ROOT, "bench/ingest/log-server.mjs"), String(ENTRIES)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise((resolve, reject) => {
    let buf = "";
    child.stdout.on("data", (d) => {
      buf += d;
      const i = buf.indexOf("\n");
      if (i >= 0) resolve(buf.slice(0, i));
    });
    child.once("exit", (c) => reject(new Error(`log server exited ${c}`)));
  });
  return { child, ...JSON.parse(line) };
}

function cpuSeconds(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return undefined;
  }
}

function kafkaPid() {
  try {
    return Number(readFileSync(path.join(ROOT, ".infra/kafka/kafka.pid"), "utf8").trim());
  } catch {
    return undefined;
  }
}

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

async function localPart(log) {
  say(
    "\n== tail + verify + parse + encode in process, no Kafka or MongoDB (the tailer's ceiling on this log)",
  );
  const { LogTailer } = await tailerDist("log-tailer.js");
  const { StaticLogSource } = await tailerDist("static-log-source.js");
  const client = await import(path.join(ROOT, "packages/ct-client/dist/index.js"));
  const metrics = new runtime.MetricsRegistry();
  const key = ct.ctLogKey(log.key);
  const http = new client.HttpFetcher({
    logLabel: "bench",
    metrics,
    requestsPerSecond: 10_000,
    maxConcurrency: 8,
  });
  const source = new StaticLogSource(
    { url: log.url, key, origin: log.origin, partialTileMinAgeMs: 0, tilesPerBatch: 16 },
    {
      client: new client.StaticCtClient(log.url, http),
      issuers: new client.IssuerCache(),
      logger: runtime.silentLogger,
      metrics,
    },
  );
  let published = 0;
  const docs = new Map();
  const tailer = new LogTailer(
    {
      checkpointKey: "bench",
      logId: key.logId,
      url: log.url,
      name: "bench",
      start: { kind: "index", index: 0 },
      pollIntervalMs: 100,
    },
    {
      source,
      producer: {
        name: "null",
        send: async (_t, r) => {
          published += r.length;
        },
        stop: async () => {},
      },
      topics: kafkaPkg.topicNames("bench"),
      codec,
      checkpoints: { load: async (k) => docs.get(k), save: async (c) => void docs.set(c.logId, c) },
      reporter: { report: async () => {} },
      logger: runtime.silentLogger,
      metrics,
    },
  );
  const ac = new AbortController();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const done = tailer.run(ac.signal);
  while ((docs.get("bench")?.nextIndex ?? 0) < ENTRIES) await new Promise((r) => setTimeout(r, 100));
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  ac.abort();
  await done;
  const row = {
    entriesPerSecond: Math.round(ENTRIES / s),
    seconds: +s.toFixed(1),
    cpuUsPerEntry: +((cpu.user + cpu.system) / ENTRIES).toFixed(1),
    published,
    stages: stageShares(metrics, log.url),
  };
  say(
    `   ${fmt(row.entriesPerSecond)} entries/s (${row.seconds} s; ${row.cpuUsPerEntry} µs CPU per entry, incl. async gunzip threads)`,
  );
  say(
    `   stage time: ${Object.entries(row.stages)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  );
  results.local = row;
}

function stageShares(metrics, url) {
  const out = {};
  for (const st of ["fetch", "verify", "parse", "publish"]) {
    const v = metrics.value("ctwatch_log_stage_seconds_total", { log: url, stage: st });
    out[st] = `${(v ?? 0).toFixed(1)} s`;
  }
  return out;
}

async function e2ePart(log) {
  say(
    `\n== end to end: ct-tailer process -> Kafka (12 partitions) + checkpoints in MongoDB, ${fmt(ENTRIES)} entries`,
  );
  const rows = [];
  for (const compression of COMPRESSIONS) {
    const prefix = `bench-${randomBytes(3).toString("hex")}`;
    const profDir = path.join(CACHE, `prof-${prefix}`);
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(ROOT, "services/ct-tailer/dist/main.js")], {
      env: {
        PATH: process.env.PATH ?? "",
        NODE_OPTIONS: `${NODE_FLAGS} ${PROFILE ? `--cpu-prof --cpu-prof-dir=${profDir}` : ""}`.trim(),
        KAFKA_BROKERS: brokers.join(","),
        MONGODB_URI: env.MONGODB_URI,
        MONGODB_DB: prefix,
        CTWATCH_TOPIC_PREFIX: prefix,
        CTWATCH_LOG_URL: log.url,
        CTWATCH_LOG_KEY: log.key,
        CTWATCH_LOG_ORIGIN: log.origin,
        CTWATCH_START: "first",
        CTWATCH_TILES_PER_ROUND: "16",
        CTWATCH_LOG_REQUESTS_PER_SECOND: "1000",
        CTWATCH_LOG_CONCURRENCY: "8",
        CTWATCH_KAFKA_COMPRESSION: compression,
        CTWATCH_HEALTH_PORT: String(port),
        CTWATCH_LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "inherit", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      if (stderr.length < 1 << 20) stderr += d;
    });
    const mongo = await MongoClient.connect(env.MONGODB_URI);
    const coll = mongo.db(prefix).collection("log_checkpoints");
    const kpid = kafkaPid();
    const k0 = kpid ? cpuSeconds(kpid) : undefined;
    const l0 = cpuSeconds(log.child.pid);
    const t0 = performance.now();
    let tFirst;
    let nFirst = 0;
    const samples = [];
    for (;;) {
      const doc = await coll.findOne({});
      const n = doc?.nextIndex ?? 0;
      const t = performance.now();
      if (n > 0 && tFirst === undefined) {
        tFirst = t;
        nFirst = n;
      }
      samples.push([Math.round(t - t0), n]);
      if (n >= ENTRIES) break;
      if (child.exitCode !== null) throw new Error(`tailer exited ${child.exitCode}\n${stderr.slice(-3000)}`);
      if (t - t0 > 30 * 60_000) throw new Error("e2e run took more than 30 minutes");
      await new Promise((r) => setTimeout(r, 250));
    }
    const tEnd = performance.now();
    const tailerCpu = cpuSeconds(child.pid);
    const kafkaCpu = kpid && k0 !== undefined ? cpuSeconds(kpid) - k0 : undefined;
    const logCpu = cpuSeconds(log.child.pid) - l0;
    const metricsText = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    await mongo
      .db(prefix)
      .dropDatabase()
      .catch(() => {});
    await mongo.close();
    const kafka = new kafkajs.Kafka({ clientId: "bench", brokers, logLevel: kafkajs.logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
    await admin.deleteTopics({ topics: mine }).catch(() => {});
    await admin.disconnect();
    const stage = {};
    for (const m of metricsText.matchAll(
      /ctwatch_log_stage_seconds_total\{[^}]*stage="(\w+)"[^}]*\} ([\d.e+-]+)/g,
    ))
      stage[m[1]] = `${Number(m[2]).toFixed(1)} s`;
    const total = (tEnd - t0) / 1000;
    const steady = (ENTRIES - nFirst) / ((tEnd - tFirst) / 1000);
    const row = {
      compression,
      entries: ENTRIES,
      totalSeconds: +total.toFixed(1),
      entriesPerSecondOverall: Math.round(ENTRIES / total),
      entriesPerSecondSteady: Math.round(steady),
      tailerCpuSeconds: tailerCpu,
      tailerCpuUsPerEntry: tailerCpu ? +((tailerCpu * 1e6) / ENTRIES).toFixed(1) : undefined,
      kafkaCpuSeconds: kafkaCpu,
      logServerCpuSeconds: logCpu,
      stages: stage,
      progress: samples.filter((_, i) => i % 8 === 0),
    };
    if (PROFILE) row.profile = summariseProfile(profDir);
    rows.push(row);
    say(
      `   ${compression.padEnd(5)} ${fmt(row.entriesPerSecondSteady).padStart(7)} entries/s steady, ${fmt(row.entriesPerSecondOverall)} overall (${row.totalSeconds} s incl. start-up); CPU: tailer ${tailerCpu?.toFixed(0)} s (${row.tailerCpuUsPerEntry} µs/entry), Kafka ${kafkaCpu?.toFixed(0)} s, log server ${logCpu?.toFixed(0)} s`,
    );
    say(
      `         stage time in the tailer: ${Object.entries(stage)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`,
    );
    if (row.profile) {
      say(
        `         CPU profile (self time): ${row.profile.categories.map((c) => `${c.name} ${c.percent}%`).join(", ")}`,
      );
      say(
        `         top functions: ${row.profile.top
          .slice(0, 8)
          .map((f) => `${f.name} ${f.percent}%`)
          .join(", ")}`,
      );
    }
  }
  results.e2e = rows;
}

/** Self time per category and top functions from a V8 .cpuprofile. */
function summariseProfile(dir) {
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) return undefined;
  const prof = JSON.parse(readFileSync(path.join(dir, file), "utf8"));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const selfMs = new Map();
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i];
    selfMs.set(id, (selfMs.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0) / 1000);
  }
  const cat = (n) => {
    const u = n.callFrame.url;
    const f = n.callFrame.functionName;
    if (f === "(idle)") return "idle";
    if (f === "(garbage collector)") return "GC";
    if (f === "(program)") return "V8/native";
    if (/packages\/ct\/dist\/(x509|der|oids|issuance-key|log-entry)/.test(u))
      return "X.509 parse + issuance key";
    if (/packages\/ct\/dist\/(static-ct|rfc6962|tls-reader|merkle|compact-range|sha256)/.test(u))
      return "tiles, leaf hash, Merkle";
    if (/protobuf/.test(u) || /entry-message/.test(u)) return "protobuf encode";
    if (/kafkajs/.test(u)) return "kafkajs";
    if (/mongodb|bson/.test(u)) return "mongodb";
    if (/opentelemetry/.test(u) || /trace-propagation/.test(u)) return "tracing";
    if (/undici|node:internal\/(deps\/undici|http|net|stream)/.test(u)) return "HTTP client";
    if (/node:/.test(u)) return "node internals";
    return "other";
  };
  let total = 0;
  const cats = new Map();
  const fns = new Map();
  for (const [id, ms] of selfMs) {
    const n = byId.get(id);
    const c = cat(n);
    if (c === "idle") continue;
    total += ms;
    cats.set(c, (cats.get(c) ?? 0) + ms);
    const name = `${n.callFrame.functionName || "(anon)"} ${path.basename(n.callFrame.url || "")}`.trim();
    fns.set(name, (fns.get(name) ?? 0) + ms);
  }
  const pct = (ms) => +((ms / total) * 100).toFixed(1);
  rmSync(dir, { recursive: true, force: true });
  return {
    busyMs: Math.round(total),
    categories: [...cats].sort((a, b) => b[1] - a[1]).map(([name, ms]) => ({ name, percent: pct(ms) })),
    top: [...fns]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([name, ms]) => ({ name, percent: pct(ms) })),
  };
}

// ---------------------------------------------------------------- main
say(`ctwatch ingestion benchmark: node ${process.version}, ${results.cpus} CPUs, ${fmt(ENTRIES)} entries`);
if (PARTS.includes("parse")) parsePart();
if (PARTS.includes("kafka")) await kafkaPart();
if (PARTS.includes("local") || PARTS.includes("e2e")) {
  say(
    `\n== local log: ${fmt(ENTRIES)} replayed real entries as gzip tiles (generated once under .bench/ingest)`,
  );
  const log = await startLogServer();
  const info = tileSetInfo(path.join(CACHE, `replay-${ENTRIES}`));
  say(
    `   ${log.url}: ${(info.gzipBytes / 2 ** 20).toFixed(0)} MiB of gzip tiles (${(info.rawBytes / 2 ** 20).toFixed(0)} MiB raw)`,
  );
  try {
    if (PARTS.includes("local")) await localPart(log);
    if (PARTS.includes("e2e") && needInfra()) await e2ePart(log);
  } finally {
    log.child.kill("SIGTERM");
  }
}
mkdirSync(CACHE, { recursive: true });
const out = path.join(CACHE, `results-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(out, JSON.stringify(results, null, 2));
say(`\nresults: ${path.relative(ROOT, out)}`);
