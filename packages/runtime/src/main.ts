import { ConfigError } from "./config.js";
import type { Logger } from "./logger.js";

/** What `runMain` needs from the process (passed in: library code never reads globals). */
export interface ProcessLike {
  on(event: "SIGINT" | "SIGTERM", fn: () => void): unknown;
  exitCode?: number | string | null | undefined;
  exit(code?: number): never;
  stderr: { write(text: string): unknown };
}

/** Options of `runMain`. */
export interface RunMainOptions {
  name: string;
  proc: ProcessLike;
  logger: Logger;
  /**
   * The service body: starts everything, returns when `signal` aborts and
   * everything has been stopped in order (or rejects on a fatal error).
   */
  main: (signal: AbortSignal) => Promise<void>;
}

/**
 * The edge of every service: turns SIGINT/SIGTERM into an AbortSignal, awaits
 * the orderly shutdown, and sets the exit code (0 clean, 2 configuration error,
 * 1 fatal error). A second signal exits at once with 130.
 */
export async function runMain(opts: RunMainOptions): Promise<void> {
  const ac = new AbortController();
  let signals = 0;
  const onSignal = () => {
    signals += 1;
    if (signals === 1) {
      opts.logger.info("shutting down", { service: opts.name });
      ac.abort(new Error("shutdown requested"));
    } else {
      opts.logger.warn("second signal: exiting now", { service: opts.name });
      opts.proc.exit(130);
    }
  };
  opts.proc.on("SIGINT", onSignal);
  opts.proc.on("SIGTERM", onSignal);
  try {
    await opts.main(ac.signal);
    opts.proc.exitCode = 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      // Plain text: a person reads this at the terminal or in the pod's events.
      opts.proc.stderr.write(`${opts.name}: ${err.message}\n`);
      opts.proc.exitCode = 2;
    } else {
      opts.logger.error("fatal", { service: opts.name, err });
      opts.proc.exitCode = 1;
    }
  }
}
