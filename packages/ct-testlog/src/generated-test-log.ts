import { type GeneratedSource, type GeneratedSourceOptions, generatedSource } from "./entry-source.js";
import { startTestLog, type TestLog, type TestLogOptions } from "./test-log.js";

/** Options of `startGeneratedTestLog`. */
export interface GeneratedTestLogOptions
  extends Omit<TestLogOptions, "source" | "treeSize">,
    GeneratedSourceOptions {}

/** A test log of generated certificates that grows on demand. */
export interface GeneratedTestLog extends TestLog {
  readonly source: GeneratedSource;
  /** Generates `count` more entries and, unless `publish` is false, publishes the new tree size. */
  grow(count: number, publish?: boolean): void;
}

/**
 * Starts a log of freshly generated certificates (precertificate + final certificate per issuance,
 * chained to one CA served at /issuer/), serving static-ct-api and RFC 6962 (see `startTestLog`).
 */
export async function startGeneratedTestLog(opts: GeneratedTestLogOptions = {}): Promise<GeneratedTestLog> {
  const { domain, notBeforeMs, size, baseTimestampMs, ...server } = opts;
  const source = generatedSource({
    ...(domain !== undefined ? { domain } : {}),
    ...(notBeforeMs !== undefined ? { notBeforeMs } : {}),
    ...(size !== undefined ? { size } : {}),
    ...(baseTimestampMs !== undefined ? { baseTimestampMs } : {}),
  });
  const log = await startTestLog({ origin: "ctwatch.test/generated", ...server, source });
  return Object.assign(log, {
    source,
    grow(count: number, publish = true) {
      source.grow(count);
      if (publish) log.setTreeSize(source.size);
    },
  });
}
