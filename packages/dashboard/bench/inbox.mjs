#!/usr/bin/env node
// How fast the console's inbox answers over storage-supabase with 100 000 stored events: real
// supabase-js → gateway → PostgREST → PostgreSQL on this machine, each page through `dashboard.fetch`
// (its two round trips, the page of 50 and the counts per status, plus the HTML). Not a test: it
// prints a table and writes JSON (default bench/results/inbox.json, or --out <file>).
//
//   pnpm --filter @callhooks/dashboard... run build && node packages/dashboard/bench/inbox.mjs
//   BENCH_EVENTS=20000 BENCH_RUNS=10 node packages/dashboard/bench/inbox.mjs --out /tmp/inbox.json
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createDashboard } from "@callhooks/dashboard";
import { createSupabaseStorage } from "@callhooks/storage-supabase";
import { startSupabaseStack } from "@callhooks/storage-supabase/testing";
import { createClient } from "@supabase/supabase-js";

const here = dirname(fileURLToPath(import.meta.url));
const outArg = process.argv.indexOf("--out");
const out = outArg > 0 ? process.argv[outArg + 1] : join(here, "results", "inbox.json");
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const WARMUP = 5;
const BUDGET_MS = 100;

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  return sorted[lo] + (sorted[Math.ceil(at)] - sorted[lo]) * (at - lo);
};

const stack = await startSupabaseStack();
try {
  const started = performance.now();
  // Rows as the pipeline leaves them: 90 % processed, the rest failed, dead, quarantined or pending;
  // two providers, four types, a call per four events, organisations on a third; ~1.5 KB payloads;
  // one event every 6 s, so 100 000 span about a week.
  await stack.sql(`
    insert into public.callhooks_events (provider, event_key, event_type, call_id, org_id, status, attempts, last_error, payload,
      received_at, updated_at, processed_at, duration_ms)
    select
      case when g % 3 = 0 then 'mightycall' else 'retell' end,
      'bench:' || g,
      (array['call_started', 'call_ended', 'call_analyzed', 'transcript_updated'])[1 + g % 4],
      'call_bench_' || (g / 4),
      case when g % 3 = 0 then 'org_' || (g % 7) end,
      case when g % 100 < 90 then 'processed' when g % 100 < 95 then 'failed' when g % 100 < 97 then 'dead'
        when g % 100 < 99 then 'quarantined' else 'pending' end,
      1 + g % 3,
      case when g % 100 between 90 and 96 then 'CRM unreachable: connect ETIMEDOUT' end,
      jsonb_build_object('event', 'call_ended', 'call', jsonb_build_object('call_id', 'call_bench_' || (g / 4), 'agent_id', 'agent_bench',
        'transcript', repeat('Agent: Hello, how can I help? User: I would like to book a cleaning. ', 20))),
      now() - g * interval '6 seconds', now() - g * interval '6 seconds', now() - g * interval '6 seconds', 5 + (g * 7919) % 400
    from generate_series(1, ${EVENTS}) g`);
  // As autovacuum leaves a table at rest: statistics, and the visibility map index-only scans use.
  await stack.sql("vacuum analyze public.callhooks_events");
  const loadSeconds = (performance.now() - started) / 1000;

  const client = createClient(stack.supabaseUrl, stack.serviceRoleKey, { auth: { persistSession: false, autoRefreshToken: false } });
  const storage = createSupabaseStorage({ client });
  const dashboard = createDashboard({ storage, auth: () => true });
  const deep = (
    await stack.sql(`select (extract(epoch from received_at) * 1000)::bigint || '_' || id from public.callhooks_events
    order by received_at desc, id desc offset ${Math.floor(EVENTS / 2)} limit 1`)
  ).trim();

  const cases = [
    ["inbox, newest 50", "/"],
    [`inbox, a page in the middle (after event ${Math.floor(EVENTS / 2).toLocaleString("en-US")})`, `/?before=${deep}`],
    ["inbox, status failed", "/?status=failed"],
    ["inbox, provider mightycall + organisation", "/?provider=mightycall&org=org_3"],
    ["inbox, one call", `/?call=call_bench_${Math.floor(EVENTS / 8)}`],
    ["inbox, last 24 h", "/?range=24h"],
    ["charts (last hour and day)", "/charts"],
  ];
  const results = [];
  for (const [name, path] of cases) {
    const times = [];
    let rows = 0;
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const t = performance.now();
      const response = await dashboard.fetch(new Request(`http://console${path}`));
      const text = await response.text();
      const ms = performance.now() - t;
      if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
      rows = path.startsWith("/charts") ? null : (text.match(/<tr data-id=/g) ?? []).length;
      if (i >= WARMUP) times.push(ms);
    }
    results.push({
      name,
      path,
      rows,
      runs: times.length,
      medianMs: quantile(times, 0.5),
      p95Ms: quantile(times, 0.95),
      maxMs: Math.max(...times),
    });
  }
  const version = (await stack.sql("show server_version")).trim();
  const report = {
    events: EVENTS,
    budgetMs: BUDGET_MS,
    loadSeconds: Math.round(loadSeconds),
    path: "dashboard.fetch → supabase-js → gateway → PostgREST 12 → PostgreSQL",
    postgres: `${version} (${stack.ownsDatabaseServer ? "private cluster" : "the server on 127.0.0.1:5432"})`,
    cores: cpus().length,
    results,
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(
    `dashboard inbox over storage-supabase, ${EVENTS.toLocaleString("en-US")} events (${RUNS} runs each; budget ${BUDGET_MS} ms):`,
  );
  for (const r of results)
    console.log(
      `  ${r.name.padEnd(62)} ${String(r.rows ?? "–").padStart(3)} rows  median ${r.medianMs.toFixed(1).padStart(6)} ms  p95 ${r.p95Ms.toFixed(1).padStart(6)} ms`,
    );
} finally {
  await stack.stop();
}
