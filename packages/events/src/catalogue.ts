import { Severity } from "@ctwatch/proto";

/** Which scanner raises an event, as the EZMonitor documentation groups them. */
export type EventCategory = "ct" | "network-scan" | "internal-pki-scan";

/** One event of the catalogue: the ID SIEM rules key on, and the texts alerts carry verbatim. */
export interface EventDefinition {
  readonly id: number;
  readonly category: EventCategory;
  /** "Event Summary" column of the documentation, verbatim. */
  readonly summary: string;
  /** "Description" column of the documentation, verbatim. */
  readonly description: string;
  /** Severity an alert gets unless its detector says otherwise. */
  readonly defaultSeverity: Severity;
}

function entry(
  id: number,
  category: EventCategory,
  summary: string,
  description: string,
  defaultSeverity: Severity,
): EventDefinition {
  return Object.freeze({ id, category, summary, description, defaultSeverity });
}

/**
 * The event catalogue, transcribed from the EZMonitor SIEM documentation
 * (`shared/seeds/`: "Connecting to SIEM" and the CloudWatch how-to, which agree).
 * A third page words two summaries differently (20: "A certificate was issued from
 * a different Root CA.", 29: "CAA Mismatch."); the two agreeing pages win.
 * Customers' SIEM rules key on `id`; the texts are carried verbatim.
 */
const CATALOGUE: readonly EventDefinition[] = [
  entry(
    12,
    "ct",
    "A similar domain has been found.",
    "A domain that might be impersonating your domain was found please verify this domain is not being used to impersonate your organization.",
    Severity.HIGH,
  ),
  entry(
    13,
    "ct",
    "A similar domain with different Top Level Domain was found.",
    "A domain that might be impersonating your organization by using a different top domain (for example yourcompany.co instead of yourcompany.com) please verify this domain is not being used to impersonate your organization.",
    Severity.MEDIUM,
  ),
  entry(
    18,
    "ct",
    "Your domain is vulnerable to domain takeover.",
    "Your DNS record is pointing to an Azure resource that is no longer being used. please remove the CNAME record pointing to this resource to avoid a bad actor taking over your sub domain.",
    Severity.CRITICAL,
  ),
  entry(
    19,
    "network-scan",
    "The newest certificate is not installed in your server.",
    "A certificate that is expiring soon has been renewed, but our systems detect that it has not been installed in all your web servers.",
    Severity.MEDIUM,
  ),
  entry(
    20,
    "ct",
    "The certificate was issued from a different Root CA.",
    "A certificate was issued from a different Root CA, verify with your team to make sure this certificate was issued by someone in your organization.",
    Severity.HIGH,
  ),
  entry(
    25,
    "ct",
    "A new sub domain was registered.",
    "A new sub domain found, please verify with that this action was done by someone in your organization.",
    Severity.LOW,
  ),
  entry(
    26,
    "network-scan",
    "No subject alternative name matches the domain.",
    "The certificate returned by the server does not have any subject names matching the domain, this can cause an error when the user is accessing the site.",
    Severity.MEDIUM,
  ),
  entry(
    27,
    "network-scan",
    "The server did not serve a certificate when an HTTP request was sent",
    "The server did not return a certificate. Please make sure HTTPS is enabled and the server has a valid certificate and the certificate is binded to this domain.",
    Severity.MEDIUM,
  ),
  entry(
    28,
    "network-scan",
    "Certificate contains wild-card Subject Alternate Name",
    "This Certificate contains a wild card subject alternate name. This type of subject alternate name can cause an outage since there is not record of where this certificate is being used. Please change this certificate to one containing the specific domains.",
    Severity.LOW,
  ),
  entry(
    29,
    "ct",
    "Certificate does not meet CAA policy.",
    "A certificate was issued by a CA not allowed by your CAA policy.",
    Severity.HIGH,
  ),
  entry(
    30,
    "internal-pki-scan",
    "This Certificate Has Been Revoked",
    "This Certificate has been revoked and will rejected by clients. Please create a new certificate and install it in this endpoint.",
    Severity.HIGH,
  ),
  entry(
    31,
    "internal-pki-scan",
    "Self Signed Certificate",
    "This Certificate is self signed, please issue a certificate from a trusted authority.",
    Severity.MEDIUM,
  ),
  entry(
    32,
    "internal-pki-scan",
    "The CRL was not accessible when EZMonitor tried downloading it",
    "EZMonitor was not able to download the CRL, make sure your CRL is available in your network",
    Severity.MEDIUM,
  ),
  entry(
    33,
    "internal-pki-scan",
    "SHA1 Certificate",
    "This certificate uses SHA1 hashing algorithm. This algorithm is no longer secure, please replace this certificate with a certificate using a stronger hashing algorithm.",
    Severity.MEDIUM,
  ),
  entry(
    34,
    "internal-pki-scan",
    "Weak Cryptographic Key",
    "This certificate uses a weak cryptographic algorithm. Please replace this certificate with a certificate using a stronger cryptographic key.",
    Severity.MEDIUM,
  ),
  entry(
    35,
    "internal-pki-scan",
    "Current CRL is expired",
    "EZMonitor downloaded an expired CRL, make sure your CRL is updated in all your CRL endpoints.",
    Severity.HIGH,
  ),
  entry(
    36,
    "internal-pki-scan",
    "Certificate is Missing SID Extension",
    "This certificate is missing the SID mapping and will not be accepted in Active Directory in future releases. learn more https://support.microsoft.com/en-us/topic/kb5014754-certificate-based-authentication-changes-on-windows-domain-controllers-ad2c23b0-15d8-4340-a468-4d4f3b188f16",
    Severity.MEDIUM,
  ),
  entry(
    37,
    "internal-pki-scan",
    "The certificate was not found in any of your servers",
    "The certificate was found while scanning your PKI database, but it was not found in any of your web servers. Please make sure this certificate is not being used by any of your services.",
    Severity.LOW,
  ),
  entry(
    40,
    "network-scan",
    "Error validating installed certificate.",
    "The certificate served by the server was not valid. Please check the alert details on the steps needed to solve this issue.",
    Severity.HIGH,
  ),
  entry(
    41,
    "network-scan",
    "Error validating installed certificate chain.",
    "There was a problem validating the certificate chain of the certificate served by the server. Please follow the steps on the alert to remediate this issue.",
    Severity.HIGH,
  ),
  entry(
    42,
    "network-scan",
    "HTTPS Is Not Enforced",
    "Strict-Transport-Security header was not found. Please add this header to enforce HTTPS and prevent man in the middle attacks.",
    Severity.LOW,
  ),
  entry(
    68,
    "network-scan",
    "The certificate installed in the web server is expiring soon.",
    "The certificate installed in the web server is expiring soon. Please install the latest certificate to avoid an outage",
    Severity.HIGH,
  ),
  entry(
    99,
    "network-scan",
    "Certificate is expiring soon.",
    "Your domain’s certificate is expiring soon, and it has not been renewed. Renew your certificate and replace the expiring certificate to avoid an outage",
    Severity.HIGH,
  ),
];

const BY_ID: ReadonlyMap<number, EventDefinition> = new Map(CATALOGUE.map((e) => [e.id, e]));

/** Event IDs raised from Certificate Transparency data. */
export const EventId = {
  SimilarDomain: 12,
  SimilarDomainDifferentTld: 13,
  DomainTakeover: 18,
  DifferentRootCa: 20,
  NewSubdomain: 25,
  CaaMismatch: 29,
} as const;

/** All events, ordered by ID. */
export function allEvents(): readonly EventDefinition[] {
  return CATALOGUE;
}

/** The definition of `id`; throws RangeError for an ID that is not in the catalogue. */
export function eventDefinition(id: number): EventDefinition {
  const def = BY_ID.get(id);
  if (!def) throw new RangeError(`unknown event ID ${id}`);
  return def;
}

/** True when `id` is in the catalogue. */
export function isKnownEvent(id: number): boolean {
  return BY_ID.has(id);
}
