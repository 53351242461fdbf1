import { type Db, MongoClient } from "mongodb";

/** An open database handle and a way to close it (idempotent). */
export interface Database {
  readonly db: Db;
  readonly client: MongoClient;
  close(): Promise<void>;
}

/** Options of `connectDatabase`. */
export interface ConnectOptions {
  uri: string;
  /** Database name; default "ctwatch". */
  dbName?: string;
  /** Server selection timeout, ms; default 10 000. */
  serverSelectionTimeoutMs?: number;
  /** Emit command-monitoring events (for tracing: see @ctwatch/telemetry `traceMongoCommands`). Default false. */
  monitorCommands?: boolean;
}

/**
 * Connects and pings. Works against MongoDB and FerretDB: the repositories use
 * only CRUD, unique indexes and `findOneAndUpdate` (no change streams, no
 * transactions), which both support.
 */
export async function connectDatabase(opts: ConnectOptions): Promise<Database> {
  const client = new MongoClient(opts.uri, {
    serverSelectionTimeoutMS: opts.serverSelectionTimeoutMs ?? 10_000,
    appName: "ctwatch",
    monitorCommands: opts.monitorCommands ?? false,
  });
  await client.connect();
  const db = client.db(opts.dbName ?? "ctwatch");
  await db.command({ ping: 1 });
  let closing: Promise<void> | undefined;
  return {
    db,
    client,
    close() {
      closing ??= client.close();
      return closing;
    },
  };
}

/** True for a duplicate-key error (E11000), the signal that a unique insert lost a race or repeated. */
export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === 11000;
}
