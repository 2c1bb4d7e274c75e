import type { CallRecord, WebhookStorage } from "@callhooks/webhook-core";
import type { SupabaseClient } from "@supabase/supabase-js";

/**
 * The app's outbound call jobs. Your dialer either puts the job's id in the call's metadata when it
 * creates the call (`metadata: { job_id }`), or stores the call's id on the job it already has
 * (`call_jobs.call_id`, on Supabase); every call event then brings that job up to date, with the
 * fields the FastAPI + MongoDB receiver wrote on its `call_jobs` documents.
 *
 * A job is derived from callhooks' merged call record, never from the single event in hand: the
 * record is the same whatever order Retell's deliveries arrive in and however often, so the job
 * is too. `call_started` arriving after `call_ended` cannot take a completed job back to
 * "in_progress", and a retried delivery changes nothing.
 */
export interface CallJob {
  id: string;
  call_id: string;
  /** `in_progress`, `completed` or `failed` (a status Retell adds later is kept as sent). */
  status: string;
  /** The furthest lifecycle event received so far: call_started < … < call_ended < call_analyzed. */
  last_call_event: string | null;
  /** When that event happened (ISO 8601): the call's start for call_started, its end for call_ended and call_analyzed. */
  last_call_timestamp: string | null;
  disconnection_reason: string | null;
  /** Seconds. */
  call_duration: number | null;
  updated_at: string;
}

export interface CallJobs {
  /** Brings the job of this call, if the app tagged the call with one, up to date. */
  sync(callId: string): Promise<CallJob | null>;
  get(jobId: string): Promise<CallJob | null>;
}

/** The metadata key your dialer sets when it creates the call. */
export const JOB_ID_KEY = "job_id";

/** The same order as sync_call_job in supabase/migrations: the later, the further along. */
const LIFECYCLE = [
  "call_started",
  "transcript_updated",
  "transfer_started",
  "transfer_bridged",
  "transfer_cancelled",
  "transfer_ended",
  "call_ended",
  "call_analyzed",
];
const ENDED = new Set(["call_ended", "call_analyzed"]);
const JOB_STATUS: Record<string, string> = {
  registered: "in_progress",
  ongoing: "in_progress",
  ended: "completed",
  error: "failed",
  not_connected: "failed",
};

function jobIdOf(call: CallRecord): string | undefined {
  const metadata = call.data.metadata;
  const id = typeof metadata === "object" && metadata !== null ? (metadata as Record<string, unknown>)[JOB_ID_KEY] : undefined;
  return typeof id === "string" && id !== "" ? id : undefined;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export function jobOf(call: CallRecord): CallJob | null {
  const id = jobIdOf(call);
  if (!id) return null;
  const { status, startedAt, endedAt, durationMs, disconnectionReason } = call.fields;
  const lastEvent = LIFECYCLE.filter((type) => call.eventTypes.includes(type)).at(-1) ?? null;
  return {
    id,
    call_id: call.id,
    status: (status && JOB_STATUS[status]) ?? status ?? "in_progress",
    last_call_event: lastEvent,
    last_call_timestamp: lastEvent && ENDED.has(lastEvent) ? iso(endedAt ?? startedAt) : iso(startedAt),
    disconnection_reason: disconnectionReason ?? null,
    call_duration: durationMs === undefined ? null : Math.round(durationMs / 1000),
    updated_at: new Date().toISOString(),
  };
}

/** Jobs in this process, next to callhooks' in-memory storage: only from the call's metadata. */
export function memoryCallJobs(storage: WebhookStorage): CallJobs {
  const jobs = new Map<string, CallJob>();
  // One sync at a time: each reads the record afresh, so the last one to run writes the newest state.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    sync(callId) {
      const run = queue.then(async () => {
        const call = await storage.getCall("retell", callId);
        const job = call ? jobOf(call) : null;
        if (job) jobs.set(job.id, job);
        return job;
      });
      queue = run.catch(() => undefined);
      return run;
    },
    get: async (jobId) => jobs.get(jobId) ?? null,
  };
}

const COLUMNS = "id, call_id, status, last_call_event, last_call_timestamp, disconnection_reason, call_duration, updated_at";

/**
 * Jobs in the `call_jobs` table (supabase/migrations), and every call in `call_results`, as the
 * MongoDB receiver kept them. The projections run in the database, each in one statement that reads
 * the call record under a share lock, so concurrent events of one call (any number of server
 * instances) cannot leave an older state behind.
 */
export function supabaseCallJobs(client: SupabaseClient): CallJobs {
  return {
    async sync(callId) {
      const result = await client.rpc("sync_call_result", { p_call_id: callId });
      // A thrown error answers 500: Retell delivers the event again, and callhooks keeps it as failed.
      if (result.error) throw new Error(`sync_call_result failed: ${result.error.message}`);
      const { data, error } = await client.rpc("sync_call_job", { p_call_id: callId });
      if (error) throw new Error(`sync_call_job failed: ${error.message}`);
      return ((data as CallJob[] | null) ?? [])[0] ?? null;
    },
    async get(jobId) {
      const { data, error } = await client.from("call_jobs").select(COLUMNS).eq("id", jobId).maybeSingle();
      if (error) throw new Error(`Reading call_jobs failed: ${error.message}`);
      return data as CallJob | null;
    },
  };
}
