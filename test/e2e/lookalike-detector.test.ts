/**
 * Lookalike detection end to end, real at every step: a local static-ct-api log serving
 * the real Navigli tiles -> ct-tailer -> Kafka -> lookalike-detector (events 12 and 13,
 * brands in MongoDB) -> Kafka -> alert-sink -> MongoDB + a strict Splunk HEC receiver.
 * Services run as real processes from their built entry points.
 *
 * The brands are chosen so that real fixture names imitate them (a fixture SAN's
 * registrable domain one edit away, or the same label under another suffix):
 *
 *   acme  crypto-mint.space  -> cryptomint.space     (omission; leaves 44, 254, 398)
 *         chixbbq.com        -> chixbbq.org          (event 13; 94 certificates)
 *         bluecaribou.chat   -> bluecaribu.chat      allowlisted: no alert
 *         konimbo.com        -> konimbo.co.il        owned domain: no alert
 *   beta  linksandmails.com  -> linksandmail.com     (omission)
 *         co.uk, www.google.com                      invalid: left out, logged
 *
 * The log first publishes 512 entries. Then brands are added while everything runs, and
 * the log grows to 1024 entries: only the later entries alert for the new brands.
 *   acme  selenit.cc         -> selenite.cc          (addition; leaves before and after 512)
 *   beta  growthagent.org    -> growthagents.org     (addition; leaves after 512 only)
 */
import { createServer } from "node:net";
import path from "node:path";
import { type StaticCtTestLog, startStaticCtTestLog } from "@ctwatch/ct-testlog";
import { SplunkHecReceiver } from "@ctwatch/siem-testkit";
import { connectDatabase, type Database, MongoWatchlistStore, type StoredAlert } from "@ctwatch/store";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { repoRoot } from "../harness/infra.js";
import { deleteTopics, eventually, infraEnv, uniqueId } from "../harness/names.js";
import { addSplunkDestination, pipelineEnv, sinkEnv, tailerEnv } from "../harness/pipeline.js";
import { type RunningService, spawnService } from "../harness/services.js";

const fixtureDir = path.join(repoRoot, "test/fixtures/ct/navigli2025h2");
const MAX_EVIDENCE = 5;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** One Prometheus sample of the detector's /metrics (sum over series matching `labels`). */
async function metric(port: number, name: string, labels = ""): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name) || (line[name.length] !== " " && line[name.length] !== "{")) continue;
    if (labels && !line.includes(labels)) continue;
    sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

describe("lookalike detection: fixture log -> tailer -> lookalike-detector -> sink -> MongoDB + Splunk HEC", () => {
  let log: StaticCtTestLog;
  let hec: SplunkHecReceiver;
  let db: Database;
  let watch: MongoWatchlistStore;
  let healthPort: number;
  const services: RunningService[] = [];
  const prefix = uniqueId("e2e-lookalike");
  const dbName = uniqueId("e2e-lookalike");

  const dump = () => services.map((s) => `--- ${s.name}\n${s.stderr().slice(-3000)}`).join("\n");
  const stored = async () => db.db.collection<StoredAlert>("alerts").find({}).toArray();
  const summary = (alerts: StoredAlert[]) =>
    alerts
      .map((a) => `${a.tenantId} ${a.eventId} ${a.subjectDomain}`)
      .sort()
      .join("\n");
  /** Waits until the detector has consumed `n` entries (all partitions). */
  const consumed = (n: number) =>
    eventually(
      async () =>
        (await metric(healthPort, "ctwatch_consumer_records_total", 'outcome="ok"')) >= n ? true : undefined,
      120_000,
      `${n} entries through the detector`,
    ).catch((err) => {
      throw new Error(`${(err as Error).message}\n${dump()}`);
    });

  beforeAll(async () => {
    const infra = infraEnv();
    log = await startStaticCtTestLog({ dir: fixtureDir, treeSize: 512 });
    hec = await SplunkHecReceiver.start({ tokens: { "lookalike-hec-token": {} } });
    db = await connectDatabase({ uri: infra.mongoUri, dbName });
    watch = new MongoWatchlistStore(db.db);
    await watch.init();
    await watch.add("acme", "brand", "crypto-mint.space");
    await watch.add("acme", "brand", "chixbbq.com");
    await watch.add("acme", "brand", "bluecaribou.chat");
    await watch.add("acme", "allow", "bluecaribu.chat");
    await watch.add("acme", "brand", "konimbo.com");
    await watch.add("acme", "owned-domain", "konimbo.co.il");
    await watch.add("beta", "brand", "linksandmails.com");
    await watch.add("beta", "brand", "co.uk");
    await watch.add("beta", "brand", "www.google.com");
    await addSplunkDestination(db, {
      tenantId: "acme",
      id: `${prefix}-acme-splunk`,
      url: hec.url,
      token: "lookalike-hec-token",
    });
    healthPort = await freePort();
    const common = pipelineEnv(infra, prefix, dbName);
    services.push(
      spawnService("alert-sink", {
        ...common,
        ...sinkEnv(),
        CTWATCH_PRINT_ALERTS: "true",
      }),
    );
    services.push(
      spawnService("lookalike-detector", {
        ...common,
        CTWATCH_WATCHLIST_REFRESH_MS: "300",
        CTWATCH_LOOKALIKE_MAX_EVIDENCE: String(MAX_EVIDENCE),
        CTWATCH_HEALTH_PORT: String(healthPort),
      }),
    );
    services.push(
      spawnService("ct-tailer", {
        ...common,
        ...tailerEnv(log),
      }),
    );
  });

  afterAll(async () => {
    for (const s of services.reverse()) await s.stop();
    await hec?.close();
    await log?.stop();
    await db?.db.dropDatabase().catch(() => {});
    await db?.close();
    await deleteTopics(infraEnv().kafkaBrokers, prefix);
  });

  it("raises one explained alert per (tenant, lookalike registrable domain), and nothing else", async () => {
    await consumed(512);
    await eventually(
      async () => ((await stored()).length >= 3 ? true : undefined),
      60_000,
      "three alerts in MongoDB",
    ).catch((err) => {
      throw new Error(`${(err as Error).message}\n${dump()}`);
    });
    // Let anything extra (a wrong alert) arrive before asserting the exact set.
    await new Promise((r) => setTimeout(r, 1500));
    const alerts = await stored();
    expect(summary(alerts)).toBe(
      ["acme 12 cryptomint.space", "acme 13 chixbbq.org", "beta 12 linksandmail.com"].join("\n"),
    );

    const crypto = alerts.find((a) => a.subjectDomain === "cryptomint.space") as StoredAlert;
    expect(crypto.dedupKey).toBe("lookalike|cryptomint.space");
    expect(crypto.alert).toMatchObject({
      eventId: 12,
      summary: "A similar domain has been found.",
      description:
        "A domain that might be impersonating your domain was found please verify this domain is not being used to impersonate your organization.",
      watchItem: { kind: "KIND_BRAND", value: "crypto-mint.space" },
      detector: "lookalike/1",
      lookalike: {
        brand: "crypto-mint.space",
        techniques: "omission",
        skeleton: "cryptomint",
        brandSkeleton: "crypto-mint",
        distance: 1,
        registrableDomain: "cryptomint.space",
      },
    });
    // Which certificate came first depends on partition order; its name is under the domain.
    expect(String((crypto.alert.lookalike as Record<string, unknown>).matchedName)).toMatch(
      /(^|\.)cryptomint\.space$/,
    );
    expect(String((crypto.alert.lookalike as Record<string, unknown>).reason)).toMatch(
      /cryptomint\.space imitates crypto-mint\.space by omission/,
    );
    // Three certificates (leaves 44, 254, 398), each evidence of the one alert.
    expect(crypto.evidence.map((e) => Number(e.leafIndex)).sort((a, b) => a - b)).toEqual([44, 254, 398]);
    expect(crypto.occurrences).toBe(3);

    const chix = alerts.find((a) => a.subjectDomain === "chixbbq.org") as StoredAlert;
    expect(chix.alert).toMatchObject({
      eventId: 13,
      summary: "A similar domain with different Top Level Domain was found.",
      lookalike: { brand: "chixbbq.com", techniques: "tld-swap", registrableDomain: "chixbbq.org" },
    });
    // 60+ certificates under chixbbq.org so far: the detector re-emits at most MAX_EVIDENCE.
    expect(chix.occurrences).toBe(MAX_EVIDENCE);
    expect(new Set(chix.evidence.map((e) => e.certSha256)).size).toBe(MAX_EVIDENCE);

    // acme's alerts reached Splunk in the EZMonitor shape, with the explanation.
    await eventually(async () => (hec.events.length >= 2 ? true : undefined), 60_000, "HEC events");
    const byDomain = new Map(hec.events.map((e) => [(e.event as Record<string, unknown>).Domain, e]));
    expect([...byDomain.keys()].sort()).toEqual(["chixbbq.org", "cryptomint.space"]);
    const eventOf = (d: string) => (byDomain.get(d)?.event ?? {}) as Record<string, unknown>;
    const ev = eventOf("cryptomint.space");
    expect(ev.VulnerabilityID).toBe(12);
    expect(ev.Details).toMatchObject({
      Techniques: "omission",
      Distance: 1,
      RegistrableDomain: "cryptomint.space",
    });
    expect(eventOf("chixbbq.org").VulnerabilityID).toBe(13);

    // The invalid stored brands were left out and reported, without stopping the detector.
    expect(await metric(healthPort, "ctwatch_lookalike_watchlist_invalid_entries")).toBe(2);
    expect(await metric(healthPort, "ctwatch_lookalike_index_brands")).toBe(5);
    const detector = services.find((s) => s.name === "lookalike-detector") as RunningService;
    expect(detector.stderr()).toMatch(
      /invalid watch-list value left out.*"value":"co\.uk".*"reason":"public-suffix"/,
    );
    expect(detector.stderr()).toMatch(/"value":"www\.google\.com".*"reason":"not-registrable"/);
    expect(await metric(healthPort, "ctwatch_lookalike_names_total")).toBeGreaterThan(512);
  });

  it("picks up brands added while running: later entries match, earlier ones are not rescanned", async () => {
    await watch.add("acme", "brand", "selenit.cc");
    await watch.add("beta", "brand", "growthagent.org");
    const revision = await watch.revision();
    await eventually(
      async () =>
        (await metric(healthPort, "ctwatch_lookalike_watchlist_revision")) >= revision ? true : undefined,
      30_000,
      "the detector's index at the new revision",
    );
    expect(await metric(healthPort, "ctwatch_lookalike_index_brands")).toBe(7);
    log.setTreeSize(1024);
    await consumed(1024);
    await eventually(
      async () => ((await stored()).length >= 5 ? true : undefined),
      60_000,
      "five alerts in MongoDB",
    ).catch((err) => {
      throw new Error(`${(err as Error).message}\n${dump()}`);
    });
    await new Promise((r) => setTimeout(r, 1500));
    const alerts = await stored();
    expect(summary(alerts)).toBe(
      [
        "acme 12 cryptomint.space",
        "acme 12 selenite.cc",
        "acme 13 chixbbq.org",
        "beta 12 growthagents.org",
        "beta 12 linksandmail.com",
      ].join("\n"),
    );
    const selenite = alerts.find((a) => a.subjectDomain === "selenite.cc") as StoredAlert;
    expect(selenite.alert).toMatchObject({
      watchItem: { kind: "KIND_BRAND", value: "selenit.cc" },
      lookalike: { brand: "selenit.cc", techniques: "addition", distance: 1 },
    });
    // selenite.cc certificates exist before leaf 512 too; only the later ones are evidence.
    const leaves = selenite.evidence.map((e) => Number(e.leafIndex));
    expect(leaves.length).toBeGreaterThan(0);
    expect(leaves.every((l) => l >= 512)).toBe(true);
    const growth = alerts.find((a) => a.subjectDomain === "growthagents.org") as StoredAlert;
    expect(growth.tenantId).toBe("beta");
    expect(growth.alert).toMatchObject({ lookalike: { brand: "growthagent.org", techniques: "addition" } });
    // linksandmail.com got its later certificate (leaf 1019) as evidence of the same alert.
    const links = alerts.find((a) => a.subjectDomain === "linksandmail.com") as StoredAlert;
    expect(links.evidence.map((e) => Number(e.leafIndex)).sort((a, b) => a - b)).toEqual([
      199, 208, 360, 459, 1019,
    ]);
  });

  it("stops every service cleanly on SIGTERM", async () => {
    for (const s of [...services].reverse()) {
      expect(await s.stop()).toBe(0);
    }
  });
});

describe("lookalike-detector configuration errors", () => {
  it("exits 2 naming the variable", async () => {
    const s = spawnService("lookalike-detector", {
      KAFKA_BROKERS: "127.0.0.1:1",
      MONGODB_URI: "mongodb://x",
      CTWATCH_LOOKALIKE_PRESET: "paranoid",
      CTWATCH_LOOKALIKE_MAX_BRANDS: "0",
      CTWATCH_LOOKALIKE_MIN_SCORE: "1.5",
      CTWATCH_LOOKALIKE_MAX_EDITS: "4",
    });
    expect(await s.exited).toBe(2);
    expect(s.stderr()).toMatch(/CTWATCH_LOOKALIKE_PRESET="paranoid" is invalid/);
    expect(s.stderr()).toMatch(
      /CTWATCH_LOOKALIKE_MAX_BRANDS="0" is invalid: expected an integer between 1 and 1000000/,
    );
    expect(s.stderr()).toMatch(
      /CTWATCH_LOOKALIKE_MIN_SCORE="1.5" is invalid: expected a number between 0 and 1/,
    );
    expect(s.stderr()).toMatch(
      /CTWATCH_LOOKALIKE_MAX_EDITS="4" is invalid: expected an integer between 1 and 3/,
    );
  });
});
