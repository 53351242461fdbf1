#!/usr/bin/env node
import { readFile } from "node:fs/promises";
import { createApiClient } from "@ctwatch/api-client";
import { runCli } from "./run-cli.js";

// The process edge: argv, env, stdio and signals are read here only.
const ac = new AbortController();
process.once("SIGINT", () => ac.abort(new Error("interrupted")));
process.once("SIGTERM", () => ac.abort(new Error("terminated")));

process.exitCode = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  readFile: async (path) => (path === "-" ? readStdin() : readFile(path, "utf8")),
  connect: createApiClient,
  signal: ac.signal,
  now: Date.now,
});

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
