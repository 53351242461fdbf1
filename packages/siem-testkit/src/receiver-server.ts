import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** A request as a receiver saw it (header names lowercase). */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly receivedAtMs: number;
  /** Status the receiver answered with (undefined when the socket was closed or the request hung). */
  status?: number;
}

/** What a receiver answers. */
export interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Objects are sent as JSON. */
  readonly body?: string | object;
}

/**
 * A fault to inject into the next matching requests, instead of (or before) the
 * receiver's normal handling:
 * - `reply`: answer with this status/headers/body (e.g. 503 with `Retry-After: 1`);
 * - `close-socket`: destroy the connection without answering;
 * - `hang`: never answer (until the receiver stops);
 * - `delayMs` alone: wait, then handle normally.
 */
export type Fault =
  | { readonly kind: "reply"; readonly reply: Reply; readonly delayMs?: number }
  | { readonly kind: "close-socket"; readonly delayMs?: number }
  | { readonly kind: "hang" }
  | { readonly kind: "delay"; readonly delayMs: number };

/** Options every receiver accepts. */
export interface ReceiverOptions {
  /** Largest request body read, bytes; larger requests get 413 and the connection is closed. Default 64 MiB. */
  readonly maxBodyBytes?: number;
  /** Requests kept for inspection (oldest dropped first). Default 10 000. */
  readonly maxRecordedRequests?: number;
  /** Clock, ms. Default `Date.now`. */
  readonly now?: () => number;
}

interface QueuedFault {
  remaining: number;
  readonly fault: Fault;
  readonly matches: (req: RecordedRequest) => boolean;
}

/**
 * The HTTP plumbing of every receiver: listens on 127.0.0.1 on a random port, reads
 * bounded bodies, records requests, applies injected faults, and delegates the rest
 * to `handle`. Subclasses implement the SIEM's rules.
 */
export abstract class ReceiverServer {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #hanging = new Set<ServerResponse>();
  readonly #faults: QueuedFault[] = [];
  readonly #requests: RecordedRequest[] = [];
  readonly #maxBodyBytes: number;
  readonly #maxRecorded: number;
  protected readonly now: () => number;
  #url = "";

  protected constructor(options: ReceiverOptions = {}) {
    this.#maxBodyBytes = options.maxBodyBytes ?? 64 * 1024 * 1024;
    this.#maxRecorded = options.maxRecordedRequests ?? 10_000;
    this.now = options.now ?? Date.now;
    this.#server = createServer((req, res) => {
      this.#onRequest(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: `receiver bug: ${String(error)}` }));
        }
      });
    });
    this.#server.on("connection", (socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
    });
  }

  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  get url(): string {
    return this.#url;
  }

  /** Every request received so far (bounded). */
  get requests(): readonly RecordedRequest[] {
    return this.#requests;
  }

  /** Listens on 127.0.0.1, on a random free port unless `port` is given. */
  async listen(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, "127.0.0.1", () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    const address = this.#server.address() as AddressInfo;
    this.#url = `http://127.0.0.1:${address.port}`;
    return this;
  }

  /** Stops listening, ends hanging requests and closes all connections. Idempotent. */
  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#hanging.clear();
    for (const socket of this.#sockets) socket.destroy();
    if (!this.#server.listening) return;
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /**
   * Applies `fault` to the next `count` requests matching `matches` (default: any).
   * Faults queue in order; each request consumes at most one.
   */
  injectFault(count: number, fault: Fault, matches: (req: RecordedRequest) => boolean = () => true): void {
    this.#faults.push({ remaining: count, fault, matches });
  }

  /** Drops all queued faults. */
  clearFaults(): void {
    this.#faults.length = 0;
  }

  /** Answers one request that passed the fault layer. */
  protected abstract handle(request: RecordedRequest): Reply | Promise<Reply>;

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > this.#maxBodyBytes) {
        tooLarge = true;
        break;
      }
      chunks.push(chunk as Buffer);
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
    }
    const recorded: RecordedRequest = {
      method: req.method ?? "GET",
      url: req.url ?? "/",
      headers,
      body: Buffer.concat(chunks),
      receivedAtMs: this.now(),
    };
    this.#requests.push(recorded);
    if (this.#requests.length > this.#maxRecorded) this.#requests.shift();
    if (tooLarge) {
      this.#send(res, recorded, { status: 413, body: { message: "Request Entity Too Large" } });
      res.on("finish", () => req.socket.destroy());
      return;
    }
    const queued = this.#faults.find((f) => f.remaining > 0 && f.matches(recorded));
    if (queued) {
      queued.remaining--;
      if (queued.remaining === 0) this.#faults.splice(this.#faults.indexOf(queued), 1);
      const fault = queued.fault;
      if ("delayMs" in fault && fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      switch (fault.kind) {
        case "hang":
          this.#hanging.add(res);
          res.on("close", () => this.#hanging.delete(res));
          return;
        case "close-socket":
          req.socket.destroy();
          return;
        case "reply":
          this.#send(res, recorded, fault.reply);
          return;
        case "delay":
          break;
      }
    }
    this.#send(res, recorded, await this.handle(recorded));
  }

  #send(res: ServerResponse, recorded: RecordedRequest, reply: Reply): void {
    recorded.status = reply.status;
    const body =
      reply.body === undefined
        ? ""
        : typeof reply.body === "string"
          ? reply.body
          : JSON.stringify(reply.body);
    const headers: Record<string, string> = { ...reply.headers };
    if (body !== "" && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
      headers["content-type"] =
        typeof reply.body === "string" ? "text/plain" : "application/json; charset=UTF-8";
    }
    res.writeHead(reply.status, headers);
    res.end(body);
  }
}

/** Splits `url` (path and query) into path and query parameters. */
export function splitUrl(url: string): { path: string; query: URLSearchParams } {
  const parsed = new URL(url, "http://receiver.invalid");
  return { path: parsed.pathname, query: parsed.searchParams };
}
