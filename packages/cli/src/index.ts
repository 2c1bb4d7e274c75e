/**
 * The `callhooks` command line, also callable from code (e.g. a deploy script's smoke test):
 * `process.exitCode = await runCli(["send", "call_ended", "--url", url])`.
 */
export { runCli, processIO, mainHelp } from "./cli.js";
export type { CliIO, OutputStream } from "./io.js";
