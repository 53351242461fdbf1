/**
 * @ctwatch/ca-data: pure reference data about certification authorities (no I/O).
 * Root owners come from CCADB's Mozilla reports (generated, see scripts/); CAA
 * identifier domains per issuing CA are a documented, hand-compiled table.
 */
export {
  CAA_ISSUERS,
  CAA_TABLE_SOURCE,
  type CaaIssuerEntry,
  CaaIssuerTable,
  type IssuerName,
} from "./caa-issuers.js";
export { type ChainTopIssuer, RootOwnerMap, type RootRecord } from "./root-owner-map.js";
export { ROOTS_SOURCE } from "./roots.generated.js";
