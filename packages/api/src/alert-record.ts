import { create, fromJson } from "@bufbuild/protobuf";
import {
  type Alert,
  type AlertRecord,
  AlertRecordSchema,
  AlertSchema,
  AlertState,
  type AlertStateChange,
  AlertStateChangeSchema,
} from "@ctwatch/proto";
import type {
  AlertStateChange as StoredChange,
  AlertState as StoredState,
  TriagedAlert,
} from "@ctwatch/store";
import { ApiError } from "./api-error.js";

const TO_API: Readonly<Record<StoredState, AlertState>> = {
  open: AlertState.OPEN,
  acknowledged: AlertState.ACKNOWLEDGED,
  resolved: AlertState.RESOLVED,
  suppressed: AlertState.SUPPRESSED,
};

/** The API enum of a stored state. */
export function toApiAlertState(s: StoredState): AlertState {
  return TO_API[s] ?? AlertState.UNSPECIFIED;
}

/** The stored state of an API enum value; throws `ApiError` for UNSPECIFIED or an unknown number. */
export function fromApiAlertState(field: string, s: AlertState): StoredState {
  for (const [k, v] of Object.entries(TO_API)) if (v === s) return k as StoredState;
  throw ApiError.invalid(field, "must be OPEN, ACKNOWLEDGED, RESOLVED or SUPPRESSED");
}

/** A recorded state change as an API message. */
export function toApiStateChange(c: StoredChange): AlertStateChange {
  return create(AlertStateChangeSchema, {
    fromState: toApiAlertState(c.from),
    toState: toApiAlertState(c.to),
    reason: c.reason,
    actor: c.actor,
    changedAtMs: BigInt(c.atMs),
  });
}

/**
 * The detector's alert from its stored protobuf JSON. Fields a newer writer
 * added are ignored; a document whose JSON no longer parses still yields the
 * indexed fields, so one bad record does not fail a whole page.
 */
function storedAlert(a: TriagedAlert): Alert {
  try {
    return fromJson(AlertSchema, a.alert, { ignoreUnknownFields: true });
  } catch {
    return create(AlertSchema, {
      alertId: a._id,
      tenantId: a.tenantId,
      dedupKey: a.dedupKey,
      eventId: a.eventId,
      severity: a.severity,
      subjectDomain: a.subjectDomain,
    });
  }
}

/**
 * A stored alert as the API shows it. Delivery records are keyed by
 * destination ID (`<tenant>_<name>`); the API shows the name.
 */
export function toAlertRecord(a: TriagedAlert): AlertRecord {
  const prefix = `${a.tenantId}_`;
  return create(AlertRecordSchema, {
    alert: storedAlert(a),
    state: toApiAlertState(a.state),
    firstSeenAtMs: BigInt(a.firstSeenAtMs),
    lastSeenAtMs: BigInt(a.lastSeenAtMs),
    occurrences: a.occurrences,
    evidence: a.evidence.map((e) => ({
      certSha256Hex: e.certSha256,
      logId: e.logId,
      leafIndex: /^\d{1,20}$/.test(e.leafIndex) ? BigInt(e.leafIndex) : 0n,
      seenAtMs: BigInt(e.atMs),
    })),
    ...(a.lastStateChange ? { lastStateChange: toApiStateChange(a.lastStateChange) } : {}),
    deliveryDone: a.deliveryState === "done",
    deliveries: Object.entries(a.delivery ?? {}).map(([id, d]) => ({
      destination: id.startsWith(prefix) ? id.slice(prefix.length) : id,
      status: d.status,
      atMs: BigInt(d.atMs),
      reason: d.reason ?? "",
    })),
  });
}
