import { WebhookConfigError, WebhookStorageError } from "../errors.js";
import type { EventInput, StoredEvent } from "../storage/types.js";
import { type WorkerContext, workerContext } from "./context.js";
import { type ReplayEventResult, type ReplayOptions, type ReplayOutcome, type ReplayResult, replayOutcomes } from "./types.js";

const REQUEUE_CHUNK = 100;

const inputOf = (event: StoredEvent): EventInput => ({
  provider: event.provider,
  key: event.key,
  type: event.type,
  callId: event.callId,
  orgId: event.orgId,
  payload: event.payload,
  receivedAt: event.receivedAt,
});

const leased = (event: StoredEvent, now: number) => event.status === "processing" && (event.leaseExpiresAt ?? 0) > now;

async function select(ctx: WorkerContext, options: ReplayOptions): Promise<Array<StoredEvent | string>> {
  if (options.ids) {
    const found: Array<StoredEvent | string> = [];
    for (const id of new Set(options.ids)) found.push((await ctx.storage.getEvent(id)) ?? id);
    return found;
  }
  // listEvents gives the newest first; replay in the order the events happened.
  return (await ctx.storage.listEvents(options.filter)).reverse();
}

/**
 * Runs one event again with its handler, here and now: puts it back to pending (`requeue`), claims
 * it under a lease (`claim` finds it by its duplicate key) and runs it with `runStored`.
 */
async function replayOne(ctx: WorkerContext, event: StoredEvent): Promise<ReplayEventResult> {
  const about = { id: event.id, provider: event.provider, type: event.type };
  if (event.status === "quarantined") {
    // Parsed again with the current schemas, then claimed (its records merged) and run.
    const { outcome, reason } = await ctx.runQuarantined(event);
    return { ...about, outcome, ...(reason !== undefined && { reason }) };
  }
  if ((await ctx.storage.requeue([event.id], ctx.now())) === 0) return { ...about, outcome: "taken" };
  let claim: Awaited<ReturnType<WorkerContext["storage"]["claim"]>>;
  try {
    claim = await ctx.storage.claim({ event: inputOf(event), records: [], mode: "lease", leaseMs: ctx.leaseMs, now: ctx.now() });
  } catch (error) {
    // Requeued already: a worker processes it, nothing is lost.
    ctx.report(error, { provider: event.provider, eventType: event.type, eventId: event.id });
    return { ...about, outcome: "requeued" };
  }
  if (claim.outcome !== "claimed" || claim.leaseToken === null) return { ...about, outcome: "taken" };
  const { outcome, reason } = await ctx.run(claim.event, claim.leaseToken);
  return { ...about, outcome, attempt: claim.event.attempts, ...(reason !== undefined && { reason }) };
}

/**
 * Replays one event, a list, or the events matching a filter (by status, type, call id, time
 * range…). With `handlers`, each event is run again here with its handler (`context.replay` is
 * true; records are merged idempotently, so a replay never double-counts); without, events are only
 * requeued for the app's workers or deferred handlers. Events under a live lease are left alone.
 * A replayed `dead` event gets one more attempt.
 */
export async function replayEvents(options: ReplayOptions): Promise<ReplayResult> {
  if ((options.ids === undefined) === (options.filter === undefined)) {
    throw new WebhookConfigError("replayEvents needs either ids or a filter.");
  }
  const ctx = workerContext({ ...options, concurrency: options.concurrency ?? 1 });
  const selected = await select(ctx, options);
  const results: ReplayEventResult[] = new Array(selected.length);
  let finished = 0;
  const settle = (index: number, result: ReplayEventResult) => {
    results[index] = result;
    finished++;
    try {
      options.onEvent?.(result, finished, selected.length);
    } catch {
      // progress reporting must not stop a replay
    }
  };

  // Events no handler here can run: requeue them in chunks for the workers.
  const queued = selected.flatMap((event, index) => (typeof event !== "string" && !ctx.handlers.has(event.provider) ? [index] : []));
  for (let start = 0; start < queued.length; start += REQUEUE_CHUNK) {
    const chunk = queued.slice(start, start + REQUEUE_CHUNK);
    const now = ctx.now();
    await ctx.storage.requeue(
      chunk.map((index) => (selected[index] as StoredEvent).id),
      now,
    );
    for (const index of chunk) {
      const event = selected[index] as StoredEvent;
      settle(index, {
        id: event.id,
        provider: event.provider,
        type: event.type,
        outcome: leased(event, now) || event.status === "quarantined" ? "taken" : "requeued",
      });
    }
  }

  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (next < selected.length && !failure) {
      const index = next++;
      const event = selected[index] as StoredEvent | string;
      try {
        if (typeof event === "string") settle(index, { id: event, outcome: "not_found" });
        else if (ctx.handlers.has(event.provider)) settle(index, await replayOne(ctx, event));
      } catch (error) {
        // The storage failed before the event was requeued: it is unchanged. Stop, and say so.
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(ctx.concurrency, selected.length) }, lane));
  if (failure)
    throw new WebhookStorageError("The storage failed during the replay; events not reached are unchanged.", { cause: failure.error });

  const counts = Object.fromEntries(replayOutcomes.map((outcome) => [outcome, 0])) as Record<ReplayOutcome, number>;
  for (const result of results) counts[result.outcome]++;
  return { events: results, counts };
}
