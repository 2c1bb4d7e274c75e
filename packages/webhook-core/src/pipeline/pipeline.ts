import { randomId } from "../crypto/compare.js";
import {
  RawBodyUnavailableError,
  WebhookConfigError,
  WebhookError,
  WebhookForbiddenError,
  WebhookHandlerError,
  WebhookInFlightError,
  WebhookMethodError,
  WebhookPayloadTooLargeError,
  WebhookStorageError,
  WebhookValidationError,
  isWebhookError,
} from "../errors.js";
import type { StoredEvent, WebhookStorage } from "../storage/types.js";
import { errorResult, headerReader, jsonResult, readBodyWithLimit, toResponse } from "./http.js";
import { createIpCheck } from "./ip.js";
import { nextAttemptAt } from "./retry.js";
import { runtimeWaitUntil } from "./wait-until.js";
import type {
  EventDescription,
  HandlerContext,
  HandlerStats,
  IncomingWebhook,
  Observation,
  ObservationKind,
  PipelineOptions,
  ProviderDefinition,
  RunResult,
  WaitUntil,
  WebhookHandler,
  WebhookResult,
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
}

const DEFAULT_MAX_BODY = 8 * 1024 * 1024;
const DEFAULT_LEASE_MS = 30_000;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

const monotonic: () => number =
  typeof globalThis.performance?.now === "function" ? () => globalThis.performance.now() : () => Date.now();

function byteLength(body: string | Uint8Array, limit: number): number {
  if (typeof body !== "string") return body.byteLength;
  // A UTF-16 unit is 1 to 3 UTF-8 bytes: only encode when the answer is in doubt.
  if (body.length > limit || body.length * 3 <= limit) return body.length;
  return encoder.encode(body).byteLength;
}

function parseJson(body: string | Uint8Array): unknown {
  const text = typeof body === "string" ? body : decoder.decode(body);
  if (text.trim() === "") throw new WebhookValidationError("empty_body", "The body is empty; a webhook carries a JSON event.");
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new WebhookValidationError("invalid_json", "The body is not valid JSON.", [], { cause });
  }
}

function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 1000 ? `${message.slice(0, 1000)}…` : message;
}

const consoleLogger = {
  warn: (message: string, fields?: Record<string, unknown>) => console.warn(`[callhooks] ${message}`, fields ?? ""),
  error: (message: string, fields?: Record<string, unknown>) => console.error(`[callhooks] ${message}`, fields ?? ""),
};

/**
 * The generic pipeline: request → handshake → method → address → size → authenticate → parse →
 * describe → claim (+ records) → dispatch → response. Provider factories (`createRetellHandler`,
 * `createMightyCallHandler`) call it with their definition and their typed handlers.
 */
export function createWebhookHandler<TEvent>(
  definition: ProviderDefinition<TEvent>,
  handlers: PipelineHandlers,
  options: PipelineOptions = {},
): WebhookHandler {
  const { storage, provider } = { storage: options.storage, provider: definition.provider };
  const mode = options.mode ?? "sync";
  if (mode !== "sync" && !storage) {
    throw new WebhookConfigError(`mode "${mode}" needs a storage: without one, an event that fails after the answer would be lost.`);
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  if (!(maxBodyBytes > 0)) throw new WebhookConfigError("maxBodyBytes must be a positive number of bytes.");
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? consoleLogger;
  const ipAllowed = createIpCheck(options);
  const counts = Object.fromEntries(
    (["received", "verified", "rejected", "duplicate", "in_flight", "deferred", "processed", "failed", "retried", "dead"] as const).map(
      (kind) => [kind, 0],
    ),
  ) as HandlerStats;

  const observe = (kind: ObservationKind, started: number, extra: Omit<Observation, "kind" | "provider" | "durationMs"> = {}) => {
    counts[kind]++;
    if (!options.observe) return;
    try {
      options.observe({ kind, provider, durationMs: monotonic() - started, ...extra });
    } catch {
      // an observer must never break delivery
    }
  };
  const report = (error: unknown, context: { eventType?: string; eventId?: string }) => {
    try {
      logger.error?.(errorMessage(error), { provider, ...context });
      options.onError?.(error, { provider, ...context });
    } catch {
      // nor may a logger or an error hook
    }
  };

  const handlerFor = (type: string) => (handlers.isKnown(type) ? handlers.on?.[type] : handlers.onUnknown);
  // Own properties only: an event named "toString" or "hasOwnProperty" must not find Object's.
  const responderFor = (type: string) =>
    definition.responses && Object.hasOwn(definition.responses, type) ? definition.responses[type] : undefined;

  /** Checks that need no body: answered before the body is read. */
  function preflight(request: IncomingWebhook, header: (name: string) => string | undefined): WebhookResult | undefined {
    const handshake = definition.handshake?.(request, header);
    if (handshake) return handshake;
    if (request.method.toUpperCase() !== "POST") {
      throw new WebhookMethodError(`Webhooks are delivered with POST, not ${request.method}.`);
    }
    if (ipAllowed && !ipAllowed(request)) {
      throw new WebhookForbiddenError("The client address is not in allowedIps (behind a proxy, set clientAddress).");
    }
    return undefined;
  }

  const success = (type: string, value: unknown, eventId: string | null, status: "processed" | "duplicate"): WebhookResult => {
    if (responderFor(type)) {
      return value == null ? { status: 204, headers: {}, body: "" } : jsonResult(200, value);
    }
    return jsonResult(200, { status, event_id: eventId });
  };

  /** Runs one event's handler under a claim, then completes or fails it. */
  async function run(
    event: TEvent,
    type: string,
    stored: StoredEvent,
    leaseToken: string,
    replay: boolean,
  ): Promise<RunResult & { value?: unknown }> {
    const started = monotonic();
    const store = storage as WebhookStorage;
    const lease = { id: stored.id, leaseToken };
    const handler = handlerFor(type);
    const respond = responderFor(type);
    const context: HandlerContext = {
      provider,
      eventId: stored.id,
      key: stored.key,
      attempt: stored.attempts,
      orgId: stored.orgId,
      receivedAt: stored.receivedAt,
      replay,
      storage,
    };
    if (stored.attempts > 1) observe("retried", started, { eventType: type, eventId: stored.id, attempt: stored.attempts });
    let value: unknown;
    try {
      value = handler ? await (handler as (e: TEvent, c: HandlerContext) => unknown)(event, context) : undefined;
      if (respond && handler) value = respond(value);
    } catch (cause) {
      const error = new WebhookHandlerError(type, { cause });
      const retryAt = nextAttemptAt(stored.attempts, now(), options.retry);
      report(cause, { eventType: type, eventId: stored.id });
      try {
        // Another processor took the event over (this run outlived its lease): its run decides the
        // status, so this one must not be counted as failed, let alone dead.
        if (!(await store.fail(lease, { error: errorMessage(cause), retryAt, now: now() }))) return { outcome: "lease_lost", error };
      } catch (storageFailure) {
        report(storageFailure, { eventType: type, eventId: stored.id });
      }
      observe(retryAt === null ? "dead" : "failed", started, {
        eventType: type,
        eventId: stored.id,
        attempt: stored.attempts,
        reason: error.code,
      });
      return retryAt === null ? { outcome: "dead", error } : { outcome: "failed", error, retryAt };
    }
    try {
      const kept = await store.complete(lease, { response: respond ? (value ?? null) : null, now: now() });
      if (!kept) return { outcome: "lease_lost", value };
    } catch (cause) {
      report(cause, { eventType: type, eventId: stored.id });
      return { outcome: "failed", error: new WebhookStorageError("The handler ran but the event could not be marked processed.", { cause }) };
    }
    observe("processed", started, { eventType: type, eventId: stored.id, attempt: stored.attempts });
    return { outcome: "processed", value };
  }

  async function dispatch(
    event: TEvent,
    description: EventDescription,
    started: number,
    waitUntil: WaitUntil | undefined,
  ): Promise<WebhookResult> {
    const { type } = description;
    const handler = handlerFor(type);
    const respond = responderFor(type);
    const respondsWithBody = respond !== undefined;

    if (!storage) {
      const context: HandlerContext = {
        provider,
        eventId: null,
        key: description.key ?? type,
        attempt: 1,
        orgId: description.orgId,
        receivedAt: now(),
        replay: false,
        storage: undefined,
      };
      let value: unknown;
      try {
        value = handler ? await (handler as (e: TEvent, c: HandlerContext) => unknown)(event, context) : undefined;
        if (respond && handler) value = respond(value);
      } catch (cause) {
        report(cause, { eventType: type });
        const error = new WebhookHandlerError(type, { cause });
        observe("failed", started, { eventType: type, reason: error.code, status: 500 });
        return errorResult(error);
      }
      observe("processed", started, { eventType: type, status: 200 });
      return success(type, value, null, "processed");
    }

    const sync = mode === "sync" || respondsWithBody;
    // Queue mode leaves every event to workers, whose handlers this instance may not have: an event
    // is completed at once only where this instance is the one that processes it.
    const claimMode = mode === "queue" && !sync ? "pending" : !handler ? "complete" : "lease";
    let claim: Awaited<ReturnType<WebhookStorage["claim"]>>;
    try {
      claim = await storage.claim({
        event: {
          provider,
          key: description.key ?? `${type}:${randomId()}`,
          type,
          callId: description.callId,
          orgId: description.orgId,
          payload: description.payload,
          receivedAt: now(),
        },
        records: description.records,
        mode: claimMode,
        leaseMs,
        now: now(),
      });
    } catch (cause) {
      report(cause, { eventType: type });
      throw new WebhookStorageError("The storage failed to record the event; the provider will retry it.", { cause });
    }

    const eventId = claim.event.id;
    if (claim.outcome === "duplicate") {
      observe("duplicate", started, { eventType: type, eventId, status: 200 });
      return success(type, claim.event.response, eventId, "duplicate");
    }
    if (claim.outcome === "in_flight") {
      if (!sync) {
        // Recorded and being processed: acknowledging loses nothing.
        observe("duplicate", started, { eventType: type, eventId, status: 202 });
        return jsonResult(202, { status: "accepted", event_id: eventId });
      }
      const retryAfter = Math.max(1, Math.ceil(leaseMs / 1000 / 3));
      observe("in_flight", started, { eventType: type, eventId, status: 409 });
      return errorResult(new WebhookInFlightError(retryAfter), { "retry-after": String(retryAfter) });
    }
    if (claimMode === "complete") {
      observe("processed", started, { eventType: type, eventId, status: respondsWithBody ? 204 : 200 });
      return success(type, undefined, eventId, "processed");
    }
    if (claimMode === "pending") {
      observe("deferred", started, { eventType: type, eventId, status: 202 });
      return jsonResult(202, { status: "accepted", event_id: eventId });
    }
    const leaseToken = claim.leaseToken as string;
    if (!sync) {
      const background = run(event, type, claim.event, leaseToken, false).catch((error) => report(error, { eventType: type, eventId }));
      try {
        // A per-request waitUntil may decline (return false: e.g. Hono without an ExecutionContext).
        if (waitUntil?.(background) === false || !waitUntil) (options.waitUntil ?? runtimeWaitUntil())?.(background);
      } catch (error) {
        // Typically `ctx.waitUntil` passed unbound ("Illegal invocation"). The event is recorded and
        // already running in-process; answering 500 would only make the provider deliver it again.
        report(error, { eventType: type, eventId });
      }
      observe("deferred", started, { eventType: type, eventId, status: 202 });
      return jsonResult(202, { status: "accepted", event_id: eventId });
    }
    const result = await run(event, type, claim.event, leaseToken, false);
    // Lost lease after success: the work is done, whoever completes the record. After a failure: 500.
    if (result.outcome === "processed" || (result.outcome === "lease_lost" && !result.error)) {
      return success(type, result.value, eventId, "processed");
    }
    return errorResult(result.error instanceof WebhookError ? result.error : new WebhookStorageError("Processing failed."));
  }

  async function processBody(
    request: IncomingWebhook,
    header: (name: string) => string | undefined,
    started: number,
    waitUntil: WaitUntil | undefined,
  ): Promise<WebhookResult> {
    const body = request.body;
    if (body == null || (typeof body === "string" ? body.length : body.byteLength) === 0) {
      throw new WebhookValidationError("empty_body", "The body is empty; a webhook carries a JSON event.");
    }
    if (typeof body !== "string" && !(body instanceof Uint8Array)) {
      throw new WebhookValidationError(
        "invalid_payload",
        "The body was given as a parsed object: pass the raw bytes (string or Uint8Array) exactly as received.",
      );
    }
    if (byteLength(body, maxBodyBytes) > maxBodyBytes) throw new WebhookPayloadTooLargeError(maxBodyBytes);
    let parsed: { value: unknown } | undefined;
    const json = () => {
      parsed ??= { value: parseJson(body) };
      return parsed.value;
    };
    // Awaited only when it is asynchronous (WebCrypto): Retell's check is synchronous on node:crypto.
    const authenticating = definition.authenticate({ request, body, json, header });
    if (authenticating) await authenticating;
    observe("verified", started);
    const event = definition.parse(json());
    const description = await definition.describe(event, request);
    return dispatch(event, description, started, waitUntil);
  }

  const rejected = (error: unknown, started: number, extraHeaders?: Record<string, string>): WebhookResult => {
    if (isWebhookError(error)) {
      // Storage and handler failures were reported where they happened, with their cause.
      observe("rejected", started, { reason: error.code, status: error.status });
      const headers: Record<string, string> = error instanceof WebhookMethodError ? { allow: "POST", ...extraHeaders } : { ...extraHeaders };
      return errorResult(error, headers);
    }
    report(error, {});
    observe("rejected", started, { reason: "internal_error", status: 500 });
    return jsonResult(500, { error: "internal_error", details: "Unexpected error while receiving the webhook." });
  };

  async function handle(
    request: IncomingWebhook,
    handleOptions?: { waitUntil?: WaitUntil },
  ): Promise<WebhookResult> {
    const started = monotonic();
    observe("received", started);
    try {
      const header = headerReader(request.headers);
      return preflight(request, header) ?? (await processBody(request, header, started, handleOptions?.waitUntil));
    } catch (error) {
      return rejected(error, started);
    }
  }

  async function fetchHandler(
    request: Request,
    fetchOptions?: { remoteAddress?: string; waitUntil?: WaitUntil },
  ): Promise<Response> {
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
      const early = preflight(incoming, header);
      if (early) return toResponse(early);
      if (request.bodyUsed) {
        // Something read it first (req.json()): the bytes the signature covers are gone for good.
        throw new RawBodyUnavailableError(
          "The request body was already read before the webhook handler (e.g. request.json()), so the raw bytes the signature covers are gone: pass the untouched Request, or use handler.handle() with the bytes you read.",
        );
      }
      try {
        incoming.body = await readBodyWithLimit(request, maxBodyBytes);
      } catch (error) {
        if (error instanceof WebhookPayloadTooLargeError) throw error;
        throw new WebhookValidationError("invalid_payload", "The request body could not be read.", [], { cause: error });
      }
      return toResponse(await processBody(incoming, header, started, fetchOptions?.waitUntil));
    } catch (error) {
      return toResponse(rejected(error, started));
    }
  }

  async function runStored(stored: StoredEvent, leaseToken: string): Promise<RunResult> {
    let event: TEvent;
    try {
      event = definition.parse(stored.payload);
    } catch (cause) {
      // The stored body no longer parses (a schema change): retrying cannot help.
      report(cause, { eventType: stored.type, eventId: stored.id });
      let kept: boolean;
      try {
        kept = await (storage as WebhookStorage).fail(
          { id: stored.id, leaseToken },
          { error: `Stored payload is invalid: ${errorMessage(cause)}`, retryAt: null, now: now() },
        );
      } catch (storageFailure) {
        // Still under lease: it lapses and the event is tried again; workers must not crash on it.
        report(storageFailure, { eventType: stored.type, eventId: stored.id });
        return { outcome: "failed", error: storageFailure };
      }
      if (!kept) return { outcome: "lease_lost", error: cause };
      observe("dead", monotonic(), { eventType: stored.type, eventId: stored.id, reason: "invalid_payload" });
      return { outcome: "dead", error: cause };
    }
    const { value: _value, ...result } = await run(event, stored.type, stored, leaseToken, true);
    return result;
  }

  return {
    provider,
    maxBodyBytes,
    fetch: fetchHandler,
    handle,
    runStored: (stored, leaseToken) => {
      if (!storage) return Promise.reject(new WebhookConfigError("runStored needs the handler to have a storage."));
      return runStored(stored, leaseToken);
    },
    reject: (error, headers) => {
      const started = monotonic();
      observe("received", started);
      return rejected(error, started, headers);
    },
    stats: () => ({ ...counts }),
  };
}
