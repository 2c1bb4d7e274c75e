import type { ValidationIssue } from "../errors.js";

/**
 * The storage contract: everything the pipeline, the workers and the replay tools need, and
 * nothing framework- or database-specific. `@callhooks/storage-memory` and
 * `@callhooks/storage-supabase` implement it; `@callhooks/webhook-core/testing` exports the
 * conformance suite that any implementation runs to prove it behaves the same.
 */

/**
 * - `pending`: recorded, waiting for a worker (deferred mode, or requeued for replay);
 * - `processing`: claimed under a lease by one processor;
 * - `processed`: handlers ran to completion (or there were none);
 * - `failed`: a handler or the storage failed; retried by the provider or by a worker;
 * - `dead`: failed `maxAttempts` times (or its processors kept dying); kept for inspection and replay;
 * - `quarantined`: authenticated, but its body failed the event's schema or a limit: kept with the
 *   reasons (`lastError`, `issues`), never run; `replayEvents` parses it again with the current schemas.
 */
export const eventStatuses = ["pending", "processing", "processed", "failed", "dead", "quarantined"] as const;
export type EventStatus = (typeof eventStatuses)[number];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One webhook delivery's event, as kept in the inbox. Times are epoch milliseconds. */
export interface StoredEvent {
  /** Storage-assigned id (a UUID). */
  id: string;
  provider: string;
  /** The duplicate key: unique per provider. Two deliveries with the same key are one event. */
  key: string;
  /** The event type as sent (`call_ended`, `IncomingCallCompleted`, …). */
  type: string;
  callId: string | null;
  orgId: string | null;
  status: EventStatus;
  /** How many times a processor has claimed it. */
  attempts: number;
  /** The last failure's message (never a secret: error messages are the app's own). */
  lastError: string | null;
  /** For `quarantined` events: why the body was refused (paths and messages, bounded). Else null. */
  issues: ValidationIssue[] | null;
  /**
   * The parsed body, with secrets removed by the provider definition (e.g. MightyCall's ApiKey). A
   * body nested deeper than the limits allow is quarantined and kept as its JSON text (a string).
   */
  payload: unknown;
  /** What the handler answered, for events whose response matters (`call_inbound`); replayed to duplicates. */
  response: unknown;
  receivedAt: number;
  updatedAt: number;
  processedAt: number | null;
  /** When a failed event becomes due for a worker's retry; null when not scheduled. */
  nextAttemptAt: number | null;
  /** While `processing`: when the claim lapses and another processor may take the event over. */
  leaseExpiresAt: number | null;
  /** How long the last run's handler took (ms), once one completed or failed; else null. */
  durationMs: number | null;
}

/**
 * What the pipeline knows about a new delivery before it is stored. An event is identified by
 * (provider, orgId, key): the tenant is part of its identity, so two tenants' events with equal
 * provider keys are two events (a null orgId is a tenant of its own).
 */
export interface EventInput {
  provider: string;
  key: string;
  type: string;
  callId: string | null;
  /** The tenant (organisation) the event belongs to, or null when the set-up has none. */
  orgId: string | null;
  payload: unknown;
  /**
   * `payload` as JSON text, when the pipeline has it for free (the raw body, when nothing was
   * removed from it). A storage may keep this instead of the parsed tree and parse it when read.
   */
  payloadText?: string | undefined;
  /**
   * True when `payloadText` parses back to exactly `payload`: the same keys and values all the way
   * down (validation added, removed and changed nothing). A storage may then keep what it finds in
   * the payload — a record patch's `data` is the payload or one of its members — as references into
   * the text, parsed again when read, instead of holding the parsed tree. Absent or false: `payload`
   * is what to keep (e.g. a legacy body validation completed, or one with `__proto__` keys).
   */
  payloadTextExact?: boolean | undefined;
  receivedAt: number;
}

/**
 * A record patch: the facts one event contributes to a call, message, recording or report.
 * Records are merged field by field with `mergeRecord` (the same rule in every storage), so the
 * result does not depend on the order or the number of deliveries.
 */
export type RecordKind = "call" | "message" | "recording" | "report";
export const recordKinds: readonly RecordKind[] = ["call", "message", "recording", "report"];

export interface RecordPatch {
  kind: RecordKind;
  provider: string;
  /** The record's id within its kind, provider and tenant: call id, SMS id, recording id, report id. */
  id: string;
  /** The tenant: part of the record's identity, so one tenant never reads or writes another's record. */
  orgId: string | null;
  /** The event type that produced the patch; collected in the record's `eventTypes`. */
  eventType: string;
  /**
   * Orders patches: a field keeps the value of the patch with the highest version that set it.
   * Build it with `recordVersion(stage, progress, tiebreak)`.
   */
  version: string;
  /** Normalised fields; `null` and `undefined` never overwrite anything. */
  fields: Record<string, JsonValue | undefined>;
  /** The provider's own object (e.g. Retell's call), merged key by key under the same rule. */
  data?: Record<string, unknown> | undefined;
}

/** A merged record as storages keep it. `versions` says which patch set each field. */
export interface StoredRecord<F extends object = Record<string, JsonValue>> {
  kind: RecordKind;
  provider: string;
  id: string;
  orgId: string | null;
  fields: F;
  data: Record<string, unknown>;
  /** Field name (`status`, or `data.<key>`) → version of the patch that set it. */
  versions: Record<string, string>;
  /** Every event type that contributed, sorted. */
  eventTypes: string[];
  createdAt: number;
  updatedAt: number;
}

/**
 * The normalised fields of a call, whichever provider it came from. Times are epoch ms. Fields no
 * event has set are absent. `status` and `durationMs` are derived when no event states them
 * (MightyCall's native events): see `deriveCallFields`.
 */
export interface CallFields {
  status?: string;
  direction?: "inbound" | "outbound" | (string & {});
  /** The caller (E.164 where the provider gives it). */
  from?: string;
  /** The callee. */
  to?: string;
  /** The business number involved, whichever direction. */
  businessNumber?: string;
  callType?: string;
  agentId?: string;
  agentVersion?: number;
  extension?: string;
  startedAt?: number;
  connectedAt?: number;
  endedAt?: number;
  durationMs?: number;
  disconnectionReason?: string;
  recordingUrl?: string;
  transcript?: string;
  summary?: string;
  sentiment?: string;
  successful?: boolean;
  inVoicemail?: boolean;
  /** Total cost in cents, as Retell reports it. */
  costCents?: number;
  callerName?: string;
}

/** An SMS message (MightyCall push `sms.received` / `sms.sent`). */
export interface MessageFields {
  direction?: string;
  from?: string;
  to?: string;
  businessNumber?: string;
  body?: string;
  status?: string;
  sentAt?: number;
}

/** A call recording (MightyCall push `recording.available`), linked to its call by `callId`. */
export interface RecordingFields {
  callId?: string;
  url?: string;
  durationMs?: number;
  format?: string;
  sizeBytes?: number;
  businessNumber?: string;
  availableAt?: number;
}

/** A periodic report (MightyCall push `report.daily` / `report.hourly`). */
export interface ReportFields {
  reportType?: string;
  /** `YYYY-MM-DD`. */
  date?: string;
  hour?: number;
  businessNumber?: string;
  /** metric type → value and unit. */
  metrics?: Record<string, { value: number; unit: string | null }>;
  generatedAt?: number;
}

export type CallRecord = StoredRecord<CallFields>;
export type MessageRecord = StoredRecord<MessageFields>;
export type RecordingRecord = StoredRecord<RecordingFields>;
export type ReportRecord = StoredRecord<ReportFields>;

/** Why a delivery was quarantined: a one-line reason and the issues, each bounded in length. */
export interface QuarantineInput {
  reason: string;
  issues: readonly ValidationIssue[];
}

export interface ClaimRequest {
  event: EventInput;
  /** Merged in the same atomic step as the claim, and only when the claim succeeds. */
  records: readonly RecordPatch[];
  /**
   * What a successful claim leaves behind:
   * - `lease`: `processing`, held for `leaseMs` by the returned `leaseToken`;
   * - `pending`: recorded for a worker, nobody holds it;
   * - `complete`: `processed` at once (no handler to run; one round trip in all);
   * - `quarantine`: a new event is kept `quarantined` with `quarantine`'s reasons (no records, no
   *   attempt); an existing event of the same identity is left exactly as it is (`duplicate`).
   *
   * Any other mode takes an existing `quarantined` event like a due one: a delivery that now parses
   * replaces its type, call id and issues (the quarantine is over).
   */
  mode: "lease" | "pending" | "complete" | "quarantine";
  /** Required with mode `quarantine`. */
  quarantine?: QuarantineInput | undefined;
  /**
   * The cap on attempts. An existing event that is `failed`, `dead` or `processing` under a lapsed
   * lease (its processor stopped) and already has this many attempts is not run again: it is left
   * (or marked) `dead` and the claim answers `dead`. `pending` events (new or requeued for replay)
   * are always claimable. Without it, no cap.
   */
  maxAttempts?: number | undefined;
  leaseMs: number;
  now: number;
}

export type ClaimResult =
  /** New, or due again (pending, failed, dead, or a lease that lapsed): yours to process. */
  | { outcome: "claimed"; event: StoredEvent; leaseToken: string | null }
  /**
   * Already processed: acknowledge without running handlers (replay `event.response` if any). Also
   * what a `quarantine` claim answers when the event exists, whatever its status.
   */
  | { outcome: "duplicate"; event: StoredEvent }
  /** Another processor holds a live lease on it right now. */
  | { outcome: "in_flight"; event: StoredEvent }
  /** It reached `maxAttempts` and is (now) `dead`: kept for inspection and replay, not run. */
  | { outcome: "dead"; event: StoredEvent };

/** Proof of a claim: only the current holder may complete or fail an event. */
export interface LeaseRef {
  id: string;
  leaseToken: string;
}

export interface FailInput {
  error: string;
  /** When a worker may retry it; `null` marks it dead. */
  retryAt: number | null;
  /** Marks it `quarantined` instead (a stored body that no longer parses): `retryAt` is ignored. */
  quarantine?: QuarantineInput | undefined;
  /** How long the handler ran before it failed. */
  durationMs?: number | undefined;
  now: number;
}

export interface CompleteInput {
  /** What the handler answered, for events whose response matters; kept and replayed to duplicates. */
  response?: unknown;
  /** How long the handler ran. */
  durationMs?: number | undefined;
  now: number;
}

/**
 * Where a page of `listEvents` ended: the last event's `receivedAt` and `id`. Events are listed in
 * one total order, `(receivedAt desc, id desc)`, so passing it as `before` gives the next page with
 * nothing skipped or repeated, however many events arrive meanwhile.
 */
export interface EventCursor {
  receivedAt: number;
  id: string;
}

/** What selects events: `listEvents`, `countEvents` and `eventStats` take the same fields. */
export interface EventSelection {
  provider?: string;
  status?: EventStatus | readonly EventStatus[];
  type?: string | readonly string[];
  callId?: string;
  orgId?: string;
  /** Received at or after (epoch ms). */
  since?: number;
  /** Received before (epoch ms). */
  until?: number;
}

export interface EventFilter extends EventSelection {
  /** Only events strictly after this cursor in the order `(receivedAt desc, id desc)`: the next page. */
  before?: EventCursor;
  /**
   * `false`: each event comes without its `payload` and `response` (both `null`), so that a page of an
   * inbox does not carry every body along. Default `true`.
   */
  withPayload?: boolean;
  /** Newest first (`receivedAt desc, id desc`); default 100. */
  limit?: number;
}

/** What `eventStats` summarises: events received in `[since, until)` that match the selection. */
export interface EventStatsInput extends Omit<EventSelection, "since" | "until"> {
  since: number;
  until: number;
  /** Width of each time bucket (ms), e.g. 60 000 for events per minute. */
  bucketMs: number;
}

export interface EventStatsBucket {
  /** The bucket's start (epoch ms): `since + k × bucketMs`. */
  start: number;
  /** Events received in the bucket, by their status now (statuses with none are absent or 0). */
  counts: Partial<Record<EventStatus, number>>;
}

/**
 * Handler run times (`StoredEvent.durationMs`) of the selected events that have one, in ms;
 * percentiles are continuous (interpolated), all null when `count` is 0.
 */
export interface DurationSummary {
  count: number;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export interface EventStats {
  /** Only the buckets that hold events, oldest first. */
  buckets: EventStatsBucket[];
  durations: DurationSummary;
}

export interface ClaimDueInput {
  /** At most this many events. */
  limit: number;
  leaseMs: number;
  now: number;
  /** Only these providers (the ones the calling worker has handlers for). */
  providers?: readonly string[];
  /**
   * As in `ClaimRequest`: a `failed` event or a lapsed lease that already has this many attempts is
   * marked `dead` instead of being claimed. Without it, no cap.
   */
  maxAttempts?: number | undefined;
}

export type EventCounts = Record<EventStatus, number>;

export interface WebhookStorage {
  /**
   * Atomically: insert the event or find it by (provider, key); decide the outcome; when claimed,
   * take the lease (or set the status `mode` asks for), count an attempt, and merge `records`.
   * Concurrent claims of one key must see exactly one `claimed`.
   */
  claim(request: ClaimRequest): Promise<ClaimResult>;
  /** Marks a claimed event processed and keeps `response`. False when the lease was lost. */
  complete(lease: LeaseRef, result: CompleteInput): Promise<boolean>;
  /**
   * Marks a claimed event failed (dead when `retryAt` is null, quarantined with `quarantine`).
   * False when the lease was lost.
   */
  fail(lease: LeaseRef, input: FailInput): Promise<boolean>;
  /**
   * Renews a live lease: while its holder renews it, nobody else can take the event over. Sets the
   * lease to expire `leaseMs` after `now`. False when the lease is no longer the caller's (taken
   * over, completed, failed or requeued); a lease that lapsed but that nobody took is renewed.
   */
  extendLease(lease: LeaseRef, input: { leaseMs: number; now: number }): Promise<boolean>;
  /**
   * For workers: claims up to `limit` events that are due (pending; failed with `nextAttemptAt` ≤ now;
   * processing with a lapsed lease), oldest first, each under a new lease. Never the same event to
   * two concurrent callers.
   */
  claimDue(input: ClaimDueInput): Promise<Array<{ event: StoredEvent; leaseToken: string }>>;
  /**
   * Puts events back to `pending`, due now, for replay. Events under a live lease are left alone, and
   * so are `quarantined` ones: only a handler can parse them again (`replayEvents` with handlers).
   */
  requeue(ids: readonly string[], now: number): Promise<number>;
  getEvent(id: string): Promise<StoredEvent | null>;
  /** Newest first in the order `(receivedAt desc, id desc)`; `before` pages on, `withPayload: false` leaves bodies out. */
  listEvents(filter?: EventFilter): Promise<StoredEvent[]>;
  /** How many events of each status match the selection (every status present, 0 when none). */
  countEvents(filter?: EventSelection): Promise<EventCounts>;
  /**
   * Events per time bucket by status, and handler-duration percentiles, over a time range: computed
   * where the events are (in the database), for charts. Optional: a storage without it still works
   * everywhere; a console shows no charts for it.
   */
  eventStats?(input: EventStatsInput): Promise<EventStats>;
  /**
   * A merged record. Records belong to a tenant: pass the `orgId` (a handler's `context.orgId`) to
   * read that tenant's, `null` for the one without a tenant. Without `orgId`, the record of that id
   * in any tenant (the most recently updated): fine for single-tenant set-ups only.
   */
  getRecord(kind: RecordKind, provider: string, id: string, orgId?: string | null): Promise<StoredRecord | null>;
  /** The merged call record, e.g. `getCall("retell", callId)` or `getCall("mightycall", id, context.orgId)`. */
  getCall(provider: string, callId: string, orgId?: string | null): Promise<CallRecord | null>;
}
