import { type Span, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { ctwatchTracer } from "./telemetry.js";

/** The command-monitoring events of a MongoClient created with `monitorCommands: true`. */
export interface MongoCommandEvents {
  on(
    event: "commandStarted",
    fn: (e: { requestId: number; commandName: string; databaseName: string; connectionId?: unknown }) => void,
  ): unknown;
  on(event: "commandSucceeded", fn: (e: { requestId: number; duration: number }) => void): unknown;
  on(event: "commandFailed", fn: (e: { requestId: number; failure: Error }) => void): unknown;
}

/** Commands that are connection housekeeping, not application work. */
const IGNORED = new Set([
  "hello",
  "ismaster",
  "isMaster",
  "ping",
  "saslStart",
  "saslContinue",
  "endSessions",
  "buildInfo",
]);

/** Most spans in flight at once; beyond it commands are not traced (bounded memory). */
const MAX_OPEN = 10_000;

/**
 * Turns MongoDB command monitoring into client spans (`mongodb.<command>`), the
 * children of whatever span is active when the command starts. Document
 * contents are never recorded (they may carry tenants' data).
 */
export function traceMongoCommands(client: MongoCommandEvents): void {
  const open = new Map<number, Span>();
  const tracer = ctwatchTracer();
  client.on("commandStarted", (e) => {
    if (IGNORED.has(e.commandName) || open.size >= MAX_OPEN) return;
    open.set(
      e.requestId,
      tracer.startSpan(`mongodb.${e.commandName}`, {
        kind: SpanKind.CLIENT,
        attributes: {
          "db.system.name": "mongodb",
          "db.namespace": e.databaseName,
          "db.operation.name": e.commandName,
        },
      }),
    );
  });
  client.on("commandSucceeded", (e) => {
    open.get(e.requestId)?.end();
    open.delete(e.requestId);
  });
  client.on("commandFailed", (e) => {
    const span = open.get(e.requestId);
    if (!span) return;
    span.setStatus({ code: SpanStatusCode.ERROR, message: e.failure.message.slice(0, 200) });
    span.end();
    open.delete(e.requestId);
  });
}
