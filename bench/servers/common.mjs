// Shared by the benchmark servers. Each server is its own process (started by bench/http.mjs, or by
// hand: `node bench/servers/fastify.mjs pipeline` prints its port), so that the load generator and
// the server never share an event loop.
import { createMemoryStorage } from "@callhooks/storage-memory";
import { createRetellHandler } from "@callhooks/webhook-core";
import { API_KEY } from "../lib/fixtures.mjs";
import { handwrittenReceive, OK_BODY } from "../lib/handwritten.mjs";

// `nostorage` is the pipeline without a storage (signature, zod, a no-op handler): it separates what
// the pipeline and the adapter cost from what keeping events in memory costs.
export const variant = process.argv[2] ?? "pipeline";
export const VARIANTS = ["pipeline", "nostorage", "handwritten", "noop"];
if (!VARIANTS.includes(variant)) throw new Error(`variant must be one of ${VARIANTS.join(", ")}`);

const noop = () => undefined;
// BENCH_STORAGE_CAP=100 shrinks storage-memory's caps (for investigating; never in RESULTS.md).
const cap = process.env.BENCH_STORAGE_CAP ? Number(process.env.BENCH_STORAGE_CAP) : undefined;

/** The full pipeline: signature, zod, storage-memory (default caps), a no-op handler; or `nostorage`. */
export const retell = createRetellHandler({
  apiKey: API_KEY,
  storage: variant === "nostorage" ? false : createMemoryStorage(cap ? { maxEvents: cap, maxRecords: cap } : {}),
  on: { call_started: noop, call_ended: noop, call_analyzed: noop },
});

const statuses = {};
/** The hand-written receiver over the raw bytes; counts its answers for the sanity check. */
export function receiveByHand(body, signature) {
  const { status } = handwrittenReceive(body, signature, API_KEY);
  statuses[status] = (statuses[status] ?? 0) + 1;
  return status === 200 ? { status, body: OK_BODY } : { status, body: '{"error":"rejected"}' };
}

export const JSON_TYPE = "application/json; charset=utf-8";

/** Tells the parent the port, and answers its requests for counters (to prove no request was a duplicate or rejected). */
export function ready(port) {
  if (process.send) {
    process.send({ type: "ready", port });
    process.on("message", (message) => {
      if (message === "stats") {
        process.send({
          type: "stats",
          variant,
          pipeline: retell.stats(),
          handwritten: { ...statuses },
          memory: process.memoryUsage(),
          cpu: process.cpuUsage(),
        });
      }
    });
    process.on("disconnect", () => process.exit(0));
  } else {
    console.log(`${variant} listening on http://127.0.0.1:${port}/`);
  }
}
