import { readFileSync } from "node:fs";
import { defineConfig } from "tsup";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };

const shared = {
  target: "es2022" as const,
  platform: "node" as const,
  sourcemap: true,
  define: { __VERSION__: JSON.stringify(version) },
  external: [/^@callhooks\/webhook-core(\/samples)?$/, "@callhooks/storage-supabase", "@supabase/supabase-js", "picocolors", "zod"],
};

export default defineConfig([
  // Two builds run at once: neither cleans (it could delete the other's output); `build` empties dist first.
  { ...shared, entry: { index: "src/index.ts" }, format: ["esm", "cjs"], dts: true },
  { ...shared, entry: { bin: "src/bin.ts" }, format: ["esm"], dts: false },
]);
