export {
  type AlertEvidence,
  type AlertQuery,
  type AlertState,
  type AlertStore,
  type DeliveryRecord,
  MongoAlertStore,
  type StoredAlert,
  type UpsertResult,
} from "./alert-store.js";
export {
  type AlertPageQuery,
  type AlertStateChange,
  type AlertTriageStore,
  MongoAlertTriageStore,
  type StoredSinceQuery,
  type TriagedAlert,
} from "./alert-triage-store.js";
export {
  type ApiScope,
  type ApiTokenRecord,
  type ApiTokenStore,
  MongoApiTokenStore,
} from "./api-token-store.js";
export {
  type CaaHistoryEntry,
  type CaaHistoryStore,
  caaSetHash,
  MongoCaaHistoryStore,
  type StoredCaaRecord,
} from "./caa-history-store.js";
export {
  type CertificateInventoryStore,
  type CertificateSearch,
  type CertificateSighting,
  escapeRegExp,
  MAX_INVENTORY_DNS_NAMES,
  MongoCertificateInventoryStore,
} from "./certificate-inventory-store.js";
export { type CheckpointStore, type LogCheckpoint, MongoCheckpointStore } from "./checkpoint-store.js";
export { type ConnectOptions, connectDatabase, type Database, isDuplicateKeyError } from "./connect.js";
export {
  type DestinationAdminStore,
  MAX_DESTINATIONS_PER_TENANT,
  MongoDestinationAdminStore,
} from "./destination-admin-store.js";
export {
  type DestinationRecord,
  type DestinationStore,
  MongoDestinationStore,
} from "./destination-store.js";
export {
  type DnsCheck,
  type DnsCheckKind,
  type DnsCheckQueue,
  MongoDnsCheckQueue,
} from "./dns-check-queue.js";
export {
  type DomainLearning,
  type DomainLearningStore,
  MongoDomainLearningStore,
} from "./domain-learning-store.js";
export { MongoIncidentStore, type StoredIncident } from "./incident-store.js";
export { type LeaseStore, MongoLeaseStore } from "./lease-store.js";
export {
  MongoParkedDeliveryStore,
  type ParkedDelivery,
  type ParkedDeliveryStore,
  type ParkedQuery,
  type ParkInput,
} from "./parked-delivery-store.js";
export {
  type BaselineSource,
  MongoRootBaselineStore,
  type RootBaselineEntry,
  type RootBaselineOwners,
  type RootBaselineStore,
} from "./root-baseline-store.js";
export { MongoSubdomainSearch, type SubdomainQuery, type SubdomainSearch } from "./subdomain-search.js";
export { MongoSubdomainStore, type SubdomainRecord, type SubdomainStore } from "./subdomain-store.js";
export {
  MongoTakeoverStateStore,
  type TakeoverState,
  type TakeoverStateStore,
} from "./takeover-state-store.js";
export {
  MongoTenantRegistry,
  type TenantPatch,
  type TenantRateLimit,
  type TenantRegistry,
  type TenantSettings,
} from "./tenant-registry.js";
export { MAX_TENANT_ADMINS, MongoTenantStore, type TenantRecord, type TenantStore } from "./tenant-store.js";
export {
  isPinKind,
  MongoTenantWatchlist,
  type TenantWatchEntry,
  type TenantWatchKind,
  type TenantWatchlist,
  type WatchEntryKey,
} from "./tenant-watchlist.js";
export {
  MongoWatchPinStore,
  type WatchPinKind,
  type WatchPinRecord,
  type WatchPinStore,
} from "./watch-pin-store.js";
export { type RevisionedSource, WatchlistCache } from "./watchlist-cache.js";
export {
  MongoWatchlistStore,
  type WatchItemKind,
  type WatchItemRecord,
  type WatchlistStore,
} from "./watchlist-store.js";
