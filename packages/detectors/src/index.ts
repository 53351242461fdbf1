export { AZURE_TAKEOVER_SUFFIXES, type AzureSuffix, azureTakeoverSuffix } from "./azure-takeover-suffixes.js";
export {
  type AsOfOptions,
  CAA_CRITICAL,
  type CaaHistoryVerdict,
  type CaaObservation,
  type CaaQuestion,
  type CaaRecord,
  type CaaVerdict,
  caaRecordText,
  caaSearchNames,
  caaVerdictAsOf,
  evaluateCaa,
  type IssuerValue,
  KNOWN_CAA_TAGS,
  parseIssuerValue,
} from "./caa.js";
export { type LearningInputs, learningUntilMs } from "./learning.js";
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
export {
  type ChainFacts,
  type RootBaseline,
  type RootCaDecision,
  type RootResolution,
  type RootResolutionPath,
  resolveRootOwner,
  rootCaDecision,
  type UnknownRootReason,
} from "./root-ca.js";
export {
  assessTakeover,
  type ChainOutcome,
  type CnameObservation,
  type TakeoverFinding,
} from "./takeover.js";
