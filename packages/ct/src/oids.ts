/**
 * Object identifiers this package interprets, in dotted form.
 * Extension OIDs are from RFC 5280 section 4.2, RFC 6962 section 3.1 and Microsoft's KB5014754.
 */
export const Oid = {
  subjectKeyIdentifier: "2.5.29.14",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  certificatePolicies: "2.5.29.32",
  authorityKeyIdentifier: "2.5.29.35",
  /** RFC 6962 precertificate poison (critical, value NULL). */
  ctPoison: "1.3.6.1.4.1.11129.2.4.3",
  /** RFC 6962 embedded SignedCertificateTimestampList. */
  ctSctList: "1.3.6.1.4.1.11129.2.4.2",
  /** RFC 6962 Precertificate Signing Certificate extended key usage. */
  ctPrecertSigning: "1.3.6.1.4.1.11129.2.4.4",
  /** Microsoft NTDS CA security extension carrying the account SID. */
  msNtdsCaSecurityExt: "1.3.6.1.4.1.311.25.2",
  /** otherName type-id inside {@link Oid.msNtdsCaSecurityExt}. */
  msNtdsObjectSid: "1.3.6.1.4.1.311.25.2.1",
  rsaEncryption: "1.2.840.113549.1.1.1",
  ecPublicKey: "1.2.840.10045.2.1",
  ed25519: "1.3.101.112",
  ed448: "1.3.101.113",
  commonName: "2.5.4.3",
  organizationName: "2.5.4.10",
} as const;

/**
 * Attribute type short names used when formatting distinguished names: OpenSSL's short names
 * (as `openssl x509 -nameopt RFC2253` and Node's X509Certificate print them). Types not listed
 * are printed as dotted OIDs.
 */
export const ATTRIBUTE_SHORT_NAMES: ReadonlyMap<string, string> = new Map([
  ["2.5.4.3", "CN"],
  ["2.5.4.4", "SN"],
  ["2.5.4.5", "serialNumber"],
  ["2.5.4.6", "C"],
  ["2.5.4.7", "L"],
  ["2.5.4.8", "ST"],
  ["2.5.4.9", "street"],
  ["2.5.4.10", "O"],
  ["2.5.4.11", "OU"],
  ["2.5.4.12", "title"],
  ["2.5.4.13", "description"],
  ["2.5.4.14", "searchGuide"],
  ["2.5.4.15", "businessCategory"],
  ["2.5.4.16", "postalAddress"],
  ["2.5.4.17", "postalCode"],
  ["2.5.4.18", "postOfficeBox"],
  ["2.5.4.19", "physicalDeliveryOfficeName"],
  ["2.5.4.20", "telephoneNumber"],
  ["2.5.4.41", "name"],
  ["2.5.4.42", "GN"],
  ["2.5.4.43", "initials"],
  ["2.5.4.44", "generationQualifier"],
  ["2.5.4.45", "x500UniqueIdentifier"],
  ["2.5.4.46", "dnQualifier"],
  ["2.5.4.65", "pseudonym"],
  ["2.5.4.72", "role"],
  ["2.5.4.97", "organizationIdentifier"],
  ["0.9.2342.19200300.100.1.1", "UID"],
  ["0.9.2342.19200300.100.1.25", "DC"],
  ["1.2.840.113549.1.9.1", "emailAddress"],
  ["1.2.840.113549.1.9.2", "unstructuredName"],
  ["1.2.840.113549.1.9.8", "unstructuredAddress"],
  ["1.3.6.1.4.1.311.60.2.1.1", "jurisdictionL"],
  ["1.3.6.1.4.1.311.60.2.1.2", "jurisdictionST"],
  ["1.3.6.1.4.1.311.60.2.1.3", "jurisdictionC"],
]);

/** Signature algorithm names (OpenSSL long names, as `openssl x509 -text` prints them). */
export const SIGNATURE_ALGORITHM_NAMES: ReadonlyMap<string, string> = new Map([
  ["1.2.840.113549.1.1.2", "md2WithRSAEncryption"],
  ["1.2.840.113549.1.1.4", "md5WithRSAEncryption"],
  ["1.2.840.113549.1.1.5", "sha1WithRSAEncryption"],
  ["1.2.840.113549.1.1.10", "rsassaPss"],
  ["1.2.840.113549.1.1.11", "sha256WithRSAEncryption"],
  ["1.2.840.113549.1.1.12", "sha384WithRSAEncryption"],
  ["1.2.840.113549.1.1.13", "sha512WithRSAEncryption"],
  ["1.2.840.113549.1.1.14", "sha224WithRSAEncryption"],
  ["1.2.840.10045.4.1", "ecdsa-with-SHA1"],
  ["1.2.840.10045.4.3.1", "ecdsa-with-SHA224"],
  ["1.2.840.10045.4.3.2", "ecdsa-with-SHA256"],
  ["1.2.840.10045.4.3.3", "ecdsa-with-SHA384"],
  ["1.2.840.10045.4.3.4", "ecdsa-with-SHA512"],
  ["1.2.840.10040.4.3", "dsaWithSHA1"],
  ["2.16.840.1.101.3.4.3.2", "dsa_with_SHA256"],
  ["1.3.101.112", "ED25519"],
  ["1.3.101.113", "ED448"],
]);

/** Named curves: OID → [name, bits]. */
export const EC_CURVES: ReadonlyMap<string, readonly [string, number]> = new Map([
  ["1.2.840.10045.3.1.7", ["P-256", 256] as const],
  ["1.3.132.0.34", ["P-384", 384] as const],
  ["1.3.132.0.35", ["P-521", 521] as const],
  ["1.3.132.0.33", ["P-224", 224] as const],
  ["1.2.840.10045.3.1.1", ["P-192", 192] as const],
  ["1.3.132.0.10", ["secp256k1", 256] as const],
  ["1.3.36.3.3.2.8.1.1.7", ["brainpoolP256r1", 256] as const],
  ["1.3.36.3.3.2.8.1.1.11", ["brainpoolP384r1", 384] as const],
  ["1.3.36.3.3.2.8.1.1.13", ["brainpoolP512r1", 512] as const],
]);
