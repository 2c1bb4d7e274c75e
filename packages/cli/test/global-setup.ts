import type { TestProject } from "vitest/node";
import { setupSupabaseStack } from "@callhooks/storage-supabase/testing";

// One real Supabase-like stack (PostgreSQL + PostgREST + /rest/v1 gateway) for the run's
// `events`/`replay` tests (schema public) and the two-worker test (schema workers: its workers
// claim every due event, so it gets tables of its own). Null when there is no PostgreSQL at all:
// those tests then skip, except in CI.
export default (project: TestProject) => setupSupabaseStack(project, { extraSchemas: ["workers"] });
