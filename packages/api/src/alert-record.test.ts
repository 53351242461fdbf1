import { create, type JsonObject, toJson } from "@bufbuild/protobuf";
import { AlertSchema, AlertState, Severity } from "@ctwatch/proto";
import type { TriagedAlert } from "@ctwatch/store";
import { describe, expect, it } from "@jest/globals";
import { fromApiAlertState, toAlertRecord } from "./alert-record.js";

function stored(over: Partial<TriagedAlert> = {}): TriagedAlert {
  const alert = create(AlertSchema, {
    alertId: "0123456789abcdef0123456789abcdef",
    tenantId: "acme",
    dedupKey: "25|www.example.com",
    eventId: 25,
    severity: Severity.MEDIUM,
    subjectDomain: "www.example.com",
    summary: "A new sub domain was registered.",
  });
  return {
    _id: alert.alertId,
    tenantId: "acme",
    dedupKey: alert.dedupKey,
    eventId: 25,
    severity: Severity.MEDIUM,
    subjectDomain: "www.example.com",
    state: "open",
    firstSeenAtMs: 1000,
    lastSeenAtMs: 2000,
    storedAtMs: 1500,
    occurrences: 2,
    evidence: [{ certSha256: "aa", logId: "bG9n", leafIndex: "42", atMs: 1000 }],
    deliveryState: "done",
    delivery: { acme_splunk: { status: "delivered", atMs: 1600 } },
    alert: toJson(AlertSchema, alert) as JsonObject,
    ...over,
  };
}

describe("toAlertRecord", () => {
  it("maps the stored alert, evidence, delivery (by destination name) and triage", () => {
    const r = toAlertRecord(
      stored({
        state: "acknowledged",
        lastStateChange: {
          from: "open",
          to: "acknowledged",
          reason: "on it",
          actor: "token:tok_1",
          atMs: 3000,
        },
      }),
    );
    expect(r.alert?.summary).toBe("A new sub domain was registered.");
    expect(r.state).toBe(AlertState.ACKNOWLEDGED);
    expect(r.firstSeenAtMs).toBe(1000n);
    expect(r.evidence[0]?.leafIndex).toBe(42n);
    expect(r.deliveries).toEqual([
      expect.objectContaining({ destination: "splunk", status: "delivered", atMs: 1600n }),
    ]);
    expect(r.deliveryDone).toBe(true);
    expect(r.lastStateChange?.reason).toBe("on it");
  });

  it("still shows the indexed fields when the stored JSON no longer parses", () => {
    const r = toAlertRecord(stored({ alert: { eventId: "not a number" } }));
    expect(r.alert?.alertId).toBe("0123456789abcdef0123456789abcdef");
    expect(r.alert?.eventId).toBe(25);
  });

  it("ignores fields a newer writer added", () => {
    const base = stored();
    const r = toAlertRecord(stored({ alert: { ...base.alert, someFutureField: 1 } }));
    expect(r.alert?.subjectDomain).toBe("www.example.com");
  });

  it("maps states both ways and refuses UNSPECIFIED", () => {
    expect(fromApiAlertState("states[0]", AlertState.SUPPRESSED)).toBe("suppressed");
    expect(() => fromApiAlertState("states[0]", AlertState.UNSPECIFIED)).toThrow(/states\[0\]/);
  });
});
