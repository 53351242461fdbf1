/**
 * Wire contracts of ctwatch, generated from `proto/` by `pnpm proto:gen`.
 * Only re-exports live here; the generated files under `gen/` are never edited.
 */
export {
  type Alert,
  AlertSchema,
  type CaaDetails,
  CaaDetailsSchema,
  type CertificateRef,
  CertificateRefSchema,
  type LookalikeDetails,
  LookalikeDetailsSchema,
  type NewSubdomainDetails,
  NewSubdomainDetailsSchema,
  type RootCaDetails,
  RootCaDetailsSchema,
  Severity,
  type TakeoverDetails,
  TakeoverDetailsSchema,
  type WatchItem,
  WatchItem_Kind,
  WatchItemSchema,
} from "./gen/ctwatch/alert/v1/alert_pb.js";
export {
  type Certificate,
  type CertificateEntry,
  CertificateEntrySchema,
  CertificateSchema,
  EntryType,
  type LogPosition,
  LogPositionSchema,
} from "./gen/ctwatch/ct/v1/entry_pb.js";
