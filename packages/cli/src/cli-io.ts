import type { ApiClient, ApiClientOptions } from "@ctwatch/api-client";

/** Everything the CLI touches outside itself; `main.ts` passes the process's, tests their own. */
export interface CliIo {
  /** Writes one line of results to stdout. */
  out(line: string): void;
  /** Writes one line of diagnostics to stderr. */
  err(line: string): void;
  /** Environment variables (CTWATCH_API_URL, CTWATCH_API_TOKEN, CTWATCH_API_CA_FILE...). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads a file (config files, secrets given as @path); "-" is stdin. */
  readFile(path: string): Promise<string>;
  /** Creates the API client. */
  connect(options: ApiClientOptions): ApiClient;
  /** Aborted on Ctrl-C: `alerts follow` stops cleanly. */
  readonly signal: AbortSignal;
  /** Clock, ms. */
  now(): number;
}

/** A command line the CLI cannot run: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
