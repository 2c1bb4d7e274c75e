import { defineProject } from "vitest/config";

// No workspace aliases: the function runs on the built packages (dist/), as deployed.
export default defineProject({
  test: {
    name: "example-supabase-retell-campaigns",
    include: ["test/**/*.test.ts"],
    // Starting PostgreSQL + PostgREST + Deno takes a few seconds on a shared 2-core machine; nothing is timed.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
