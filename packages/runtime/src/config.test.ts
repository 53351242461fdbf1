import { describe, expect, it } from "@jest/globals";
import { bool, ConfigError, decimal, hostPorts, int, oneOf, parseConfig, str, url } from "./config.js";

const specs = {
  KAFKA_BROKERS: hostPorts("Kafka bootstrap servers"),
  BATCH: int("entries per batch", 100, 1, 1000),
  MODE: oneOf("start mode", ["now", "index"] as const, "now"),
  VERBOSE: bool("verbose logging", false),
  TOKEN: str("api token", undefined, { secret: true }),
  LOG_URL: url("log URL", "http://127.0.0.1:8080/"),
};

describe("decimal", () => {
  const spec = { MIN_SCORE: decimal("minimum score", 0, 0, 1) };
  it("parses decimals within bounds and applies the default", () => {
    expect(parseConfig({ MIN_SCORE: "0.8" }, spec).MIN_SCORE).toBe(0.8);
    expect(parseConfig({ MIN_SCORE: "1" }, spec).MIN_SCORE).toBe(1);
    expect(parseConfig({}, spec).MIN_SCORE).toBe(0);
  });
  it("refuses what is not a plain number or out of bounds", () => {
    for (const bad of ["1.5", "-0.1", "0.8x", "1e-3", "NaN", ".5"]) {
      expect(() => parseConfig({ MIN_SCORE: bad }, spec)).toThrow(ConfigError);
    }
  });
});

describe("parseConfig", () => {
  it("applies defaults and parses values", () => {
    const c = parseConfig({ KAFKA_BROKERS: "a:1, b:2", TOKEN: "t", BATCH: "7" }, specs);
    expect(c).toEqual({
      KAFKA_BROKERS: ["a:1", "b:2"],
      BATCH: 7,
      MODE: "now",
      VERBOSE: false,
      TOKEN: "t",
      LOG_URL: "http://127.0.0.1:8080/",
    });
  });

  it("names every bad variable and what it expects, without printing secrets", () => {
    let err: unknown;
    try {
      parseConfig(
        { KAFKA_BROKERS: "nohost", BATCH: "5000", MODE: "later", VERBOSE: "maybe", TOKEN: "" },
        specs,
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toHaveLength(5);
    expect(problems[0]).toMatch(/^KAFKA_BROKERS="nohost" is invalid: "nohost" is not host:port/);
    expect(problems[1]).toMatch(/^BATCH="5000" is invalid: expected an integer between 1 and 1000/);
    expect(problems[2]).toMatch(/^MODE="later" is invalid: expected one of now, index/);
    expect(problems[3]).toMatch(/^VERBOSE="maybe" is invalid: expected true or false/);
    expect(problems[4]).toMatch(/^TOKEN is required/);
  });

  it("redacts secret values in errors", () => {
    const spec = { KEY: { ...str("key", undefined, { secret: true, maxLength: 4 }) } };
    expect(() => parseConfig({ KEY: "supersecret" }, spec)).toThrow(/KEY=<redacted> is invalid/);
  });
});
