import { defineProject } from "vitest/config";
import { workspaceAliases } from "../../vitest.shared.ts";

export default defineProject({
  resolve: { alias: workspaceAliases() },
  test: {
    name: "dashboard",
    include: ["test/**/*.test.ts"],
    // The Supabase stack (PostgreSQL + PostgREST + gateway) for the browser tests over storage-supabase.
    globalSetup: ["test/global-setup.ts"],
    // A real browser and a real database on a shared 2-core machine: nothing here is timed.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
