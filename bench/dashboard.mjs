#!/usr/bin/env node
// The console's inbox over storage-supabase with 100 000 stored events, by the dashboard's own
// benchmark (packages/dashboard/bench/inbox.mjs). It needs PostgreSQL; without one this records
// "skipped: no PostgreSQL" instead of failing the whole `pnpm bench`.
//
//   node bench/dashboard.mjs          (writes bench/results/dashboard.json)
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchDir, quick, writeResult } from "./lib/process.mjs";

const script = join(benchDir, "..", "packages", "dashboard", "bench", "inbox.mjs");
const out = join(tmpdir(), `callhooks-dashboard-inbox-${process.pid}.json`);

function skipped(reason) {
  writeResult("dashboard", { skipped: reason });
  console.log(`dashboard: skipped: ${reason}`);
}

const started = performance.now();
const child = spawnSync(process.execPath, [script, "--out", out], {
  encoding: "utf8",
  env: { ...process.env, BENCH_EVENTS: process.env.BENCH_EVENTS ?? (quick ? "20000" : "100000"), BENCH_RUNS: quick ? "10" : "40" },
  timeout: 10 * 60 * 1000,
});
process.stdout.write(child.stdout ?? "");
const seconds = Math.round((performance.now() - started) / 1000);
if (child.status === 0 && existsSync(out)) {
  writeResult("dashboard", { seconds, ...JSON.parse(readFileSync(out, "utf8")) });
} else if (/PostgresUnavailableError|no PostgreSQL|psql was not found/.test(child.stderr ?? "")) {
  skipped("no PostgreSQL");
} else {
  process.stderr.write(child.stderr ?? "");
  skipped(`its benchmark failed (exit ${child.status ?? child.signal}); see the output above`);
}
