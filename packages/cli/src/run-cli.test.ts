import { createHash } from "node:crypto";
import { describe, expect, it } from "@jest/globals";
import { parse, timeOpt } from "./args.js";
import { type CliIo, UsageError } from "./cli-io.js";
import { runCli } from "./run-cli.js";

function io(env: Record<string, string> = {}): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (l) => stdout.push(l),
    err: (l) => stderr.push(l),
    env,
    readFile: async () => "",
    connect: () => {
      throw new Error("no network in unit tests");
    },
    signal: new AbortController().signal,
    now: () => Date.parse("2026-11-23T12:00:00Z"),
  };
}

describe("runCli", () => {
  it("prints usage for --help (0) and for no command (2)", async () => {
    const a = io();
    expect(await runCli(["--help"], a)).toBe(0);
    expect(a.stdout.join("\n")).toContain("alerts follow");
    expect(await runCli([], io())).toBe(2);
  });

  it("refuses unknown commands, options and bad URLs with exit code 2", async () => {
    for (const argv of [["frobnicate"], ["--nope", "whoami"], ["--url", "http://x:1", "whoami"]]) {
      const x = io();
      expect(await runCli(argv, x)).toBe(2);
      expect(x.stderr[0]).toMatch(/^ctwatch: /);
    }
  });

  it("makes an operator token and the hash the server is configured with, offline", async () => {
    const x = io();
    expect(await runCli(["token", "new"], x)).toBe(0);
    const token = x.stdout[0]?.replace(/^token:\s+/, "") ?? "";
    const sha = x.stdout[1]?.replace(/^sha256:\s+/, "") ?? "";
    expect(token).toMatch(/^ctw_[A-Za-z0-9_-]{43}$/);
    expect(sha).toBe(createHash("sha256").update(token).digest("hex"));
  });
});

describe("argument helpers", () => {
  const now = Date.parse("2026-11-23T12:00:00Z");
  it.each([
    ["24h", now - 86_400_000],
    ["30m", now - 1_800_000],
    ["2026-11-01T00:00:00Z", Date.parse("2026-11-01T00:00:00Z")],
    ["1700000000000", 1_700_000_000_000],
  ])("reads time %s", (v, want) => {
    expect(timeOpt(parse(["--since", v], { since: { type: "string" } }), "since", now)).toBe(want);
  });

  it("refuses bad times and unknown options as usage errors", () => {
    expect(() =>
      timeOpt(parse(["--since", "yesterday"], { since: { type: "string" } }), "since", now),
    ).toThrow(UsageError);
    expect(() => parse(["--bogus"], {})).toThrow(UsageError);
  });
});
