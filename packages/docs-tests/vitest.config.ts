import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "docs-tests",
    include: ["test/**/*.test.ts"],
    // One TypeScript program over every README block, and an npm install of the packed packages.
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
