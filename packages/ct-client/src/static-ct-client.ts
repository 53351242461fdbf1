import { parseHashTile, TILE_WIDTH, tilePath } from "@ctwatch/ct";
import { type HttpFetcher, LogHttpError } from "./http-fetcher.js";

export { TILE_WIDTH };

/** Largest checkpoint accepted, bytes: a note is a few hundred bytes. */
export const MAX_CHECKPOINT_BYTES = 16 * 1024;

/** A data tile as served: the bytes and the number of entries they should hold. */
export interface FetchedDataTile {
  /** The (decompressed) tile. */
  readonly bytes: Uint8Array;
  /** Entries in the tile served: the width asked for, or 256 when a vanished partial was replaced by the full tile. */
  readonly width: number;
}

/**
 * The read side of a static-ct-api log (C2SP static-ct-api): checkpoint, data tiles, hash tiles and
 * issuers, under the log's monitoring prefix. Transport only: parsing and verification belong to
 * @ctwatch/ct and the tailer.
 *
 * Partial tiles: a log may delete a partial tile once the full tile exists (tlog-tiles). Because
 * tiles only ever grow at the end, the full tile's first W entries are the partial tile of width W,
 * so `fetchDataTile` / `fetchHashTile` fall back to the full tile on a 404.
 */
export class StaticCtClient {
  private readonly prefix: string;

  constructor(
    monitoringUrl: string,
    private readonly http: HttpFetcher,
  ) {
    this.prefix = monitoringUrl.replace(/\/+$/, "");
  }

  /** The monitoring prefix, without a trailing slash. */
  get url(): string {
    return this.prefix;
  }

  /** The log's current checkpoint (signed note text), at most {@link MAX_CHECKPOINT_BYTES}. */
  async checkpoint(signal?: AbortSignal): Promise<string> {
    const body = await this.http.get(`${this.prefix}/checkpoint`, signal);
    if (body.length > MAX_CHECKPOINT_BYTES)
      throw new LogHttpError(`checkpoint of ${body.length} bytes is too large`, "too-large");
    return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
  }

  /** Data tile `index`; `width` < 256 asks for the partial tile of that width. Gzip is undone. */
  dataTile(index: number, width = TILE_WIDTH, signal?: AbortSignal): Promise<Uint8Array> {
    return this.http.get(`${this.prefix}/${tilePath("data", index, width)}`, signal, true);
  }

  /** Data tile `index` of `width`, or the full tile when the partial one is gone (see the class doc). */
  async fetchDataTile(index: number, width: number, signal?: AbortSignal): Promise<FetchedDataTile> {
    try {
      return { bytes: await this.dataTile(index, width, signal), width };
    } catch (err) {
      if (width === TILE_WIDTH || !(err instanceof LogHttpError) || err.kind !== "not-found") throw err;
      return { bytes: await this.dataTile(index, TILE_WIDTH, signal), width: TILE_WIDTH };
    }
  }

  /** Hash tile `index` at `level`; `width` < 256 asks for a partial tile. */
  hashTile(level: number, index: number, width = TILE_WIDTH, signal?: AbortSignal): Promise<Uint8Array> {
    return this.http.get(`${this.prefix}/${tilePath(level, index, width)}`, signal, true);
  }

  /**
   * The `width` hashes of hash tile `level`/`index` (views into the body). Falls back to the full
   * tile's prefix when a partial tile is gone. Throws CtParseError when the body is not `width`
   * (or 256) hashes.
   */
  async fetchHashTile(
    level: number,
    index: number,
    width: number,
    signal?: AbortSignal,
  ): Promise<Uint8Array[]> {
    try {
      return parseHashTile(await this.hashTile(level, index, width, signal), width);
    } catch (err) {
      if (width === TILE_WIDTH || !(err instanceof LogHttpError) || err.kind !== "not-found") throw err;
      return parseHashTile(await this.hashTile(level, index, TILE_WIDTH, signal), TILE_WIDTH).slice(0, width);
    }
  }

  /** The issuer certificate with SHA-256 fingerprint `sha256Hex` (DER, unverified: see `IssuerCache`). */
  issuer(sha256Hex: string, signal?: AbortSignal): Promise<Uint8Array> {
    if (!/^[0-9a-f]{64}$/.test(sha256Hex))
      throw new RangeError("issuer fingerprint must be 64 lower-case hex digits");
    return this.http.get(`${this.prefix}/issuer/${sha256Hex}`, signal);
  }
}
