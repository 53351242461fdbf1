/**
 * Benchmark (not part of the test suite) of the API against the real
 * MongoDB-wire server: authenticated unary calls per second, ListAlerts page
 * latency over 2 000 alerts, and WatchAlerts latency from the sink's store
 * write to the client. Runs in jest's `bench` project, which scripts/test.sh
 * never selects:
 *
 *   bash scripts/infra/up.sh && set -a && . .infra/env && set +a &&
 *     TEST_INFRA=external node_modules/.bin/jest --selectProjects bench --testPathPatterns test/bench/api
 */
import { create } from "@bufbuild/protobuf";
import { newAlert } from "@ctwatch/events";
import { CertificateRefSchema, WatchItem_Kind, WatchItemSchema } from "@ctwatch/proto";
import { MongoAlertStore } from "@ctwatch/store";
import { expect, it } from "@jest/globals";
import { startApiFixture } from "../integration/api-fixture.js";

const ALERTS = 2_000;
const FAST = { requestsPerSecond: 10_000, burst: 100_000 };

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

it("measures call rate, list latency and stream latency", async () => {
  const fx = await startApiFixture({
    rate: FAST,
    watch: { pollMs: 1_000, lookbackMs: 10_000, heartbeatMs: 15_000, maxPerPoll: 5_000 },
  });
  try {
    const client = fx.client(await fx.tenant("bench", { rateLimit: FAST }));
    const store = new MongoAlertStore(fx.db.db);
    await store.init();
    const alert = (n: number, atMs: number) =>
      newAlert({
        eventId: 25,
        tenantId: "bench",
        dedupKey: `25|h${n}.example.com`,
        subjectDomain: `h${n}.example.com`,
        watchItem: create(WatchItemSchema, { kind: WatchItem_Kind.OWNED_DOMAIN, value: "example.com" }),
        certificate: create(CertificateRefSchema, {
          sha256: new Uint8Array(32).fill(n % 256),
          dnsNames: [`h${n}.example.com`],
        }),
        detector: "bench",
        detectedAtMs: atMs,
      });
    for (let i = 0; i < ALERTS; i += 500)
      await store.upsertMany(Array.from({ length: 500 }, (_, j) => alert(i + j, 1_800_000_000_000 + i + j)));

    // Unary calls with a cached authentication, 16 in flight, for 3 s.
    const started = Date.now();
    let calls = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (Date.now() - started < 3_000) {
          await client.tenants.whoAmI({});
          calls += 1;
        }
      }),
    );
    const callsPerSecond = Math.round(calls / ((Date.now() - started) / 1000));

    // 40 consecutive pages of 50, newest first.
    const listMs: number[] = [];
    let pageToken = "";
    for (let i = 0; i < 40; i++) {
      const t = performance.now();
      pageToken = (await client.alerts.listAlerts({ pageSize: 50, pageToken })).nextPageToken;
      listMs.push(performance.now() - t);
    }

    // Store write -> stream message, after the bulk above has left the look-back window.
    await new Promise((r) => setTimeout(r, 10_000));
    const streamMs: number[] = [];
    const stream = client.alerts.watchAlerts({})[Symbol.asyncIterator]();
    await stream.next();
    for (let k = 0; k < 5; k++) {
      const t = Date.now();
      await store.upsert(alert(100_000 + k, t));
      for (;;) if ((await stream.next()).value?.event.case === "alert") break;
      streamMs.push(Date.now() - t);
    }
    await stream.return?.(undefined);
    const result = {
      callsPerSecond,
      listP50Ms: Math.round(percentile(listMs, 50)),
      listP95Ms: Math.round(percentile(listMs, 95)),
      streamLatencyMs: streamMs,
    };
    process.stderr.write(`api-bench ${JSON.stringify(result)}\n`);
    expect(callsPerSecond).toBeGreaterThan(0);
  } finally {
    await fx.close();
  }
}, 180_000);
