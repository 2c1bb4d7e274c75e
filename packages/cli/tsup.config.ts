import { readFileSync } from "node:fs";
import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.ts";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };

const shared = {
  clean: false, // two builds run at once into one dist/; `build` empties it first
  platform: "node" as const,
  define: { __VERSION__: JSON.stringify(version) },
  external: [/^@callhooks\/webhook-core(\/samples)?$/, "@callhooks/storage-supabase", "@supabase/supabase-js", "picocolors", "zod"],
};

export default defineConfig([
  packageBuild({ ...shared, entry: { index: "src/index.ts" } }),
  packageBuild({ ...shared, entry: { bin: "src/bin.ts" }, format: ["esm"], dts: false }),
]);
