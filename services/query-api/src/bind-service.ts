import { randomBytes } from "node:crypto";
import {
  create,
  type DescMessage,
  type DescMethod,
  fromBinary,
  type MessageInitShape,
  type MessageShape,
} from "@bufbuild/protobuf";
import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import {
  ApiError,
  type Authorization,
  authorize,
  type MethodPolicy,
  methodKey,
  policyFor,
  quotaKeyOf,
  type TokenBucketLimiter,
} from "@ctwatch/api";
import { grpcServiceDefinition } from "@ctwatch/api-client";
import type { Counter, Logger } from "@ctwatch/runtime";
import { ctwatchTracer } from "@ctwatch/telemetry";
import {
  type Metadata,
  type Server,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
  status,
  type UntypedHandleCall,
} from "@grpc/grpc-js";
import {
  type Context,
  context as otelContext,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  trace,
} from "@opentelemetry/api";
import type { Authenticator } from "./authenticator.js";
import { type GrpcFailure, grpcFailure } from "./grpc-status.js";

/** Reads W3C trace context (`traceparent`, `tracestate`) from incoming gRPC metadata. */
const metadataGetter: TextMapGetter<Metadata> = {
  keys: (md) => Object.keys(md.getMap()),
  get(md, key) {
    const values = md.get(key).filter((v): v is string => typeof v === "string");
    return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
  },
};

/**
 * gRPC codes that mark a SERVER span as an error (OpenTelemetry's RPC
 * conventions): the server's faults, not the caller's (INVALID_ARGUMENT,
 * NOT_FOUND, PERMISSION_DENIED, ... leave the status unset).
 */
const SERVER_ERROR_CODES: ReadonlySet<status> = new Set([
  status.UNKNOWN,
  status.DEADLINE_EXCEEDED,
  status.UNIMPLEMENTED,
  status.INTERNAL,
  status.UNAVAILABLE,
  status.DATA_LOSS,
]);

/** What a handler gets besides the request. */
export interface CallContext {
  /** The authorised principal and the tenant the call is bound to (see `authorize`). */
  readonly auth: Authorization;
  /** Aborted when the client cancels or the deadline passes (streams: also when the server stops). */
  readonly signal: AbortSignal;
  /** Milliseconds left before the call's deadline (undefined: none); for database time limits. */
  remainingMs(): number | undefined;
  /** Re-checks the caller's token (long streams): rejects once it is revoked or expired. */
  reauthenticate(): Promise<void>;
  readonly logger: Logger;
}

/** A unary handler: returns the response's fields. */
export type UnaryImpl<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  ctx: CallContext,
) => Promise<MessageInitShape<O>>;

/** A server-streaming handler: calls `send` per message (it waits while the client is slow) until done. */
export type ServerStreamImpl<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  ctx: CallContext,
  send: (message: MessageInitShape<O>) => Promise<void>,
) => Promise<void>;

/** Handlers for every method of a service, keyed as protobuf-es names them (`listAlerts`). */
export type ServiceImpl<T extends GenServiceMethods> = {
  [K in keyof T]: T[K]["methodKind"] extends "unary"
    ? UnaryImpl<T[K]["input"], T[K]["output"]>
    : T[K]["methodKind"] extends "server_streaming"
      ? ServerStreamImpl<T[K]["input"], T[K]["output"]>
      : never;
};

/** The method map of a generated service descriptor (`typeof AlertService`). */
export type MethodsOf<S> = S extends GenService<infer T extends GenServiceMethods> ? T : never;

/** What every call goes through. */
export interface CallGuard {
  readonly authenticator: Authenticator;
  readonly limiter: TokenBucketLimiter;
  readonly logger: Logger;
  readonly requests: Counter;
  readonly durationMs: Counter;
  /** Aborted when the server stops: ends every stream in flight. */
  readonly stopping: AbortSignal;
}

function tenantIdField(m: DescMethod): boolean {
  return m.input.fields.some((f) => f.name === "tenant_id" && f.fieldKind === "scalar");
}

/**
 * Checks at start-up that the policy table and the contract agree: every
 * method has a policy; methods bound to the token's tenant take no `tenant_id`
 * (so a request cannot even name another tenant); methods bound to a named
 * tenant have one.
 */
function checkPolicy(m: DescMethod): MethodPolicy {
  const policy = policyFor(m.parent.typeName, m.name);
  const key = methodKey(m.parent.typeName, m.name);
  if (policy.access === "tenant" && tenantIdField(m))
    throw new Error(`${key}: tenant-bound methods must not have a tenant_id field`);
  if (policy.access === "tenant-admin" && !tenantIdField(m))
    throw new Error(`${key}: tenant-admin methods need a string tenant_id field`);
  return policy;
}

function header(md: Metadata, name: string): string | undefined {
  const v = md.get(name)[0];
  return typeof v === "string" ? v : undefined;
}

/**
 * Registers a service on the grpc-js server with every method behind the one
 * guard, in this order (certspotter-style pipeline):
 *
 *   SERVER span (parent: caller's traceparent)
 *     ==> authenticate ==> rate limit (per tenant) ==> decode ==> authorize (METHOD_POLICIES)
 *     ==> handler (signal: cancel | deadline | stop) ==> status mapping + metrics + span end
 *
 * Throws at registration when a method has no policy or no handler.
 */
export function bindService<T extends GenServiceMethods>(
  server: Server,
  service: GenService<T>,
  impl: ServiceImpl<T>,
  guard: CallGuard,
): void {
  const definition = grpcServiceDefinition(service, { rawRequests: true });
  const handlers: Record<string, UntypedHandleCall> = {};
  for (const m of service.methods) {
    const policy = checkPolicy(m);
    const fn = (impl as Record<string, unknown>)[m.localName];
    if (typeof fn !== "function") throw new Error(`${methodKey(service.typeName, m.name)}: no handler`);
    if (m.methodKind === "unary")
      handlers[m.name] = unaryHandler(m, policy, fn as UnaryImpl<DescMessage, DescMessage>, guard);
    else if (m.methodKind === "server_streaming")
      handlers[m.name] = streamHandler(m, policy, fn as ServerStreamImpl<DescMessage, DescMessage>, guard);
    else throw new Error(`${methodKey(service.typeName, m.name)}: ${m.methodKind} is not supported`);
  }
  server.addService(definition, handlers);
}

interface Prepared {
  readonly request: MessageShape<DescMessage>;
  readonly ctx: CallContext;
}

/** Per-call state shared by the unary and streaming paths. */
class Call {
  readonly requestId = randomBytes(6).toString("hex");
  readonly startedMs = Date.now();
  readonly controller = new AbortController();
  /** The call's SERVER span; its parent is the caller's `traceparent` (none: a new trace). */
  readonly span: Span;
  /** The context handlers run in: the span active, so store and log calls join the trace. */
  readonly traceContext: Context;
  private timer: NodeJS.Timeout | undefined;
  private readonly onStop = () =>
    this.controller.abort(new ApiError("unavailable", "the server is stopping"));

  constructor(
    readonly method: DescMethod,
    private readonly policy: MethodPolicy,
    private readonly guard: CallGuard,
    private readonly metadata: Metadata,
    readonly deadline: number,
  ) {
    // Attributes follow OpenTelemetry's RPC conventions; never the token or the request.
    const parent = propagation.extract(ROOT_CONTEXT, metadata, metadataGetter);
    this.span = ctwatchTracer().startSpan(
      this.name,
      {
        kind: SpanKind.SERVER,
        attributes: {
          "rpc.system": "grpc",
          "rpc.service": method.parent.typeName,
          "rpc.method": method.name,
        },
      },
      parent,
    );
    this.traceContext = trace.setSpan(parent, this.span);
    if (Number.isFinite(deadline)) {
      const ms = Math.max(0, deadline - Date.now());
      this.timer = setTimeout(
        () => this.controller.abort(new ApiError("deadline-exceeded", "the call's deadline passed")),
        ms,
      );
    }
    // Streams end when the server stops (clients resume elsewhere); unary calls are let finish.
    if (method.methodKind !== "unary") guard.stopping.addEventListener("abort", this.onStop, { once: true });
  }

  /** grpc-js says the call is over: the client cancelled, or (grpc-js's own timer) the deadline passed. */
  cancelled(): void {
    this.controller.abort(
      Date.now() >= this.deadline
        ? new ApiError("deadline-exceeded", "the call's deadline passed")
        : new ApiError("cancelled", "the client cancelled the call"),
    );
  }

  get name(): string {
    return methodKey(this.method.parent.typeName, this.method.name);
  }

  async prepare(raw: Buffer): Promise<Prepared> {
    const authorization = header(this.metadata, "authorization");
    const { principal, rate } = await this.guard.authenticator.authenticate(authorization);
    const taken = this.guard.limiter.take(quotaKeyOf(principal), rate);
    if (!taken.ok)
      throw new ApiError("resource-exhausted", `rate limit exceeded; retry in ${taken.retryAfterMs} ms`, {
        retryAfterMs: taken.retryAfterMs,
      });
    let request: MessageShape<DescMessage>;
    try {
      request = fromBinary(this.method.input, raw);
    } catch (err) {
      throw new ApiError("invalid-argument", `the request is not a valid ${this.method.input.typeName}`, {
        cause: err,
      });
    }
    const tenantField = (request as { tenantId?: unknown }).tenantId;
    const auth = authorize(this.policy, principal, typeof tenantField === "string" ? tenantField : undefined);
    if (auth.tenantId) this.span.setAttribute("ctwatch.tenant", auth.tenantId);
    const logger = this.guard.logger.child({
      method: this.name,
      requestId: this.requestId,
      ...(auth.tenantId ? { tenantId: auth.tenantId } : {}),
    });
    const deadline = this.deadline;
    const authenticator = this.guard.authenticator;
    return {
      request,
      ctx: {
        auth,
        signal: this.controller.signal,
        logger,
        remainingMs: () => (Number.isFinite(deadline) ? Math.max(1, deadline - Date.now()) : undefined),
        reauthenticate: async () => {
          await authenticator.authenticate(authorization);
        },
      },
    };
  }

  /** Rejects with the abort reason as soon as the call is aborted, else settles with `p`. */
  race<T>(p: Promise<T>): Promise<T> {
    const signal = this.controller.signal;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      p.then(
        (v) => {
          signal.removeEventListener("abort", onAbort);
          resolve(v);
        },
        (e) => {
          signal.removeEventListener("abort", onAbort);
          reject(e);
        },
      );
    });
  }

  /** Records a successful end (metrics, debug log). */
  succeeded(): void {
    const ms = this.settle();
    this.span.setAttribute("rpc.grpc.status_code", 0);
    this.span.end();
    this.guard.requests.inc({ method: this.name, code: "0" });
    this.guard.durationMs.inc({ method: this.name }, ms);
    this.guard.logger.debug("call", { method: this.name, requestId: this.requestId, code: 0, ms });
  }

  /** Maps a failure to the status to send, and records it (server faults are logged as errors). */
  failed(err: unknown): GrpcFailure {
    const ms = this.settle();
    const f = grpcFailure(err, this.requestId);
    this.span.setAttribute("rpc.grpc.status_code", f.code);
    if (SERVER_ERROR_CODES.has(f.code))
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: f.details });
    this.span.end();
    this.guard.requests.inc({ method: this.name, code: String(f.code) });
    this.guard.durationMs.inc({ method: this.name }, ms);
    const fields = { method: this.name, requestId: this.requestId, code: f.code, ms };
    if (f.serverFault) this.guard.logger.error("call failed", { ...fields, err });
    else this.guard.logger.debug("call refused", { ...fields, details: f.details });
    return f;
  }

  private settle(): number {
    clearTimeout(this.timer);
    this.guard.stopping.removeEventListener("abort", this.onStop);
    return Date.now() - this.startedMs;
  }
}

function unaryHandler(
  m: DescMethod,
  policy: MethodPolicy,
  fn: UnaryImpl<DescMessage, DescMessage>,
  guard: CallGuard,
): UntypedHandleCall {
  return (call: ServerUnaryCall<Buffer, unknown>, callback: sendUnaryData<unknown>) => {
    const c = new Call(m, policy, guard, call.metadata, Number(call.getDeadline()));
    call.on("cancelled", () => c.cancelled());
    otelContext.with(c.traceContext, () =>
      c
        .race(c.prepare(call.request))
        .then(({ request, ctx }) => c.race(fn(request, ctx)))
        .then(
          (init) => {
            const response = create(m.output, init as MessageInitShape<DescMessage>);
            c.succeeded();
            callback(null, response);
          },
          (err: unknown) => {
            const f = c.failed(err);
            callback({ code: f.code, details: f.details, metadata: f.metadata });
          },
        ),
    );
  };
}

function streamHandler(
  m: DescMethod,
  policy: MethodPolicy,
  fn: ServerStreamImpl<DescMessage, DescMessage>,
  guard: CallGuard,
): UntypedHandleCall {
  return (call: ServerWritableStream<Buffer, unknown>) => {
    const c = new Call(m, policy, guard, call.metadata, Number(call.getDeadline()));
    call.on("cancelled", () => c.cancelled());
    const signal = c.controller.signal;
    const send = (init: MessageInitShape<DescMessage>): Promise<void> => {
      if (signal.aborted) return Promise.reject(signal.reason);
      const message = create(m.output, init);
      if (call.write(message)) return Promise.resolve();
      // The client reads slower than we produce: wait for the buffer to drain (bounded by the signal).
      return new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          call.off("drain", onDrain);
          reject(signal.reason);
        };
        const onDrain = () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        };
        call.once("drain", onDrain);
        signal.addEventListener("abort", onAbort, { once: true });
      });
    };
    otelContext.with(c.traceContext, () =>
      c
        .race(c.prepare(call.request))
        .then(({ request, ctx }) => fn(request, ctx, send))
        .then(
          () => {
            c.succeeded();
            call.end();
          },
          (err: unknown) => {
            const f = c.failed(err);
            if (call.cancelled) return;
            call.emit("error", { code: f.code, details: f.details, metadata: f.metadata });
          },
        ),
    );
  };
}
