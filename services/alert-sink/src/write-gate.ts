import type { Alert } from "@ctwatch/proto";
import type {
  AlertStore,
  DeliveryRecord,
  ParkedDeliveryStore,
  ParkedQuery,
  ParkInput,
  UpsertResult,
} from "@ctwatch/store";

/**
 * Runs the sink's multi-document store writes one at a time, in call order.
 *
 * Why: FerretDB 1.24 (SQLite backend) holds one pooled SQLite connection per update
 * of an existing document until its command ends, with at most 100 per database:
 * an update command of 100 or more updates, or several smaller ones at once (three
 * concurrent 80-document `markDeliveredMany`), never finishes, and every later
 * command on that database waits behind them until the client disconnects. That is
 * how a restarted sink stalled with nothing delivered. The stores write in chunks
 * of 50; this gate keeps the tenant fan-out and the redelivery loop from adding
 * chunks up. MongoDB needs neither, and one writer per process costs little: every
 * write is a bulk write. Reads are not gated. A failed write does not block later ones.
 */
export class WriteGate {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every write queued before it has settled. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn, fn);
    this.#tail = result.catch(() => {});
    return result;
  }
}

/** `store` with its writes (`upsert*`, `markDelivered*`) passed through `gate`. */
export function gatedAlertStore(store: AlertStore, gate: WriteGate): AlertStore {
  return {
    upsert: (alert: Alert): Promise<UpsertResult> => gate.run(() => store.upsert(alert)),
    upsertMany: (alerts: readonly Alert[]) => gate.run(() => store.upsertMany(alerts)),
    markDelivered: (alertId: string, outcomes: Record<string, DeliveryRecord>) =>
      gate.run(() => store.markDelivered(alertId, outcomes)),
    markDeliveredMany: (entries) => gate.run(() => store.markDeliveredMany(entries)),
    get: (tenantId, alertId) => store.get(tenantId, alertId),
    list: (q) => store.list(q),
  };
}

/** `store` with its writes (`park`, `remove`) passed through `gate`. */
export function gatedParkedStore(store: ParkedDeliveryStore, gate: WriteGate): ParkedDeliveryStore {
  return {
    park: (entries: readonly ParkInput[]) => gate.run(() => store.park(entries)),
    remove: (destinationId: string, alertIds: readonly string[]) =>
      gate.run(() => store.remove(destinationId, alertIds)),
    list: (q: ParkedQuery) => store.list(q),
    destinations: () => store.destinations(),
    count: (q) => store.count(q),
  };
}
