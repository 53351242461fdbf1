import { create } from "@bufbuild/protobuf";
import { newAlert } from "@ctwatch/events";
import { CertificateRefSchema, WatchItem_Kind, WatchItemSchema } from "@ctwatch/proto";
import {
  connectDatabase,
  type Database,
  MongoAlertStore,
  MongoCheckpointStore,
  MongoSubdomainStore,
  MongoWatchlistStore,
  WatchlistCache,
} from "@ctwatch/store";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { infraEnv, uniqueId } from "../harness/names.js";

let db: Database;

beforeAll(async () => {
  db = await connectDatabase({ uri: infraEnv().mongoUri, dbName: uniqueId("store") });
});

afterAll(async () => {
  await db.db.dropDatabase().catch(() => {});
  await db.close();
});

describe("MongoDB-wire repositories (real server)", () => {
  it("records a subdomain's first sighting once, even when raced", async () => {
    const s = new MongoSubdomainStore(db.db);
    await s.init();
    const rec = {
      tenantId: "t1",
      domain: "example.com",
      name: "www.example.com",
      wildcard: false,
      firstSeenAtMs: 1,
      logId: "log",
      leafIndex: "1",
      certSha256: "aa",
      learnedQuietly: false,
    };
    const results = await Promise.all([
      s.recordFirstSeen(rec),
      s.recordFirstSeen(rec),
      s.recordFirstSeen(rec),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await s.recordFirstSeen({ ...rec, tenantId: "t2" })).toBe(true);
    expect([...(await s.knownNames("t1", ["www.example.com", "mail.example.com"]))]).toEqual([
      "www.example.com",
    ]);
    expect(await s.list("t1", "example.com")).toHaveLength(1);
  });

  it("stores one alert per tenant and dedup key, adds evidence idempotently, tracks delivery", async () => {
    const store = new MongoAlertStore(db.db, 3);
    await store.init();
    const mk = (certByte: number) =>
      newAlert({
        eventId: 25,
        tenantId: "t1",
        dedupKey: "25|a.example.com",
        subjectDomain: "a.example.com",
        watchItem: create(WatchItemSchema, { kind: WatchItem_Kind.OWNED_DOMAIN, value: "example.com" }),
        certificate: create(CertificateRefSchema, { sha256: new Uint8Array([certByte]) }),
        detector: "test/1",
        detectedAtMs: 1000 + certByte,
      });
    expect(await store.upsert(mk(1))).toEqual({ inserted: true, needsDelivery: true });
    expect(await store.upsert(mk(1))).toEqual({ inserted: false, needsDelivery: true });
    await store.upsert(mk(2));
    await store.upsert(mk(2));
    const a = await store.get("t1", mk(1).alertId);
    expect(a?.occurrences).toBe(2);
    expect(a?.evidence.map((e) => e.certSha256)).toEqual(["01", "02"]);
    expect(a?.alert.summary).toBe("A new sub domain was registered.");
    await store.markDelivered(mk(1).alertId, { splunk: { status: "delivered", atMs: 5 } });
    expect(await store.upsert(mk(3))).toEqual({ inserted: false, needsDelivery: false });
    expect(await store.get("t2", mk(1).alertId)).toBeUndefined();
    const listed = await store.list({ tenantId: "t1", eventIds: [25] });
    expect(listed.map((x) => x.subjectDomain)).toEqual(["a.example.com"]);
    expect(await store.list({ tenantId: "t2" })).toEqual([]);
  });

  it("never moves a log checkpoint backwards", async () => {
    const cps = new MongoCheckpointStore(db.db);
    const base = { logId: "L", treeHashes: [], verifiedTreeSize: 0, verifiedRootHash: "", updatedAtMs: 0 };
    expect(await cps.load("L")).toBeUndefined();
    await cps.save({ ...base, nextIndex: 100 });
    await cps.save({ ...base, nextIndex: 50 });
    expect((await cps.load("L"))?.nextIndex).toBe(100);
    await cps.save({ ...base, nextIndex: 256, treeHashes: ["AA=="] });
    expect(await cps.load("L")).toMatchObject({ nextIndex: 256, treeHashes: ["AA=="] });
  });

  it("bumps the watch-list revision on change so caches reload", async () => {
    const w = new MongoWatchlistStore(db.db);
    await w.init();
    let now = 0;
    const cache = new WatchlistCache(
      w,
      "owned-domain",
      (items) => items.map((i) => i.value).sort(),
      1000,
      () => now,
    );
    expect(await cache.current()).toEqual([]);
    expect(await w.add("t1", "owned-domain", "example.com")).toBe(true);
    expect(await w.add("t1", "owned-domain", "example.com")).toBe(false);
    expect(await cache.current()).toEqual([]); // within refresh interval
    now = 5000;
    expect(await cache.current()).toEqual(["example.com"]);
    await w.remove("t1", "owned-domain", "example.com");
    now = 10_000;
    expect(await cache.current()).toEqual([]);
  });
});
