import { WebhookConfigError, isWebhookError } from "../errors.js";
import { consoleLogger, guarded, monotonic, reporter } from "../pipeline/observe.js";
import type { RunResult, WebhookHandler } from "../pipeline/types.js";
import type { StoredEvent, WebhookStorage } from "../storage/types.js";
import type { WorkerObservation, WorkerObservationKind, WorkerOptions } from "./types.js";

export { monotonic } from "../pipeline/observe.js";

const DEFAULT_LEASE_MS = 30_000;
const DEFAULT_CONCURRENCY = 4;

export type RunOutcome = RunResult["outcome"];

export interface WorkerContext {
  storage: WebhookStorage;
  handlers: ReadonlyMap<string, WebhookHandler>;
  providers: string[];
  concurrency: number;
  leaseMs: number;
  now: () => number;
  observe(kind: WorkerObservationKind, started: number, extra?: Omit<WorkerObservation, "kind" | "durationMs">): void;
  report(error: unknown, context?: { provider?: string; eventType?: string; eventId?: string }): void;
  /** Claims up to `limit` due events of the handlers' providers. Throws when the storage fails. */
  claim(limit: number): Promise<Array<{ event: StoredEvent; leaseToken: string }>>;
  /** Runs one claimed event with its provider's handler. Never throws. */
  run(event: StoredEvent, leaseToken: string): Promise<{ outcome: RunOutcome | "taken"; reason?: string }>;
  /** Parses a quarantined event again with its provider's handler and runs it if it now parses. Never throws. */
  runQuarantined(event: StoredEvent): Promise<{ outcome: RunOutcome | "taken"; reason?: string }>;
}

export function handlerMap(handlers: WebhookHandler | readonly WebhookHandler[] | undefined): Map<string, WebhookHandler> {
  const list = (handlers === undefined ? [] : Array.isArray(handlers) ? handlers : [handlers]) as readonly WebhookHandler[];
  const map = new Map<string, WebhookHandler>();
  for (const handler of list) {
    if (typeof handler?.runStored !== "function")
      throw new WebhookConfigError("handlers must be handlers made by createRetellHandler or createMightyCallHandler.");
    if (map.has(handler.provider)) throw new WebhookConfigError(`Two handlers for provider "${handler.provider}": give one per provider.`);
    map.set(handler.provider, handler);
  }
  return map;
}

const errorCode = (error: unknown): string => (isWebhookError(error) ? error.code : "internal_error");

export function workerContext(
  options: Omit<WorkerOptions, "handlers"> & { handlers?: WorkerOptions["handlers"] },
  counts?: Partial<Record<WorkerObservationKind, number>>,
): WorkerContext {
  if (!options.storage) throw new WebhookConfigError("A worker needs the storage the events were recorded in.");
  const handlers = handlerMap(options.handlers);
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new WebhookConfigError("concurrency must be a whole number ≥ 1.");
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  if (!(leaseMs > 0)) throw new WebhookConfigError("leaseMs must be a positive number of milliseconds.");
  const now = options.now ?? Date.now;
  const notify = guarded(options.observe);
  const report = reporter<{ provider?: string; eventType?: string; eventId?: string }>(
    options.logger ?? consoleLogger("[callhooks worker]"),
    options.onError,
    {},
  );
  // Takeovers are capped at the largest maxAttempts of the handlers (each still caps its own failures).
  const maxAttempts = Math.max(...[...handlers.values()].map((handler) => handler.maxAttempts ?? Number.POSITIVE_INFINITY));

  /** Runs one event with its provider's handler and reports how it went. Never throws. */
  async function settle(
    event: StoredEvent,
    runWith: (handler: WebhookHandler) => Promise<RunResult | { outcome: "taken" }>,
  ): Promise<{ outcome: RunOutcome | "taken"; reason?: string }> {
    const started = monotonic();
    const about = { provider: event.provider, eventType: event.type, eventId: event.id, attempt: event.attempts };
    const handler = handlers.get(event.provider);
    if (!handler) {
      // A storage that ignored `providers`: leave the lease to lapse for a worker that has one.
      ctx.report(new WebhookConfigError(`No handler for provider "${event.provider}"; the event is left for another worker.`), about);
      ctx.observe("error", started, { ...about, reason: "no_handler" });
      return { outcome: "lease_lost", reason: "no_handler" };
    }
    if (event.attempts > 1 && event.status !== "quarantined") ctx.observe("retried", started, about);
    try {
      const result = await runWith(handler);
      if (result.outcome === "taken") return { outcome: "taken" };
      const reason = result.error === undefined || result.outcome === "processed" ? undefined : errorCode(result.error);
      ctx.observe(result.outcome, started, {
        ...about,
        ...(reason !== undefined && { reason }),
        ...(result.retryAt !== undefined && { retryAt: result.retryAt }),
      });
      return reason === undefined ? { outcome: result.outcome } : { outcome: result.outcome, reason };
    } catch (error) {
      // Still under lease in the storage: it lapses and the event is claimed again.
      ctx.report(error, about);
      const reason = errorCode(error);
      ctx.observe("error", started, { ...about, reason });
      return { outcome: "failed", reason };
    }
  }

  const ctx: WorkerContext = {
    storage: options.storage,
    handlers,
    providers: [...handlers.keys()],
    concurrency,
    leaseMs,
    now,
    observe(kind, started, extra = {}) {
      if (counts) counts[kind] = (counts[kind] ?? 0) + (kind === "claimed" ? (extra.count ?? 0) : 1);
      if (options.observe) notify({ kind, ...extra, durationMs: monotonic() - started });
    },
    report,
    async claim(limit) {
      const started = monotonic();
      const batch = await options.storage.claimDue({
        limit,
        leaseMs,
        now: now(),
        providers: ctx.providers,
        ...(Number.isFinite(maxAttempts) && { maxAttempts }),
      });
      if (batch.length > 0) ctx.observe("claimed", started, { count: batch.length });
      return batch;
    },
    run: (event, leaseToken) => settle(event, (handler) => handler.runStored(event, leaseToken)),
    runQuarantined: (event) => settle(event, (handler) => handler.runQuarantined(event)),
  };
  return ctx;
}
