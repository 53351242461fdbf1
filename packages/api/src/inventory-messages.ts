import { create } from "@bufbuild/protobuf";
import {
  type CertificateRecord,
  CertificateRecordSchema,
  type Subdomain,
  SubdomainSchema,
} from "@ctwatch/proto";
import type { CertificateSighting, SubdomainRecord } from "@ctwatch/store";

function leafIndex(text: string): bigint {
  return /^\d{1,20}$/.test(text) ? BigInt(text) : 0n;
}

/** A first-seen subdomain record as an API message. */
export function toSubdomain(r: SubdomainRecord): Subdomain {
  return create(SubdomainSchema, {
    name: r.name,
    domain: r.domain,
    wildcard: r.wildcard,
    firstSeenAtMs: BigInt(r.firstSeenAtMs),
    certSha256Hex: r.certSha256,
    logId: r.logId,
    leafIndex: leafIndex(r.leafIndex),
    learnedQuietly: r.learnedQuietly,
  });
}

/** A certificate sighting as an API message. */
export function toCertificateRecord(c: CertificateSighting): CertificateRecord {
  return create(CertificateRecordSchema, {
    issuanceKeyHex: c.issuanceKey,
    certSha256Hex: c.certSha256,
    precertificate: c.precertificate,
    dnsNames: c.dnsNames,
    domains: c.domains,
    subjectCn: c.subjectCn,
    issuerDn: c.issuerDn,
    serialHex: c.serialHex,
    notBeforeMs: BigInt(c.notBeforeMs),
    notAfterMs: BigInt(c.notAfterMs),
    position: {
      logId: /^[A-Za-z0-9+/]*={0,2}$/.test(c.logId) ? Buffer.from(c.logId, "base64") : new Uint8Array(),
      leafIndex: leafIndex(c.leafIndex),
    },
    loggedAtMs: BigInt(c.loggedAtMs),
    firstSeenAtMs: BigInt(c.firstSeenAtMs),
  });
}
