import { createSocket, type Socket } from "node:dgram";
import { createServer, type Server } from "node:net";
import { MetricsRegistry } from "@ctwatch/runtime";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import dnsPacket from "dns-packet";
import { findRelevantCaa } from "./caa-lookup.js";
import { hasTxtRecord, resolveCnameChain } from "./cname-chain.js";
import { DnsResolver } from "./dns-resolver.js";
import { parseDnsServers } from "./dns-servers.js";

type Reply = { rcode?: string; answers?: dnsPacket.Answer[]; truncate?: boolean; drop?: boolean };

/** A tiny in-process DNS server over UDP and TCP answering from a table (name + type -> reply). */
class TableDnsServer {
  readonly seen: string[] = [];
  private udp!: Socket;
  private tcp!: Server;
  port = 0;

  constructor(private readonly table: Record<string, Reply>) {}

  async start(): Promise<void> {
    this.udp = createSocket("udp4");
    await new Promise<void>((r) => this.udp.bind(0, "127.0.0.1", r));
    this.port = this.udp.address().port;
    this.udp.on("message", (msg, rinfo) => {
      const out = this.answer(msg, false);
      if (out) this.udp.send(out, rinfo.port, rinfo.address);
    });
    this.tcp = createServer((sock) => {
      sock.on("data", (d: Buffer) => {
        const out = this.answer(d.subarray(2), true);
        if (!out) return;
        const framed = Buffer.alloc(out.length + 2);
        framed.writeUInt16BE(out.length);
        out.copy(framed, 2);
        sock.end(framed);
      });
    });
    await new Promise<void>((r) => this.tcp.listen(this.port, "127.0.0.1", r));
  }

  async stop(): Promise<void> {
    this.udp.close();
    await new Promise((r) => this.tcp.close(r));
  }

  private answer(msg: Buffer, overTcp: boolean): Buffer | undefined {
    const q = dnsPacket.decode(msg);
    const question = q.questions?.[0];
    if (!question) return undefined;
    const key = `${question.name.toLowerCase()} ${question.type}`;
    this.seen.push(`${overTcp ? "tcp" : "udp"} ${key}`);
    const reply = this.table[key] ?? this.table[`${question.name.toLowerCase()} *`] ?? { rcode: "NXDOMAIN" };
    if (reply.drop) return undefined;
    const truncated = reply.truncate === true && !overTcp;
    const rcodes: Record<string, number> = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 };
    return dnsPacket.encode({
      type: "response",
      id: q.id,
      flags:
        dnsPacket.AUTHORITATIVE_ANSWER |
        (truncated ? dnsPacket.TRUNCATED_RESPONSE : 0) |
        (rcodes[reply.rcode ?? "NOERROR"] ?? 0),
      questions: [question],
      answers: truncated ? [] : (reply.answers ?? []),
      authorities:
        (reply.answers ?? []).length === 0
          ? [{ type: "SOA", name: "test", ttl: 60, data: { mname: "ns.test", rname: "h.test", minimum: 30 } }]
          : [],
    });
  }
}

const caa = (name: string, flags: number, tag: string, value: string): dnsPacket.Answer => ({
  type: "CAA",
  name,
  ttl: 60,
  data: { flags, tag: tag as "issue", value },
});
const cname = (name: string, target: string): dnsPacket.Answer => ({
  type: "CNAME",
  name,
  ttl: 60,
  data: target,
});
const a = (name: string): dnsPacket.Answer => ({ type: "A", name, ttl: 60, data: "192.0.2.1" });

describe("DnsResolver against an in-process server", () => {
  const server = new TableDnsServer({
    "example.test CAA": { answers: [caa("example.test", 0, "issue", "letsencrypt.org")] },
    "www.example.test CAA": {},
    "deep.www.example.test CAA": { rcode: "NXDOMAIN" },
    "broken.example.test CAA": { rcode: "SERVFAIL" },
    "x.broken.example.test CAA": { rcode: "NXDOMAIN" },
    "slow.example.test *": { drop: true },
    "alias.example.test CAA": { answers: [cname("alias.example.test", "target.other.test")] },
    "target.other.test CAA": { answers: [caa("target.other.test", 0, "issue", "pki.goog")] },
    "app.example.test A": { answers: [cname("app.example.test", "gone.azurewebsites.net")] },
    "gone.azurewebsites.net A": { rcode: "NXDOMAIN" },
    "live.example.test A": { answers: [cname("live.example.test", "live.azurewebsites.net")] },
    "live.azurewebsites.net A": { answers: [a("live.azurewebsites.net")] },
    "loop.example.test A": { answers: [cname("loop.example.test", "loop2.example.test")] },
    "loop2.example.test A": { answers: [cname("loop2.example.test", "loop.example.test")] },
    "big.example.test TXT": {
      truncate: true,
      answers: [{ type: "TXT", name: "big.example.test", ttl: 60, data: "x".repeat(200) }],
    },
    "asuid.live.example.test TXT": {
      answers: [{ type: "TXT", name: "asuid.live.example.test", ttl: 60, data: "abc" }],
    },
    "test CAA": { rcode: "NXDOMAIN" },
    "other.test CAA": {},
    "azurewebsites.net CAA": {},
  });
  let resolver: DnsResolver;
  const metrics = new MetricsRegistry();

  beforeAll(async () => {
    await server.start();
    resolver = new DnsResolver({
      servers: [{ host: "127.0.0.1", port: server.port }],
      timeoutMs: 150,
      attempts: 2,
      queriesPerSecond: 1000,
      metrics,
    });
  });
  afterAll(async () => {
    await server.stop();
  });

  it("finds CAA on the parent when the name has none (climbing through NODATA and NXDOMAIN)", async () => {
    expect(await findRelevantCaa(resolver, "deep.www.example.test")).toEqual({
      status: "found",
      relevantDomain: "example.test",
      chain: ["example.test"],
      records: [{ flags: 0, tag: "issue", value: "letsencrypt.org" }],
    });
    expect(await findRelevantCaa(resolver, "*.www.example.test")).toMatchObject({
      relevantDomain: "example.test",
    });
  });

  it("follows a CNAME for the CAA set of the name itself", async () => {
    expect(await findRelevantCaa(resolver, "alias.example.test")).toMatchObject({
      status: "found",
      relevantDomain: "alias.example.test",
      chain: ["alias.example.test", "target.other.test"],
      records: [{ tag: "issue", value: "pki.goog" }],
    });
  });

  it("reports SERVFAIL on the way up as a failure, not as 'no policy'", async () => {
    expect(await findRelevantCaa(resolver, "x.broken.example.test")).toMatchObject({
      status: "failed",
      atName: "broken.example.test",
      outcome: "servfail",
    });
  });

  it("reports a timeout as a failure after its attempts", async () => {
    const t0 = Date.now();
    const r = await resolver.lookup("slow.example.test", "CAA");
    expect(r.outcome).toBe("timeout");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(await findRelevantCaa(resolver, "slow.example.test")).toMatchObject({
      status: "failed",
      outcome: "timeout",
    });
  });

  it("says 'none' when no name up to the TLD has CAA", async () => {
    expect(await findRelevantCaa(resolver, "a.b.other.test")).toEqual({ status: "none" });
  });

  it("follows a CNAME across zones to NXDOMAIN, and to an answer", async () => {
    expect(await resolveCnameChain(resolver, "app.example.test")).toMatchObject({
      chain: ["app.example.test", "gone.azurewebsites.net"],
      outcome: "nxdomain",
    });
    expect(await resolveCnameChain(resolver, "live.example.test")).toMatchObject({
      chain: ["live.example.test", "live.azurewebsites.net"],
      outcome: "answer",
    });
  });

  it("stops a CNAME loop", async () => {
    const r = await resolver.lookup("loop.example.test", "A");
    expect(r.outcome).toBe("error");
    expect(r.detail).toMatch(/loop/);
  });

  it("retries over TCP when the UDP answer is truncated", async () => {
    expect(await hasTxtRecord(resolver, "big.example.test")).toBe(true);
    expect(server.seen).toContain("tcp big.example.test TXT");
    expect(await hasTxtRecord(resolver, "asuid.live.example.test")).toBe(true);
    expect(await hasTxtRecord(resolver, "asuid.app.example.test")).toBe(false);
  });

  it("answers repeated questions from its cache", async () => {
    const before = server.seen.length;
    await resolver.lookup("example.test", "CAA");
    await resolver.lookup("EXAMPLE.test.", "CAA");
    expect(server.seen.length).toBe(before);
    expect(metrics.value("ctwatch_dns_cache_total", { result: "hit" })).toBeGreaterThan(0);
  });

  it("keeps to its rate limit", async () => {
    const limited = new DnsResolver({
      servers: [{ host: "127.0.0.1", port: server.port }],
      queriesPerSecond: 10,
    });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 15 }, (_, i) => limited.lookup(`n${i}.other.test`, "A")));
    // 10 go at once (burst), the other 5 at 100 ms intervals.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
  });
});

describe("parseDnsServers", () => {
  it.each([
    ["system", "system"],
    ["127.0.0.1:15353", [{ host: "127.0.0.1", port: 15353 }]],
    [
      "8.8.8.8, 1.1.1.1:53",
      [
        { host: "8.8.8.8", port: 53 },
        { host: "1.1.1.1", port: 53 },
      ],
    ],
    [
      "[2001:db8::1]:5353,2001:db8::2",
      [
        { host: "2001:db8::1", port: 5353 },
        { host: "2001:db8::2", port: 53 },
      ],
    ],
  ])("%s", (spec, want) => {
    expect(parseDnsServers(spec)).toEqual(want);
  });

  it.each(["dns.google", "1.2.3.4:99999", "", "1.2.3:53"])("%j is invalid", (spec) => {
    expect(() => parseDnsServers(spec)).toThrow();
  });
});
