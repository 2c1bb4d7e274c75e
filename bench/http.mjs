#!/usr/bin/env node
// HTTP benchmarks: autocannon (in this process) against servers in child processes, on 127.0.0.1.
// For each framework (node:http, Express, Fastify, Hono) and each body size, four servers:
//   pipeline    — the adapter with the full pipeline: verify + zod + storage-memory + a no-op handler
//                 (on node:http: retell.handle() called directly)
//   nostorage   — the same without a storage: what the pipeline and the adapter cost on their own
//   handwritten — the same framework, verify + JSON.parse + zod written by hand, no storage
//   noop        — the same framework answering 204 without reading the body
// Every request is a distinct event (a new call id, signed just before the run), so the pipeline
// never takes its duplicate shortcut; the servers' counters are checked at the end to prove it. The
// variants of a framework run in turn within each round, and ratios are taken round by round.
//
//   node bench/http.mjs                      (writes bench/results/http.json)
//   BENCH_HTTP_FRAMEWORKS=fastify,hono BENCH_HTTP_SIZES=small node bench/http.mjs
import { fork } from "node:child_process";
import { join } from "node:path";
import autocannon from "autocannon";
import { fixtures, runTag, sign } from "./lib/fixtures.mjs";
import { benchDir, quick, writeResult } from "./lib/process.mjs";
import { pairedRatio, rotate, summarize } from "./lib/stats.mjs";

const CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 10);
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? (quick ? 2 : 3));
const FRAMEWORKS = (process.env.BENCH_HTTP_FRAMEWORKS ?? "node-http,express,fastify,hono").split(",");
const SIZES = (process.env.BENCH_HTTP_SIZES ?? "small,large").split(",");
// Requests per measured run (1–2 s each here) and per warm-up. The small warm-up fills
// storage-memory to its default cap (10 000 events), so measured runs pay for eviction as a
// long-running server does; with large bodies the cap is reached during the second round.
const PLAN = {
  small: { amount: quick ? 6000 : 15000, warmup: quick ? 3000 : 10000 },
  large: { amount: quick ? 1000 : 2500, warmup: quick ? 600 : 2500 },
};
const LABELS = { "node-http": "node:http", express: "Express 5", fastify: "Fastify 5", hono: "Hono (node-server)" };
const VARIANTS = ["pipeline", "nostorage", "handwritten", "noop"];

function startServer(framework, variant) {
  return new Promise((resolve, reject) => {
    const child = fork(join(benchDir, "servers", `${framework}.mjs`), [variant], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${framework} ${variant} exited with ${code}`)));
    child.once("message", (message) => {
      if (message?.type !== "ready") return reject(new Error(`unexpected message ${JSON.stringify(message)}`));
      child.removeAllListeners("exit");
      resolve({ child, port: message.port, framework, variant });
    });
  });
}

function serverStats(server) {
  return new Promise((resolve) => {
    server.child.once("message", resolve);
    server.child.send("stats");
  });
}

function stopServer(server) {
  return new Promise((resolve) => {
    server.child.once("exit", resolve);
    server.child.kill("SIGTERM");
  });
}

/** `amount` distinct deliveries, signed now (Retell's signatures expire after 5 minutes). */
function deliveries(fixture, amount) {
  const tag = runTag();
  return Array.from({ length: amount }, (_, i) => {
    const body = fixture.distinct(tag, i);
    return { body, signature: sign(body) };
  });
}

async function load(server, fixture, amount) {
  // autocannon builds a request before sending it and may build one more per connection at the end.
  const pool = deliveries(fixture, amount + CONNECTIONS * 4);
  let next = 0;
  // autocannon notices that `amount` is reached on its one-second tick, so its own duration is
  // rounded up to whole seconds: the run is timed from here to the last response instead.
  let finished = 0;
  const started = performance.now();
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}/`,
    connections: CONNECTIONS,
    pipelining: 1,
    amount,
    timeout: 30,
    requests: [
      {
        method: "POST",
        path: "/",
        setupRequest(request) {
          const delivery = pool[next++];
          if (!delivery) throw new Error("delivery pool exhausted: a request would repeat an event");
          request.body = delivery.body;
          request.headers = { "content-type": "application/json", "x-retell-signature": delivery.signature };
          return request;
        },
        onResponse() {
          finished = performance.now();
        },
      },
    ],
  });
  const seconds = (finished - started) / 1000;
  const ok = result["2xx"];
  if (result.non2xx || result.errors || result.timeouts || ok !== amount) {
    throw new Error(
      `${server.framework} ${server.variant}: ${ok}/${amount} 2xx, ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  return { rps: ok / seconds, p50: result.latency.p50, p99: result.latency.p99, seconds };
}

const groups = [];
const started = performance.now();
for (const size of SIZES) {
  const fixture = fixtures[size];
  const plan = PLAN[size];
  for (const framework of FRAMEWORKS) {
    const servers = Object.fromEntries(await Promise.all(VARIANTS.map(async (v) => [v, await startServer(framework, v)])));
    for (const variant of VARIANTS) await load(servers[variant], fixture, plan.warmup);
    const runs = Object.fromEntries(VARIANTS.map((v) => [v, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of rotate(VARIANTS, round)) runs[variant].push(await load(servers[variant], fixture, plan.amount));
    }
    const stats = Object.fromEntries(await Promise.all(VARIANTS.map(async (v) => [v, await serverStats(servers[v])])));
    await Promise.all(VARIANTS.map((v) => stopServer(servers[v])));
    // The pipeline must have done real work for every request: no duplicate shortcut, no rejection.
    const p = stats.pipeline.pipeline;
    const expected = plan.warmup + ROUNDS * plan.amount;
    for (const v of ["pipeline", "nostorage"]) {
      const c = stats[v].pipeline;
      if (c.processed !== expected || c.duplicate || c.rejected || c.failed)
        throw new Error(`${framework} ${v} counters: ${JSON.stringify(c)}`);
    }
    if (stats.handwritten.handwritten[200] !== expected)
      throw new Error(`${framework} handwritten counters: ${JSON.stringify(stats.handwritten.handwritten)}`);

    const series = (variant, field) => runs[variant].map((r) => r[field]);
    const group = {
      framework,
      label: LABELS[framework],
      size,
      bodyBytes: fixture.size,
      connections: CONNECTIONS,
      requestsPerRun: plan.amount,
      variants: Object.fromEntries(
        VARIANTS.map((v) => [
          v,
          { rps: summarize(series(v, "rps")), p50Ms: summarize(series(v, "p50")), p99Ms: summarize(series(v, "p99")) },
        ]),
      ),
      ratios: {
        pipeline_vs_handwritten: pairedRatio(series("pipeline", "rps"), series("handwritten", "rps")),
        nostorage_vs_handwritten: pairedRatio(series("nostorage", "rps"), series("handwritten", "rps")),
        pipeline_vs_noop: pairedRatio(series("pipeline", "rps"), series("noop", "rps")),
        handwritten_vs_noop: pairedRatio(series("handwritten", "rps"), series("noop", "rps")),
      },
      // Per request, from the paired runs: what the pipeline costs beyond the hand-written server.
      overheadUsPerRequest: summarize(runs.pipeline.map((r, i) => 1e6 / r.rps - 1e6 / runs.handwritten[i].rps)),
      nostorageOverheadUsPerRequest: summarize(runs.nostorage.map((r, i) => 1e6 / r.rps - 1e6 / runs.handwritten[i].rps)),
      pipelineCounters: p,
      serverRssMiB: Object.fromEntries(VARIANTS.map((v) => [v, Math.round(stats[v].memory.rss / 2 ** 20)])),
    };
    groups.push(group);
    const v = group.variants;
    console.log(
      `${fixture.label.padEnd(20)} ${group.label.padEnd(20)} pipeline ${v.pipeline.rps.median.toFixed(0).padStart(6)}/s  no storage ${v.nostorage.rps.median.toFixed(0).padStart(6)}/s  hand ${v.handwritten.rps.median.toFixed(0).padStart(6)}/s  204 ${v.noop.rps.median.toFixed(0).padStart(6)}/s  pipeline/hand ×${group.ratios.pipeline_vs_handwritten.median.toFixed(3)} [${group.ratios.pipeline_vs_handwritten.min.toFixed(3)}–${group.ratios.pipeline_vs_handwritten.max.toFixed(3)}]  p99 ${v.pipeline.p99Ms.median}/${v.handwritten.p99Ms.median} ms`,
    );
  }
}
const file = writeResult("http", {
  tool: "autocannon",
  connections: CONNECTIONS,
  pipelining: 1,
  rounds: ROUNDS,
  seconds: Math.round((performance.now() - started) / 1000),
  groups,
});
console.log(`wrote ${file}`);
