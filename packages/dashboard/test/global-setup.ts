import type { TestProject } from "vitest/node";
import { setupSupabaseStack } from "@callhooks/storage-supabase/testing";

// One real stack (PostgreSQL + PostgREST + gateway) for the run; the storage-supabase browser tests use it.
export default (project: TestProject) => setupSupabaseStack(project);
