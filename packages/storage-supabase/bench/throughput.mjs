#!/usr/bin/env node
// Throughput of @callhooks/storage-supabase through real supabase-js → gateway → PostgREST → PostgreSQL,
// with HTTP round trips per event counted by the client's fetch. Not a test: it prints a table and
// writes JSON (default bench/results/throughput.json, or --out <file>).
//
//   pnpm --filter @callhooks/storage-supabase build && node packages/storage-supabase/bench/throughput.mjs
//   BENCH_EVENTS=1000 BENCH_DATABASE=private node packages/storage-supabase/bench/throughput.mjs --out /tmp/sb.json
//
// Each event goes through the whole Retell pipeline (signature, zod, claim + record merge, handler,
// complete), from a signed request built beforehand. Every event is new (unique call id).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRetellHandler } from "@callhooks/webhook-core";
import { retellBody, retellSample, signedRetellHeaders } from "@callhooks/webhook-core/testing";
import { createSupabaseStorage } from "@callhooks/storage-supabase";
import { startSupabaseStack } from "@callhooks/storage-supabase/testing";
import { createClient } from "@supabase/supabase-js";

const here = dirname(fileURLToPath(import.meta.url));
const outArg = process.argv.indexOf("--out");
const out = outArg > 0 ? process.argv[outArg + 1] : join(here, "results", "throughput.json");
const EVENTS = Number(process.env.BENCH_EVENTS ?? 400);
const WARMUP = 40;
const API_KEY = "key_bench";
const fixture = join(here, "../../../../shared/fixtures/retell/call_ended.phone.json");

const payloads = {
  "sample call_ended (~2 KB)": (callId) => retellSample("call_ended", { callId }),
  ...(existsSync(fixture) && {
    "real-sized call_ended (~50 KB)": (() => {
      const event = JSON.parse(readFileSync(fixture, "utf8"));
      return (callId) => ({ ...event, call: { ...event.call, call_id: callId } });
    })(),
  }),
};

let requests = 0;
const countingFetch = (input, init) => {
  requests++;
  return fetch(input, init);
};

async function deliveries(makeEvent, n, tag) {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const body = retellBody(makeEvent(`call_${tag}_${i}`));
      return { method: "POST", headers: await signedRetellHeaders(body, { apiKey: API_KEY }), body };
    }),
  );
}

async function drive(items, concurrency, handle) {
  let next = 0;
  const statuses = new Map();
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      const status = await handle(item);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

// BENCH_DATABASE=private: a throwaway cluster with fsync off (the figures then leave out disk
// flushes); default: DATABASE_URL or the server on 127.0.0.1:5432 as the test stack picks it.
const stack = await startSupabaseStack(process.env.BENCH_DATABASE === "private" ? { databaseUrl: null } : {});
try {
  const client = createClient(stack.supabaseUrl, stack.serviceRoleKey, { auth: { persistSession: false }, global: { fetch: countingFetch } });
  const storage = createSupabaseStorage({ client });
  const handlers = {
    "no handler (claim mode complete)": createRetellHandler({ apiKey: API_KEY, storage }),
    "with a handler (claim lease + complete)": createRetellHandler({ apiKey: API_KEY, storage, on: { call_ended: () => undefined } }),
  };
  const results = [];
  let run = 0;
  for (const [payload, makeEvent] of Object.entries(payloads)) {
    for (const [scenario, handler] of Object.entries(handlers)) {
      for (const concurrency of [1, 16]) {
        run++;
        await drive(await deliveries(makeEvent, WARMUP, `w${run}`), concurrency, async (r) => (await handler.handle(r)).status);
        const items = await deliveries(makeEvent, EVENTS, `r${run}`);
        const before = requests;
        const started = performance.now();
        const statuses = await drive(items, concurrency, async (r) => (await handler.handle(r)).status);
        const seconds = (performance.now() - started) / 1000;
        if (statuses.get(200) !== EVENTS) throw new Error(`${scenario}: not every event was answered 200: ${JSON.stringify([...statuses])}`);
        const result = {
          payload,
          scenario,
          concurrency,
          events: EVENTS,
          eventsPerSecond: Math.round(EVENTS / seconds),
          msPerEvent: Number(((seconds * 1000) / EVENTS).toFixed(2)),
          roundTripsPerEvent: Number(((requests - before) / EVENTS).toFixed(3)),
        };
        results.push(result);
        console.log(
          `${payload.padEnd(31)} ${scenario.padEnd(40)} ${String(concurrency).padStart(2)}-way  ${String(result.eventsPerSecond).padStart(5)} events/s  ${result.roundTripsPerEvent} round trips/event`,
        );
      }
    }
  }
  const report = {
    benchmark: "storage-supabase throughput",
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    postgres: stack.ownsDatabaseServer ? "private cluster (fsync off)" : "existing server",
    stackStartupMs: stack.startupMs,
    path: "supabase-js → /rest/v1 gateway (node:http) → PostgREST 12 → PostgreSQL, all on this machine",
    results,
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nWrote ${out}`);
} finally {
  await stack.stop();
}
