/**
 * @ctwatch/cli: the `ctwatch` command line over the gRPC API (bin: dist/main.js).
 *
 *   argv ==> global options (URL, token, TLS) ==> command ==> typed client call ==> table | JSON lines
 */
export { alertLine } from "./alert-commands.js";
export { type CliIo, UsageError } from "./cli-io.js";
export { runCli, USAGE } from "./run-cli.js";
