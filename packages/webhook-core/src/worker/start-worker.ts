import { WebhookConfigError } from "../errors.js";
import type { StoredEvent } from "../storage/types.js";
import { monotonic, workerContext } from "./context.js";
import type { StartWorkerOptions, WebhookWorker, WorkerObservationKind, WorkerStats } from "./types.js";

const MAX_ERROR_BACKOFF_MS = 60_000;

/**
 * A long-running worker: claims due events under leases (pending, failed and due for a retry, or
 * left by a worker that died), runs them with their provider's handler, at most `concurrency` at
 * once, and polls every `pollIntervalMs` when there is nothing to do. Any number of workers, on any
 * number of machines, may share a storage: each event is claimed by one of them at a time, and a
 * dead worker's events are taken over when their leases lapse.
 *
 * Retries follow the handler's `retry` policy (exponential backoff with jitter, then `dead`). A
 * failing storage is reported and retried with backoff; the worker never stops by itself.
 * `stop()` (or aborting `signal`) stops claiming and resolves when the events in flight are done.
 *
 * @example
 * const worker = startWorker({ storage, handlers: [retell] });
 * process.once("SIGTERM", () => worker.stop());
 */
export function startWorker(options: StartWorkerOptions): WebhookWorker {
  const counts: Partial<Record<WorkerObservationKind, number>> = {};
  const ctx = workerContext(options, counts);
  if (ctx.providers.length === 0) throw new WebhookConfigError("startWorker needs at least one handler.");
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  if (!(pollIntervalMs >= 0)) throw new WebhookConfigError("pollIntervalMs must be ≥ 0.");

  const inFlight = new Set<Promise<void>>();
  let stopping = false;
  let running = true;
  let polls = 0;
  let busy = true; // so that the first empty poll reports `idle`

  // One pending wait at a time; a ring that comes while the loop is busy is kept for the next wait,
  // so a wake-up or a finished event is never missed.
  let bell: (() => void) | undefined;
  let rang = false;
  const ring = () => {
    if (bell) bell();
    else rang = true;
  };
  const wait = (ms: number | undefined) =>
    new Promise<void>((resolve) => {
      if (rang || stopping) {
        rang = false;
        resolve();
        return;
      }
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        bell = undefined;
        resolve();
      }
      bell = done;
    });

  const start = (event: StoredEvent, leaseToken: string) => {
    const task: Promise<void> = ctx.run(event, leaseToken).then(() => {
      inFlight.delete(task);
      ring();
    });
    inFlight.add(task);
  };

  async function loop(): Promise<void> {
    let failures = 0;
    while (!stopping) {
      const room = ctx.concurrency - inFlight.size;
      if (room === 0) {
        await wait(undefined);
        continue;
      }
      let batch: Array<{ event: StoredEvent; leaseToken: string }>;
      polls++;
      try {
        batch = await ctx.claim(room);
        failures = 0;
      } catch (error) {
        failures++;
        ctx.report(error);
        ctx.observe("error", monotonic(), { reason: "storage_error" });
        await wait(Math.min(pollIntervalMs * 2 ** (failures - 1), Math.max(pollIntervalMs, MAX_ERROR_BACKOFF_MS)));
        continue;
      }
      // Claimed events are ours under lease: run them even when stopping, or they would wait for it to lapse.
      for (const { event, leaseToken } of batch) start(event, leaseToken);
      if (batch.length > 0) busy = true;
      if (batch.length === room) continue;
      if (inFlight.size === 0 && busy) {
        busy = false;
        ctx.observe("idle", monotonic());
      }
      await wait(pollIntervalMs);
    }
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  }

  if (options.signal?.aborted) stopping = true;
  const done = loop()
    .catch((error) => ctx.report(error))
    .finally(() => {
      running = false;
      options.signal?.removeEventListener("abort", stop);
    });

  function stop(): Promise<void> {
    stopping = true;
    ring();
    return done;
  }
  if (!stopping) options.signal?.addEventListener("abort", stop, { once: true });

  return {
    stop,
    done,
    wake: ring,
    stats: (): WorkerStats => ({
      running,
      inFlight: inFlight.size,
      polls,
      idle: counts.idle ?? 0,
      claimed: counts.claimed ?? 0,
      retried: counts.retried ?? 0,
      processed: counts.processed ?? 0,
      failed: counts.failed ?? 0,
      dead: counts.dead ?? 0,
      quarantined: counts.quarantined ?? 0,
      leaseLost: counts.lease_lost ?? 0,
      errors: counts.error ?? 0,
    }),
  };
}
