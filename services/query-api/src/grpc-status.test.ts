import { ApiError } from "@ctwatch/api";
import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "@jest/globals";
import { grpcFailure } from "./grpc-status.js";

describe("grpcFailure", () => {
  it.each([
    [
      new ApiError("invalid-argument", "bad", { field: "domain" }),
      status.INVALID_ARGUMENT,
      "domain: bad",
      false,
    ],
    [new ApiError("permission-denied", "no"), status.PERMISSION_DENIED, "no", false],
    [new ApiError("unauthenticated", "who?"), status.UNAUTHENTICATED, "who?", false],
    [
      Object.assign(new Error("x"), { name: "MongoServerSelectionError" }),
      status.UNAVAILABLE,
      "the database is unavailable; retry later",
      true,
    ],
    [
      Object.assign(new Error("x"), { code: 50 }),
      status.DEADLINE_EXCEEDED,
      "the query exceeded its time limit",
      false,
    ],
  ])("maps %#", (err, code, details, serverFault) => {
    const f = grpcFailure(err, "r1");
    expect([f.code, f.details, f.serverFault]).toEqual([code, details, serverFault]);
  });

  it("hides unexpected errors behind a request ID", () => {
    const f = grpcFailure(new TypeError("secret internals at /srv/x.js"), "abc123");
    expect(f.code).toBe(status.INTERNAL);
    expect(f.details).toBe("internal error (request abc123); the server log has the details");
  });

  it("passes the retry delay of a rate limit in metadata", () => {
    const f = grpcFailure(new ApiError("resource-exhausted", "slow down", { retryAfterMs: 250 }), "r");
    expect(f.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(f.metadata.get("retry-after-ms")).toEqual(["250"]);
  });
});
