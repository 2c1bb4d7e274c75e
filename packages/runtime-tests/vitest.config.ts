import { defineProject } from "vitest/config";

// No workspace aliases here: every runtime must load the packages' built dist/, as users get them.
export default defineProject({
  test: {
    name: "runtime-tests",
    include: ["test/**/*.test.ts"],
    // Each test starts a real runtime process (or workerd); none is timed, but they are not instant.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
