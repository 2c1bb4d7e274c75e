import type { LeaseRef, WebhookStorage } from "../storage/types.js";

export interface LeaseKeeper {
  /** Aborted once the lease is lost or can no longer be shown to be held. */
  readonly signal: AbortSignal;
  /**
   * Resolves true when the handler may start: the lease has most of its length left, or was renewed
   * just now (a claim that took long to answer). False when the storage says it is no longer ours.
   */
  ready(): Promise<boolean>;
  /** True once the storage said the lease is no longer this run's (taken over, requeued). */
  lost(): boolean;
  stop(): void;
}

let never: AbortSignal | undefined;
/** Never aborted: for runs that hold no lease (no storage). Made on first use: Workers refuse it at load. */
export const noLeaseSignal = (): AbortSignal => (never ??= new AbortController().signal);

/**
 * Keeps a lease alive while a handler runs: it is renewed each time a third of it has passed, so a
 * live processor is never taken over however long its handler takes, and two renewals may be slow
 * or fail before it lapses. Renewals are timed from when the lease really expires — a claim that
 * took long to answer has less of it left — not from when the handler started.
 *
 * A renewal the storage refuses means another processor has the event: the run is told (`signal`)
 * and must not complete. A renewal that fails (the storage is unreachable) is reported and tried
 * again soon; if the lease lapses meanwhile the run is told too, and its completion counts only if
 * the storage still finds its lease token (nobody took it over).
 */
export function keepLease(
  storage: WebhookStorage,
  lease: LeaseRef,
  options: { leaseMs: number; expiresAt: number | null; now: () => number; report: (error: unknown) => void },
): LeaseKeeper {
  const { leaseMs, now, report } = options;
  const controller = new AbortController();
  let expires = options.expiresAt ?? now() + leaseMs;
  let taken = false;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const abort = (reason: string) => {
    if (!controller.signal.aborted) controller.abort(new Error(reason));
  };
  /** When the next renewal is due: once a third of the lease has passed since it was last set. */
  const due = () => Math.max(0, expires - (leaseMs * 2) / 3 - now());

  const renew = async (): Promise<boolean> => {
    const at = now();
    try {
      const kept = await storage.extendLease(lease, { leaseMs, now: at });
      if (stopped) return kept;
      if (kept) expires = at + leaseMs;
      else {
        taken = true;
        abort("Another processor took the event over.");
      }
      return kept;
    } catch (error) {
      if (!stopped) {
        report(error);
        if (now() >= expires) abort("The event's lease lapsed and could not be renewed.");
      }
      return true; // not refused: the completion will tell
    }
  };

  const schedule = (ms: number) => {
    if (stopped || taken) return;
    timer = setTimeout(async () => {
      const before = expires;
      await renew();
      // After a failed renewal, try again soon rather than a third of a lease later.
      schedule(expires === before ? Math.min(leaseMs / 6, Math.max(0, expires - now())) : due());
    }, ms);
    // A renewal timer alone must not keep a Node process alive (the handler's own work does).
    (timer as { unref?: () => void }).unref?.();
  };

  return {
    signal: controller.signal,
    async ready() {
      // The claim answered late: renew before the handler starts, so it never starts on a lease
      // that another processor may already be taking over.
      if (due() === 0 && !(await renew())) return false;
      schedule(due());
      return true;
    },
    lost: () => taken,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
