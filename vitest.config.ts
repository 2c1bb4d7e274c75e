import { defineConfig } from "vitest/config";

// Each package and example has its own vitest.config.ts; this root config only gathers them so
// one `vitest run` at the root runs every suite.
export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.ts", "examples/*/vitest.config.ts"],
  },
});
