/**
 * @ctwatch/dns against a real authoritative server: BIND9 from Debian's packages,
 * started by scripts/infra/dns/up.sh on 127.0.0.1 with the zones in
 * scripts/infra/dns/zones (CAA on a parent only, issuewild only, an unknown
 * critical tag, CNAMEs into Azure, asuid TXT, zones that fail to load).
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { evaluateCaa } from "@ctwatch/detectors";
import { DnsResolver, findRelevantCaa, hasTxtRecord, parseDnsServers, resolveCnameChain } from "@ctwatch/dns";
import { beforeAll, describe, expect, it } from "@jest/globals";
import { repoRoot } from "../harness/infra.js";

/** Starts (or reuses) the test DNS server; returns its address. */
async function startTestDns(): Promise<{ host: string; port: number }> {
  const { stdout } = await promisify(execFile)("bash", [path.join(repoRoot, "scripts/infra/dns/up.sh")], {
    cwd: repoRoot,
    timeout: 10 * 60_000,
  });
  const m = /CTWATCH_TEST_DNS_SERVER=(\S+)/.exec(stdout);
  if (!m?.[1]) throw new Error(`scripts/infra/dns/up.sh printed no server: ${stdout}`);
  const servers = parseDnsServers(m[1]);
  if (servers === "system" || !servers[0]) throw new Error(`bad server ${m[1]}`);
  return servers[0];
}

describe("DNS against BIND9 (test zones)", () => {
  let resolver: DnsResolver;

  beforeAll(async () => {
    const server = await startTestDns();
    resolver = new DnsResolver({ servers: [server], timeoutMs: 1000, attempts: 2, queriesPerSecond: 500 });
  });

  const LE = ["letsencrypt.org"];

  it.each<[string, string, boolean, string, string]>([
    ["CAA on the parent only", "deep.www.parent-only.test", false, "parent-only.test", "allowed"],
    ["issuewild only, plain name", "www.wild-only.test", false, "wild-only.test", "no-policy"],
    ["issuewild only, wildcard", "*.wild-only.test", true, "wild-only.test", "not-allowed"],
    ["unknown critical tag", "www.critical.test", false, "critical.test", "not-allowed"],
    ['issue ";"', "www.deny.test", false, "deny.test", "not-allowed"],
    ["RFC 8657 parameters", "api.params.test", false, "params.test", "allowed"],
    [
      "CNAME to a target with its own CAA",
      "shop.cname-caa.test",
      false,
      "shop.cname-caa.test",
      "not-allowed",
    ],
    ["sibling of that CNAME uses the apex", "www.cname-caa.test", false, "cname-caa.test", "allowed"],
  ])("%s: %s", async (_case, name, wildcard, relevant, verdict) => {
    const rel = await findRelevantCaa(resolver, name);
    expect(rel.status).toBe("found");
    if (rel.status !== "found") return;
    expect(rel.relevantDomain).toBe(relevant);
    expect(evaluateCaa({ wildcard, records: rel.records, caDomains: LE }).outcome).toBe(verdict);
  });

  it("reports the unverifiable RFC 8657 parameters", async () => {
    const rel = await findRelevantCaa(resolver, "params.test");
    if (rel.status !== "found") throw new Error(rel.status);
    expect(evaluateCaa({ wildcard: false, records: rel.records, caDomains: LE })).toMatchObject({
      unverifiable: ["accounturi", "validationmethods"],
    });
  });

  it("follows the CNAME into the other zone for the CAA set", async () => {
    expect(await findRelevantCaa(resolver, "shop.cname-caa.test")).toMatchObject({
      chain: ["shop.cname-caa.test", "shop.caa-target.test"],
      records: [{ flags: 0, tag: "issue", value: "digicert.com" }],
    });
  });

  it("finds no CAA anywhere above a name outside the CAA zones", async () => {
    expect(await findRelevantCaa(resolver, "plain.takeover.test")).toEqual({ status: "none" });
  });

  it("reports a zone that fails to load (SERVFAIL) as a failed search, on the name and under it", async () => {
    expect(await findRelevantCaa(resolver, "www.servfail.test")).toMatchObject({
      status: "failed",
      outcome: "servfail",
    });
    expect(await findRelevantCaa(resolver, "x.broken.parent-only.test")).toMatchObject({
      status: "failed",
      atName: "x.broken.parent-only.test",
      outcome: "servfail",
    });
  });

  it.each<[string, string[], string]>([
    ["CNAME into Azure, NXDOMAIN", ["dangling.takeover.test", "gone-app.azurewebsites.net"], "nxdomain"],
    ["CNAME into Azure that resolves", ["alive.takeover.test", "live-app.azurewebsites.net"], "answer"],
    [
      "through Traffic Manager to a deleted App Service",
      ["tm.takeover.test", "ctwatch-tm.trafficmanager.net", "gone-behind-tm.azurewebsites.net"],
      "nxdomain",
    ],
    ["CNAME outside Azure, NXDOMAIN", ["elsewhere.takeover.test", "gone.elsewhere-cloud.test"], "nxdomain"],
    ["CNAME into a zone that fails", ["flaky.takeover.test", "app.broken.azurewebsites.net"], "failed"],
    ["no CNAME", ["plain.takeover.test"], "answer"],
  ])("%s", async (_case, chain, outcome) => {
    const name = chain[0] as string;
    const r = await resolveCnameChain(resolver, name);
    expect(r.outcome).toBe(outcome);
    // BIND answers SERVFAIL for the first name already when it chases into its own broken zone.
    if (outcome !== "failed") expect(r.chain).toEqual(chain);
  });

  it("sees the asuid TXT record", async () => {
    expect(await hasTxtRecord(resolver, "asuid.protected.takeover.test")).toBe(true);
    expect(await hasTxtRecord(resolver, "asuid.dangling.takeover.test")).toBe(false);
  });

  it("times out against a port nobody answers, as a failure", async () => {
    const silent = new DnsResolver({
      servers: [{ host: "127.0.0.1", port: 9 }],
      timeoutMs: 200,
      attempts: 1,
    });
    const r = await silent.lookup("www.parent-only.test", "CAA");
    expect(["timeout", "error"]).toContain(r.outcome);
    expect((await findRelevantCaa(silent, "www.parent-only.test")).status).toBe("failed");
  });
});
