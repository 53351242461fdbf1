import { describe, expect, it } from "@jest/globals";
import { parseApiUrl } from "./api-client.js";
import { decodeHealthCheckResponse, encodeHealthCheckRequest } from "./health-codec.js";

describe("grpc.health.v1 codec", () => {
  it("encodes the request's one string field", () => {
    expect(encodeHealthCheckRequest("")).toEqual(Buffer.alloc(0));
    expect(encodeHealthCheckRequest("a.B")).toEqual(Buffer.from([0x0a, 3, 0x61, 0x2e, 0x42]));
    expect(encodeHealthCheckRequest("x".repeat(200)).subarray(0, 3)).toEqual(Buffer.from([0x0a, 0xc8, 0x01]));
  });

  it("decodes statuses and skips unknown fields", () => {
    expect(decodeHealthCheckResponse(Buffer.alloc(0))).toBe("UNKNOWN");
    expect(decodeHealthCheckResponse(Buffer.from([0x08, 1]))).toBe("SERVING");
    expect(decodeHealthCheckResponse(Buffer.from([0x12, 2, 0x61, 0x62, 0x08, 2]))).toBe("NOT_SERVING");
    expect(decodeHealthCheckResponse(Buffer.from([0x08, 9]))).toBe("UNKNOWN");
    expect(() => decodeHealthCheckResponse(Buffer.from([0x08, 0x80]))).toThrow(RangeError);
  });
});

describe("parseApiUrl", () => {
  it.each([
    ["grpc://127.0.0.1:50051", { address: "127.0.0.1:50051", tls: false }],
    ["grpcs://api.example.com:443/", { address: "api.example.com:443", tls: true }],
    ["grpc://[::1]:50051", { address: "[::1]:50051", tls: false }],
  ])("reads %s", (url, want) => {
    expect(parseApiUrl(url)).toEqual(want);
  });

  it.each([["127.0.0.1:50051"], ["http://x:1"], ["grpc://x"], ["grpc://x:99999"]])("refuses %s", (url) => {
    expect(() => parseApiUrl(url)).toThrow(TypeError);
  });
});
