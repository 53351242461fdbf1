import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import {
  ctLogKey,
  encodeDigitallySigned,
  formatRfc6962Checkpoint,
  HASH_SHA256,
  parseTilePath,
  SIGNATURE_ECDSA,
  TILE_WIDTH,
  type TreeHead,
  treeHeadSignatureInput,
} from "@ctwatch/ct";
import type { EntrySource } from "./entry-source.js";
import { concatBytes, encodeExtraData, encodeMerkleTreeLeaf, encodeTileLeaf } from "./log-entry-encoding.js";
import { TiledTree } from "./tiled-tree.js";

const gzipAsync = promisify(gzip);

/** A fault the log injects into the next matching responses. */
export interface InjectedFault {
  /** Path prefix the fault applies to, e.g. "/tile/data/", "/checkpoint", "/ct/v1/get-entries". */
  pathPrefix: string;
  /** How many responses to spoil. */
  count: number;
  /** HTTP status to answer with (e.g. 429, 503, 500). */
  status?: number;
  /** Retry-After header value. */
  retryAfter?: string;
  /** Delay before answering, ms (slow responses; longer than the client's timeout: timeouts). */
  delayMs?: number;
  /** Serve a body cut to this many bytes (with a matching Content-Length). */
  truncateTo?: number;
  /** Serve the body with bytes flipped in its second half (same length). */
  garble?: boolean;
  /** Announce the full Content-Length, send half the body, then drop the connection. */
  cutConnection?: boolean;
}

/**
 * How the log lies in its signed tree heads (checkpoint and get-sth), until set back to "none":
 * "bad-signature" corrupts the signature; "wrong-key" signs with another key; "wrong-root" signs a
 * root that is not the tree's (a fork: its entries will not hash to it).
 */
export type Misbehaviour = "none" | "bad-signature" | "wrong-key" | "wrong-root";

/** Options of {@link startTestLog}. */
export interface TestLogOptions {
  source: EntrySource;
  /** Tree size published first; default every entry of the source. */
  treeSize?: number;
  /** Checkpoint origin line; default "ctwatch.test/log". */
  origin?: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Most entries one get-entries answer holds (logs cap their pages); default 256. */
  maxGetEntries?: number;
  /** Serve data tiles gzip-compressed (without Content-Encoding, as static logs store them). */
  gzipTiles?: boolean;
  /** PKCS#8 PEM of the ECDSA P-256 signing key; default a fresh key per start. */
  privateKeyPem?: string;
  /** Most request paths remembered in `requests`; default 100 000. */
  maxRequestsKept?: number;
  /**
   * Serve data tiles from files under `<dataTileDir>/tile/data/` when they exist (as stored, e.g.
   * pre-generated and gzipped by a benchmark) instead of encoding them from the source.
   */
  dataTileDir?: string;
}

/** A running local CT log speaking static-ct-api and RFC 6962 over the same entries. */
export interface TestLog {
  /** Base URL: static-ct-api monitoring prefix, and RFC 6962 log URL (`<url>/ct/v1/...`). */
  readonly url: string;
  readonly origin: string;
  /** DER SubjectPublicKeyInfo of the tree-head signing key. */
  readonly publicKeyDer: Uint8Array;
  /** Entries the source holds (the largest tree size that can be published). */
  readonly maxTreeSize: number;
  /** Current published tree size. */
  treeSize(): number;
  /** Root hash of the tree of `size` entries (default: the published size). */
  rootHash(size?: number): Uint8Array;
  /** Publishes a tree size (<= maxTreeSize; smaller is a shrinking tree) with a fresh signed head. */
  setTreeSize(size: number): void;
  /** Injects a fault. */
  inject(fault: InjectedFault): void;
  /** Removes every pending fault. */
  clearFaults(): void;
  /** Makes the signed tree heads misbehave (see {@link Misbehaviour}); re-signs at once. */
  misbehave(mode: Misbehaviour): void;
  /** Request paths (with query) served, oldest first (bounded). */
  readonly requests: string[];
  stop(): Promise<void>;
}

/**
 * Starts a local CT log over `opts.source`:
 *
 *   static-ct-api  /checkpoint, /tile/<L>/<N>[.p/<W>] (hash tiles of every level),
 *                  /tile/data/<N>[.p/<W>], /issuer/<sha256 hex>
 *   RFC 6962       /ct/v1/get-sth, get-entries (at most maxGetEntries per answer),
 *                  get-sth-consistency, get-proof-by-hash, get-roots
 *
 * Only tiles that exist at the published size are served (full tiles below it, and the partial
 * tile of exactly the edge width), as a log that deletes partial tiles would. Tree heads are
 * signed with an ECDSA P-256 key (RFC 6962 TreeHeadSignature; the checkpoint carries it as an
 * RFC6962NoteSignature), timestamps strictly increasing.
 */
export async function startTestLog(opts: TestLogOptions): Promise<TestLog> {
  const { source } = opts;
  const origin = opts.origin ?? "ctwatch.test/log";
  const maxGetEntries = opts.maxGetEntries ?? 256;
  const keepRequests = opts.maxRequestsKept ?? 100_000;
  const key: KeyObject = opts.privateKeyPem
    ? createPrivateKey(opts.privateKeyPem)
    : generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
  const spki = createPublicKeyDer(key);
  const logId = ctLogKey(spki).logId;
  const otherKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
  const otherLogId = ctLogKey(createPublicKeyDer(otherKey)).logId;

  const tree = new TiledTree();
  const syncTree = () => {
    const from = tree.size;
    const to = source.size;
    if (to > from) tree.append(range(from, to, (i) => source.leafHash(i)));
  };
  syncTree();

  let size = opts.treeSize ?? source.size;
  let mode: Misbehaviour = "none";
  let lastTimestamp = 0;
  let head = signHead();
  const faults: InjectedFault[] = [];
  const requests: string[] = [];
  const byHash = new Map<string, number>();

  function signHead(): { checkpoint: string; sth: string } {
    syncTree();
    lastTimestamp = Math.max(Date.now(), lastTimestamp + 1);
    let rootHash = tree.root(size);
    if (mode === "wrong-root")
      rootHash = new Uint8Array(createHash("sha256").update(`fork ${size}`).digest());
    const th: TreeHead = { timestampMs: lastTimestamp, treeSize: size, rootHash };
    let sig = new Uint8Array(
      sign("sha256", treeHeadSignatureInput(th), mode === "wrong-key" ? otherKey : key),
    );
    if (mode === "bad-signature") {
      sig = sig.slice();
      sig[sig.length - 3] = (sig[sig.length - 3] ?? 0) ^ 0x55;
    }
    const ds = { hashAlgorithm: HASH_SHA256, signatureAlgorithm: SIGNATURE_ECDSA, signature: sig };
    const checkpoint = formatRfc6962Checkpoint(origin, th, ds, mode === "wrong-key" ? otherLogId : logId);
    const sth = JSON.stringify({
      tree_size: size,
      timestamp: th.timestampMs,
      sha256_root_hash: b64(rootHash),
      tree_head_signature: b64(encodeDigitallySigned(ds)),
    });
    return { checkpoint, sth };
  }

  function tileVisible(index: number, width: number): boolean {
    const full = Math.floor(size / TILE_WIDTH);
    return width === TILE_WIDTH ? index < full : index === full && width === size % TILE_WIDTH;
  }

  function dataTile(index: number, width: number): Uint8Array | undefined {
    if (!tileVisible(index, width)) return undefined;
    return concatBytes(
      range(index * TILE_WIDTH, index * TILE_WIDTH + width, (i) => encodeTileLeaf(source.entry(i), i)),
    );
  }

  function json(value: unknown): Uint8Array {
    return Buffer.from(JSON.stringify(value));
  }

  async function route(pathname: string, query: URLSearchParams): Promise<Uint8Array | number> {
    if (pathname === "/checkpoint") return Buffer.from(head.checkpoint);
    if (pathname.startsWith("/tile/")) {
      const t = parseTilePath(pathname.slice(1));
      if (!t) return 404;
      if (t.level === "data") {
        if (opts.dataTileDir !== undefined && tileVisible(t.index, t.width)) {
          const stored = await readFile(path.join(opts.dataTileDir, pathname)).catch(() => undefined);
          if (stored) return stored;
        }
        const body = dataTile(t.index, t.width);
        if (!body) return 404;
        return opts.gzipTiles ? new Uint8Array(await gzipAsync(body)) : body;
      }
      return tree.hashTile(t.level, t.index, t.width, size) ?? 404;
    }
    if (pathname.startsWith("/issuer/")) return source.issuer(pathname.slice(8)) ?? 404;
    if (pathname === "/ct/v1/get-sth") return Buffer.from(head.sth);
    if (pathname === "/ct/v1/get-entries") {
      const start = int(query.get("start"));
      const end = int(query.get("end"));
      if (start === undefined || end === undefined || start > end || start >= size) return 400;
      const last = Math.min(end, size - 1, start + maxGetEntries - 1);
      return json({
        entries: range(start, last + 1, (i) => {
          const e = source.entry(i);
          return { leaf_input: b64(encodeMerkleTreeLeaf(e, i)), extra_data: b64(encodeExtraData(e)) };
        }),
      });
    }
    if (pathname === "/ct/v1/get-sth-consistency") {
      const first = int(query.get("first"));
      const second = int(query.get("second"));
      if (first === undefined || second === undefined || first > second || second > size) return 400;
      return json({ consistency: tree.consistencyProof(first, second).map(b64) });
    }
    if (pathname === "/ct/v1/get-proof-by-hash") {
      const hash = query.get("hash");
      const treeSize = int(query.get("tree_size"));
      if (!hash || treeSize === undefined || treeSize > size || treeSize < 1) return 400;
      for (let i = byHash.size; i < tree.size; i++) {
        const k = b64(tree.leafHash(i));
        if (!byHash.has(k)) byHash.set(k, i);
      }
      const index = byHash.get(hash);
      if (index === undefined || index >= treeSize) return 404;
      return json({ leaf_index: index, audit_path: tree.inclusionProof(index, treeSize).map(b64) });
    }
    if (pathname === "/ct/v1/get-roots") return json({ certificates: [] });
    return 404;
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const u = new URL(req.url ?? "/", "http://log");
      requests.push(`${u.pathname}${u.search}`);
      if (requests.length > keepRequests) requests.splice(0, requests.length - keepRequests);
      const fault = faults.find((f) => f.count > 0 && u.pathname.startsWith(f.pathPrefix));
      if (fault) fault.count--;
      if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault?.status) {
        res
          .writeHead(fault.status, fault.retryAfter ? { "retry-after": fault.retryAfter } : {})
          .end("fault\n");
        return;
      }
      const result = await route(u.pathname, u.searchParams);
      if (typeof result === "number") {
        res.writeHead(result).end(result === 404 ? "not found\n" : "bad request\n");
        return;
      }
      send(res, result, fault);
    })().catch(() => res.destroy());
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const addr = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  return {
    url: `http://${addr.address}:${addr.port}`,
    origin,
    publicKeyDer: spki,
    get maxTreeSize() {
      return source.size;
    },
    treeSize: () => size,
    rootHash(s = size) {
      syncTree();
      return tree.root(s);
    },
    setTreeSize(n) {
      if (!Number.isInteger(n) || n < 0 || n > source.size)
        throw new RangeError(`tree size must be 0..${source.size}`);
      size = n;
      head = signHead();
    },
    inject: (f) => faults.push({ ...f }),
    clearFaults: () => faults.splice(0),
    misbehave(m) {
      mode = m;
      head = signHead();
    },
    requests,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}

function send(res: ServerResponse, body: Uint8Array, fault: InjectedFault | undefined): void {
  let out = body;
  if (fault?.truncateTo !== undefined) out = out.subarray(0, fault.truncateTo);
  if (fault?.garble) {
    out = out.slice();
    for (let i = Math.floor(out.length / 2); i < out.length; i += 97) out[i] = (out[i] ?? 0) ^ 0xa5;
  }
  res.writeHead(200, { "content-type": "application/octet-stream", "content-length": out.length });
  if (fault?.cutConnection) {
    res.write(out.subarray(0, Math.floor(out.length / 2)), () => res.destroy());
    return;
  }
  res.end(out);
}

function createPublicKeyDer(key: KeyObject): Uint8Array {
  return new Uint8Array(createPublicKey(key).export({ type: "spki", format: "der" }));
}

function int(v: string | null): number | undefined {
  if (v === null || !/^\d{1,15}$/.test(v)) return undefined;
  return Number(v);
}

function range<T>(from: number, to: number, f: (i: number) => T): T[] {
  const out: T[] = [];
  for (let i = from; i < to; i++) out.push(f(i));
  return out;
}

const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");
