import path from "node:path";
import { fixtureTileEntries, listSource } from "./entry-source.js";
import { type InjectedFault, startTestLog, type TestLog, type TestLogOptions } from "./test-log.js";

export type { InjectedFault };

/** Options of `startStaticCtTestLog`. */
export interface StaticCtTestLogOptions extends Omit<TestLogOptions, "source"> {
  /** Directory holding `tile/data/` full tiles (e.g. test/fixtures/ct/navigli2025h2). */
  dir: string;
}

/** A running local log over real tiles (see {@link startTestLog}). */
export type StaticCtTestLog = TestLog;

/**
 * Serves a static-ct-api log (and the RFC 6962 read API) over the entries of a directory of real
 * data tiles: data tiles are re-encoded from the entries (byte-identical to the originals for full
 * tiles; partial tiles for any tree size), hash tiles of every level are computed, and tree heads
 * are signed by a key generated at start. The real log's key cannot sign, so tests give the tailer
 * this log's key.
 */
export async function startStaticCtTestLog(opts: StaticCtTestLogOptions): Promise<StaticCtTestLog> {
  const { dir, ...rest } = opts;
  return startTestLog({
    origin: `ctwatch.test/${path.basename(path.resolve(dir))}`,
    ...rest,
    source: listSource(fixtureTileEntries(dir)),
  });
}
