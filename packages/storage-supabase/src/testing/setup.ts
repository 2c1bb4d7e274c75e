import { PostgresUnavailableError } from "./postgres.js";
import { type StartSupabaseStackOptions, type SupabaseStackInfo, startSupabaseStack } from "./stack.js";

/** The `provide`/`inject` key the shared stack is handed to tests under. */
export const SUPABASE_STACK = "supabaseStack";

const isCi = () => /^(1|true|yes)$/i.test(process.env.CI ?? "");

/**
 * For a vitest `globalSetup`: starts one stack for the whole run and provides its
 * `SupabaseStackInfo` as `inject("supabaseStack")`, or `null` when there is no PostgreSQL at all
 * (then it prints one line saying how to enable the tests). In CI (`CI=true`) a stack that cannot
 * start fails the run instead: integration tests must never be skipped there.
 *
 * @example
 * // test/global-setup.ts
 * import type { TestProject } from "vitest/node";
 * import { setupSupabaseStack } from "@callhooks/storage-supabase/testing";
 * export default (project: TestProject) => setupSupabaseStack(project);
 */
export async function setupSupabaseStack(
  project: { provide(key: never, value: never): void },
  options?: StartSupabaseStackOptions,
): Promise<(() => Promise<void>) | undefined> {
  const provide = (value: SupabaseStackInfo | null) =>
    (project.provide as (key: string, value: unknown) => void).call(project, SUPABASE_STACK, value);
  try {
    const stack = await startSupabaseStack(options);
    provide(stack.info);
    const where = stack.ownsDatabaseServer ? "a private PostgreSQL cluster" : new URL(stack.databaseUrl).host;
    console.log(`[callhooks] Supabase test stack ready in ${stack.startupMs} ms (PostgreSQL: ${where}).`);
    return () => stack.stop();
  } catch (error) {
    if (error instanceof PostgresUnavailableError && !isCi()) {
      console.warn(
        `\n[callhooks] SKIPPING the Supabase integration tests: ${error.message} ` +
          "To run them, install PostgreSQL (e.g. `apt-get install postgresql`) or set DATABASE_URL to a superuser URL " +
          "(e.g. postgres://postgres@127.0.0.1:5432/postgres). In CI (CI=true) they never skip.\n",
      );
      provide(null);
      return undefined;
    }
    throw error;
  }
}
