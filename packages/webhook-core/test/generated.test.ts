import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generate } from "../scripts/generate-types.ts";

// The interfaces are written from the schemas by scripts/generate-types.ts (run by `build`); their
// equality with the schemas is proved by the generated types.generated.test-d.ts. This fails when a
// schema changed and the committed files were not generated again.
describe("the generated event types", () => {
  it.each(Object.entries(generate()))("%s is up to date with the schemas", (path, text) => {
    const committed = readFileSync(new URL(`../${path}`, import.meta.url), "utf8");
    expect(committed, `run \`pnpm --filter @callhooks/webhook-core run generate\` and commit ${path}`).toBe(text);
  });
});
