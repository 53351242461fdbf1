/**
 * The per-domain detectors' handlers (services/domain-detector) against real
 * servers: MongoDB-wire (FerretDB or MongoDB) for their state and BIND9 with the
 * test zones for DNS. Entries are built by hand so each rule's tricky case is
 * one certificate; Kafka is exercised by test/e2e/detector-pipeline.test.ts.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { create } from "@bufbuild/protobuf";
import { CaaIssuerTable, RootOwnerMap } from "@ctwatch/ca-data";
import { OwnedDomainIndex } from "@ctwatch/detectors";
import { DnsResolver, parseDnsServers } from "@ctwatch/dns";
import {
  type Alert,
  type CertificateEntry,
  CertificateEntrySchema,
  CertificateSchema,
  EntryType,
  LogPositionSchema,
  Severity,
} from "@ctwatch/proto";
import { MetricsRegistry, silentLogger } from "@ctwatch/runtime";
import {
  connectDatabase,
  type Database,
  MongoCaaHistoryStore,
  MongoCertificateInventoryStore,
  MongoDnsCheckQueue,
  MongoDomainLearningStore,
  MongoRootBaselineStore,
  MongoSubdomainStore,
  MongoTakeoverStateStore,
  MongoWatchPinStore,
} from "@ctwatch/store";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { CaaDetector } from "../../services/domain-detector/src/caa-detector.js";
import { newSubdomainHandler } from "../../services/domain-detector/src/new-subdomain-detector.js";
import { rootCaHandler } from "../../services/domain-detector/src/root-ca-detector.js";
import { TakeoverDetector } from "../../services/domain-detector/src/takeover-detector.js";
import { LearningState, PinIndex } from "../../services/domain-detector/src/watch-context.js";
import { repoRoot } from "../harness/infra.js";
import { infraEnv, uniqueId } from "../harness/names.js";

async function startTestDns(): Promise<{ host: string; port: number }> {
  const { stdout } = await promisify(execFile)("bash", [path.join(repoRoot, "scripts/infra/dns/up.sh")], {
    cwd: repoRoot,
    timeout: 10 * 60_000,
  });
  const servers = parseDnsServers(/CTWATCH_TEST_DNS_SERVER=(\S+)/.exec(stdout)?.[1] ?? "");
  if (servers === "system" || !servers[0])
    throw new Error(`scripts/infra/dns/up.sh printed no server: ${stdout}`);
  return servers[0];
}

const HOUR = 3_600_000;
const ISRG_X1 = "96bcec06264976f37460779acf28c5a7cfe8a3c0aae11a8ffcee05c0bddf08c6";
const DIGICERT_G2 = "cb3ccbb76031e5e0138f8dd39a23f9de47ffc35e43c1144cea27d46a5ab1cb5f";
let serial = 0;

/** A certificate entry as the tailer would publish it. */
function entry(opts: {
  names: string[];
  issuerO?: string;
  issuerCn?: string;
  rootSha256?: string;
  chainTopIssuerDn?: string;
  timestampMs?: number;
  precert?: boolean;
  issuanceKey?: Uint8Array;
}): { value: CertificateEntry } {
  serial++;
  const key = opts.issuanceKey ?? new Uint8Array(32).fill(serial % 256);
  const value = create(CertificateEntrySchema, {
    position: create(LogPositionSchema, {
      logId: new Uint8Array(32),
      logUrl: "https://log.test/",
      leafIndex: BigInt(serial),
    }),
    entryType: opts.precert ? EntryType.PRECERT : EntryType.X509,
    timestampMs: BigInt(opts.timestampMs ?? Date.now()),
    issuanceKey: key,
    chainSha256: opts.rootSha256
      ? [new Uint8Array(32).fill(7), new Uint8Array(Buffer.from(opts.rootSha256, "hex"))]
      : [],
    rootSha256: opts.rootSha256 ? new Uint8Array(Buffer.from(opts.rootSha256, "hex")) : new Uint8Array(),
    chainTopIssuerDn: opts.chainTopIssuerDn ?? "",
    certificate: create(CertificateSchema, {
      sha256: new Uint8Array(32).fill((serial * 7) % 256),
      dnsNames: opts.names,
      subjectCn: opts.names[0] ?? "",
      issuerO: opts.issuerO ?? "Let's Encrypt",
      issuerCn: opts.issuerCn ?? "R12",
      issuerDn: `CN=${opts.issuerCn ?? "R12"},O=${opts.issuerO ?? "Let's Encrypt"},C=US`,
      serialHex: serial.toString(16),
    }),
  });
  return { value };
}

describe("per-domain detector handlers against MongoDB and BIND9", () => {
  let db: Database;
  let resolver: DnsResolver;
  const published: Alert[] = [];
  const publish = async (alerts: Alert[]) => {
    published.push(...alerts);
  };
  const take = () => published.splice(0, published.length);
  const metrics = new MetricsRegistry();
  const logger = silentLogger;
  const dbName = uniqueId("detectors");

  beforeAll(async () => {
    const server = await startTestDns();
    resolver = new DnsResolver({ servers: [server], timeoutMs: 1000, attempts: 2, queriesPerSecond: 500 });
    db = await connectDatabase({ uri: infraEnv().mongoUri, dbName });
  });
  afterAll(async () => {
    await db?.db.dropDatabase().catch(() => {});
    await db?.close();
  });

  describe("29, CAA mismatch", () => {
    const index = new OwnedDomainIndex(
      [
        "parent-only.test",
        "wild-only.test",
        "critical.test",
        "deny.test",
        "params.test",
        "cname-caa.test",
        "servfail.test",
      ].map((domain) => ({ tenantId: "acme", domain })),
    );
    let caa: CaaDetector;
    let history: MongoCaaHistoryStore;
    let queue: MongoDnsCheckQueue;
    const caaDetector = (pins?: () => Promise<PinIndex>) =>
      new CaaDetector(
        { lookbackMs: 8 * HOUR, maxAgeMs: 24 * HOUR, maxInlineNames: 200, retryBaseMs: 1, maxAttempts: 3 },
        {
          index: async () => index,
          resolver,
          issuers: new CaaIssuerTable(),
          history,
          queue,
          ...(pins ? { pins } : {}),
          publish,
          logger,
          metrics,
        },
      );

    beforeAll(async () => {
      history = new MongoCaaHistoryStore(db.db);
      queue = new MongoDnsCheckQueue(db.db);
      await Promise.all([history.init(), queue.init()]);
      caa = caaDetector();
    });

    it.each<[string, string[], string | undefined]>([
      ["CAA only on the parent allows the CA", ["deep.www.parent-only.test"], undefined],
      ["issuewild only: a plain name is unrestricted", ["www.wild-only.test"], undefined],
      ["issuewild only: a wildcard by another CA", ["*.wild-only.test"], "wild-only.test"],
      ["unknown critical tag", ["www.critical.test"], "critical.test"],
      ['issue ";" denies all', ["www.deny.test"], "deny.test"],
      ["RFC 8657 parameters: allowed (not verifiable from CT)", ["api.params.test"], undefined],
      ["the resolver follows the name's CNAME", ["shop.cname-caa.test"], "shop.cname-caa.test"],
    ])("%s", async (_case, names, relevant) => {
      await caa.handle([entry({ names })]);
      const alerts = take();
      if (relevant === undefined) {
        expect(alerts).toEqual([]);
        return;
      }
      expect(alerts).toHaveLength(1);
      const a = alerts[0] as Alert;
      expect(a.eventId).toBe(29);
      expect(a.summary).toBe("Certificate does not meet CAA policy.");
      expect(a.description).toBe("A certificate was issued by a CA not allowed by your CAA policy.");
      expect(a.subjectDomain).toBe(names[0]);
      if (a.details.case !== "caa") throw new Error(String(a.details.case));
      expect(a.details.value.relevantDomain).toBe(relevant);
      expect(a.details.value.caIdentifiers).toContain("letsencrypt.org");
      expect(a.details.value.records.length).toBeGreaterThan(0);
    });

    it("honours a tenant's CAA pin (query API watch_pins): the pinned issuer is not a mismatch", async () => {
      const pinStore = new MongoWatchPinStore(db.db);
      await pinStore.init();
      const pinned = caaDetector(async () => new PinIndex(await pinStore.list("caa-pin")));
      // Control: without a pin the deny-all record makes Let's Encrypt a mismatch.
      await pinned.handle([entry({ names: ["pin1.deny.test"] })]);
      expect(take()).toHaveLength(1);
      await pinStore.add({
        tenantId: "acme",
        kind: "caa-pin",
        domain: "deny.test",
        value: "letsencrypt.org",
      });
      await pinned.handle([entry({ names: ["pin2.deny.test"] })]);
      expect(take()).toEqual([]);
      // A pin of another tenant or another domain changes nothing.
      await pinStore.remove("acme", "caa-pin", "deny.test", "letsencrypt.org");
      await pinStore.add({
        tenantId: "other",
        kind: "caa-pin",
        domain: "deny.test",
        value: "letsencrypt.org",
      });
      await pinned.handle([entry({ names: ["pin3.deny.test"] })]);
      expect(take()).toHaveLength(1);
    });

    it("counts a precertificate and its certificate once (same issuance key)", async () => {
      const key = new Uint8Array(32).fill(201);
      await caa.handle([
        entry({ names: ["x.deny.test"], precert: true, issuanceKey: key }),
        entry({ names: ["x.deny.test"], issuanceKey: key }),
      ]);
      expect(take()).toHaveLength(1);
      await caa.handle([entry({ names: ["x.deny.test"], issuanceKey: key })]);
      expect(take()).toHaveLength(0);
    });

    it("does not alert when the record changed after issuance (CAA history)", async () => {
      const now = Date.now();
      // While the certificate was issued (two days ago) the set allowed Let's Encrypt...
      await history.observe(
        "hist.deny.test",
        "deny.test",
        [{ flags: 0, tag: "issue", value: "letsencrypt.org" }],
        now - 72 * HOUR,
      );
      await history.observe(
        "hist.deny.test",
        "deny.test",
        [{ flags: 0, tag: "issue", value: "letsencrypt.org" }],
        now - 24 * HOUR,
      );
      // ...today deny.test says ";".
      await caa.handle([entry({ names: ["hist.deny.test"], timestampMs: now - 48 * HOUR })]);
      expect(take()).toEqual([]);
      const runs = await history.history("hist.deny.test");
      expect(runs.map((r) => r.records.map((x) => x.value))).toEqual([["letsencrypt.org"], [";"]]);
    });

    it("does not evaluate an old certificate without history close to its issuance", async () => {
      await caa.handle([entry({ names: ["old.deny.test"], timestampMs: Date.now() - 30 * 24 * HOUR })]);
      expect(take()).toEqual([]);
    });

    it("skips a CA missing from the CAA table", async () => {
      await caa.handle([entry({ names: ["y.deny.test"], issuerO: "Unknown Private CA" })]);
      expect(take()).toEqual([]);
    });

    it("never calls SERVFAIL a mismatch: the check is queued and retried, then abandoned", async () => {
      await caa.handle([entry({ names: ["www.servfail.test"] })]);
      expect(take()).toEqual([]);
      const queued = await queue.due("caa", Date.now() + 10, 100);
      expect(queued.map((q) => q.payload.name)).toContain("www.servfail.test");
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 20));
        await caa.sweep();
      }
      expect(take()).toEqual([]);
      expect(await queue.count("caa")).toBe(0);
      expect(metrics.value("ctwatch_caa_checks_total", { outcome: "abandoned" })).toBe(1);
    });
  });

  describe("18, dangling Azure CNAME", () => {
    const index = new OwnedDomainIndex([{ tenantId: "acme", domain: "takeover.test" }]);
    let takeover: TakeoverDetector;
    let subdomains: MongoSubdomainStore;
    let queue: MongoDnsCheckQueue;

    beforeAll(async () => {
      subdomains = new MongoSubdomainStore(db.db);
      queue = new MongoDnsCheckQueue(db.db);
      const state = new MongoTakeoverStateStore(db.db);
      await Promise.all([subdomains.init(), state.init()]);
      takeover = new TakeoverDetector(
        { minIntervalMs: HOUR, maxInlineNames: 200, retryBaseMs: 1, maxAttempts: 2, maxNamesPerDomain: 1000 },
        { index: async () => index, resolver, state, queue, subdomains, publish, logger, metrics },
      );
    });

    it("alerts for NXDOMAIN CNAMEs into Azure only, with the chain, remedy and asuid confidence", async () => {
      const names = ["dangling", "alive", "protected", "tm", "elsewhere", "flaky", "plain"].map(
        (n) => `${n}.takeover.test`,
      );
      await takeover.handle([entry({ names })]);
      const alerts = take();
      const by = new Map(alerts.map((a) => [a.subjectDomain, a]));
      expect([...by.keys()].sort()).toEqual([
        "dangling.takeover.test",
        "protected.takeover.test",
        "tm.takeover.test",
      ]);
      const d = by.get("dangling.takeover.test") as Alert;
      expect(d.summary).toBe("Your domain is vulnerable to domain takeover.");
      expect(d.severity).toBe(Severity.CRITICAL);
      if (d.details.case !== "takeover") throw new Error("details");
      expect(d.details.value).toMatchObject({
        cnameChain: ["dangling.takeover.test", "gone-app.azurewebsites.net"],
        azureSuffix: "azurewebsites.net",
        asuidProtected: false,
      });
      expect(d.details.value.remedy).toMatch(/Remove the CNAME record dangling\.takeover\.test/);
      const p = by.get("protected.takeover.test") as Alert;
      expect(p.severity).toBe(Severity.MEDIUM);
      expect(p.details.case === "takeover" && p.details.value.asuidProtected).toBe(true);
      const tm = by.get("tm.takeover.test") as Alert;
      expect(tm.details.case === "takeover" && tm.details.value.cnameChain).toHaveLength(3);
      // The SERVFAIL one is queued, not alerted.
      expect((await queue.due("takeover", Date.now() + 10, 100)).map((q) => q.payload.name)).toEqual([
        "flaky.takeover.test",
      ]);
    });

    it("does not re-check a name seen again within the minimum interval", async () => {
      await takeover.handle([entry({ names: ["dangling.takeover.test"] })]);
      expect(take()).toEqual([]);
    });

    it("re-checks the inventory: a name known only from the first-seen store is found", async () => {
      await subdomains.recordFirstSeen({
        tenantId: "acme",
        domain: "takeover.test",
        name: "tm.takeover.test",
        wildcard: false,
        firstSeenAtMs: Date.now(),
        logId: "",
        leafIndex: "0",
        certSha256: "",
        learnedQuietly: true,
      });
      await subdomains.recordFirstSeen({
        tenantId: "acme",
        domain: "takeover.test",
        name: "*.takeover.test",
        wildcard: true,
        firstSeenAtMs: Date.now(),
        logId: "",
        leafIndex: "0",
        certSha256: "",
        learnedQuietly: true,
      });
      expect(await takeover.queueInventory()).toBe(1);
      await new Promise((r) => setTimeout(r, 20));
      while ((await takeover.sweep()) > 0) await new Promise((r) => setTimeout(r, 20));
      const alerts = take();
      expect(alerts.map((a) => a.subjectDomain)).toEqual(["tm.takeover.test"]);
      expect(alerts[0]?.certificate).toBeUndefined();
    });
  });

  describe("20, different root CA", () => {
    const index = new OwnedDomainIndex([
      { tenantId: "acme", domain: "bank.test" },
      { tenantId: "acme", domain: "shop.test" },
    ]);
    let baselines: MongoRootBaselineStore;
    let handle: ReturnType<typeof rootCaHandler>;
    let learningStore: MongoDomainLearningStore;

    beforeAll(async () => {
      baselines = new MongoRootBaselineStore(db.db);
      learningStore = new MongoDomainLearningStore(db.db);
      await baselines.init();
      await learningStore.set({ tenantId: "acme", domain: "shop.test", learningUntilMs: Date.now() + HOUR });
      const learning = new LearningState(learningStore, 0, 0);
      handle = rootCaHandler({
        index: async () => index,
        isLearning: (i, t, d) => learning.isLearning(i, t, d),
        roots: RootOwnerMap.bundled(),
        baselines,
        publish,
        logger,
        metrics,
      });
    });

    it("learns the first owner, alerts on another, and respects pins", async () => {
      await handle([entry({ names: ["www.bank.test"], rootSha256: ISRG_X1 })]);
      expect(take()).toEqual([]);
      expect(await baselines.owners("acme", "bank.test")).toEqual({
        learned: ["Internet Security Research Group"],
        pinned: [],
      });
      await handle([
        entry({ names: ["pay.bank.test"], rootSha256: DIGICERT_G2, issuerO: "DigiCert Inc", issuerCn: "X" }),
      ]);
      const alerts = take();
      expect(alerts).toHaveLength(1);
      const a = alerts[0] as Alert;
      expect(a.eventId).toBe(20);
      expect(a.summary).toBe("The certificate was issued from a different Root CA.");
      expect(a.dedupKey).toBe("20|bank.test|DigiCert");
      if (a.details.case !== "rootCa") throw new Error("details");
      expect(a.details.value.rootOwner).toBe("DigiCert");
      expect(a.details.value.expectedOwners).toEqual(["Internet Security Research Group"]);
      await baselines.add({
        tenantId: "acme",
        domain: "bank.test",
        owner: "DigiCert",
        source: "pinned",
        addedAtMs: Date.now(),
        certSha256: "",
        rootSha256: "",
      });
      await handle([entry({ names: ["pay.bank.test"], rootSha256: DIGICERT_G2 })]);
      expect(take()).toEqual([]);
    });

    it("accepts an owner pinned through the query API (watch_pins root-pin), for that tenant only", async () => {
      const pinStore = new MongoWatchPinStore(db.db);
      await pinStore.init();
      const pinIndex = new OwnedDomainIndex([
        { tenantId: "acme", domain: "pinned.test" },
        { tenantId: "beta", domain: "pinned.test" },
      ]);
      const pinned = rootCaHandler({
        index: async () => pinIndex,
        isLearning: async () => false,
        roots: RootOwnerMap.bundled(),
        baselines,
        pins: async () => new PinIndex(await pinStore.list("root-pin")),
        publish,
        logger,
        metrics,
      });
      await pinned([entry({ names: ["www.pinned.test"], rootSha256: ISRG_X1 })]);
      expect(take()).toEqual([]);
      await pinStore.add({ tenantId: "acme", kind: "root-pin", domain: "pinned.test", value: "DigiCert" });
      await pinned([entry({ names: ["pay.pinned.test"], rootSha256: DIGICERT_G2 })]);
      // acme pinned DigiCert; beta did not and gets the alert.
      expect(take().map((a) => a.tenantId)).toEqual(["beta"]);
    });

    it("resolves a chain without its root through the chain top's issuer", async () => {
      await handle([
        entry({
          names: ["api.bank.test"],
          chainTopIssuerDn: "CN=GTS Root R1,O=Google Trust Services LLC,C=US",
          rootSha256: "33".repeat(32),
        }),
      ]);
      const alerts = take();
      expect(alerts.map((a) => a.dedupKey)).toEqual(["20|bank.test|Google Trust Services LLC"]);
    });

    it("never alerts for an unknown root (static-ct entry without issuer data, private root)", async () => {
      await handle([entry({ names: ["x.bank.test"], rootSha256: "44".repeat(32) })]);
      await handle([
        entry({
          names: ["y.bank.test"],
          rootSha256: "55".repeat(32),
          chainTopIssuerDn: "CN=Corp Private Root",
        }),
      ]);
      expect(take()).toEqual([]);
    });

    it("learns new owners quietly while the domain is in initial sync", async () => {
      await handle([entry({ names: ["www.shop.test"], rootSha256: ISRG_X1 })]);
      await handle([entry({ names: ["m.shop.test"], rootSha256: DIGICERT_G2 })]);
      expect(take()).toEqual([]);
      expect((await baselines.owners("acme", "shop.test")).learned).toEqual([
        "DigiCert",
        "Internet Security Research Group",
      ]);
    });
  });

  describe("25, new subdomain: quiet first sync", () => {
    it("records an existing estate without alerts while learning, then alerts for new names", async () => {
      const subdomains = new MongoSubdomainStore(db.db);
      await subdomains.init();
      const inventory = new MongoCertificateInventoryStore(db.db);
      await inventory.init();
      const learningStore = new MongoDomainLearningStore(db.db);
      const index = new OwnedDomainIndex([
        { tenantId: "beta", domain: "estate.test", addedAtMs: Date.now() },
      ]);
      await learningStore.set({
        tenantId: "beta",
        domain: "estate.test",
        learningUntilMs: Date.now() + HOUR,
      });
      let learning = new LearningState(learningStore, 0, 0);
      const handler = () =>
        newSubdomainHandler({
          index: async () => index,
          isLearning: (i, t, d) => learning.isLearning(i, t, d),
          subdomains,
          inventory,
          publish,
          logger,
          metrics,
        });
      const estate = Array.from({ length: 300 }, (_, i) => `host${i}.estate.test`);
      await handler()([
        entry({ names: estate.slice(0, 150) }),
        entry({ names: [...estate.slice(150), "*.estate.test"] }),
      ]);
      expect(take()).toEqual([]);
      const stored = await subdomains.list("beta", "estate.test");
      expect(stored).toHaveLength(301);
      expect(stored.every((r) => r.learnedQuietly)).toBe(true);
      expect(stored.find((r) => r.name === "*.estate.test")?.wildcard).toBe(true);
      // Learning ends: a new name alerts, a learned one does not.
      await learningStore.clear("beta", "estate.test");
      learning = new LearningState(learningStore, 0, 0);
      await handler()([entry({ names: ["host1.estate.test", "new.estate.test"] })]);
      expect(take().map((a) => [a.eventId, a.subjectDomain])).toEqual([[25, "new.estate.test"]]);
      // Every watched issuance is in the tenant's certificate inventory (the API searches it), once.
      const certs = await inventory.search({ tenantId: "beta", limit: 100 });
      expect(certs).toHaveLength(3);
      expect(certs.every((c) => c.domains.join() === "estate.test")).toBe(true);
      expect(certs.some((c) => c.dnsNames.includes("new.estate.test"))).toBe(true);
      expect(await inventory.search({ tenantId: "acme", domain: "estate.test", limit: 100 })).toEqual([]);
    });
  });
});
