import type { LogFields, Logger } from "@ctwatch/runtime";
import { MetricsRegistry } from "@ctwatch/runtime";
import type { WatchItemKind, WatchItemRecord, WatchlistStore } from "@ctwatch/store";
import { describe, expect, it } from "@jest/globals";
import { LookalikeIndexRefresher, RefresherStoppedError } from "./lookalike-index-refresher.js";

/** An in-memory watch list with the two methods the refresher uses. */
class MemoryWatchlist implements Pick<WatchlistStore, "revision" | "list"> {
  items: WatchItemRecord[] = [];
  rev = 0;
  failNext = 0;
  lists = 0;

  add(tenantId: string, kind: WatchItemKind, value: string): void {
    this.items.push({ tenantId, kind, value, createdAtMs: 0 });
    this.rev++;
  }

  async revision(): Promise<number> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("store down");
    }
    return this.rev;
  }

  async list(kind: WatchItemKind, limit = 1_000_000): Promise<WatchItemRecord[]> {
    this.lists++;
    return this.items.filter((i) => i.kind === kind).slice(0, limit);
  }
}

class CapturingLogger implements Logger {
  constructor(readonly lines: { level: string; msg: string; fields?: LogFields }[] = []) {}
  debug(msg: string, fields?: LogFields) {
    this.lines.push({ level: "debug", msg, ...(fields ? { fields } : {}) });
  }
  info(msg: string, fields?: LogFields) {
    this.lines.push({ level: "info", msg, ...(fields ? { fields } : {}) });
  }
  warn(msg: string, fields?: LogFields) {
    this.lines.push({ level: "warn", msg, ...(fields ? { fields } : {}) });
  }
  error(msg: string, fields?: LogFields) {
    this.lines.push({ level: "error", msg, ...(fields ? { fields } : {}) });
  }
  child(): Logger {
    return this;
  }
}

function setup(opts: { maxBrands?: number; yieldToEventLoop?: () => Promise<void>; stepSize?: number } = {}) {
  const store = new MemoryWatchlist();
  const logger = new CapturingLogger();
  const metrics = new MetricsRegistry();
  const refresher = new LookalikeIndexRefresher({
    store,
    refreshMs: 20,
    maxBrands: opts.maxBrands ?? 1000,
    indexOptions: {},
    logger,
    metrics,
    ...(opts.yieldToEventLoop ? { yieldToEventLoop: opts.yieldToEventLoop } : {}),
    ...(opts.stepSize ? { stepSize: opts.stepSize } : {}),
  });
  return { store, logger, metrics, refresher };
}

describe("LookalikeIndexRefresher", () => {
  it("builds from brand, owned-domain and allow items and rebuilds only on a new revision", async () => {
    const { store, metrics, refresher } = setup();
    store.add("acme", "brand", "paypal.com");
    store.add("acme", "owned-domain", "paypal.de");
    store.add("acme", "allow", "paypal-community.com");
    store.add("other", "owned-domain", "paypal.fr"); // no brand: not a lookalike tenant
    const idx = await refresher.current();
    expect(idx.brandCount).toBe(1);
    expect(idx.match("paypa1.com").map((m) => m.tenantId)).toEqual(["acme"]);
    expect(idx.match("paypal.de")).toEqual([]);
    expect(idx.match("paypal-community.com")).toEqual([]);
    expect(idx.match("paypal.fr").map((m) => m.eventId)).toEqual([13]);
    expect(metrics.value("ctwatch_lookalike_index_brands")).toBe(1);
    expect(metrics.value("ctwatch_lookalike_watchlist_revision")).toBe(4);
    expect(metrics.value("ctwatch_lookalike_index_build_seconds")).toBeGreaterThanOrEqual(0);

    const lists = store.lists;
    expect(await refresher.refresh()).toBe(idx); // same revision: no reload
    expect(store.lists).toBe(lists);

    store.add("beta", "brand", "example.com");
    const next = await refresher.refresh();
    expect(next).not.toBe(idx);
    expect(next.brandCount).toBe(2);
    expect(await refresher.current()).toBe(next);
  });

  it("keeps matching on the old index while a new one is built in steps", async () => {
    let release: (() => void) | undefined;
    let gate = false;
    const { store, refresher } = setup({
      stepSize: 1,
      yieldToEventLoop: () => (gate ? new Promise<void>((r) => (release = r)) : Promise.resolve()),
    });
    store.add("acme", "brand", "paypal.com");
    const old = await refresher.current();
    gate = true;
    store.add("acme", "brand", "example.com");
    store.add("acme", "brand", "another.com");
    const building = refresher.refresh();
    await new Promise((r) => setImmediate(r));
    expect(release).toBeDefined();
    expect(await refresher.current()).toBe(old); // the build is parked between two steps
    gate = false;
    release?.();
    const fresh = await building;
    expect(fresh.brandCount).toBe(3);
    expect(await refresher.current()).toBe(fresh);
  });

  it("leaves invalid stored values out with an error log and a gauge, never failing the build", async () => {
    const { store, logger, metrics, refresher } = setup();
    store.add("acme", "brand", "paypal.com");
    store.add("acme", "brand", "co.uk");
    store.add("acme", "brand", "www.google.com");
    store.add("acme", "owned-domain", "com");
    store.add("beta", "brand", "xn--a.com");
    const idx = await refresher.current();
    expect(idx.brandCount).toBe(1);
    expect(metrics.value("ctwatch_lookalike_watchlist_invalid_entries")).toBe(4);
    const refused = logger.lines.filter((l) => l.msg.startsWith("invalid watch-list value"));
    expect(refused.map((l) => [l.level, l.fields?.value, l.fields?.kind, l.fields?.reason])).toEqual([
      ["error", "co.uk", "brand", "public-suffix"],
      ["error", "com", "owned-domain", "public-suffix"],
      ["error", "www.google.com", "brand", "not-registrable"],
      ["error", "xn--a.com", "brand", "invalid-punycode"],
    ]);
    expect(refused[2]?.fields?.problem).toMatch(/registrable domain: google\.com/);
  });

  it("bounds the number of brands", async () => {
    const { store, logger, metrics, refresher } = setup({ maxBrands: 2 });
    for (const d of ["a1brand.com", "a2brand.com", "a3brand.com"]) store.add("t", "brand", d);
    expect((await refresher.current()).brandCount).toBe(2);
    expect(metrics.value("ctwatch_lookalike_watchlist_truncated")).toBe(1);
    expect(logger.lines.some((l) => l.level === "error" && /MAX_BRANDS/.test(l.msg))).toBe(true);
  });

  it("rejects current() while no index could be loaded, then recovers", async () => {
    const { store, refresher } = setup();
    store.add("acme", "brand", "paypal.com");
    store.failNext = 1;
    await expect(refresher.current()).rejects.toThrow("store down");
    expect(refresher.ready).toBe(false);
    expect((await refresher.current()).brandCount).toBe(1);
    expect(refresher.ready).toBe(true);
  });

  it("picks up changes in the background and keeps the old index when a load fails", async () => {
    const { store, metrics, refresher } = setup();
    store.add("acme", "brand", "paypal.com");
    refresher.start();
    const first = await refresher.current();
    store.failNext = 1;
    store.add("acme", "brand", "example.com");
    const deadline = Date.now() + 5000;
    while ((await refresher.current()).brandCount < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect((await refresher.current()).brandCount).toBe(2);
    expect(first.brandCount).toBe(1);
    expect(metrics.value("ctwatch_lookalike_index_refresh_failures_total")).toBe(1);
    await refresher.stop();
    await refresher.stop();
  });

  it("abandons a build in progress on stop", async () => {
    let release: (() => void) | undefined;
    const { store, refresher } = setup({
      stepSize: 1,
      yieldToEventLoop: () => new Promise<void>((r) => (release = r)),
    });
    store.add("acme", "brand", "paypal.com");
    store.add("acme", "brand", "example.com");
    const building = refresher.current();
    await new Promise((r) => setImmediate(r));
    const stopped = refresher.stop();
    release?.();
    await expect(building).rejects.toBeInstanceOf(RefresherStoppedError);
    await stopped;
    expect(refresher.ready).toBe(false);
  });
});
