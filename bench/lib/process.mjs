import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { machine } from "./env.mjs";

export const benchDir = join(dirname(fileURLToPath(import.meta.url)), "..");
export const resultsDir = join(benchDir, "results");

/**
 * Re-runs this script with the V8 flags it needs (e.g. --expose-gc) when started without them, so
 * that every benchmark file can be run on its own with plain `node bench/<file>.mjs`.
 */
export function relaunchWith(flags) {
  const missing = flags.filter((flag) => !process.execArgv.includes(flag));
  if (missing.length === 0) return;
  const child = spawnSync(process.execPath, [...missing, ...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit" });
  process.exit(child.status ?? 1);
}

/** Writes bench/results/<name>.json: the raw figures plus what they were measured on. */
export function writeResult(name, data) {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ benchmark: name, machine: machine(), ...data }, null, 2)}\n`);
  return file;
}

/** BENCH_QUICK=1 shortens every family (for developing the bench, never for RESULTS.md). */
export const quick = process.env.BENCH_QUICK === "1";
