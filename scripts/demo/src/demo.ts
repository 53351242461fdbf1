#!/usr/bin/env node
/**
 * The demo: the whole pipeline on this machine, real at every step.
 *
 *   local static-ct-api log (real Navigli tiles) --> ct-tailer --> Kafka
 *     --> domain-detector (event 25) --> Kafka --> alert-sink --> MongoDB + Splunk HEC receiver
 *
 * Expects Kafka and the MongoDB-wire server to be running (scripts/demo.sh
 * starts them) and KAFKA_BROKERS / MONGODB_URI set. The log first publishes
 * 778 entries, then grows to 1024 so the tailer is seen following it live.
 * Ctrl-C stops everything in order.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync } from "node:fs";
import path from "node:path";
import { startStaticCtTestLog } from "@ctwatch/ct-testlog";
import { SecretBox, sealDestinationConfig } from "@ctwatch/siem";
import { SplunkHecReceiver } from "@ctwatch/siem-testkit";
import { connectDatabase, MongoDestinationStore, MongoWatchlistStore } from "@ctwatch/store";

const root = path.resolve(process.env.CTWATCH_ROOT ?? process.cwd());
const brokers = process.env.KAFKA_BROKERS;
const mongoUri = process.env.MONGODB_URI;
if (!brokers || !mongoUri) {
  process.stderr.write("demo: KAFKA_BROKERS and MONGODB_URI must be set (run scripts/demo.sh)\n");
  process.exit(2);
}
const watched = (process.env.CTWATCH_DEMO_DOMAINS ?? "chixbbq.org,gamen.net").split(",").map((d) => d.trim());
// Brands whose lookalikes appear in the fixture log (events 12 and 13).
const brands = (process.env.CTWATCH_DEMO_BRANDS ?? "crypto-mint.space,bluecaribou.chat,konimbo.com")
  .split(",")
  .map((d) => d.trim())
  .filter((d) => d !== "");
const runId = `demo-${Date.now().toString(36)}`;
const logDir = path.join(root, ".infra", "demo-logs", runId);
mkdirSync(logDir, { recursive: true });

const say = (line: string) => process.stdout.write(`${line}\n`);

const log = await startStaticCtTestLog({
  dir: path.join(root, "test/fixtures/ct/navigli2025h2"),
  treeSize: 778,
});
const hecToken = randomBytes(16).toString("hex");
let received = 0;
const hec = await SplunkHecReceiver.start({
  tokens: { [hecToken]: {} },
  onEvents(events) {
    for (const e of events) {
      received++;
      const ev = e.event as Record<string, unknown>;
      say(
        `SPLUNK HEC  sourcetype=${e.sourcetype} VulnerabilityID=${String(ev.VulnerabilityID)} Domain=${String(ev.Domain)} "${String(ev.Summary)}"`,
      );
    }
  },
});

const secretKey = randomBytes(32).toString("base64");
const box = new SecretBox({ currentKeyId: "demo", keys: { demo: Buffer.from(secretKey, "base64") } });
const db = await connectDatabase({ uri: mongoUri, dbName: runId });
const watch = new MongoWatchlistStore(db.db);
await watch.init();
for (const d of watched) await watch.add("demo-soc", "owned-domain", d);
for (const b of brands) await watch.add("demo-soc", "brand", b);
const dests = new MongoDestinationStore(db.db);
await dests.init();
const destId = `${runId}-splunk`;
const cfg = sealDestinationConfig({ kind: "splunk-hec", id: destId, url: hec.url, token: hecToken }, box, {
  allowInsecureHttp: true,
});
await dests.put({
  tenantId: "demo-soc",
  id: destId,
  enabled: true,
  config: cfg as unknown as Record<string, unknown>,
  updatedAtMs: Date.now(),
});

say(`ctwatch demo: tenant "demo-soc" watches ${watched.join(", ")} and brands ${brands.join(", ")}`);
say(`  CT log      ${log.url} (fixture tiles, ${log.treeSize()} entries, growing to ${log.maxTreeSize})`);
say(`  Splunk HEC  ${hec.url}`);
say(`  database    ${runId}; service logs in ${path.relative(root, logDir)}/`);
say("Alerts appear below as they arrive. Ctrl-C stops everything.\n");

const common: Record<string, string> = {
  PATH: process.env.PATH ?? "",
  KAFKA_BROKERS: brokers,
  MONGODB_URI: mongoUri,
  MONGODB_DB: runId,
  CTWATCH_TOPIC_PREFIX: runId,
  CTWATCH_GROUP_PREFIX: runId,
  CTWATCH_LOG_LEVEL: "info",
};
const children: Array<{ name: string; child: ChildProcess }> = [];
function start(name: string, env: Record<string, string>): void {
  const child = spawn(process.execPath, [path.join(root, "services", name, "dist", "main.js")], {
    env: { ...common, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d: Buffer) => process.stdout.write(d));
  child.stderr?.pipe(createWriteStream(path.join(logDir, `${name}.log`)));
  child.once("exit", (code, sig) => {
    if (!stopping)
      say(`demo: ${name} exited unexpectedly (code ${code}, signal ${sig}); see ${logDir}/${name}.log`);
  });
  children.push({ name, child });
}

let stopping = false;
start("alert-sink", {
  CTWATCH_SECRET_KEYS: `demo:${secretKey}`,
  CTWATCH_ALLOW_INSECURE_HTTP: "true",
  CTWATCH_PRINT_ALERTS: "true",
});
start("domain-detector", {});
start("lookalike-detector", {});
start("ct-tailer", {
  CTWATCH_LOG_URL: log.url,
  CTWATCH_LOG_KEY: Buffer.from(log.publicKeyDer).toString("base64"),
  CTWATCH_LOG_ORIGIN: log.origin,
  CTWATCH_PARTIAL_TILE_MIN_AGE_MS: "2000",
});
const grow = setTimeout(() => {
  log.setTreeSize(log.maxTreeSize);
  say(`demo: the log grew to ${log.maxTreeSize} entries`);
}, 15_000);

async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearTimeout(grow);
  say("\ndemo: stopping services (tailer first, sink last)...");
  for (const { name, child } of [...children].reverse()) {
    if (child.exitCode !== null) continue;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(timer);
    say(`demo: ${name} stopped`);
  }
  await hec.close();
  await log.stop();
  await db.db.dropDatabase().catch(() => {});
  await db.close();
  say(`demo: done (${received} alerts reached Splunk HEC)`);
}

const limitMs = Number(process.env.CTWATCH_DEMO_SECONDS ?? "0") * 1000;
if (limitMs > 0) setTimeout(() => void shutdown().then(() => process.exit(0)), limitMs);
process.once("SIGINT", () => void shutdown().then(() => process.exit(0)));
process.once("SIGTERM", () => void shutdown().then(() => process.exit(0)));
