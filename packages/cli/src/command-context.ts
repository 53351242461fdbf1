import { type DescMessage, type MessageShape, toJsonString } from "@bufbuild/protobuf";
import type { ApiClient } from "@ctwatch/api-client";
import type { CliIo } from "./cli-io.js";

/** What a command runs with. */
export interface CommandContext {
  readonly client: ApiClient;
  readonly io: CliIo;
  /** `--json`: print API responses as protobuf JSON, one object per line. */
  readonly json: boolean;
}

/** Prints `message` as one JSON line (with --json) or as the `human` lines. */
export function show<D extends DescMessage>(
  ctx: CommandContext,
  schema: D,
  message: MessageShape<D>,
  human: () => readonly string[],
): void {
  if (ctx.json) ctx.io.out(toJsonString(schema, message));
  else for (const line of human()) ctx.io.out(line);
}
