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
 * - `dead`: failed `maxAttempts` times; kept for inspection and replay.
 */
export type EventStatus = "pending" | "processing" | "processed" | "failed" | "dead";
export const eventStatuses: readonly EventStatus[] = ["pending", "processing", "processed", "failed", "dead"];

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
  /** The parsed body, with secrets removed by the provider definition (e.g. MightyCall's ApiKey). */
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
}

/** What the pipeline knows about a new delivery before it is stored. */
export interface EventInput {
  provider: string;
  key: string;
  type: string;
  callId: string | null;
  orgId: string | null;
  payload: unknown;
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
  /** The record's id within its kind and provider: call id, SMS id, recording id, report id. */
  id: string;
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

export interface ClaimRequest {
  event: EventInput;
  /** Merged in the same atomic step as the claim, and only when the claim succeeds. */
  records: readonly RecordPatch[];
  /**
   * What a successful claim leaves behind:
   * - `lease`: `processing`, held for `leaseMs` by the returned `leaseToken`;
   * - `pending`: recorded for a worker, nobody holds it;
   * - `complete`: `processed` at once (no handler to run; one round trip in all).
   */
  mode: "lease" | "pending" | "complete";
  leaseMs: number;
  now: number;
}

export type ClaimResult =
  /** New, or due again (pending, failed, dead, or a lease that lapsed): yours to process. */
  | { outcome: "claimed"; event: StoredEvent; leaseToken: string | null }
  /** Already processed: acknowledge without running handlers (replay `event.response` if any). */
  | { outcome: "duplicate"; event: StoredEvent }
  /** Another processor holds a live lease on it right now. */
  | { outcome: "in_flight"; event: StoredEvent };

/** Proof of a claim: only the current holder may complete or fail an event. */
export interface LeaseRef {
  id: string;
  leaseToken: string;
}

export interface FailInput {
  error: string;
  /** When a worker may retry it; `null` marks it dead. */
  retryAt: number | null;
  now: number;
}

export interface EventFilter {
  provider?: string;
  status?: EventStatus | readonly EventStatus[];
  type?: string | readonly string[];
  callId?: string;
  orgId?: string;
  /** Received at or after (epoch ms). */
  since?: number;
  /** Received before (epoch ms). */
  until?: number;
  /** Newest first; default 100. */
  limit?: number;
}

export interface ClaimDueInput {
  /** At most this many events. */
  limit: number;
  leaseMs: number;
  now: number;
  /** Only these providers (the ones the calling worker has handlers for). */
  providers?: readonly string[];
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
  complete(lease: LeaseRef, result: { response?: unknown; now: number }): Promise<boolean>;
  /** Marks a claimed event failed (or dead when `retryAt` is null). False when the lease was lost. */
  fail(lease: LeaseRef, input: FailInput): Promise<boolean>;
  /**
   * For workers: claims up to `limit` events that are due (pending; failed with `nextAttemptAt` ≤ now;
   * processing with a lapsed lease), oldest first, each under a new lease. Never the same event to
   * two concurrent callers.
   */
  claimDue(input: ClaimDueInput): Promise<Array<{ event: StoredEvent; leaseToken: string }>>;
  /** Puts events back to `pending`, due now, for replay. Events under a live lease are left alone. */
  requeue(ids: readonly string[], now: number): Promise<number>;
  getEvent(id: string): Promise<StoredEvent | null>;
  listEvents(filter?: EventFilter): Promise<StoredEvent[]>;
  countEvents(filter?: Pick<EventFilter, "provider">): Promise<EventCounts>;
  getRecord(kind: RecordKind, provider: string, id: string): Promise<StoredRecord | null>;
  /** The merged call record, e.g. `getCall("retell", callId)`. */
  getCall(provider: string, callId: string): Promise<CallRecord | null>;
}
