import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./infra.js";

/** A service running as a real child process (its built `dist/main.js`). */
export interface RunningService {
  readonly name: string;
  readonly child: ChildProcess;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Sends SIGTERM and resolves with the exit code (kills after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<number | null>;
  /** Resolves with the exit code when the process ends by itself. */
  readonly exited: Promise<number | null>;
}

/** Path of a service's entry point; fails clearly when the workspace was not built. */
export function serviceMain(name: string): string {
  const p = path.join(repoRoot, "services", name, "dist", "main.js");
  if (!existsSync(p))
    throw new Error(`${p} is missing: run 'pnpm build' (scripts/test.sh does) before the e2e tests`);
  return p;
}

/** Starts `services/<name>` with exactly `env` (plus PATH), capturing its output. */
export function spawnService(name: string, env: Record<string, string>): RunningService {
  const child = spawn(process.execPath, [serviceMain(name)], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const cap = 4 << 20;
  child.stdout?.on("data", (d: Buffer) => {
    if (out.length < cap) out += d.toString("utf8");
  });
  child.stderr?.on("data", (d: Buffer) => {
    if (err.length < cap) err += d.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    name,
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop(timeoutMs = 30_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
