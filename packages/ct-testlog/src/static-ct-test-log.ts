import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import {
  ctLogKey,
  formatRfc6962Checkpoint,
  HASH_SHA256,
  MerkleCollapsedTree,
  parseHashTile,
  parseTilePath,
  SIGNATURE_ECDSA,
  TILE_WIDTH,
  tilePath,
  treeHeadSignatureInput,
} from "@ctwatch/ct";

/** A fault the log injects into the next matching responses. */
export interface InjectedFault {
  /** Path prefix the fault applies to, e.g. "/tile/data/" or "/checkpoint". */
  pathPrefix: string;
  /** How many responses to spoil. */
  count: number;
  /** HTTP status to answer with (e.g. 429, 503, 500). */
  status?: number;
  /** Retry-After header value. */
  retryAfter?: string;
  /** Delay before answering, ms. */
  delayMs?: number;
  /** Serve a body cut to this many bytes. */
  truncateTo?: number;
}

/** Options of `startStaticCtTestLog`. */
export interface StaticCtTestLogOptions {
  /** Directory holding `tile/` (e.g. test/fixtures/ct/navigli2025h2). */
  dir: string;
  /** Tree size to publish; default: every entry the level-0 hash tiles cover. */
  treeSize?: number;
  /** Checkpoint origin line; default "ctwatch.test/navigli2025h2". */
  origin?: string;
  host?: string;
  port?: number;
}

/** A running local log. */
export interface StaticCtTestLog {
  /** Monitoring prefix, e.g. "http://127.0.0.1:41234". */
  readonly url: string;
  readonly origin: string;
  /** DER SubjectPublicKeyInfo of the checkpoint-signing key (generated per start). */
  readonly publicKeyDer: Uint8Array;
  /** Entries the hash tiles cover. */
  readonly maxTreeSize: number;
  /** Current published tree size. */
  treeSize(): number;
  /** Publishes a new tree size (<= maxTreeSize) with a fresh signed checkpoint. */
  setTreeSize(size: number): void;
  /** Injects a fault. */
  inject(fault: InjectedFault): void;
  /** Requests served, by path. */
  readonly requests: string[];
  stop(): Promise<void>;
}

/**
 * Serves a static-ct-api log from a directory of real tiles: `/tile/...` as
 * stored (only tiles consistent with the current tree size), and `/checkpoint`
 * computed from the level-0 hash tiles and signed by a key generated at start.
 * The real log's key cannot sign, so tests give the tailer this log's key.
 */
export async function startStaticCtTestLog(opts: StaticCtTestLogOptions): Promise<StaticCtTestLog> {
  const origin = opts.origin ?? "ctwatch.test/navigli2025h2";
  const leafHashes = await readLeafHashes(opts.dir);
  const maxTreeSize = leafHashes.length;
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const publicKeyDer = new Uint8Array(spki.buffer, spki.byteOffset, spki.length);
  const logId = ctLogKey(publicKeyDer).logId;
  let size = opts.treeSize ?? maxTreeSize;
  let checkpoint = makeCheckpoint(origin, leafHashes, size, privateKey, logId);
  const faults: InjectedFault[] = [];
  const requests: string[] = [];

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = (req.url ?? "/").split("?")[0] ?? "/";
      requests.push(url);
      const fault = faults.find((f) => f.count > 0 && url.startsWith(f.pathPrefix));
      if (fault) fault.count--;
      if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault?.status) {
        res
          .writeHead(fault.status, fault.retryAfter ? { "retry-after": fault.retryAfter } : {})
          .end("fault\n");
        return;
      }
      let body: Uint8Array | undefined;
      if (url === "/checkpoint") body = Buffer.from(checkpoint);
      else if (url.startsWith("/tile/") && tileVisible(url, size)) body = await readIfExists(opts.dir, url);
      if (!body) {
        res.writeHead(404).end("not found\n");
        return;
      }
      if (fault?.truncateTo !== undefined) body = body.subarray(0, fault.truncateTo);
      res
        .writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length })
        .end(body);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const addr = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  return {
    url: `http://${addr.address}:${addr.port}`,
    origin,
    publicKeyDer,
    maxTreeSize,
    treeSize: () => size,
    setTreeSize(n) {
      if (!Number.isInteger(n) || n < 0 || n > maxTreeSize)
        throw new RangeError(`tree size must be 0..${maxTreeSize}`);
      size = n;
      checkpoint = makeCheckpoint(origin, leafHashes, size, privateKey, logId);
    },
    inject: (f) => faults.push({ ...f }),
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

function makeCheckpoint(
  origin: string,
  leafHashes: Uint8Array[],
  size: number,
  key: KeyObject,
  logId: Uint8Array,
): string {
  const tree = new MerkleCollapsedTree();
  for (let i = 0; i < size; i++) tree.append(leafHashes[i] as Uint8Array);
  const th = { timestampMs: Date.now(), treeSize: size, rootHash: tree.root() };
  const sig = sign("sha256", treeHeadSignatureInput(th), key);
  return formatRfc6962Checkpoint(
    origin,
    th,
    { hashAlgorithm: HASH_SHA256, signatureAlgorithm: SIGNATURE_ECDSA, signature: new Uint8Array(sig) },
    logId,
  );
}

/** Level-0 hashes from tile/0/NNN (full tiles, then the widest partial of the next index). */
async function readLeafHashes(dir: string): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let index = 0; ; index++) {
    const full = path.join(dir, tilePath(0, index));
    if (existsSync(full)) {
      out.push(...parseHashTile(await readFile(full)));
      continue;
    }
    for (let w = TILE_WIDTH - 1; w >= 1; w--) {
      const p = path.join(dir, tilePath(0, index, w));
      if (existsSync(p)) {
        out.push(...parseHashTile(await readFile(p)));
        break;
      }
    }
    if (out.length === 0) throw new Error(`no level-0 hash tiles under ${dir}/tile/0`);
    return out;
  }
}

/** A tile is visible when the current tree size covers it: full tiles below the size, the exact partial at the edge. */
function tileVisible(url: string, size: number): boolean {
  const t = parseTilePath(url.slice(1));
  if (!t) return false;
  const levelSize = Math.floor(size / TILE_WIDTH ** (t.level === "data" ? 0 : t.level));
  const fullTiles = Math.floor(levelSize / TILE_WIDTH);
  if (t.width === TILE_WIDTH) return t.index < fullTiles;
  return t.index === fullTiles && t.width === levelSize % TILE_WIDTH;
}

async function readIfExists(dir: string, url: string): Promise<Uint8Array | undefined> {
  const p = path.join(dir, url);
  if (!p.startsWith(path.resolve(dir))) return undefined;
  try {
    return await readFile(p);
  } catch {
    return undefined;
  }
}
