import { type DnsResolver, isLookupFailure, type LookupOutcome, normaliseName } from "./dns-resolver.js";

/** A CAA record as found in DNS. */
export interface FoundCaaRecord {
  flags: number;
  tag: string;
  value: string;
}

/** The outcome of the RFC 8659 search for a name's relevant CAA record set. */
export type RelevantCaa =
  | {
      status: "found";
      /** The name (the queried name or a parent) whose CAA query returned records. */
      relevantDomain: string;
      /** CNAMEs followed from `relevantDomain` to the records' owner ([relevantDomain] when none). */
      chain: string[];
      records: FoundCaaRecord[];
    }
  /** No CAA record on the name or any parent: issuance is unrestricted. */
  | { status: "none" }
  /** A lookup failed (SERVFAIL, timeout, ...): the set is unknown, never a mismatch. */
  | { status: "failed"; atName: string; outcome: LookupOutcome; detail: string };

/** Most labels climbed. */
const MAX_CLIMB = 127;

/**
 * RFC 8659 section 3: the relevant record set of `name` is the CAA RRset of the
 * name itself or, if empty, of its closest parent with one (the climb visits the
 * name's own parents, not those of CNAME targets; the resolver follows CNAMEs of
 * each queried name). A wildcard's "*." label is removed first. The DNS root is
 * not queried. Any failed lookup on the way makes the result "failed".
 */
export async function findRelevantCaa(resolver: DnsResolver, name: string): Promise<RelevantCaa> {
  let n = normaliseName(name);
  if (n.startsWith("*.")) n = n.slice(2);
  for (let i = 0; n !== "" && i < MAX_CLIMB; i++) {
    const r = await resolver.lookup(n, "CAA");
    if (isLookupFailure(r.outcome)) {
      return { status: "failed", atName: n, outcome: r.outcome, detail: r.detail ?? r.outcome };
    }
    if (r.outcome === "answer") {
      const records: FoundCaaRecord[] = [];
      for (const rec of r.records) {
        if (rec.type === "CAA") records.push({ flags: rec.flags, tag: rec.tag, value: rec.value });
      }
      return { status: "found", relevantDomain: n, chain: r.chain, records };
    }
    const dot = n.indexOf(".");
    n = dot < 0 ? "" : n.slice(dot + 1);
  }
  return { status: "none" };
}
