import type { Logger } from "./logger.js";

/** A long-lived part of a service. `stop()` must be idempotent and bounded. */
export interface Stoppable {
  readonly name: string;
  stop(): Promise<void>;
}

/** Wraps an async function so that it runs at most once; later calls share the first promise. */
export function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    p ??= fn();
    return p;
  };
}

/**
 * Stops components in the reverse order of registration (intake first when
 * intake was registered last), each under its own timeout. Stopping is
 * idempotent: a second `stopAll` returns the first one's promise.
 */
export class Lifecycle {
  private readonly components: Stoppable[] = [];
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly perComponentTimeoutMs = 15_000,
  ) {}

  /** Registers a component; returns it for chaining. */
  add<T extends Stoppable>(c: T): T {
    if (this.stopping) throw new Error(`cannot add ${c.name}: lifecycle is stopping`);
    this.components.push(c);
    return c;
  }

  /** Stops everything registered, last-added first. Never rejects; failures are logged. */
  stopAll(): Promise<void> {
    this.stopping ??= (async () => {
      for (const c of [...this.components].reverse()) {
        const started = Date.now();
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            c.stop(),
            new Promise<never>((_, reject) => {
              timer = setTimeout(
                () => reject(new Error(`timed out after ${this.perComponentTimeoutMs} ms`)),
                this.perComponentTimeoutMs,
              );
            }),
          ]);
          this.logger.debug("stopped", { component: c.name, ms: Date.now() - started });
        } catch (err) {
          this.logger.error("stop failed", { component: c.name, err });
        } finally {
          clearTimeout(timer);
        }
      }
    })();
    return this.stopping;
  }
}

/** Resolves after `ms`, or rejects with the signal's reason when aborted first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Resolves when `signal` aborts. */
export function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

/** True for the errors an AbortSignal produces: cancellation is not failure. */
export function isAbortError(err: unknown): boolean {
  return err instanceof Error && (err.name === "AbortError" || err.name === "TimeoutError");
}
