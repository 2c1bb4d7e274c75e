import { WebhookHandlerError, WebhookStorageError } from "../errors.js";
import type { ClaimResult, EventInput, QuarantineInput, RecordPatch, StoredEvent, WebhookStorage } from "../storage/types.js";
import { keepLease, noLeaseSignal } from "./lease.js";
import { errorMessage, monotonic } from "./observe.js";
import { nextAttemptAt } from "./retry.js";
import type {
  HandlerContext,
  Observation,
  ObservationKind,
  ProviderDefinition,
  ProviderResponse,
  RetryPolicy,
  RunResult,
} from "./types.js";

/** A handler function as the pipeline sees it; provider factories give them precise types. */
export type AnyEventHandler = (event: never, context: HandlerContext) => unknown;

export interface PipelineHandlers {
  /** By event type. */
  on?: Partial<Record<string, AnyEventHandler>> | undefined;
  /** For event types the provider definition does not know (recorded and acknowledged either way). */
  onUnknown?: AnyEventHandler | undefined;
  /** Whether `type` is one the definition knows (decides between `on` and `onUnknown`). */
  isKnown(type: string): boolean;
  /** The known types, for the suggestion when a key of `on` names none of them. */
  knownTypes?: readonly string[] | undefined;
}

export type Observe = (kind: ObservationKind, started: number, extra?: Omit<Observation, "kind" | "provider" | "durationMs">) => void;
export type Report = (error: unknown, context?: { eventType?: string; eventId?: string }) => void;

export interface ProcessorConfig {
  provider: string;
  definition: ProviderDefinition<unknown>;
  handlers: PipelineHandlers;
  storage: WebhookStorage | undefined;
  leaseMs: number;
  retry: RetryPolicy | undefined;
  maxAttempts: number;
  now: () => number;
  observe: Observe;
  report: Report;
}

/** What the processing step returns: the run's outcome, and the handler's answer for inbound types. */
export type Processed = RunResult & { value?: unknown };

/**
 * Processing, shared by requests, workers and replay: claim → run the handler under a renewed lease
 * → complete or fail. Receiving (request → described event) is `receive.ts`; the two meet in
 * `pipeline.ts`.
 */
export function createProcessor(config: ProcessorConfig) {
  const { provider, definition, handlers, storage, leaseMs, now, observe, report } = config;

  const handlerFor = (type: string) => (handlers.isKnown(type) ? handlers.on?.[type] : handlers.onUnknown);
  // Own properties only: an event named "toString" or "hasOwnProperty" must not find Object's.
  const responderFor = (type: string): ProviderResponse | undefined =>
    definition.responses && Object.hasOwn(definition.responses, type) ? definition.responses[type] : undefined;

  /** Calls the handler; for inbound types, validates what it answers. */
  async function invoke(event: unknown, type: string, context: HandlerContext): Promise<unknown> {
    const handler = handlerFor(type);
    if (!handler) return undefined;
    const value = await (handler as (e: unknown, c: HandlerContext) => unknown)(event, context);
    const respond = responderFor(type);
    // Nothing returned is no override, as when there is no handler at all.
    return respond && value != null ? respond.parse(value) : value;
  }

  /** Without a storage: the handler runs on every delivery; nothing is kept. */
  async function runUnstored(event: unknown, type: string, key: string, orgId: string | null): Promise<Processed> {
    const context: HandlerContext = {
      provider,
      eventId: null,
      key,
      attempt: 1,
      orgId,
      receivedAt: now(),
      replay: false,
      storage: undefined,
      signal: noLeaseSignal(),
    };
    try {
      return { outcome: "processed", value: await invoke(event, type, context) };
    } catch (cause) {
      report(cause, { eventType: type });
      return { outcome: "failed", error: new WebhookHandlerError(type, { cause }) };
    }
  }

  /** Runs one claimed event's handler under its lease, renewed while it runs, then completes or fails it. */
  async function run(event: unknown, type: string, stored: StoredEvent, leaseToken: string, replay: boolean): Promise<Processed> {
    const started = monotonic();
    const store = storage as WebhookStorage;
    const lease = { id: stored.id, leaseToken };
    const about = { eventType: type, eventId: stored.id };
    const keeper = keepLease(store, lease, { leaseMs, expiresAt: stored.leaseExpiresAt, now, report: (error) => report(error, about) });
    const context: HandlerContext = {
      provider,
      eventId: stored.id,
      key: stored.key,
      attempt: stored.attempts,
      orgId: stored.orgId,
      receivedAt: stored.receivedAt,
      replay,
      storage,
      signal: keeper.signal,
    };
    if (stored.attempts > 1) observe("retried", started, { ...about, attempt: stored.attempts });
    try {
      if (!(await keeper.ready())) return lostLease(started, about, stored.attempts);
      let value: unknown;
      try {
        value = await invoke(event, type, context);
      } catch (cause) {
        const error = new WebhookHandlerError(type, { cause });
        report(cause, about);
        if (keeper.lost()) return lostLease(started, about, stored.attempts, error);
        const retryAt = nextAttemptAt(stored.attempts, now(), config.retry);
        try {
          const durationMs = Math.round(monotonic() - started);
          // Another processor took the event over: its run decides the status, so this one must not
          // be counted as failed, let alone dead.
          if (!(await store.fail(lease, { error: errorMessage(cause), retryAt, durationMs, now: now() }))) {
            return lostLease(started, about, stored.attempts, error);
          }
        } catch (storageFailure) {
          report(storageFailure, about);
        }
        observe(retryAt === null ? "dead" : "failed", started, { ...about, attempt: stored.attempts, reason: error.code });
        return retryAt === null ? { outcome: "dead", error } : { outcome: "failed", error, retryAt };
      }
      if (keeper.lost()) return lostLease(started, about, stored.attempts);
      const respond = responderFor(type);
      let kept: boolean;
      try {
        const durationMs = Math.round(monotonic() - started);
        kept = await store.complete(lease, { response: respond ? (value ?? null) : null, durationMs, now: now() });
      } catch (cause) {
        report(cause, about);
        return {
          outcome: "failed",
          error: new WebhookStorageError("The handler ran but the event could not be marked processed.", { cause }),
        };
      }
      if (!kept) return lostLease(started, about, stored.attempts);
      observe("processed", started, { ...about, attempt: stored.attempts });
      return { outcome: "processed", value };
    } finally {
      keeper.stop();
    }
  }

  function lostLease(started: number, about: { eventType: string; eventId: string }, attempt: number, cause?: unknown): Processed {
    observe("lease_lost", started, { ...about, attempt });
    return {
      outcome: "lease_lost",
      error: new WebhookStorageError(
        "This run lost the event's lease (another processor took it over, or the storage could not confirm it): its result was not recorded.",
        cause === undefined ? undefined : { cause },
      ),
    };
  }

  /** Claims a described event: new, due again, or already seen. */
  function claim(
    input: EventInput,
    records: readonly RecordPatch[],
    mode: "lease" | "pending" | "complete",
    capped = true,
  ): Promise<ClaimResult> {
    return (storage as WebhookStorage).claim({
      event: input,
      records,
      mode,
      leaseMs,
      now: now(),
      ...(capped && { maxAttempts: config.maxAttempts }),
    });
  }

  function quarantine(input: EventInput, reasons: QuarantineInput): Promise<ClaimResult> {
    return (storage as WebhookStorage).claim({ event: input, records: [], mode: "quarantine", quarantine: reasons, leaseMs, now: now() });
  }

  return { handlerFor, responderFor, runUnstored, run, claim, quarantine };
}

export type Processor = ReturnType<typeof createProcessor>;
