import type { WebhookHandler, WebhookLogger } from "../pipeline/types.js";
import type { EventFilter, WebhookStorage } from "../storage/types.js";

/**
 * What a worker reports, for logs and metrics. Never contains payloads, error messages or secrets:
 * only ids, types, counts, codes and durations.
 *
 * - `claimed`: a batch was claimed (`count` events);
 * - `retried`: a claimed event is on its second or later attempt (emitted before it runs);
 * - `processed` / `failed` / `dead`: how one event's run ended (`failed` carries `retryAt`);
 * - `quarantined`: its stored body no longer parses (or a replayed quarantined one still does not);
 * - `lease_lost`: the run lost its lease (another processor took the event over, or the storage could
 *   not confirm it) and its result was not recorded;
 * - `idle`: nothing was due and nothing is running;
 * - `error`: the storage failed to claim, or a run failed unexpectedly; the worker carries on.
 */
export const workerObservationKinds = [
  "claimed",
  "retried",
  "processed",
  "failed",
  "dead",
  "quarantined",
  "lease_lost",
  "idle",
  "error",
] as const;
export type WorkerObservationKind = (typeof workerObservationKinds)[number];

export interface WorkerObservation {
  kind: WorkerObservationKind;
  provider?: string;
  eventType?: string;
  eventId?: string;
  attempt?: number;
  /** `claimed`: how many events the batch holds. */
  count?: number;
  /** `failed`/`dead`/`error`: an error code such as `handler_failed` or `storage_error`. */
  reason?: string;
  /** `failed`: when the event is due again (epoch ms). */
  retryAt?: number;
  /** Milliseconds the claim or the run took. */
  durationMs: number;
}

/** What every worker entry point takes. */
export interface WorkerOptions {
  /** The storage the handlers were created with. */
  storage: WebhookStorage;
  /**
   * The provider handlers (`createRetellHandler`, `createMightyCallHandler`), created with the same
   * storage; at most one per provider. Only their providers' events are claimed.
   */
  handlers: WebhookHandler | readonly WebhookHandler[];
  /** How many events run at once. Default 4. */
  concurrency?: number;
  /**
   * How long each claim lasts before its first renewal: while a handler runs, its lease is renewed
   * (every third of the handler's own `leaseMs`), so only a worker that stopped loses its events.
   * Default 30 s.
   */
  leaseMs?: number;
  observe?: (observation: WorkerObservation) => void;
  /** Receives errors; defaults to `console`. Pass `{}` to silence. */
  logger?: WebhookLogger;
  /** Called when the storage or a run fails unexpectedly. Must not throw (if it does, it is ignored). */
  onError?: (error: unknown, context: { provider?: string; eventType?: string; eventId?: string }) => void;
  /** The clock, in epoch ms (tests). */
  now?: () => number;
}

export interface ProcessPendingOptions extends WorkerOptions {
  /** At most this many events in this pass. Default 100. */
  limit?: number;
}

/** How one `processPending` pass went. */
export interface ProcessPendingResult {
  claimed: number;
  processed: number;
  failed: number;
  dead: number;
  quarantined: number;
  leaseLost: number;
}

export interface StartWorkerOptions extends WorkerOptions {
  /** How long to wait before looking again when nothing was due. Default 1 000 ms. */
  pollIntervalMs?: number;
  /** Stops the worker (gracefully) when aborted. */
  signal?: AbortSignal;
}

/** Counts since the worker started. */
export interface WorkerStats {
  running: boolean;
  /** Events running right now. */
  inFlight: number;
  /** `claimDue` calls, and how many came back empty with nothing running. */
  polls: number;
  idle: number;
  claimed: number;
  retried: number;
  processed: number;
  failed: number;
  dead: number;
  quarantined: number;
  leaseLost: number;
  errors: number;
}

export interface WebhookWorker {
  /** Stops claiming, lets the events in flight finish, then resolves. Safe to call twice. */
  stop(): Promise<void>;
  /** Resolves once the worker has stopped (never rejects). */
  readonly done: Promise<void>;
  /** Looks for due events now instead of at the next poll (e.g. from a handler's `observe` on `deferred`). */
  wake(): void;
  stats(): WorkerStats;
}

/**
 * - `processed` / `failed` / `dead` / `lease_lost`: the handler ran here;
 * - `quarantined`: a quarantined event that still fails the current schemas (or a stored one that
 *   no longer parses): it stays quarantined;
 * - `requeued`: put back to pending for the app's workers (no handler given for its provider);
 * - `taken`: another processor holds or took it (a live lease, or a worker right after the requeue),
 *   or it is quarantined and no handler was given to parse it again;
 * - `not_found`: no event has this id.
 */
export const replayOutcomes = ["processed", "failed", "dead", "quarantined", "lease_lost", "requeued", "taken", "not_found"] as const;
export type ReplayOutcome = (typeof replayOutcomes)[number];

export interface ReplayEventResult {
  id: string;
  outcome: ReplayOutcome;
  provider?: string;
  type?: string;
  /** The attempt this replay made, when it ran the handler. */
  attempt?: number;
  /** The error `code`, for `failed` / `dead`. */
  reason?: string;
}

export interface ReplayOptions extends Omit<WorkerOptions, "handlers"> {
  /**
   * Handlers to run the events with, here and now. Without them (or for providers without one) the
   * events are only requeued, for the app's workers or deferred handlers to process.
   */
  handlers?: WebhookHandler | readonly WebhookHandler[];
  /** These events… */
  ids?: readonly string[];
  /** …or the events matching this filter (newest `limit` of them, default 100), replayed oldest first. */
  filter?: EventFilter;
  /** How many events are replayed at once. Default 1, so that they run in the order they happened. */
  concurrency?: number;
  /** Called after each event, for progress. */
  onEvent?: (result: ReplayEventResult, done: number, total: number) => void;
}

export interface ReplayResult {
  events: ReplayEventResult[];
  counts: Record<ReplayOutcome, number>;
}
