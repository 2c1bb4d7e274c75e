import { WebhookConfigError, WebhookStorageError } from "../errors.js";
import { monotonic, type RunOutcome, workerContext } from "./context.js";
import type { ProcessPendingOptions, ProcessPendingResult } from "./types.js";

const tally: Record<RunOutcome | "taken", keyof ProcessPendingResult> = {
  processed: "processed",
  failed: "failed",
  dead: "dead",
  quarantined: "quarantined",
  lease_lost: "leaseLost",
  taken: "leaseLost",
};

/**
 * One pass over the due events (pending, failed and due, or under a lapsed lease) of the given
 * handlers' providers: claims them under leases and runs each with its handler, at most
 * `concurrency` at once, until nothing is due or `limit` events were claimed. For cron jobs and
 * scheduled functions; `startWorker` runs it continuously.
 *
 * Claims only as many events as it has free slots, so that no lease ticks away while an event
 * waits for its turn. Throws (after the events in flight finish) when the storage fails to claim.
 */
export async function processPending(options: ProcessPendingOptions): Promise<ProcessPendingResult> {
  const ctx = workerContext(options);
  if (ctx.providers.length === 0) throw new WebhookConfigError("processPending needs at least one handler.");
  const limit = options.limit ?? 100;
  if (!(limit >= 0)) throw new WebhookConfigError("limit must be ≥ 0.");
  const result: ProcessPendingResult = { claimed: 0, processed: 0, failed: 0, dead: 0, quarantined: 0, leaseLost: 0 };
  const inFlight = new Set<Promise<void>>();
  let exhausted = false;
  let claimError: unknown;

  for (;;) {
    const room = Math.min(ctx.concurrency - inFlight.size, limit - result.claimed);
    if (!exhausted && room > 0) {
      try {
        const batch = await ctx.claim(room);
        if (batch.length < room) exhausted = true;
        result.claimed += batch.length;
        for (const { event, leaseToken } of batch) {
          const task: Promise<void> = ctx.run(event, leaseToken).then(({ outcome }) => {
            result[tally[outcome]]++;
            inFlight.delete(task);
          });
          inFlight.add(task);
        }
      } catch (error) {
        exhausted = true;
        claimError = error;
        ctx.report(error);
        ctx.observe("error", monotonic(), { reason: "storage_error" });
      }
    }
    if (inFlight.size === 0) break;
    await Promise.race(inFlight);
  }
  if (claimError !== undefined) {
    throw new WebhookStorageError("The storage failed to claim due events.", { cause: claimError });
  }
  return result;
}
