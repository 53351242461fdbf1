import { create } from "@bufbuild/protobuf";
import type { InRecord } from "@ctwatch/kafka";
import { type Alert, AlertSchema } from "@ctwatch/proto";
import { MetricsRegistry, silentLogger } from "@ctwatch/runtime";
import { createDestination, Deliverer, SecretBox, sealDestinationConfig } from "@ctwatch/siem";
import { SplunkHecReceiver } from "@ctwatch/siem-testkit";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { ROOT_CONTEXT } from "@opentelemetry/api";
import { Redeliverer } from "./redeliverer.js";
import { sinkHandler } from "./sink-handler.js";
import { TenantDelivery } from "./tenant-delivery.js";
import { grantingLeases, MemoryAlertStore, MemoryParkedStore } from "./testing/memory-stores.js";

const box = new SecretBox({ currentKeyId: "k1", keys: { k1: new Uint8Array(32).fill(3) } });
const GOOD = "good-token";

function alert(tenant: string, i: number): Alert {
  return create(AlertSchema, {
    alertId: `${tenant}-${i}`,
    dedupKey: `25|h${i}.${tenant}.example`,
    tenantId: tenant,
    eventId: 25,
    summary: "New subdomain",
    subjectDomain: `h${i}.${tenant}.example`,
    detectedAtMs: BigInt(Date.UTC(2026, 10, 1) + i),
  });
}

function records(alerts: Alert[]): InRecord<Alert>[] {
  return alerts.map((value, i) => ({
    value,
    key: `${value.tenantId}/${value.dedupKey}`,
    topic: "t",
    partition: 0,
    offset: String(i),
    headers: {},
    timestampMs: 0,
    traceContext: ROOT_CONTEXT,
  }));
}

describe("sink handler with a real HEC receiver", () => {
  let hec: SplunkHecReceiver;
  beforeAll(async () => {
    hec = await SplunkHecReceiver.start({ tokens: { [GOOD]: {} } });
  });
  afterAll(async () => hec.close());

  function setup(
    token: string,
    stores = { alerts: new MemoryAlertStore(), parked: new MemoryParkedStore() },
  ) {
    const destination = createDestination(
      sealDestinationConfig({ kind: "splunk-hec", id: "acme-hec", url: hec.url, token }, box, {
        allowInsecureHttp: true,
      }),
      { secretBox: box, logger: silentLogger, allowInsecureHttp: true },
    );
    const { alerts, parked } = stores;
    const deadLetters: { headers?: Record<string, string> }[] = [];
    const deliverer = new Deliverer({ logger: silentLogger, retry: { maxAttempts: 1 } });
    const metrics = new MetricsRegistry();
    const delivery = new TenantDelivery({
      deliverer,
      alerts,
      parked,
      deadLetter: async (r) => void deadLetters.push(...r),
      encode: () => new Uint8Array(),
      logger: silentLogger,
      metrics,
    });
    const handle = sinkHandler({
      store: alerts,
      destinationsFor: async (t) => (t === "acme" ? [destination] : []),
      delivery,
      deadLetter: async (r) => void deadLetters.push(...r),
      encode: () => new Uint8Array(),
      logger: silentLogger,
      metrics,
    });
    return { handle, alerts, parked, deadLetters, delivery, deliverer, destination };
  }

  it("turns a consumer batch of 250 alerts into 3 HEC requests and marks them delivered", async () => {
    const { handle, alerts } = setup(GOOD);
    const before = hec.requests.length;
    const batch = Array.from({ length: 250 }, (_, i) => alert("acme", i));
    await handle(records([...batch, alert("other", 1)]), new AbortController().signal);
    expect(hec.requests.length - before).toBe(3);
    expect(
      hec.events.filter((e) => (e.event as { CustomerTenant: string }).CustomerTenant === "acme"),
    ).toHaveLength(250);
    expect([...alerts.docs.values()].every((d) => d.deliveryState === "done")).toBe(true);
    expect(alerts.docs.get("acme-0")?.delivery["acme-hec"]?.status).toBe("delivered");
    // A replayed batch (crash before commit) is not delivered again.
    await handle(records(batch), new AbortController().signal);
    expect(hec.requests.length - before).toBe(3);
  });

  it("parks refused alerts (store + DLQ) and redelivers them once the destination accepts them", async () => {
    const bad = setup("wrong-token");
    const batch = Array.from({ length: 5 }, (_, i) => alert("acme", 1000 + i));
    await bad.handle(records(batch), new AbortController().signal);
    expect(await bad.parked.count({ destinationId: "acme-hec" })).toBe(5);
    expect(bad.deadLetters).toHaveLength(5);
    expect(bad.deadLetters[0]?.headers).toMatchObject({
      "ctwatch-destination": "acme-hec",
      "ctwatch-error": "rejected: credentials-rejected",
      "ctwatch-tenant": "acme",
    });
    expect(bad.alerts.docs.get("acme-1000")?.delivery["acme-hec"]?.status).toBe("parked");

    // The token is fixed (new config): redelivery from the store.
    const good = setup(GOOD, { alerts: bad.alerts, parked: bad.parked });
    const leaseCalls: string[] = [];
    const redeliverer = new Redeliverer(
      {
        parked: bad.parked,
        alerts: bad.alerts,
        leases: {
          tryAcquire: async (name, owner, ttlMs) => {
            leaseCalls.push(`acquire ${name} ${owner} ${ttlMs}`);
            return grantingLeases.tryAcquire(name, owner, ttlMs, 0);
          },
          release: async (name, owner) => void leaseCalls.push(`release ${name} ${owner}`),
        },
        delivery: good.delivery,
        deliverer: good.deliverer,
        destination: async () => good.destination,
        logger: silentLogger,
        metrics: new MetricsRegistry(),
        owner: "test",
      },
      { intervalMs: 0, batchSize: 2, leaseMs: 7_000 },
    );
    const reports = await redeliverer.pass(new AbortController().signal);
    // Steps of 2: the lease is taken, renewed before each later step (and the final
    // empty page), then released.
    expect(leaseCalls).toEqual([
      ...Array.from({ length: 4 }, () => "acquire redeliver:acme-hec test 7000"),
      "release redeliver:acme-hec test",
    ]);
    expect(reports).toEqual([
      { destinationId: "acme-hec", delivered: 5, parked: 0, missing: 0, stoppedOnFailure: false },
    ]);
    expect(await bad.parked.count({})).toBe(0);
    expect(bad.alerts.docs.get("acme-1000")?.delivery["acme-hec"]?.status).toBe("delivered");
    // No second DLQ record for a redelivery.
    expect(good.deadLetters).toHaveLength(0);
  });
});
