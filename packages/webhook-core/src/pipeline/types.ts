import type { ValidationIssue, WebhookError } from "../errors.js";
import type { RecordPatch, StoredEvent, WebhookStorage } from "../storage/types.js";

/** Request headers as the Web standard or Node give them. */
export type HeadersInput = Headers | Record<string, string | readonly string[] | undefined>;

/** A request as any framework can describe it: what `handler.handle()` takes. */
export interface IncomingWebhook {
  method: string;
  headers: HeadersInput;
  /** The raw body, exactly as received. A parsed object cannot be verified: pass the bytes. */
  body: string | Uint8Array | null | undefined;
  /** The peer address (used by `allowedIps`). */
  remoteAddress?: string | undefined;
  /** The full request URL, when known (providers may read tenant context from it). */
  url?: string | undefined;
}

/** What the pipeline answers; adapters copy it onto their framework's response. */
export interface WebhookResult {
  status: number;
  headers: Record<string, string>;
  /** Empty for 204. */
  body: string;
}

export type Awaitable<T> = T | Promise<T>;

/**
 * Keeps the runtime alive until `promise` settles (Workers' `ctx.waitUntil`, Vercel's `waitUntil`).
 * A per-request one may return `false` to decline — this request has no way to wait — and the
 * handler's own `waitUntil` option (or the runtime's global one) is used instead.
 */
export type WaitUntil = (promise: Promise<unknown>) => unknown;

/** Passed to every `on` handler. */
export interface HandlerContext {
  provider: string;
  /** The event's id in storage; null without a storage. */
  eventId: string | null;
  /** The duplicate key the event was recorded under. */
  key: string;
  /** 1 on the first processing, 2 on the first retry, … */
  attempt: number;
  /** The organisation / tenant the event belongs to, when the provider or a resolver gave one. */
  orgId: string | null;
  receivedAt: number;
  /** True when the event is re-run from storage (a worker, a retry, `replay`). */
  replay: boolean;
  storage: WebhookStorage | undefined;
  /**
   * Aborted when this run can no longer prove it holds the event (its lease could not be renewed,
   * or another processor took it over): stop early; the run's completion will not count.
   */
  signal: AbortSignal;
}

/** Passed to `onInvalid` with a body that was authenticated but failed its schema or a limit. */
export interface InvalidContext {
  provider: string;
  /** The quarantined event's id in storage; null without a storage (the delivery is then answered 400). */
  eventId: string | null;
  /** The event type, as far as the body names one (`unknown` when it names none). */
  type: string;
  /** The duplicate key it was kept under. */
  key: string;
  orgId: string | null;
  /** Why it was refused, in one line (`Invalid Retell "call_ended" payload: call.agent_id: …`). */
  reason: string;
  /** The paths and messages, each bounded in length; never the payload's values. */
  issues: readonly ValidationIssue[];
  receivedAt: number;
}

/** Structured lifecycle signals, for logs and metrics. Never contain secrets or payloads. */
export const observationKinds = [
  "received",
  "verified",
  "rejected",
  "duplicate",
  "in_flight",
  "deferred",
  "processed",
  "failed",
  "retried",
  "dead",
  "quarantined",
  "lease_lost",
] as const;
export type ObservationKind = (typeof observationKinds)[number];

export interface Observation {
  kind: ObservationKind;
  provider: string;
  eventType?: string;
  eventId?: string;
  /** The HTTP status answered, when the observation ends a request. */
  status?: number;
  /** The error `code` for `rejected`/`failed`, e.g. `invalid_signature`. */
  reason?: string;
  attempt?: number;
  /** Milliseconds since the request (or the processing) started. */
  durationMs: number;
}

export interface WebhookLogger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  info?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
  error?(message: string, fields?: Record<string, unknown>): void;
}

/** What a provider definition says about one parsed event. */
export interface EventDescription {
  type: string;
  /** The duplicate key; `null` when the event carries nothing to identify it (never deduplicated). */
  key: string | null;
  callId: string | null;
  orgId: string | null;
  /** Facts merged into stored records at claim time. */
  records: RecordPatch[];
  /** What is stored (and replayed): the body with secrets removed. */
  payload: unknown;
}

/**
 * What `authenticate` may learn about a request for `describe` (and for a quarantined body): the
 * tenant whose credential matched, for set-ups where the credential names it.
 */
export interface AuthContext {
  orgId?: string | null | undefined;
}

/** What a provider can tell of a body its schema refused, for the quarantine. */
export interface InvalidDescription {
  /** The event type the body names, if any. */
  type: string | null;
  /** The duplicate key a valid event of that body would have had, if it can be computed. */
  key: string | null;
  callId: string | null;
}

/** How an event type whose handler answers the provider (Retell's inbound webhooks) answers. */
export interface ProviderResponse {
  /** Validates a handler's answer (throws when the provider would refuse it). */
  parse(value: unknown): unknown;
  /** The answer that changes nothing (e.g. no override: the call goes to the default agent). */
  none: unknown;
}

export interface AuthInput {
  request: IncomingWebhook;
  body: string | Uint8Array;
  /** The body parsed as JSON (parsed once, on first use); throws `WebhookValidationError`. */
  json(): unknown;
  header(name: string): string | undefined;
}

/**
 * Everything that differs between providers. The pipeline does the rest: method, size, address,
 * JSON, claim, records, dispatch, statuses.
 */
export interface ProviderDefinition<TEvent> {
  readonly provider: string;
  /** Answers before anything else when it returns a result (MightyCall's `Echo` URL check). */
  handshake?(request: IncomingWebhook, header: (name: string) => string | undefined): WebhookResult | undefined;
  /**
   * Throws `WebhookSignatureError` / `WebhookAuthenticationError` when the request is not genuine.
   * May return what it learnt (the tenant whose key matched) for `describe`.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a check that returns nothing must fit as it is.
  authenticate(input: AuthInput): Awaitable<AuthContext | undefined | void>;
  /**
   * Validates the parsed body; throws `WebhookValidationError`. It types, it does not transform:
   * what it returns keeps the body's values (it may add or drop top-level keys, which the pipeline
   * notices). Storages are told the body's text is the payload (`payloadTextExact`) on that basis; a
   * definition that rewrites nested values must say so with `transforms: true`.
   */
  parse(body: unknown): TEvent;
  /** Set when `parse` changes values below the top level (defaults, coercions, stripped keys). */
  transforms?: boolean | undefined;
  /**
   * The event's type, duplicate key and records. May resolve tenant context, and throw a
   * `WebhookValidationError` when it cannot (the event is then quarantined). `request` is undefined
   * when a stored event is parsed again (replay).
   */
  describe(event: TEvent, request: IncomingWebhook | undefined, auth: AuthContext | undefined): Awaitable<EventDescription>;
  /**
   * Best effort: the type, key and call id of a body `parse` refused, for its quarantine. Without it
   * (or when it throws) the event is kept as `unknown`, named by its content.
   */
  identify?(body: Record<string, unknown>): InvalidDescription;
  /** The body as it may be stored when `parse` refused it: secrets removed. Default: as it is. */
  redact?(body: Record<string, unknown>): Record<string, unknown>;
  /** Event types whose handler's return value is the HTTP response (Retell's inbound webhooks). */
  responses?: Record<string, ProviderResponse>;
}

export interface RetryPolicy {
  /**
   * After this many attempts an event is marked dead: each failure counts, and so does each takeover
   * of a processor that stopped renewing its lease. Default 5.
   */
  maxAttempts?: number;
  /** First retry delay. Default 1 000 ms; doubles each attempt. */
  baseDelayMs?: number;
  /** Cap on the delay. Default 10 minutes. */
  maxDelayMs?: number;
}

/** Options every provider handler takes. */
export interface PipelineOptions {
  /**
   * Where events and records are kept. Without one the handler still verifies and validates, but
   * duplicates go undetected (handlers run for every delivery) and nothing is kept for replay: a
   * handler created without one logs a warning (once per process) unless this is `false`.
   */
  storage?: WebhookStorage | false | undefined;
  /**
   * - `sync` (default): handlers run before the answer; a failure answers 500 so the provider retries.
   * - `deferred`: the event is recorded, answered 202 at once, and processed right after, through
   *   `waitUntil` where the runtime has it (Workers, Supabase Edge, Vercel) or in-process; failures
   *   are retried by a worker (`processPending` / `startWorker`). Needs a storage.
   * - `queue`: recorded and answered 202; only workers process. Needs a storage.
   * Events whose response matters (`call_inbound`, `chat_inbound`) always run synchronously.
   */
  mode?: "sync" | "deferred" | "queue";
  /**
   * Default `waitUntil` for deferred mode (per request, `fetch(req, { waitUntil })` wins): keeps the
   * runtime alive until processing ends. Pass a bound function — `(p) => ctx.waitUntil(p)` on Workers,
   * `waitUntil` from `@vercel/functions`; Supabase Edge's `EdgeRuntime.waitUntil` is found by itself.
   */
  waitUntil?: ((promise: Promise<unknown>) => void) | undefined;
  /** Largest body accepted, in bytes. Default 8 MiB (a long call's transcript with word timings). */
  maxBodyBytes?: number;
  /**
   * Client addresses allowed to deliver (IPv4/IPv6 addresses or CIDR ranges). Off by default.
   * Retell publishes `100.20.5.228` (`RETELL_WEBHOOK_IPS`).
   */
  allowedIps?: readonly string[] | undefined;
  /**
   * How the client address is found: `"remote"` (default) is the socket peer; behind a proxy, name
   * the header your proxy sets and how many trusted proxies append to it (`hops`, default 1: the
   * right-most entry), and — strongly advised — which addresses your proxies connect from
   * (`trustedProxies`): the header is then believed only on connections from them, so a client that
   * reaches the server directly cannot forge it. Or give a function.
   */
  clientAddress?:
    | "remote"
    | { header: string; hops?: number; trustedProxies?: readonly string[] }
    | ((request: IncomingWebhook) => string | undefined);
  /**
   * How long a claim lasts unless renewed. A running handler's lease is renewed every third of it,
   * so only a processor that stopped (crashed, frozen, cut off from the storage) loses its event.
   * Default 30 s.
   */
  leaseMs?: number;
  retry?: RetryPolicy;
  /**
   * Called with a body that passed authentication but not its schema (or a limit), after it was
   * quarantined in storage. Without a storage nothing can keep it: it is then answered 400, after
   * this hook. If the hook throws, the failure is reported and the event stays quarantined.
   */
  onInvalid?: ((payload: unknown, context: InvalidContext) => Awaitable<void>) | undefined;
  /** Called when a handler or the storage fails. Must not throw (if it does, it is ignored). */
  onError?: (error: unknown, context: { provider: string; eventType?: string; eventId?: string }) => void;
  /** Receives warnings and errors; defaults to `console`. Pass `{}` to silence. */
  logger?: WebhookLogger;
  /** Structured lifecycle signals (received, verified, rejected, duplicate, processed, failed, …). */
  observe?: (observation: Observation) => void;
  /** The clock, in epoch ms (tests). */
  now?: () => number;
}

/** The counts `handler.stats()` returns, per observation kind, since the handler was created. */
export type HandlerStats = Record<ObservationKind, number>;

export interface RunResult {
  outcome: "processed" | "failed" | "dead" | "lease_lost" | "quarantined";
  error?: unknown;
  /** For `failed`: when the event is due again for a worker (epoch ms). */
  retryAt?: number;
}

/** The handler every provider factory returns. */
export interface WebhookHandler {
  readonly provider: string;
  /** The body limit, for adapters that read the body themselves (they answer 413 past it). */
  readonly maxBodyBytes: number;
  /** After this many attempts (failures or takeovers) an event is dead; workers pass it on to claims. */
  readonly maxAttempts: number;
  /** Web-standard entry point (Workers, Deno, Bun, Next.js route handlers, Hono). */
  fetch(request: Request, options?: { remoteAddress?: string; waitUntil?: WaitUntil }): Promise<Response>;
  /** Framework-neutral entry point for adapters that are not Web standard. Never throws. */
  handle(request: IncomingWebhook, options?: { waitUntil?: WaitUntil }): Promise<WebhookResult>;
  /**
   * Runs the handlers for an event already stored and claimed (by a worker or a replay), then
   * completes or fails it under `leaseToken`.
   */
  runStored(event: StoredEvent, leaseToken: string): Promise<RunResult>;
  /**
   * Parses a quarantined event again with the current schemas: when it now parses, claims it
   * (merging its records) and runs it like `runStored`; when it still fails, it stays quarantined.
   */
  runQuarantined(event: StoredEvent): Promise<RunResult | { outcome: "taken" }>;
  /**
   * The answer to an error an adapter found before the pipeline could (a body over the limit while
   * streaming, a body a parser already consumed): the same JSON shape, counted in `stats()` and
   * `observe` like the pipeline's own rejections.
   */
  reject(error: WebhookError, headers?: Record<string, string>): WebhookResult;
  /** Counts of lifecycle observations since creation. */
  stats(): HandlerStats;
}
