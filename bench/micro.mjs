#!/usr/bin/env node
// Micro benchmarks (mitata), on the 1 KB call_started and the 48 KB call_analyzed bodies:
//   verify:  raw node:crypto HMAC (floor) · hand-written verify · verifyRetellSignature (node:crypto,
//            WebCrypto) · raw WebCrypto (floor of that path) · retell-sdk's verify
//   parse:   JSON.parse (floor) · JSON.parse + the zod schema · JSON.parse + parseRetellEvent
//   handle:  hand-written verify + JSON.parse + zod over the raw bytes · handler.handle with
//            storage-memory and a no-op handler, a distinct (new) event every call
// Every subject is measured ROUNDS times, the subjects of a group interleaved within each round, and
// each ratio is taken round by round.
//
//   node bench/micro.mjs            (writes bench/results/micro.json)
import { createHmac, webcrypto } from "node:crypto";
import { measure } from "mitata";
import Retell from "retell-sdk";
import { createMemoryStorage } from "@callhooks/storage-memory";
import { createRetellHandler, parseRetellEvent, verifyRetellSignature, webCryptoHmac } from "@callhooks/webhook-core";
import { retellEventSchemas } from "@callhooks/webhook-core/schemas";
import { API_KEY, fixtures, runTag, sign } from "./lib/fixtures.mjs";
import { handwrittenReceive, handwrittenVerify } from "./lib/handwritten.mjs";
import { quick, relaunchWith, writeResult } from "./lib/process.mjs";
import { pairedRatio, rotate, summarize } from "./lib/stats.mjs";

relaunchWith(["--expose-gc"]);

const ROUNDS = Number(process.env.BENCH_MICRO_ROUNDS ?? (quick ? 3 : 7));
const CPU_NS = Number(process.env.BENCH_MICRO_CPU_MS ?? (quick ? 60 : 150)) * 1e6;

// BENCH_MICRO_ONLY=handle,verify: some groups only (for profiling; ratios of skipped groups are left out).
const only = process.env.BENCH_MICRO_ONLY?.split(",");
const encoder = new TextEncoder();
const noop = () => undefined;

function sizeBenches(size) {
  const f = fixtures[size];
  const text = f.text;
  const bytes = f.bytes;
  const header = sign(text);
  const ts = /^v=(\d+)/.exec(header)[1];
  const type = JSON.parse(text).event;
  const schema = retellEventSchemas[type];
  const webcryptoHmac = webCryptoHmac();
  const expected = Buffer.from(header.slice(header.indexOf(",d=") + 3), "hex");
  let cryptoKey;
  const tag = runTag();

  // handle(): a new event per call (never the duplicate shortcut), signed outside the timed region.
  const handler = createRetellHandler({ apiKey: API_KEY, storage: createMemoryStorage(), on: { [type]: noop } });
  const noStorage = createRetellHandler({ apiKey: API_KEY, on: { [type]: noop } });
  let n = 0;
  const delivery = () => {
    const body = f.distinct(tag, n++);
    return {
      method: "POST",
      headers: { "content-type": "application/json", "x-retell-signature": sign(body) },
      body,
      remoteAddress: "127.0.0.1",
    };
  };
  const expectStatus = async (result, status) => {
    const r = await result;
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status} ${r.body ?? ""}`);
    return r;
  };

  return {
    handlers: { handler, noStorage },
    setup: async () => {
      cryptoKey = await webcrypto.subtle.importKey("raw", encoder.encode(API_KEY), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
      // Each subject must succeed before it is timed: a bench that measures a rejection is worthless.
      if (!(await verifyRetellSignature(text, header, API_KEY))) throw new Error("callhooks rejects the fixture");
      if (!(await verifyRetellSignature(text, header, API_KEY, { hmac: webcryptoHmac }))) throw new Error("webcrypto path rejects");
      if (!(await Retell.verify(text, API_KEY, header))) throw new Error("retell-sdk rejects the fixture");
      if (!handwrittenVerify(text, header, API_KEY)) throw new Error("hand-written verify rejects");
      if (!(await webcrypto.subtle.verify("HMAC", cryptoKey, expected, encoder.encode(text + ts))))
        throw new Error("webcrypto floor rejects");
      // Hot, as in a running server: parseRetellEvent compiles an event type after 1000 events of it.
      for (let i = 0; i < 1100; i++) parseRetellEvent(JSON.parse(text));
      await expectStatus(handler.handle(delivery()), 200);
      await expectStatus(noStorage.handle(delivery()), 200);
      const d = delivery();
      if (handwrittenReceive(d.body, d.headers["x-retell-signature"], API_KEY).status !== 200)
        throw new Error("hand-written receive fails");
    },
    groups: {
      verify: [
        {
          id: "hmac",
          label: "raw node:crypto HMAC-SHA256 (floor)",
          fn: () => createHmac("sha256", API_KEY).update(text).update(ts).digest(),
        },
        { id: "handwritten", label: "hand-written node:crypto verify, constant-time", fn: () => handwrittenVerify(text, header, API_KEY) },
        // The same behind a promise, as any verifier that must also run on WebCrypto is: the floor
        // for an async API.
        {
          id: "handwritten_async",
          label: "the same hand-written verify, async (returns a promise)",
          fn: async () => handwrittenVerify(text, header, API_KEY),
        },
        { id: "callhooks", label: "callhooks verifyRetellSignature (node:crypto)", fn: () => verifyRetellSignature(text, header, API_KEY) },
        {
          id: "hmac_bytes",
          label: "raw node:crypto HMAC-SHA256, Buffer body (floor)",
          fn: () => createHmac("sha256", API_KEY).update(bytes).update(ts).digest(),
        },
        {
          id: "callhooks_bytes",
          label: "callhooks verifyRetellSignature, Buffer body",
          fn: () => verifyRetellSignature(bytes, header, API_KEY),
        },
        {
          id: "webcrypto",
          label: "raw WebCrypto HMAC verify, cached key (floor)",
          fn: () => webcrypto.subtle.verify("HMAC", cryptoKey, expected, encoder.encode(text + ts)),
        },
        {
          id: "callhooks_webcrypto",
          label: "callhooks verifyRetellSignature (WebCrypto path)",
          fn: () => verifyRetellSignature(text, header, API_KEY, { hmac: webcryptoHmac }),
        },
        { id: "retell_sdk", label: "retell-sdk verify", fn: () => Retell.verify(text, API_KEY, header) },
      ],
      parse: [
        { id: "json", label: "JSON.parse (floor)", fn: () => JSON.parse(text) },
        { id: "zod", label: "JSON.parse + zod 4 event schema", fn: () => schema.parse(JSON.parse(text)) },
        { id: "callhooks", label: "JSON.parse + callhooks parseRetellEvent", fn: () => parseRetellEvent(JSON.parse(text)) },
      ],
      handle: [
        {
          id: "handwritten",
          label: "hand-written verify + JSON.parse + zod (bytes in)",
          param: delivery,
          run: (d) => handwrittenReceive(d.body, d.headers["x-retell-signature"], API_KEY),
        },
        {
          id: "handle",
          label: "callhooks handler.handle + storage-memory + no-op handler",
          param: delivery,
          run: (d) => handler.handle(d),
        },
        { id: "handle_no_storage", label: "callhooks handler.handle, no storage", param: delivery, run: (d) => noStorage.handle(d) },
      ],
    },
  };
}

async function time(bench) {
  // Batches of 256 calls per sample (mitata's default, 4096, with its minimum of 12 samples, makes a
  // 40 µs subject take 2 s per measurement whatever min_cpu_time says).
  const opts = { min_cpu_time: CPU_NS, batch_samples: 256, min_samples: 8 };
  const stats = bench.param
    ? await measure(function* () {
        yield { 0: bench.param, bench: (p) => bench.run(p) };
      }, opts)
    : await measure(bench.fn, opts);
  return stats.p50; // ns per call, median of this round's samples
}

const results = { rounds: ROUNDS, minCpuMsPerMeasurement: CPU_NS / 1e6, sizes: {} };
for (const size of ["small", "large"]) {
  const f = fixtures[size];
  const { setup, groups, handlers } = sizeBenches(size);
  await setup();
  const out = { label: f.label, bytes: f.size, groups: {} };
  for (const [group, benches] of Object.entries(groups)) {
    if (only && !only.includes(group)) continue;
    const runs = Object.fromEntries(benches.map((b) => [b.id, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const bench of rotate(benches, round)) runs[bench.id].push((await time(bench)) / 1000);
    }
    out.groups[group] = Object.fromEntries(benches.map((b) => [b.id, { label: b.label, us: summarize(runs[b.id]) }]));
    for (const b of benches) {
      const s = out.groups[group][b.id].us;
      console.log(
        `${f.label.padEnd(20)} ${group.padEnd(7)} ${b.label.padEnd(62)} ${s.median.toFixed(2).padStart(9)} µs  [${s.min.toFixed(2)}–${s.max.toFixed(2)}]`,
      );
    }
    out.groups[group].runs = runs;
  }
  const stats = handlers.handler.stats();
  // The duplicate shortcut would flatter handle(): every timed call must have been a new event.
  out.handleStats = stats;
  if (stats.duplicate !== 0 || stats.rejected !== 0) throw new Error(`handle() saw duplicates or rejections: ${JSON.stringify(stats)}`);
  const g = out.groups;
  if (only) {
    results.sizes[size] = out;
    continue;
  }
  const r = (group, a, b) => pairedRatio(g[group].runs[a], g[group].runs[b]);
  out.ratios = {
    verify_vs_hmac: r("verify", "callhooks", "hmac"),
    verify_bytes_vs_hmac_bytes: r("verify", "callhooks_bytes", "hmac_bytes"),
    handwritten_vs_hmac: r("verify", "handwritten", "hmac"),
    handwritten_async_vs_hmac: r("verify", "handwritten_async", "hmac"),
    retell_sdk_vs_verify: r("verify", "retell_sdk", "callhooks"),
    webcrypto_verify_vs_webcrypto: r("verify", "callhooks_webcrypto", "webcrypto"),
    webcrypto_verify_vs_hmac: r("verify", "callhooks_webcrypto", "hmac"),
    parse_vs_json: r("parse", "callhooks", "json"),
    zod_vs_json: r("parse", "zod", "json"),
    parse_vs_zod: r("parse", "callhooks", "zod"),
    handle_vs_handwritten: r("handle", "handle", "handwritten"),
    handle_no_storage_vs_handwritten: r("handle", "handle_no_storage", "handwritten"),
  };
  const diff = (a, b) => summarize(g.handle.runs[a].map((v, i) => v - g.handle.runs[b][i]));
  out.overheadUs = { handle_minus_handwritten: diff("handle", "handwritten"), storage: diff("handle", "handle_no_storage") };
  for (const [name, s] of Object.entries(out.ratios))
    console.log(`${f.label.padEnd(20)} ratio ${name.padEnd(34)} ×${s.median.toFixed(2)} [${s.min.toFixed(2)}–${s.max.toFixed(2)}]`);
  results.sizes[size] = out;
}
console.log(`wrote ${writeResult("micro", results)}`);
