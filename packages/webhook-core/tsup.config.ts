import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.ts";

export default defineConfig(packageBuild({ entry: { index: "src/index.ts", "samples/index": "src/samples/index.ts", "testing/index": "src/testing/index.ts" }, external: ["zod", "vitest"] }));
