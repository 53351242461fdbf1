import { ConfigError } from "@ctwatch/runtime";
import { describe, expect, it } from "@jest/globals";
import { loadConfig } from "./config.js";

const base = {
  MONGODB_URI: "mongodb://127.0.0.1:27017",
  CTWATCH_SECRET_KEYS: `k1:${"ab".repeat(32)}`,
};

describe("query-api config", () => {
  it("has defaults for everything but the database and the secret keys", () => {
    const c = loadConfig(base);
    expect(c.listen).toBe("127.0.0.1:50051");
    expect(c.operator).toBeUndefined();
    expect(c.tls).toBeUndefined();
    expect(c.rate).toEqual({ requestsPerSecond: 20, burst: 60 });
    expect(c.watch.lookbackMs).toBe(10_000);
  });

  it("names every bad variable, never printing secrets", () => {
    try {
      loadConfig({ ...base, CTWATCH_API_ADMIN_TOKEN_SHA256: "not-a-hash", CTWATCH_API_LISTEN: "nowhere" });
      throw new Error("accepted");
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const text = (err as Error).message;
      expect(text).toContain("CTWATCH_API_ADMIN_TOKEN_SHA256=<redacted>");
      expect(text).toContain("CTWATCH_API_LISTEN");
    }
  });

  it("needs the certificate and key together", () => {
    expect(() => loadConfig({ ...base, CTWATCH_API_TLS_CLIENT_CA_FILE: "/nonexistent" })).toThrow(
      ConfigError,
    );
  });
});
