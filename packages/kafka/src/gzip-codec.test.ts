import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "@jest/globals";
import { CompressionCodecs, CompressionTypes } from "kafkajs";
import { installFastGzip } from "./gzip-codec.js";

describe("installFastGzip", () => {
  it("replaces kafkajs's gzip codec with plain gzip that any reader decodes, and reads any gzip", async () => {
    const before = CompressionCodecs[CompressionTypes.GZIP];
    installFastGzip();
    installFastGzip();
    const codec = CompressionCodecs[CompressionTypes.GZIP]();
    expect(CompressionCodecs[CompressionTypes.GZIP]).not.toBe(before);
    const data = Buffer.from("ct entry ".repeat(50_000));
    const packed = (await codec.compress({ buffer: data } as never)) as Buffer;
    expect(packed.length).toBeLessThan(data.length / 10);
    expect(gunzipSync(packed).equals(data)).toBe(true);
    expect(((await codec.decompress(gzipSync(data, { level: 9 }))) as Buffer).equals(data)).toBe(true);
  });
});
