import { WebhookConfigError, isWebhookError } from "../errors.js";
import type { WebhookHandler, WebhookLogger } from "../pipeline/types.js";
import type { StoredEvent, WebhookStorage } from "../storage/types.js";
import type { WorkerObservation, WorkerObservationKind, WorkerOptions } from "./types.js";

const DEFAULT_LEASE_MS = 30_000;
const DEFAULT_CONCURRENCY = 4;

export const monotonic: () => number =
  typeof globalThis.performance?.now === "function" ? () => globalThis.performance.now() : () => Date.now();

const consoleLogger: WebhookLogger = {
  error: (message, fields) => console.error(`[callhooks worker] ${message}`, fields ?? ""),
};

export type RunOutcome = "processed" | "failed" | "dead" | "lease_lost";

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
  run(event: StoredEvent, leaseToken: string): Promise<{ outcome: RunOutcome; reason?: string }>;
}

export function handlerMap(handlers: WebhookHandler | readonly WebhookHandler[] | undefined): Map<string, WebhookHandler> {
  const list = (handlers === undefined ? [] : Array.isArray(handlers) ? handlers : [handlers]) as readonly WebhookHandler[];
  const map = new Map<string, WebhookHandler>();
  for (const handler of list) {
    if (typeof handler?.runStored !== "function") throw new WebhookConfigError("handlers must be handlers made by createRetellHandler or createMightyCallHandler.");
    if (map.has(handler.provider)) throw new WebhookConfigError(`Two handlers for provider "${handler.provider}": give one per provider.`);
    map.set(handler.provider, handler);
  }
  return map;
}

const errorCode = (error: unknown): string => (isWebhookError(error) ? error.code : "internal_error");
const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

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
  const logger = options.logger ?? consoleLogger;
  const now = options.now ?? Date.now;

  const ctx: WorkerContext = {
    storage: options.storage,
    handlers,
    providers: [...handlers.keys()],
    concurrency,
    leaseMs,
    now,
    observe(kind, started, extra = {}) {
      if (counts) counts[kind] = (counts[kind] ?? 0) + (kind === "claimed" ? (extra.count ?? 0) : 1);
      if (!options.observe) return;
      try {
        options.observe({ kind, ...extra, durationMs: monotonic() - started });
      } catch {
        // an observer must never stop a worker
      }
    },
    report(error, context = {}) {
      try {
        logger.error?.(errorMessage(error), { ...context });
        options.onError?.(error, context);
      } catch {
        // nor may a logger or an error hook
      }
    },
    async claim(limit) {
      const started = monotonic();
      const batch = await options.storage.claimDue({ limit, leaseMs, now: now(), providers: ctx.providers });
      if (batch.length > 0) ctx.observe("claimed", started, { count: batch.length });
      return batch;
    },
    async run(event, leaseToken) {
      const started = monotonic();
      const about = { provider: event.provider, eventType: event.type, eventId: event.id, attempt: event.attempts };
      const handler = handlers.get(event.provider);
      if (!handler) {
        // A storage that ignored `providers`: leave the lease to lapse for a worker that has one.
        ctx.report(new WebhookConfigError(`No handler for provider "${event.provider}"; the event is left for another worker.`), about);
        ctx.observe("error", started, { ...about, reason: "no_handler" });
        return { outcome: "lease_lost", reason: "no_handler" };
      }
      if (event.attempts > 1) ctx.observe("retried", started, about);
      try {
        const result = await handler.runStored(event, leaseToken);
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
    },
  };
  return ctx;
}
