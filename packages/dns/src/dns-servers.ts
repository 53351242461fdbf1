import { getServers } from "node:dns";
import { isIP } from "node:net";
import type { DnsServer } from "./dns-transport.js";

/**
 * Parses "system" or a comma-separated list of servers: `1.2.3.4`, `1.2.3.4:5353`,
 * `[2001:db8::1]:53`, `2001:db8::1`. Throws Error naming the bad item.
 */
export function parseDnsServers(spec: string): DnsServer[] | "system" {
  const s = spec.trim();
  if (s === "system") return "system";
  const out: DnsServer[] = [];
  for (const raw of s
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "")) {
    const server = parseOne(raw);
    if (!server) throw new Error(`"${raw}" is not an IP address with an optional :port`);
    out.push(server);
  }
  if (out.length === 0) throw new Error("expected 'system' or a list of IP[:port]");
  return out;
}

function parseOne(raw: string): DnsServer | undefined {
  let host = raw;
  let port = 53;
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(raw);
  if (v6?.[1]) {
    host = v6[1];
    if (v6[2]) port = Number(v6[2]);
  } else if (isIP(raw) === 0) {
    const m = /^([0-9.]+):(\d{1,5})$/.exec(raw);
    if (!m?.[1] || !m[2]) return undefined;
    host = m[1];
    port = Number(m[2]);
  }
  if (isIP(host) === 0 || port < 1 || port > 65535) return undefined;
  return { host, port };
}

/** The servers the operating system is configured with (resolv.conf), via Node's resolver. */
export function systemDnsServers(): DnsServer[] {
  return getServers().map((entry) => {
    const parsed = parseOne(entry);
    return parsed ?? { host: entry, port: 53 };
  });
}
