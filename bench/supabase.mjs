#!/usr/bin/env node
// storage-supabase throughput, by its own benchmark (packages/storage-supabase/bench/throughput.mjs:
// real supabase-js → gateway → PostgREST → PostgreSQL on this machine). It needs PostgreSQL; without
// one this records "skipped: no PostgreSQL" instead of failing the whole `pnpm bench`.
//
//   node bench/supabase.mjs          (writes bench/results/storage-supabase.json)
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { benchDir, quick, resultsDir, writeResult } from "./lib/process.mjs";

const script = join(benchDir, "..", "packages", "storage-supabase", "bench", "throughput.mjs");
const out = join(resultsDir, "storage-supabase.json");

function skipped(reason) {
  writeResult("storage-supabase", { skipped: reason });
  console.log(`storage-supabase: skipped: ${reason}`);
}

if (!existsSync(script)) {
  skipped("packages/storage-supabase/bench/throughput.mjs not found");
} else {
  const started = performance.now();
  const child = spawnSync(process.execPath, [script, "--out", out], {
    encoding: "utf8",
    env: { ...process.env, BENCH_EVENTS: process.env.BENCH_EVENTS ?? (quick ? "100" : "1000") },
    timeout: 5 * 60 * 1000,
  });
  process.stdout.write(child.stdout ?? "");
  const seconds = Math.round((performance.now() - started) / 1000);
  if (child.status === 0 && existsSync(out)) {
    // Its report, plus the machine and the run time in the same shape as the other families.
    writeResult("storage-supabase", { seconds, ...JSON.parse(readFileSync(out, "utf8")) });
  } else if (/PostgresUnavailableError|no PostgreSQL|psql was not found|no `postgres` user/.test(child.stderr ?? "")) {
    skipped("no PostgreSQL");
  } else {
    process.stderr.write(child.stderr ?? "");
    skipped(`its benchmark failed (exit ${child.status ?? child.signal}); see the output above`);
  }
}
