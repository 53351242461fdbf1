import { create } from "@bufbuild/protobuf";
import { CertificateEntrySchema, EntryType, Severity, WatchItem_Kind, WatchItemSchema } from "@ctwatch/proto";
import { describe, expect, it } from "@jest/globals";
import { alertIdFor, certificateRefFromEntry, newAlert } from "./alert-factory.js";
import { allEvents, EventId, eventDefinition } from "./catalogue.js";

describe("event catalogue", () => {
  it("has exactly the documented IDs", () => {
    expect(allEvents().map((e) => e.id)).toEqual([
      12, 13, 18, 19, 20, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 40, 41, 42, 68, 99,
    ]);
  });

  it.each([
    [12, "A similar domain has been found."],
    [13, "A similar domain with different Top Level Domain was found."],
    [18, "Your domain is vulnerable to domain takeover."],
    [20, "The certificate was issued from a different Root CA."],
    [25, "A new sub domain was registered."],
    [29, "Certificate does not meet CAA policy."],
    [99, "Certificate is expiring soon."],
  ])("event %i has the documented summary", (id, summary) => {
    expect(eventDefinition(id).summary).toBe(summary);
  });

  it("classifies CT, network and internal PKI events", () => {
    const byCat = (c: string) =>
      allEvents()
        .filter((e) => e.category === c)
        .map((e) => e.id);
    expect(byCat("ct")).toEqual([12, 13, 18, 20, 25, 29]);
    expect(byCat("internal-pki-scan")).toEqual([30, 31, 32, 33, 34, 35, 36, 37]);
    expect(byCat("network-scan")).toEqual([19, 26, 27, 28, 40, 41, 42, 68, 99]);
  });

  it("rejects unknown IDs", () => {
    expect(() => eventDefinition(14)).toThrow(RangeError);
  });
});

describe("newAlert", () => {
  it("carries the catalogue texts and a deterministic ID", () => {
    const entry = create(CertificateEntrySchema, {
      entryType: EntryType.PRECERT,
      timestampMs: 1700000000000n,
      issuanceKey: new Uint8Array([1, 2]),
      certificate: { dnsNames: ["www.example.com"], sha256: new Uint8Array([9]) },
      position: { leafIndex: 42n, logId: new Uint8Array([7]) },
    });
    const a = newAlert({
      eventId: EventId.NewSubdomain,
      tenantId: "t1",
      dedupKey: "25|www.example.com",
      subjectDomain: "www.example.com",
      watchItem: create(WatchItemSchema, { kind: WatchItem_Kind.OWNED_DOMAIN, value: "example.com" }),
      certificate: certificateRefFromEntry(entry),
      detector: "new-subdomain/1",
      detectedAtMs: 5,
    });
    expect(a.summary).toBe("A new sub domain was registered.");
    expect(a.description).toBe(eventDefinition(25).description);
    expect(a.severity).toBe(Severity.LOW);
    expect(a.alertId).toBe(alertIdFor("t1", "25|www.example.com"));
    expect(a.alertId).not.toBe(alertIdFor("t2", "25|www.example.com"));
    expect(a.certificate?.precertificate).toBe(true);
    expect(a.certificate?.positions[0]?.leafIndex).toBe(42n);
  });
});
