import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { sealDestinationConfig } from "../config.js";
import { createDestination, type DestinationDeps } from "../create-destination.js";
import type { SiemDestination } from "../destination.js";
import type { LogFields, Logger } from "../logger.js";
import { SecretBox } from "../secret-box.js";

/** A logger that keeps every line, rendered the way a JSON logger would write it. */
export class CapturingLogger implements Logger {
  readonly lines: string[] = [];
  debug(msg: string, fields?: LogFields): void {
    this.#push("debug", msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.#push("info", msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.#push("warn", msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.#push("error", msg, fields);
  }
  /** Everything logged, as one string. */
  get text(): string {
    return this.lines.join("\n");
  }
  #push(level: string, msg: string, fields?: LogFields): void {
    this.lines.push(`${level} ${msg} ${JSON.stringify(fields ?? {})} ${inspect(fields ?? {}, { depth: 8 })}`);
  }
}

/** A SecretBox with a random key, for tests. */
export function testSecretBox(): SecretBox {
  return new SecretBox({ currentKeyId: "test", keys: { test: new Uint8Array(randomBytes(32)) } });
}

/**
 * Seals a plain test config and builds its destination against local receivers
 * (http allowed). Returns the logger so tests can inspect what was logged.
 */
export function buildDestination(
  plain: Readonly<Record<string, unknown>>,
  deps: Partial<DestinationDeps> = {},
): { destination: SiemDestination; logger: CapturingLogger; box: SecretBox } {
  const box = deps.secretBox ?? testSecretBox();
  const logger = (deps.logger as CapturingLogger | undefined) ?? new CapturingLogger();
  const stored = sealDestinationConfig(plain, box, { allowInsecureHttp: true });
  const destination = createDestination(stored, { allowInsecureHttp: true, ...deps, secretBox: box, logger });
  return { destination, logger, box };
}

/** A signal that never aborts. */
export function neverAborted(): AbortSignal {
  return new AbortController().signal;
}
