import type { WatchItemKind, WatchItemRecord } from "./watchlist-store.js";

/** What a cache reads: a revision that changes on every write, and the records of one kind. */
export interface RevisionedSource<K, R> {
  revision(): Promise<number>;
  list(kind: K): Promise<R[]>;
}

/**
 * A derived structure (an index) over all watch items (or pins) of one kind,
 * rebuilt when the watch-list revision changes. `current()` checks the revision at most once
 * per `refreshMs`, so a detector picks up changes within that time, without a
 * restart, at the cost of one small read.
 */
export class WatchlistCache<T, K = WatchItemKind, R = WatchItemRecord> {
  private value: T | undefined;
  private revision = -1;
  private checkedAtMs = 0;
  private loading: Promise<T> | undefined;

  constructor(
    private readonly store: RevisionedSource<K, R>,
    private readonly kind: K,
    private readonly build: (items: R[]) => T,
    private readonly refreshMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The structure for the newest revision seen; loads on first use. Rejects when the store fails. */
  async current(): Promise<T> {
    if (this.value !== undefined && this.now() - this.checkedAtMs < this.refreshMs) return this.value;
    this.loading ??= this.refresh().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async refresh(): Promise<T> {
    const rev = await this.store.revision();
    this.checkedAtMs = this.now();
    if (this.value !== undefined && rev === this.revision) return this.value;
    const items = await this.store.list(this.kind);
    this.value = this.build(items);
    this.revision = rev;
    return this.value;
  }
}
