// Lookalike detection throughput: names/s on one core with 1k, 10k and 50k watched brands,
// against a brute-force baseline (fastest-levenshtein over every brand label) in the same
// run, plus the index's heap. Run: node --expose-gc bench/lookalike/throughput.mjs
// (after scripts/lookalike-quality.sh has fetched the corpora; it also runs this with `bench`).
// Env: LOOKALIKE_PRESET, LOOKALIKE_OPTS (as in quality.mjs), LOOKALIKE_BENCH_SIZES=1000,10000,
// LOOKALIKE_BENCH_NAMES=200000.
import { createRequire } from "node:module";
import { DIST, hashOrder, loadCtNames, loadTranco, rng } from "./data.mjs";

const lib = await import(DIST);
const { buildLookalikeIndex, parseWatchedDomain, normalizeName } = lib;
const require = createRequire(DIST);
const { distance } = require("fastest-levenshtein");
const tldts = require("tldts");

if (typeof globalThis.gc !== "function") {
  console.error("run with node --expose-gc for the memory column");
}
const gc = () => {
  if (typeof globalThis.gc === "function") {
    globalThis.gc();
    globalThis.gc();
  }
};

const preset = process.env.LOOKALIKE_PRESET ?? "balanced";
const options = { ...lib.LOOKALIKE_PRESETS[preset], ...JSON.parse(process.env.LOOKALIKE_OPTS ?? "{}") };
const SIZES = (process.env.LOOKALIKE_BENCH_SIZES ?? "1000,10000,50000").split(",").map(Number);
const STREAM = Number(process.env.LOOKALIKE_BENCH_NAMES ?? 200000);

const tranco = loadTranco();
const ordered = hashOrder(tranco, "brands");
const brandPool = [];
for (const d of ordered) {
  if (brandPool.length >= Math.max(...SIZES)) break;
  const r = parseWatchedDomain(d);
  if (r.ok && r.value.domain === d) brandPool.push(r.value);
}

// A CT-like name stream: certificate SANs (real fixture names), subdomains of real sites,
// bare registrable domains, and 2% typos of watched brands.
function makeStream(brands, n) {
  const rand = rng(7);
  const ct = loadCtNames();
  const subs = ["www", "mail", "api", "cdn", "portal", "login", "dev", "staging", "app", "vpn", "*"];
  const out = [];
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.3) out.push(ct[Math.floor(rand() * ct.length)]);
    else if (r < 0.7) {
      const host = tranco[Math.floor(rand() * tranco.length)];
      const s = subs[Math.floor(rand() * subs.length)];
      out.push(`${s}.${host}`);
    } else if (r < 0.98) out.push(tranco[Math.floor(rand() * tranco.length)]);
    else {
      const b = brands[Math.floor(rand() * brands.length)];
      const k = Math.floor(rand() * b.label.length);
      out.push(`${b.label.slice(0, k)}${b.label.slice(k + 1)}x.${b.suffix}`);
    }
  }
  return out;
}

/** Brute force: registrable label of the name against every brand label, Levenshtein <= 1. */
function bruteForce(brands, names) {
  const labels = brands.map((b) => b.label);
  let alerts = 0;
  const t = performance.now();
  for (const name of names) {
    const n = normalizeName(name);
    if (!n.ok) continue;
    const p = tldts.parse(n.name.ascii, { allowPrivateDomains: true, extractHostname: false });
    if (p.domainWithoutSuffix === null || p.domainWithoutSuffix === "") continue;
    const core = p.domainWithoutSuffix;
    for (const l of labels) {
      if (Math.abs(l.length - core.length) <= 1 && distance(core, l) <= 1) alerts++;
    }
  }
  return { seconds: (performance.now() - t) / 1000, alerts };
}

const rows = [];
for (const size of SIZES) {
  const brands = brandPool.slice(0, size);
  const input = brands.map((b, i) => ({
    tenantId: `tenant-${i % Math.max(1, size / 10)}`,
    domain: b.domain,
  }));
  gc();
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  let index = buildLookalikeIndex(input, options);
  const buildMs = performance.now() - t0;
  gc();
  const heapMb = (process.memoryUsage().heapUsed - before) / 1048576;
  const names = makeStream(brands, STREAM);
  // Warm-up, then the timed pass.
  for (let i = 0; i < 20000; i++) index.match(names[i % names.length]);
  let alerts = 0;
  const t1 = performance.now();
  for (const name of names) alerts += index.match(name).length;
  const seconds = (performance.now() - t1) / 1000;
  const sample = names.slice(0, Math.max(200, Math.min(20000, Math.round(4e7 / size))));
  const bf = bruteForce(brands, sample);
  rows.push({
    size,
    brands: index.brandCount,
    tenants: index.tenantCount,
    keys: index.deletionKeyCount,
    buildMs,
    heapMb,
    rate: names.length / seconds,
    alertsPer1k: (1000 * alerts) / names.length,
    bfRate: sample.length / bf.seconds,
    bfSample: sample.length,
  });
  index = undefined;
  gc();
}

console.log(
  `Lookalike throughput — one core, node ${process.version}, ${STREAM} names per run, preset ${preset} ${JSON.stringify(options)}`,
);
console.log(
  "| watched brands | tenants | deletion keys | build | index heap | index names/s | brute force names/s (sample) | speed-up | alerts / 1k names |",
);
console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const r of rows) {
  console.log(
    `| ${r.brands} | ${r.tenants} | ${r.keys} | ${(r.buildMs / 1000).toFixed(2)} s | ${r.heapMb.toFixed(1)} MB | ${Math.round(
      r.rate,
    ).toLocaleString("en-US")} | ${Math.round(r.bfRate).toLocaleString("en-US")} (${r.bfSample}) | ${(
      r.rate / r.bfRate
    ).toFixed(0)}x | ${r.alertsPer1k.toFixed(2)} |`,
  );
}
