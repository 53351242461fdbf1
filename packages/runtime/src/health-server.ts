import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Stoppable } from "./lifecycle.js";

/** Options of `startHealthServer`. */
export interface HealthServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** Named readiness checks; `/readyz` is 200 only when all are true. */
  ready: () => Record<string, boolean>;
  /** Prometheus text for `/metrics`. */
  metrics?: () => string;
}

/** A running health endpoint. */
export interface HealthServer extends Stoppable {
  readonly port: number;
}

/**
 * Serves `/healthz` (process alive), `/readyz` (all checks pass, JSON body
 * names each) and `/metrics`. Binds 127.0.0.1 unless told otherwise.
 */
export async function startHealthServer(opts: HealthServerOptions): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
    } else if (path === "/readyz") {
      const checks = opts.ready();
      const ok = Object.values(checks).every(Boolean);
      res
        .writeHead(ok ? 200 : 503, { "content-type": "application/json" })
        .end(JSON.stringify({ ok, checks }));
    } else if (path === "/metrics" && opts.metrics) {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(opts.metrics());
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host ?? "127.0.0.1", () => resolve());
  });
  let closed: Promise<void> | undefined;
  return {
    name: "health-server",
    port: (server.address() as AddressInfo).port,
    stop() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
