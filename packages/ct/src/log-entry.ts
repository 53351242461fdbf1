import { CtParseError } from "./ct-parse-error.js";
import { issuanceKeyWithTbsHash } from "./issuance-key.js";
import { sha256 } from "./sha256.js";
import {
  type Certificate,
  certificateFields,
  certificateIssuerInfo,
  type ParseCertificateOptions,
  parseCertificateStructure,
  parseTbsCertificate,
} from "./x509.js";

/** RFC 6962 LogEntryType, as a string. */
export type LogEntryType = "x509" | "precert";

/**
 * One CT log entry, normalised from either an RFC 6962 get-entries item or a static-ct-api data
 * tile. Maps onto `ctwatch.ct.v1.CertificateEntry` (minus position/observedAt, which the caller knows).
 */
export interface LogEntry {
  /** Zero-based index of the entry in the log. */
  leafIndex: number;
  /** MerkleTreeLeaf / SCT timestamp, ms since the Unix epoch. */
  timestampMs: number;
  entryType: LogEntryType;
  /** The leaf certificate (x509) or the precertificate from the extra data / tile (precert). */
  certificate: Certificate;
  /** SHA-256 of the TBSCertificate as logged (precert: the MerkleTreeLeaf TBS, poison removed). */
  tbsSha256: Uint8Array;
  /** SHA-256 of the logged TBS without poison and SCT-list extensions (see `issuanceKey`). */
  issuanceKey: Uint8Array;
  /** SHA-256 of each chain certificate, issuer first (static-ct: the tile's fingerprints). */
  chainSha256: Uint8Array[];
  /** SHA-256 of the last chain element, empty when the chain is empty. */
  rootSha256: Uint8Array;
  /**
   * Issuer DN of the top of the chain (last chain certificate; the leaf when the chain is empty),
   * to resolve an omitted root; "" when that certificate is not available (static-ct without issuers).
   */
  chainTopIssuerDn: string;
  /** authorityKeyIdentifier of the same certificate, empty when absent or unavailable. */
  chainTopAuthorityKeyId: Uint8Array;
  /** RFC 6962 Merkle leaf hash: SHA-256(0x00 || MerkleTreeLeaf). */
  leafHash: Uint8Array;
}

/** Options for building {@link LogEntry} values. */
export interface LogEntryOptions extends ParseCertificateOptions {
  /** Largest accepted chain length (default 32); longer is `too-large`. */
  maxChainLength?: number;
}

/** Default for {@link LogEntryOptions.maxChainLength}. */
export const DEFAULT_MAX_CHAIN_LENGTH = 32;

/** What {@link buildLogEntry} needs, whatever the source format. */
export interface LogEntryParts {
  readonly leafIndex: number;
  readonly timestampMs: number;
  readonly entryType: LogEntryType;
  /** x509: the certificate; precert: the precertificate (pre_certificate). */
  readonly certificateDer: Uint8Array;
  /** precert only: the TBSCertificate from the MerkleTreeLeaf. */
  readonly loggedTbs?: Uint8Array;
  readonly chainSha256: Uint8Array[];
  /** DER of the last chain element when available (undefined for an empty chain or unknown issuer). */
  readonly chainTopDer?: Uint8Array;
  readonly leafHash: Uint8Array;
}

/** Builds a normalised {@link LogEntry}. Throws {@link CtParseError}. */
export function buildLogEntry(p: LogEntryParts, opts: LogEntryOptions = {}): LogEntry {
  const structure = parseCertificateStructure(p.certificateDer, opts);
  let certificate: Certificate;
  let tbsSha256: Uint8Array;
  let key: Uint8Array;
  if (p.entryType === "precert") {
    if (p.loggedTbs === undefined) throw new CtParseError("bad-value", "precert", -1, "logged TBS missing");
    const logged = parseTbsCertificate(p.loggedTbs, opts);
    tbsSha256 = sha256(p.loggedTbs);
    certificate = certificateFields(structure, opts, tbsSha256);
    key = issuanceKeyWithTbsHash(logged, tbsSha256);
  } else {
    certificate = certificateFields(structure, opts, undefined);
    tbsSha256 = certificate.tbsSha256;
    key = issuanceKeyWithTbsHash(structure.tbs, tbsSha256);
  }
  let chainTopIssuerDn = "";
  let chainTopAuthorityKeyId: Uint8Array = new Uint8Array(0);
  if (p.chainSha256.length === 0) {
    chainTopIssuerDn = certificate.issuerDn;
    chainTopAuthorityKeyId = certificate.authorityKeyId;
  } else if (p.chainTopDer !== undefined) {
    const top = certificateIssuerInfo(p.chainTopDer, opts);
    chainTopIssuerDn = top.issuerDn;
    chainTopAuthorityKeyId = top.authorityKeyId;
  }
  return {
    leafIndex: p.leafIndex,
    timestampMs: p.timestampMs,
    entryType: p.entryType,
    certificate,
    tbsSha256,
    issuanceKey: key,
    chainSha256: p.chainSha256,
    rootSha256: p.chainSha256[p.chainSha256.length - 1] ?? new Uint8Array(0),
    chainTopIssuerDn,
    chainTopAuthorityKeyId,
    leafHash: p.leafHash,
  };
}
