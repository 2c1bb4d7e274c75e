import type {
  CallRecord,
  ClaimDueInput,
  ClaimRequest,
  ClaimResult,
  CompleteInput,
  EventCounts,
  EventFilter,
  EventSelection,
  EventStats,
  EventStatsInput,
  FailInput,
  LeaseRef,
  RecordKind,
  RecordPatch,
  StoredEvent,
  StoredRecord,
  WebhookStorage,
} from "@callhooks/webhook-core";
import { dataPathInPayload } from "@callhooks/webhook-core/storage";
import type { Db, Query, QueryResult, SupabaseClientLike } from "./client.js";
import { toStorageError } from "./errors.js";
import {
  EVENT_COLUMNS,
  EVENT_SUMMARY_COLUMNS,
  type EventRow,
  RECORD_COLUMNS,
  RECORD_TABLES,
  type RecordRow,
  isUuid,
  toEvent,
  toRecord,
} from "./rows.js";
import { storable, storableAsIs } from "./sanitize.js";

export interface SupabaseStorageOptions {
  /** Your `SupabaseClient`, created with the service role (secret) key: the tables are closed to anon. */
  client: SupabaseClientLike;
  /**
   * Where the migration put the tables and functions. Default `"public"`. Another schema must be in
   * the API's exposed schemas (Dashboard → API settings, or `[api] schemas` in config.toml).
   */
  schema?: string;
  /**
   * Abort any one request after this many ms (default 10 000), so a hung connection becomes a 500 the
   * provider retries instead of a delivery that never answers.
   */
  timeoutMs?: number;
}

export type SupabaseStorage = WebhookStorage;

/** Durations are whole milliseconds in an integer column. */
const wholeMs = (value: number | undefined): number | null =>
  value === undefined || !Number.isFinite(value) ? null : Math.min(2_147_483_647, Math.max(0, Math.round(value)));

const PAGE = 1000; // Supabase's default API max rows: larger lists are read in pages.
const DEFAULT_LIMIT = 100;

interface ClaimResponse {
  outcome: ClaimResult["outcome"];
  event: EventRow;
  leaseToken?: string | null;
  /** A new event: its payload is the one just sent, so the database does not send it back. */
  inserted?: boolean;
}

/**
 * A patch's `data` is usually the payload itself or one of its members (Retell's `call`): then the
 * patch names it by path instead of carrying a second copy, which halves a large call's request.
 * The SQL side (`callhooks_apply_records`) reads it from the stored payload.
 */
function withoutPayloadCopy(
  patch: RecordPatch,
  payload: unknown,
): RecordPatch | (Omit<RecordPatch, "data"> & { dataFromPayload: string[] }) {
  const path = dataPathInPayload(patch, payload);
  if (path === undefined) return patch;
  const { data: _data, ...rest } = patch;
  return { ...rest, dataFromPayload: path };
}

/**
 * Storage on Supabase (PostgreSQL through PostgREST): shared by every receiver, worker and Edge
 * Function that uses the same project, so duplicates, retries and out-of-order events are safe across
 * all of them. Apply the package's migration first (see the README).
 *
 * Every write is one `.rpc()` round trip and one transaction in the database: `claim` inserts or
 * locks the event and merges its records atomically; `complete`, `fail`, `claimDue` and `requeue`
 * are single statements guarded by the lease token. Every failure (network, HTTP, PostgreSQL) throws
 * a `SupabaseStorageError`, a `WebhookStorageError`, so the pipeline answers 500 and the provider
 * retries: nothing is dropped silently.
 */
export function createSupabaseStorage(options: SupabaseStorageOptions): SupabaseStorage {
  const schema = options.schema ?? "public";
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!options.client || typeof (options.client as { schema?: unknown }).schema !== "function") {
    throw new TypeError("createSupabaseStorage needs `client`: a SupabaseClient from createClient(url, serviceRoleKey).");
  }
  if (!(timeoutMs > 0)) throw new RangeError("timeoutMs must be a positive number of milliseconds.");
  const db = (options.client.schema as (name: string) => Db).call(options.client, schema);

  /** Runs one request: no GET retries, a deadline, and every failure turned into a typed error. */
  async function run(operation: string, query: Query): Promise<unknown> {
    let result: QueryResult;
    try {
      const once = typeof query.retry === "function" ? query.retry(false) : query; // older supabase-js has no retry()
      result = await once.abortSignal(AbortSignal.timeout(timeoutMs));
    } catch (error) {
      throw toStorageError(operation, error);
    }
    if (result.error) throw toStorageError(operation, result.error, result.status);
    return result.data;
  }

  /** Maps a response, turning a shape the library did not expect into a storage error too. */
  function shaped<T>(operation: string, map: () => T): T {
    try {
      return map();
    } catch (error) {
      throw toStorageError(operation, error);
    }
  }

  const rpc = (fn: string, args: Record<string, unknown>) => db.rpc(fn, args);

  const storage: SupabaseStorage = {
    async claim(request: ClaimRequest): Promise<ClaimResult> {
      // PostgREST is sent the tree. Its text, when the pipeline has it, spares walking the tree for
      // what PostgreSQL cannot store: one scan of the text says whether there is any.
      const { payloadText, payloadTextExact: _exact, ...input } = request.event;
      const event = storableAsIs(payloadText) ? { ...storable({ ...input, payload: null }), payload: input.payload } : storable(input);
      const data = (await run(
        "claim",
        rpc("callhooks_claim", {
          p_request: {
            event,
            records: storable(request.records.map((patch) => withoutPayloadCopy(patch, request.event.payload))),
            mode: request.mode,
            leaseMs: request.leaseMs,
            now: request.now,
            ...(request.quarantine && { quarantine: storable(request.quarantine) }),
            ...(request.maxAttempts !== undefined && { maxAttempts: request.maxAttempts }),
          },
        }),
      )) as ClaimResponse;
      return shaped("claim", () => {
        const stored = toEvent(data.inserted ? { ...data.event, payload: event.payload } : data.event);
        if (data.outcome === "claimed") return { outcome: "claimed", event: stored, leaseToken: data.leaseToken ?? null };
        if (data.outcome === "duplicate" || data.outcome === "in_flight" || data.outcome === "dead")
          return { outcome: data.outcome, event: stored };
        throw new Error(`unexpected claim outcome ${String(data.outcome)}`);
      });
    },

    async complete(lease: LeaseRef, result: CompleteInput) {
      if (!isUuid(lease.id) || !isUuid(lease.leaseToken)) return false;
      const data = await run(
        "complete",
        rpc("callhooks_complete", {
          p_id: lease.id,
          p_lease_token: lease.leaseToken,
          p_response: storable(result.response ?? null),
          p_now: result.now,
          p_duration_ms: wholeMs(result.durationMs),
        }),
      );
      return data === true;
    },

    async fail(lease: LeaseRef, input: FailInput) {
      if (!isUuid(lease.id) || !isUuid(lease.leaseToken)) return false;
      const data = await run(
        "fail",
        rpc("callhooks_fail", {
          p_id: lease.id,
          p_lease_token: lease.leaseToken,
          p_error: storable(input.error),
          p_retry_at: input.retryAt,
          p_now: input.now,
          p_duration_ms: wholeMs(input.durationMs),
          p_issues: input.quarantine ? storable(input.quarantine.issues) : null,
        }),
      );
      return data === true;
    },

    async extendLease(lease: LeaseRef, input: { leaseMs: number; now: number }) {
      if (!isUuid(lease.id) || !isUuid(lease.leaseToken)) return false;
      const data = await run(
        "extendLease",
        rpc("callhooks_extend_lease", { p_id: lease.id, p_lease_token: lease.leaseToken, p_lease_ms: input.leaseMs, p_now: input.now }),
      );
      return data === true;
    },

    async claimDue(input: ClaimDueInput) {
      if (input.providers?.length === 0) return [];
      const data = await run(
        "claimDue",
        rpc("callhooks_claim_due", {
          p_limit: Math.max(0, Math.trunc(input.limit)),
          p_lease_ms: input.leaseMs,
          p_now: input.now,
          p_providers: input.providers ?? null,
          p_max_attempts: input.maxAttempts ?? null,
        }),
      );
      return shaped("claimDue", () =>
        (data as Array<{ event: EventRow; leaseToken: string }>).map((item) => ({
          event: toEvent(item.event),
          leaseToken: item.leaseToken,
        })),
      );
    },

    async requeue(ids, now) {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return 0;
      const data = await run("requeue", rpc("callhooks_requeue", { p_ids: valid, p_now: now }));
      return shaped("requeue", () => {
        if (typeof data !== "number") throw new Error("unexpected requeue result");
        return data;
      });
    },

    async getEvent(id) {
      if (!isUuid(id)) return null;
      const data = await run("getEvent", db.from("callhooks_events").select(EVENT_COLUMNS).eq("id", id).maybeSingle());
      return shaped("getEvent", () => (data ? toEvent(data as EventRow) : null));
    },

    async listEvents(filter: EventFilter = {}) {
      const limit = Math.max(0, Math.trunc(filter.limit ?? DEFAULT_LIMIT));
      const out: StoredEvent[] = [];
      // Pages, because a hosted project caps every response at its max rows (1000 by default).
      while (out.length < limit) {
        const from = out.length;
        const to = Math.min(limit, from + PAGE) - 1;
        const query = shaped("listEvents", () => eventQuery(filter).range(from, to));
        const rows = (await run("listEvents", query)) as EventRow[];
        out.push(...shaped("listEvents", () => rows.map(toEvent)));
        if (rows.length < to - from + 1) break;
      }
      return out;
    },

    async countEvents(filter: EventSelection = {}) {
      const data = await run("countEvents", rpc("callhooks_count_events_where", { p_filter: selection(filter) }));
      return shaped("countEvents", () => {
        const counts = data as EventCounts;
        if (typeof counts?.pending !== "number") throw new Error("unexpected count result");
        return counts;
      });
    },

    async eventStats(input: EventStatsInput): Promise<EventStats> {
      const { since, until, bucketMs, ...rest } = input;
      if (!(bucketMs > 0) || !Number.isFinite(since) || !Number.isFinite(until)) {
        throw toStorageError("eventStats", new RangeError("eventStats needs finite since and until and a positive bucketMs."));
      }
      const data = await run(
        "eventStats",
        rpc("callhooks_event_stats", { p_filter: selection(rest), p_since: since, p_until: until, p_bucket_ms: bucketMs }),
      );
      return shaped("eventStats", () => {
        const stats = data as EventStats;
        if (!Array.isArray(stats?.buckets) || typeof stats.durations?.count !== "number") throw new Error("unexpected stats result");
        return stats;
      });
    },

    async getRecord(kind: RecordKind, provider: string, id: string, orgId?: string | null): Promise<StoredRecord | null> {
      const table = RECORD_TABLES[kind];
      if (!table) throw toStorageError("getRecord", new Error(`unknown record kind ${JSON.stringify(kind)}`));
      const query = db.from(table).select(RECORD_COLUMNS).eq("provider", provider).eq("id", id);
      // Without an orgId, any tenant's (the most recently updated): the single-tenant reading.
      const scoped = orgId === undefined ? query.order("updated_at", { ascending: false }).limit(1) : query.eq("org_scope", orgId ?? "");
      const data = await run("getRecord", scoped.maybeSingle());
      return shaped("getRecord", () => (data ? toRecord(kind, data as RecordRow) : null));
    },

    async getCall(provider, callId, orgId) {
      return (await storage.getRecord("call", provider, callId, orgId)) as CallRecord | null;
    },
  };

  function eventQuery(filter: EventFilter): Query {
    let query = db.from("callhooks_events").select(filter.withPayload === false ? EVENT_SUMMARY_COLUMNS : EVENT_COLUMNS);
    if (filter.provider !== undefined) query = query.eq("provider", filter.provider);
    if (filter.status !== undefined) query = query.in("status", typeof filter.status === "string" ? [filter.status] : filter.status);
    if (filter.type !== undefined) query = query.in("event_type", typeof filter.type === "string" ? [filter.type] : filter.type);
    if (filter.callId !== undefined) query = query.eq("call_id", filter.callId);
    if (filter.orgId !== undefined) query = query.eq("org_id", filter.orgId);
    if (filter.since !== undefined) query = query.gte("received_at", new Date(filter.since).toISOString());
    if (filter.until !== undefined) query = query.lt("received_at", new Date(filter.until).toISOString());
    if (filter.before !== undefined) {
      const at = new Date(filter.before.receivedAt).toISOString();
      // Not a UUID: no event has it, and the id order is the UUIDs' (a string would be compared as one).
      const id = isUuid(filter.before.id) ? filter.before.id : "ffffffff-ffff-ffff-ffff-ffffffffffff";
      // The `lte` is what the index can start from; the `or` then drops the ties already shown.
      query = query.lte("received_at", at).or(`received_at.lt."${at}",id.lt.${id}`);
    }
    return query.order("received_at", { ascending: false }).order("id", { ascending: false });
  }

  /** A selection as the SQL functions read it (`callhooks_event_where`). */
  function selection(filter: EventSelection): Record<string, unknown> {
    const list = (value: string | readonly string[] | undefined) =>
      value === undefined ? undefined : typeof value === "string" ? [value] : [...value];
    return {
      ...(filter.provider !== undefined && { provider: filter.provider }),
      ...(filter.status !== undefined && { status: list(filter.status) }),
      ...(filter.type !== undefined && { type: list(filter.type) }),
      ...(filter.callId !== undefined && { callId: filter.callId }),
      ...(filter.orgId !== undefined && { orgId: filter.orgId }),
      ...(filter.since !== undefined && { since: filter.since }),
      ...(filter.until !== undefined && { until: filter.until }),
    };
  }

  return storage;
}
