#!/usr/bin/env node
// Runs one step of a script with its output held back, and shows that output only if the step fails:
// `npm run demo` builds every package first, and two hundred lines of tsup before the demo's first
// line bury what the demo is for.
//
//   node scripts/quiet.mjs "<what it is doing>" <command> [args…]
import { spawnSync } from "node:child_process";

const [doing, command, ...args] = process.argv.slice(2);
if (!doing || !command) {
  console.error('usage: node scripts/quiet.mjs "<what it is doing>" <command> [args…]');
  process.exit(2);
}
process.stderr.write(`${doing}…\n`);
const result = spawnSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 });
if (result.error) {
  console.error(`${doing} failed: ${result.error.message}`);
  process.exit(1);
}
if (result.status !== 0) {
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  console.error(`${doing} failed (exit ${result.status ?? result.signal}); its output is above.`);
  process.exit(result.status ?? 1);
}
