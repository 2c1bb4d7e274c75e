#!/usr/bin/env node
// Memory: distinct events through handler.handle() with storage-memory at its default caps (10 000
// events, the last 1 000 finished ones with their payloads, 1 000 call records). The heap (after a full GC) and the RSS are sampled as events go in;
// they must level off once the caps are reached, and running the same events again must not grow
// them. Runs with --expose-gc (relaunched with it when started without).
//
//   node bench/memory.mjs          (writes bench/results/memory.json)
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createMemoryStorage } from "@callhooks/storage-memory";
import { createRetellHandler } from "@callhooks/webhook-core";
import { API_KEY, fixtures, runTag, sign } from "./lib/fixtures.mjs";
import { quick, relaunchWith, writeResult } from "./lib/process.mjs";

relaunchWith(["--expose-gc"]);

const PLAN = {
  small: { events: Number(process.env.BENCH_MEMORY_EVENTS ?? (quick ? 30_000 : 100_000)), passes: 3 },
  // 48 KB events cost ~0.5 ms each: 1.2× the cap is enough to show the plateau with large payloads.
  large: { events: Number(process.env.BENCH_MEMORY_LARGE_EVENTS ?? 12_000), passes: quick ? 2 : 3 },
};
const MiB = 2 ** 20;
const RESULT = "MEMORY_RESULT ";
// storage-memory's defaults (createMemoryStorage() below is called without options).
const CAPS = { maxEvents: 10_000, maxPayloads: 1_000, maxRecords: 1_000 };

function snapshot(label, count, storage) {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  return {
    label,
    events: count,
    heapUsedMiB: Number((m.heapUsed / MiB).toFixed(1)),
    heapTotalMiB: Number((m.heapTotal / MiB).toFixed(1)),
    rssMiB: Number((m.rss / MiB).toFixed(1)),
    externalMiB: Number(((m.external + m.arrayBuffers) / MiB).toFixed(1)),
    stored: storage.size(),
  };
}

async function run(size) {
  const f = fixtures[size];
  const { events, passes } = PLAN[size];
  const storage = createMemoryStorage();
  const handler = createRetellHandler({ apiKey: API_KEY, storage, on: { [JSON.parse(f.text).event]: () => undefined } });
  const tag = runTag();
  const samples = [snapshot("start", 0, storage)];
  const every = Math.max(1, Math.floor(events / 10));
  const statuses = {};
  const started = performance.now();
  for (let pass = 1; pass <= passes; pass++) {
    for (let i = 0; i < events; i++) {
      // The same ids on every pass; signed now, since signatures expire after 5 minutes.
      const body = f.distinct(tag, i);
      const result = await handler.handle({ method: "POST", headers: { "x-retell-signature": sign(body) }, body });
      statuses[result.status] = (statuses[result.status] ?? 0) + 1;
      if (pass === 1 && (i + 1) % every === 0 && i + 1 < events) samples.push(snapshot(`pass 1, ${i + 1} events`, i + 1, storage));
    }
    samples.push(snapshot(`after pass ${pass}`, pass * events, storage));
  }
  const seconds = (performance.now() - started) / 1000;
  // What of the RSS is V8's free pages: a memory-reducing GC (the kind V8 runs when a process idles or
  // nears its limit) hands them back. Not a sample: the caps and the plateau are read from the others.
  globalThis.gc({ type: "major", execution: "sync", flavor: "last-resort" });
  const afterRelease = snapshot("after a memory-reducing GC", passes * events, storage);
  if (Object.keys(statuses).some((s) => s !== "200")) throw new Error(`unexpected statuses ${JSON.stringify(statuses)}`);
  const afterFirst = samples.find((s) => s.label === "after pass 1");
  const last = samples[samples.length - 1];
  const atCap = samples.filter((s) => s.events >= 2 * CAPS.maxEvents || s.label.startsWith("after"));
  const stats = handler.stats();
  return {
    label: f.label,
    bodyBytes: f.size,
    events,
    passes,
    seconds: Number(seconds.toFixed(1)),
    statuses,
    handled: { processed: stats.processed, duplicate: stats.duplicate },
    caps: CAPS,
    bounded: last.stored.events <= CAPS.maxEvents && last.stored.records <= CAPS.maxRecords,
    samples,
    afterRelease,
    // Heap growth between the end of the first pass and the end of the last one (same events again).
    growthAcrossPassesMiB: Number((last.heapUsedMiB - afterFirst.heapUsedMiB).toFixed(1)),
    heapAtCapMiB: { min: Math.min(...atCap.map((s) => s.heapUsedMiB)), max: Math.max(...atCap.map((s) => s.heapUsedMiB)) },
    // What one remembered event keeps on the heap, on average at the caps (payloads and records included).
    retainedPerEventKiB: Number((((afterFirst.heapUsedMiB - samples[0].heapUsedMiB) * 1024) / CAPS.maxEvents).toFixed(1)),
  };
}

// Each size in a process of its own: RSS is the process's, and pages kept from the 1 KB run would
// otherwise be counted against the 48 KB one. The parent spawns one child per size and merges.
const only = process.env.BENCH_MEMORY_SIZE;
if (only) {
  const r = await run(only);
  console.log(
    `${r.label.padEnd(20)} ${r.events} events × ${r.passes} passes in ${r.seconds} s: heap at cap ${r.heapAtCapMiB.min}–${r.heapAtCapMiB.max} MiB, growth across passes ${r.growthAcrossPassesMiB} MiB, ~${r.retainedPerEventKiB} KiB per stored event, bounded: ${r.bounded}`,
  );
  for (const s of [...r.samples, r.afterRelease])
    console.log(
      `  ${s.label.padEnd(24)} heap ${String(s.heapUsedMiB).padStart(7)} MiB  rss ${String(s.rssMiB).padStart(7)} MiB  stored ${JSON.stringify(s.stored)}`,
    );
  process.stderr.write(`${RESULT}${JSON.stringify(r)}\n`);
} else {
  const results = {};
  for (const size of ["small", "large"]) {
    const child = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url)], {
      encoding: "utf8",
      env: { ...process.env, BENCH_MEMORY_SIZE: size },
      maxBuffer: 64 * 2 ** 20,
    });
    process.stdout.write(child.stdout);
    const line = child.stderr.split("\n").find((l) => l.startsWith(RESULT));
    if (child.status !== 0 || !line) throw new Error(`memory (${size}) failed: ${child.stderr}`);
    results[size] = JSON.parse(line.slice(RESULT.length));
  }
  console.log(`wrote ${writeResult("memory", { sizes: results })}`);
}
