/**
 * The two messages of `grpc.health.v1.Health/Check`, encoded by hand: each has
 * one field, so a generated codec would be more code than the wire format.
 *   HealthCheckRequest  { string service = 1; }
 *   HealthCheckResponse { ServingStatus status = 1; }
 */

/** `grpc.health.v1.HealthCheckResponse.ServingStatus`. */
export type ServingStatus = "UNKNOWN" | "SERVING" | "NOT_SERVING" | "SERVICE_UNKNOWN";

const STATUSES: readonly ServingStatus[] = ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"];

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

/** Encodes a HealthCheckRequest for `service` (at most 1 KiB). */
export function encodeHealthCheckRequest(service: string): Buffer {
  const bytes = Buffer.from(service, "utf8");
  if (bytes.length > 1024) throw new RangeError("service name too long");
  if (bytes.length === 0) return Buffer.alloc(0);
  return Buffer.concat([Buffer.from([0x0a, ...varint(bytes.length)]), bytes]);
}

/** Decodes a HealthCheckResponse; unknown fields are skipped, an unknown status reads as UNKNOWN. */
export function decodeHealthCheckResponse(buf: Buffer): ServingStatus {
  let i = 0;
  let status = 0;
  const readVarint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = buf[i++];
      if (b === undefined || shift > 28) throw new RangeError("truncated varint in HealthCheckResponse");
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
  };
  while (i < buf.length) {
    const tag = readVarint();
    const wire = tag & 7;
    if (tag >>> 3 === 1 && wire === 0) status = readVarint();
    else if (wire === 0) readVarint();
    else if (wire === 2) {
      const length = readVarint(); // read first: `i += readVarint()` would add to the stale `i`
      i += length;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw new RangeError(`unsupported wire type ${wire} in HealthCheckResponse`);
  }
  return STATUSES[status] ?? "UNKNOWN";
}
