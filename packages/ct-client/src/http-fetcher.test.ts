import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { MetricsRegistry } from "@ctwatch/runtime";
import { afterEach, describe, expect, it } from "@jest/globals";
import { HttpFetcher, LogHttpError } from "./http-fetcher.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server | undefined;

async function serve(handler: Handler): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  if (server) {
    server.closeAllConnections();
    await new Promise((r) => server!.close(r));
    server = undefined;
  }
});

const fetcher = (extra: Partial<ConstructorParameters<typeof HttpFetcher>[0]> = {}) => {
  const metrics = new MetricsRegistry();
  return {
    metrics,
    http: new HttpFetcher({
      logLabel: "test",
      metrics,
      requestsPerSecond: 1000,
      maxConcurrency: 8,
      ...extra,
    }),
  };
};

describe("HttpFetcher", () => {
  it("answers a 429 with one coordinated pause for every request, halves its rate, then recovers", async () => {
    const arrivals: number[] = [];
    let throttledUntil = 0;
    const base = await serve((_req, res) => {
      const now = Date.now();
      arrivals.push(now);
      if (throttledUntil === 0) throttledUntil = now + 1000;
      if (now < throttledUntil) res.writeHead(429, { "retry-after": "1" }).end();
      else res.writeHead(200).end("ok");
    });
    const { http, metrics } = fetcher({ requestsPerSecond: 100 });
    const started = Date.now();
    const bodies = await Promise.all(Array.from({ length: 6 }, (_, i) => http.get(`${base}/x${i}`)));
    expect(bodies.map((b) => Buffer.from(b).toString())).toEqual(Array(6).fill("ok"));
    // The first 429 pauses everyone: after the first burst (at most the in-flight ones), nothing
    // reaches the log until the Retry-After second is over.
    const early = arrivals.filter((t) => t < started + 900);
    expect(early.length).toBeLessThanOrEqual(6);
    expect(arrivals.filter((t) => t >= started + 900 && t < throttledUntil - 50)).toHaveLength(0);
    expect(metrics.value("ctwatch_log_throttled_total", { log: "test" })).toBeGreaterThanOrEqual(1);
    // Halved once for the whole storm, then 6 successes add back 6 * 5 %.
    expect(http.currentRate).toBeCloseTo(50 + 6 * 5, 5);
  });

  it("paces a throttled request through the shared cool-down instead of giving up after maxAttempts", async () => {
    let n = 0;
    const base = await serve((_req, res) => {
      n++;
      if (n <= 12) res.writeHead(429, { "retry-after": "0" }).end();
      else res.writeHead(200).end("through");
    });
    const { http } = fetcher({ maxAttempts: 2, requestsPerSecond: 1000 });
    expect(Buffer.from(await http.get(`${base}/z`)).toString()).toBe("through");
    expect(n).toBe(13);
    const { http: strict } = fetcher({ maxThrottledAttempts: 3, maxAttempts: 1 });
    n = 0;
    await expect(strict.get(`${base}/z`)).rejects.toMatchObject({ status: 429 });
    expect(n).toBe(3);
  });

  it("backs off with jitter when a 503 has no Retry-After", async () => {
    let n = 0;
    const base = await serve((_req, res) => {
      n++;
      if (n <= 2) res.writeHead(503).end();
      else res.writeHead(200).end("fine");
    });
    const { http } = fetcher({ random: () => 0 });
    const t0 = Date.now();
    expect(Buffer.from(await http.get(`${base}/y`)).toString()).toBe("fine");
    // Equal jitter: at least half of 1 s, then half of 2 s.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
  });

  it("decompresses gzip tiles when asked and rejects corrupt gzip", async () => {
    const base = await serve((req, res) => {
      if (req.url === "/good") res.writeHead(200).end(gzipSync(Buffer.from("tile bytes")));
      else res.writeHead(200).end(Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    });
    const { http } = fetcher();
    expect(Buffer.from(await http.get(`${base}/good`, undefined, true)).toString()).toBe("tile bytes");
    expect((await http.get(`${base}/good`)).subarray(0, 2)).toEqual(Uint8Array.of(0x1f, 0x8b));
    await expect(http.get(`${base}/bad`, undefined, true)).rejects.toMatchObject({ kind: "bad-body" });
  });

  it("bounds bodies by Content-Length and while streaming", async () => {
    const base = await serve((req, res) => {
      if (req.url === "/declared") res.writeHead(200, { "content-length": "2000" }).end(Buffer.alloc(2000));
      else {
        res.writeHead(200);
        res.write(Buffer.alloc(700));
        res.end(Buffer.alloc(700));
      }
    });
    const { http } = fetcher({ maxResponseBytes: 1000 });
    await expect(http.get(`${base}/declared`)).rejects.toMatchObject({ kind: "too-large" });
    await expect(http.get(`${base}/streamed`)).rejects.toMatchObject({ kind: "too-large" });
  });

  it("times out slow answers, retries them, and reports 404 without retrying", async () => {
    let slow = 0;
    let missing = 0;
    const base = await serve((req, res) => {
      if (req.url === "/slow") {
        slow++;
        setTimeout(() => res.writeHead(200).end("late"), 500);
      } else {
        missing++;
        res.writeHead(404).end();
      }
    });
    const { http } = fetcher({ timeoutMs: 100, maxAttempts: 2 });
    await expect(http.get(`${base}/slow`)).rejects.toMatchObject({ kind: "timeout" });
    expect(slow).toBe(2);
    const err = await http.get(`${base}/nope`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LogHttpError);
    expect(err).toMatchObject({ kind: "not-found", status: 404, retryable: false });
    expect(missing).toBe(1);
  });

  it("lets a caller waiting for a concurrency slot abort", async () => {
    const base = await serve((_req, res) => {
      setTimeout(() => res.writeHead(200).end("x"), 300);
    });
    const { http } = fetcher({ maxConcurrency: 1 });
    const first = http.get(`${base}/a`);
    const ac = new AbortController();
    const second = http.get(`${base}/b`, ac.signal);
    setTimeout(() => ac.abort(new Error("stop")), 20);
    const t0 = Date.now();
    await expect(second).rejects.toThrow("stop");
    expect(Date.now() - t0).toBeLessThan(200);
    await first;
  });

  it("parses JSON bodies and calls garbage a bad body", async () => {
    const base = await serve((req, res) => res.writeHead(200).end(req.url === "/j" ? '{"a":1}' : "{nope"));
    const { http } = fetcher();
    expect(await http.getJson(`${base}/j`)).toEqual({ a: 1 });
    await expect(http.getJson(`${base}/g`)).rejects.toMatchObject({ kind: "bad-body" });
  });
});
