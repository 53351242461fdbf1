import { create } from "@bufbuild/protobuf";
import type { LogEntry } from "@ctwatch/ct";
import { type CertificateEntry, CertificateEntrySchema, EntryType } from "@ctwatch/proto";

/** Converts a parsed log entry into the message published on the entries topic. */
export function toEntryMessage(
  e: LogEntry,
  log: { logId: Uint8Array; url: string },
  observedAtMs: number,
): CertificateEntry {
  const c = e.certificate;
  return create(CertificateEntrySchema, {
    position: { logId: log.logId, logUrl: log.url, leafIndex: BigInt(e.leafIndex) },
    entryType: e.entryType === "precert" ? EntryType.PRECERT : EntryType.X509,
    timestampMs: BigInt(e.timestampMs),
    certificate: {
      ...c,
      notBeforeMs: BigInt(c.notBeforeMs),
      notAfterMs: BigInt(c.notAfterMs),
    },
    issuanceKey: e.issuanceKey,
    chainSha256: e.chainSha256,
    rootSha256: e.rootSha256,
    chainTopIssuerDn: e.chainTopIssuerDn,
    chainTopAuthorityKeyId: e.chainTopAuthorityKeyId,
    observedAtMs: BigInt(observedAtMs),
  });
}
