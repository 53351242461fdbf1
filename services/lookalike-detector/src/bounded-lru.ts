/**
 * A map that keeps at most `capacity` entries, evicting the least recently used one
 * (insertion order of a `Map`, refreshed on `get` and `set`). Lookups and updates are O(1).
 */
export class BoundedLru<K, V> {
  private readonly map = new Map<K, V>();

  /** `capacity` >= 1. */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError("capacity must be a positive integer");
  }

  /** The value, marking the entry as recently used; undefined when absent. */
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  /** Whether the key is present (does not refresh it). */
  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Sets the value, marking it recently used; evicts the oldest entry beyond the capacity. */
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
  }

  /** Number of entries (<= capacity). */
  get size(): number {
    return this.map.size;
  }
}
