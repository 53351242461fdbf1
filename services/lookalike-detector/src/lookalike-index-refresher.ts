import { setImmediate as yieldImmediate } from "node:timers/promises";
import {
  type LookalikeIndex,
  type LookalikeIndexOptions,
  lookalikeIndexBuildSteps,
} from "@ctwatch/detect-lookalike";
import type { Logger, Metrics, Stoppable } from "@ctwatch/runtime";
import type { WatchlistStore } from "@ctwatch/store";
import { lookalikeInputs } from "./lookalike-inputs.js";

/** Options of {@link LookalikeIndexRefresher}. */
export interface LookalikeIndexRefresherOptions {
  /** Only `revision` and `list` are used. */
  store: Pick<WatchlistStore, "revision" | "list">;
  /** How often the watch-list revision is checked, ms. */
  refreshMs: number;
  /** Most brand items indexed; the rest are left out with an error log (bounds build time and memory). */
  maxBrands: number;
  /** Detection options of the index (a preset). */
  indexOptions: LookalikeIndexOptions;
  /** Brands per build step between two yields to the event loop; default 500 (a few ms each). */
  stepSize?: number;
  logger: Logger;
  metrics: Metrics;
  /** Awaited between build steps; default `setImmediate`, so consumers keep running during a build. */
  yieldToEventLoop?: () => Promise<void>;
  /** Monotonic clock, ms (build timing); default `performance.now`. */
  now?: () => number;
}

/** The refresher was stopped while it was loading. */
export class RefresherStoppedError extends Error {
  constructor() {
    super("lookalike index refresher stopped");
    this.name = "RefresherStoppedError";
  }
}

/**
 * Keeps the lookalike index in step with the watch lists, off the matching path:
 *
 *   every refreshMs: revision() changed? ==> list brand / owned-domain / allow items
 *     ==> build the new index in steps (yielding between them) ==> swap one reference
 *
 * Matching keeps using the previous index until the new one is complete; the swap is a
 * single assignment, so a batch sees one index or the other, never a mix. While building,
 * the old and the new index are both in memory. Invalid stored entries are left out and
 * reported (error log and the `ctwatch_lookalike_watchlist_invalid_entries` gauge); they
 * never stop the build. A failed load keeps the previous index and is retried next tick.
 */
export class LookalikeIndexRefresher implements Stoppable {
  readonly name = "lookalike-index-refresher";
  private index: LookalikeIndex | undefined;
  private revision = -1;
  private inflight: Promise<LookalikeIndex> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly log: Logger;
  private readonly yieldToEventLoop: () => Promise<void>;
  private readonly now: () => number;
  private readonly m: RefresherMetrics;

  constructor(private readonly o: LookalikeIndexRefresherOptions) {
    this.log = o.logger.child({ component: "lookalike-index" });
    this.yieldToEventLoop = o.yieldToEventLoop ?? (() => yieldImmediate());
    this.now = o.now ?? (() => performance.now());
    this.m = refresherMetrics(o.metrics);
  }

  /** Starts the background refresh loop (first load at once). */
  start(): void {
    this.schedule(0);
  }

  /** Whether an index has been built. */
  get ready(): boolean {
    return this.index !== undefined;
  }

  /**
   * The index in use. Before the first build completes it waits for it, and rejects when
   * that load fails (the caller retries). Never blocks on later rebuilds.
   */
  current(): Promise<LookalikeIndex> {
    if (this.index !== undefined) return Promise.resolve(this.index);
    return this.refresh();
  }

  /** Checks the revision and rebuilds when it changed; concurrent calls share one load. */
  refresh(): Promise<LookalikeIndex> {
    this.inflight ??= this.load().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Stops the loop and abandons a build in progress. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inflight?.catch(() => {});
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.refresh()
        .catch((err: unknown) => {
          if (err instanceof RefresherStoppedError) return;
          this.m.failures.inc();
          this.log.error("watch-list refresh failed; keeping the previous index", { err });
        })
        .finally(() => this.schedule(this.o.refreshMs));
    }, delayMs);
    this.timer.unref();
  }

  private async load(): Promise<LookalikeIndex> {
    const rev = await this.o.store.revision();
    if (this.index !== undefined && rev === this.revision) return this.index;
    const started = this.now();
    const [brands, owned, allowed] = await Promise.all([
      this.o.store.list("brand", this.o.maxBrands + 1),
      this.o.store.list("owned-domain"),
      this.o.store.list("allow"),
    ]);
    const { inputs, droppedBrands } = lookalikeInputs(brands, owned, allowed, this.o.maxBrands);
    if (droppedBrands > 0) {
      this.log.error("more brands than CTWATCH_LOOKALIKE_MAX_BRANDS: the rest are not watched", {
        maxBrands: this.o.maxBrands,
      });
    }
    const steps = lookalikeIndexBuildSteps(inputs, this.o.indexOptions, {
      skipInvalid: true,
      stepSize: this.o.stepSize ?? 500,
    });
    let r = steps.next();
    while (!r.done) {
      await this.yieldToEventLoop();
      if (this.stopped) throw new RefresherStoppedError();
      r = steps.next();
    }
    const index = r.value;
    for (const issue of index.issues.slice(0, 50)) {
      this.log.error("invalid watch-list value left out of lookalike detection", {
        tenant: issue.tenantId,
        kind: issue.field === "domain" ? "brand" : issue.field === "ownedDomains" ? "owned-domain" : "allow",
        value: issue.value.slice(0, 300),
        reason: issue.reason,
        problem: issue.message,
      });
    }
    if (index.issues.length > 50) {
      this.log.error("more invalid watch-list values left out", { count: index.issues.length - 50 });
    }
    const seconds = (this.now() - started) / 1000;
    // The swap: from here on every batch matches against the new index.
    this.index = index;
    this.revision = rev;
    this.m.brands.set(index.brandCount);
    this.m.tenants.set(index.tenantCount);
    this.m.keys.set(index.deletionKeyCount);
    this.m.buildSeconds.set(seconds);
    this.m.revision.set(rev);
    this.m.invalid.set(index.issues.length);
    this.m.truncated.set(droppedBrands > 0 ? 1 : 0);
    this.m.builds.inc();
    this.log.info("lookalike index built", {
      revision: rev,
      brands: index.brandCount,
      tenants: index.tenantCount,
      invalid: index.issues.length,
      seconds: Math.round(seconds * 1000) / 1000,
    });
    return index;
  }
}

type RefresherMetrics = ReturnType<typeof refresherMetrics>;

function refresherMetrics(metrics: Metrics) {
  const g = (name: string, help: string) => metrics.gauge(name, help);
  return {
    brands: g("ctwatch_lookalike_index_brands", "Watched (tenant, brand domain) entries in the index"),
    tenants: g("ctwatch_lookalike_index_tenants", "Tenants with watched brands in the index"),
    keys: g("ctwatch_lookalike_index_deletion_keys", "Keys of the index's edit-distance map (its size)"),
    buildSeconds: g("ctwatch_lookalike_index_build_seconds", "Wall time of the last index build, s"),
    revision: g("ctwatch_lookalike_watchlist_revision", "Watch-list revision of the index in use"),
    invalid: g(
      "ctwatch_lookalike_watchlist_invalid_entries",
      "Stored watch-list values left out of the index because they are invalid",
    ),
    truncated: g(
      "ctwatch_lookalike_watchlist_truncated",
      "1 when more brand items are stored than CTWATCH_LOOKALIKE_MAX_BRANDS (the rest are not watched)",
    ),
    builds: metrics.counter("ctwatch_lookalike_index_builds_total", "Index builds completed"),
    failures: metrics.counter(
      "ctwatch_lookalike_index_refresh_failures_total",
      "Failed watch-list loads (the previous index stays in use)",
    ),
  };
}
