// Recall on real phishing domains: a seeded sample of MetaMask's crypto phishing blocklist
// (npm eth-phishing-detect 1.2.0), each domain labelled by hand with the watched brand its
// name imitates (bench/lookalike/labels/metamask-phishing.tsv; brands in
// metamask-phishing-brands.txt, one tenant per brand). Unlike the generated positives, these
// names were chosen by attackers. Used by quality.mjs; the labels never came from the detector.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CACHE, loadMetamaskBlocklist } from "./data.mjs";

function lines(file) {
  return readFileSync(new URL(`./labels/${file}`, import.meta.url), "utf8")
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#"));
}

const pct = (a, b) => (b === 0 ? "—" : `${((100 * a) / b).toFixed(2)}%`);

/**
 * Runs the evaluation with the detector library `lib` and index `options`; returns the report
 * lines (markdown tables) and writes the misses to .bench/lookalike/real-phishing-misses.tsv.
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

  const perBrand = new Map(); // label -> { n, hit }
  const byTech = new Map();
  const misses = [];
  let positives = 0;
  let found = 0;
  let none = 0;
  let noneAlerting = 0;
  let unsure = 0;
  let invalid = 0;
  let own = 0;
  for (const line of lines("metamask-phishing.tsv")) {
    const [domain, answer] = line.split("\t");
    if (!listed.has(domain)) throw new Error(`metamask-phishing.tsv: ${domain} is not in the blocklist`);
    const ms = normalizeName(domain).ok ? index.match(domain) : undefined;
    if (answer === "none" || answer === "unsure") {
      if (answer === "unsure") unsure++;
      else {
        none++;
        if (ms !== undefined && ms.length > 0) noneAlerting++;
      }
      continue;
    }
    for (const target of answer.split(",")) {
      if (!byLabel.has(target)) throw new Error(`metamask-phishing.tsv: ${domain}: unknown brand ${target}`);
      if (byLabel.get(target).includes(domain)) {
        own++; // the brand's own domain on a blocklist: not a lookalike
        continue;
      }
      if (ms === undefined) {
        invalid++;
        continue;
      }
      positives++;
      const s = perBrand.get(target) ?? { n: 0, hit: 0 };
      perBrand.set(target, s);
      s.n++;
      const m = ms.find((x) => x.tenantId === target);
      if (m !== undefined) {
        found++;
        s.hit++;
        const t = m.techniques[0];
        byTech.set(t, (byTech.get(t) ?? 0) + 1);
      } else {
        misses.push(`${domain}\t${target}\t${ms.map((x) => x.tenantId).join(",") || "-"}`);
      }
    }
  }
  writeFileSync(join(CACHE, "real-phishing-misses.tsv"), `${misses.join("\n")}\n`);

  const out = [];
  out.push(
    `\nRecall on real phishing domains (MetaMask eth-phishing-detect 1.2.0 blocklist, ${listed.size} domains; a seeded sample labelled by target, ${brands.length} watched domains of ${byLabel.size} brands)`,
    "| labelled domains | imitate a watched brand (pairs) | detected | recall | imitate none | none that alert anyway | unsure | not a valid name | the brand's own domain |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    `| ${positives + none + unsure + invalid + own} | ${positives} | ${found} | ${pct(found, positives)} | ${none} | ${noneAlerting} | ${unsure} | ${invalid} | ${own} |`,
    "",
    "| brand | positives | detected | recall |",
    "|---|---:|---:|---:|",
  );
  const rows = [...perBrand.entries()].sort((a, b) => b[1].n - a[1].n);
  for (const [label, s] of rows.slice(0, 15)) {
    out.push(`| ${byLabel.get(label).join(" + ")} | ${s.n} | ${s.hit} | ${pct(s.hit, s.n)} |`);
  }
  const rest = rows.slice(15).reduce((a, [, s]) => ({ n: a.n + s.n, hit: a.hit + s.hit }), { n: 0, hit: 0 });
  out.push(`| ${rows.length - 15} other brands | ${rest.n} | ${rest.hit} | ${pct(rest.hit, rest.n)} |`);
  out.push(
    `\nDetected, by leading technique: ${[...byTech.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([t, c]) => `${t} ${c}`)
      .join(", ")}`,
    `Missed (${misses.length}, all in .bench/lookalike/real-phishing-misses.tsv): ${misses
      .slice(0, 25)
      .map((m) => m.split("\t").slice(0, 2).join(" ~ "))
      .join(", ")}`,
  );
  return out;
}
