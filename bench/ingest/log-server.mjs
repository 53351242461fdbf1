// A static-ct-api log over a replay tile set, as a separate process (so its CPU is not the
// tailer's): `node bench/ingest/log-server.mjs <entries>`. Prints one JSON line
// {url, origin, key} when ready; serves until SIGTERM.
import { ensureTileSet, leafHashes, testlog } from "./lib.mjs";

const entries = Number(process.argv[2] ?? 1_048_576);
const dir = await ensureTileSet(entries, (l) => process.stderr.write(`${l}\n`));
const hashes = leafHashes(dir, entries);
const source = {
  size: entries,
  entry() {
    throw new Error("the bench log serves data tiles from files only");
  },
  leafHash: (i) => hashes[i],
  issuer: () => undefined,
};
const log = await testlog.startTestLog({
  source,
  dataTileDir: dir,
  origin: "bench.ctwatch.test/replay",
  maxRequestsKept: 10,
});
process.stdout.write(
  `${JSON.stringify({ url: log.url, origin: log.origin, key: Buffer.from(log.publicKeyDer).toString("base64") })}\n`,
);
process.once("SIGTERM", () => void log.stop().then(() => process.exit(0)));
