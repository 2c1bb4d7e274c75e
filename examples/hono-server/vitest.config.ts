import { defineProject } from "vitest/config";

// No workspace aliases: each runtime runs the built packages (dist/), as an app would.
export default defineProject({
  test: {
    name: "example-hono-server",
    include: ["test/**/*.test.ts"],
    // Starting servers on Node, Bun and Deno on a shared 2-core machine; nothing is timed.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
