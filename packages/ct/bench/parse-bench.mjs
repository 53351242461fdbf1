// Micro-benchmark: replays the 1,034 real Navigli2025h2 tile entries (tile/data/000..003 and the
// partial 003.p/10) and prints entries/s for this package's pipeline and, as a baseline, for Node's
// crypto.X509Certificate on the same DERs. Single thread.
//
//   (cd packages/ct && ../../node_modules/.bin/tsc -p tsconfig.json)   # builds dist/
//   node packages/ct/bench/parse-bench.mjs [rounds]
import { X509Certificate } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { issuanceKey, parseCertificate, splitDataTile, tileLeafToLogEntry } from "../dist/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const tiles = path.resolve(here, "../../../test/fixtures/ct/navigli2025h2/tile/data");
const files = [
  ["000", 0],
  ["001", 1],
  ["002", 2],
  ["003", 3],
  ["003.p/10", 3],
];
const data = files.map(([f, index]) => ({
  bytes: new Uint8Array(fs.readFileSync(path.join(tiles, f))),
  index,
}));
const rounds = Number(process.argv[2] ?? 20);

const leaves = data.flatMap((t) => splitDataTile(t.bytes, { tileIndex: t.index }));
const ders = leaves.map((l) => l.preCertificate);
const perRound = leaves.length;

function bench(name, fn) {
  fn(); // warm-up
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) sink += fn();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const n = rounds * perRound;
  console.log(
    `${name.padEnd(64)} ${Math.round(n / s)
      .toLocaleString("en-US")
      .padStart(9)} entries/s  (${n} in ${s.toFixed(2)} s)`,
  );
  return sink;
}

console.log(`node ${process.version}, ${perRound} entries x ${rounds} rounds`);
bench("tile split + leaf hash (splitDataTile)", () => {
  let n = 0;
  for (const t of data) n += splitDataTile(t.bytes, { tileIndex: t.index }).length;
  return n;
});
bench("certificate fields only (parseCertificate)", () => {
  let n = 0;
  for (const d of ders) n += parseCertificate(d).dnsNames.length;
  return n;
});
bench("issuance key only (issuanceKey of the logged TBS)", () => {
  let n = 0;
  for (const l of leaves) n += issuanceKey(l.signedEntry)[0];
  return n;
});
bench("FULL: tile parse + leaf hash + cert parse + issuance key", () => {
  let n = 0;
  for (const t of data) {
    for (const leaf of splitDataTile(t.bytes, { tileIndex: t.index })) {
      const e = tileLeafToLogEntry(leaf);
      n += e.certificate.dnsNames.length + e.issuanceKey[0] + e.leafHash[0];
    }
  }
  return n;
});
bench("baseline: new X509Certificate(der)", () => {
  let n = 0;
  for (const d of ders) n += new X509Certificate(d).raw.length;
  return n;
});
bench("baseline: X509Certificate + subject/issuer/SAN/serial/validity/sha256", () => {
  let n = 0;
  for (const d of ders) {
    const x = new X509Certificate(d);
    n += (x.subject?.length ?? 0) + x.issuer.length + (x.subjectAltName?.length ?? 0) + x.serialNumber.length;
    n += x.validFrom.length + x.validTo.length + x.fingerprint256.length;
  }
  return n;
});
