import type { TestProject } from "vitest/node";
import { setupSupabaseStack } from "../src/testing/index.js";

// `callhooks_alt` proves the `schema` option: the same migration, installed into an exposed schema.
export default (project: TestProject) => setupSupabaseStack(project, { extraSchemas: ["callhooks_alt"] });
