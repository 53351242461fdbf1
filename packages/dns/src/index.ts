/**
 * @ctwatch/dns: the DNS adapter of the per-domain detectors. A small stub
 * resolver over UDP/TCP (dns-packet for the wire format) rather than Node's
 * c-ares `dns.Resolver`, because the detectors need what c-ares hides: the CNAME
 * chain of an answer, SERVFAIL vs NXDOMAIN vs timeout as distinct outcomes,
 * record TTLs for caching, raw CAA flags and tags, and a rate limit.
 */
export { type FoundCaaRecord, findRelevantCaa, type RelevantCaa } from "./caa-lookup.js";
export { type CnameChainResult, hasTxtRecord, resolveCnameChain } from "./cname-chain.js";
export {
  DnsResolver,
  type DnsResolverOptions,
  isLookupFailure,
  type LookupOutcome,
  type LookupResult,
  normaliseName,
} from "./dns-resolver.js";
export { parseDnsServers, systemDnsServers } from "./dns-servers.js";
export {
  type DnsMessage,
  type DnsRecord,
  type DnsServer,
  type DnsTransport,
  DnsTransportError,
  decodeResponse,
  EDNS_UDP_PAYLOAD,
  MAX_TCP_RESPONSE_BYTES,
  type QueryType,
  type TransportFailure,
  UdpTcpTransport,
} from "./dns-transport.js";
