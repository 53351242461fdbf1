import { create, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import {
  AlertService,
  DestinationService,
  InventoryService,
  TenantService,
  WatchlistService,
} from "@ctwatch/proto";
import { Client, credentials, type CallOptions as GrpcCallOptions, Metadata } from "@grpc/grpc-js";
import { context, propagation, type TextMapSetter } from "@opentelemetry/api";
import { ApiCallError, toApiCallError } from "./api-call-error.js";
import { grpcServiceDefinition } from "./grpc-service-definition.js";
import { decodeHealthCheckResponse, encodeHealthCheckRequest, type ServingStatus } from "./health-codec.js";

/** Options of one call. */
export interface CallOptions {
  /** Deadline, ms from now. Unary calls default to the client's `timeoutMs`; streams have none. */
  readonly timeoutMs?: number;
  /** Cancels the call (the promise rejects with CANCELLED; a stream ends with it). */
  readonly signal?: AbortSignal;
}

/** A typed client of one service: one method per RPC, named as protobuf-es names them (`listAlerts`). */
export type ServiceClient<T extends GenServiceMethods> = {
  [K in keyof T]: T[K]["methodKind"] extends "unary"
    ? (
        request: MessageInitShape<T[K]["input"]>,
        options?: CallOptions,
      ) => Promise<MessageShape<T[K]["output"]>>
    : T[K]["methodKind"] extends "server_streaming"
      ? (
          request: MessageInitShape<T[K]["input"]>,
          options?: CallOptions,
        ) => AsyncIterable<MessageShape<T[K]["output"]>>
      : never;
};

type Methods<S> = S extends GenService<infer T> ? T : never;

/** Options of {@link createApiClient}. */
export interface ApiClientOptions {
  /** `grpc://host:port` (plaintext) or `grpcs://host:port` (TLS). */
  readonly url: string;
  /** API token, sent as `authorization: Bearer <token>`; not needed for health checks. */
  readonly token?: string;
  /** PEM of CAs to trust for grpcs (default: the system's). */
  readonly caPem?: Buffer;
  /** Client certificate and key (PEM) for mutual TLS. */
  readonly certPem?: Buffer;
  readonly keyPem?: Buffer;
  /** Expected server name when it differs from the URL's host (TLS). */
  readonly serverName?: string;
  /** Default deadline of unary calls, ms. Default 30 000. */
  readonly timeoutMs?: number;
}

/** The API, one typed client per service, over one HTTP/2 channel. */
export interface ApiClient {
  readonly alerts: ServiceClient<Methods<typeof AlertService>>;
  readonly watchlist: ServiceClient<Methods<typeof WatchlistService>>;
  readonly destinations: ServiceClient<Methods<typeof DestinationService>>;
  readonly inventory: ServiceClient<Methods<typeof InventoryService>>;
  readonly tenants: ServiceClient<Methods<typeof TenantService>>;
  /** `grpc.health.v1.Health/Check` for `service` ("" = the whole server). */
  health(service?: string, options?: CallOptions): Promise<ServingStatus>;
  /** Closes the channel (idempotent). */
  close(): void;
}

/** Scheme and address of an API URL. Throws TypeError for anything but grpc:// or grpcs:// host:port. */
export function parseApiUrl(url: string): { address: string; tls: boolean } {
  const m = /^(grpcs?):\/\/(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})\/?$/.exec(url.trim());
  if (!m || Number(m[3]) < 1 || Number(m[3]) > 65535)
    throw new TypeError(`"${url}" is not an API URL: expected grpc://host:port or grpcs://host:port`);
  return { address: `${m[2]}:${m[3]}`, tls: m[1] === "grpcs" };
}

/** Creates a client. Nothing connects until the first call. */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const { address, tls } = parseApiUrl(options.url);
  const channelCredentials = tls
    ? credentials.createSsl(options.caPem ?? null, options.keyPem ?? null, options.certPem ?? null)
    : credentials.createInsecure();
  const channel = new Client(address, channelCredentials, {
    ...(options.serverName ? { "grpc.ssl_target_name_override": options.serverName } : {}),
    "grpc.max_receive_message_length": 16 << 20,
  });
  const ctx: CallContext = { channel, token: options.token, timeoutMs: options.timeoutMs ?? 30_000 };
  let closed = false;
  return {
    alerts: serviceClient(ctx, AlertService),
    watchlist: serviceClient(ctx, WatchlistService),
    destinations: serviceClient(ctx, DestinationService),
    inventory: serviceClient(ctx, InventoryService),
    tenants: serviceClient(ctx, TenantService),
    health: (service = "", opts = {}) =>
      unary(
        ctx,
        "/grpc.health.v1.Health/Check",
        encodeHealthCheckRequest,
        decodeHealthCheckResponse,
        service,
        opts,
        false,
      ),
    close() {
      if (!closed) channel.close();
      closed = true;
    },
  };
}

interface CallContext {
  readonly channel: Client;
  readonly token: string | undefined;
  readonly timeoutMs: number;
}

const metadataSetter: TextMapSetter<Metadata> = {
  set: (md, key, value) => md.set(key, value),
};

/**
 * Metadata of one call: the token, and the W3C trace context (`traceparent`)
 * of the context active when the call is made, so the server's span joins the
 * caller's trace (a no-op while no OpenTelemetry propagator is registered).
 */
function metadataFor(ctx: CallContext, withToken: boolean): Metadata {
  const md = new Metadata();
  if (withToken && ctx.token) md.set("authorization", `Bearer ${ctx.token}`);
  propagation.inject(context.active(), md, metadataSetter);
  return md;
}

function unary<I, O>(
  ctx: CallContext,
  path: string,
  serialize: (v: I) => Buffer,
  deserialize: (b: Buffer) => O,
  request: I,
  opts: CallOptions,
  withToken = true,
): Promise<O> {
  return new Promise<O>((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new ApiCallError(1, "cancelled before the call started"));
      return;
    }
    const callOptions: GrpcCallOptions = { deadline: Date.now() + (opts.timeoutMs ?? ctx.timeoutMs) };
    const onAbort = () => call.cancel();
    const call = ctx.channel.makeUnaryRequest(
      path,
      serialize,
      deserialize,
      request,
      metadataFor(ctx, withToken),
      callOptions,
      (err, value) => {
        opts.signal?.removeEventListener("abort", onAbort);
        if (err) reject(toApiCallError(err));
        else if (value === undefined) reject(new ApiCallError(13, "empty response"));
        else resolve(value);
      },
    );
    opts.signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function serverStream<I, O>(
  ctx: CallContext,
  path: string,
  serialize: (v: I) => Buffer,
  deserialize: (b: Buffer) => O,
  request: I,
  opts: CallOptions,
): AsyncGenerator<O> {
  // Metadata now, while the caller's trace context is active (the generator starts on first read).
  return readStream(ctx, path, serialize, deserialize, request, opts, metadataFor(ctx, true));
}

async function* readStream<I, O>(
  ctx: CallContext,
  path: string,
  serialize: (v: I) => Buffer,
  deserialize: (b: Buffer) => O,
  request: I,
  opts: CallOptions,
  metadata: Metadata,
): AsyncGenerator<O> {
  const callOptions: GrpcCallOptions = opts.timeoutMs ? { deadline: Date.now() + opts.timeoutMs } : {};
  const call = ctx.channel.makeServerStreamRequest(
    path,
    serialize,
    deserialize,
    request,
    metadata,
    callOptions,
  );
  const onAbort = () => call.cancel();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  // Iterated by hand: leaving a `for await` over the stream early would await the
  // stream's destruction, which waits for the call to end, which nobody cancels.
  const messages = call[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await messages.next();
      if (next.done) return;
      yield next.value as O;
    }
  } catch (err) {
    throw toApiCallError(err);
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
    // Leaving early (break, return, a throw in the consumer) cancels the call.
    call.on("error", () => {});
    call.cancel();
  }
}

function serviceClient<T extends GenServiceMethods>(
  ctx: CallContext,
  service: GenService<T>,
): ServiceClient<T> {
  const def = grpcServiceDefinition(service);
  const out: Record<string, unknown> = {};
  for (const m of service.methods) {
    const d = def[m.name];
    if (!d) continue;
    const input: DescMessage = m.input;
    const build = (init: unknown) => create(input, init as MessageInitShape<DescMessage>);
    if (m.methodKind === "unary") {
      out[m.localName] = (init: unknown, opts: CallOptions = {}) =>
        unary(ctx, d.path, d.requestSerialize, d.responseDeserialize, build(init), opts);
    } else if (m.methodKind === "server_streaming") {
      out[m.localName] = (init: unknown, opts: CallOptions = {}) =>
        serverStream(ctx, d.path, d.requestSerialize, d.responseDeserialize, build(init), opts);
    }
  }
  return out as ServiceClient<T>;
}
