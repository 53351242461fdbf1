// A/B throughput of two builds of @ctwatch/detect-lookalike in one process: the same 10k
// brands and 200,000-name stream, alternating runs, so a shared machine's drift hits both.
//
//   git checkout <ref> -- packages/detect-lookalike/src && node_modules/.bin/tsc -b packages/detect-lookalike
//   cp -r packages/detect-lookalike/dist packages/detect-lookalike/dist-base
//   git checkout HEAD -- packages/detect-lookalike/src && node_modules/.bin/tsc -b packages/detect-lookalike
//   node bench/lookalike/compare-builds.mjs packages/detect-lookalike/dist-base   # then rm -r it
//
// (The baseline dist stays inside the package so it resolves the same dependencies.)
// Env: LOOKALIKE_AB_ROUNDS (default 6), LOOKALIKE_AB_OPTS (index options for both, JSON).
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { DIST, hashOrder, loadCtNames, loadTranco, rng } from "./data.mjs";

const baseDir = process.argv[2];
if (!baseDir) {
  console.error("usage: node bench/lookalike/compare-builds.mjs <baseline dist dir>");
  process.exit(2);
}
const builds = {
  current: await import(DIST),
  baseline: await import(pathToFileURL(resolve(baseDir, "index.js")).href),
};
const ROUNDS = Number(process.env.LOOKALIKE_AB_ROUNDS ?? 6);
const tranco = loadTranco();
const pool = [];
for (const d of hashOrder(tranco, "brands")) {
  if (pool.length >= 10000) break;
  const r = builds.current.parseWatchedDomain(d);
  if (r.ok && r.value.domain === d) pool.push(r.value.domain);
}
const brands = pool.map((domain, i) => ({ tenantId: `t${i % 1000}`, domain }));
const rand = rng(7);
const ct = loadCtNames();
const subs = ["www", "mail", "api", "cdn", "*"];
const names = [];
for (let i = 0; i < 200000; i++) {
  const r = rand();
  if (r < 0.3) names.push(ct[Math.floor(rand() * ct.length)]);
  else if (r < 0.7)
    names.push(`${subs[Math.floor(rand() * subs.length)]}.${tranco[Math.floor(rand() * tranco.length)]}`);
  else names.push(tranco[Math.floor(rand() * tranco.length)]);
}
// LOOKALIKE_AB_OPTS: index options (JSON) for both builds, e.g. '{"threeEditMinLength":16}'.
const options = JSON.parse(process.env.LOOKALIKE_AB_OPTS ?? "{}");
const indexes = Object.fromEntries(
  Object.entries(builds).map(([k, lib]) => [k, lib.buildLookalikeIndex(brands, options)]),
);
const rates = { current: [], baseline: [] };
const alerts = { current: 0, baseline: 0 };
for (let round = 0; round < ROUNDS; round++) {
  for (const k of round % 2 === 0 ? ["baseline", "current"] : ["current", "baseline"]) {
    const t = performance.now();
    let a = 0;
    for (const n of names) a += indexes[k].match(n).length;
    rates[k].push(Math.round(names.length / ((performance.now() - t) / 1000)));
    alerts[k] = a;
  }
}
console.log(`10,000 brands, ${names.length} names, ${ROUNDS} alternating runs (names/s, one core)`);
for (const k of ["baseline", "current"]) {
  const v = [...rates[k]].sort((x, y) => x - y);
  console.log(
    `${k.padEnd(8)}  median ${v[Math.floor(v.length / 2)]}  runs ${v.join(" ")}  matches ${alerts[k]}`,
  );
}
