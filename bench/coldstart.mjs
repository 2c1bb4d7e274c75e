#!/usr/bin/env node
// Cold start: fresh Node processes, repeated and interleaved. Each child times its own steps (see
// lib/coldstart-child.mjs): importing @callhooks/webhook-core (zod included), importing
// storage-memory and building a Retell handler, then its first and second events. `zod` and
// `retell-sdk` are imported alone for comparison, and `bare` (no import) is the floor; `wallMs` is
// spawn to exit, as a serverless platform would see it.
//
//   node bench/coldstart.mjs          (writes bench/results/coldstart.json)
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { benchDir, quick, writeResult } from "./lib/process.mjs";
import { pairedRatio, rotate, summarize } from "./lib/stats.mjs";

const RUNS = Number(process.env.BENCH_COLDSTART_RUNS ?? (quick ? 5 : 15));
const MODES = ["bare", "zod", "retell-sdk", "core", "handler"];
const child = join(benchDir, "lib", "coldstart-child.mjs");

const runs = Object.fromEntries(MODES.map((m) => [m, []]));
for (let round = 0; round < RUNS; round++) {
  for (const mode of rotate(MODES, round)) {
    const started = performance.now();
    const result = spawnSync(process.execPath, [child, mode], { encoding: "utf8" });
    const wallMs = performance.now() - started;
    if (result.status !== 0) throw new Error(`${mode}: ${result.stderr}`);
    runs[mode].push({ ...JSON.parse(result.stdout), wallMs });
  }
}

// The target: the core imported, a handler built and its first event, against zod imported and the
// same first event parsed by a hand-written zod schema; taken round by round (the modes alternate).
const coreFirstEvent = runs.handler.map((r) => r.importMs + r.createHandlerMs + r.firstEventMs);
const zodFirstParse = runs.zod.map((r) => r.importMs + r.firstParseMs);
const firstEvent = {
  coreMs: summarize(coreFirstEvent),
  zodMs: summarize(zodFirstParse),
  ratio: pairedRatio(coreFirstEvent, zodFirstParse),
};

const modes = {};
for (const mode of MODES) {
  const fields = Object.keys(runs[mode][0]);
  modes[mode] = Object.fromEntries(fields.map((f) => [f, summarize(runs[mode].map((r) => r[f]))]));
  const m = modes[mode];
  console.log(
    `${mode.padEnd(11)} wall ${m.wallMs.median.toFixed(1).padStart(6)} ms  import ${(m.importMs?.median ?? 0).toFixed(1).padStart(6)} ms` +
      (m.createHandlerMs
        ? `  storage import ${m.importStorageMs.median.toFixed(1)} ms  handler ${m.createHandlerMs.median.toFixed(2)} ms  1st event ${m.firstEventMs.median.toFixed(2)} ms  2nd ${m.secondEventMs.median.toFixed(2)} ms`
        : ""),
  );
}
console.log(
  `first event: core ${firstEvent.coreMs.median.toFixed(1)} ms, zod ${firstEvent.zodMs.median.toFixed(1)} ms, ×${firstEvent.ratio.median.toFixed(2)}`,
);
console.log(`wrote ${writeResult("coldstart", { runs: RUNS, modes, firstEvent })}`);
