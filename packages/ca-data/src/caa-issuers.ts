/**
 * Which CAA issuer-domain-names (RFC 8659 `issue`/`issuewild` values) authorise
 * which issuing CAs.
 *
 * The authoritative source is CCADB's "Recognized CAA Domains" field, published in
 * the AllCertificateRecords report (ccadb.org/resources). That report could not be
 * fetched where this table was built (no network beyond package registries, and no
 * registry package carries it), so the table is compiled by hand for the issuers
 * seen in the project's fixtures and the CAs that issue most Web PKI certificates,
 * from each CA's published CAA instructions, as of 2026-11. Every entry names its
 * source. Refresh it against the CCADB report when it is reachable; a missing CA
 * only means "not evaluated" (no alert), never a false mismatch.
 *
 * Matching is on the issuing certificate's subject organisation (the leaf's issuer
 * O, compared case-insensitively), optionally narrowed by a CN prefix: a CA brand
 * names its intermediates consistently, and the O is what CCADB records as the
 * intermediate's "CA Owner / Certificate" organisation.
 */

/** One issuing CA and the CAA domains that authorise it. */
export interface CaaIssuerEntry {
  /** CCADB CA owner the intermediates belong to. */
  readonly caOwner: string;
  /** Issuer O values (lower-case) that identify this CA's intermediates. */
  readonly issuerOrganizations: readonly string[];
  /** When set, the issuer CN must also start with one of these (lower-case). */
  readonly issuerCnPrefixes?: readonly string[];
  /** Lower-case CAA issuer-domain-names the CA honours. */
  readonly caaDomains: readonly string[];
  /** Where the domains come from. */
  readonly source: string;
}

/** Provenance of {@link CAA_ISSUERS}. */
export const CAA_TABLE_SOURCE = {
  intended: "CCADB AllCertificateRecords report, column 'Recognized CAA Domains'",
  actual: "hand-compiled from the CAs' published CAA documentation (CCADB report not reachable here)",
  compiled: "2026-11",
} as const;

const SECTIGO = ["sectigo.com", "comodoca.com", "comodo.com", "usertrust.com", "trust-provider.com"];
const DIGICERT = [
  "digicert.com",
  "www.digicert.com",
  "digicert.ne.jp",
  "cybertrust.ne.jp",
  "symantec.com",
  "thawte.com",
  "geotrust.com",
  "rapidssl.com",
  "digitalcertvalidation.com",
];

/** The table. Entries with a CN prefix are tried before those without. */
export const CAA_ISSUERS: readonly CaaIssuerEntry[] = [
  {
    caOwner: "Internet Security Research Group",
    issuerOrganizations: ["let's encrypt"],
    caaDomains: ["letsencrypt.org"],
    source: "letsencrypt.org/docs/caa",
  },
  {
    caOwner: "Internet Security Research Group (staging, not publicly trusted)",
    issuerOrganizations: ["(staging) let's encrypt"],
    caaDomains: ["letsencrypt.org"],
    source: "letsencrypt.org/docs/staging-environment (staging checks CAA like production)",
  },
  {
    caOwner: "Google Trust Services LLC",
    issuerOrganizations: ["google trust services", "google trust services llc"],
    caaDomains: ["pki.goog"],
    source: "pki.goog/faq (CAA)",
  },
  {
    caOwner: "Sectigo",
    issuerOrganizations: ["sectigo limited", "comodo ca limited", "the usertrust network", "zerossl gmbh"],
    caaDomains: SECTIGO,
    source: "sectigo.com CAA knowledge base; zerossl.com CAA help (ZeroSSL issues from Sectigo)",
  },
  {
    caOwner: "GoDaddy",
    issuerOrganizations: ["godaddy.com, inc.", "godaddy.com", "starfield technologies, inc."],
    caaDomains: ["godaddy.com", "starfieldtech.com"],
    source: "GoDaddy help: CAA records",
  },
  {
    caOwner: "Amazon Trust Services",
    issuerOrganizations: ["amazon"],
    caaDomains: ["amazon.com", "amazontrust.com", "awstrust.com", "amazonaws.com"],
    source: "AWS Certificate Manager user guide: CAA",
  },
  {
    caOwner: "Microsoft Corporation (under DigiCert roots)",
    issuerOrganizations: ["microsoft corporation"],
    caaDomains: ["microsoft.com", ...DIGICERT],
    source: "Microsoft Learn: Azure Certificate Authority details (CAA)",
  },
  {
    caOwner: "DigiCert",
    issuerOrganizations: [
      "digicert inc",
      "digicert, inc.",
      "geotrust inc.",
      "thawte, inc.",
      "cloudflare, inc.",
    ],
    caaDomains: DIGICERT,
    source: "digicert.com CAA record guide; Cloudflare docs (DigiCert-issued edge certificates)",
  },
  {
    caOwner: "SSL.com",
    issuerOrganizations: ["ssl corporation", "ssl.com"],
    caaDomains: ["ssl.com"],
    source: "ssl.com CAA guide; Cloudflare docs (SSL.com-issued edge certificates)",
  },
  {
    caOwner: "GlobalSign nv-sa",
    issuerOrganizations: ["globalsign nv-sa", "globalsign"],
    caaDomains: ["globalsign.com"],
    source: "globalsign.com CAA support article",
  },
  {
    caOwner: "Entrust",
    issuerOrganizations: ["entrust, inc.", "entrust limited"],
    caaDomains: ["entrust.net", "affirmtrust.com"],
    source: "entrust.com CAA knowledge base",
  },
  {
    caOwner: "Buypass",
    issuerOrganizations: ["buypass as-983163327"],
    caaDomains: ["buypass.com", "buypass.no"],
    source: "buypass.com CAA",
  },
  {
    caOwner: "Actalis",
    issuerOrganizations: ["actalis s.p.a./03358520967", "actalis s.p.a."],
    caaDomains: ["actalis.it"],
    source: "actalis.com CAA",
  },
  {
    caOwner: "HARICA",
    issuerOrganizations: [
      "hellenic academic and research institutions ca",
      "hellenic academic and research institutions cert. authority",
    ],
    caaDomains: ["harica.gr"],
    source: "harica.gr CAA",
  },
  {
    caOwner: "IdenTrust Services, LLC",
    issuerOrganizations: ["identrust"],
    caaDomains: ["identrust.com"],
    source: "identrust.com CAA",
  },
  {
    caOwner: "Certainly LLC",
    issuerOrganizations: ["certainly"],
    caaDomains: ["certainly.com"],
    source: "certainly.com CAA",
  },
  {
    caOwner: "TrustAsia Technologies, Inc.",
    issuerOrganizations: ["trustasia technologies, inc."],
    caaDomains: ["trustasia.com"],
    source: "trustasia.com CAA",
  },
  {
    caOwner: "SECOM Trust Systems Co., Ltd.",
    issuerOrganizations: ["secom trust systems co.,ltd.", "secom trust systems co., ltd."],
    caaDomains: ["secomtrust.net"],
    source: "secomtrust.net CAA",
  },
];

/** The issuer fields of a leaf certificate used for the lookup. */
export interface IssuerName {
  /** Issuer O ("" when absent). */
  organization: string;
  /** Issuer CN ("" when absent). */
  commonName: string;
}

/** Looks issuing CAs up in a table of {@link CaaIssuerEntry}. Immutable. */
export class CaaIssuerTable {
  private readonly byOrg = new Map<string, CaaIssuerEntry[]>();

  constructor(entries: readonly CaaIssuerEntry[] = CAA_ISSUERS) {
    for (const e of entries) {
      for (const o of e.issuerOrganizations) {
        const key = o.toLowerCase();
        const list = this.byOrg.get(key) ?? [];
        list.push(e);
        // Specific (CN-narrowed) entries first.
        list.sort((a, b) => (b.issuerCnPrefixes ? 1 : 0) - (a.issuerCnPrefixes ? 1 : 0));
        this.byOrg.set(key, list);
      }
    }
  }

  /** The entry for a leaf's issuer, or undefined when the CA is not in the table (not evaluable). */
  lookup(issuer: IssuerName): CaaIssuerEntry | undefined {
    const candidates = this.byOrg.get(issuer.organization.trim().toLowerCase());
    if (!candidates) return undefined;
    const cn = issuer.commonName.trim().toLowerCase();
    return candidates.find((e) => !e.issuerCnPrefixes || e.issuerCnPrefixes.some((p) => cn.startsWith(p)));
  }
}
