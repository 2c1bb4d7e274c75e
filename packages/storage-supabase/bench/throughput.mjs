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
//
// Beside it, measured in the same run through the same supabase-js and gateway: the floor — a bare
// RPC that does what a claim cannot do without (an INSERT … ON CONFLICT DO NOTHING RETURNING of the
// event, one upsert of its record) and nothing else — and the storage's own claim and complete on
// their own (no signature, no zod), so the storage's cost is read against the floor's.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRetellHandler } from "@callhooks/webhook-core";
import { retellDefinition } from "@callhooks/webhook-core/provider";
import { retellBody, retellSample, signedRetellHeaders } from "@callhooks/webhook-core/testing";
import { createSupabaseStorage } from "@callhooks/storage-supabase";
import { startSupabaseStack } from "@callhooks/storage-supabase/testing";
import { createClient } from "@supabase/supabase-js";
import { median } from "../../../bench/lib/stats.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const outArg = process.argv.indexOf("--out");
const out = outArg > 0 ? process.argv[outArg + 1] : join(here, "results", "throughput.json");
const EVENTS = Number(process.env.BENCH_EVENTS ?? 400);
const WARMUP = 40;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
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
const FLOOR_SQL = `
create table public.bench_floor_events (
  id uuid primary key default gen_random_uuid(), provider text not null, event_key text not null,
  event_type text not null, payload jsonb, received_at timestamptz not null, unique (provider, event_key));
create table public.bench_floor_records (
  provider text not null, id text not null, fields jsonb not null, data jsonb not null, updated_at timestamptz not null,
  primary key (provider, id));
-- The floor: the event inserted once, its record upserted, its id returned. The same request as a claim.
create function public.bench_floor(p_request jsonb) returns jsonb language sql volatile as $$
  with event as (
    insert into public.bench_floor_events (provider, event_key, event_type, payload, received_at)
    values (p_request -> 'event' ->> 'provider', p_request -> 'event' ->> 'key', p_request -> 'event' ->> 'type',
      p_request -> 'event' -> 'payload', to_timestamp((p_request ->> 'now')::double precision / 1000))
    on conflict do nothing returning id
  ), record as (
    insert into public.bench_floor_records (provider, id, fields, data, updated_at)
    select r ->> 'provider', r ->> 'id', r -> 'fields', coalesce(p_request -> 'event' -> 'payload' #> array(select jsonb_array_elements_text(r -> 'dataFromPayload')), '{}'),
      to_timestamp((p_request ->> 'now')::double precision / 1000)
    from jsonb_array_elements(p_request -> 'records') r
    on conflict (provider, id) do update set fields = excluded.fields, data = excluded.data, updated_at = excluded.updated_at
    returning 1
  )
  select jsonb_build_object('id', (select id from event), 'records', (select count(*) from record))
$$;
grant execute on function public.bench_floor(jsonb) to service_role;
grant all on public.bench_floor_events, public.bench_floor_records to service_role;`;

const stack = await startSupabaseStack({ ...(process.env.BENCH_DATABASE === "private" && { databaseUrl: null }), sql: [FLOOR_SQL] });
try {
  const client = createClient(stack.supabaseUrl, stack.serviceRoleKey, {
    auth: { persistSession: false },
    global: { fetch: countingFetch },
  });
  const storage = createSupabaseStorage({ client });
  const handlers = {
    "no handler (claim mode complete)": createRetellHandler({ apiKey: API_KEY, storage }),
    "with a handler (claim lease + complete)": createRetellHandler({ apiKey: API_KEY, storage, on: { call_ended: () => undefined } }),
  };
  const results = [];
  const record = (result) => {
    results.push(result);
    const ratio = result.ofFloor === undefined ? "" : `  ${Math.round(result.ofFloor * 100)} % of the floor`;
    console.log(
      `${result.payload.padEnd(31)} ${result.scenario.padEnd(44)} ${String(result.concurrency).padStart(2)}-way  ${String(result.eventsPerSecond).padStart(5)} events/s  ${result.roundTripsPerEvent} round trips/event${ratio}`,
    );
  };

  // The storage against its floor: claim requests as the pipeline builds them (described by the
  // Retell definition), sent by the storage itself; the floor gets the same request body.
  const definition = retellDefinition({ apiKeys: [API_KEY], now: Date.now });
  const claims = (makeEvent, n, tag, mode) =>
    Array.from({ length: n }, (_, i) => {
      const text = JSON.stringify(makeEvent(`call_${tag}_${i}`));
      const described = definition.describe(definition.parse(JSON.parse(text)), undefined, undefined);
      const now = Date.now();
      const event = {
        provider: "retell",
        key: described.key,
        type: described.type,
        callId: described.callId,
        orgId: null,
        payload: described.payload,
        payloadText: text,
        receivedAt: now,
      };
      return { event, records: described.records, mode, leaseMs: 30_000, now };
    });
  // What the storage sends for a claim (its record data named by path into the payload, as it does).
  const floorArgs = ({ event, records, mode, leaseMs, now }) => {
    const { payloadText: _text, ...sent } = event;
    const patches = records.map(({ data, ...patch }) =>
      data === event.payload.call ? { ...patch, dataFromPayload: ["call"] } : { ...patch, data },
    );
    return { p_request: { event: sent, records: patches, mode, leaseMs, now } };
  };
  const storageScenarios = {
    "floor: bare insert + upsert RPC": {
      mode: "complete",
      run: async (r) => ((await client.rpc("bench_floor", floorArgs(r))).error ? 500 : 200),
    },
    "storage.claim (no handler: mode complete)": {
      mode: "complete",
      run: async (r) => ((await storage.claim(r)).outcome === "claimed" ? 200 : 409),
    },
    "storage.claim lease + complete (a handler)": {
      mode: "lease",
      run: async (r) => {
        const claim = await storage.claim(r);
        return (await storage.complete({ id: claim.event.id, leaseToken: claim.leaseToken }, { now: Date.now(), durationMs: 1 }))
          ? 200
          : 409;
      },
    },
  };
  // Rounds interleave the floor and the storage (the order rotated each round), so drift in the
  // shared machine's load lands on both; each ratio is taken round by round, then its median.
  let run = 0;
  const perRound = Math.max(20, Math.round(EVENTS / ROUNDS));
  for (const [payload, makeEvent] of Object.entries(payloads)) {
    for (const concurrency of [1, 16]) {
      const names = Object.keys(storageScenarios);
      const rounds = Object.fromEntries(names.map((name) => [name, []]));
      const trips = Object.fromEntries(names.map((name) => [name, 0]));
      for (const name of names) {
        run++;
        await drive(claims(makeEvent, WARMUP, `w${run}`, storageScenarios[name].mode), concurrency, storageScenarios[name].run);
      }
      for (let round = 0; round < ROUNDS; round++) {
        for (const name of names.map((_, i) => names[(i + round) % names.length])) {
          run++;
          const { mode, run: once } = storageScenarios[name];
          const items = claims(makeEvent, perRound, `s${run}`, mode);
          const before = requests;
          const started = performance.now();
          const statuses = await drive(items, concurrency, once);
          const seconds = (performance.now() - started) / 1000;
          if (statuses.get(200) !== perRound) throw new Error(`${name}: not every event was stored: ${JSON.stringify([...statuses])}`);
          rounds[name].push(perRound / seconds);
          trips[name] += requests - before;
        }
      }
      const floorName = names[0];
      for (const name of names) {
        const ratios = rounds[name].map((eps, i) => eps / rounds[floorName][i]);
        record({
          payload,
          scenario: name,
          concurrency,
          events: perRound * ROUNDS,
          rounds: ROUNDS,
          eventsPerSecond: Math.round(median(rounds[name])),
          eventsPerSecondRuns: rounds[name].map((eps) => Math.round(eps)),
          msPerEvent: Number((1000 / median(rounds[name])).toFixed(2)),
          roundTripsPerEvent: Number((trips[name] / (perRound * ROUNDS)).toFixed(3)),
          ofFloor: Number(median(ratios).toFixed(3)),
          ofFloorRuns: ratios.map((r) => Number(r.toFixed(3))),
        });
      }
    }
  }

  // The completion alone, against the floor's single statement: claims made beforehand, completions timed.
  for (const [payload, makeEvent] of Object.entries(payloads)) {
    run++;
    const held = [];
    for (const request of claims(makeEvent, EVENTS, `c${run}`, "lease")) {
      const claim = await storage.claim(request);
      held.push({ id: claim.event.id, leaseToken: claim.leaseToken });
    }
    const before = requests;
    const started = performance.now();
    await drive(held, 1, async (lease) => ((await storage.complete(lease, { now: Date.now(), durationMs: 1 })) ? 200 : 409));
    const seconds = (performance.now() - started) / 1000;
    record({
      payload,
      scenario: "storage.complete alone",
      concurrency: 1,
      events: EVENTS,
      eventsPerSecond: Math.round(EVENTS / seconds),
      msPerEvent: Number(((seconds * 1000) / EVENTS).toFixed(2)),
      roundTripsPerEvent: Number(((requests - before) / EVENTS).toFixed(3)),
      ofFloor: Number(
        (
          Math.round(EVENTS / seconds) /
          (results.find((r) => r.payload === payload && r.concurrency === 1 && r.scenario.startsWith("floor"))?.eventsPerSecond ?? 1)
        ).toFixed(3),
      ),
    });
  }

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
        if (statuses.get(200) !== EVENTS)
          throw new Error(`${scenario}: not every event was answered 200: ${JSON.stringify([...statuses])}`);
        record({
          payload,
          scenario: `pipeline, ${scenario}`,
          concurrency,
          events: EVENTS,
          eventsPerSecond: Math.round(EVENTS / seconds),
          msPerEvent: Number(((seconds * 1000) / EVENTS).toFixed(2)),
          roundTripsPerEvent: Number(((requests - before) / EVENTS).toFixed(3)),
        });
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
