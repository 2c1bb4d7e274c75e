import { randomId } from "../crypto/compare.js";
import { WebhookConfigError, WebhookDeadEventError, WebhookInFlightError, WebhookStorageError, isWebhookError } from "../errors.js";
import type { ClaimResult, EventInput, StoredEvent, WebhookStorage } from "../storage/types.js";
import { errorResult, headerReader, jsonResult, toResponse } from "./http.js";
import { assertKnownHandlers, warnWithoutStorage } from "./checks.js";
import { createIpCheck } from "./ip.js";
import { consoleLogger, guarded, monotonic, reporter } from "./observe.js";
import { createProcessor, type PipelineHandlers, type Processed } from "./process.js";
import { createReceiver, type InvalidEvent, type ValidEvent } from "./receive.js";
import { defaultRetryPolicy } from "./retry.js";
import { runtimeWaitUntil } from "./wait-until.js";
import {
  type HandlerStats,
  type IncomingWebhook,
  type InvalidContext,
  type Observation,
  type ObservationKind,
  observationKinds,
  type PipelineOptions,
  type ProviderDefinition,
  type RunResult,
  type WaitUntil,
  type WebhookHandler,
  type WebhookResult,
} from "./types.js";

export type { AnyEventHandler, PipelineHandlers } from "./process.js";

const DEFAULT_MAX_BODY = 8 * 1024 * 1024;
const DEFAULT_LEASE_MS = 30_000;

/**
 * The generic pipeline: receive (request → handshake → method → address → size → authenticate →
 * JSON object → parse → describe → limits) then process (claim + records → run under a renewed lease
 * → complete) → answer. Provider factories (`createRetellHandler`, `createMightyCallHandler`) call it
 * with their definition and their typed handlers.
 */
export function createWebhookHandler<TEvent>(
  definition: ProviderDefinition<TEvent>,
  handlers: PipelineHandlers,
  options: PipelineOptions = {},
): WebhookHandler {
  const storage = options.storage || undefined;
  const provider = definition.provider;
  assertKnownHandlers(handlers, provider);
  const mode = options.mode ?? "sync";
  if (mode !== "sync" && !storage) {
    throw new WebhookConfigError(`mode "${mode}" needs a storage: without one, an event that fails after the answer would be lost.`);
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  if (!(maxBodyBytes > 0)) throw new WebhookConfigError("maxBodyBytes must be a positive number of bytes.");
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  if (!(leaseMs > 0)) throw new WebhookConfigError("leaseMs must be a positive number of milliseconds.");
  const maxAttempts = options.retry?.maxAttempts ?? defaultRetryPolicy.maxAttempts;
  if (!(maxAttempts >= 1)) throw new WebhookConfigError("retry.maxAttempts must be at least 1.");
  const now = options.now ?? Date.now;
  const counts = Object.fromEntries(observationKinds.map((kind) => [kind, 0])) as HandlerStats;

  const notify = guarded(options.observe);
  const observe = (kind: ObservationKind, started: number, extra: Omit<Observation, "kind" | "provider" | "durationMs"> = {}) => {
    counts[kind]++;
    if (options.observe) notify({ kind, provider, durationMs: monotonic() - started, ...extra });
  };
  const logger = options.logger ?? consoleLogger("[callhooks]");
  if (options.storage === undefined) warnWithoutStorage(logger, provider);
  const report = reporter<{ provider: string; eventType?: string; eventId?: string }>(logger, options.onError, { provider });

  const receiver = createReceiver(definition, { maxBodyBytes, ipAllowed: createIpCheck(options) });
  const processor = createProcessor({
    provider,
    definition: definition as ProviderDefinition<unknown>,
    handlers,
    storage,
    leaseMs,
    retry: options.retry,
    maxAttempts,
    now,
    observe,
    report,
  });

  /** What an inbound type answers when its value is the response; others answer their status. */
  const success = (type: string, value: unknown, eventId: string | null, status: "processed" | "duplicate"): WebhookResult => {
    if (processor.responderFor(type)) return value == null ? { status: 204, headers: {}, body: "" } : jsonResult(200, value);
    return jsonResult(200, { status, event_id: eventId });
  };
  const accepted = (eventId: string) => jsonResult(202, { status: "accepted", event_id: eventId });
  /** A quarantined event: retrying cannot fix a schema, so the answer stops the provider's retries. */
  const quarantined = (type: string, eventId: string) => {
    const respond = processor.responderFor(type);
    // An inbound call still goes ahead, with the number's default agent.
    return respond ? jsonResult(200, respond.none) : jsonResult(202, { status: "quarantined", event_id: eventId });
  };
  const failure = (result: Processed) =>
    errorResult(isWebhookError(result.error) ? result.error : new WebhookStorageError("Processing failed."));

  /** What is stored of an event: a valid one as described, an invalid one as the receiver named it. */
  const inputOf = (event: ValidEvent<TEvent> | InvalidEvent): EventInput =>
    event.kind === "valid"
      ? {
          provider,
          key: event.key ?? `${event.description.type}:${randomId()}`,
          type: event.description.type,
          callId: event.description.callId,
          orgId: event.description.orgId,
          payload: event.description.payload,
          payloadText: event.payloadText,
          payloadTextExact: event.payloadTextExact,
          receivedAt: now(),
        }
      : {
          provider,
          key: event.key,
          type: event.type,
          callId: event.callId,
          orgId: event.orgId,
          payload: event.payload,
          payloadText: event.payloadText,
          receivedAt: now(),
        };

  const onInvalid = async (invalid: InvalidEvent, eventId: string | null) => {
    if (!options.onInvalid) return;
    const context: InvalidContext = {
      provider,
      eventId,
      type: invalid.type,
      key: invalid.key,
      orgId: invalid.orgId,
      reason: invalid.quarantine.reason,
      issues: invalid.quarantine.issues,
      receivedAt: now(),
    };
    try {
      await options.onInvalid(invalid.payload, context);
    } catch (error) {
      report(error, { eventType: invalid.type, ...(eventId && { eventId }) });
    }
  };

  /** Keeps an authenticated body that failed its schema or a limit; without a storage, answers 400. */
  async function quarantine(invalid: InvalidEvent, started: number): Promise<WebhookResult> {
    const about = { eventType: invalid.type };
    if (!storage) {
      await onInvalid(invalid, null);
      throw invalid.error;
    }
    let claim: ClaimResult;
    try {
      claim = await processor.quarantine(inputOf(invalid), invalid.quarantine);
    } catch (cause) {
      report(cause, about);
      throw new WebhookStorageError("The storage failed to keep the event; the provider will retry it.", { cause });
    }
    const stored = claim.event;
    if (claim.outcome === "claimed") {
      observe("quarantined", started, {
        ...about,
        eventId: stored.id,
        reason: invalid.error.code,
        status: processor.responderFor(invalid.type) ? 200 : 202,
      });
      await onInvalid(invalid, stored.id);
      return quarantined(invalid.type, stored.id);
    }
    // Seen before: quarantined already, or a valid delivery of it that is (being) processed.
    observe("duplicate", started, { ...about, eventId: stored.id });
    if (stored.status === "quarantined") return quarantined(invalid.type, stored.id);
    if (stored.status === "processed") return success(stored.type, stored.response, stored.id, "duplicate");
    return processor.responderFor(invalid.type) ? quarantined(invalid.type, stored.id) : accepted(stored.id);
  }

  /** Claims a valid event and runs it (or leaves it to workers), then answers. */
  async function dispatch(valid: ValidEvent<TEvent>, started: number, waitUntil: WaitUntil | undefined): Promise<WebhookResult> {
    const { event, description } = valid;
    const { type } = description;
    const about = { eventType: type };
    const handler = processor.handlerFor(type);
    const respondsWithBody = processor.responderFor(type) !== undefined;

    if (!storage) {
      const result = await processor.runUnstored(event, type, valid.key ?? type, description.orgId);
      if (result.outcome !== "processed") {
        observe("failed", started, { ...about, reason: "handler_failed", status: 500 });
        return failure(result);
      }
      observe("processed", started, { ...about, status: 200 });
      return success(type, result.value, null, "processed");
    }

    const sync = mode === "sync" || respondsWithBody;
    // Queue mode leaves every event to workers, whose handlers this instance may not have: an event
    // is completed at once only where this instance is the one that processes it.
    const claimMode = mode === "queue" && !sync ? "pending" : !handler ? "complete" : "lease";
    let claim: ClaimResult;
    try {
      claim = await processor.claim(inputOf(valid), description.records, claimMode);
    } catch (cause) {
      report(cause, about);
      throw new WebhookStorageError("The storage failed to record the event; the provider will retry it.", { cause });
    }

    const eventId = claim.event.id;
    switch (claim.outcome) {
      case "duplicate":
        observe("duplicate", started, { ...about, eventId, status: 200 });
        return success(type, claim.event.response, eventId, "duplicate");
      case "in_flight": {
        if (!sync) {
          // Recorded and being processed: acknowledging loses nothing.
          observe("duplicate", started, { ...about, eventId, status: 202 });
          return accepted(eventId);
        }
        const retryAfter = Math.max(1, Math.ceil(leaseMs / 1000 / 3));
        observe("in_flight", started, { ...about, eventId, status: 409 });
        return errorResult(new WebhookInFlightError(retryAfter), { "retry-after": String(retryAfter) });
      }
      case "dead":
        observe("dead", started, { ...about, eventId, status: 500, attempt: claim.event.attempts, reason: "event_dead" });
        return errorResult(
          new WebhookDeadEventError(
            `This event reached maxAttempts (${claim.event.attempts} attempts) and is kept as dead; replay it once the cause is fixed.`,
          ),
        );
      case "claimed":
        break;
    }
    if (claimMode === "complete") {
      observe("processed", started, { ...about, eventId, status: respondsWithBody ? 204 : 200 });
      return success(type, undefined, eventId, "processed");
    }
    if (claimMode === "pending") {
      observe("deferred", started, { ...about, eventId, status: 202 });
      return accepted(eventId);
    }
    const leaseToken = claim.leaseToken as string;
    if (!sync) {
      const background = processor.run(event, type, claim.event, leaseToken, false).catch((error) => report(error, { ...about, eventId }));
      try {
        // A per-request waitUntil may decline (return false: e.g. Hono without an ExecutionContext).
        if (waitUntil?.(background) === false || !waitUntil) (options.waitUntil ?? runtimeWaitUntil())?.(background);
      } catch (error) {
        // Typically `ctx.waitUntil` passed unbound ("Illegal invocation"). The event is recorded and
        // already running in-process; answering 500 would only make the provider deliver it again.
        report(error, { ...about, eventId });
      }
      observe("deferred", started, { ...about, eventId, status: 202 });
      return accepted(eventId);
    }
    const result = await processor.run(event, type, claim.event, leaseToken, false);
    // "processed" only once the storage confirmed the completion: anything else is retried.
    return result.outcome === "processed" ? success(type, result.value, eventId, "processed") : failure(result);
  }

  async function receive(
    request: IncomingWebhook,
    header: (name: string) => string | undefined,
    started: number,
    waitUntil: WaitUntil | undefined,
  ) {
    const { json, text, auth } = await receiver.authenticate(request, header);
    observe("verified", started);
    const examined = await receiver.examine(json, request, auth, text);
    return examined.kind === "valid" ? dispatch(examined, started, waitUntil) : quarantine(examined, started);
  }

  const rejected = (error: unknown, started: number, extraHeaders?: Record<string, string>): WebhookResult => {
    if (isWebhookError(error)) {
      // Storage and handler failures were reported where they happened, with their cause.
      observe("rejected", started, { reason: error.code, status: error.status });
      const headers: Record<string, string> =
        error.code === "method_not_allowed" ? { allow: "POST", ...extraHeaders } : { ...extraHeaders };
      return errorResult(error, headers);
    }
    report(error);
    observe("rejected", started, { reason: "internal_error", status: 500 });
    return jsonResult(500, { error: "internal_error", details: "Unexpected error while receiving the webhook." });
  };

  async function handle(request: IncomingWebhook, handleOptions?: { waitUntil?: WaitUntil }): Promise<WebhookResult> {
    const started = monotonic();
    observe("received", started);
    try {
      const header = headerReader(request.headers);
      return receiver.preflight(request, header) ?? (await receive(request, header, started, handleOptions?.waitUntil));
    } catch (error) {
      return rejected(error, started);
    }
  }

  async function fetchHandler(request: Request, fetchOptions?: { remoteAddress?: string; waitUntil?: WaitUntil }): Promise<Response> {
    const started = monotonic();
    observe("received", started);
    const incoming: IncomingWebhook = {
      method: request.method,
      headers: request.headers,
      body: undefined,
      remoteAddress: fetchOptions?.remoteAddress,
      url: request.url,
    };
    try {
      const header = headerReader(request.headers);
      const early = receiver.preflight(incoming, header);
      if (early) return toResponse(early);
      incoming.body = await receiver.readBody(request);
      return toResponse(await receive(incoming, header, started, fetchOptions?.waitUntil));
    } catch (error) {
      return toResponse(rejected(error, started));
    }
  }

  /** A stored event (claimed by a worker or a replay) parsed again and run; one that no longer parses is quarantined. */
  async function runStored(stored: StoredEvent, leaseToken: string): Promise<RunResult> {
    const started = monotonic();
    const examined = await receiver.examineStored(stored);
    if (examined.kind === "valid") {
      const { value: _value, ...result } = await processor.run(examined.event, stored.type, stored, leaseToken, true);
      return result;
    }
    // The stored body no longer parses (a schema change): retrying cannot help; a replay once the
    // schemas accept it can.
    const about = { eventType: stored.type, eventId: stored.id };
    const { quarantine: reasons, error } = examined;
    let kept: boolean;
    try {
      kept = await (storage as WebhookStorage).fail(
        { id: stored.id, leaseToken },
        { error: reasons.reason, retryAt: null, quarantine: reasons, now: now() },
      );
    } catch (storageFailure) {
      // Still under lease: it lapses and the event is tried again; workers must not crash on it.
      report(storageFailure, about);
      return { outcome: "failed", error: storageFailure };
    }
    if (!kept)
      return { outcome: "lease_lost", error: new WebhookStorageError("The event's lease was lost before it could be quarantined.") };
    observe("quarantined", started, { ...about, reason: error.code });
    return { outcome: "quarantined", error };
  }

  /** A quarantined event parsed with the current schemas: claimed (records merged) and run when it now parses. */
  async function runQuarantined(stored: StoredEvent): Promise<RunResult | { outcome: "taken" }> {
    const started = monotonic();
    const examined = await receiver.examineStored(stored);
    if (examined.kind === "invalid") return { outcome: "quarantined", error: examined.error };
    const input: EventInput = { ...inputOf(examined), key: stored.key, receivedAt: stored.receivedAt };
    const hasHandler = processor.handlerFor(input.type) !== undefined;
    // A replay is the app's own decision: no cap on attempts.
    const claim = await processor.claim(input, examined.description.records, hasHandler ? "lease" : "complete", false);
    if (claim.outcome !== "claimed") return { outcome: "taken" };
    if (!hasHandler) {
      observe("processed", started, { eventType: input.type, eventId: claim.event.id });
      return { outcome: "processed" };
    }
    const { value: _value, ...result } = await processor.run(examined.event, input.type, claim.event, claim.leaseToken as string, true);
    return result;
  }

  const needsStorage = (name: string) => Promise.reject(new WebhookConfigError(`${name} needs the handler to have a storage.`));

  return {
    provider,
    maxBodyBytes,
    maxAttempts,
    fetch: fetchHandler,
    handle,
    runStored: (stored, leaseToken) => (storage ? runStored(stored, leaseToken) : needsStorage("runStored")),
    runQuarantined: (stored) => (storage ? runQuarantined(stored) : needsStorage("runQuarantined")),
    reject: (error, headers) => {
      const started = monotonic();
      observe("received", started);
      return rejected(error, started, headers);
    },
    stats: () => ({ ...counts }),
  };
}
