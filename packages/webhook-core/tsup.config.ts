import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.ts";

/** One entry per subpath of the exports map: the root for apps, the others for what few apps need. */
const subpaths = ["provider", "storage", "schemas", "openapi", "samples", "testing"];

export default defineConfig(
  packageBuild({
    entry: { index: "src/index.ts", ...Object.fromEntries(subpaths.map((name) => [`${name}/index`, `src/${name}/index.ts`])) },
    external: ["zod", "vitest"],
  }),
);
