import { WebhookStorageError } from "@callhooks/webhook-core";

/** What supabase-js returns in `error` (a PostgrestError, or a plain object for network failures). */
export interface PostgrestErrorLike {
  message?: string;
  code?: string;
  details?: string | null;
  hint?: string | null;
}

const JWT = /eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]{4,}/g; // legacy anon / service_role keys, user tokens
const API_KEY = /sb_(?:secret|publishable)_[\w-]+/g; // new-style keys
const ASSIGNED = /\b(apikey|authorization|password|token)(["']?\s*[:=]\s*["']?(?:bearer\s+)?)[^\s"',;&]+/gi;

/** Strips anything key-shaped: messages end up in logs and in answers to callers. */
export function redact(text: string): string {
  const out = text.replace(JWT, "[redacted]").replace(API_KEY, "[redacted]").replace(ASSIGNED, "$1$2[redacted]");
  return out.length > 2000 ? `${out.slice(0, 2000)}…` : out;
}

/** Hints for the mistakes people make while setting up, keyed by PostgREST / PostgreSQL code. */
const HINTS: Record<string, string> = {
  PGRST202:
    "the callhooks functions are missing: apply the migration from @callhooks/storage-supabase/migrations (and wait for the schema cache to reload)",
  PGRST205: "the callhooks tables are missing: apply the migration from @callhooks/storage-supabase/migrations",
  PGRST106: 'the schema is not exposed: add it to the API\'s exposed schemas, or use schema "public"',
  "42501": "permission denied: create the client with the service role (secret) key, not the anon key",
  "42P01": "a callhooks table is missing: apply the migration from @callhooks/storage-supabase/migrations",
  PGRST000: "the database is unreachable",
  PGRST001: "the database is unreachable",
  PGRST002: "the API could not load the schema cache (the database may be unreachable)",
};

/**
 * A storage failure from Supabase. It is a `WebhookStorageError`, so the pipeline answers 500 and the
 * provider retries; `operation`, `httpStatus` and `postgresCode` say what failed. Never carries a key.
 */
export class SupabaseStorageError extends WebhookStorageError {
  constructor(
    readonly operation: string,
    readonly httpStatus: number | null,
    readonly postgresCode: string | null,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** supabase-js puts a network error's stack into `details`: keep the message lines only. */
function clean(text: string | null | undefined): string {
  if (typeof text !== "string") return "";
  return text
    .split("\n")
    .filter((line) => !/^\s*at\s/.test(line))
    .join("; ")
    .trim();
}

export function toStorageError(operation: string, error: unknown, httpStatus: number | null = null): SupabaseStorageError {
  const raw: PostgrestErrorLike =
    error instanceof Error
      ? { message: `${error.name}: ${error.message}` }
      : typeof error === "object" && error !== null
        ? (error as PostgrestErrorLike)
        : { message: String(error) };
  const code = raw.code ? String(raw.code) : null;
  const status = httpStatus && httpStatus > 0 ? httpStatus : null;
  const text = clean(raw.message);
  let details = clean(raw.details);
  if (text && details.startsWith(text)) details = details.slice(text.length).replace(/^[;\s]+/, "");
  const parts = [text, details, clean(raw.hint)].filter((part) => part !== "");
  const hint = code ? HINTS[code] : status === 401 ? "the API key was refused" : undefined;
  const where = [status && `HTTP ${status}`, code].filter(Boolean).join(" ");
  const message = redact(
    `Supabase storage: ${operation} failed${where ? ` (${where})` : ""}: ${parts.join(" — ") || "no error message"}${hint ? ` [${hint}]` : ""}`,
  );
  // A fresh, redacted copy: the original may carry request details we do not want in logs.
  const cause = Object.assign(new Error(redact(text || "unknown error")), {
    name: "PostgrestError",
    code,
    details: details ? redact(details) : null,
    hint: raw.hint ? redact(raw.hint) : null,
  });
  return new SupabaseStorageError(operation, status, code, message, { cause });
}
