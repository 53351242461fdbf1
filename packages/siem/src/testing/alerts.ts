import { create } from "@bufbuild/protobuf";
import { eventDefinition } from "@ctwatch/events";
import {
  type Alert,
  AlertSchema,
  CertificateRefSchema,
  LogPositionSchema,
  TakeoverDetailsSchema,
  WatchItem_Kind,
  WatchItemSchema,
} from "@ctwatch/proto";

/** 2026-05-04T08:00:00.123Z: a fixed detection time for format tests. */
export const FIXED_DETECTED_AT_MS = Date.UTC(2026, 4, 4, 8, 0, 0, 123);

/**
 * A realistic event-18 (domain takeover) alert, texts from the catalogue.
 * Test-only; not exported from the package.
 */
export function takeoverAlert(
  overrides: { alertId?: string; detectedAtMs?: number; tenantId?: string } = {},
): Alert {
  const def = eventDefinition(18);
  return create(AlertSchema, {
    alertId: overrides.alertId ?? "a1f3c0de",
    dedupKey: "takeover:shop.example.com",
    tenantId: overrides.tenantId ?? "acme",
    eventId: def.id,
    summary: def.summary,
    description: def.description,
    severity: def.defaultSeverity,
    subjectDomain: "shop.example.com",
    watchItem: create(WatchItemSchema, { kind: WatchItem_Kind.OWNED_DOMAIN, value: "example.com" }),
    certificate: create(CertificateRefSchema, {
      sha256: new Uint8Array(32).fill(0xab),
      precertificate: true,
      positions: [
        create(LogPositionSchema, {
          logId: new Uint8Array(32).fill(1),
          logUrl: "https://ct.example.net/2026h1/",
          leafIndex: 123_456_789n,
        }),
      ],
      dnsNames: ["shop.example.com", "www.shop.example.com"],
      subjectCn: "shop.example.com",
      issuerDn: "CN=R11,O=Let's Encrypt,C=US",
      serialHex: "4a1b2c3d4e5f",
      notBeforeMs: BigInt(Date.UTC(2026, 4, 1)),
      notAfterMs: BigInt(Date.UTC(2026, 6, 30)),
      loggedAtMs: BigInt(Date.UTC(2026, 4, 1, 0, 5)),
    }),
    detector: "takeover/1",
    detectedAtMs: BigInt(overrides.detectedAtMs ?? FIXED_DETECTED_AT_MS),
    details: {
      case: "takeover",
      value: create(TakeoverDetailsSchema, {
        cnameChain: ["shop.example.com", "acme-shop.azurewebsites.net"],
        azureSuffix: "azurewebsites.net",
        remedy: "Remove the CNAME record shop.example.com",
        asuidProtected: false,
      }),
    },
  });
}

/** `count` distinct alerts (IDs `alert-0`…), detected `spacingMs` apart starting at `startMs`. */
export function manyAlerts(count: number, startMs: number, spacingMs = 1000): Alert[] {
  return Array.from({ length: count }, (_, i) =>
    takeoverAlert({ alertId: `alert-${i}`, detectedAtMs: startMs + i * spacingMs }),
  );
}
