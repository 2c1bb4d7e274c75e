import { createMemoryStorage } from "@callhooks/storage-memory";
import { createSupabaseStorage } from "@callhooks/storage-supabase";
import type { WebhookStorage } from "@callhooks/webhook-core";
import { createClient } from "@supabase/supabase-js";
import { type CallJobs, memoryCallJobs, supabaseCallJobs } from "./call-jobs.ts";
import type { Config } from "./config.ts";

export interface Backend {
  kind: "memory" | "supabase";
  /** callhooks' inbox, duplicate detection and merged call records. */
  storage: WebhookStorage;
  jobs: CallJobs;
}

export class StartupError extends Error {}

/**
 * In memory by default: one process, nothing kept across restarts. With SUPABASE_URL and
 * SUPABASE_SERVICE_ROLE_KEY, everything lives in PostgreSQL, shared by any number of instances.
 */
export async function createBackend(config: Config): Promise<Backend> {
  if (!config.supabase) {
    const storage = createMemoryStorage();
    return { kind: "memory", storage, jobs: memoryCallJobs(storage) };
  }
  const client = createClient(config.supabase.url, config.supabase.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const backend: Backend = { kind: "supabase", storage: createSupabaseStorage({ client }), jobs: supabaseCallJobs(client) };
  // Fail at startup, not on Retell's first delivery: a missing migration or a wrong key shows here.
  try {
    await backend.storage.getCall("retell", "startup-check");
    await backend.jobs.get("startup-check");
  } catch (error) {
    throw new StartupError(
      `  - Supabase is not ready: ${(error as Error).message}\n` +
        "    Apply callhooks' migration (node_modules/@callhooks/storage-supabase/migrations) and then supabase/migrations/*_call_jobs.sql.",
    );
  }
  return backend;
}
