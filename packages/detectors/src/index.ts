export {
  MAX_NAMES_PER_CERTIFICATE,
  type NamesOfCertificate,
  type SubdomainCandidate,
  subdomainCandidates,
} from "./new-subdomain.js";
export {
  MAX_LABELS,
  MAX_NAME_LENGTH,
  normaliseName,
  type OwnedDomain,
  OwnedDomainIndex,
  type OwnedMatch,
} from "./owned-domain-index.js";
