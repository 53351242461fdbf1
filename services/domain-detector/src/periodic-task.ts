import { isAbortError, type Logger, type Stoppable, sleep } from "@ctwatch/runtime";

/**
 * Runs `run` every `intervalMs` (after each run completes, so runs never
 * overlap) until stopped. A failing run is logged and the next one happens on
 * schedule. `stop()` aborts the wait, lets a running call see the signal, and
 * resolves when it has returned. Idempotent.
 */
export function startPeriodicTask(
  name: string,
  intervalMs: number,
  run: (signal: AbortSignal) => Promise<unknown>,
  logger: Logger,
  initialDelayMs = intervalMs,
): Stoppable {
  const ac = new AbortController();
  const loop = (async () => {
    let wait = initialDelayMs;
    while (!ac.signal.aborted) {
      try {
        await sleep(wait, ac.signal);
        await run(ac.signal);
      } catch (err) {
        if (ac.signal.aborted || isAbortError(err)) return;
        logger.error(`${name} failed; trying again next period`, { err });
      }
      wait = intervalMs;
    }
  })();
  let stopping: Promise<void> | undefined;
  return {
    name,
    stop() {
      stopping ??= (async () => {
        ac.abort(new Error(`${name} stopping`));
        await loop;
      })();
      return stopping;
    },
  };
}
