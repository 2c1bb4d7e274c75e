import { defineProject } from "vitest/config";
import { workspaceAliases } from "../../vitest.shared.ts";

export default defineProject({
  resolve: { alias: workspaceAliases() },
  test: {
    name: "cli",
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // The tests spawn the built binary (dist/bin.js) and start a real Supabase-like stack.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
