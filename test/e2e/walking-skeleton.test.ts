/**
 * The walking skeleton, real at every step: a local static-ct-api log serving
 * the real Navigli tiles -> ct-tailer -> Kafka -> domain-detector (event 25,
 * watch lists in MongoDB) -> Kafka -> alert-sink -> MongoDB + a strict Splunk
 * HEC receiver. Services run as real processes from their built entry points.
 */
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { splitDataTile } from "@ctwatch/ct";
import { type StaticCtTestLog, startStaticCtTestLog } from "@ctwatch/ct-testlog";
import { SplunkHecReceiver } from "@ctwatch/siem-testkit";
import { connectDatabase, type Database, MongoWatchlistStore } from "@ctwatch/store";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { repoRoot } from "../harness/infra.js";
import { deleteTopics, eventually, infraEnv, uniqueId } from "../harness/names.js";
import { addSplunkDestination, pipelineEnv, sinkEnv, tailerEnv } from "../harness/pipeline.js";
import { type RunningService, spawnService } from "../harness/services.js";

const fixtureDir = path.join(repoRoot, "test/fixtures/ct/navigli2025h2");

/** Names per watched domain, computed with Node's X509Certificate (independent of @ctwatch/ct's X.509 parser). */
function expectedNames(domains: string[]): Map<string, Set<string>> {
  const out = new Map(domains.map((d) => [d, new Set<string>()]));
  for (const tile of ["000", "001", "002", "003"]) {
    for (const leaf of splitDataTile(readFileSync(path.join(fixtureDir, "tile/data", tile)))) {
      const der = leaf.entryType === "precert" ? leaf.preCertificate : leaf.signedEntry;
      const san = new X509Certificate(Buffer.from(der as Uint8Array)).subjectAltName ?? "";
      for (const part of san.split(", ")) {
        if (!part.startsWith("DNS:")) continue;
        const name = part.slice(4).toLowerCase();
        for (const d of domains) {
          const bare = name.startsWith("*.") ? name.slice(2) : name;
          if ((bare.endsWith(`.${d}`) || (name.startsWith("*.") && bare === d)) && name !== d)
            out.get(d)?.add(name);
        }
      }
    }
  }
  return out;
}

describe("walking skeleton: fixture log -> tailer -> detector -> sink -> MongoDB + Splunk HEC", () => {
  let log: StaticCtTestLog;
  let hec: SplunkHecReceiver;
  let db: Database;
  const services: RunningService[] = [];
  const prefix = uniqueId("e2e");
  const dbName = uniqueId("e2e");

  beforeAll(async () => {
    const infra = infraEnv();
    log = await startStaticCtTestLog({ dir: fixtureDir });
    hec = await SplunkHecReceiver.start({ tokens: { "e2e-hec-token": {} } });
    db = await connectDatabase({ uri: infra.mongoUri, dbName });
    const watch = new MongoWatchlistStore(db.db);
    await watch.init();
    await watch.add("acme", "owned-domain", "chixbbq.org");
    await watch.add("acme", "owned-domain", "gamen.net");
    await watch.add("beta", "owned-domain", "sslip.io");
    await addSplunkDestination(db, {
      tenantId: "acme",
      id: `${prefix}-acme-splunk`,
      url: hec.url,
      token: "e2e-hec-token",
    });
    const common = pipelineEnv(infra, prefix, dbName);
    services.push(
      spawnService("alert-sink", {
        ...common,
        ...sinkEnv(),
        CTWATCH_PRINT_ALERTS: "true",
      }),
    );
    services.push(spawnService("domain-detector", { ...common, CTWATCH_WATCHLIST_REFRESH_MS: "500" }));
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

  it("alerts once per new subdomain of a watched domain, and only for those", async () => {
    const want = expectedNames(["chixbbq.org", "gamen.net", "sslip.io"]);
    const acmeNames = new Set([...(want.get("chixbbq.org") ?? []), ...(want.get("gamen.net") ?? [])]);
    const betaNames = want.get("sslip.io") ?? new Set<string>();
    expect(acmeNames.size).toBeGreaterThan(5);
    expect(betaNames.size).toBeGreaterThan(0);

    const alerts = db.db.collection("alerts");
    await eventually(
      async () => {
        const n = await alerts.countDocuments({});
        return n >= acmeNames.size + betaNames.size ? n : undefined;
      },
      90_000,
      "alerts in MongoDB",
    ).catch((err) => {
      throw new Error(
        `${(err as Error).message}\n${services.map((s) => `--- ${s.name}\n${s.stderr().slice(-3000)}`).join("\n")}`,
      );
    });
    await eventually(
      async () => (hec.events.length >= acmeNames.size ? true : undefined),
      60_000,
      "HEC events",
    );
    // Let anything extra arrive before asserting exact sets.
    await new Promise((r) => setTimeout(r, 1500));

    const stored = await alerts.find({}).toArray();
    const byTenant = (t: string) =>
      new Set(stored.filter((a) => a.tenantId === t).map((a) => a.subjectDomain as string));
    expect(byTenant("acme")).toEqual(acmeNames);
    expect(byTenant("beta")).toEqual(betaNames);
    expect(stored.every((a) => a.eventId === 25)).toBe(true);
    expect(stored.length).toBe(acmeNames.size + betaNames.size);
    // Nothing for names no tenant watches (nip.io, lencr.org, ...).
    expect(stored.some((a) => /nip\.io$|lencr\.org$/.test(a.subjectDomain as string))).toBe(false);

    // Splunk got acme's alerts (beta has no destination), in the documented shape.
    const hecDomains = new Set(hec.events.map((e) => (e.event as Record<string, unknown>).Domain as string));
    expect(hecDomains).toEqual(acmeNames);
    for (const e of hec.events) {
      expect(e.sourcetype).toBe("ezmonitor_alerts");
      expect((e.event as Record<string, unknown>).VulnerabilityID).toBe(25);
    }
    const delivered = stored
      .filter((a) => a.tenantId === "acme")
      .every(
        (a) => a.deliveryState === "done" && a.delivery[`${prefix}-acme-splunk`]?.status === "delivered",
      );
    expect(delivered).toBe(true);
    // The sink printed each stored alert.
    const sink = services.find((s) => s.name === "alert-sink");
    expect(sink?.stdout()).toMatch(/ALERT event=25 tenant=acme domain=\S+\.chixbbq\.org/);
  });

  it("stops every service cleanly on SIGTERM", async () => {
    for (const s of [...services].reverse()) {
      expect(await s.stop()).toBe(0);
    }
  });
});

describe("service configuration errors", () => {
  it.each([
    [
      "ct-tailer",
      { KAFKA_BROKERS: "not a broker", MONGODB_URI: "mongodb://127.0.0.1:1/" },
      [
        /KAFKA_BROKERS="not a broker" is invalid: "not a broker" is not host:port/,
        /CTWATCH_LOG_URL is required/,
        /CTWATCH_LOG_KEY is required/,
      ],
    ],
    [
      "domain-detector",
      { KAFKA_BROKERS: "127.0.0.1:1", MONGODB_URI: "mongodb://x", CTWATCH_WATCHLIST_REFRESH_MS: "fast" },
      [/CTWATCH_WATCHLIST_REFRESH_MS="fast" is invalid: expected an integer between 100 and 600000/],
    ],
    [
      "alert-sink",
      { KAFKA_BROKERS: "127.0.0.1:1", MONGODB_URI: "mongodb://x", CTWATCH_SECRET_KEYS: "k1:tooshort" },
      [/CTWATCH_SECRET_KEYS=<redacted> is invalid: key material must/],
    ],
  ] as const)("%s exits 2 naming the variable", async (name, env, patterns) => {
    const s = spawnService(name, { ...env });
    const code = await s.exited;
    expect(code).toBe(2);
    for (const p of patterns) expect(s.stderr()).toMatch(p);
    expect(s.stderr()).not.toMatch(/tooshort/);
  });
});
