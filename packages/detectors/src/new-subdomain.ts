import { normaliseName, type OwnedDomainIndex } from "./owned-domain-index.js";

/** The certificate fields this detector reads. */
export interface NamesOfCertificate {
  dnsNames: readonly string[];
  subjectCn: string;
}

/** A name under a watched domain that the caller checks against its first-seen store. */
export interface SubdomainCandidate {
  tenantId: string;
  domain: string;
  /** As in the certificate, lower-case; wildcards keep "*.". */
  name: string;
  wildcard: boolean;
}

/** Most names taken from one certificate; the rest are ignored (and counted by the caller). */
export const MAX_NAMES_PER_CERTIFICATE = 1000;

/**
 * Event 25, pure part: every distinct name of the certificate (SAN dNSNames and
 * the subject CN when it looks like a DNS name) that lies strictly under a
 * watched domain, once per tenant. The apex itself is not a subdomain.
 * Whether a candidate is *new* is the caller's durable first-seen check.
 */
export function subdomainCandidates(cert: NamesOfCertificate, index: OwnedDomainIndex): SubdomainCandidate[] {
  const names = new Set<string>();
  for (const raw of cert.dnsNames) {
    if (names.size >= MAX_NAMES_PER_CERTIFICATE) break;
    const n = normaliseName(raw);
    if (n) names.add(n);
  }
  const cn = normaliseName(cert.subjectCn);
  if (cn?.includes(".") && !cn.includes(" ") && names.size < MAX_NAMES_PER_CERTIFICATE) names.add(cn);
  const out: SubdomainCandidate[] = [];
  for (const name of names) {
    const wildcard = name.startsWith("*.");
    for (const m of index.match(name)) {
      const bare = wildcard ? name.slice(2) : name;
      if (bare === m.domain && !wildcard) continue;
      out.push({ tenantId: m.tenantId, domain: m.domain, name, wildcard });
    }
  }
  return out;
}
