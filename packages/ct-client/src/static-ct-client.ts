import { tilePath } from "@ctwatch/ct";
import type { HttpFetcher } from "./http-fetcher.js";

/** Entries per full tile (C2SP tlog-tiles). */
export const TILE_WIDTH = 256;

/** Largest checkpoint accepted, bytes: a note is a few hundred bytes. */
export const MAX_CHECKPOINT_BYTES = 16 * 1024;

/**
 * The read side of a static-ct-api log (C2SP static-ct-api): checkpoint, data
 * tiles, hash tiles and issuers, under the log's monitoring prefix. Pure
 * transport: parsing and verification belong to @ctwatch/ct and the tailer.
 */
export class StaticCtClient {
  private readonly prefix: string;

  constructor(
    monitoringUrl: string,
    private readonly http: HttpFetcher,
  ) {
    this.prefix = monitoringUrl.replace(/\/+$/, "");
  }

  /** The log's current checkpoint (signed note text). */
  async checkpoint(signal?: AbortSignal): Promise<string> {
    const body = await this.http.get(`${this.prefix}/checkpoint`, signal);
    if (body.length > MAX_CHECKPOINT_BYTES)
      throw new Error(`checkpoint of ${body.length} bytes is too large`);
    return Buffer.from(body).toString("utf8");
  }

  /** Data tile `index`; `width` < 256 asks for the partial tile of that width. */
  dataTile(index: number, width = TILE_WIDTH, signal?: AbortSignal): Promise<Uint8Array> {
    return this.http.get(`${this.prefix}/${tilePath("data", index, width)}`, signal, true);
  }

  /** Hash tile `index` at `level`; `width` < 256 asks for a partial tile. */
  hashTile(level: number, index: number, width = TILE_WIDTH, signal?: AbortSignal): Promise<Uint8Array> {
    return this.http.get(`${this.prefix}/${tilePath(level, index, width)}`, signal);
  }

  /** The issuer certificate with SHA-256 fingerprint `sha256Hex` (DER). */
  issuer(sha256Hex: string, signal?: AbortSignal): Promise<Uint8Array> {
    if (!/^[0-9a-f]{64}$/.test(sha256Hex))
      throw new Error("issuer fingerprint must be 64 lower-case hex digits");
    return this.http.get(`${this.prefix}/issuer/${sha256Hex}`, signal);
  }
}
