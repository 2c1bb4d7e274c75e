import type { EventStatus, RecordKind, StoredEvent, StoredRecord } from "@callhooks/webhook-core";

/** An events row as PostgREST and the callhooks_* functions return it (times as ISO strings). */
export interface EventRow {
  id: string;
  provider: string;
  event_key: string;
  event_type: string;
  call_id: string | null;
  org_id: string | null;
  status: EventStatus;
  attempts: number;
  last_error: string | null;
  issues?: Array<{ path: string; message: string }> | null;
  duration_ms?: number | null;
  payload: unknown;
  response: unknown;
  received_at: string;
  updated_at: string;
  processed_at: string | null;
  next_attempt_at: string | null;
  lease_expires_at: string | null;
}

export interface RecordRow {
  provider: string;
  id: string;
  org_id: string | null;
  fields: Record<string, unknown>;
  data: Record<string, unknown>;
  versions: Record<string, string>;
  event_types: string[];
  created_at: string;
  updated_at: string;
}

/** The columns the library reads: never `select=*`, which would also drag the generated columns along. */
export const EVENT_COLUMNS =
  "id,provider,event_key,event_type,call_id,org_id,status,attempts,last_error,issues,duration_ms,payload,response,received_at,updated_at,processed_at,next_attempt_at,lease_expires_at";
/** The same without the bodies (`payload`, `response`): an inbox page's rows. */
export const EVENT_SUMMARY_COLUMNS =
  "id,provider,event_key,event_type,call_id,org_id,status,attempts,last_error,issues,duration_ms,received_at,updated_at,processed_at,next_attempt_at,lease_expires_at";
export const RECORD_COLUMNS = "provider,id,org_id,fields,data,versions,event_types,created_at,updated_at";

export const RECORD_TABLES: Record<RecordKind, string> = {
  call: "callhooks_calls",
  message: "callhooks_messages",
  recording: "callhooks_recordings",
  report: "callhooks_reports",
};

export class RowShapeError extends Error {}

/**
 * timestamptz → epoch ms. PostgreSQL keeps microseconds; JavaScript times are whole milliseconds,
 * which is all the library ever writes, so they come back exactly.
 */
function ms(value: string): number {
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw new RowShapeError(`unexpected timestamp ${JSON.stringify(value).slice(0, 40)}`);
  return parsed;
}
const msOrNull = (value: string | null | undefined): number | null => (value == null ? null : ms(value));

export function toEvent(row: EventRow): StoredEvent {
  if (typeof row !== "object" || row === null || typeof row.id !== "string") throw new RowShapeError("unexpected event row");
  return {
    id: row.id,
    provider: row.provider,
    key: row.event_key,
    type: row.event_type,
    callId: row.call_id,
    orgId: row.org_id,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    issues: row.issues ?? null,
    payload: row.payload ?? null,
    response: row.response ?? null,
    receivedAt: ms(row.received_at),
    updatedAt: ms(row.updated_at),
    processedAt: msOrNull(row.processed_at),
    nextAttemptAt: msOrNull(row.next_attempt_at),
    leaseExpiresAt: msOrNull(row.lease_expires_at),
    durationMs: row.duration_ms ?? null,
  };
}

export function toRecord(kind: RecordKind, row: RecordRow): StoredRecord {
  if (typeof row !== "object" || row === null || typeof row.id !== "string") throw new RowShapeError("unexpected record row");
  return {
    kind,
    provider: row.provider,
    id: row.id,
    orgId: row.org_id,
    fields: row.fields as StoredRecord["fields"],
    data: row.data,
    versions: row.versions,
    eventTypes: row.event_types,
    createdAt: ms(row.created_at),
    updatedAt: ms(row.updated_at),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs: anything else cannot exist, and PostgreSQL would reject it with an error. */
export const isUuid = (value: unknown): value is string => typeof value === "string" && UUID.test(value);
