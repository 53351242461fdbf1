import { randomInt } from "node:crypto";
import { createSocket } from "node:dgram";
import { connect, isIPv6 } from "node:net";
import dnsPacket from "dns-packet";

/** A DNS server to send queries to. */
export interface DnsServer {
  /** IPv4 or IPv6 address (no names: resolving the resolver is circular). */
  host: string;
  /** UDP/TCP port; 53 normally. */
  port: number;
}

/** Record types this package asks for. */
export type QueryType = "A" | "AAAA" | "CAA" | "CNAME" | "TXT";

/** One resource record of a response, reduced to what the detectors read. */
export type DnsRecord =
  | { type: "A" | "AAAA"; name: string; ttl: number; address: string }
  | { type: "CNAME"; name: string; ttl: number; target: string }
  | { type: "CAA"; name: string; ttl: number; flags: number; tag: string; value: string }
  | { type: "TXT"; name: string; ttl: number; text: string }
  | { type: "SOA"; name: string; ttl: number; minimum: number };

/** A decoded response. */
export interface DnsMessage {
  /** "NOERROR", "NXDOMAIN", "SERVFAIL", "REFUSED", ... */
  rcode: string;
  authoritative: boolean;
  answers: DnsRecord[];
  authorities: DnsRecord[];
}

/** Why an exchange produced no usable response. */
export type TransportFailure = "timeout" | "network" | "malformed";

/** Raised by {@link DnsTransport.exchange}; `kind` says what went wrong. */
export class DnsTransportError extends Error {
  constructor(
    readonly kind: TransportFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "DnsTransportError";
  }
}

/** Sends one question to one server and returns the decoded response. */
export interface DnsTransport {
  /** Rejects with {@link DnsTransportError} on timeout, network error or a malformed response. */
  exchange(server: DnsServer, name: string, type: QueryType, timeoutMs: number): Promise<DnsMessage>;
}

/** Largest TCP response accepted, bytes (the DNS maximum). */
export const MAX_TCP_RESPONSE_BYTES = 65_535;
/** EDNS(0) UDP payload size advertised (the DNS Flag Day 2020 value). */
export const EDNS_UDP_PAYLOAD = 1232;

function normalise(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

function queryPacket(id: number, name: string, type: QueryType): Buffer {
  return dnsPacket.encode({
    type: "query",
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: "IN" }],
    additionals: [
      {
        type: "OPT",
        name: ".",
        udpPayloadSize: EDNS_UDP_PAYLOAD,
        extendedRcode: 0,
        ednsVersion: 0,
        flags: 0,
        flag_do: false,
        options: [],
      },
    ],
  });
}

function txtText(data: unknown): string {
  const parts = Array.isArray(data) ? data : [data];
  return parts.map((p) => (Buffer.isBuffer(p) ? p.toString("utf8") : String(p))).join("");
}

function toRecord(a: dnsPacket.Answer): DnsRecord | undefined {
  const name = normalise(a.name);
  const ttl = "ttl" in a && typeof a.ttl === "number" ? a.ttl : 0;
  switch (a.type) {
    case "A":
    case "AAAA":
      return { type: a.type, name, ttl, address: a.data };
    case "CNAME":
      return { type: "CNAME", name, ttl, target: normalise(a.data) };
    case "CAA":
      return { type: "CAA", name, ttl, flags: a.data.flags ?? 0, tag: a.data.tag, value: a.data.value };
    case "TXT":
      return { type: "TXT", name, ttl, text: txtText(a.data) };
    case "SOA":
      return { type: "SOA", name, ttl, minimum: a.data.minimum ?? 0 };
    default:
      return undefined;
  }
}

/** Decodes and checks a response against its query; throws DnsTransportError("malformed"). */
export function decodeResponse(
  buf: Buffer,
  id: number,
  name: string,
  type: QueryType,
): DnsMessage & { truncated: boolean } {
  let p: dnsPacket.DecodedPacket & { rcode?: string };
  try {
    p = dnsPacket.decode(buf) as dnsPacket.DecodedPacket & { rcode?: string };
  } catch (err) {
    throw new DnsTransportError("malformed", `undecodable DNS response for ${name}/${type}`, { cause: err });
  }
  const q = p.questions?.[0];
  if (p.id !== id || !p.flag_qr) throw new DnsTransportError("malformed", "response ID or QR flag mismatch");
  if (q && (normalise(q.name) !== normalise(name) || q.type !== type)) {
    throw new DnsTransportError("malformed", `response is for ${q.name}/${q.type}, not ${name}/${type}`);
  }
  const records = (list: dnsPacket.Answer[] | undefined) =>
    (list ?? []).map(toRecord).filter((r): r is DnsRecord => r !== undefined);
  return {
    rcode: p.rcode ?? "NOERROR",
    authoritative: p.flag_aa,
    truncated: p.flag_tc,
    answers: records(p.answers),
    authorities: records(p.authorities),
  };
}

/**
 * The wire transport: UDP first (EDNS0, 1232-byte payload), TCP when the answer
 * is truncated. Each query uses a fresh socket and a random ID, and a response
 * must come from the server it was sent to and echo the question.
 */
export class UdpTcpTransport implements DnsTransport {
  async exchange(server: DnsServer, name: string, type: QueryType, timeoutMs: number): Promise<DnsMessage> {
    const deadline = Date.now() + timeoutMs;
    const id = randomInt(0, 65_536);
    const query = queryPacket(id, name, type);
    const udp = await this.udp(server, query, timeoutMs);
    const res = decodeResponse(udp, id, name, type);
    if (!res.truncated) return res;
    const tcp = await this.tcp(server, query, Math.max(1, deadline - Date.now()));
    const full = decodeResponse(tcp, id, name, type);
    return {
      rcode: full.rcode,
      authoritative: full.authoritative,
      answers: full.answers,
      authorities: full.authorities,
    };
  }

  private udp(server: DnsServer, query: Buffer, timeoutMs: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const sock = createSocket(isIPv6(server.host) ? "udp6" : "udp4");
      let done = false;
      const finish = (err: Error | undefined, msg?: Buffer) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        sock.close();
        if (err) reject(err);
        else resolve(msg as Buffer);
      };
      const timer = setTimeout(
        () =>
          finish(
            new DnsTransportError(
              "timeout",
              `no answer from ${server.host}:${server.port} within ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      sock.on("error", (err) =>
        finish(
          new DnsTransportError("network", `UDP to ${server.host}:${server.port}: ${err.message}`, {
            cause: err,
          }),
        ),
      );
      sock.on("message", (msg, rinfo) => {
        // Ignore datagrams from anyone but the server (and with another ID: checked by the decoder).
        if (rinfo.port !== server.port || rinfo.address.replace(/^::ffff:/, "") !== server.host) return;
        finish(undefined, msg);
      });
      sock.send(query, server.port, server.host, (err) => {
        if (err)
          finish(
            new DnsTransportError("network", `UDP send to ${server.host}:${server.port}: ${err.message}`, {
              cause: err,
            }),
          );
      });
    });
  }

  private tcp(server: DnsServer, query: Buffer, timeoutMs: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const sock = connect({ host: server.host, port: server.port });
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      const finish = (err: Error | undefined, msg?: Buffer) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        sock.destroy();
        if (err) reject(err);
        else resolve(msg as Buffer);
      };
      const timer = setTimeout(
        () =>
          finish(
            new DnsTransportError(
              "timeout",
              `no TCP answer from ${server.host}:${server.port} within ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      sock.on("error", (err) =>
        finish(
          new DnsTransportError("network", `TCP to ${server.host}:${server.port}: ${err.message}`, {
            cause: err,
          }),
        ),
      );
      sock.on("connect", () => {
        const framed = Buffer.alloc(query.length + 2);
        framed.writeUInt16BE(query.length, 0);
        query.copy(framed, 2);
        sock.write(framed);
      });
      sock.on("data", (d: Buffer) => {
        chunks.push(d);
        size += d.length;
        if (size > MAX_TCP_RESPONSE_BYTES + 2) {
          finish(new DnsTransportError("malformed", "TCP response larger than 65,535 bytes"));
          return;
        }
        const all = Buffer.concat(chunks);
        if (all.length >= 2 && all.length >= 2 + all.readUInt16BE(0))
          finish(undefined, all.subarray(2, 2 + all.readUInt16BE(0)));
      });
      sock.on("end", () =>
        finish(new DnsTransportError("network", "TCP connection closed before a full response")),
      );
    });
  }
}
