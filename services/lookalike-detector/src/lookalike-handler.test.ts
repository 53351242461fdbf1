import { create } from "@bufbuild/protobuf";
import { buildLookalikeIndex, type LookalikeIndex } from "@ctwatch/detect-lookalike";
import type { InRecord } from "@ctwatch/kafka";
import {
  type Alert,
  type CertificateEntry,
  CertificateEntrySchema,
  CertificateSchema,
  EntryType,
  LogPositionSchema,
  WatchItem_Kind,
} from "@ctwatch/proto";
import { MetricsRegistry, silentLogger } from "@ctwatch/runtime";
import { alertKey } from "@ctwatch/service-kit";
import { describe, expect, it } from "@jest/globals";
import { ROOT_CONTEXT } from "@opentelemetry/api";
import { certificateNames, lookalikeHandler } from "./lookalike-handler.js";

let leaf = 0n;

/** A certificate entry with `names`; entries sharing `issuance` are a precert/cert pair. */
function entry(
  names: string[],
  issuance: number,
  opts: { cn?: string; precert?: boolean } = {},
): CertificateEntry {
  leaf += 1n;
  return create(CertificateEntrySchema, {
    position: create(LogPositionSchema, { logId: new Uint8Array([1, 2, 3]), leafIndex: leaf }),
    entryType: opts.precert ? EntryType.PRECERT : EntryType.X509,
    issuanceKey: new Uint8Array(32).fill(issuance),
    certificate: create(CertificateSchema, {
      dnsNames: names,
      subjectCn: opts.cn ?? "",
      sha256: new Uint8Array(32).fill(Number(leaf % 256n)),
      serialHex: "01",
    }),
  });
}

function records(entries: CertificateEntry[]): InRecord<CertificateEntry>[] {
  return entries.map((value, i) => ({
    value,
    key: undefined,
    topic: "entries",
    partition: 0,
    offset: String(i),
    headers: {},
    timestampMs: 0,
    traceContext: ROOT_CONTEXT,
  }));
}

const index = buildLookalikeIndex([
  { tenantId: "acme", domain: "paypal.com", ownedDomains: ["paypal.de"] },
  { tenantId: "acme", domain: "yourcompany.com" },
  { tenantId: "globex", domain: "paypal.com" },
]);

function setup(
  opts: { idx?: LookalikeIndex; maxEvidence?: number; failPublish?: number; trustCoCertified?: boolean } = {},
) {
  const published: Alert[][] = [];
  let failures = opts.failPublish ?? 0;
  const metrics = new MetricsRegistry();
  const handle = lookalikeHandler({
    index: async () => opts.idx ?? index,
    publish: async (alerts) => {
      if (failures > 0) {
        failures--;
        throw new Error("kafka down");
      }
      published.push(alerts);
    },
    logger: silentLogger,
    metrics,
    seenIssuances: 1000,
    maxEvidence: opts.maxEvidence ?? 50,
    trustCoCertified: opts.trustCoCertified,
    now: () => 1_700_000_000_000,
  });
  return { handle, published, metrics, all: () => published.flat() };
}

describe("lookalikeHandler", () => {
  it("emits one explained alert per (tenant, registrable domain) of a certificate", async () => {
    const { handle, all } = setup();
    await handle(records([entry(["www.paypa1.com", "login.paypa1.com", "paypa1.com", "unrelated.org"], 1)]));
    const alerts = all();
    expect(alerts.map((a) => [a.tenantId, a.eventId, a.subjectDomain, a.dedupKey])).toEqual([
      ["acme", 12, "paypa1.com", "lookalike|paypa1.com"],
      ["globex", 12, "paypa1.com", "lookalike|paypa1.com"],
    ]);
    const a = alerts[0] as Alert;
    expect(a.summary).toBe("A similar domain has been found.");
    expect(a.description).toMatch(/^A domain that might be impersonating your domain was found/);
    expect(a.watchItem?.kind).toBe(WatchItem_Kind.BRAND);
    expect(a.watchItem?.value).toBe("paypal.com");
    expect(a.detector).toBe("lookalike/1");
    expect(alertKey(a)).toBe("acme/lookalike|paypa1.com");
    expect(a.certificate?.dnsNames).toContain("login.paypa1.com");
    expect(a.details.case).toBe("lookalike");
    if (a.details.case !== "lookalike") throw new Error("details");
    const d = a.details.value;
    expect(d.brand).toBe("paypal.com");
    expect(d.techniques).toBe("homoglyph");
    expect(d.skeleton).toBe("paypal");
    expect(d.brandSkeleton).toBe("paypal");
    expect(d.distance).toBe(1);
    expect(d.registrableDomain).toBe("paypa1.com");
    expect(d.matchedNames).toEqual(["www.paypa1.com", "login.paypa1.com", "paypa1.com"]);
    expect(d.score).toBeGreaterThan(0.9);
    expect(d.reason).toMatch(/imitates paypal\.com by homoglyph/);
  });

  it("drops a tenant's matches in a certificate that also certifies one of its own names", async () => {
    const { handle, all, metrics } = setup();
    // paypal.de is acme's own domain: this certificate is acme's, paypa1.com with it.
    await handle(records([entry(["paypa1.com", "paypal.de"], 9)]));
    expect(all().map((a) => [a.tenantId, a.eventId, a.subjectDomain])).toEqual([
      ["globex", 12, "paypa1.com"],
      ["globex", 13, "paypal.de"],
    ]);
    expect(metrics.value("ctwatch_lookalike_suppressed_total", { reason: "co-certified-owned" })).toBe(1);
    const off = setup({ trustCoCertified: false });
    await off.handle(records([entry(["paypa1.com", "paypal.de"], 10)]));
    expect(off.all().map((a) => [a.tenantId, a.eventId, a.subjectDomain])).toEqual([
      ["acme", 12, "paypa1.com"],
      ["globex", 12, "paypa1.com"],
      ["globex", 13, "paypal.de"],
    ]);
  });

  it("raises event 13 with the seed texts for the brand label under another suffix, CN included", async () => {
    const { handle, all } = setup();
    await handle(records([entry([], 2, { cn: "*.YourCompany.co" })]));
    const [a] = all();
    expect(a?.eventId).toBe(13);
    expect(a?.summary).toBe("A similar domain with different Top Level Domain was found.");
    if (a?.details.case !== "lookalike") throw new Error("details");
    expect(a.details.value.matchedName).toBe("*.yourcompany.co");
    expect(a.details.value.techniques).toBe("tld-swap");
  });

  it("does not re-emit a precertificate's final certificate, but re-emits new certificates as evidence", async () => {
    const { handle, all, metrics } = setup({ maxEvidence: 2 });
    await handle(records([entry(["paypa1.com"], 3, { precert: true }), entry(["paypa1.com"], 3)]));
    expect(all()).toHaveLength(2); // acme + globex, once
    await handle(records([entry(["paypa1.com"], 3)])); // a later batch, same issuance
    expect(all()).toHaveLength(2);
    await handle(records([entry(["mail.paypa1.com"], 4)])); // a new certificate: evidence
    expect(all()).toHaveLength(4);
    const ids = new Set(all().map((a) => `${a.tenantId}/${a.alertId}`));
    expect(ids.size).toBe(2); // same alert IDs: the store adds evidence
    await handle(records([entry(["paypa1.com"], 5)])); // beyond maxEvidence: dropped
    expect(all()).toHaveLength(4);
    expect(metrics.value("ctwatch_lookalike_suppressed_total", { reason: "same-issuance" })).toBe(4);
    expect(metrics.value("ctwatch_lookalike_suppressed_total", { reason: "evidence-cap" })).toBe(2);
    expect(metrics.total("ctwatch_alerts_emitted_total")).toBe(4);
  });

  it("remembers an issuance only after the publish succeeded", async () => {
    const { handle, all } = setup({ failPublish: 1 });
    const batch = records([entry(["paypa1.com"], 6)]);
    await expect(handle(batch)).rejects.toThrow("kafka down");
    await handle(batch); // the consumer's retry
    expect(all()).toHaveLength(2);
  });

  it("never throws on bad names and counts every name", async () => {
    const { handle, all, metrics } = setup();
    const bad = [
      "",
      "a..b.com",
      `${"x".repeat(64)}.com`,
      `${"a.".repeat(130)}com`,
      "xn--zz--.com",
      "-lead.com",
      "exa mple.com",
      "192.168.1.1",
      "*.*.paypa1.com",
      "p\u0430ypal.com",
      "\u0000",
    ];
    await handle(records([entry(bad, 7, { cn: "not a domain" })]));
    expect(metrics.value("ctwatch_lookalike_names_total")).toBe(bad.length + 1);
    // Only the Unicode homograph is a valid name, and it alerts.
    expect(new Set(all().map((a) => a.subjectDomain))).toEqual(new Set(["xn--pypal-4ve.com"]));
  });

  it("does nothing without brands", async () => {
    const { handle, all } = setup({ idx: buildLookalikeIndex([]) });
    await handle(records([entry(["paypa1.com"], 8)]));
    expect(all()).toEqual([]);
  });

  it("lists SANs then a differing CN", () => {
    expect(certificateNames(entry(["a.com", "b.com"], 9, { cn: "A.com" }))).toEqual(["a.com", "b.com"]);
    expect(certificateNames(entry(["a.com"], 9, { cn: "c.com" }))).toEqual(["a.com", "c.com"]);
  });
});
