import {
  ApiError,
  actorOf,
  alertId,
  allowedName,
  decodePageToken,
  eventId,
  filterFingerprint,
  fromApiAlertState,
  intProp,
  keysetPage,
  list,
  optionalTimeMs,
  pageSize,
  strProp,
  text,
  toAlertRecord,
  toApiStateChange,
  WatchPosition,
} from "@ctwatch/api";
import type { AlertService, Severity } from "@ctwatch/proto";
import { sleep } from "@ctwatch/runtime";
import type { AlertState, AlertTriageStore, TriagedAlert } from "@ctwatch/store";
import type { CallContext, MethodsOf, ServiceImpl } from "./bind-service.js";
import type { StreamSlots } from "./stream-slots.js";

/** Settings of the alert stream. */
export interface WatchSettings {
  /** How often a stream polls the store, ms. */
  readonly pollMs: number;
  /** Look-back window re-read on each poll (clock skew + visibility lag), ms. */
  readonly lookbackMs: number;
  /** Heartbeat after this much silence, ms. */
  readonly heartbeatMs: number;
  /** Most alerts read per poll (pages of 500). */
  readonly maxPerPoll: number;
}

const MAX_REASON = 1000;

function severity(field: string, s: Severity): number {
  if (!Number.isInteger(s) || s < 1 || s > 5)
    throw ApiError.invalid(field, "must be INFO, LOW, MEDIUM, HIGH or CRITICAL");
  return s;
}

/** AlertService: search, read, follow and triage the tenant's alerts. */
export function alertHandlers(
  store: AlertTriageStore,
  streams: StreamSlots,
  watch: WatchSettings,
  now: () => number = Date.now,
): ServiceImpl<MethodsOf<typeof AlertService>> {
  const transition = async (ctx: CallContext, rawId: string, rawReason: string, to: AlertState) => {
    const id = alertId("alert_id", rawId);
    const reason = text("reason", rawReason, 1, MAX_REASON);
    const res = await store.setState(ctx.auth.tenantId, id, to, {
      reason,
      actor: actorOf(ctx.auth.principal),
      atMs: now(),
    });
    if (!res) throw new ApiError("not-found", `alert ${id} not found`);
    if (res.changed) ctx.logger.info("alert state changed", { alertId: id, to });
    return { alert: toAlertRecord(res.alert), changed: res.changed };
  };

  return {
    async listAlerts(req, ctx) {
      const filters = {
        eventIds: list("event_ids", req.eventIds, 32, (v, f) => eventId(f, v)),
        domain: req.domain ? allowedName("domain", req.domain) : undefined,
        states: list("states", req.states, 4, (v, f) => fromApiAlertState(f, v)),
        severities: list("severities", req.severities, 5, (v, f) => severity(f, v)),
        sinceMs: optionalTimeMs("since_ms", req.sinceMs),
        untilMs: optionalTimeMs("until_ms", req.untilMs),
      };
      if (
        filters.sinceMs !== undefined &&
        filters.untilMs !== undefined &&
        filters.untilMs <= filters.sinceMs
      )
        throw ApiError.invalid("until_ms", "must be after since_ms");
      const size = pageSize(req.pageSize, 50, 500);
      const fp = filterFingerprint(filters);
      const after = req.pageToken
        ? decodePageToken(req.pageToken, fp, (p) => {
            const t = intProp(p, "t");
            const id = strProp(p, "id");
            return t !== undefined && id !== undefined ? { firstSeenAtMs: t, alertId: id } : undefined;
          })
        : undefined;
      const docs = await store.page({
        tenantId: ctx.auth.tenantId,
        ...filters,
        ...(after ? { after } : {}),
        limit: size + 1,
        maxTimeMs: ctx.remainingMs() ?? 0,
      });
      const { page, nextPageToken } = keysetPage(docs, size, fp, (d) => ({ t: d.firstSeenAtMs, id: d._id }));
      return { alerts: page.map(toAlertRecord), nextPageToken };
    },

    async getAlert(req, ctx) {
      const id = alertId("alert_id", req.alertId);
      const doc = await store.get(ctx.auth.tenantId, id);
      if (!doc) throw new ApiError("not-found", `alert ${id} not found`);
      const history = await store.stateChanges(ctx.auth.tenantId, id, 100);
      return { alert: toAlertRecord(doc), history: history.map(toApiStateChange) };
    },

    acknowledgeAlert: (req, ctx) => transition(ctx, req.alertId, req.reason, "acknowledged"),
    resolveAlert: (req, ctx) => transition(ctx, req.alertId, req.reason, "resolved"),
    suppressAlert: (req, ctx) => transition(ctx, req.alertId, req.reason, "suppressed"),

    async watchAlerts(req, ctx, send) {
      const eventIds = list("event_ids", req.eventIds, 32, (v, f) => eventId(f, v));
      const severities = list("severities", req.severities, 5, (v, f) => severity(f, v));
      const sinceMs = optionalTimeMs("since_ms", req.sinceMs);
      const pos = req.cursor
        ? WatchPosition.fromCursor(req.cursor, watch.lookbackMs)
        : WatchPosition.since(sinceMs ?? now(), watch.lookbackMs);
      const release = streams.acquire(ctx.auth.tenantId);
      try {
        // The first poll always answers (an alert or a heartbeat): the client then knows it is connected.
        let lastSentMs = Number.NEGATIVE_INFINITY;
        //   poll ==> pages of storedSince (keyset) ==> unsent ==> send ==> advance ==> heartbeat? ==> sleep
        for (;;) {
          await ctx.reauthenticate();
          const readStartMs = now();
          let after: { storedAtMs: number; alertId: string } | undefined;
          let read = 0;
          let complete = false;
          let lastStoredAtMs: number | undefined;
          while (read < watch.maxPerPoll) {
            const page: TriagedAlert[] = await store.storedSince({
              tenantId: ctx.auth.tenantId,
              sinceStoredAtMs: pos.readFromMs,
              ...(after ? { after } : {}),
              eventIds,
              severities,
              limit: 500,
            });
            read += page.length;
            const marks = page.map((doc) => ({ alertId: doc._id, storedAtMs: doc.storedAtMs ?? 0, doc }));
            for (const m of pos.unsent(marks)) {
              await send({ event: { case: "alert", value: toAlertRecord(m.doc) }, cursor: pos.cursor() });
              lastSentMs = now();
            }
            const lastDoc = page[page.length - 1];
            if (lastDoc) {
              lastStoredAtMs = lastDoc.storedAtMs ?? 0;
              after = { storedAtMs: lastStoredAtMs, alertId: lastDoc._id };
            }
            if (page.length < 500) {
              complete = true;
              break;
            }
          }
          pos.advance(readStartMs, complete, lastStoredAtMs);
          if (now() - lastSentMs >= watch.heartbeatMs) {
            await send({
              event: { case: "heartbeat", value: { serverTimeMs: BigInt(now()) } },
              cursor: pos.cursor(),
            });
            lastSentMs = now();
          }
          await sleep(watch.pollMs, ctx.signal);
        }
      } finally {
        release();
      }
    },
  };
}
