#!/usr/bin/env node
// `pnpm bench`: builds the packages, runs every benchmark family in its own process, one after the
// other (never two at once: they would measure each other), then writes bench/RESULTS.md.
//
//   node bench/run.mjs                    everything
//   node bench/run.mjs --only micro,http  some families (the report reuses the others' last JSON)
//   node bench/run.mjs --no-build         skip `pnpm run build`
//   BENCH_QUICK=1 node bench/run.mjs      shorter runs, for working on the bench itself
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { machine } from "./lib/env.mjs";
import { benchDir, resultsDir, writeResult } from "./lib/process.mjs";

function readPrevious() {
  const file = join(resultsDir, "run.json");
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined;
}

const FAMILIES = ["size", "coldstart", "types", "micro", "http", "memory", "supabase", "dashboard"];
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const only = arg("--only")?.split(",");
const root = join(benchDir, "..");

const started = performance.now();
const startedAt = new Date().toISOString();
const loadBefore = loadavg().map((l) => Number(l.toFixed(2)));
const families = {};

function step(name, command, args) {
  const t = performance.now();
  console.log(`\n=== ${name}`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  families[name] = Math.round((performance.now() - t) / 1000);
  if (result.status !== 0) {
    console.error(`${name} failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}

if (!process.argv.includes("--no-build")) step("build", "pnpm", ["run", "build"]);
for (const family of FAMILIES) {
  if (only && !only.includes(family)) continue;
  // types.mjs builds and rewrites RESULTS.md itself when run alone; here the build is done and the report comes last.
  step(family, process.execPath, [join(benchDir, `${family}.mjs`), ...(family === "types" ? ["--no-build", "--no-report"] : [])]);
}

// A partial run (--only) re-measures some families; the report still describes the full run the
// others come from, and lists the re-runs.
const loadAfter = loadavg().map((l) => Number(l.toFixed(2)));
const previous = only ? readPrevious() : undefined;
writeResult(
  "run",
  previous && !previous.only
    ? { ...previous, reruns: [...(previous.reruns ?? []), { startedAt, families, loadBefore, loadAfter }] }
    : {
        startedAt,
        finishedAt: new Date().toISOString(),
        totalSeconds: Math.round((performance.now() - started) / 1000),
        families,
        only: only ?? null,
        quick: process.env.BENCH_QUICK === "1",
        loadBefore,
        loadAfter,
        machine: machine(),
      },
);
step("report", process.execPath, [join(benchDir, "report.mjs")]);
console.log(`\npnpm bench: ${Math.round((performance.now() - started) / 1000)} s`);
