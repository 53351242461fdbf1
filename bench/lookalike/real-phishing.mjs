// Recall on real phishing domains: a seeded sample of MetaMask's crypto phishing blocklist
// (npm eth-phishing-detect 1.2.0), each domain labelled by hand with the watched brand its
// name imitates (bench/lookalike/labels/metamask-phishing*.tsv; brands in
// metamask-phishing-brands.txt, one tenant per brand). Unlike the generated positives, these
// names were chosen by attackers. Used by quality.mjs; the labels never came from the detector.
//
// Two sets, in the same seeded order: the design set (the first 6,000 domains; the third
// round's rules were shaped while reading its misses) and the held-out set (the next 2,000,
// labelled after that round and not used to tune anything), so that tuning to the design set
// shows up as a gap between the two.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CACHE, loadMetamaskBlocklist } from "./data.mjs";

const SETS = [
  { name: "design set (first 6,000)", file: "metamask-phishing.tsv", misses: "real-phishing-misses.tsv" },
  {
    name: "held-out set (next 2,000)",
    file: "metamask-phishing-heldout.tsv",
    misses: "real-phishing-heldout-misses.tsv",
  },
];

function labelUrl(file) {
  return new URL(`./labels/${file}`, import.meta.url);
}

function lines(file) {
  return readFileSync(labelUrl(file), "utf8")
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#"));
}

const pct = (a, b) => (b === 0 ? "—" : `${((100 * a) / b).toFixed(2)}%`);

/** Matches every labelled domain of `file`; counts per answer, per brand and per technique. */
function evaluate(file, index, byLabel, listed, normalizeName) {
  const r = { positives: 0, found: 0, none: 0, noneAlerting: 0, unsure: 0, invalid: 0, own: 0 };
  r.perBrand = new Map(); // label -> { n, hit }
  r.byTech = new Map();
  r.misses = [];
  for (const line of lines(file)) {
    const [domain, answer] = line.split("\t");
    if (!listed.has(domain)) throw new Error(`${file}: ${domain} is not in the blocklist`);
    const ms = normalizeName(domain).ok ? index.match(domain) : undefined;
    if (answer === "none" || answer === "unsure") {
      if (answer === "unsure") r.unsure++;
      else {
        r.none++;
        if (ms !== undefined && ms.length > 0) r.noneAlerting++;
      }
      continue;
    }
    for (const target of answer.split(",")) {
      if (!byLabel.has(target)) throw new Error(`${file}: ${domain}: unknown brand ${target}`);
      if (byLabel.get(target).includes(domain)) {
        r.own++; // the brand's own domain on a blocklist: not a lookalike
        continue;
      }
      if (ms === undefined) {
        r.invalid++;
        continue;
      }
      r.positives++;
      const s = r.perBrand.get(target) ?? { n: 0, hit: 0 };
      r.perBrand.set(target, s);
      s.n++;
      const m = ms.find((x) => x.tenantId === target);
      if (m !== undefined) {
        r.found++;
        s.hit++;
        const t = m.techniques[0];
        r.byTech.set(t, (r.byTech.get(t) ?? 0) + 1);
      } else {
        r.misses.push(`${domain}\t${target}\t${ms.map((x) => x.tenantId).join(",") || "-"}`);
      }
    }
  }
  return r;
}

/**
 * Runs the evaluation with the detector library `lib` and index `options`; returns the report
 * lines (markdown tables) and writes each set's misses to .bench/lookalike/.
 */
export function realPhishingReport(lib, options) {
  const { buildLookalikeIndex, parseWatchedDomain, normalizeName } = lib;
  const brands = [];
  for (const d of lines("metamask-phishing-brands.txt")) {
    const r = parseWatchedDomain(d);
    if (!r.ok || r.value.domain !== d)
      throw new Error(`metamask-phishing-brands.txt: ${d} is not a registrable domain`);
    brands.push({ tenantId: r.value.label, domain: d });
  }
  const byLabel = new Map(); // label (tenant) -> its watched domains
  for (const b of brands) byLabel.set(b.tenantId, [...(byLabel.get(b.tenantId) ?? []), b.domain]);
  const index = buildLookalikeIndex(brands, options);
  const listed = new Set(loadMetamaskBlocklist());

  const results = [];
  for (const set of SETS) {
    if (!existsSync(labelUrl(set.file))) throw new Error(`bench/lookalike/labels/${set.file} is missing`);
    const r = evaluate(set.file, index, byLabel, listed, normalizeName);
    writeFileSync(join(CACHE, set.misses), `${r.misses.join("\n")}\n`);
    results.push({ set, r });
  }

  const out = [];
  out.push(
    `\nRecall on real phishing domains (MetaMask eth-phishing-detect 1.2.0 blocklist, ${listed.size} domains; seeded samples labelled by target, ${brands.length} watched domains of ${byLabel.size} brands)`,
    "| set | labelled domains | imitate a watched brand (pairs) | detected | recall | imitate none | none that alert anyway | unsure | not a valid name | the brand's own domain |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  );
  for (const { set, r } of results) {
    const labelled = r.positives + r.none + r.unsure + r.invalid + r.own;
    out.push(
      `| ${set.name} | ${labelled} | ${r.positives} | ${r.found} | ${pct(r.found, r.positives)} | ${r.none} | ${r.noneAlerting} | ${r.unsure} | ${r.invalid} | ${r.own} |`,
    );
  }

  // Per brand and per technique over both sets.
  const perBrand = new Map();
  const byTech = new Map();
  for (const { r } of results) {
    for (const [label, s] of r.perBrand) {
      const t = perBrand.get(label) ?? { n: 0, hit: 0 };
      perBrand.set(label, { n: t.n + s.n, hit: t.hit + s.hit });
    }
    for (const [tech, c] of r.byTech) byTech.set(tech, (byTech.get(tech) ?? 0) + c);
  }
  out.push("", "| brand (both sets) | positives | detected | recall |", "|---|---:|---:|---:|");
  const rows = [...perBrand.entries()].sort((a, b) => b[1].n - a[1].n);
  for (const [label, s] of rows.slice(0, 15)) {
    out.push(`| ${byLabel.get(label).join(" + ")} | ${s.n} | ${s.hit} | ${pct(s.hit, s.n)} |`);
  }
  const rest = rows.slice(15).reduce((a, [, s]) => ({ n: a.n + s.n, hit: a.hit + s.hit }), { n: 0, hit: 0 });
  out.push(`| ${rows.length - 15} other brands | ${rest.n} | ${rest.hit} | ${pct(rest.hit, rest.n)} |`);
  out.push(
    `\nDetected (both sets), by leading technique: ${[...byTech.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([t, c]) => `${t} ${c}`)
      .join(", ")}`,
  );
  for (const { set, r } of results) {
    out.push(
      `Missed in the ${set.name} (${r.misses.length}, all in .bench/lookalike/${set.misses}): ${r.misses
        .slice(0, 20)
        .map((m) => m.split("\t").slice(0, 2).join(" ~ "))
        .join(", ")}`,
    );
  }
  return out;
}
