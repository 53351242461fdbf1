import { type DnsResolver, isLookupFailure, type LookupOutcome, normaliseName } from "./dns-resolver.js";

/** What resolving a name's CNAME chain showed. */
export interface CnameChainResult {
  /** The name first, then each CNAME target. */
  chain: string[];
  /** "answer" (the end has addresses), "nodata", "nxdomain" (the end does not exist) or "failed". */
  outcome: "answer" | "nodata" | "nxdomain" | "failed";
  /** The resolver's outcome, for logs and metrics. */
  lookupOutcome: LookupOutcome;
  detail?: string;
}

/**
 * Resolves `name` (type A, then AAAA when A has no data) and reports the CNAME
 * chain and whether its end exists. Failures (SERVFAIL, timeout) are "failed":
 * they say nothing about the name.
 */
export async function resolveCnameChain(resolver: DnsResolver, name: string): Promise<CnameChainResult> {
  const a = await resolver.lookup(normaliseName(name), "A");
  let r = a;
  if (a.outcome === "nodata") {
    const aaaa = await resolver.lookup(normaliseName(name), "AAAA");
    if (aaaa.outcome === "answer" || isLookupFailure(aaaa.outcome)) r = aaaa;
  }
  const outcome = isLookupFailure(r.outcome) ? "failed" : (r.outcome as CnameChainResult["outcome"]);
  return { chain: r.chain, outcome, lookupOutcome: r.outcome, ...(r.detail ? { detail: r.detail } : {}) };
}

/** Whether a TXT record exists at `name`: true/false, or undefined when the lookup failed. */
export async function hasTxtRecord(resolver: DnsResolver, name: string): Promise<boolean | undefined> {
  const r = await resolver.lookup(normaliseName(name), "TXT");
  if (isLookupFailure(r.outcome)) return undefined;
  return r.outcome === "answer";
}
