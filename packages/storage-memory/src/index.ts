import {
  type ClaimDueInput,
  type ClaimRequest,
  type ClaimResult,
  type EventCounts,
  type EventFilter,
  type EventSelection,
  type EventStats,
  type EventStatsInput,
  type EventStatus,
  type FailInput,
  type LeaseRef,
  type RecordKind,
  type StoredEvent,
  type StoredRecord,
  type WebhookStorage,
  type CallRecord,
  eventStatuses,
  type QuarantineInput,
  WebhookStorageError,
} from "@callhooks/webhook-core";
import { mergeRecord } from "@callhooks/webhook-core/storage";
import { bodySize, bodyText, type KeptBody, keepBody } from "./body.js";
import { resolveTextRefs, withTextRefs } from "./text-refs.js";

export interface MemoryStorageOptions {
  /**
   * How many events to remember for duplicate detection. Beyond it the oldest finished events
   * (processed or dead) are forgotten. Unfinished events are never forgotten: when all of them are
   * unfinished, a new event is refused with a storage error (the provider retries it). Default 10 000.
   */
  maxEvents?: number;
  /**
   * How many processed events keep their payload, for replay and inspection; older processed events
   * keep only what duplicate detection needs (key, status, stored inbound answer). Unfinished and dead
   * events always keep theirs. Default 1 000. (A Retell `call_analyzed` is ~50 KB parsed into ~100 KB of heap:
   * keeping 10 000 of them would hold about a gigabyte.)
   */
  maxPayloads?: number;
  /**
   * How many merged records (calls, messages, …) to keep; least recently updated go first. Default 1 000.
   * From large bodies (8 KiB and more) a record keeps the provider's objects (a call's transcript,
   * analysis, …) as references into the bodies of the events that set them, not as parsed trees.
   */
  maxRecords?: number;
  /**
   * How much the events may hold, in bytes (payloads, kept as their JSON text — UTF-8 when large, 2
   * bytes a character when small — and the names each event is found by), whatever their number.
   * Past it the oldest processed events drop their payloads, then the oldest finished events are forgotten; when only unfinished events are left, a
   * new one is refused with a storage error. Keep it well above twice the handlers' `maxBodyBytes`.
   * Default 128 MiB.
   */
  maxBytes?: number;
}

export interface MemoryStorage extends WebhookStorage {
  /** How many events and records are held now, and how many bytes the events hold. */
  size(): { events: number; records: number; bytes: number };
  /** Forgets everything. */
  clear(): void;
}

// Quarantined events are not finished: they wait for a replay, and forgetting one would lose it.
const TERMINAL: ReadonlySet<EventStatus> = new Set(["processed", "dead"]);

/** One remembered event and what is kept beside it, in one place: one lookup per operation. */
interface Held {
  event: StoredEvent;
  /** Its payload's JSON text; undefined once dropped (see maxPayloads and maxBytes). */
  body: KeptBody | undefined;
  /** What it counts against maxBytes. */
  weight: number;
  /** The token of the lease on it, while it is processing. */
  lease: string | undefined;
  /** The finish it was last queued for: only an event's latest finish may drop its payload. */
  finish: number;
  /** Its key in `byKey`: (provider, tenant, duplicate key). */
  identity: string;
}

interface RecordEntry {
  key: string;
  record: StoredRecord;
  older: RecordEntry | undefined;
  newer: RecordEntry | undefined;
}

/** The inbox order, newest first: `(receivedAt desc, id desc)`, total since ids are unique. */
function compareNewestFirst(a: { receivedAt: number; id: string }, b: { receivedAt: number; id: string }): number {
  return b.receivedAt - a.receivedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** Continuous percentiles (PostgreSQL's `percentile_cont`), so both storages give the same figures. */
function summarizeDurations(values: number[]): EventStats["durations"] {
  if (values.length === 0) return { count: 0, p50: null, p90: null, p95: null, p99: null, max: null };
  const sorted = values.sort((a, b) => a - b);
  const at = (q: number) => {
    const position = (sorted.length - 1) * q;
    const low = Math.floor(position);
    const high = Math.ceil(position);
    return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (position - low);
  };
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1] as number };
}

function newId(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * Storage in this process's memory: the default for tests, demos and single-process apps. Every
 * operation runs synchronously inside one turn of the event loop, so concurrent deliveries within
 * the process cannot interleave inside a claim. Nothing survives a restart, and several processes
 * do not share it: use `@callhooks/storage-supabase` for that.
 */
export function createMemoryStorage(options: MemoryStorageOptions = {}): MemoryStorage {
  const maxEvents = options.maxEvents ?? 10_000;
  const maxPayloads = options.maxPayloads ?? 1_000;
  const maxRecords = options.maxRecords ?? 1_000;
  const maxBytes = options.maxBytes ?? 128 * 1024 * 1024;
  if (!(maxEvents >= 1) || !(maxRecords >= 1) || !(maxPayloads >= 0) || !(maxBytes > 0)) {
    throw new RangeError("maxEvents and maxRecords must be at least 1, maxPayloads at least 0, maxBytes above 0.");
  }

  // Events hold no parsed payload: each one's JSON text is kept beside it instead, one string rather than the
  // thousands of objects a parsed call is, which the garbage collector would otherwise copy and mark
  // on every pass. It is parsed again when read (replay, inspection), which is rare.
  const events = new Map<string, Held>(); // by event id
  const byKey = new Map<string, Held>(); // by identity
  let held = 0;
  const records = new Map<string, RecordEntry>();
  // Lease tokens need only be unique within this storage and not guessable from outside it: a random
  // prefix and a counter, instead of a second random UUID per delivery.
  const tokenPrefix = newId();
  let tokens = 0;
  const newToken = () => `${tokenPrefix}.${(++tokens).toString(36)}`;

  // Ages are kept outside the maps. Finding the oldest by iterating a Map from its start walks every
  // slot deleted since V8 last rehashed the table: a cost paid twice per event (events, then
  // records) once a long-running process reaches its caps (measured in bench/RESULTS.md).
  //
  // Event ids, oldest first. Slots before `ageHead` are spent; from `ageHead` on, every id is live.
  let age: Array<string | undefined> = [];
  let ageHead = 0;
  // Records, least recently updated first: a doubly linked list threaded through the map's entries.
  let oldest: RecordEntry | undefined;
  let newest: RecordEntry | undefined;

  // Finished events whose payloads are kept, oldest first, each with the finish it was queued for (an
  // event replayed and finished again is queued again; only its latest entry may drop its payload).
  let finishedQueue: Array<{ held: Held; finish: number } | undefined> = [];
  let finishedHead = 0;
  let finishes = 0;

  /** The payload's JSON text: the body's when the pipeline gives it, else serialised once. */
  const bodyOf = (input: ClaimRequest["event"]): KeptBody => keepBody(input.payloadText ?? JSON.stringify(input.payload ?? null));

  /** What an event costs to hold: its body (see bodySize) and the names it is found by (2 bytes a unit). */
  const weigh = (event: StoredEvent, body: KeptBody | undefined) =>
    (body === undefined ? 0 : bodySize(body)) + 2 * (event.key.length + event.type.length) + 256;

  /** Keeps `body` as the event's payload (undefined: none), and counts it against maxBytes. */
  function hold(entry: Held, body: KeptBody | undefined): void {
    held -= entry.weight;
    entry.body = body;
    entry.weight = weigh(entry.event, body);
    held += entry.weight;
  }

  /**
   * Lets the oldest processed events drop their payloads while `more()` says so (past maxPayloads,
   * or past maxBytes). Returns whether any was dropped.
   */
  function dropOldestPayloads(more: () => boolean): boolean {
    let dropped = false;
    while (finishedHead < finishedQueue.length && more()) {
      const { held: entry, finish } = finishedQueue[finishedHead] as { held: Held; finish: number };
      finishedQueue[finishedHead++] = undefined;
      // Only an event's latest finish, and only processed events: a dead one stays replayable. What
      // duplicate detection needs (key, status, stored inbound answer) stays.
      if (entry.finish === finish && entry.event.status === "processed" && entry.body !== undefined) {
        hold(entry, undefined);
        dropped = true;
      }
    }
    if (finishedHead > 4096 && finishedHead * 2 > finishedQueue.length) {
      finishedQueue = finishedQueue.slice(finishedHead);
      finishedHead = 0;
    }
    return dropped;
  }

  /** Records that an event finished, and lets the oldest finished events beyond maxPayloads drop their payloads. */
  function finished(entry: Held): void {
    finishes += 1;
    entry.finish = finishes;
    finishedQueue.push({ held: entry, finish: finishes });
    dropOldestPayloads(() => finishedQueue.length - finishedHead > maxPayloads);
  }

  // The tenant is part of an event's and a record's identity; a null orgId is a tenant of its own.
  const scope = (orgId: string | null) => (orgId === null ? "\u0001" : `\u0002${orgId}`);
  const keyOf = (provider: string, orgId: string | null, key: string) => `${provider}\u0000${scope(orgId)}\u0000${key}`;
  const recordKey = (kind: RecordKind, provider: string, orgId: string | null, id: string) =>
    `${kind}\u0000${provider}\u0000${scope(orgId)}\u0000${id}`;
  /** A copy for the caller, its payload parsed from the kept text on first read (most callers never read it). */
  const copy = ({ event, body }: Held): StoredEvent => {
    let parsed: { value: unknown } | undefined;
    // An accessor in the literal, not defineProperty afterwards, which turns the object into a hash table.
    return {
      ...event,
      get payload() {
        parsed ??= { value: body === undefined ? null : JSON.parse(bodyText(body)) };
        return parsed.value;
      },
      set payload(value: unknown) {
        parsed = { value };
      },
    };
  };

  function forget(entry: Held): void {
    events.delete(entry.event.id);
    byKey.delete(entry.identity);
    // Emptied, not just unlisted: its slot in finishedQueue may still be ahead, and must neither
    // count its weight off again nor keep its body alive.
    held -= entry.weight;
    entry.body = undefined;
    entry.weight = 0;
  }

  /**
   * Makes room for one more event by forgetting the oldest finished ones (processed or dead).
   * Unfinished events are never forgotten: they are work somebody still has to do, and their keys
   * must keep catching duplicates. Returns false when every remembered event is unfinished.
   */
  function makeRoom(bytes: number): boolean {
    const full = () => events.size >= maxEvents || held + bytes > maxBytes;
    if (!full()) return true;
    // Payloads of processed events go first: what duplicate detection needs stays.
    if (events.size < maxEvents) dropOldestPayloads(full);
    if (!full()) return true;
    // Unfinished ones are passed over and moved up, in order, against the first slot not yet looked
    // at, so no later eviction walks the gaps left here.
    let i = ageHead;
    const unfinished: string[] = [];
    for (; i < age.length && full(); i++) {
      const id = age[i] as string;
      const entry = events.get(id) as Held;
      if (TERMINAL.has(entry.event.status)) forget(entry);
      else unfinished.push(id);
      age[i] = undefined;
    }
    ageHead = i - unfinished.length;
    for (let k = 0; k < unfinished.length; k++) age[ageHead + k] = unfinished[k];
    if (ageHead > 4096 && ageHead * 2 > age.length) {
      age = age.slice(ageHead);
      ageHead = 0;
    }
    return !full();
  }

  /** A copy for the caller, its data's references parsed back. */
  const readRecord = (record: StoredRecord): StoredRecord => ({
    ...structuredClone({ ...record, data: {} }),
    data: resolveTextRefs(record.data),
  });

  function unlink(entry: RecordEntry): void {
    if (entry.older) entry.older.newer = entry.newer;
    else oldest = entry.newer;
    if (entry.newer) entry.newer.older = entry.older;
    else newest = entry.older;
    entry.older = entry.newer = undefined;
  }

  /** Merges the claim's records; `body` is the event's kept body, when it was just made from this delivery. */
  function applyRecords(request: ClaimRequest, body?: KeptBody): void {
    const { payload, payloadText, payloadTextExact } = request.event;
    // Records keep their data's objects as references into a large body when its text is exactly the
    // payload (text-refs.ts). A small body's objects are few: references would cost more than they save.
    const kept = payloadTextExact && payloadText !== undefined ? (body ?? keepBody(payloadText)) : undefined;
    const text = kept instanceof Uint8Array ? kept : undefined;
    for (const patch of request.records) {
      const key = recordKey(patch.kind, patch.provider, patch.orgId, patch.id);
      let entry = records.get(key);
      const merged = mergeRecord(entry?.record ?? null, text === undefined ? patch : withTextRefs(patch, payload, text), request.now);
      if (entry) {
        entry.record = merged;
        unlink(entry);
      } else {
        entry = { key, record: merged, older: undefined, newer: undefined };
        records.set(key, entry);
      }
      entry.older = newest;
      if (newest) newest.newer = entry;
      else oldest = entry;
      newest = entry;
    }
    while (records.size > maxRecords && oldest) {
      const entry = oldest;
      unlink(entry);
      records.delete(entry.key);
    }
  }

  /** Takes an event for a processor: status per mode, attempt counted, new lease. */
  function take(entry: Held, mode: Exclude<ClaimRequest["mode"], "quarantine">, leaseMs: number, now: number): string | null {
    const event = entry.event;
    event.updatedAt = now;
    event.nextAttemptAt = null;
    entry.lease = undefined;
    if (mode === "pending") {
      event.status = "pending";
      event.leaseExpiresAt = null;
      return null;
    }
    event.attempts += 1;
    if (mode === "complete") {
      event.status = "processed";
      event.processedAt = now;
      event.leaseExpiresAt = null;
      finished(entry);
      return null;
    }
    const token = newToken();
    event.status = "processing";
    event.leaseExpiresAt = now + leaseMs;
    entry.lease = token;
    return token;
  }

  /**
   * An event that is due again (failed, dead, or under a lapsed lease) but has had `maxAttempts`
   * attempts already: it stays (or becomes) dead instead of running once more.
   */
  function exhausted(entry: Held, maxAttempts: number | undefined, now: number): boolean {
    const event = entry.event;
    if (maxAttempts === undefined || event.status === "pending" || event.attempts < maxAttempts) return false;
    if (event.status === "processing") {
      event.lastError = `Abandoned: the processor of attempt ${event.attempts} stopped renewing its lease, and maxAttempts (${maxAttempts}) was reached.`;
      entry.lease = undefined;
    }
    if (event.status !== "dead") {
      event.status = "dead";
      event.leaseExpiresAt = null;
      event.nextAttemptAt = null;
      event.updatedAt = now;
    }
    return true;
  }

  /** The event the lease is on, while it holds; else undefined. */
  const holds = (lease: LeaseRef): Held | undefined => {
    const entry = events.get(lease.id);
    return entry?.event.status === "processing" && entry.lease === lease.leaseToken ? entry : undefined;
  };

  const matches = (event: StoredEvent, filter: EventSelection): boolean => {
    const statuses = typeof filter.status === "string" ? [filter.status] : filter.status;
    const types = typeof filter.type === "string" ? [filter.type] : filter.type;
    return (
      (filter.provider === undefined || event.provider === filter.provider) &&
      (statuses === undefined || statuses.includes(event.status)) &&
      (types === undefined || types.includes(event.type)) &&
      (filter.callId === undefined || event.callId === filter.callId) &&
      (filter.orgId === undefined || event.orgId === filter.orgId) &&
      (filter.since === undefined || event.receivedAt >= filter.since) &&
      (filter.until === undefined || event.receivedAt < filter.until)
    );
  };

  const storage: MemoryStorage = {
    async claim(request: ClaimRequest): Promise<ClaimResult> {
      const { event: input, now, mode } = request;
      if (mode === "quarantine" && !request.quarantine) throw new WebhookStorageError("A quarantine claim needs its reasons (quarantine).");
      const identity = keyOf(input.provider, input.orgId, input.key);
      const existing = byKey.get(identity);
      if (existing) {
        const event = existing.event;
        if (mode === "quarantine" || event.status === "processed") return { outcome: "duplicate", event: copy(existing) };
        if (event.status === "processing" && (event.leaseExpiresAt ?? 0) > now) {
          return { outcome: "in_flight", event: copy(existing) };
        }
        if (exhausted(existing, request.maxAttempts, now)) return { outcome: "dead", event: copy(existing) };
        let body: KeptBody | undefined;
        if (event.status === "quarantined") {
          // A delivery that parses now: the quarantine is over, and its description replaces the guess.
          event.type = input.type;
          event.callId = input.callId;
          event.issues = null;
          event.lastError = null;
          body = bodyOf(input);
          hold(existing, body);
        }
        const leaseToken = take(existing, mode, request.leaseMs, now);
        applyRecords(request, body);
        return { outcome: "claimed", event: copy(existing), leaseToken };
      }
      const body = bodyOf(input);
      if (!makeRoom(bodySize(body) + 2 * (input.key.length + input.type.length) + 256)) {
        // Forgetting accepted work would lose it; refusing lets the provider deliver it again later.
        throw new WebhookStorageError(
          `storage-memory is full: its ${events.size} events are all unfinished (pending, processing, failed or quarantined) and hold ${held} of maxBytes ${maxBytes}. Run workers, replay quarantined events, or raise maxEvents or maxBytes.`,
        );
      }
      const event: StoredEvent = {
        id: newId(),
        provider: input.provider,
        key: input.key,
        type: input.type,
        callId: input.callId,
        orgId: input.orgId,
        status: "pending",
        attempts: 0,
        lastError: null,
        issues: null,
        payload: null,
        response: null,
        receivedAt: input.receivedAt,
        updatedAt: now,
        processedAt: null,
        nextAttemptAt: null,
        leaseExpiresAt: null,
        durationMs: null,
      };
      const entry: Held = { event, body: undefined, weight: 0, lease: undefined, finish: 0, identity };
      events.set(event.id, entry);
      byKey.set(identity, entry);
      hold(entry, body);
      age.push(event.id);
      if (mode === "quarantine") {
        const reasons = request.quarantine as QuarantineInput;
        event.status = "quarantined";
        event.lastError = reasons.reason;
        event.issues = reasons.issues.map((issue) => ({ path: issue.path, message: issue.message }));
        return { outcome: "claimed", event: copy(entry), leaseToken: null };
      }
      const leaseToken = take(entry, mode, request.leaseMs, now);
      applyRecords(request, body);
      return { outcome: "claimed", event: copy(entry), leaseToken };
    },

    async complete(lease, result) {
      const entry = holds(lease);
      if (!entry) return false;
      const event = entry.event;
      event.status = "processed";
      event.response = result.response ?? null;
      event.processedAt = result.now;
      event.updatedAt = result.now;
      event.leaseExpiresAt = null;
      event.lastError = null;
      event.issues = null;
      event.durationMs = result.durationMs ?? null;
      entry.lease = undefined;
      finished(entry);
      return true;
    },

    async fail(lease: LeaseRef, input: FailInput) {
      const entry = holds(lease);
      if (!entry) return false;
      const event = entry.event;
      const quarantine = input.quarantine;
      event.status = quarantine ? "quarantined" : input.retryAt === null ? "dead" : "failed";
      event.lastError = input.error;
      event.issues = quarantine ? quarantine.issues.map((issue) => ({ path: issue.path, message: issue.message })) : null;
      event.nextAttemptAt = quarantine ? null : input.retryAt;
      event.updatedAt = input.now;
      event.leaseExpiresAt = null;
      event.durationMs = input.durationMs ?? event.durationMs;
      entry.lease = undefined;
      return true;
    },

    async extendLease(lease, input) {
      const entry = holds(lease);
      if (!entry) return false;
      entry.event.leaseExpiresAt = input.now + input.leaseMs;
      return true;
    },

    async claimDue(input: ClaimDueInput) {
      const due: Held[] = [];
      for (const entry of events.values()) {
        const event = entry.event;
        if (input.providers && !input.providers.includes(event.provider)) continue;
        const isDue =
          event.status === "pending" ||
          (event.status === "failed" && (event.nextAttemptAt ?? 0) <= input.now) ||
          (event.status === "processing" && (event.leaseExpiresAt ?? 0) <= input.now);
        if (isDue) due.push(entry);
      }
      due.sort((a, b) => a.event.receivedAt - b.event.receivedAt);
      const runnable: Held[] = [];
      for (const entry of due) {
        if (runnable.length >= input.limit) break;
        if (!exhausted(entry, input.maxAttempts, input.now)) runnable.push(entry);
      }
      return runnable.map((entry) => {
        const leaseToken = take(entry, "lease", input.leaseMs, input.now) as string;
        return { event: copy(entry), leaseToken };
      });
    },

    async requeue(ids, now) {
      let count = 0;
      for (const id of ids) {
        const entry = events.get(id);
        if (!entry) continue;
        const event = entry.event;
        if (event.status === "quarantined" || (event.status === "processing" && (event.leaseExpiresAt ?? 0) > now)) continue;
        // Without its payload there is nothing to run again (see maxPayloads and maxBytes).
        if (entry.body === undefined) continue;
        event.status = "pending";
        event.nextAttemptAt = now;
        event.leaseExpiresAt = null;
        event.updatedAt = now;
        entry.lease = undefined;
        count++;
      }
      return count;
    },

    async getEvent(id) {
      const entry = events.get(id);
      return entry ? copy(entry) : null;
    },

    async listEvents(filter: EventFilter = {}) {
      const limit = filter.limit ?? 100;
      const before = filter.before;
      const found: Held[] = [];
      for (const entry of events.values()) {
        if (!matches(entry.event, filter)) continue;
        if (before && compareNewestFirst(entry.event, before) <= 0) continue;
        found.push(entry);
      }
      found.sort((a, b) => compareNewestFirst(a.event, b.event));
      const page = found.slice(0, limit);
      return filter.withPayload === false ? page.map(({ event }) => ({ ...event, payload: null, response: null })) : page.map(copy);
    },

    async countEvents(filter: EventSelection = {}) {
      const counts = Object.fromEntries(eventStatuses.map((status) => [status, 0])) as EventCounts;
      for (const { event } of events.values()) if (matches(event, filter)) counts[event.status]++;
      return counts;
    },

    async eventStats(input: EventStatsInput): Promise<EventStats> {
      const buckets = new Map<number, EventStats["buckets"][number]>();
      const durations: number[] = [];
      for (const { event } of events.values()) {
        if (!matches(event, input)) continue;
        const start = input.since + Math.floor((event.receivedAt - input.since) / input.bucketMs) * input.bucketMs;
        let bucket = buckets.get(start);
        if (!bucket) {
          bucket = { start, counts: {} };
          buckets.set(start, bucket);
        }
        bucket.counts[event.status] = (bucket.counts[event.status] ?? 0) + 1;
        if (event.durationMs !== null) durations.push(event.durationMs);
      }
      return { buckets: [...buckets.values()].sort((a, b) => a.start - b.start), durations: summarizeDurations(durations) };
    },

    async getRecord(kind, provider, id, orgId) {
      if (orgId !== undefined) {
        const entry = records.get(recordKey(kind, provider, orgId, id));
        return entry ? readRecord(entry.record) : null;
      }
      // Any tenant's: the most recently updated, found from the newest end of the list.
      for (let entry = newest; entry; entry = entry.older) {
        const record = entry.record;
        if (record.kind === kind && record.provider === provider && record.id === id) return readRecord(record);
      }
      return null;
    },

    async getCall(provider, callId, orgId) {
      return (await storage.getRecord("call", provider, callId, orgId)) as CallRecord | null;
    },

    size: () => ({ events: events.size, records: records.size, bytes: held }),
    clear() {
      events.clear();
      held = 0;
      byKey.clear();
      records.clear();
      age = [];
      ageHead = 0;
      finishedQueue = [];
      finishedHead = 0;
      oldest = newest = undefined;
    },
  };
  return storage;
}
