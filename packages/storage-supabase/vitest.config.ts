import { defineProject } from "vitest/config";
import { workspaceAliases } from "../../vitest.shared.ts";

export default defineProject({
  resolve: { alias: workspaceAliases() },
  test: {
    name: "storage-supabase",
    include: ["test/**/*.test.ts"],
    // One real stack (PostgreSQL + PostgREST + gateway) for the whole run, handed to tests by inject().
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
