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
export { type CheckpointStore, type LogCheckpoint, MongoCheckpointStore } from "./checkpoint-store.js";
export { type ConnectOptions, connectDatabase, type Database, isDuplicateKeyError } from "./connect.js";
export {
  type DestinationRecord,
  type DestinationStore,
  MongoDestinationStore,
} from "./destination-store.js";
export { MongoSubdomainStore, type SubdomainRecord, type SubdomainStore } from "./subdomain-store.js";
export { WatchlistCache } from "./watchlist-cache.js";
export {
  MongoWatchlistStore,
  type WatchItemKind,
  type WatchItemRecord,
  type WatchlistStore,
} from "./watchlist-store.js";
