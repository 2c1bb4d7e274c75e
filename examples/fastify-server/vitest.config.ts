import { defineProject } from "vitest/config";

// No workspace aliases: the server runs on the built packages (dist/), as an app would.
export default defineProject({
  test: {
    name: "example-fastify-server",
    include: ["test/**/*.test.ts"],
    // Starting Node servers on a shared 2-core machine; nothing is timed.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
