import type { LeaseRef, WebhookStorage } from "../storage/types.js";

export interface LeaseKeeper {
  /** Aborted once the lease is lost or can no longer be shown to be held. */
  readonly signal: AbortSignal;
  /** True once the storage said the lease is no longer this run's (taken over, requeued). */
  lost(): boolean;
  stop(): void;
}

let never: AbortSignal | undefined;
/** Never aborted: for runs that hold no lease (no storage). Made on first use: Workers refuse it at load. */
export const noLeaseSignal = (): AbortSignal => (never ??= new AbortController().signal);

/**
 * Renews a lease every third of its length while a handler runs, so that a live processor is never
 * taken over however long its handler takes. A renewal the storage refuses means another processor
 * has the event: the run is told (`signal`) and must not complete. A renewal that fails (the storage
 * is unreachable) is reported and tried again at the next tick; if the lease lapses meanwhile, the
 * run is told too, and its completion counts only if the storage still finds its lease token.
 */
export function keepLease(
  storage: WebhookStorage,
  lease: LeaseRef,
  options: { leaseMs: number; now: () => number; report: (error: unknown) => void },
): LeaseKeeper {
  const { leaseMs, now, report } = options;
  const controller = new AbortController();
  let expires = now() + leaseMs;
  let taken = false;
  let stopped = false;
  let renewing = false;
  const abort = (reason: string) => {
    if (!controller.signal.aborted) controller.abort(new Error(reason));
  };

  const tick = async () => {
    if (stopped) return;
    if (renewing) {
      // The last renewal has not answered: past the expiry nothing shows the lease is still held.
      if (now() >= expires) abort("The event's lease lapsed while its renewal was unanswered.");
      return;
    }
    renewing = true;
    const at = now();
    try {
      const kept = await storage.extendLease(lease, { leaseMs, now: at });
      if (stopped) return;
      if (kept) expires = at + leaseMs;
      else {
        taken = true;
        abort("Another processor took the event over.");
      }
    } catch (error) {
      if (stopped) return;
      report(error);
      if (now() >= expires) abort("The event's lease lapsed and could not be renewed.");
    } finally {
      renewing = false;
    }
  };
  const timer = setInterval(() => void tick(), Math.max(1, Math.floor(leaseMs / 3)));
  // A renewal timer alone must not keep a Node process alive (the handler's own work does).
  (timer as { unref?: () => void }).unref?.();

  return {
    signal: controller.signal,
    lost: () => taken,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
